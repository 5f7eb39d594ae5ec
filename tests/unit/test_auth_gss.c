/* test_auth_gss.c: GSSAPI contexts (src/auth/gss.h) end to end against a
 * throwaway MIT KDC and gss-ntlmssp: initiator and acceptor in one process,
 * tokens passed in memory. Covers SPNEGO->Kerberos, SPNEGO->NTLM, Kerberos
 * only, NTLM only, channel binding, the errors users meet, and sealing
 * round trips through the multipart framing. Skipped (77) without krb5kdc. */
#include "src/auth/gss.h"
#include "src/auth/sealing.h"
#include "tests/kdc/kdc.h"
#include "unit.h"

#include <string.h>

static psr_test_kdc kdc;

/* ---- helpers ---- */

static psr_gss_ctx *acceptor(const void *cert, size_t cert_len)
{
    char keytab[600];
    snprintf(keytab, sizeof(keytab), "%s/keytab", kdc.dir);
    psr_gss_acceptor_options o = {
        .service_name = "HTTP@localhost",
        .keytab = keytab,
        .ntlm_user_file = getenv("NTLM_USER_FILE"),
        .server_cert_der = cert,
        .server_cert_der_len = cert_len,
    };
    psr_gss_ctx *c = NULL;
    psr_error err;
    int rc = psr_gss_acceptor_new(&c, &o, &err);
    if (rc != 0)
        fprintf(stderr, "acceptor: %s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    return c;
}

static psr_gss_ctx *initiator(psr_gss_mech mech, const char *user, const char *password,
                              const char *host, const void *cert, size_t cert_len,
                              psr_error *err)
{
    psr_gss_initiator_options o = {
        .mech = mech,
        .user = user,
        .password = password,
        .host = host,
        .server_cert_der = cert,
        .server_cert_der_len = cert_len,
    };
    psr_gss_ctx *c = NULL;
    if (psr_gss_initiator_new(&c, &o, err) != 0)
        return NULL;
    return c;
}

enum { OK = 0, INITIATOR_FAILED = 1, ACCEPTOR_FAILED = 2, STUCK = 3 };

/* Runs the token exchange; errors land in ierr / aerr. */
static int exchange(psr_gss_ctx *ini, psr_gss_ctx *acc, psr_error *ierr, psr_error *aerr)
{
    psr_buf to_acc = {0}, to_ini = {0};
    int idone = 0, adone = 0, result = OK;
    if (psr_gss_step(ini, NULL, 0, &to_acc, &idone, ierr) != 0)
        result = INITIATOR_FAILED;
    for (int round = 0; result == OK && !(idone && adone); round++) {
        if (round > 10) {
            result = STUCK;
            break;
        }
        if (!adone) {
            if (to_acc.len == 0) {
                result = STUCK;
                break;
            }
            if (psr_gss_step(acc, to_acc.data, to_acc.len, &to_ini, &adone, aerr) != 0) {
                result = ACCEPTOR_FAILED;
                break;
            }
        }
        if (!idone) {
            if (to_ini.len == 0) {
                result = STUCK;
                break;
            }
            if (psr_gss_step(ini, to_ini.data, to_ini.len, &to_acc, &idone, ierr) != 0) {
                result = INITIATOR_FAILED;
                break;
            }
        }
    }
    psr_buf_free(&to_acc);
    psr_buf_free(&to_ini);
    return result;
}

static char *fixture(const char *name, size_t *len)
{
    char *data = psr_unit_read_fixture(name, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    return data;
}

/* Seals on one side, unseals on the other, for a payload of n bytes. */
static void seal_roundtrip(psr_gss_ctx *from, psr_gss_ctx *to, size_t n)
{
    psr_buf plain = {0}, body = {0}, ct = {0}, back = {0};
    for (size_t i = 0; i < n; i++)
        psr_buf_putc(&plain, (char)("<s:Envelope/>"[i % 13] ^ (i >> 10)));
    psr_error err;
    int rc = psr_sealing_seal(from, plain.data ? plain.data : "", n, &body, &ct, &err);
    if (rc)
        fprintf(stderr, "seal %zu: %s\n", n, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    /* The payload must not appear in clear (checked on a distinctive run). */
    if (n >= 1024)
        CU_ASSERT_PTR_NULL(memmem(body.data, body.len, plain.data, 64));
    rc = psr_sealing_unseal(to, ct.data, body.data, body.len, 0, &back, &err);
    if (rc)
        fprintf(stderr, "unseal %zu: %s\n", n, err.message);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(back.len, n);
    CU_ASSERT(n == 0 || memcmp(back.data, plain.data, n) == 0);
    psr_buf_free(&plain);
    psr_buf_free(&body);
    psr_buf_free(&ct);
    psr_buf_free(&back);
}

static void seal_all_sizes(psr_gss_ctx *ini, psr_gss_ctx *acc)
{
    static const size_t sizes[] = {0, 1, 16384, 1024 * 1024};
    size_t first = 0;
    if (psr_gss_negotiated_mech(ini) == PSR_GSS_NTLM) {
        /* gss-ntlmssp cannot seal nothing; the error must say so. */
        psr_buf body = {0}, ct = {0};
        psr_error err;
        CU_ASSERT_EQUAL(psr_sealing_seal(ini, "", 0, &body, &ct, &err), PSR_E_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "empty message"));
        first = 1;
    }
    for (size_t i = first; i < 4; i++) {
        seal_roundtrip(ini, acc, sizes[i]);
        seal_roundtrip(acc, ini, sizes[i]);
    }
}

/* ---- successful exchanges ---- */

static void run_ok(psr_gss_mech mech, const char *user, const char *password,
                   psr_gss_mech expect_mech, const char *expect_peer, const void *cert,
                   size_t cert_len, int seal)
{
    psr_error ierr, aerr;
    psr_error_clear(&ierr);
    psr_error_clear(&aerr);
    psr_gss_ctx *ini = initiator(mech, user, password, "localhost", cert, cert_len, &ierr);
    if (!ini)
        fprintf(stderr, "initiator: %s\n", ierr.message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    psr_gss_ctx *acc = acceptor(cert, cert_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(acc);
    /* as the harness does from the Authorization header */
    CU_ASSERT_EQUAL(psr_gss_set_scheme(acc, psr_gss_http_scheme(ini), &aerr), 0);
    int r = exchange(ini, acc, &ierr, &aerr);
    if (r != OK)
        fprintf(stderr, "exchange %d: initiator: %s / acceptor: %s\n", r, ierr.message,
                aerr.message);
    CU_ASSERT_EQUAL(r, OK);
    if (r == OK) {
        CU_ASSERT(psr_gss_is_complete(ini));
        CU_ASSERT(psr_gss_is_complete(acc));
        CU_ASSERT_EQUAL(psr_gss_negotiated_mech(ini), expect_mech);
        CU_ASSERT_EQUAL(psr_gss_negotiated_mech(acc), expect_mech);
        CU_ASSERT_STRING_EQUAL(psr_gss_peer_name(acc), expect_peer);
        CU_ASSERT(psr_gss_can_seal(ini));
        CU_ASSERT(psr_gss_can_seal(acc));
        if (seal)
            seal_all_sizes(ini, acc);
    }
    psr_gss_free(ini);
    psr_gss_free(acc);
}

static void test_spnego_kerberos(void)
{
    run_ok(PSR_GSS_NEGOTIATE, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
           PSR_GSS_KERBEROS, "user1@PSREMOTE.TEST", NULL, 0, 1);
}

static void test_spnego_ntlm_fallback(void)
{
    /* ntlmonly is unknown to the KDC: SPNEGO must fall back to NTLM. */
    run_ok(PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"), getenv("PSR_NTLM_ONLY_PASSWORD"),
           PSR_GSS_NTLM, "PSREMOTE\\ntlmonly", NULL, 0, 1);
}

static void test_spnego_ntlm_fallback_no_kdc(void)
{
    /* no KDC can be found for NOKDC.TEST: Kerberos fails at once, NTLM goes on */
    run_ok(PSR_GSS_NEGOTIATE, "faraway@NOKDC.TEST", getenv("PSR_NTLM_ONLY_PASSWORD"),
           PSR_GSS_NTLM, "NOKDC.TEST\\faraway", NULL, 0, 0);
}

static void test_kerberos_only(void)
{
    run_ok(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
           PSR_GSS_KERBEROS, "user1@PSREMOTE.TEST", NULL, 0, 1);
}

static void test_kerberos_domain_backslash_user(void)
{
    /* DOMAIN\user is rewritten to user@DOMAIN for Kerberos. */
    run_ok(PSR_GSS_KERBEROS, "psremote.test\\user1", getenv("PSR_KDC_PASSWORD"),
           PSR_GSS_KERBEROS, "user1@PSREMOTE.TEST", NULL, 0, 0);
}

/* Delegation is asked for only when the caller wants it (Kerberos). */
static void test_kerberos_delegation(void)
{
    for (int delegate = 0; delegate < 2; delegate++) {
        psr_gss_initiator_options o = {.mech = PSR_GSS_NEGOTIATE, .user = getenv("PSR_KDC_USER"),
                                       .password = getenv("PSR_KDC_PASSWORD"),
                                       .host = "localhost", .delegate = delegate};
        psr_gss_ctx *ini = NULL;
        psr_error ierr, aerr;
        CU_ASSERT_EQUAL_FATAL(psr_gss_initiator_new(&ini, &o, &ierr), 0);
        psr_gss_ctx *acc = acceptor(NULL, 0);
        CU_ASSERT_EQUAL_FATAL(exchange(ini, acc, &ierr, &aerr), OK);
        CU_ASSERT_EQUAL(psr_gss_delegated(acc), delegate);
        psr_gss_free(ini);
        psr_gss_free(acc);
    }
}

static void test_ntlm_only(void)
{
    run_ok(PSR_GSS_NTLM, "PSREMOTE\\user1", getenv("PSR_KDC_PASSWORD"), PSR_GSS_NTLM,
           "PSREMOTE\\user1", NULL, 0, 1);
}

static void test_channel_binding_match(void)
{
    size_t len = 0;
    char *cert = fixture("auth/cert_rsa_sha256.der", &len);
    run_ok(PSR_GSS_NEGOTIATE, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
           PSR_GSS_KERBEROS, "user1@PSREMOTE.TEST", cert, len, 0);
    run_ok(PSR_GSS_NTLM, "PSREMOTE\\user1", getenv("PSR_KDC_PASSWORD"), PSR_GSS_NTLM,
           "PSREMOTE\\user1", cert, len, 0);
    run_ok(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
           PSR_GSS_KERBEROS, "user1@PSREMOTE.TEST", cert, len, 1);
    free(cert);
}

/* The client saw another certificate than the server's (a TLS proxy), or
 * sent no binding at all where the server requires one. */
static void run_cbt_failure(psr_gss_mech mech, const char *user, const void *client_cert,
                            size_t client_len, const void *server_cert, size_t server_len,
                            const char *expect_text)
{
    psr_error ierr, aerr;
    psr_error_clear(&ierr);
    psr_error_clear(&aerr);
    psr_gss_ctx *ini = initiator(mech, user, getenv("PSR_KDC_PASSWORD"), "localhost",
                                 client_cert, client_len, &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    psr_gss_ctx *acc = acceptor(server_cert, server_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(acc);
    int r = exchange(ini, acc, &ierr, &aerr);
    CU_ASSERT_EQUAL(r, ACCEPTOR_FAILED);
    CU_ASSERT_EQUAL(aerr.code, PSR_E_AUTH);
    if (!strstr(aerr.message, expect_text))
        fprintf(stderr, "unexpected message: %s\n", aerr.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(aerr.message, expect_text));
    CU_ASSERT(!psr_gss_is_complete(acc));
    psr_gss_free(ini);
    psr_gss_free(acc);
}

static void test_channel_binding_mismatch(void)
{
    size_t l1 = 0, l2 = 0;
    char *c1 = fixture("auth/cert_rsa_sha256.der", &l1);
    char *c2 = fixture("auth/cert_ecdsa_sha384.der", &l2);
    run_cbt_failure(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"), c1, l1, c2, l2,
                    "channel binding");
    run_cbt_failure(PSR_GSS_NEGOTIATE, getenv("PSR_KDC_USER"), c1, l1, c2, l2,
                    "channel binding");
    run_cbt_failure(PSR_GSS_NTLM, "PSREMOTE\\user1", c1, l1, c2, l2, "channel binding");
    free(c1);
    free(c2);
}

static void test_channel_binding_required(void)
{
    size_t len = 0;
    char *cert = fixture("auth/cert_rsa_sha256.der", &len);
    run_cbt_failure(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"), NULL, 0, cert, len,
                    "channel binding required");
    run_cbt_failure(PSR_GSS_NTLM, "PSREMOTE\\user1", NULL, 0, cert, len,
                    "channel binding required");
    free(cert);
}

/* CbtHardeningLevel Relaxed: no bindings is fine, wrong bindings are not. */
static void test_channel_binding_optional(void)
{
    size_t l1 = 0, l2 = 0;
    char *c1 = fixture("auth/cert_rsa_sha256.der", &l1);
    char *c2 = fixture("auth/cert_rsa_sha512.der", &l2);
    char keytab[600];
    snprintf(keytab, sizeof(keytab), "%s/keytab", kdc.dir);
    for (int mismatch = 0; mismatch < 2; mismatch++) {
        for (int m = 0; m < 2; m++) {
            psr_gss_mech mech = m ? PSR_GSS_NTLM : PSR_GSS_KERBEROS;
            psr_error ierr, aerr;
            psr_gss_ctx *ini = initiator(mech, m ? "PSREMOTE\\user1" : getenv("PSR_KDC_USER"),
                                         getenv("PSR_KDC_PASSWORD"), "localhost",
                                         mismatch ? c2 : NULL, mismatch ? l2 : 0, &ierr);
            CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
            psr_gss_acceptor_options o = {.service_name = "HTTP@localhost", .keytab = keytab,
                                          .server_cert_der = c1, .server_cert_der_len = l1,
                                          .channel_binding_optional = 1};
            psr_gss_ctx *acc = NULL;
            CU_ASSERT_EQUAL_FATAL(psr_gss_acceptor_new(&acc, &o, &aerr), 0);
            CU_ASSERT_EQUAL(exchange(ini, acc, &ierr, &aerr), mismatch ? ACCEPTOR_FAILED : OK);
            psr_gss_free(ini);
            psr_gss_free(acc);
        }
    }
    free(c1);
    free(c2);
}

/* ---- errors a user must be able to act on ---- */

static void expect_initiator_error(psr_gss_mech mech, const char *user, const char *password,
                                   const char *host, const char *text)
{
    psr_error ierr, aerr;
    psr_error_clear(&ierr);
    psr_error_clear(&aerr);
    psr_gss_ctx *ini = initiator(mech, user, password, host, NULL, 0, &ierr);
    if (ini) {
        psr_gss_ctx *acc = acceptor(NULL, 0);
        CU_ASSERT_EQUAL(exchange(ini, acc, &ierr, &aerr), INITIATOR_FAILED);
        psr_gss_free(acc);
    }
    CU_ASSERT_EQUAL(ierr.code, PSR_E_AUTH);
    if (!strstr(ierr.message, text))
        fprintf(stderr, "unexpected message: %s\n", ierr.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(ierr.message, text));
    CU_ASSERT_PTR_NOT_NULL(strstr(ierr.message, "(GSSAPI: "));
    psr_gss_free(ini);
}

static void test_error_wrong_password(void)
{
    expect_initiator_error(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"), "not-the-password",
                           "localhost", "password is wrong");
}

static void test_error_unknown_spn(void)
{
    expect_initiator_error(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
                           "nosuchhost.psremote.test", "IncludePortInSPN");
}

/* IncludePortInSPN: the ticket is for HTTP/localhost:5985; an acceptor
 * without a fixed name takes any key in its keytab. Against a port the KDC
 * has no SPN for, the advice is to leave the option out. */
static void test_spn_with_port(void)
{
    char keytab[600];
    snprintf(keytab, sizeof(keytab), "%s/keytab", kdc.dir);
    psr_gss_initiator_options o = {.mech = PSR_GSS_KERBEROS, .user = getenv("PSR_KDC_USER"),
                                   .password = getenv("PSR_KDC_PASSWORD"), .host = "localhost",
                                   .port = 5985, .include_port_in_spn = 1};
    psr_gss_acceptor_options ao = {.keytab = keytab};
    psr_gss_ctx *ini = NULL, *acc = NULL;
    psr_error ierr, aerr;
    CU_ASSERT_EQUAL_FATAL(psr_gss_initiator_new(&ini, &o, &ierr), 0);
    CU_ASSERT_STRING_EQUAL(psr_gss_target(ini), "HTTP@localhost:5985");
    CU_ASSERT_EQUAL_FATAL(psr_gss_acceptor_new(&acc, &ao, &aerr), 0);
    CU_ASSERT_EQUAL(exchange(ini, acc, &ierr, &aerr), OK);
    psr_gss_free(ini);
    psr_gss_free(acc);
    o.port = 5986;
    CU_ASSERT_EQUAL_FATAL(psr_gss_initiator_new(&ini, &o, &ierr), 0);
    psr_buf out = {0};
    int done;
    CU_ASSERT_EQUAL(psr_gss_step(ini, NULL, 0, &out, &done, &ierr), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(ierr.message, "leave out IncludePortInSPN"));
    psr_buf_free(&out);
    psr_gss_free(ini);
}

static void test_error_no_ticket(void)
{
    char *saved = strdup(getenv("KRB5CCNAME"));
    char path[600];
    snprintf(path, sizeof(path), "FILE:%s/no-such-ccache", kdc.dir);
    setenv("KRB5CCNAME", path, 1);
    expect_initiator_error(PSR_GSS_KERBEROS, NULL, NULL, "localhost", "kinit");
    setenv("KRB5CCNAME", saved, 1);
    free(saved);
}

static void test_ticket_cache(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "printf '%%s\\n' \"$PSR_KDC_PASSWORD\" | kinit user1 >/dev/null 2>&1");
    if (system(cmd) != 0) {
        fprintf(stderr, "kinit not available; ticket-cache case not run\n");
        return;
    }
    run_ok(PSR_GSS_KERBEROS, NULL, NULL, PSR_GSS_KERBEROS, "user1@PSREMOTE.TEST", NULL, 0, 0);
    run_ok(PSR_GSS_NEGOTIATE, NULL, NULL, PSR_GSS_KERBEROS, "user1@PSREMOTE.TEST", NULL, 0, 0);
    if (system("kdestroy >/dev/null 2>&1") != 0)
        fprintf(stderr, "kdestroy failed\n");
}

static void test_error_ntlm_bad_password(void)
{
    psr_error ierr, aerr;
    psr_error_clear(&aerr);
    psr_gss_ctx *ini = initiator(PSR_GSS_NTLM, "PSREMOTE\\user1", "wrong", "localhost", NULL, 0,
                                 &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    psr_gss_ctx *acc = acceptor(NULL, 0);
    CU_ASSERT_EQUAL(exchange(ini, acc, &ierr, &aerr), ACCEPTOR_FAILED);
    CU_ASSERT_EQUAL(aerr.code, PSR_E_AUTH);
    /* what the client says when the server answers its last token with 401 */
    CU_ASSERT_EQUAL(psr_gss_rejected_error(ini, &ierr), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(ierr.message, "refused the NTLM logon of PSREMOTE\\user1"));
    if (!strstr(aerr.message, "wrong user name or password"))
        fprintf(stderr, "unexpected message: %s\n", aerr.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(aerr.message, "wrong user name or password"));
    psr_gss_free(ini);
    psr_gss_free(acc);

    /* the same through SPNEGO (the KDC does not know ntlmonly) */
    ini = initiator(PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"), "wrong", "localhost", NULL,
                    0, &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    acc = acceptor(NULL, 0);
    CU_ASSERT_EQUAL(exchange(ini, acc, &ierr, &aerr), ACCEPTOR_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(aerr.message, "wrong user name or password"));
    psr_gss_rejected_error(ini, &ierr);
    CU_ASSERT_PTR_NOT_NULL(strstr(ierr.message, "refused the NTLM logon"));
    psr_gss_free(ini);
    psr_gss_free(acc);
}

/* A misconfigured acceptor says what it lacks: a keytab with the service
 * key, or an NTLM user file. */
static void test_error_acceptor_configuration(void)
{
    char *saved = strdup(getenv("NTLM_USER_FILE"));
    unsetenv("NTLM_USER_FILE");
    for (int ntlm = 0; ntlm < 2; ntlm++) {
        char keytab[600];
        snprintf(keytab, sizeof(keytab), "%s/%s", kdc.dir, ntlm ? "keytab" : "no-such-keytab");
        psr_gss_acceptor_options ao = {.service_name = "HTTP@localhost", .keytab = keytab};
        psr_gss_ctx *acc = NULL, *ini;
        psr_error ierr, aerr;
        CU_ASSERT_EQUAL_FATAL(psr_gss_acceptor_new(&acc, &ao, &aerr), 0);
        ini = initiator(ntlm ? PSR_GSS_NTLM : PSR_GSS_KERBEROS,
                        ntlm ? "PSREMOTE\\user1" : getenv("PSR_KDC_USER"),
                        getenv("PSR_KDC_PASSWORD"), "localhost", NULL, 0, &ierr);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
        CU_ASSERT_EQUAL(exchange(ini, acc, &ierr, &aerr), ACCEPTOR_FAILED);
        const char *expect = ntlm ? "no NTLM user file" : "check that the keytab";
        if (!strstr(aerr.message, expect))
            fprintf(stderr, "unexpected message: %s\n", aerr.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(aerr.message, expect));
        psr_gss_free(ini);
        psr_gss_free(acc);
    }
    setenv("NTLM_USER_FILE", saved, 1);
    free(saved);
}

static void test_step_after_failure_is_state_error(void)
{
    psr_error ierr;
    psr_gss_ctx *ini = initiator(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"),
                                 getenv("PSR_KDC_PASSWORD"), "nosuchhost.psremote.test", NULL, 0,
                                 &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    psr_buf out = {0};
    int done;
    CU_ASSERT_EQUAL(psr_gss_step(ini, NULL, 0, &out, &done, &ierr), PSR_E_AUTH);
    CU_ASSERT_EQUAL(psr_gss_step(ini, NULL, 0, &out, &done, &ierr), PSR_E_STATE);
    psr_error serr;
    psr_buf h = {0}, s = {0};
    size_t pad;
    CU_ASSERT_EQUAL(psr_gss_wrap_winrm(ini, "x", 1, &h, &s, &pad, &serr), PSR_E_STATE);
    psr_buf_free(&out);
    psr_buf_free(&h);
    psr_buf_free(&s);
    psr_gss_free(ini);
}

/* ---- tampering with sealed messages ---- */

static void test_unseal_rejects_tampering(void)
{
    psr_error ierr, aerr;
    psr_gss_ctx *ini = initiator(PSR_GSS_NEGOTIATE, getenv("PSR_KDC_USER"),
                                 getenv("PSR_KDC_PASSWORD"), "localhost", NULL, 0, &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    psr_gss_ctx *acc = acceptor(NULL, 0);
    CU_ASSERT_EQUAL_FATAL(exchange(ini, acc, &ierr, &aerr), OK);
    psr_buf body = {0}, ct = {0}, out = {0};
    const char *msg = "<s:Envelope>hello</s:Envelope>";
    CU_ASSERT_EQUAL_FATAL(psr_sealing_seal(ini, msg, strlen(msg), &body, &ct, &ierr), 0);
    /* flip one byte of the sealed data (just before the closing boundary) */
    body.data[body.len - strlen("--Encrypted Boundary--\r\n") - 1] ^= 1;
    CU_ASSERT_EQUAL(psr_sealing_unseal(acc, ct.data, body.data, body.len, 0, &out, &aerr),
                    PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(aerr.message, "decrypting"));
    CU_ASSERT_EQUAL(out.len, 0);
    /* protocol mismatch: a Kerberos-protocol body to a Negotiate context */
    psr_buf kct = {0};
    psr_sealing_content_type(&kct, PSR_SEALING_KERBEROS, 0);
    CU_ASSERT_EQUAL(psr_sealing_unseal(acc, kct.data, body.data, body.len, 0, &out, &aerr),
                    PSR_E_PARSE);
    psr_buf_free(&kct);
    psr_buf_free(&body);
    psr_buf_free(&ct);
    psr_buf_free(&out);
    psr_gss_free(ini);
    psr_gss_free(acc);
}

/* The layout a Windows WinRM client sends (a published Wireshark dissection
 * of "Microsoft WinRM Client" traffic, HTTP-Kerberos-session-encrypted):
 * an RFC 4121 wrap token with the trailer rotated into the header, for
 * aes256-cts-hmac-sha1-96 a 60-byte header (16 token header, 16 confounder,
 * 16 encrypted header copy, 12 checksum), flags 0x06 (AcceptorSubkey,
 * Sealed), EC 0, RRC 28, and ciphertext exactly as long as the plain text.
 * NTLM: a 16-byte signature, version 1, then checksum and sequence number
 * (MS-NLMP 2.2.2.9.1). */
static void test_wrap_layout(void)
{
    psr_error ierr, aerr;
    const char *msg = "<s:Envelope>layout</s:Envelope>";
    psr_gss_ctx *ini = initiator(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"),
                                 getenv("PSR_KDC_PASSWORD"), "localhost", NULL, 0, &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    psr_gss_ctx *acc = acceptor(NULL, 0);
    CU_ASSERT_EQUAL_FATAL(exchange(ini, acc, &ierr, &aerr), OK);
    psr_buf h = {0}, d = {0};
    size_t pad = 99;
    CU_ASSERT_EQUAL_FATAL(psr_gss_wrap_winrm(ini, msg, strlen(msg), &h, &d, &pad, &ierr), 0);
    const unsigned char *u = (const unsigned char *)h.data;
    CU_ASSERT_EQUAL(h.len, 60);
    CU_ASSERT_EQUAL(u[0], 0x05);
    CU_ASSERT_EQUAL(u[1], 0x04);
    CU_ASSERT_EQUAL(u[2], 0x06); /* AcceptorSubkey | Sealed, not SentByAcceptor */
    CU_ASSERT_EQUAL(u[3], 0xff);
    CU_ASSERT_EQUAL(u[4] << 8 | u[5], 0); /* EC */
    CU_ASSERT_EQUAL(u[6] << 8 | u[7], 28); /* RRC */
    CU_ASSERT_EQUAL(d.len, strlen(msg));
    CU_ASSERT_EQUAL(pad, 0);
    CU_ASSERT_EQUAL_FATAL(psr_gss_wrap_winrm(acc, msg, strlen(msg), &h, &d, &pad, &aerr), 0);
    CU_ASSERT_EQUAL(((const unsigned char *)h.data)[2], 0x07); /* ... | SentByAcceptor */
    psr_gss_free(ini);
    psr_gss_free(acc);

    ini = initiator(PSR_GSS_NTLM, "PSREMOTE\\user1", getenv("PSR_KDC_PASSWORD"), "localhost",
                    NULL, 0, &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    acc = acceptor(NULL, 0);
    CU_ASSERT_EQUAL_FATAL(exchange(ini, acc, &ierr, &aerr), OK);
    CU_ASSERT_EQUAL_FATAL(psr_gss_wrap_winrm(ini, msg, strlen(msg), &h, &d, &pad, &ierr), 0);
    u = (const unsigned char *)h.data;
    CU_ASSERT_EQUAL(h.len, 16);
    CU_ASSERT(u[0] == 1 && u[1] == 0 && u[2] == 0 && u[3] == 0);
    CU_ASSERT_EQUAL(d.len, strlen(msg));
    /* the first message's sequence number is 0 */
    CU_ASSERT(u[12] == 0 && u[13] == 0 && u[14] == 0 && u[15] == 0);
    psr_buf_free(&h);
    psr_buf_free(&d);
    psr_gss_free(ini);
    psr_gss_free(acc);
}

/* An established initiator/acceptor pair for Kerberos (ntlm 0) or NTLM. */
static void make_pair(int ntlm, psr_gss_ctx **ini, psr_gss_ctx **acc)
{
    psr_error ierr, aerr;
    *ini = initiator(ntlm ? PSR_GSS_NTLM : PSR_GSS_KERBEROS,
                     ntlm ? "PSREMOTE\\user1" : getenv("PSR_KDC_USER"),
                     getenv("PSR_KDC_PASSWORD"), "localhost", NULL, 0, &ierr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*ini);
    *acc = acceptor(NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*acc);
    CU_ASSERT_EQUAL(psr_gss_set_scheme(*acc, psr_gss_http_scheme(*ini), &aerr), 0);
    CU_ASSERT_EQUAL_FATAL(exchange(*ini, *acc, &ierr, &aerr), OK);
}

/* Seals parts[] into one body, announcing Length plus length_delta. */
static void seal_parts(psr_gss_ctx *ini, const char *const *parts, int n, int length_delta,
                       psr_buf *body, psr_buf *ct)
{
    psr_buf h = {0}, d = {0};
    psr_error err;
    const char *protocol = psr_gss_sealing_protocol(ini);
    psr_buf_reset(body);
    for (int i = 0; i < n; i++) {
        size_t pad;
        CU_ASSERT_EQUAL_FATAL(psr_gss_wrap_winrm(ini, parts[i], strlen(parts[i]), &h, &d, &pad,
                                                 &err), 0);
        psr_sealing_append_part(body, protocol, strlen(parts[i]) + pad + (size_t)length_delta,
                                h.data, h.len, d.data, d.len);
    }
    psr_sealing_finish(body);
    psr_sealing_content_type(ct, protocol, 0);
    psr_buf_free(&h);
    psr_buf_free(&d);
}

/* Two parts in one body unseal to their concatenation, in order; a replayed
 * body, a part whose Length does not match what it decrypts to, and a
 * message over the caller's size limit are refused. */
static void test_unseal_multi_part_and_length_check(void)
{
    const char *parts[] = {"<s:Envelope>one", "</s:Envelope>"};
    for (int ntlm = 0; ntlm < 2; ntlm++) {
        psr_gss_ctx *ini, *acc;
        psr_buf body = {0}, ct = {0}, out = {0};
        psr_error err;
        make_pair(ntlm, &ini, &acc);
        seal_parts(ini, parts, 2, 0, &body, &ct);
        CU_ASSERT_EQUAL(psr_sealing_unseal(acc, ct.data, body.data, body.len, 0, &out, &err), 0);
        CU_ASSERT_STRING_EQUAL(out.data, "<s:Envelope>one</s:Envelope>");
        /* the same body again is a replay: refused (sequence numbers) */
        CU_ASSERT_EQUAL(psr_sealing_unseal(acc, ct.data, body.data, body.len, 0, &out, &err),
                        PSR_E_AUTH);
        psr_gss_free(ini);
        psr_gss_free(acc);

        make_pair(ntlm, &ini, &acc);
        seal_parts(ini, parts, 2, 0, &body, &ct);
        CU_ASSERT_EQUAL(psr_sealing_unseal(acc, ct.data, body.data, body.len, 20, &out, &err),
                        PSR_E_LIMIT);
        CU_ASSERT_EQUAL(out.len, 0);
        psr_gss_free(ini);
        psr_gss_free(acc);

        make_pair(ntlm, &ini, &acc);
        seal_parts(ini, parts, 1, 1, &body, &ct);
        CU_ASSERT_EQUAL(psr_sealing_unseal(acc, ct.data, body.data, body.len, 0, &out, &err),
                        PSR_E_PROTOCOL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "announced Length="));
        psr_gss_free(ini);
        psr_gss_free(acc);
        psr_buf_free(&body);
        psr_buf_free(&ct);
        psr_buf_free(&out);
    }
}

/* ---- HTTP glue ---- */

static void test_http_scheme_and_headers(void)
{
    psr_error err;
    psr_gss_ctx *ini = initiator(PSR_GSS_KERBEROS, getenv("PSR_KDC_USER"),
                                 getenv("PSR_KDC_PASSWORD"), "localhost", NULL, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ini);
    CU_ASSERT_STRING_EQUAL(psr_gss_http_scheme(ini), "Kerberos");
    CU_ASSERT_STRING_EQUAL(psr_gss_sealing_protocol(ini), PSR_SEALING_KERBEROS);
    char *only_negotiate[] = {"Basic realm=\"WSMAN\"", "Negotiate"};
    CU_ASSERT_EQUAL(psr_gss_select_scheme(ini, only_negotiate, 2, &err), 0);
    CU_ASSERT_STRING_EQUAL(psr_gss_http_scheme(ini), "Negotiate");
    CU_ASSERT_STRING_EQUAL(psr_gss_sealing_protocol(ini), PSR_SEALING_SPNEGO);
    char *both[] = {"Negotiate, Kerberos", "Basic realm=\"WSMAN\""};
    CU_ASSERT_EQUAL(psr_gss_select_scheme(ini, both, 2, &err), 0);
    CU_ASSERT_STRING_EQUAL(psr_gss_http_scheme(ini), "Kerberos");
    char *basic_only[] = {"Basic realm=\"WSMAN\""};
    CU_ASSERT_EQUAL(psr_gss_select_scheme(ini, basic_only, 1, &err), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Basic realm"));

    psr_buf header = {0};
    int done = 0;
    CU_ASSERT_EQUAL(psr_gss_authorization(ini, NULL, 0, &header, &done, &err), 0);
    CU_ASSERT_EQUAL(strncmp(header.data, "Kerberos ", 9), 0);
    /* the acceptor reads it back */
    psr_buf scheme = {0}, token = {0};
    CU_ASSERT_EQUAL(psr_gss_parse_authorization(header.data, &scheme, &token, &err), 0);
    CU_ASSERT_STRING_EQUAL(scheme.data, "Kerberos");
    CU_ASSERT(token.len > 100);
    /* a Kerberos AP-REQ in its GSS framing: 0x60, ..., the krb5 OID */
    CU_ASSERT_EQUAL((unsigned char)token.data[0], 0x60);
    psr_gss_ctx *acc = acceptor(NULL, 0);
    CU_ASSERT_EQUAL(psr_gss_set_scheme(acc, scheme.data, &err), 0);
    CU_ASSERT_STRING_EQUAL(psr_gss_sealing_protocol(acc), PSR_SEALING_KERBEROS);
    psr_buf reply = {0};
    int adone = 0;
    CU_ASSERT_EQUAL(psr_gss_step(acc, token.data, token.len, &reply, &adone, &err), 0);
    CU_ASSERT(adone);
    psr_buf www = {0};
    CU_ASSERT_EQUAL(psr_gss_format_header(&www, "Kerberos", reply.data, reply.len), 0);
    /* the mutual-auth token comes back among other challenges */
    char *values[] = {"Basic realm=\"WSMAN\", Negotiate", www.data};
    CU_ASSERT_EQUAL(psr_gss_find_token("Kerberos", values, 2, &token, &err), 1);
    CU_ASSERT_EQUAL(token.len, reply.len);
    CU_ASSERT_EQUAL(psr_gss_authorization(ini, token.data, token.len, &header, &done, &err), 0);
    CU_ASSERT(done);
    CU_ASSERT_EQUAL(header.len, 0);
    CU_ASSERT_EQUAL(psr_gss_set_scheme(acc, "NTLM", &err), PSR_E_INVALID);
    psr_buf_free(&header);
    psr_buf_free(&scheme);
    psr_buf_free(&token);
    psr_buf_free(&reply);
    psr_buf_free(&www);
    psr_gss_free(ini);
    psr_gss_free(acc);
}

static void test_spn_with_port_and_service(void)
{
    psr_gss_initiator_options o = {.mech = PSR_GSS_KERBEROS, .host = "win1.example",
                                   .port = 5985, .include_port_in_spn = 1, .service = "WSMAN"};
    psr_gss_ctx *c = NULL;
    psr_error err;
    /* default credentials may be missing: only the SPN text is checked */
    if (psr_gss_initiator_new(&c, &o, &err) == 0) {
        CU_ASSERT_STRING_EQUAL(psr_gss_target(c), "WSMAN@win1.example:5985");
        psr_gss_free(c);
    } else {
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "WSMAN@win1.example:5985"));
    }
    o.include_port_in_spn = 0;
    o.service = NULL;
    if (psr_gss_initiator_new(&c, &o, &err) == 0) {
        CU_ASSERT_STRING_EQUAL(psr_gss_target(c), "HTTP@win1.example");
        psr_gss_free(c);
    } else {
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "HTTP@win1.example"));
    }
    o.host = NULL;
    CU_ASSERT_EQUAL(psr_gss_initiator_new(&c, &o, &err), PSR_E_INVALID);
}

static const psr_unit_test tests[] = {
    {"SPNEGO negotiates Kerberos; sealing both ways", test_spnego_kerberos},
    {"SPNEGO falls back to NTLM; sealing both ways", test_spnego_ntlm_fallback},
    {"SPNEGO falls back to NTLM when no KDC is found", test_spnego_ntlm_fallback_no_kdc},
    {"Kerberos only; sealing both ways", test_kerberos_only},
    {"Kerberos with DOMAIN\\user", test_kerberos_domain_backslash_user},
    {"Kerberos delegation only when asked", test_kerberos_delegation},
    {"NTLM only; sealing both ways", test_ntlm_only},
    {"channel binding: matching certificate", test_channel_binding_match},
    {"channel binding: mismatch fails clearly", test_channel_binding_mismatch},
    {"channel binding: required but not sent", test_channel_binding_required},
    {"channel binding: optional (Relaxed)", test_channel_binding_optional},
    {"error: wrong Kerberos password", test_error_wrong_password},
    {"error: unknown SPN", test_error_unknown_spn},
    {"SPN with the port (IncludePortInSPN)", test_spn_with_port},
    {"error: no ticket cache", test_error_no_ticket},
    {"ticket cache (kinit) without password", test_ticket_cache},
    {"error: NTLM wrong password", test_error_ntlm_bad_password},
    {"error: acceptor without keytab or NTLM users", test_error_acceptor_configuration},
    {"step after failure", test_step_after_failure_is_state_error},
    {"unseal rejects tampering and protocol mismatch", test_unseal_rejects_tampering},
    {"unseal: several parts, Length and size checks", test_unseal_multi_part_and_length_check},
    {"wrap layout as Windows expects (Kerberos, NTLM)", test_wrap_layout},
    {"HTTP scheme choice and headers", test_http_scheme_and_headers},
    {"SPN with port and service class", test_spn_with_port_and_service},
    {NULL, NULL},
};

PSR_TEST_GSSAPI_SANITIZER_DEFAULTS

int main(void)
{
    int rc = psr_test_kdc_start(&kdc);
    if (rc != 0)
        return rc;
    rc = psr_unit_run("auth: GSSAPI", tests);
    psr_test_kdc_stop(&kdc);
    return rc;
}
