/* auth.c (harness): Basic, Negotiate, Kerberos and CredSSP on the server
 * side (see auth.h). The GSSAPI and CredSSP work is src/auth's acceptors;
 * this file decides what each request's Authorization header means for its
 * connection and which challenges go back, as WinRM answers them. */
#include "src/harness/auth.h"

#include "common/base64.h"
#include "src/auth/credssp.h"
#include "src/auth/gss.h"
#include "src/auth/sealing.h"
#include "src/harness/delegation.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct harness_conn_auth {
    const psr_credssp_server *credssp_identity;
    psr_gss_ctx *ctx;          /* the GSSAPI exchange in progress or done */
    psr_credssp_ctx *cred;     /* or the CredSSP one */
    int established;
    char user[256];
};

harness_conn_auth *harness_conn_auth_new(const psr_credssp_server *credssp_identity)
{
    harness_conn_auth *ca = calloc(1, sizeof(harness_conn_auth));
    if (ca)
        ca->credssp_identity = credssp_identity;
    return ca;
}

static void forget(harness_conn_auth *ca)
{
    psr_gss_free(ca->ctx);
    ca->ctx = NULL;
    psr_credssp_free(ca->cred);
    ca->cred = NULL;
    ca->established = 0;
    ca->user[0] = '\0';
}

void harness_conn_auth_free(harness_conn_auth *ca)
{
    if (!ca)
        return;
    forget(ca);
    free(ca);
}

void harness_auth_outcome_clear(harness_auth_outcome *o)
{
    for (size_t i = 0; i < HARNESS_AUTH_MAX_HEADERS; i++)
        psr_buf_free(&o->www[i]);
    memset(o, 0, sizeof(*o));
}

static int add_www(harness_auth_outcome *o, const char *value)
{
    if (o->n_www >= HARNESS_AUTH_MAX_HEADERS)
        return 0;
    psr_buf *b = &o->www[o->n_www++];
    psr_buf_reset(b);
    return psr_buf_puts(b, value) ? PSR_E_NOMEM : 0;
}

/* A 401 listing every scheme offered, in the order WinRM lists them. */
static int challenge(harness_auth_outcome *o, const harness_options *opts, const char *why)
{
    o->status = 401;
    for (size_t i = 0; i < o->n_www; i++)
        psr_buf_reset(&o->www[i]);
    o->n_www = 0;
    snprintf(o->why, sizeof(o->why), "%s", why);
    if ((opts->auth_schemes & HARNESS_AUTH_NEGOTIATE) && add_www(o, "Negotiate"))
        return PSR_E_NOMEM;
    if ((opts->auth_schemes & HARNESS_AUTH_KERBEROS) && add_www(o, "Kerberos"))
        return PSR_E_NOMEM;
    if ((opts->auth_schemes & HARNESS_AUTH_BASIC) && add_www(o, "Basic realm=\"WSMAN\""))
        return PSR_E_NOMEM;
    if ((opts->auth_schemes & HARNESS_AUTH_CREDSSP) && add_www(o, "CredSSP"))
        return PSR_E_NOMEM;
    return 0;
}

/* Constant-time for equal lengths, so the check does not leak the password. */
static int secret_equal(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b);
    return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

static int check_basic(const harness_options *opts, int tls, const char *token,
                       harness_auth_outcome *o)
{
    /* WinRM refuses Basic over plain HTTP unless AllowUnencrypted is set,
     * with the same 401 as for a wrong password. */
    if (!(opts->auth_schemes & HARNESS_AUTH_BASIC))
        return challenge(o, opts, "Basic is not offered");
    if (!tls && !opts->allow_unencrypted)
        return challenge(o, opts, "Basic over HTTP needs --allow-unencrypted");
    psr_buf plain = {0};
    int rc = 0;
    if (psr_base64_decode(&plain, token, strlen(token)) != 0 || !plain.data) {
        rc = challenge(o, opts, "Basic credentials are not base64");
        goto done;
    }
    const char *colon = memchr(plain.data, ':', plain.len);
    if (!colon) {
        rc = challenge(o, opts, "Basic credentials have no ':'");
        goto done;
    }
    size_t name_len = (size_t)(colon - plain.data);
    const char *password = colon + 1;
    size_t password_len = plain.len - name_len - 1;
    for (size_t i = 0; i < opts->n_users; i++) {
        const harness_user *u = &opts->users[i];
        if (strlen(u->name) == name_len && memcmp(u->name, plain.data, name_len) == 0 &&
            secret_equal(password, password_len, u->password)) {
            snprintf(o->user, sizeof(o->user), "%s", u->name);
            goto done;
        }
    }
    rc = challenge(o, opts, "wrong Basic user name or password");
done:
    if (plain.data)
        OPENSSL_cleanse(plain.data, plain.cap);
    psr_buf_free(&plain);
    return rc;
}

/* The exchange on this connection is done: peer is who it authenticated. */
static void established_as(harness_conn_auth *ca, const char *peer, harness_auth_outcome *o)
{
    ca->established = 1;
    snprintf(ca->user, sizeof(ca->user), "%s", peer ? peer : "");
    snprintf(o->user, sizeof(o->user), "%s", ca->user);
    o->gss = 1;
}

/* Puts "<scheme> <token>" into the 401's WWW-Authenticate (alone). */
static int answer_token(harness_auth_outcome *o, const char *scheme, const psr_buf *token,
                        psr_buf *scratch)
{
    o->n_www = 0;
    return psr_gss_format_header(scratch, scheme, token->data, token->len) ? PSR_E_NOMEM
                                                                           : add_www(o, scratch->data);
}

static psr_gss_acceptor_options acceptor_options(const harness_options *opts)
{
    psr_gss_acceptor_options ao = {
        .service_name = opts->service_name,
        .keytab = opts->keytab,
        .ntlm_user_file = opts->ntlm_user_file,
    };
    return ao;
}

static int new_acceptor(harness_conn_auth *ca, const harness_options *opts, int tls,
                        const void *cert_der, size_t cert_der_len, psr_error *err)
{
    forget(ca);
    psr_gss_acceptor_options ao = acceptor_options(opts);
    ao.server_cert_der = tls ? cert_der : NULL;
    ao.server_cert_der_len = tls ? cert_der_len : 0;
    ao.channel_binding_optional = !opts->require_channel_binding;
    return psr_gss_acceptor_new(&ca->ctx, &ao, err);
}

static int check_gss(harness_conn_auth *ca, const harness_options *opts, int tls,
                     const void *cert_der, size_t cert_der_len, const char *authorization,
                     int kerberos_scheme, harness_auth_outcome *o)
{
    if (!(opts->auth_schemes & (kerberos_scheme ? HARNESS_AUTH_KERBEROS : HARNESS_AUTH_NEGOTIATE)))
        return challenge(o, opts, kerberos_scheme ? "Kerberos is not offered"
                                                  : "Negotiate is not offered");
    psr_buf scheme = {0}, token = {0}, out = {0};
    psr_error err;
    int rc = 0, done = 0;
    if (psr_gss_parse_authorization(authorization, &scheme, &token, &err) != 0) {
        rc = challenge(o, opts, err.message);
        goto finish;
    }
    /* A token on an established connection starts a new exchange, as a
     * client re-authenticating does. */
    if (!ca->ctx || ca->established) {
        if (new_acceptor(ca, opts, tls, cert_der, cert_der_len, &err) != 0 ||
            psr_gss_set_scheme(ca->ctx, scheme.data, &err) != 0) {
            rc = challenge(o, opts, err.message);
            goto finish;
        }
    }
    if (psr_gss_step(ca->ctx, token.data, token.len, &out, &done, &err) != 0) {
        /* refused (wrong password, channel binding, ...): a fresh challenge,
         * and the next token starts over */
        psr_gss_free(ca->ctx);
        ca->ctx = NULL;
        rc = challenge(o, opts, err.message);
        goto finish;
    }
    o->n_www = 0;
    if (out.len || done)
        rc = answer_token(o, psr_gss_http_scheme(ca->ctx), &out, &scheme);
    if (!done) {
        o->status = 401;
        snprintf(o->why, sizeof(o->why), "authentication continues");
        goto finish;
    }
    established_as(ca, psr_gss_peer_name(ca->ctx), o);
finish:
    psr_buf_free(&scheme);
    if (token.data)
        OPENSSL_cleanse(token.data, token.cap);
    psr_buf_free(&token);
    psr_buf_free(&out);
    return rc;
}

/* One CredSSP leg: the TLS records in the token go to the acceptor, its
 * answer goes back in a 401 until it holds the delegated credentials,
 * which are checked as Windows checks them by logging the user on. */
static int check_credssp(harness_conn_auth *ca, const harness_options *opts,
                         const char *authorization, harness_auth_outcome *o)
{
    if (!(opts->auth_schemes & HARNESS_AUTH_CREDSSP) || !ca->credssp_identity)
        return challenge(o, opts, "CredSSP is not offered");
    psr_buf scheme = {0}, token = {0}, out = {0};
    psr_error err;
    int rc = 0, done = 0;
    if (psr_gss_parse_authorization(authorization, &scheme, &token, &err) != 0) {
        rc = challenge(o, opts, err.message);
        goto finish;
    }
    if (!ca->cred || ca->established) {
        forget(ca);
        psr_credssp_acceptor_options co = {.gss = acceptor_options(opts),
                                           .server = ca->credssp_identity,
                                           .version = opts->credssp_version};
        if (psr_credssp_acceptor_new(&ca->cred, &co, &err) != 0) {
            rc = challenge(o, opts, err.message);
            goto finish;
        }
    }
    if (psr_credssp_step(ca->cred, token.data, token.len, &out, &done, &err) != 0) {
        /* a 401 carrying the acceptor's errorCode TSRequest, if it has one */
        forget(ca);
        rc = challenge(o, opts, err.message);
        if (rc == 0 && out.len)
            rc = answer_token(o, "CredSSP", &out, &scheme);
        goto finish;
    }
    if (!done) {
        o->status = 401;
        snprintf(o->why, sizeof(o->why), "CredSSP continues");
        rc = answer_token(o, "CredSSP", &out, &scheme);
        goto finish;
    }
    const char *peer = psr_credssp_peer_name(ca->cred);
    char why[512];
    if (!harness_verify_delegated(opts, peer ? peer : "",
                                  psr_credssp_negotiated_mech(ca->cred) == PSR_GSS_KERBEROS,
                                  psr_credssp_delegated_domain(ca->cred),
                                  psr_credssp_delegated_user(ca->cred),
                                  psr_credssp_delegated_password(ca->cred), why, sizeof(why))) {
        forget(ca);
        rc = challenge(o, opts, why);
        goto finish;
    }
    if (opts->verbose)
        fprintf(stderr, "psremote-harness: %s (CredSSP version %d, %s %s)\n", why,
                psr_credssp_version(ca->cred), psr_credssp_tls_version(ca->cred),
                psr_credssp_tls_cipher(ca->cred));
    established_as(ca, peer, o);
finish:
    psr_buf_free(&scheme);
    if (token.data)
        OPENSSL_cleanse(token.data, token.cap);
    psr_buf_free(&token);
    psr_buf_free(&out);
    return rc;
}

int harness_auth_check(harness_conn_auth *ca, const harness_options *opts, int tls,
                       const void *cert_der, size_t cert_der_len, const char *authorization,
                       harness_auth_outcome *o)
{
    memset(o, 0, sizeof(*o));
    if (!authorization) {
        if (ca && ca->established) {
            snprintf(o->user, sizeof(o->user), "%s", ca->user);
            o->gss = 1;
            return 0;
        }
        return challenge(o, opts, "no credentials");
    }
    size_t n = strcspn(authorization, " ");
    if (n == 5 && strncasecmp(authorization, "Basic", 5) == 0)
        return check_basic(opts, tls, authorization + n + (authorization[n] ? 1 : 0), o);
    int negotiate = n == 9 && strncasecmp(authorization, "Negotiate", 9) == 0;
    int kerberos = n == 8 && strncasecmp(authorization, "Kerberos", 8) == 0;
    if ((negotiate || kerberos) && ca)
        return check_gss(ca, opts, tls, cert_der, cert_der_len, authorization, kerberos, o);
    if (n == 7 && strncasecmp(authorization, "CredSSP", 7) == 0 && ca)
        return check_credssp(ca, opts, authorization, o);
    return challenge(o, opts, "unsupported authentication scheme");
}

int harness_auth_unseal(harness_conn_auth *ca, const char *content_type, const void *body,
                        size_t len, psr_buf *plain, psr_error *err)
{
    if (ca->cred)
        return psr_sealing_unseal_credssp(ca->cred, content_type, body, len, 0, plain, err);
    return psr_sealing_unseal(ca->ctx, content_type, body, len, 0, plain, err);
}

int harness_auth_seal(harness_conn_auth *ca, const void *plain, size_t len, psr_buf *body,
                      psr_buf *content_type, psr_error *err)
{
    if (ca->cred)
        return psr_sealing_seal_credssp(ca->cred, plain, len, body, content_type, err);
    return psr_sealing_seal(ca->ctx, plain, len, body, content_type, err);
}

int harness_auth_challenge(const harness_options *opts, harness_auth_outcome *o)
{
    char why[sizeof(o->why)];
    snprintf(why, sizeof(why), "%s", o->why[0] ? o->why : "the request needs credentials");
    return challenge(o, opts, why);
}
