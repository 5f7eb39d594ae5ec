/* http_internal.h: the psr_http session object, shared by the files of
 * src/http (session and POST, error mapping, peer certificate). Not for use
 * outside src/http. */
#ifndef PSR_HTTP_INTERNAL_H
#define PSR_HTTP_INTERNAL_H

#include "src/http/http.h"

#include <curl/curl.h>

struct psr_http {
    CURL *curl;
    char *url;
    CURLU *parsed_url;   /* url, as libcurl reads it for every request */
    char *host;          /* host part of url, for messages */
    long port;           /* port of url (scheme default when absent) */
    int tls;             /* url is https */
    char *ca_file;       /* copies kept for messages; libcurl keeps its own */
    char *client_cert;
    int via_proxy;       /* an explicit proxy was given */
    long connect_timeout_ms;
    long request_timeout_ms;
    size_t max_response_bytes;
    int fresh_connection; /* psr_http_reset_connection was called */
    int close_after;      /* psr_http_close_after_next was called */
    int failed_to_connect; /* the last post failed before sending */
    char errbuf[CURL_ERROR_SIZE];

    /* State of the request in flight (between psr_http_start and
     * psr_http_finish). */
    psr_http_response *resp;
    struct curl_slist *headers;       /* this request's lines, then fixed_headers */
    struct curl_slist *headers_last;  /* the last of this request's own lines */
    struct curl_slist *fixed_headers; /* the lines every request sends, built once */
    int last_header_was_challenge; /* for folded WWW-Authenticate lines */
    int callback_oom;
    int response_too_large;

    /* DER of the server's leaf certificate on the current connection. */
    psr_buf peer_cert;
};

/* Maps a failed transfer to PSR_E_NETWORK / PSR_E_TLS / PSR_E_TIMEOUT /
 * PSR_E_LIMIT / PSR_E_NOMEM with a message that says what to try. Reads the
 * error buffer and transfer info of h. Returns the status. */
int psr_http_curl_error(psr_http *h, CURLcode rc, psr_error *err);

/* Refreshes h->peer_cert after a transfer over TLS (from CURLINFO_CERTINFO). */
void psr_http_peer_cert_update(psr_http *h);

/* Calls fn for every challenge in every WWW-Authenticate value of r, in
 * order: the scheme name and the text after it (both not NUL-terminated).
 * Stops and returns fn's value when it is non-zero; returns 0 otherwise. */
typedef int (*psr_http_challenge_fn)(const char *scheme, size_t scheme_len,
                                     const char *params, size_t params_len, void *ud);
int psr_http_challenges_each(const psr_http_response *r, psr_http_challenge_fn fn, void *ud);

#endif
