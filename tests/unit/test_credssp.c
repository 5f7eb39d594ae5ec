/* test_credssp.c: CredSSP (src/auth/credssp*.h): the DER of TSRequest and
 * TSCredentials, and whole exchanges between our initiator and acceptor on
 * a throwaway KDC (SPNEGO to Kerberos, SPNEGO to NTLM, raw NTLM; protocol
 * versions 2 to 6), the refusals (wrong password with the NTSTATUS the
 * acceptor reports, a relay in the middle caught by the public-key
 * binding, a version below the client's minimum), and message sealing.
 * Skipped (77) without krb5kdc. */
#include "src/auth/credssp.h"
#include "src/auth/credssp_asn1.h"
#include "src/auth/credssp_tls.h"
#include "src/auth/sealing.h"
#include "tests/kdc/kdc.h"
#include "tests/unit/unit.h"

#include <string.h>

static psr_test_kdc kdc;
static psr_credssp_server *server_identity;
static char keytab[600];

/* ---- DER ---- */

/* MS-CSSP's TSRequest with version 2, one negoToken and pubKeyAuth, each
 * 00 01 02: the DER is fixed by the ASN.1 (explicit context tags). */
static const unsigned char TSREQUEST_V2[] = {
    0x30, 0x19, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x0b, 0x30, 0x09, 0x30, 0x07, 0xa0, 0x05,
    0x04, 0x03, 0x00, 0x01, 0x02, 0xa3, 0x05, 0x04, 0x03, 0x00, 0x01, 0x02};

static void test_tsrequest_der(void)
{
    static const unsigned char b012[] = {0, 1, 2};
    psr_tsrequest r = {.version = 2, .nego_token = {b012, 3}, .pub_key_auth = {b012, 3}};
    psr_buf out = {0}, storage = {0};
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_tsrequest_encode(&r, &out, &err), 0);
    CU_ASSERT_EQUAL(out.len, sizeof(TSREQUEST_V2));
    CU_ASSERT(memcmp(out.data, TSREQUEST_V2, sizeof(TSREQUEST_V2)) == 0);

    psr_tsrequest d;
    CU_ASSERT_EQUAL_FATAL(psr_tsrequest_decode(&d, TSREQUEST_V2, sizeof(TSREQUEST_V2), &storage,
                                               &err), 0);
    CU_ASSERT_EQUAL(d.version, 2);
    CU_ASSERT(d.nego_token.data && d.nego_token.len == 3 && d.nego_token.data[2] == 2);
    CU_ASSERT(d.pub_key_auth.data && d.pub_key_auth.len == 3);
    CU_ASSERT_PTR_NULL(d.auth_info.data);
    CU_ASSERT_PTR_NULL(d.client_nonce.data);
    CU_ASSERT_FALSE(d.has_error_code);

    /* every field, and an NTSTATUS with the top bit set */
    unsigned char nonce[32];
    memset(nonce, 0xab, sizeof(nonce));
    psr_tsrequest all = {.version = 6, .nego_token = {b012, 1}, .auth_info = {b012, 2},
                         .pub_key_auth = {b012, 3}, .has_error_code = 1,
                         .error_code = 0xC000006Du, .client_nonce = {nonce, 32}};
    psr_buf_reset(&out);
    CU_ASSERT_EQUAL_FATAL(psr_tsrequest_encode(&all, &out, &err), 0);
    CU_ASSERT_EQUAL_FATAL(psr_tsrequest_decode(&d, out.data, out.len, &storage, &err), 0);
    CU_ASSERT_EQUAL(d.version, 6);
    CU_ASSERT_EQUAL(d.nego_token.len, 1);
    CU_ASSERT_EQUAL(d.auth_info.len, 2);
    CU_ASSERT_EQUAL(d.pub_key_auth.len, 3);
    CU_ASSERT(d.has_error_code && d.error_code == 0xC000006Du);
    CU_ASSERT(d.client_nonce.len == 32 && memcmp(d.client_nonce.data, nonce, 32) == 0);

    /* a negative INTEGER (as a signed 32-bit NTSTATUS) reads as the same code */
    static const unsigned char negative[] = {0x30, 0x0d, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4,
                                             0x06, 0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d};
    CU_ASSERT_EQUAL_FATAL(psr_tsrequest_decode(&d, negative, sizeof(negative), &storage, &err),
                          0);
    CU_ASSERT_EQUAL(d.error_code, 0xC000006Du);

    /* truncated, trailing bytes, no version, garbage */
    CU_ASSERT_EQUAL(psr_tsrequest_decode(&d, TSREQUEST_V2, sizeof(TSREQUEST_V2) - 1, &storage,
                                         &err), PSR_E_PARSE);
    unsigned char longer[sizeof(TSREQUEST_V2) + 1];
    memcpy(longer, TSREQUEST_V2, sizeof(TSREQUEST_V2));
    longer[sizeof(TSREQUEST_V2)] = 0;
    CU_ASSERT_EQUAL(psr_tsrequest_decode(&d, longer, sizeof(longer), &storage, &err),
                    PSR_E_PARSE);
    static const unsigned char no_version[] = {0x30, 0x07, 0xa3, 0x05, 0x04, 0x03, 0, 1, 2};
    CU_ASSERT_EQUAL(psr_tsrequest_decode(&d, no_version, sizeof(no_version), &storage, &err),
                    PSR_E_PARSE);
    CU_ASSERT_EQUAL(psr_tsrequest_decode(&d, "GET / HTTP/1.1", 14, &storage, &err),
                    PSR_E_PARSE);
    psr_buf_free(&out);
    psr_buf_free(&storage);
}

static void test_tscredentials_der(void)
{
    psr_buf der = {0}, domain = {0}, user = {0}, password = {0};
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_tscredentials_encode_password("CORP", "J\xc3\xb6rg",
                                                            "p\xe2\x82\xac ss", &der, &err), 0);
    /* UTF-16LE on the wire: "CORP" is 43 00 4f 00 52 00 50 00 */
    CU_ASSERT_PTR_NOT_NULL(memmem(der.data, der.len, "C\0O\0R\0P\0", 8));
    CU_ASSERT_PTR_NOT_NULL(memmem(der.data, der.len, "J\0\xf6\0r\0g\0", 8));
    CU_ASSERT_EQUAL_FATAL(psr_tscredentials_decode_password(der.data, der.len, &domain, &user,
                                                            &password, &err), 0);
    CU_ASSERT_STRING_EQUAL(domain.data, "CORP");
    CU_ASSERT_STRING_EQUAL(user.data, "J\xc3\xb6rg");
    CU_ASSERT_STRING_EQUAL(password.data, "p\xe2\x82\xac ss");

    /* empty domain (a UPN) */
    psr_buf_reset(&der);
    CU_ASSERT_EQUAL_FATAL(psr_tscredentials_encode_password("", "user1@PSREMOTE.TEST", "x",
                                                            &der, &err), 0);
    CU_ASSERT_EQUAL_FATAL(psr_tscredentials_decode_password(der.data, der.len, &domain, &user,
                                                            &password, &err), 0);
    CU_ASSERT_STRING_EQUAL(domain.data, "");
    CU_ASSERT_STRING_EQUAL(user.data, "user1@PSREMOTE.TEST");

    /* credType 2 (smart card) is refused by name; invalid UTF-8 is refused */
    static const unsigned char smartcard[] = {0x30, 0x09, 0xa0, 0x03, 0x02, 0x01, 0x02,
                                              0xa1, 0x02, 0x04, 0x00};
    CU_ASSERT_EQUAL(psr_tscredentials_decode_password(smartcard, sizeof(smartcard), &domain,
                                                      &user, &password, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "smart card"));
    CU_ASSERT_EQUAL(psr_tscredentials_encode_password("D", "\xff", "x", &der, &err),
                    PSR_E_INVALID);
    CU_ASSERT_EQUAL(psr_tscredentials_decode_password("\x30\x00", 2, &domain, &user, &password,
                                                      &err), PSR_E_PARSE);
    psr_buf_free(&der);
    psr_buf_free(&domain);
    psr_buf_free(&user);
    psr_buf_free(&password);
}

/* ---- exchanges ---- */

static psr_credssp_initiator_options client_options(psr_gss_mech mech, const char *user,
                                                    const char *password)
{
    psr_credssp_initiator_options o = {0};
    o.gss.mech = mech;
    o.gss.user = user;
    o.gss.password = password;
    o.gss.host = "localhost";
    return o;
}

static psr_credssp_acceptor_options server_options(int version)
{
    psr_credssp_acceptor_options o = {0};
    o.gss.service_name = "HTTP@localhost";
    o.gss.keytab = keytab;
    o.gss.ntlm_user_file = getenv("NTLM_USER_FILE");
    o.server = server_identity;
    o.version = version;
    return o;
}

typedef struct exchange {
    psr_credssp_ctx *client, *server;
    int legs;
    int client_rc, server_rc;
    psr_error client_err, server_err;
    psr_buf error_token;   /* what a failing acceptor still had to say */
} exchange;

/* Runs the exchange to the end, as HTTP would carry it: client token in
 * Authorization, server token in the 401 (or nothing in the 200). */
static int run_exchange(exchange *x, const psr_credssp_initiator_options *co,
                        const psr_credssp_acceptor_options *so)
{
    memset(x, 0, sizeof(*x));
    x->client_rc = psr_credssp_initiator_new(&x->client, co, &x->client_err);
    if (x->client_rc)
        return x->client_rc;
    x->server_rc = psr_credssp_acceptor_new(&x->server, so, &x->server_err);
    CU_ASSERT_EQUAL_FATAL(x->server_rc, 0);
    psr_buf to_server = {0}, to_client = {0};
    int cdone = 0, sdone = 0;
    x->client_rc = psr_credssp_step(x->client, NULL, 0, &to_server, &cdone, &x->client_err);
    while (x->client_rc == 0 && x->legs < 20) {
        x->legs++;
        CU_ASSERT(to_server.len > 0);
        x->server_rc = psr_credssp_step(x->server, to_server.data, to_server.len, &to_client,
                                        &sdone, &x->server_err);
        if (x->server_rc) {
            psr_buf_append(&x->error_token, to_client.data, to_client.len);
            if (to_client.len)
                x->client_rc = psr_credssp_step(x->client, to_client.data, to_client.len,
                                                &to_server, &cdone, &x->client_err);
            break;
        }
        if (sdone) {
            CU_ASSERT(cdone);          /* the client spoke last */
            CU_ASSERT_EQUAL(to_client.len, 0);
            break;
        }
        CU_ASSERT_FALSE(cdone);
        CU_ASSERT_FATAL(to_client.len > 0);
        x->client_rc = psr_credssp_step(x->client, to_client.data, to_client.len, &to_server,
                                        &cdone, &x->client_err);
    }
    psr_buf_free(&to_server);
    psr_buf_free(&to_client);
    return x->client_rc ? x->client_rc : x->server_rc;
}

static void exchange_free(exchange *x)
{
    psr_credssp_free(x->client);
    psr_credssp_free(x->server);
    psr_buf_free(&x->error_token);
}

/* Seals a message each way, one of them past one 16 KiB chunk. */
static void check_sealing(exchange *x)
{
    size_t big = 40000;
    char *msg = malloc(big);
    CU_ASSERT_FATAL(msg != NULL);
    for (size_t i = 0; i < big; i++)
        msg[i] = (char)('a' + i % 26);
    psr_buf body = {0}, type = {0}, plain = {0};
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_sealing_seal_credssp(x->client, msg, big, &body, &type, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(type.data, "multipart/x-multi-encrypted"));
    CU_ASSERT_PTR_NULL(memmem(body.data, body.len, "abcdefghij", 10));
    CU_ASSERT_EQUAL_FATAL(psr_sealing_unseal_credssp(x->server, type.data, body.data, body.len,
                                                     0, &plain, &err), 0);
    CU_ASSERT(plain.len == big && memcmp(plain.data, msg, big) == 0);

    const char reply[] = "<s:Envelope>the reply</s:Envelope>";
    CU_ASSERT_EQUAL_FATAL(psr_sealing_seal_credssp(x->server, reply, strlen(reply), &body, &type,
                                                   &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(type.data, "multipart/encrypted;protocol=\""
                                             "application/HTTP-CredSSP-session-encrypted\""));
    CU_ASSERT_EQUAL_FATAL(psr_sealing_unseal_credssp(x->client, type.data, body.data, body.len,
                                                     0, &plain, &err), 0);
    CU_ASSERT(plain.len == strlen(reply) && memcmp(plain.data, reply, plain.len) == 0);

    /* a changed byte in the record fails the MAC */
    CU_ASSERT_EQUAL_FATAL(psr_sealing_seal_credssp(x->server, reply, strlen(reply), &body, &type,
                                                   &err), 0);
    body.data[body.len - 40] ^= 1;
    CU_ASSERT_NOT_EQUAL(psr_sealing_unseal_credssp(x->client, type.data, body.data, body.len, 0,
                                                   &plain, &err), 0);
    free(msg);
    psr_buf_free(&body);
    psr_buf_free(&type);
    psr_buf_free(&plain);
}

static void check_success(psr_gss_mech mech, const char *user, const char *password,
                          psr_gss_mech expect_mech, int server_version)
{
    psr_credssp_initiator_options co = client_options(mech, user, password);
    psr_credssp_acceptor_options so = server_options(server_version);
    exchange x;
    int rc = run_exchange(&x, &co, &so);
    if (rc)
        fprintf(stderr, "client: %s\nserver: %s\n", x.client_err.message, x.server_err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT(psr_credssp_is_complete(x.client));
    CU_ASSERT(psr_credssp_is_complete(x.server));
    /* two TLS legs, the SPNEGO legs (the binding rides with the last
     * one), the binding's answer, the credentials: as Windows runs it */
    CU_ASSERT_EQUAL(x.legs, 5);
    int want_version = server_version ? server_version : PSR_CREDSSP_VERSION;
    CU_ASSERT_EQUAL(psr_credssp_version(x.client), want_version);
    CU_ASSERT_EQUAL(psr_credssp_version(x.server), want_version);
    CU_ASSERT_EQUAL(psr_credssp_negotiated_mech(x.client), expect_mech);
    CU_ASSERT_EQUAL(psr_credssp_negotiated_mech(x.server), expect_mech);
    CU_ASSERT_STRING_EQUAL(psr_credssp_tls_version(x.client), "TLSv1.2");
    /* what was delegated is what the client was given */
    const char *sep = strchr(user, '\\');
    CU_ASSERT_STRING_EQUAL(psr_credssp_delegated_user(x.server), sep ? sep + 1 : user);
    CU_ASSERT_STRING_EQUAL(psr_credssp_delegated_password(x.server), password);
    if (sep)
        CU_ASSERT_EQUAL(strncmp(psr_credssp_delegated_domain(x.server), user,
                                (size_t)(sep - user)), 0);
    CU_ASSERT_PTR_NOT_NULL(psr_credssp_peer_name(x.server));
    check_sealing(&x);
    exchange_free(&x);
}

static void test_spnego_kerberos(void)
{
    check_success(PSR_GSS_NEGOTIATE, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
                  PSR_GSS_KERBEROS, 0);
}

static void test_spnego_ntlm(void)
{
    /* a user the KDC does not know: SPNEGO falls back to NTLM */
    check_success(PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"),
                  getenv("PSR_NTLM_ONLY_PASSWORD"), PSR_GSS_NTLM, 0);
}

static void test_raw_ntlm(void)
{
    check_success(PSR_GSS_NTLM, getenv("PSR_NTLM_ONLY_USER"), getenv("PSR_NTLM_ONLY_PASSWORD"),
                  PSR_GSS_NTLM, 0);
}

static void test_older_servers(void)
{
    /* 2-4: the key itself as the binding; 5: the hash, no errorCode */
    for (int v = 2; v <= 5; v++) {
        check_success(PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"),
                      getenv("PSR_NTLM_ONLY_PASSWORD"), PSR_GSS_NTLM, v);
        check_success(PSR_GSS_NEGOTIATE, getenv("PSR_KDC_USER"), getenv("PSR_KDC_PASSWORD"),
                      PSR_GSS_KERBEROS, v);
    }
}

static void test_minimum_version(void)
{
    psr_credssp_initiator_options co = client_options(
        PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"), getenv("PSR_NTLM_ONLY_PASSWORD"));
    co.min_version = 5;
    psr_credssp_acceptor_options so = server_options(3);
    exchange x;
    CU_ASSERT_EQUAL(run_exchange(&x, &co, &so), PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.client_err.message, "version 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x.client_err.message, "CVE-2018-0886"));
    /* the password never left: the server got no credentials */
    CU_ASSERT_PTR_NULL(psr_credssp_delegated_password(x.server));
    exchange_free(&x);
}

static void test_wrong_password(void)
{
    psr_credssp_initiator_options co =
        client_options(PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"), "not the password");
    psr_credssp_acceptor_options so = server_options(0);
    exchange x;
    CU_ASSERT_NOT_EQUAL(run_exchange(&x, &co, &so), 0);
    CU_ASSERT_EQUAL(x.server_rc, PSR_E_AUTH);
    /* version 6 tells the client why, and the client says so */
    CU_ASSERT(x.error_token.len > 0);
    CU_ASSERT_EQUAL(x.client_rc, PSR_E_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.client_err.message, "0xC000006D"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x.client_err.message, "wrong user name or password"));
    CU_ASSERT_FALSE(psr_credssp_is_complete(x.server));
    exchange_free(&x);

    /* version 5 has no errorCode: the acceptor says nothing more */
    so = server_options(5);
    CU_ASSERT_NOT_EQUAL(run_exchange(&x, &co, &so), 0);
    CU_ASSERT_EQUAL(x.server_rc, PSR_E_AUTH);
    CU_ASSERT_EQUAL(x.error_token.len, 0);
    exchange_free(&x);
}

static void test_needs_password(void)
{
    psr_credssp_initiator_options co = client_options(PSR_GSS_NEGOTIATE, "user1", NULL);
    psr_credssp_ctx *c = NULL;
    psr_error err;
    CU_ASSERT_EQUAL(psr_credssp_initiator_new(&c, &co, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "password"));
    CU_ASSERT_PTR_NULL(c);
}

/* A relay that terminates the client's TLS with its own certificate and
 * opens its own TLS to the real server, passing the TSRequests through
 * unchanged: exactly what the public-key binding exists to catch. */
static void test_relay_in_the_middle(void)
{
    psr_error err;
    psr_credssp_initiator_options co = client_options(
        PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"), getenv("PSR_NTLM_ONLY_PASSWORD"));
    psr_credssp_acceptor_options so = server_options(0);
    psr_credssp_ctx *client = NULL, *server = NULL;
    CU_ASSERT_EQUAL_FATAL(psr_credssp_initiator_new(&client, &co, &err), 0);
    CU_ASSERT_EQUAL_FATAL(psr_credssp_acceptor_new(&server, &so, &err), 0);

    /* the relay's two TLS channels: a server to the client (its own
     * certificate), a client to the server */
    SSL_CTX *front_ctx = NULL;
    {
        X509 *cert;
        EVP_PKEY *key;
        CU_ASSERT_EQUAL_FATAL(psr_tls_self_signed(&cert, &key, "relay", &err), 0);
        front_ctx = psr_tls_server_ctx_new(cert, key, &err);
        X509_free(cert);
        EVP_PKEY_free(key);
        CU_ASSERT_PTR_NOT_NULL_FATAL(front_ctx);
    }
    psr_tls_channel front, back;
    CU_ASSERT_EQUAL_FATAL(psr_tls_channel_server(&front, front_ctx, &err), 0);
    CU_ASSERT_EQUAL_FATAL(psr_tls_channel_client(&back, &err), 0);

    psr_buf c2r = {0}, r2c = {0}, r2s = {0}, s2r = {0}, plain = {0};
    int cdone = 0, sdone = 0, fin_front = 0, fin_back = 0;
    /* both handshakes */
    CU_ASSERT_EQUAL_FATAL(psr_credssp_step(client, NULL, 0, &c2r, &cdone, &err), 0);
    CU_ASSERT_EQUAL_FATAL(psr_tls_channel_handshake(&back, NULL, 0, &r2s, &fin_back, &err), 0);
    for (int i = 0; i < 10 && !(fin_front && fin_back); i++) {
        if (!fin_front) {
            CU_ASSERT_EQUAL_FATAL(psr_tls_channel_handshake(&front, c2r.data, c2r.len, &r2c,
                                                            &fin_front, &err), 0);
            CU_ASSERT_EQUAL_FATAL(psr_credssp_step(client, r2c.data, r2c.len, &c2r, &cdone,
                                                   &err), 0);
            psr_buf_reset(&r2c);
        }
        if (!fin_back) {
            CU_ASSERT_EQUAL_FATAL(psr_credssp_step(server, r2s.data, r2s.len, &s2r, &sdone,
                                                   &err), 0);
            psr_buf_reset(&r2s);
            CU_ASSERT_EQUAL_FATAL(psr_tls_channel_handshake(&back, s2r.data, s2r.len, &r2s,
                                                            &fin_back, &err), 0);
        }
    }
    CU_ASSERT_FATAL(fin_front && fin_back);
    /* now c2r holds the client's first TSRequest: relay TSRequests both ways */
    int server_rc = 0, client_rc = 0;
    for (int i = 0; i < 10 && server_rc == 0 && client_rc == 0 && !cdone; i++) {
        psr_buf_reset(&plain);
        CU_ASSERT_EQUAL_FATAL(psr_tls_channel_read(&front, c2r.data, c2r.len, &plain, &err), 0);
        psr_buf_reset(&r2s);
        CU_ASSERT_EQUAL_FATAL(psr_tls_channel_write(&back, plain.data, plain.len, &r2s, &err), 0);
        psr_error serr;
        server_rc = psr_credssp_step(server, r2s.data, r2s.len, &s2r, &sdone, &serr);
        if (server_rc) {
            CU_ASSERT_PTR_NOT_NULL(strstr(serr.message, "binding mismatch"));
            break;
        }
        psr_buf_reset(&plain);
        CU_ASSERT_EQUAL_FATAL(psr_tls_channel_read(&back, s2r.data, s2r.len, &plain, &err), 0);
        psr_buf_reset(&r2c);
        CU_ASSERT_EQUAL_FATAL(psr_tls_channel_write(&front, plain.data, plain.len, &r2c, &err), 0);
        client_rc = psr_credssp_step(client, r2c.data, r2c.len, &c2r, &cdone, &err);
    }
    CU_ASSERT_EQUAL(server_rc, PSR_E_AUTH);
    CU_ASSERT_FALSE(cdone);                       /* the client never sent the password */
    CU_ASSERT_PTR_NULL(psr_credssp_delegated_password(server));

    psr_tls_channel_close(&front);
    psr_tls_channel_close(&back);
    SSL_CTX_free(front_ctx);
    psr_credssp_free(client);
    psr_credssp_free(server);
    psr_buf_free(&c2r);
    psr_buf_free(&r2c);
    psr_buf_free(&r2s);
    psr_buf_free(&s2r);
    psr_buf_free(&plain);
}

static void test_trailer_matches_records(void)
{
    psr_credssp_initiator_options co = client_options(
        PSR_GSS_NEGOTIATE, getenv("PSR_NTLM_ONLY_USER"), getenv("PSR_NTLM_ONLY_PASSWORD"));
    psr_credssp_acceptor_options so = server_options(0);
    exchange x;
    CU_ASSERT_EQUAL_FATAL(run_exchange(&x, &co, &so), 0);
    /* An AES-GCM record is its 5-byte header, the 8-byte explicit nonce,
     * the data and the trailer (the tag). */
    CU_ASSERT_PTR_NOT_NULL(strstr(psr_credssp_tls_cipher(x.client), "GCM"));
    psr_buf records = {0};
    psr_error err;
    size_t trailer = 0;
    static char data[16384];
    memset(data, 'x', sizeof(data));
    for (size_t n = 1; n <= sizeof(data); n = n * 3 + 1) {
        CU_ASSERT_EQUAL_FATAL(psr_credssp_wrap(x.client, data, n, &records, &trailer, &err), 0);
        CU_ASSERT_EQUAL(trailer, 16);
        CU_ASSERT_EQUAL(records.len, 5 + 8 + n + trailer);
    }
    CU_ASSERT_EQUAL(psr_credssp_wrap(x.client, data, sizeof(data) + 1, &records, &trailer,
                                     &err), PSR_E_INVALID);
    CU_ASSERT_EQUAL(psr_credssp_wrap(x.client, "x", 0, &records, &trailer, &err), PSR_E_INVALID);
    psr_buf_free(&records);
    exchange_free(&x);
}

static const psr_unit_test tests[] = {
    {"TSRequest DER (MS-CSSP layout, every field, bad input)", test_tsrequest_der},
    {"TSCredentials with TSPasswordCreds (UTF-16LE)", test_tscredentials_der},
    {"SPNEGO to Kerberos, delegation and sealing", test_spnego_kerberos},
    {"SPNEGO to NTLM, delegation and sealing", test_spnego_ntlm},
    {"raw NTLM", test_raw_ntlm},
    {"servers of versions 2 to 5", test_older_servers},
    {"a server below the client's minimum version", test_minimum_version},
    {"wrong password: the NTSTATUS reaches the client", test_wrong_password},
    {"a password is required", test_needs_password},
    {"a relay in the middle is caught by the binding", test_relay_in_the_middle},
    {"the trailer length matches the records", test_trailer_matches_records},
    {NULL, NULL},
};

PSR_TEST_GSSAPI_SANITIZER_DEFAULTS

int main(void)
{
    int rc = psr_test_kdc_start(&kdc);
    if (rc != 0)
        return rc;
    snprintf(keytab, sizeof(keytab), "%s/keytab", kdc.dir);
    psr_error err;
    if (psr_credssp_server_new(&server_identity, NULL, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        psr_test_kdc_stop(&kdc);
        return 1;
    }
    rc = psr_unit_run("auth: CredSSP", tests);
    psr_credssp_server_free(server_identity);
    psr_test_kdc_stop(&kdc);
    return rc;
}
