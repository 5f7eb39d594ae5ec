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
 * caller and released with psr_http_response_clear. */
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
    long connect_timeout_ms;    /* 0 = 30 s */
    long request_timeout_ms;    /* whole request bound; 0 = none (the caller's deadline) */
} psr_http_options;

typedef struct psr_http psr_http;

typedef struct psr_http_response {
    long status;                /* HTTP status code */
    char *content_type;         /* Content-Type header value or NULL */
    char **www_authenticate;    /* every WWW-Authenticate value, in order */
    size_t n_www_authenticate;
    psr_buf body;
} psr_http_response;

int psr_http_new(psr_http **out, const psr_http_options *opts, psr_error *err);
void psr_http_free(psr_http *h);

/* Posts body with the given Content-Type (NULL means
 * "application/soap+xml;charset=UTF-8") and an optional Authorization header
 * value (e.g. "Basic ..."; NULL for none). Sends Accept-Encoding: identity.
 * Returns 0 whenever an HTTP response arrived (whatever its status; resp is
 * filled), or PSR_E_NETWORK / PSR_E_TLS / PSR_E_TIMEOUT with err saying what
 * failed and what to try. The Authorization value is never logged. */
int psr_http_post(psr_http *h, const char *content_type, const char *authorization,
                  const void *body, size_t len, psr_http_response *resp, psr_error *err);

/* Drops the kept-alive connection so the next request opens a new one. */
void psr_http_reset_connection(psr_http *h);

/* 1 if the URL is https. */
int psr_http_is_tls(const psr_http *h);
const char *psr_http_url(const psr_http *h);

void psr_http_response_clear(psr_http_response *r);

/* Turns a non-2xx response into an error a user can act on: 401 lists the
 * authentication methods the server offered; 413 says to lower
 * MaxEnvelopeSize; others give the status and what to try. A 500 response
 * carrying a SOAP fault is not handled here (the caller parses the fault). */
int psr_http_status_error(const psr_http_response *r, const char *url, psr_error *err);

#endif
