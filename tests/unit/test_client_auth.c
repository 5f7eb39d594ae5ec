/* test_client_auth.c: the connection authenticator (src/client/auth.h)
 * driven against a small in-test WinRM server whose side is MIT krb5 /
 * gss-ntlmssp acceptors: the probe, every handshake leg, sealing of the
 * envelope and unsealing of the reply, re-authentication when the server
 * forgot the connection, and the refusals. No HTTP: requests and replies
 * are handed across directly, so every byte the client produces is checked
 * by the acceptor. Skipped (77) without krb5kdc. */
#include "src/auth/gss.h"
#include "src/auth/sealing.h"
#include "src/client/auth.h"
#include "tests/kdc/kdc.h"
#include "tests/unit/unit.h"

#include <string.h>

static psr_test_kdc kdc;

static const char ENVELOPE[] = "<s:Envelope>a request that must arrive intact</s:Envelope>";
static const char REPLY_PREFIX[] = "reply to: ";

/* ---- the in-test server ---- */

typedef struct server {
    const char *offers[3];   /* WWW-Authenticate values of its 401 */
    size_t n_offers;
    int tls;
    psr_buf cert;            /* its certificate (HTTPS) for channel binding */
    int anonymous;           /* answers everything without credentials */
    psr_gss_ctx *ctx;        /* the current connection's context */
    int established;
    int new_connection;      /* the next reply says "new connection" */
    int reply_in_clear;      /* misbehave: answer sealed requests in clear */
    /* what it saw */
    int envelopes_seen, sealed_seen, legs_seen, delegated;
    char peer[128];
    /* reply storage */
    char *www[3];
    size_t n_www;
    psr_buf body, content_type, header, plain;
} server;

static void server_clear_reply(server *s)
{
    for (size_t i = 0; i < s->n_www; i++)
        free(s->www[i]);
    s->n_www = 0;
    psr_buf_reset(&s->body);
    psr_buf_reset(&s->content_type);
}

static void server_free(server *s)
{
    server_clear_reply(s);
    psr_gss_free(s->ctx);
    psr_buf_free(&s->cert);
    psr_buf_free(&s->body);
    psr_buf_free(&s->content_type);
    psr_buf_free(&s->header);
    psr_buf_free(&s->plain);
}

/* The server forgets the connection, as when it closed it. */
static void server_drop_connection(server *s)
{
    psr_gss_free(s->ctx);
    s->ctx = NULL;
    s->established = 0;
    s->new_connection = 1;
}

static long challenge(server *s)
{
    for (size_t i = 0; i < s->n_offers; i++)
        s->www[s->n_www++] = strdup(s->offers[i]);
    return 401;
}

static long handle_leg(server *s, const psr_auth_request *rq)
{
    psr_buf scheme = {0}, token = {0}, out = {0};
    psr_error err;
    long status = 401;
    CU_ASSERT_EQUAL(rq->len, 0); /* legs carry no envelope */
    if (psr_gss_parse_authorization(rq->authorization, &scheme, &token, &err) != 0)
        goto done;
    if (!s->ctx) {
        char keytab[600];
        snprintf(keytab, sizeof(keytab), "%s/keytab", kdc.dir);
        psr_gss_acceptor_options o = {
            .service_name = "HTTP@localhost",
            .keytab = keytab,
            .ntlm_user_file = getenv("NTLM_USER_FILE"),
            .server_cert_der = s->tls ? s->cert.data : NULL,
            .server_cert_der_len = s->tls ? s->cert.len : 0,
        };
        CU_ASSERT_EQUAL_FATAL(psr_gss_acceptor_new(&s->ctx, &o, &err), 0);
        CU_ASSERT_EQUAL_FATAL(psr_gss_set_scheme(s->ctx, scheme.data, &err), 0);
    }
    s->legs_seen++;
    int done = 0;
    if (psr_gss_step(s->ctx, token.data, token.len, &out, &done, &err) != 0) {
        /* refused: a bare challenge, as WinRM answers bad credentials */
        psr_gss_free(s->ctx);
        s->ctx = NULL;
        status = challenge(s);
        goto done;
    }
    psr_gss_format_header(&scheme, psr_gss_http_scheme(s->ctx), out.data, out.len);
    s->www[s->n_www++] = strdup(scheme.data);
    if (done) {
        s->established = 1;
        s->delegated = psr_gss_delegated(s->ctx);
        snprintf(s->peer, sizeof(s->peer), "%s", psr_gss_peer_name(s->ctx));
        status = 200;
    }
done:
    psr_buf_free(&scheme);
    psr_buf_free(&token);
    psr_buf_free(&out);
    return status;
}

static long handle_envelope(server *s, const psr_auth_request *rq)
{
    psr_error err;
    const char *plain = rq->body;
    size_t plain_len = rq->len;
    int sealed = rq->content_type && psr_sealing_is_encrypted(rq->content_type);
    if (sealed) {
        CU_ASSERT_EQUAL_FATAL(psr_sealing_unseal(s->ctx, rq->content_type, rq->body, rq->len, 0,
                                                 &s->plain, &err),
                              0);
        plain = s->plain.data;
        plain_len = s->plain.len;
        s->sealed_seen++;
    }
    CU_ASSERT_EQUAL(plain_len, strlen(ENVELOPE));
    CU_ASSERT(plain_len == strlen(ENVELOPE) && memcmp(plain, ENVELOPE, plain_len) == 0);
    s->envelopes_seen++;
    psr_buf reply = {0};
    psr_buf_puts(&reply, REPLY_PREFIX);
    psr_buf_append(&reply, plain, plain_len);
    if (sealed && !s->reply_in_clear) {
        CU_ASSERT_EQUAL(psr_sealing_seal(s->ctx, reply.data, reply.len, &s->body,
                                         &s->content_type, &err),
                        0);
    } else {
        psr_buf_append(&s->body, reply.data, reply.len);
        psr_buf_puts(&s->content_type, "application/soap+xml;charset=UTF-8");
    }
    psr_buf_free(&reply);
    return 200;
}

/* One HTTP exchange: request in, reply out. */
static void server_handle(server *s, const psr_auth_request *rq, psr_auth_reply *r)
{
    server_clear_reply(s);
    long status;
    if (s->anonymous)
        status = rq->len ? handle_envelope(s, rq) : 200;
    else if (!rq->authorization && !s->established)
        status = challenge(s);
    else if (!s->established)
        status = handle_leg(s, rq);
    else
        status = handle_envelope(s, rq);
    memset(r, 0, sizeof(*r));
    r->status = status;
    r->content_type = s->content_type.len ? s->content_type.data : NULL;
    r->www_authenticate = s->www;
    r->n_www_authenticate = s->n_www;
    r->body = s->body.data;
    r->len = s->body.len;
    r->new_connection = s->new_connection;
    s->new_connection = 0;
}

/* ---- the client side ---- */

static psr_connection_options options(psr_auth_method m, const char *user, const char *password)
{
    psr_connection_options o;
    psr_connection_options_init(&o);
    o.auth = m;
    o.user = user;
    o.password = password;
    return o;
}

/* Sends ENVELOPE through a and checks the reply the server made for it.
 * Returns the status psr_auth returned (0 on success). */
static int round_trip(psr_auth *a, server *s, psr_error *err)
{
    for (int i = 0; i < 10; i++) {
        psr_auth_request rq;
        int rc = psr_auth_next_request(a, ENVELOPE, strlen(ENVELOPE), &rq, err);
        if (rc)
            return rc;
        psr_auth_reply r;
        int wants_cert = psr_auth_wants_peer_cert(a);
        server_handle(s, &rq, &r);
        if (wants_cert) {
            r.peer_cert_der = s->cert.data;
            r.peer_cert_der_len = s->cert.len;
        }
        psr_auth_outcome outcome;
        const void *body;
        size_t len;
        rc = psr_auth_on_reply(a, &r, &outcome, &body, &len, err);
        if (rc)
            return rc;
        if (outcome == PSR_AUTH_REPLY_READY) {
            size_t want = strlen(REPLY_PREFIX) + strlen(ENVELOPE);
            CU_ASSERT_EQUAL(len, want);
            CU_ASSERT(len == want && memcmp(body, REPLY_PREFIX, strlen(REPLY_PREFIX)) == 0 &&
                      memcmp((const char *)body + strlen(REPLY_PREFIX), ENVELOPE,
                             strlen(ENVELOPE)) == 0);
            return 0;
        }
    }
    CU_FAIL("the exchange did not settle");
    return -1;
}

static psr_auth *client(const psr_connection_options *o, int tls)
{
    psr_auth *a = NULL;
    psr_error err;
    int rc = psr_auth_new(&a, o, "localhost", tls ? 5986 : 5985, tls, &err);
    if (rc)
        fprintf(stderr, "psr_auth_new: %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return a;
}

/* ---- tests ---- */

static void check_http_sealed(psr_auth_method m, const char *user, const char *password,
                              const char *offer, const char *expect_describe,
                              const char *expect_peer)
{
    server s = {.offers = {offer}, .n_offers = 1};
    psr_connection_options o = options(m, user, password);
    psr_auth *a = client(&o, 0);
    psr_error err;
    int rc = round_trip(a, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(s.sealed_seen, 1);
    CU_ASSERT(psr_auth_is_sealing(a));
    CU_ASSERT_STRING_EQUAL(psr_auth_describe(a), expect_describe);
    CU_ASSERT_STRING_EQUAL(s.peer, expect_peer);
    /* the second envelope needs no new handshake on the same connection */
    int legs = s.legs_seen;
    CU_ASSERT_EQUAL(round_trip(a, &s, &err), 0);
    CU_ASSERT_EQUAL(s.legs_seen, legs);
    CU_ASSERT_EQUAL(s.sealed_seen, 2);
    psr_auth_free(a);
    server_free(&s);
}

static void test_negotiate_kerberos_http(void)
{
    check_http_sealed(PSR_AUTH_DEFAULT, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
                      "Negotiate", "Negotiate/Kerberos", getenv("PSR_KDC_USER"));
}

static void test_kerberos_scheme_http(void)
{
    check_http_sealed(PSR_AUTH_KERBEROS, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
                      "Kerberos", "Kerberos", getenv("PSR_KDC_USER"));
}

static void test_ntlm_http(void)
{
    char expect_peer[128];
    snprintf(expect_peer, sizeof(expect_peer), "%s", getenv("PSR_NTLM_ONLY_USER"));
    psr_connection_options o = options(PSR_AUTH_NTLM, getenv("PSR_NTLM_ONLY_USER"),
                                       getenv("PSR_NTLM_ONLY_PASSWORD"));
    server s = {.offers = {"Negotiate"}, .n_offers = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    int rc = round_trip(a, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(s.sealed_seen, 1);
    CU_ASSERT_STRING_EQUAL(psr_auth_describe(a), "Negotiate/NTLM");
    CU_ASSERT_EQUAL(s.legs_seen, 2); /* NEGOTIATE, then AUTHENTICATE */
    psr_auth_free(a);
    server_free(&s);
}

static void test_negotiate_falls_back_to_ntlm(void)
{
    /* a user the KDC does not know: SPNEGO ends up with NTLM */
    psr_connection_options o = options(PSR_AUTH_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"),
                                       getenv("PSR_NTLM_ONLY_PASSWORD"));
    server s = {.offers = {"Negotiate"}, .n_offers = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    int rc = round_trip(a, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(psr_auth_describe(a), "Negotiate/NTLM");
    CU_ASSERT_EQUAL(s.sealed_seen, 1);
    psr_auth_free(a);
    server_free(&s);
}

static void test_https_channel_binding_not_sealed(void)
{
    size_t len = 0;
    char *der = psr_unit_read_fixture("auth/cert_rsa_sha256.der", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(der);
    const char *users[2][2] = {
        {getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD")},
        {getenv("PSR_NTLM_ONLY_USER"), getenv("PSR_NTLM_ONLY_PASSWORD")},
    };
    for (int i = 0; i < 2; i++) {
        server s = {.offers = {"Negotiate"}, .n_offers = 1, .tls = 1};
        psr_buf_append(&s.cert, der, len);
        psr_connection_options o = options(PSR_AUTH_NEGOTIATE, users[i][0], users[i][1]);
        psr_auth *a = client(&o, 1);
        psr_error err;
        int rc = round_trip(a, &s, &err);
        if (rc)
            fprintf(stderr, "%s\n", err.message);
        /* the acceptor requires matching bindings, so success proves them */
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_EQUAL(s.sealed_seen, 0);
        CU_ASSERT_EQUAL(s.envelopes_seen, 1);
        CU_ASSERT_FALSE(psr_auth_is_sealing(a));
        psr_auth_free(a);
        server_free(&s);
    }
    free(der);
}

static void test_channel_binding_mismatch(void)
{
    size_t len = 0, other_len = 0;
    char *der = psr_unit_read_fixture("auth/cert_rsa_sha256.der", &len);
    char *other = psr_unit_read_fixture("auth/cert_rsa_sha512.der", &other_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(der);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    /* the client sees another certificate than the server has: a TLS
     * interception proxy; the server refuses */
    server s = {.offers = {"Negotiate"}, .n_offers = 1, .tls = 1};
    psr_buf_append(&s.cert, der, len);
    psr_connection_options o = options(PSR_AUTH_NTLM, getenv("PSR_NTLM_ONLY_USER"),
                                       getenv("PSR_NTLM_ONLY_PASSWORD"));
    psr_auth *a = client(&o, 1);
    psr_auth_request rq;
    psr_auth_reply r;
    psr_auth_outcome outcome;
    const void *body;
    size_t blen;
    psr_error err;
    CU_ASSERT_EQUAL(psr_auth_next_request(a, ENVELOPE, strlen(ENVELOPE), &rq, &err), 0);
    server_handle(&s, &rq, &r);
    r.peer_cert_der = other;
    r.peer_cert_der_len = other_len;
    CU_ASSERT_EQUAL(psr_auth_on_reply(a, &r, &outcome, &body, &blen, &err), 0);
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0 && outcome == PSR_AUTH_SEND_AGAIN; i++) {
        rc = psr_auth_next_request(a, ENVELOPE, strlen(ENVELOPE), &rq, &err);
        if (!rc) {
            server_handle(&s, &rq, &r);
            rc = psr_auth_on_reply(a, &r, &outcome, &body, &blen, &err);
        }
    }
    CU_ASSERT_EQUAL(rc, PSR_E_AUTH);
    CU_ASSERT_EQUAL(s.envelopes_seen, 0);
    psr_auth_free(a);
    server_free(&s);
    free(der);
    free(other);
}

static void test_wrong_password(void)
{
    psr_connection_options o = options(PSR_AUTH_NTLM, getenv("PSR_NTLM_ONLY_USER"), "wrong");
    server s = {.offers = {"Negotiate"}, .n_offers = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    CU_ASSERT_EQUAL(round_trip(a, &s, &err), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "password"));
    CU_ASSERT_EQUAL(s.envelopes_seen, 0);
    psr_auth_free(a);
    server_free(&s);

    /* Kerberos asks the KDC at once and says so */
    psr_connection_options k = options(PSR_AUTH_KERBEROS, getenv("PSR_KDC_USER"), "wrong");
    server ks = {.offers = {"Kerberos"}, .n_offers = 1};
    a = client(&k, 0);
    int rc = round_trip(a, &ks, &err);
    CU_ASSERT_EQUAL(rc, PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "password"));
    psr_auth_free(a);
    server_free(&ks);
}

static void test_reauthenticates_on_new_connection(void)
{
    psr_connection_options o = options(PSR_AUTH_NEGOTIATE, getenv("PSR_KDC_USER"),
                                       getenv("PSR_KDC_PASSWORD"));
    server s = {.offers = {"Negotiate"}, .n_offers = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(round_trip(a, &s, &err), 0);
    int legs = s.legs_seen;
    server_drop_connection(&s);
    int rc = round_trip(a, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(s.legs_seen > legs);   /* a new handshake took place */
    CU_ASSERT_EQUAL(s.envelopes_seen, 2); /* the lost one was sent again */
    psr_auth_free(a);
    server_free(&s);
}

static void test_delegation_requested(void)
{
    for (int want = 0; want <= 1; want++) {
        psr_connection_options o = options(PSR_AUTH_KERBEROS, getenv("PSR_KDC_USER"),
                                           getenv("PSR_KDC_PASSWORD"));
        o.request_delegation = want;
        server s = {.offers = {"Kerberos"}, .n_offers = 1};
        psr_auth *a = client(&o, 0);
        psr_error err;
        CU_ASSERT_EQUAL(round_trip(a, &s, &err), 0);
        /* the server holds the user's forwarded ticket only when asked */
        CU_ASSERT_EQUAL(s.delegated, want);
        psr_auth_free(a);
        server_free(&s);
    }
}

static void test_no_encryption_sends_plain(void)
{
    psr_connection_options o = options(PSR_AUTH_NEGOTIATE, getenv("PSR_KDC_USER"),
                                       getenv("PSR_KDC_PASSWORD"));
    o.no_encryption = 1;
    server s = {.offers = {"Negotiate"}, .n_offers = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    CU_ASSERT_EQUAL(round_trip(a, &s, &err), 0);
    CU_ASSERT_EQUAL(s.sealed_seen, 0);
    CU_ASSERT_EQUAL(s.envelopes_seen, 1);
    psr_auth_free(a);
    server_free(&s);
}

static void test_clear_reply_to_sealed_request_refused(void)
{
    psr_connection_options o = options(PSR_AUTH_NEGOTIATE, getenv("PSR_KDC_USER"),
                                       getenv("PSR_KDC_PASSWORD"));
    server s = {.offers = {"Negotiate"}, .n_offers = 1, .reply_in_clear = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    CU_ASSERT_EQUAL(round_trip(a, &s, &err), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "clear text"));
    psr_auth_free(a);
    server_free(&s);
}

static void test_server_offers_only_basic(void)
{
    psr_connection_options o = options(PSR_AUTH_DEFAULT, getenv("PSR_KDC_USER"),
                                       getenv("PSR_KDC_PASSWORD"));
    server s = {.offers = {"Basic realm=\"WSMAN\""}, .n_offers = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    CU_ASSERT_EQUAL(round_trip(a, &s, &err), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "offers: \"Basic realm"));
    psr_auth_free(a);
    server_free(&s);
}

static void test_anonymous_server(void)
{
    psr_connection_options o = options(PSR_AUTH_NEGOTIATE, NULL, NULL);
    server s = {.anonymous = 1};
    psr_auth *a = client(&o, 0);
    psr_error err;
    CU_ASSERT_EQUAL(round_trip(a, &s, &err), 0);
    CU_ASSERT_EQUAL(s.sealed_seen, 0);
    CU_ASSERT_EQUAL(s.envelopes_seen, 1);
    psr_auth_free(a);
    server_free(&s);
}

static void test_static_methods_and_refusals(void)
{
    psr_auth *a = NULL;
    psr_error err;
    psr_auth_request rq;

    psr_connection_options o = options(PSR_AUTH_BASIC, "alice", "secret");
    CU_ASSERT_EQUAL(psr_auth_new(&a, &o, "h", 5985, 0, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--allow-unencrypted"));
    CU_ASSERT_EQUAL_FATAL(psr_auth_new(&a, &o, "h", 5986, 1, &err), 0);
    CU_ASSERT_EQUAL(psr_auth_next_request(a, ENVELOPE, strlen(ENVELOPE), &rq, &err), 0);
    /* RFC 7617: base64("alice:secret") */
    CU_ASSERT_STRING_EQUAL(rq.authorization, "Basic YWxpY2U6c2VjcmV0");
    CU_ASSERT_EQUAL(rq.len, strlen(ENVELOPE));
    psr_auth_free(a);

    o = options(PSR_AUTH_CERTIFICATE, NULL, NULL);
    CU_ASSERT_EQUAL(psr_auth_new(&a, &o, "h", 5985, 0, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "HTTPS"));
    CU_ASSERT_EQUAL(psr_auth_new(&a, &o, "h", 5986, 1, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--certificate"));
    o.certificate_file = "client.pem";
    CU_ASSERT_EQUAL_FATAL(psr_auth_new(&a, &o, "h", 5986, 1, &err), 0);
    CU_ASSERT_EQUAL(psr_auth_next_request(a, ENVELOPE, strlen(ENVELOPE), &rq, &err), 0);
    CU_ASSERT_STRING_EQUAL(rq.authorization,
                           "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual");
    psr_auth_reply r = {.status = 401};
    psr_auth_outcome outcome;
    const void *body;
    size_t len;
    CU_ASSERT_EQUAL(psr_auth_on_reply(a, &r, &outcome, &body, &len, &err), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "certificate"));
    psr_auth_free(a);

    o = options(PSR_AUTH_DIGEST, "u", "p");
    CU_ASSERT_EQUAL(psr_auth_new(&a, &o, "h", 5986, 1, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Digest"));

    o = options(PSR_AUTH_NTLM, NULL, NULL);
    CU_ASSERT_EQUAL(psr_auth_new(&a, &o, "h", 5985, 0, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "-u"));
}

static const psr_unit_test tests[] = {
    {"Negotiate (Kerberos) over HTTP, sealed", test_negotiate_kerberos_http},
    {"Kerberos scheme over HTTP, sealed", test_kerberos_scheme_http},
    {"NTLM over HTTP, sealed", test_ntlm_http},
    {"Negotiate falls back to NTLM", test_negotiate_falls_back_to_ntlm},
    {"HTTPS: channel binding, no sealing", test_https_channel_binding_not_sealed},
    {"channel binding mismatch is refused", test_channel_binding_mismatch},
    {"wrong password", test_wrong_password},
    {"re-authenticates on a new connection", test_reauthenticates_on_new_connection},
    {"Kerberos delegation only when requested", test_delegation_requested},
    {"NoEncryption sends plain envelopes", test_no_encryption_sends_plain},
    {"clear reply to a sealed request is refused", test_clear_reply_to_sealed_request_refused},
    {"a server offering only Basic", test_server_offers_only_basic},
    {"a server asking for no credentials", test_anonymous_server},
    {"Basic, Certificate, Digest, NTLM without user", test_static_methods_and_refusals},
    {NULL, NULL},
};

/* Process-lifetime memory of the GSSAPI plugins (see kdc.h). */
PSR_TEST_GSSAPI_SANITIZER_DEFAULTS

int main(void)
{
    int rc = psr_test_kdc_start(&kdc);
    if (rc != 0)
        return rc;
    rc = psr_unit_run("client: connection authentication", tests);
    psr_test_kdc_stop(&kdc);
    return rc;
}
