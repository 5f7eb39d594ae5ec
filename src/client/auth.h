/* auth.h: how one HTTP connection to a WinRM endpoint authenticates, and
 * how its messages are protected.
 *
 * A psr_auth is a state machine with no I/O inside: the caller asks it what
 * to POST next for an envelope (psr_auth_next_request), sends that, and
 * hands it the reply (psr_auth_on_reply), which either completes the
 * envelope's exchange or asks for another request. The blocking transport
 * (transport.c) and an event loop over many connections drive the same
 * code.
 *
 * Methods, as Invoke-Command's -Authentication names them:
 *   Basic        "Basic <user:password>" on every request (HTTPS, or HTTP
 *                with allow_unencrypted).
 *   Certificate  the TLS client certificate authenticates; every request
 *                carries WS-Man's mutual-TLS Authorization value (DSP0226
 *                secprofile https/mutual), as WinRM expects.
 *   Negotiate, Kerberos, NTLM, NegotiateWithImplicitCredential, Default
 *                GSSAPI (gss.h), bound to the connection:
 *     1. probe: an empty POST without credentials; the 401 lists the
 *        schemes the server offers (and, on HTTPS, completes the TLS
 *        handshake whose certificate channel binding hashes);
 *     2. handshake: empty POSTs carrying the tokens until the server's 200
 *        (whose last token completes the context);
 *     3. the envelope: on HTTP sealed as multipart/encrypted (sealing.h)
 *        unless NoEncryption; on HTTPS as is. Replies are unsealed.
 *   A 401 on a connection that was authenticated means the server dropped
 *   it (or its context): the handshake starts over once, on the new
 *   connection, and the envelope is sent again.
 *
 * Authenticating with empty POSTs first costs a round trip or two per
 * connection, but a large envelope is sent once, not once per leg, and
 * SPNEGO can seal only after its final token, which arrives in the 200.
 *
 * Ownership: psr_auth_new copies what it needs from the options except the
 * password, which is borrowed (it must outlive the psr_auth, as every
 * string in psr_connection_options must). psr_auth_free wipes key material.
 * Pointers in a psr_auth_request stay valid until the next call on a. */
#ifndef PSR_CLIENT_AUTH_H
#define PSR_CLIENT_AUTH_H

#include "psremote/connection.h"

#include <stddef.h>

typedef struct psr_auth psr_auth;

/* host and port are the endpoint's (for the SPN); tls says https. Fails
 * with PSR_E_INVALID for a method that cannot work as asked (Digest, Basic
 * over HTTP without allow_unencrypted, Certificate over HTTP, Basic without
 * a user), saying what to do instead. */
int psr_auth_new(psr_auth **out, const psr_connection_options *conn, const char *host,
                 unsigned port, int tls, psr_error *err);
void psr_auth_free(psr_auth *a);

/* What to POST next. */
typedef struct psr_auth_request {
    const char *authorization; /* Authorization header value, or NULL */
    const char *content_type;  /* NULL: application/soap+xml;charset=UTF-8 */
    const void *body;          /* the (possibly sealed) envelope, or empty */
    size_t len;
} psr_auth_request;

/* Fills req for envelope/len: an authentication leg (empty body) while the
 * connection is not authenticated, else the envelope itself (sealed on
 * HTTP when the method seals). */
int psr_auth_next_request(psr_auth *a, const void *envelope, size_t len, psr_auth_request *req,
                          psr_error *err);

/* 1 when the next reply must come with the server certificate
 * (peer_cert_der in psr_auth_reply): on HTTPS, for channel binding, until
 * the handshake has started. */
int psr_auth_wants_peer_cert(const psr_auth *a);

/* The HTTP reply to the last request. */
typedef struct psr_auth_reply {
    long status;
    const char *content_type;       /* NULL when absent */
    char *const *www_authenticate;  /* every WWW-Authenticate value */
    size_t n_www_authenticate;
    const void *body;
    size_t len;
    int new_connection;             /* the request opened a new connection */
    const void *peer_cert_der;      /* see psr_auth_wants_peer_cert */
    size_t peer_cert_der_len;
} psr_auth_reply;

typedef enum psr_auth_outcome {
    PSR_AUTH_SEND_AGAIN = 0, /* call psr_auth_next_request again */
    PSR_AUTH_REPLY_READY     /* the reply answers the envelope */
} psr_auth_outcome;

/* Consumes a reply. With PSR_AUTH_REPLY_READY, *body and *len give the
 * reply body to parse: unsealed (pointing into a's memory until the next
 * call) or the reply's own. A status other than 200 may be READY too (a
 * fault, a 404): the caller classifies it. Fails with PSR_E_AUTH saying
 * what to fix (the server refused the credentials, offers no method we
 * can use, or answered in clear to a sealed request). */
int psr_auth_on_reply(psr_auth *a, const psr_auth_reply *reply, psr_auth_outcome *outcome,
                      const void **body, size_t *len, psr_error *err);

/* The method in use for messages ("Basic", "Negotiate/Kerberos",
 * "Negotiate/NTLM", "Kerberos", "Certificate", ...) once known. */
const char *psr_auth_describe(const psr_auth *a);

/* 1 once messages on this connection are sealed (HTTP with GSSAPI). */
int psr_auth_is_sealing(const psr_auth *a);

#endif
