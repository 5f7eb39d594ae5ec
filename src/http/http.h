/* http.h: one HTTP(S) connection to a WinRM endpoint, over libcurl.
 *
 * A psr_http is what a session talks through: it keeps its connection alive
 * between requests (one libcurl easy handle), applies the TLS policy, the
 * proxy and the timeouts, and posts SOAP envelopes. It knows nothing about
 * WS-Man; it adds the Authorization header an auth provider gives it and
 * reports the status, headers and body that came back.
 *
 * Ownership: psr_http_new allocates, psr_http_free releases (NULL is a no-op).
 * Strings in psr_http_options are copied. A psr_http_response is owned by the
 * caller and released with psr_http_response_clear. A psr_http is used by one
 * thread at a time. */
#ifndef PSR_HTTP_H
#define PSR_HTTP_H

#include "common/buf.h"
#include "psremote/error.h"

#include <stddef.h>

typedef struct psr_http_options {
    const char *url;            /* full endpoint URL, e.g. https://h:5986/wsman */
    int skip_ca_check;          /* SkipCACheck: do not verify the chain */
    int skip_cn_check;          /* SkipCNCheck: do not verify the host name */
    int skip_revocation_check;  /* SkipRevocationCheck (no CRL/OCSP checks) */
    const char *ca_file;        /* PEM bundle to trust instead of the system store */
    const char *client_cert;    /* PEM client certificate (Certificate auth), or NULL */
    const char *client_key;     /* PEM private key for client_cert, or NULL */
    const char *proxy;          /* NULL: from the environment; "": none; else proxy URL */
    /* Proxy authentication (ProxyAuthentication, ProxyCredential): scheme
     * "Basic", "Digest" or "Negotiate" (NULL: Negotiate, PowerShell's
     * default), used only with a user; the password is never logged. */
    const char *proxy_auth;
    const char *proxy_user;
    const char *proxy_password;
    long connect_timeout_ms;    /* 0 = 30 s */
    long request_timeout_ms;    /* whole request bound; 0 = none (the caller's deadline) */
    size_t max_response_bytes;  /* larger bodies fail with PSR_E_LIMIT; 0 = 64 MiB */
} psr_http_options;

typedef struct psr_http psr_http;

typedef struct psr_http_response {
    long status;                /* HTTP status code */
    char *content_type;         /* Content-Type header value or NULL */
    char **www_authenticate;    /* every WWW-Authenticate value, in order */
    size_t n_www_authenticate;
    char *location;             /* Location header value (redirects) or NULL */
    psr_buf body;
} psr_http_response;

int psr_http_new(psr_http **out, const psr_http_options *opts, psr_error *err);
void psr_http_free(psr_http *h);

/* Posts body with the given Content-Type (NULL means
 * "application/soap+xml;charset=UTF-8") and an optional Authorization header
 * value (e.g. "Basic ..."; NULL for none). Sends Accept-Encoding: identity.
 * Returns 0 whenever an HTTP response arrived (whatever its status; resp is
 * filled), or PSR_E_NETWORK / PSR_E_TLS / PSR_E_TIMEOUT with err saying what
 * failed and what to try (also PSR_E_LIMIT when the body exceeds
 * max_response_bytes, PSR_E_INVALID for a header value with CR/LF). The
 * Authorization value is never logged. resp must be zeroed or hold an earlier
 * response, which is replaced (its body memory is reused). */
int psr_http_post(psr_http *h, const char *content_type, const char *authorization,
                  const void *body, size_t len, psr_http_response *resp, psr_error *err);

/* The same request in two halves, for an event loop that drives many
 * connections through one libcurl multi handle: psr_http_start prepares the
 * handle (psr_http_easy_handle, a CURL *) for the request; the loop adds it
 * to its multi handle, and when libcurl says the transfer is done (with
 * its CURLcode) and removes it, psr_http_finish fills resp as
 * psr_http_post would have. body must stay valid until then. */
int psr_http_start(psr_http *h, const char *content_type, const char *authorization,
                   const void *body, size_t len, psr_http_response *resp, psr_error *err);
int psr_http_finish(psr_http *h, int curl_code, psr_error *err);
void *psr_http_easy_handle(psr_http *h);

/* 1 if the last psr_http_post failed before anything was sent: the name
 * did not resolve or the connection was refused or timed out. Such a
 * request can be sent again safely (MaxConnectionRetryCount). */
int psr_http_last_failure_was_connect(const psr_http *h);

/* Drops the kept-alive connection so the next request opens a new one. */
void psr_http_reset_connection(psr_http *h);

/* The next request is the last this connection carries: libcurl closes it
 * once the reply is read instead of keeping it for reuse. An event loop
 * that ends many sessions calls this before each one's last request, so
 * its connection cache holds only connections still in use (libcurl walks
 * that cache on every request). */
void psr_http_close_after_next(psr_http *h);

/* 1 if the last completed request had to open a new connection (the first
 * one, after a reset, or because the server closed the kept-alive one), 0 if
 * it reused the connection. Connection-bound authentication (NTLM,
 * Negotiate, CredSSP) starts over on a new connection. */
int psr_http_last_connection_was_new(const psr_http *h);

/* Changes the whole-request bound for the following requests (0 = none), e.g.
 * OperationTimeout plus a margin for a Receive. */
void psr_http_set_request_timeout(psr_http *h, long request_timeout_ms);

/* Copies the DER encoding of the server's (leaf) certificate on the current
 * connection into out (replacing its contents), for channel binding
 * (RFC 5929 tls-server-end-point). Available after a request over HTTPS has
 * completed; fails with PSR_E_STATE before that or on plain HTTP. */
int psr_http_peer_cert_der(psr_http *h, psr_buf *out, psr_error *err);

/* 1 if the URL is https. */
int psr_http_is_tls(const psr_http *h);
const char *psr_http_url(const psr_http *h);
/* The URL's host as written in it (an IPv6 literal in brackets) and its
 * port (the scheme's default when it names none, as the SPN with
 * IncludePortInSPN needs): parsed once, by psr_http_new. */
const char *psr_http_host(const psr_http *h);
unsigned psr_http_port(const psr_http *h);

void psr_http_response_clear(psr_http_response *r);

/* Turns a non-2xx response into an error a user can act on: 401 lists the
 * authentication methods the server offered; 413 says to lower
 * MaxEnvelopeSize; others give the status and what to try. A 500 response
 * carrying a SOAP fault is not handled here (the caller parses the fault). */
int psr_http_status_error(const psr_http_response *r, const char *url, psr_error *err);

/* Looks for the challenge of scheme (case-insensitive, e.g. "Negotiate")
 * among the WWW-Authenticate values of r (RFC 7235: a value may hold several
 * comma-separated challenges). Returns 1 when offered, with what follows the
 * scheme name (a token68 or the auth-params; "" when the scheme stands alone)
 * written to params if not NULL; 0 when not offered; PSR_E_NOMEM. */
int psr_http_find_challenge(const psr_http_response *r, const char *scheme, psr_buf *params);

#endif
