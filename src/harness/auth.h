/* auth.h (harness): who is talking on one client connection, and the keys
 * that protect its messages.
 *
 * WinRM authenticates connections, not requests: after a Negotiate or
 * Kerberos exchange the connection stays authenticated and, on HTTP, every
 * body is sealed with that exchange's keys (src/auth/sealing.h); after
 * CredSSP, with its TLS channel. One
 * harness_conn_auth lives as long as its TCP connection (server.c keeps it
 * in libmicrohttpd's per-connection context). Basic is checked on every
 * request against the --user accounts.
 *
 * Ownership: harness_conn_auth_new/free; the outcome's header values are
 * owned by the outcome (harness_auth_outcome_clear). */
#ifndef PSR_HARNESS_AUTH_H
#define PSR_HARNESS_AUTH_H

#include "common/buf.h"
#include "psremote/error.h"
#include "src/harness/harness.h"

typedef struct harness_conn_auth harness_conn_auth;

/* credssp_identity: the TLS identity CredSSP exchanges on this connection
 * use (shared, owned by the server), or NULL without CredSSP. */
typedef struct psr_credssp_server psr_credssp_server;
harness_conn_auth *harness_conn_auth_new(const psr_credssp_server *credssp_identity);
void harness_conn_auth_free(harness_conn_auth *ca);

#define HARNESS_AUTH_MAX_HEADERS 3

typedef struct harness_auth_outcome {
    unsigned status;   /* 0: authenticated, go on; else answer with it (401) */
    char user[256];    /* the authenticated user */
    int gss;           /* a GSSAPI context protects the connection */
    psr_buf www[HARNESS_AUTH_MAX_HEADERS]; /* WWW-Authenticate values to send */
    size_t n_www;
    char why[256];     /* for --verbose: why a request was refused */
} harness_auth_outcome;

void harness_auth_outcome_clear(harness_auth_outcome *o);

/* Checks one request's Authorization value (NULL when absent) on a
 * connection. tls says HTTPS; cert_der is this listener's certificate for
 * channel binding (NULL on HTTP). Fills out; returns PSR_E_NOMEM only. */
int harness_auth_check(harness_conn_auth *ca, const harness_options *opts, int tls,
                       const void *cert_der, size_t cert_der_len, const char *authorization,
                       harness_auth_outcome *out);

/* Certificate authentication (auth_cert.c): 1 when the Authorization value
 * is WS-Man's mutual-TLS one; then harness_auth_certificate checks the
 * connection's client certificate against --client-ca and --cert-user and
 * fills out (user = the certificate's subject CN, or a 401). */
struct MHD_Connection;
int harness_auth_is_certificate(const char *authorization);
int harness_auth_certificate(struct MHD_Connection *c, const harness_options *opts,
                             harness_auth_outcome *out);

/* Fills out as a 401 offering every scheme of opts. */
int harness_auth_challenge(const harness_options *opts, harness_auth_outcome *out);

/* On an authenticated GSSAPI connection: unseals a multipart/encrypted
 * request body into plain (replaced), and seals a reply into body and
 * content_type (replaced). */
int harness_auth_unseal(harness_conn_auth *ca, const char *content_type, const void *body,
                        size_t len, psr_buf *plain, psr_error *err);
int harness_auth_seal(harness_conn_auth *ca, const void *plain, size_t len, psr_buf *body,
                      psr_buf *content_type, psr_error *err);

#endif
