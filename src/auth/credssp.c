/* credssp.c: the CredSSP initiator and acceptor state machines (see
 * credssp.h). TLS is credssp_tls.c, the messages credssp_asn1.c, the inner
 * authentication gss.c. */
#include "src/auth/credssp.h"

#include "src/auth/credssp_asn1.h"
#include "src/auth/credssp_tls.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_LEN 32
/* CredSSP's first version with the CVE-2018-0886 fix (nonce and hash). */
#define VERSION_WITH_NONCE 5

/* NTSTATUS values an acceptor reports in TSRequest.errorCode. */
#define STATUS_LOGON_FAILURE 0xC000006Du

typedef enum cs_state {
    CS_TLS,     /* TLS handshake */
    CS_AUTH,    /* SPNEGO tokens */
    CS_PUBKEY,  /* initiator: waiting for the server's binding */
    CS_CREDS,   /* acceptor: waiting for the credentials */
    CS_DONE,
    CS_FAILED
} cs_state;

struct psr_credssp_server {
    SSL_CTX *ssl_ctx;
};

struct psr_credssp_ctx {
    int is_acceptor;
    cs_state state;
    psr_tls_channel tls;
    psr_gss_ctx *gss;
    int version;          /* the version we announce */
    int min_version;      /* initiator: the lowest we accept */
    int agreed;           /* min(ours, the peer's), once known */
    unsigned char nonce[NONCE_LEN];
    int have_nonce;
    psr_buf public_key;   /* the TLS server's SubjectPublicKey */
    psr_buf plain;        /* the TSRequest received, decrypted */
    psr_buf fields;       /* its decoded fields */
    psr_buf token;        /* our SPNEGO token to send */
    psr_buf scratch;
    psr_buf domain, user, password; /* to delegate, or delegated */
};

static int nomem(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

static void wipe(psr_buf *b)
{
    if (b->data)
        OPENSSL_cleanse(b->data, b->cap);
    psr_buf_free(b);
}

/* ---- the server identity ---- */

int psr_credssp_server_new(psr_credssp_server **out, const char *cert_file, const char *key_file,
                           psr_error *err)
{
    *out = NULL;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    int rc = 0;
    if (!cert_file) {
        rc = psr_tls_self_signed(&cert, &key, "psremote CredSSP", err);
    } else {
        FILE *f = fopen(cert_file, "r");
        FILE *k = fopen(key_file ? key_file : cert_file, "r");
        cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
        key = k ? PEM_read_PrivateKey(k, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
        if (k)
            fclose(k);
        if (!cert || !key)
            rc = psr_error_set(err, PSR_E_INVALID,
                               "CredSSP: cannot read a PEM certificate from %s and its key "
                               "from %s",
                               cert_file, key_file ? key_file : cert_file);
    }
    psr_credssp_server *s = rc ? NULL : calloc(1, sizeof(*s));
    if (!rc && !s)
        rc = nomem(err);
    if (!rc) {
        s->ssl_ctx = psr_tls_server_ctx_new(cert, key, err);
        if (!s->ssl_ctx)
            rc = PSR_E_TLS;
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void psr_credssp_server_free(psr_credssp_server *s)
{
    if (!s)
        return;
    SSL_CTX_free(s->ssl_ctx);
    free(s);
}

/* ---- contexts ---- */

void psr_credssp_free(psr_credssp_ctx *c)
{
    if (!c)
        return;
    psr_tls_channel_close(&c->tls);
    psr_gss_free(c->gss);
    psr_buf_free(&c->public_key);
    wipe(&c->plain);
    wipe(&c->fields);
    wipe(&c->token);
    wipe(&c->scratch);
    psr_buf_free(&c->domain);
    psr_buf_free(&c->user);
    wipe(&c->password);
    OPENSSL_cleanse(c->nonce, sizeof(c->nonce));
    free(c);
}

/* DOMAIN\user delegates domain DOMAIN and user "user"; user@realm (a UPN)
 * is delegated whole with an empty domain, which Windows accepts. */
static int split_user(psr_credssp_ctx *c, const char *user)
{
    const char *sep = strchr(user, '\\');
    if (sep && (psr_buf_append(&c->domain, user, (size_t)(sep - user)) ||
                psr_buf_puts(&c->user, sep + 1)))
        return PSR_E_NOMEM;
    if (!sep && (psr_buf_puts(&c->domain, "") || psr_buf_puts(&c->user, user)))
        return PSR_E_NOMEM;
    return 0;
}

int psr_credssp_initiator_new(psr_credssp_ctx **out, const psr_credssp_initiator_options *o,
                              psr_error *err)
{
    *out = NULL;
    if (!o->gss.user || !*o->gss.user || !o->gss.password)
        return psr_error_set(err, PSR_E_INVALID,
                             "CredSSP needs a user name and password (-u DOMAIN\\user): it "
                             "delegates the password to the server, so a ticket cache is "
                             "not enough");
    psr_credssp_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return nomem(err);
    c->version = PSR_CREDSSP_VERSION;
    c->min_version = o->min_version > 0 ? o->min_version : 2;
    int rc = split_user(c, o->gss.user) || psr_buf_puts(&c->password, o->gss.password)
                 ? nomem(err) : 0;
    /* CredSSP's binding replaces channel binding: the inner exchange runs
     * inside our own TLS, not the HTTPS connection's. */
    psr_gss_initiator_options g = o->gss;
    g.server_cert_der = NULL;
    g.server_cert_der_len = 0;
    if (!rc)
        rc = psr_gss_initiator_new(&c->gss, &g, err);
    if (!rc)
        rc = psr_tls_channel_client(&c->tls, err);
    if (rc) {
        psr_credssp_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int psr_credssp_acceptor_new(psr_credssp_ctx **out, const psr_credssp_acceptor_options *o,
                             psr_error *err)
{
    *out = NULL;
    if (!o->server)
        return psr_error_set(err, PSR_E_INVALID, "CredSSP acceptor without a certificate");
    if (o->version && (o->version < 2 || o->version > PSR_CREDSSP_VERSION))
        return psr_error_set(err, PSR_E_INVALID, "CredSSP versions are 2 to %d",
                             PSR_CREDSSP_VERSION);
    psr_credssp_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return nomem(err);
    c->is_acceptor = 1;
    c->version = o->version ? o->version : PSR_CREDSSP_VERSION;
    psr_gss_acceptor_options g = o->gss;
    g.server_cert_der = NULL;
    g.server_cert_der_len = 0;
    int rc = psr_gss_acceptor_new(&c->gss, &g, err);
    if (!rc)
        rc = psr_tls_channel_server(&c->tls, o->server->ssl_ctx, err);
    if (rc) {
        psr_credssp_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- shared steps ---- */

static int send_tsrequest(psr_credssp_ctx *c, const psr_tsrequest *r, psr_buf *out,
                          psr_error *err)
{
    psr_buf_reset(&c->scratch);
    int rc = psr_tsrequest_encode(r, &c->scratch, err);
    if (!rc)
        rc = psr_tls_channel_write(&c->tls, c->scratch.data, c->scratch.len, out, err);
    OPENSSL_cleanse(c->scratch.data, c->scratch.len);
    return rc;
}

/* "0xC000006D (STATUS_LOGON_FAILURE: wrong user name or password)". */
static void ntstatus_text(uint32_t status, char *buf, size_t size)
{
    static const struct { uint32_t code; const char *text; } known[] = {
        {0xC000006Du, "STATUS_LOGON_FAILURE: wrong user name or password"},
        {0xC0000022u, "STATUS_ACCESS_DENIED"},
        {0xC000006Eu, "STATUS_ACCOUNT_RESTRICTION"},
        {0xC000006Fu, "STATUS_INVALID_LOGON_HOURS"},
        {0xC0000070u, "STATUS_INVALID_WORKSTATION"},
        {0xC0000071u, "STATUS_PASSWORD_EXPIRED"},
        {0xC0000072u, "STATUS_ACCOUNT_DISABLED"},
        {0xC0000133u, "STATUS_TIME_DIFFERENCE_AT_DC: the clocks differ too much"},
        {0xC000015Bu, "STATUS_LOGON_TYPE_NOT_GRANTED"},
        {0xC0000193u, "STATUS_ACCOUNT_EXPIRED"},
        {0xC0000224u, "STATUS_PASSWORD_MUST_CHANGE"},
        {0xC0000234u, "STATUS_ACCOUNT_LOCKED_OUT"},
        {0x80090346u, "SEC_E_BAD_BINDINGS"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (known[i].code == status) {
            snprintf(buf, size, "0x%08X (%s)", status, known[i].text);
            return;
        }
    snprintf(buf, size, "0x%08X", status);
}

/* Decrypts the peer's TLS records and decodes the TSRequest in them. */
static int receive_tsrequest(psr_credssp_ctx *c, const void *in, size_t len, psr_tsrequest *r,
                             psr_error *err)
{
    psr_buf_reset(&c->plain);
    int rc = psr_tls_channel_read(&c->tls, in, len, &c->plain, err);
    if (rc)
        return rc;
    if (c->plain.len == 0)
        return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP %s sent no TSRequest",
                             c->is_acceptor ? "client" : "server");
    rc = psr_tsrequest_decode(r, c->plain.data, c->plain.len, &c->fields, err);
    if (rc)
        return rc;
    if (!c->is_acceptor && r->has_error_code) {
        char status[128];
        ntstatus_text(r->error_code, status, sizeof(status));
        return psr_error_set(err, PSR_E_AUTH, "the server refused the CredSSP logon with "
                                              "NTSTATUS %s", status);
    }
    if (r->version < 2)
        return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP peer announced version %ld",
                             r->version);
    if (!c->agreed)
        c->agreed = r->version < c->version ? (int)r->version : c->version;
    return 0;
}

/* What pubKeyAuth carries (MS-CSSP 3.1.5): with a nonce (version 5+), the
 * SHA-256 of the direction's magic (with its NUL), the nonce and the key;
 * without, the key itself, and from the server the key with its first
 * byte incremented. */
static int binding_value(psr_credssp_ctx *c, int server_to_client, psr_buf *out, psr_error *err)
{
    psr_buf_reset(out);
    if (!c->have_nonce) {
        if (psr_buf_append(out, c->public_key.data, c->public_key.len))
            return nomem(err);
        if (server_to_client)
            out->data[0] = (char)((unsigned char)out->data[0] + 1);
        return 0;
    }
    static const char c2s[] = "CredSSP Client-To-Server Binding Hash";
    static const char s2c[] = "CredSSP Server-To-Client Binding Hash";
    const char *magic = server_to_client ? s2c : c2s;
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, magic, sizeof(c2s)) && /* the NUL is hashed too */
             EVP_DigestUpdate(md, c->nonce, NONCE_LEN) &&
             EVP_DigestUpdate(md, c->public_key.data, c->public_key.len) &&
             EVP_DigestFinal_ex(md, hash, &n);
    EVP_MD_CTX_free(md);
    if (!ok || psr_buf_append(out, hash, n))
        return nomem(err);
    return 0;
}

/* Unseals pubKeyAuth and compares it with what it must be. */
static int check_binding(psr_credssp_ctx *c, psr_asn1_bytes sealed, int server_to_client,
                         psr_error *err)
{
    psr_buf got = {0}, want = {0};
    int rc = psr_gss_unwrap(c->gss, sealed.data, sealed.len, &got, err);
    if (!rc)
        rc = binding_value(c, server_to_client, &want, err);
    if (!rc && (got.len != want.len || CRYPTO_memcmp(got.data, want.data, got.len) != 0))
        rc = psr_error_set(err, PSR_E_AUTH,
                           "CredSSP public-key binding mismatch: the %s bound the exchange to "
                           "another TLS key (a machine in the middle, or a broken peer)%s",
                           server_to_client ? "server" : "client",
                           server_to_client ? "; the password was not sent" : "");
    psr_buf_free(&got);
    psr_buf_free(&want);
    return rc;
}

/* ---- the initiator ---- */

/* Sends the SPNEGO token, with the public-key binding once the inner
 * mechanism can seal it: with NTLM's last token (SPNEGO still waits for the
 * server's mechListMIC, and Windows wants the binding in that same
 * TSRequest), for Kerberos after the server's AP-REP. The server's version
 * must be known first, for the nonce. */
static int initiator_send_auth(psr_credssp_ctx *c, psr_buf *out, psr_error *err)
{
    psr_tsrequest r = {.version = c->version};
    if (c->token.len)
        r.nego_token = (psr_asn1_bytes){(const unsigned char *)c->token.data, c->token.len};
    if (c->agreed && c->agreed < c->min_version)
        return psr_error_set(err, PSR_E_AUTH,
                             "the server speaks CredSSP version %d, below the minimum %d "
                             "(versions before 5 lack the CVE-2018-0886 fix)",
                             c->agreed, c->min_version);
    psr_buf value = {0}, sealed = {0};
    int rc = PSR_E_STATE;
    if (c->agreed) {
        c->have_nonce = c->agreed >= VERSION_WITH_NONCE;
        if (c->have_nonce && RAND_bytes(c->nonce, NONCE_LEN) != 1)
            return psr_error_set(err, PSR_E_AUTH, "no random bytes for the CredSSP nonce");
        rc = binding_value(c, 0, &value, err);
        if (!rc)
            rc = psr_gss_wrap(c->gss, value.data, value.len, &sealed, err);
    }
    if (rc == 0) {
        r.pub_key_auth = (psr_asn1_bytes){(const unsigned char *)sealed.data, sealed.len};
        if (c->have_nonce)
            r.client_nonce = (psr_asn1_bytes){c->nonce, NONCE_LEN};
        c->state = CS_PUBKEY;
    } else if (rc == PSR_E_STATE && c->token.len) {
        rc = 0; /* not yet: the token goes alone */
        c->have_nonce = 0;
    } else if (rc == PSR_E_STATE) {
        rc = psr_error_set(err, PSR_E_AUTH, "the CredSSP authentication stalled: SPNEGO has "
                                            "no token to send and cannot seal yet");
    }
    if (!rc)
        rc = send_tsrequest(c, &r, out, err);
    psr_buf_free(&value);
    psr_buf_free(&sealed);
    return rc;
}

static int initiator_send_credentials(psr_credssp_ctx *c, psr_buf *out, psr_error *err)
{
    psr_buf creds = {0}, sealed = {0};
    int rc = psr_tscredentials_encode_password(c->domain.data, c->user.data, c->password.data,
                                               &creds, err);
    if (!rc)
        rc = psr_gss_wrap(c->gss, creds.data, creds.len, &sealed, err);
    if (!rc) {
        psr_tsrequest r = {.version = c->version};
        r.auth_info = (psr_asn1_bytes){(const unsigned char *)sealed.data, sealed.len};
        rc = send_tsrequest(c, &r, out, err);
    }
    wipe(&creds);
    wipe(&sealed);
    return rc;
}

static int initiator_step(psr_credssp_ctx *c, const void *in, size_t len, psr_buf *out,
                          int *done, psr_error *err)
{
    int rc = 0, gss_done = 0, finished = 0;
    psr_tsrequest r;
    switch (c->state) {
    case CS_TLS:
        rc = psr_tls_channel_handshake(&c->tls, in, len, out, &finished, err);
        if (rc || !finished)
            return rc;
        rc = psr_tls_channel_public_key(&c->tls, 1, &c->public_key, err);
        if (!rc)
            rc = psr_gss_step(c->gss, NULL, 0, &c->token, &gss_done, err);
        if (rc)
            return rc;
        c->state = CS_AUTH;
        return initiator_send_auth(c, out, err);
    case CS_AUTH:
        rc = receive_tsrequest(c, in, len, &r, err);
        if (rc)
            return rc;
        if (!r.nego_token.data || psr_gss_is_complete(c->gss))
            return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP server sent %s SPNEGO "
                                                      "token",
                                 r.nego_token.data ? "an unexpected" : "no");
        rc = psr_gss_step(c->gss, r.nego_token.data, r.nego_token.len, &c->token, &gss_done,
                          err);
        return rc ? rc : initiator_send_auth(c, out, err);
    case CS_PUBKEY:
        rc = receive_tsrequest(c, in, len, &r, err);
        if (rc)
            return rc;
        /* SPNEGO's final token (the server's mechListMIC) may come along. */
        if (r.nego_token.data && !psr_gss_is_complete(c->gss))
            rc = psr_gss_step(c->gss, r.nego_token.data, r.nego_token.len, &c->token,
                              &gss_done, err);
        if (rc)
            return rc;
        if (!r.pub_key_auth.data)
            return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP server did not answer the "
                                                      "public-key binding");
        rc = check_binding(c, r.pub_key_auth, 1, err);
        if (!rc)
            rc = initiator_send_credentials(c, out, err);
        if (!rc) {
            c->state = CS_DONE;
            *done = 1;
        }
        return rc;
    default:
        return psr_error_set(err, PSR_E_STATE, "the CredSSP exchange is already %s",
                             c->state == CS_DONE ? "complete" : "failed");
    }
}

/* ---- the acceptor ---- */

/* Versions 3, 4 and 6 tell the client why (MS-CSSP 2.2.1 errorCode). */
static void acceptor_send_error(psr_credssp_ctx *c, uint32_t status, psr_buf *out)
{
    int v = c->agreed ? c->agreed : c->version;
    if (v == 2 || v == 5)
        return;
    psr_tsrequest r = {.version = c->version, .has_error_code = 1, .error_code = status};
    send_tsrequest(c, &r, out, NULL);
}

static int acceptor_auth(psr_credssp_ctx *c, const psr_tsrequest *r, psr_buf *out,
                         psr_error *err)
{
    int gss_done = 0;
    psr_buf_reset(&c->token);
    if (r->nego_token.data) {
        if (psr_gss_is_complete(c->gss))
            return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP client sent a token after "
                                                      "the authentication completed");
        int rc = psr_gss_step(c->gss, r->nego_token.data, r->nego_token.len, &c->token,
                              &gss_done, err);
        if (rc) {
            acceptor_send_error(c, STATUS_LOGON_FAILURE, out);
            return rc;
        }
    }
    psr_tsrequest reply = {.version = c->version};
    if (c->token.len)
        reply.nego_token = (psr_asn1_bytes){(const unsigned char *)c->token.data, c->token.len};
    if (!r->pub_key_auth.data) {
        if (!r->nego_token.data)
            return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP client sent neither a token "
                                                      "nor the public-key binding");
        return send_tsrequest(c, &reply, out, err);
    }
    if (!psr_gss_is_complete(c->gss))
        return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP client sent the public-key "
                                                  "binding before the authentication completed");
    if (r->client_nonce.data) {
        if (r->client_nonce.len != NONCE_LEN)
            return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP clientNonce is %zu bytes, "
                                                      "not 32", r->client_nonce.len);
        memcpy(c->nonce, r->client_nonce.data, NONCE_LEN);
        c->have_nonce = 1;
    } else if (c->agreed >= VERSION_WITH_NONCE) {
        return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP client (version %d) sent no "
                                                  "clientNonce", c->agreed);
    }
    int rc = psr_tls_channel_public_key(&c->tls, 0, &c->public_key, err);
    if (!rc)
        rc = check_binding(c, r->pub_key_auth, 0, err);
    psr_buf value = {0}, sealed = {0};
    if (!rc)
        rc = binding_value(c, 1, &value, err);
    if (!rc)
        rc = psr_gss_wrap(c->gss, value.data, value.len, &sealed, err);
    if (!rc) {
        reply.pub_key_auth = (psr_asn1_bytes){(const unsigned char *)sealed.data, sealed.len};
        rc = send_tsrequest(c, &reply, out, err);
    }
    psr_buf_free(&value);
    psr_buf_free(&sealed);
    if (!rc)
        c->state = CS_CREDS;
    return rc;
}

static int acceptor_credentials(psr_credssp_ctx *c, const psr_tsrequest *r, psr_error *err)
{
    if (!r->auth_info.data)
        return psr_error_set(err, PSR_E_PROTOCOL, "the CredSSP client sent no credentials");
    psr_buf creds = {0};
    int rc = psr_gss_unwrap(c->gss, r->auth_info.data, r->auth_info.len, &creds, err);
    if (!rc)
        rc = psr_tscredentials_decode_password(creds.data, creds.len, &c->domain, &c->user,
                                               &c->password, err);
    wipe(&creds);
    return rc;
}

static int acceptor_step(psr_credssp_ctx *c, const void *in, size_t len, psr_buf *out,
                         int *done, psr_error *err)
{
    if (c->state == CS_DONE || c->state == CS_FAILED)
        return psr_error_set(err, PSR_E_STATE, "the CredSSP exchange is already %s",
                             c->state == CS_DONE ? "complete" : "failed");
    if (len == 0)
        return psr_error_set(err, PSR_E_AUTH, "the client sent an empty CredSSP token");
    int rc, finished = 0;
    psr_tsrequest r;
    if (c->state == CS_TLS) {
        rc = psr_tls_channel_handshake(&c->tls, in, len, out, &finished, err);
        if (!rc && finished)
            c->state = CS_AUTH;
        return rc;
    }
    rc = receive_tsrequest(c, in, len, &r, err);
    if (rc)
        return rc;
    if (c->state == CS_AUTH)
        return acceptor_auth(c, &r, out, err);
    rc = acceptor_credentials(c, &r, err);
    if (!rc) {
        c->state = CS_DONE;
        *done = 1;
    }
    return rc;
}

int psr_credssp_step(psr_credssp_ctx *c, const void *in, size_t in_len, psr_buf *out, int *done,
                     psr_error *err)
{
    *done = 0;
    psr_buf_reset(out);
    int rc = c->is_acceptor ? acceptor_step(c, in, in_len, out, done, err)
                            : initiator_step(c, in, in_len, out, done, err);
    if (rc < 0 && c->state != CS_DONE)
        c->state = CS_FAILED; /* unusable after one error */
    return rc;
}

/* ---- after completion ---- */

int psr_credssp_is_complete(const psr_credssp_ctx *c)
{
    return c && c->state == CS_DONE;
}

int psr_credssp_version(const psr_credssp_ctx *c)
{
    return c->agreed;
}

psr_gss_mech psr_credssp_negotiated_mech(const psr_credssp_ctx *c)
{
    return psr_gss_is_complete(c->gss) ? psr_gss_negotiated_mech(c->gss) : PSR_GSS_NEGOTIATE;
}

const char *psr_credssp_tls_version(const psr_credssp_ctx *c)
{
    return SSL_get_version(c->tls.ssl);
}

const char *psr_credssp_tls_cipher(const psr_credssp_ctx *c)
{
    return SSL_get_cipher_name(c->tls.ssl);
}

const char *psr_credssp_peer_name(const psr_credssp_ctx *c)
{
    return c->is_acceptor && psr_gss_is_complete(c->gss) ? psr_gss_peer_name(c->gss) : NULL;
}

const char *psr_credssp_delegated_domain(const psr_credssp_ctx *c)
{
    return c->is_acceptor && c->state == CS_DONE ? c->domain.data : NULL;
}

const char *psr_credssp_delegated_user(const psr_credssp_ctx *c)
{
    return c->is_acceptor && c->state == CS_DONE ? c->user.data : NULL;
}

const char *psr_credssp_delegated_password(const psr_credssp_ctx *c)
{
    return c->is_acceptor && c->state == CS_DONE ? c->password.data : NULL;
}

int psr_credssp_rejected_error(const psr_credssp_ctx *c, psr_error *err)
{
    const char *mech = psr_credssp_negotiated_mech(c) == PSR_GSS_KERBEROS ? "Kerberos" : "NTLM";
    return psr_error_set(err, PSR_E_AUTH,
                         "the server accepted the CredSSP (%s) authentication but refused the "
                         "delegated credentials for %s%s%s: check the password, that the "
                         "account may log on to the server, and that CredSSP is enabled "
                         "there (Enable-WSManCredSSP -Role Server)",
                         mech, c->domain.len ? c->domain.data : "", c->domain.len ? "\\" : "",
                         c->user.data ? c->user.data : "");
}

/* ---- message protection ---- */

int psr_credssp_wrap(psr_credssp_ctx *c, const void *data, size_t len, psr_buf *records,
                     size_t *trailer, psr_error *err)
{
    if (c->state != CS_DONE)
        return psr_error_set(err, PSR_E_STATE, "CredSSP message encryption needs a complete "
                                               "authentication first");
    if (len == 0 || len > 16384)
        return psr_error_set(err, PSR_E_INVALID, "CredSSP seals 1 to 16384 bytes at a time, "
                                                 "not %zu", len);
    psr_buf_reset(records);
    *trailer = psr_tls_channel_trailer(&c->tls, len);
    return psr_tls_channel_write(&c->tls, data, len, records, err);
}

int psr_credssp_unwrap(psr_credssp_ctx *c, const void *records, size_t len, psr_buf *plain,
                       psr_error *err)
{
    if (c->state != CS_DONE)
        return psr_error_set(err, PSR_E_STATE, "CredSSP message decryption needs a complete "
                                               "authentication first");
    return psr_tls_channel_read(&c->tls, records, len, plain, err);
}
