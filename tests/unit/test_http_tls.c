/* test_http_tls.c: the HTTP transport over HTTPS. Certificates are made at
 * test time with OpenSSL (EC P-256, self-signed, CN and subjectAltName) and
 * served by libmicrohttpd; the checks are the TLS policy (verification on by
 * default, --ca-file, SkipCACheck, SkipCNCheck), the messages a user sees,
 * the peer certificate kept for channel binding, and client certificates. */
#include "src/http/http.h"
#include "test_http_server.h"
#include "unit.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct test_cert {
    char *cert_pem;
    char *key_pem;
    char cert_path[512];
    char key_path[512];
    psr_buf der;
} test_cert;

static char tmpdir[256];
static test_cert good;  /* CN=localhost, SAN localhost and 127.0.0.1 */
static test_cert other; /* CN=other.example, SAN other.example only */

static char *bio_text(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *copy = n >= 0 ? strndup(data, (size_t)n) : NULL;
    BIO_free(bio);
    return copy;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int make_cert(test_cert *c, const char *name, long serial, const char *cn,
                     const char *san)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    int rc = -1;
    if (!key || !x)
        goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME *subject = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                               0);
    X509_set_issuer_name(x, subject);
    if (add_ext(x, NID_subject_alt_name, san) || add_ext(x, NID_ext_key_usage, "serverAuth,clientAuth") ||
        !X509_sign(x, key, EVP_sha256()))
        goto out;
    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
    if (cb)
        PEM_write_bio_X509(cb, x);
    if (kb)
        PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL);
    c->cert_pem = cb ? bio_text(cb) : NULL;
    c->key_pem = kb ? bio_text(kb) : NULL;
    snprintf(c->cert_path, sizeof(c->cert_path), "%s/%s.crt", tmpdir, name);
    snprintf(c->key_path, sizeof(c->key_path), "%s/%s.key", tmpdir, name);
    int n = i2d_X509(x, NULL);
    unsigned char *p = NULL;
    if (c->cert_pem && c->key_pem && n > 0 && psr_buf_reserve(&c->der, (size_t)n) == 0 &&
        write_file(c->cert_path, c->cert_pem) == 0 && write_file(c->key_path, c->key_pem) == 0) {
        p = (unsigned char *)c->der.data;
        i2d_X509(x, &p);
        c->der.len = (size_t)n;
        rc = 0;
    }
out:
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

static void free_cert(test_cert *c)
{
    if (c->cert_path[0])
        unlink(c->cert_path);
    if (c->key_path[0])
        unlink(c->key_path);
    free(c->cert_pem);
    free(c->key_pem);
    psr_buf_free(&c->der);
}

static int suite_init(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/psr-http-tls-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    if (make_cert(&good, "good", 1, "localhost", "DNS:localhost,IP:127.0.0.1") ||
        make_cert(&other, "other", 2, "other.example", "DNS:other.example"))
        return -1;
    return 0;
}

static int suite_cleanup(void)
{
    free_cert(&good);
    free_cert(&other);
    rmdir(tmpdir);
    return 0;
}

static int contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle)) {
        fprintf(stderr, "\n  expected \"%s\" in: %s\n", needle, haystack);
        return 0;
    }
    return 1;
}

/* Posts once with the given options; returns the status of psr_http_post. */
static int post_once(psr_http_options *o, psr_error *err)
{
    psr_http *h = NULL;
    o->proxy = "";
    o->request_timeout_ms = 10000;
    int rc = psr_http_new(&h, o, err);
    if (rc)
        return rc;
    psr_http_response r = {0};
    rc = psr_http_post(h, NULL, NULL, "<x/>", 4, &r, err);
    if (rc == 0 && r.status != 200)
        rc = psr_http_status_error(&r, o->url, err);
    psr_http_response_clear(&r);
    psr_http_free(h);
    return rc;
}

static void test_untrusted_by_default(void)
{
    test_server s = {.reply_body = "ok"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, good.cert_pem, good.key_pem), 0);
    psr_http_options o = {.url = s.url};
    psr_error err;
    CU_ASSERT_EQUAL(post_once(&o, &err), PSR_E_TLS);
    CU_ASSERT(contains(err.message, "TLS certificate of 127.0.0.1 is not trusted"));
    CU_ASSERT(contains(err.message, "--ca-file"));
    CU_ASSERT(contains(err.message, "SkipCACheck"));
    CU_ASSERT_EQUAL(s.requests, 0);
    test_server_stop(&s);
}

static void test_ca_file_trusts(void)
{
    test_server s = {.reply_body = "secure"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, good.cert_pem, good.key_pem), 0);
    psr_http_options o = {.url = s.url, .ca_file = good.cert_path, .proxy = ""};
    psr_http *h = NULL;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    CU_ASSERT_TRUE(psr_http_is_tls(h));
    psr_buf der = {0};
    CU_ASSERT_EQUAL(psr_http_peer_cert_der(h, &der, &err), PSR_E_STATE);

    psr_http_response r = {0};
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, "Basic eDp5", "<x/>", 4, &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.body.data, "secure");
    CU_ASSERT_STRING_EQUAL(s.authorization, "Basic eDp5");
    CU_ASSERT_EQUAL(psr_http_peer_cert_der(h, &der, &err), 0);
    CU_ASSERT(der.len == good.der.len && memcmp(der.data, good.der.data, der.len) == 0);

    /* Same connection for the next request; the certificate stays known. */
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<y/>", 4, &r, &err), 0);
    CU_ASSERT_EQUAL(s.connections, 1);
    CU_ASSERT_EQUAL(s.requests, 2);
    psr_buf_reset(&der);
    CU_ASSERT_EQUAL(psr_http_peer_cert_der(h, &der, &err), 0);
    CU_ASSERT(der.len == good.der.len && memcmp(der.data, good.der.data, der.len) == 0);

    /* And again after a new connection. */
    psr_http_reset_connection(h);
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<z/>", 4, &r, &err), 0);
    CU_ASSERT_EQUAL(s.connections, 2);
    psr_buf_reset(&der);
    CU_ASSERT_EQUAL(psr_http_peer_cert_der(h, &der, &err), 0);
    CU_ASSERT(der.len == good.der.len && memcmp(der.data, good.der.data, der.len) == 0);

    psr_buf_free(&der);
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

static void test_skip_ca_check(void)
{
    test_server s = {0};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, good.cert_pem, good.key_pem), 0);
    psr_http_options o = {.url = s.url, .skip_ca_check = 1};
    psr_error err;
    CU_ASSERT_EQUAL(post_once(&o, &err), 0);
    /* Revocation is not checked on Linux either way; skipping it is accepted. */
    o.skip_revocation_check = 1;
    CU_ASSERT_EQUAL(post_once(&o, &err), 0);
    test_server_stop(&s);
}

static void test_name_mismatch_and_skip_cn_check(void)
{
    test_server s = {0};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, other.cert_pem, other.key_pem), 0);
    psr_http_options o = {.url = s.url, .ca_file = other.cert_path};
    psr_error err;
    CU_ASSERT_EQUAL(post_once(&o, &err), PSR_E_TLS);
    CU_ASSERT(contains(err.message, "does not match"));
    CU_ASSERT(contains(err.message, "SkipCNCheck"));
    CU_ASSERT_EQUAL(s.requests, 0);
    o.skip_cn_check = 1;
    CU_ASSERT_EQUAL(post_once(&o, &err), 0);
    CU_ASSERT_EQUAL(s.requests, 1);

    /* As in PowerShell, SkipCACheck alone still checks the name. */
    psr_http_options o2 = {.url = s.url, .skip_ca_check = 1};
    CU_ASSERT_EQUAL(post_once(&o2, &err), PSR_E_TLS);
    CU_ASSERT(contains(err.message, "SkipCNCheck"));
    o2.skip_cn_check = 1;
    CU_ASSERT_EQUAL(post_once(&o2, &err), 0);
    CU_ASSERT_EQUAL(s.requests, 2);
    test_server_stop(&s);
}

static void test_wrong_ca_file(void)
{
    test_server s = {0};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, good.cert_pem, good.key_pem), 0);
    psr_http_options o = {.url = s.url, .ca_file = other.cert_path};
    psr_error err;
    CU_ASSERT_EQUAL(post_once(&o, &err), PSR_E_TLS);
    CU_ASSERT(contains(err.message, "not trusted by the CA file"));
    CU_ASSERT(contains(err.message, other.cert_path));

    char missing[600];
    snprintf(missing, sizeof(missing), "%s/missing.pem", tmpdir);
    o.ca_file = missing;
    CU_ASSERT_EQUAL(post_once(&o, &err), PSR_E_TLS);
    CU_ASSERT(contains(err.message, "cannot read the CA file"));
    test_server_stop(&s);
}

/* A port that accepts TCP but never answers the TLS handshake. */
static void test_connect_timeout(void)
{
    unsigned port = 0;
    int fd = test_silent_socket(&port);
    CU_ASSERT_FATAL(fd >= 0);
    char url[64];
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/wsman", port);
    psr_http_options o = {.url = url, .connect_timeout_ms = 300, .proxy = ""};
    psr_http *h = NULL;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    psr_http_response r = {0};
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), PSR_E_TIMEOUT);
    CU_ASSERT(contains(err.message, "timed out after 300 ms, TLS handshake included"));
    psr_http_free(h);
    close(fd);
}

static void test_scheme_port_mismatch(void)
{
    test_server plain = {0};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&plain, NULL, NULL), 0);
    char url[64];
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/wsman", plain.port);
    psr_http_options o = {.url = url, .skip_ca_check = 1};
    psr_error err;
    CU_ASSERT_EQUAL(post_once(&o, &err), PSR_E_TLS);
    CU_ASSERT(contains(err.message, "TLS handshake with 127.0.0.1"));
    CU_ASSERT(contains(err.message, "is this port HTTPS?"));
    test_server_stop(&plain);

    test_server tls = {0};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&tls, good.cert_pem, good.key_pem), 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/wsman", tls.port);
    psr_http_options o2 = {.url = url};
    int rc = post_once(&o2, &err);
    CU_ASSERT_EQUAL(rc, PSR_E_NETWORK);
    CU_ASSERT(contains(err.message, "127.0.0.1"));
    CU_ASSERT(contains(err.message, "https"));
    test_server_stop(&tls);
}

static void test_client_certificate(void)
{
    test_server s = {0};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, good.cert_pem, good.key_pem), 0);
    psr_http_options o = {.url = s.url, .ca_file = good.cert_path,
                          .client_cert = other.cert_path, .client_key = other.key_path};
    psr_error err;
    CU_ASSERT_EQUAL(post_once(&o, &err), 0);

    /* A key that does not belong to the certificate. */
    o.client_key = good.key_path;
    CU_ASSERT_EQUAL(post_once(&o, &err), PSR_E_TLS);
    CU_ASSERT(contains(err.message, "cannot use the client certificate"));
    CU_ASSERT(contains(err.message, other.cert_path));
    test_server_stop(&s);
}

static void test_no_peer_cert_over_http(void)
{
    psr_http_options o = {.url = "http://127.0.0.1:5985/wsman"};
    psr_http *h = NULL;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    psr_buf der = {0};
    CU_ASSERT_EQUAL(psr_http_peer_cert_der(h, &der, &err), PSR_E_STATE);
    CU_ASSERT(contains(err.message, "not HTTPS"));
    psr_http_free(h);
}

static const psr_unit_test tests[] = {
    {"verification on by default; message names --ca-file", test_untrusted_by_default},
    {"ca_file trusts; peer certificate kept per connection", test_ca_file_trusts},
    {"skip_ca_check, skip_revocation_check", test_skip_ca_check},
    {"certificate for another name; skip_cn_check", test_name_mismatch_and_skip_cn_check},
    {"CA file that does not vouch for the server; missing CA file", test_wrong_ca_file},
    {"TLS handshake never answered: connect timeout", test_connect_timeout},
    {"https to an HTTP port and http to an HTTPS port", test_scheme_port_mismatch},
    {"client certificate and key; mismatched key", test_client_certificate},
    {"no peer certificate over plain HTTP", test_no_peer_cert_over_http},
    {NULL, NULL},
};

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite suite = CU_add_suite("http_tls", suite_init, suite_cleanup);
    for (const psr_unit_test *t = tests; t->name; t++)
        CU_add_test(suite, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
                      CU_get_number_of_suites_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return ran == 0 || failed ? 1 : 0;
}
