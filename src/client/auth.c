/* auth.c: the connection authenticator (see auth.h): Basic, Certificate,
 * the GSSAPI methods and CredSSP, with WinRM message encryption on plain
 * HTTP. GSSAPI and CredSSP run the same handshake; the mech_* functions
 * below are the only places that tell them apart. */
#include "src/client/auth.h"

#include "src/auth/basic.h"
#include "src/auth/credssp.h"
#include "src/auth/gss.h"
#include "src/auth/sealing.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What WS-Man clients put in Authorization when the TLS client certificate
 * is the credential (DSP0226 security profile https/mutual; WinRM requires
 * the header, as pywinrm's certificate transport sends it). */
#define CERT_AUTHORIZATION "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

/* A handshake never needs more legs than this (NTLM: 2, SPNEGO: 3,
 * CredSSP: 5). */
#define MAX_LEGS 10

#define SCHEME_CREDSSP "CredSSP"

typedef enum auth_state {
    ST_STATIC,      /* Basic/Certificate: the same header on every request */
    ST_PROBE,       /* GSS: learning the offered schemes */
    ST_HANDSHAKE,   /* GSS: tokens going back and forth */
    ST_ESTABLISHED  /* GSS: the connection is authenticated */
} auth_state;

struct psr_auth {
    psr_auth_method method;
    auth_state state;
    int tls;
    int seal;            /* seal envelopes once established */
    int restarted;       /* the handshake started over for this envelope */
    int legs;
    /* GSS and CredSSP */
    psr_gss_initiator_options gss_opts; /* strings below, password borrowed */
    char *host, *user, *service;
    int credssp;         /* CredSSP (cred) rather than GSSAPI (ctx) */
    int credssp_min_version;
    psr_gss_ctx *ctx;
    psr_credssp_ctx *cred;
    psr_buf leg_out;     /* CredSSP's raw token before base64 */
    psr_buf cert_der;    /* server certificate for channel binding */
    psr_buf token;       /* last token from the server */
    char **offered;      /* WWW-Authenticate values of the probe's 401 */
    size_t n_offered;
    /* what we send and what we hand back */
    psr_buf authorization;
    psr_buf body;
    psr_buf content_type;
    psr_buf plain;
    char describe[64];
};

static int nomem(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void wipe_buf(psr_buf *b)
{
    if (b->data)
        OPENSSL_cleanse(b->data, b->cap);
    psr_buf_free(b);
}

static void free_offered(psr_auth *a)
{
    for (size_t i = 0; i < a->n_offered; i++)
        free(a->offered[i]);
    free(a->offered);
    a->offered = NULL;
    a->n_offered = 0;
}

static int is_gss_method(psr_auth_method m)
{
    return m == PSR_AUTH_DEFAULT || m == PSR_AUTH_NEGOTIATE || m == PSR_AUTH_NEGOTIATE_IMPLICIT ||
           m == PSR_AUTH_KERBEROS || m == PSR_AUTH_NTLM || m == PSR_AUTH_CREDSSP;
}

static int setup_gss(psr_auth *a, const psr_connection_options *conn, const char *host,
                     unsigned port, psr_error *err)
{
    a->host = strdup(host);
    int implicit = conn->auth == PSR_AUTH_NEGOTIATE_IMPLICIT;
    a->user = implicit ? NULL : dup_or_null(conn->user && *conn->user ? conn->user : NULL);
    a->service = dup_or_null(conn->spn_service);
    if (!a->host || (conn->user && *conn->user && !implicit && !a->user) ||
        (conn->spn_service && !a->service))
        return nomem(err);
    psr_gss_initiator_options *o = &a->gss_opts;
    o->mech = conn->auth == PSR_AUTH_KERBEROS ? PSR_GSS_KERBEROS
              : conn->auth == PSR_AUTH_NTLM   ? PSR_GSS_NTLM
                                              : PSR_GSS_NEGOTIATE;
    o->user = a->user;
    o->password = a->user ? conn->password : NULL;
    o->host = a->host;
    o->port = port;
    o->service = a->service;
    o->include_port_in_spn = conn->include_port_in_spn;
    o->delegate = conn->request_delegation;
    if (o->mech == PSR_GSS_NTLM && !a->user)
        return psr_error_set(err, PSR_E_INVALID,
                             "NTLM authentication needs a user name and password: pass "
                             "-u DOMAIN\\user (NTLM has no ticket cache)");
    a->credssp = conn->auth == PSR_AUTH_CREDSSP;
    a->credssp_min_version = conn->credssp_min_version;
    if (a->credssp && !a->user)
        return psr_error_set(err, PSR_E_INVALID,
                             "CredSSP authentication needs a user name and password: pass "
                             "-u DOMAIN\\user (CredSSP delegates the password to the server, "
                             "so a ticket cache is not enough)");
    a->seal = !a->tls && !conn->no_encryption;
    a->state = ST_PROBE;
    return 0;
}

int psr_auth_new(psr_auth **out, const psr_connection_options *conn, const char *host,
                 unsigned port, int tls, psr_error *err)
{
    *out = NULL;
    psr_auth *a = calloc(1, sizeof(*a));
    if (!a)
        return nomem(err);
    a->method = conn->auth;
    a->tls = tls;
    int rc = 0;
    switch (conn->auth) {
    case PSR_AUTH_BASIC:
        if (!conn->user || !*conn->user) {
            rc = psr_error_set(err, PSR_E_INVALID,
                               "Basic authentication needs a user name: pass -u USER");
            break;
        }
        rc = psr_basic_authorization(&a->authorization, conn->user,
                                     conn->password ? conn->password : "", tls,
                                     conn->allow_unencrypted, err);
        a->state = ST_STATIC;
        break;
    case PSR_AUTH_CERTIFICATE:
        if (!tls) {
            rc = psr_error_set(err, PSR_E_INVALID,
                               "Certificate authentication works over HTTPS only: add "
                               "--use-ssl or use an https:// connection URI");
            break;
        }
        if (!conn->certificate_file) {
            rc = psr_error_set(err, PSR_E_INVALID,
                               "Certificate authentication needs --certificate FILE (and "
                               "--certificate-key FILE unless the key is in the same file)");
            break;
        }
        rc = psr_buf_puts(&a->authorization, CERT_AUTHORIZATION) ? nomem(err) : 0;
        a->state = ST_STATIC;
        break;
    case PSR_AUTH_DIGEST:
        rc = psr_error_set(err, PSR_E_INVALID,
                           "WinRM does not accept Digest authentication; use Default "
                           "(Negotiate), Kerberos, NTLM, CredSSP, Basic or Certificate");
        break;
    default:
        rc = is_gss_method(conn->auth) ? setup_gss(a, conn, host, port, err)
                                       : psr_error_set(err, PSR_E_INVALID,
                                                       "unknown authentication method");
        break;
    }
    if (rc) {
        psr_auth_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void psr_auth_free(psr_auth *a)
{
    if (!a)
        return;
    psr_gss_free(a->ctx);
    psr_credssp_free(a->cred);
    wipe_buf(&a->leg_out);
    free(a->host);
    free(a->user);
    free(a->service);
    free_offered(a);
    psr_buf_free(&a->cert_der);
    wipe_buf(&a->token);
    wipe_buf(&a->authorization);
    wipe_buf(&a->plain);
    wipe_buf(&a->body);
    psr_buf_free(&a->content_type);
    free(a);
}

int psr_auth_wants_peer_cert(const psr_auth *a)
{
    return a->tls && a->state == ST_PROBE;
}

int psr_auth_is_sealing(const psr_auth *a)
{
    return a->seal && a->state == ST_ESTABLISHED;
}

const char *psr_auth_describe(const psr_auth *a)
{
    return a->describe[0] ? a->describe : psr_auth_method_name(a->method);
}

/* ---- the mechanism: GSSAPI or CredSSP ---- */

static const char *mech_scheme(const psr_auth *a)
{
    return a->credssp ? SCHEME_CREDSSP : psr_gss_http_scheme(a->ctx);
}

static int mech_is_complete(const psr_auth *a)
{
    return a->credssp ? psr_credssp_is_complete(a->cred) : psr_gss_is_complete(a->ctx);
}

/* Drops the context of the last handshake. */
static void mech_reset(psr_auth *a)
{
    psr_gss_free(a->ctx);
    a->ctx = NULL;
    psr_credssp_free(a->cred);
    a->cred = NULL;
}

/* A 401 that answered our last token: what the server refused. */
static int mech_rejected(const psr_auth *a, psr_error *err)
{
    if (!a->credssp)
        return psr_gss_rejected_error(a->ctx, err);
    if (psr_credssp_is_complete(a->cred))
        return psr_credssp_rejected_error(a->cred, err);
    return psr_error_set(err, PSR_E_AUTH,
                         "the server ended the CredSSP exchange without saying why: check "
                         "the user name and password, and that CredSSP is enabled on the "
                         "server (Enable-WSManCredSSP -Role Server)");
}

/* Steps the context with the server's token (NULL first) and formats the
 * next Authorization value (left empty when there is nothing to send). */
static int mech_step(psr_auth *a, const void *in, size_t len, int *done, psr_error *err)
{
    if (!a->credssp)
        return psr_gss_authorization(a->ctx, in, len, &a->authorization, done, err);
    int rc = psr_credssp_step(a->cred, in, len, &a->leg_out, done, err);
    psr_buf_reset(&a->authorization);
    if (rc == 0 && a->leg_out.len &&
        psr_gss_format_header(&a->authorization, SCHEME_CREDSSP, a->leg_out.data,
                              a->leg_out.len) < 0)
        rc = nomem(err);
    return rc;
}

/* Creates the context for a fresh handshake. */
static int mech_start(psr_auth *a, psr_error *err)
{
    mech_reset(a);
    a->gss_opts.server_cert_der = a->cert_der.len ? a->cert_der.data : NULL;
    a->gss_opts.server_cert_der_len = a->cert_der.len;
    if (a->credssp) {
        if (!psr_http_scheme_offered(SCHEME_CREDSSP, a->offered, a->n_offered))
            return psr_http_not_offered(err, "CredSSP",
                                        "enable it on the server with Enable-WSManCredSSP "
                                        "-Role Server,",
                                        a->offered, a->n_offered);
        psr_credssp_initiator_options o = {.gss = a->gss_opts,
                                           .min_version = a->credssp_min_version};
        return psr_credssp_initiator_new(&a->cred, &o, err);
    }
    int kerberos_scheme;
    int rc = psr_gss_scheme_offered(a->gss_opts.mech, a->offered, a->n_offered,
                                    &kerberos_scheme, err);
    if (!rc)
        rc = psr_gss_initiator_new(&a->ctx, &a->gss_opts, err);
    if (!rc)
        rc = psr_gss_select_scheme(a->ctx, a->offered, a->n_offered, err);
    return rc;
}

static int mech_seal(psr_auth *a, const void *envelope, size_t len, psr_error *err)
{
    return a->credssp ? psr_sealing_seal_credssp(a->cred, envelope, len, &a->body,
                                                 &a->content_type, err)
                      : psr_sealing_seal(a->ctx, envelope, len, &a->body, &a->content_type, err);
}

static int mech_unseal(psr_auth *a, const psr_auth_reply *r, psr_error *err)
{
    return a->credssp ? psr_sealing_unseal_credssp(a->cred, r->content_type, r->body, r->len, 0,
                                                   &a->plain, err)
                      : psr_sealing_unseal(a->ctx, r->content_type, r->body, r->len, 0,
                                           &a->plain, err);
}

/* ---- requests ---- */

static int seal_envelope(psr_auth *a, const void *envelope, size_t len, psr_auth_request *req,
                         psr_error *err)
{
    int rc = mech_seal(a, envelope, len, err);
    if (rc)
        return rc;
    req->body = a->body.data;
    req->len = a->body.len;
    req->content_type = a->content_type.data;
    return 0;
}

int psr_auth_next_request(psr_auth *a, const void *envelope, size_t len, psr_auth_request *req,
                          psr_error *err)
{
    memset(req, 0, sizeof(*req));
    switch (a->state) {
    case ST_STATIC:
        req->authorization = a->authorization.data;
        req->body = envelope;
        req->len = len;
        return 0;
    case ST_PROBE:
        req->body = "";
        return 0;
    case ST_HANDSHAKE:
        req->authorization = a->authorization.data;
        req->body = "";
        return 0;
    case ST_ESTABLISHED:
        if (a->seal)
            return seal_envelope(a, envelope, len, req, err);
        req->body = envelope;
        req->len = len;
        return 0;
    }
    return psr_error_set(err, PSR_E_STATE, "authentication state is corrupt");
}

/* ---- replies ---- */

static int keep_offered(psr_auth *a, const psr_auth_reply *r, psr_error *err)
{
    free_offered(a);
    if (r->n_www_authenticate == 0)
        return 0;
    a->offered = calloc(r->n_www_authenticate, sizeof(char *));
    if (!a->offered)
        return nomem(err);
    for (size_t i = 0; i < r->n_www_authenticate; i++) {
        a->offered[i] = strdup(r->www_authenticate[i]);
        if (!a->offered[i])
            return nomem(err);
        a->n_offered++;
    }
    return 0;
}

/* Creates the GSS context for a fresh handshake and formats its first
 * token. Kept apart from the probe so a restart on a new connection
 * reuses the scheme the server offered. */
static int start_handshake(psr_auth *a, psr_error *err)
{
    int done = 0;
    int rc = mech_start(a, err);
    if (!rc)
        rc = mech_step(a, NULL, 0, &done, err);
    if (rc)
        return rc;
    a->state = ST_HANDSHAKE;
    a->legs = 1;
    return 0;
}

/* A 401 says which schemes the server offers now (and, on HTTPS, came with
 * the certificate to bind to): keep both and start a handshake. */
static int restart_from_challenge(psr_auth *a, const psr_auth_reply *r,
                                  psr_auth_outcome *outcome, psr_error *err)
{
    if (r->n_www_authenticate) {
        int rc = keep_offered(a, r, err);
        if (rc)
            return rc;
    }
    if (a->tls && r->peer_cert_der_len) {
        psr_buf_reset(&a->cert_der);
        if (psr_buf_append(&a->cert_der, r->peer_cert_der, r->peer_cert_der_len))
            return nomem(err);
    }
    int rc = start_handshake(a, err);
    if (rc)
        return rc;
    *outcome = PSR_AUTH_SEND_AGAIN;
    return 0;
}

static int after_probe(psr_auth *a, const psr_auth_reply *r, psr_auth_outcome *outcome,
                       psr_error *err)
{
    if (r->status != 401) {
        /* Nothing to authenticate against: the server let an anonymous
         * request through (or the endpoint is wrong, and the envelope will
         * say so). Messages go unsealed: there is no key to seal with. */
        a->state = ST_ESTABLISHED;
        a->seal = 0;
        snprintf(a->describe, sizeof(a->describe), "none (the server asked for no credentials)");
        *outcome = PSR_AUTH_SEND_AGAIN;
        return 0;
    }
    return restart_from_challenge(a, r, outcome, err);
}

static int handshake_complete(psr_auth *a, psr_error *err)
{
    if (a->credssp) {
        if (!psr_credssp_is_complete(a->cred))
            return psr_error_set(err, PSR_E_AUTH,
                                 "the server answered 200 before the CredSSP exchange was "
                                 "complete (the credentials were not delegated); this server "
                                 "is not behaving like WinRM");
        snprintf(a->describe, sizeof(a->describe), "CredSSP/%s",
                 psr_credssp_negotiated_mech(a->cred) == PSR_GSS_KERBEROS ? "Kerberos" : "NTLM");
        a->state = ST_ESTABLISHED;
        wipe_buf(&a->authorization);
        return 0;
    }
    if (!psr_gss_is_complete(a->ctx))
        return psr_error_set(err, PSR_E_AUTH,
                             "the server accepted the credentials but did not complete "
                             "the %s exchange (no final token), so messages cannot be "
                             "protected; this server is not behaving like WinRM",
                             psr_gss_http_scheme(a->ctx));
    if (a->seal && !psr_gss_can_seal(a->ctx))
        return psr_error_set(err, PSR_E_AUTH,
                             "the %s context offers no encryption, which WinRM needs on "
                             "HTTP: use HTTPS (--use-ssl), or NoEncryption if the server "
                             "allows unencrypted traffic",
                             psr_gss_http_scheme(a->ctx));
    psr_gss_mech m = psr_gss_negotiated_mech(a->ctx);
    const char *scheme = psr_gss_http_scheme(a->ctx);
    const char *mech = m == PSR_GSS_KERBEROS ? "Kerberos" : m == PSR_GSS_NTLM ? "NTLM" : "SPNEGO";
    if (strcmp(scheme, mech) == 0)
        snprintf(a->describe, sizeof(a->describe), "%s", scheme);
    else
        snprintf(a->describe, sizeof(a->describe), "%s/%s", scheme, mech);
    a->state = ST_ESTABLISHED;
    wipe_buf(&a->authorization);
    return 0;
}

static int after_handshake_leg(psr_auth *a, const psr_auth_reply *r, psr_auth_outcome *outcome,
                               psr_error *err)
{
    const char *scheme = mech_scheme(a);
    int found = psr_gss_find_token(scheme, r->www_authenticate, r->n_www_authenticate, &a->token,
                                   err);
    if (found < 0) {
        psr_error_prefix(err, "the server's %s token", scheme);
        return found;
    }
    if (r->status == 401) {
        if (!found || mech_is_complete(a))
            return mech_rejected(a, err);
        if (++a->legs > MAX_LEGS)
            return psr_error_set(err, PSR_E_AUTH,
                                 "the %s exchange did not finish after %d legs; the server "
                                 "keeps asking for more",
                                 scheme, MAX_LEGS);
        int done = 0;
        int rc = mech_step(a, a->token.data, a->token.len, &done, err);
        if (rc)
            return rc;
        if (a->authorization.len == 0)
            return mech_rejected(a, err);
        *outcome = PSR_AUTH_SEND_AGAIN;
        return 0;
    }
    if (r->status != 200) {
        /* A fault or an HTTP error to the authentication leg itself: the
         * caller reports it as it would for the envelope. */
        *outcome = PSR_AUTH_REPLY_READY;
        return 1;
    }
    if (found && !a->credssp && !psr_gss_is_complete(a->ctx)) {
        int done = 0;
        int rc = psr_gss_step(a->ctx, a->token.data, a->token.len, &a->authorization, &done, err);
        if (rc) {
            psr_error_prefix(err, "checking the server's final %s token", scheme);
            return rc;
        }
    }
    int rc = handshake_complete(a, err);
    if (rc)
        return rc;
    *outcome = PSR_AUTH_SEND_AGAIN;
    return 0;
}

/* The server answered an envelope on an authenticated connection. */
static int after_envelope(psr_auth *a, const psr_auth_reply *r, psr_auth_outcome *outcome,
                          const void **body, size_t *len, psr_error *err)
{
    if (r->status == 401 && (a->ctx || a->cred)) {
        if (a->restarted)
            return mech_rejected(a, err);
        /* The connection (and the context bound to it) is gone, or the
         * server forgot it: authenticate again and resend, once. */
        a->restarted = 1;
        return restart_from_challenge(a, r, outcome, err);
    }
    a->restarted = 0;
    *outcome = PSR_AUTH_REPLY_READY;
    if (a->seal && r->content_type && psr_sealing_is_encrypted(r->content_type)) {
        int rc = mech_unseal(a, r, err);
        if (rc) {
            psr_error_prefix(err, "the server's encrypted reply");
            return rc;
        }
        *body = a->plain.data;
        *len = a->plain.len;
        return 0;
    }
    if (a->seal && r->status == 200 && r->len > 0)
        return psr_error_set(err, PSR_E_AUTH,
                             "the server answered an encrypted request in clear text "
                             "(Content-Type %s); refusing to trust it",
                             r->content_type ? r->content_type : "none");
    /* HTTP-level errors from the server's HTTP stack come unsealed. */
    *body = r->body;
    *len = r->len;
    return 0;
}

int psr_auth_on_reply(psr_auth *a, const psr_auth_reply *r, psr_auth_outcome *outcome,
                      const void **body, size_t *len, psr_error *err)
{
    *outcome = PSR_AUTH_REPLY_READY;
    *body = r->body;
    *len = r->len;
    switch (a->state) {
    case ST_STATIC:
        if (r->status == 401 && a->method == PSR_AUTH_CERTIFICATE)
            return psr_error_set(err, PSR_E_AUTH,
                                 "the server refused the client certificate: check that it "
                                 "is mapped to a user on the server (WinRM certificate "
                                 "mapping) and issued by a CA the server trusts");
        /* Basic's 401 is classified by the caller, which lists what the
         * server offers instead. */
        return 0;
    case ST_PROBE:
        return after_probe(a, r, outcome, err);
    case ST_HANDSHAKE: {
        int rc = after_handshake_leg(a, r, outcome, err);
        return rc > 0 ? 0 : rc;
    }
    case ST_ESTABLISHED:
        return after_envelope(a, r, outcome, body, len, err);
    }
    return psr_error_set(err, PSR_E_STATE, "authentication state is corrupt");
}
