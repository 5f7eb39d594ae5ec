/* fanout_twins.c: which of a fan-out's computers would share a connection.
 *
 * libcurl's multi handle keeps one connection cache for all its transfers
 * and hands an idle connection to any transfer for the same scheme, host
 * name and port. Connection-bound authentication (NTLM, Negotiate,
 * Kerberos, CredSSP) cannot survive that: one computer's sealed envelope
 * would go out on a connection the server has bound to another's security
 * context. So computers that name the same endpoint twice (a list with a
 * name repeated, or two config aliases for one server) run one after the
 * other: each waits for the one before it with the same endpoint. Basic and
 * certificate authentication are not bound to the connection and run side
 * by side as before. */
#include "src/client/fanout_engine.h"

#include "src/client/endpoint.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct keyed {
    char *key;
    size_t index;
} keyed;

static int connection_bound(psr_auth_method m)
{
    return m != PSR_AUTH_BASIC && m != PSR_AUTH_CERTIFICATE;
}

/* "scheme://host:port" as libcurl matches connections: the host name
 * without case, the port made explicit. NULL when the URL cannot be read
 * (the job then fails when it starts, on its own). */
static char *endpoint_key(const psr_connection_options *conn)
{
    psr_buf url = {0};
    psr_error err;
    char *key = NULL;
    if (psr_endpoint_url(conn, &url, &err) != 0) {
        psr_buf_free(&url);
        return NULL;
    }
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url.data, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        for (char *c = host; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        size_t len = strlen(scheme) + strlen(host) + strlen(port) + 5;
        key = malloc(len);
        if (key)
            snprintf(key, len, "%s://%s:%s", scheme, host, port);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    psr_buf_free(&url);
    return key;
}

static int by_key_then_index(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

int fanout_link_twins(host_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        jobs[i].twin_prev = jobs[i].twin_next = FANOUT_NO_TWIN;
    keyed *k = calloc(n ? n : 1, sizeof(*k));
    if (!k)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!connection_bound(jobs[i].conn->auth))
            continue;
        char *key = endpoint_key(jobs[i].conn);
        if (key)
            k[m++] = (keyed){key, i};
    }
    qsort(k, m, sizeof(*k), by_key_then_index);
    for (size_t i = 1; i < m; i++) {
        if (strcmp(k[i - 1].key, k[i].key) == 0) {
            jobs[k[i].index].twin_prev = k[i - 1].index;
            jobs[k[i - 1].index].twin_next = k[i].index;
        }
    }
    for (size_t i = 0; i < m; i++)
        free(k[i].key);
    free(k);
    return 0;
}
