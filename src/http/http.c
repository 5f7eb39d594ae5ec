/* http.c: the HTTP(S) session to one WinRM endpoint, over one libcurl easy
 * handle.
 *
 * The handle is reused for every POST, so the TCP/TLS connection stays alive
 * between requests; that matters for speed and because Negotiate/NTLM
 * authenticate the connection, not each request. HTTP/1.1 is forced for the
 * same reason (connection-bound auth does not exist in HTTP/2). Nothing here
 * prints or logs; the Authorization value is wiped from our header list after
 * each request.
 *
 * libcurl initialises itself on the first curl_easy_init; with libcurl >=
 * 7.84 built with atomics (Debian's) that is thread-safe, and a program that
 * cares may call curl_global_init itself before anything else. */
#include "config.h"

#include "src/http/http_internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_CONTENT_TYPE "application/soap+xml;charset=UTF-8"
#define USER_AGENT "psremote/" PACKAGE_VERSION
#define DEFAULT_CONNECT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_RESPONSE ((size_t)64 * 1024 * 1024)

static struct curl_slist *build_fixed_headers(void);
static void request_headers_free(psr_http *h);

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* ---- response ---------------------------------------------------------- */

static void response_drop_headers(psr_http_response *r)
{
    for (size_t i = 0; i < r->n_www_authenticate; i++)
        free(r->www_authenticate[i]);
    free(r->www_authenticate);
    r->www_authenticate = NULL;
    r->n_www_authenticate = 0;
    free(r->location);
    r->location = NULL;
}

/* Empties r but keeps the body's memory for the next response. */
static void response_reset(psr_http_response *r)
{
    response_drop_headers(r);
    free(r->content_type);
    r->content_type = NULL;
    r->status = 0;
    psr_buf_reset(&r->body);
}

void psr_http_response_clear(psr_http_response *r)
{
    if (!r)
        return;
    response_reset(r);
    psr_buf_free(&r->body);
}

/* ---- libcurl callbacks --------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    psr_http *h = ud;
    size_t len = size * n;
    psr_buf *body = &h->resp->body;
    if (len > h->max_response_bytes - body->len) {
        h->response_too_large = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (psr_buf_append(body, data, len)) {
        h->callback_oom = 1;
        return 0;
    }
    return len;
}

static int push_challenge(psr_http_response *r, const char *v, size_t len)
{
    char **list = realloc(r->www_authenticate, (r->n_www_authenticate + 1) * sizeof(*list));
    if (!list)
        return PSR_E_NOMEM;
    r->www_authenticate = list;
    char *copy = strndup(v, len);
    if (!copy)
        return PSR_E_NOMEM;
    list[r->n_www_authenticate++] = copy;
    return 0;
}

/* Appends a folded continuation line (obs-fold) to the last challenge. */
static int extend_challenge(psr_http_response *r, const char *v, size_t len)
{
    char **last = &r->www_authenticate[r->n_www_authenticate - 1];
    size_t old = strlen(*last);
    char *p = realloc(*last, old + 1 + len + 1);
    if (!p)
        return PSR_E_NOMEM;
    p[old] = ' ';
    memcpy(p + old + 1, v, len);
    p[old + 1 + len] = '\0';
    *last = p;
    return 0;
}

/* If line (len bytes, not NUL-terminated, CRLF removed) is the header
 * name, sets [*start, *stop) to its value without surrounding blanks. */
static int header_value(const char *line, size_t len, const char *name, size_t *start,
                        size_t *stop)
{
    size_t n = strlen(name);
    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
        return 0;
    size_t i = n + 1, j = len;
    while (i < j && (line[i] == ' ' || line[i] == '\t'))
        i++;
    while (j > i && (line[j - 1] == ' ' || line[j - 1] == '\t'))
        j--;
    *start = i;
    *stop = j;
    return 1;
}

/* Collects WWW-Authenticate and Location of the final response. Every status
 * line starts a new response (interim 1xx replies would otherwise leak their
 * headers into the final one). */
static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    psr_http *h = ud;
    size_t len = size * n;
    psr_http_response *r = h->resp;
    size_t end = len;
    while (end > 0 && (line[end - 1] == '\r' || line[end - 1] == '\n'))
        end--;

    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        response_drop_headers(r);
        h->last_header_was_challenge = 0;
        return len;
    }
    int rc = 0;
    size_t start = 0, stop = 0;
    if (end > 0 && (line[0] == ' ' || line[0] == '\t')) {
        /* obs-fold: a continuation of the previous header line. */
        start = 1;
        stop = end;
        while (start < stop && (line[start] == ' ' || line[start] == '\t'))
            start++;
        while (stop > start && (line[stop - 1] == ' ' || line[stop - 1] == '\t'))
            stop--;
        if (h->last_header_was_challenge && start < stop)
            rc = extend_challenge(r, line + start, stop - start);
    } else if (header_value(line, end, "WWW-Authenticate", &start, &stop)) {
        h->last_header_was_challenge = 1;
        rc = push_challenge(r, line + start, stop - start);
    } else {
        h->last_header_was_challenge = 0;
        if (header_value(line, end, "Location", &start, &stop)) {
            free(r->location);
            r->location = strndup(line + start, stop - start);
            rc = r->location ? 0 : PSR_E_NOMEM;
        }
    }
    if (rc) {
        h->callback_oom = 1;
        return 0;
    }
    return len;
}

/* ---- session ------------------------------------------------------------- */

static int parse_url(psr_http *h, const char *url, psr_error *err)
{
    CURLU *u = curl_url();
    if (!u)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory parsing the URL");
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
    int rc = 0;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "'%s' is not a valid URL (expected e.g. http://host:5985/wsman "
                           "or https://host:5986/wsman)", url);
    } else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        /* libcurl would send URL credentials as Basic, even over plain HTTP. */
        rc = psr_error_set(err, PSR_E_INVALID,
                           "the endpoint URL carries a user name or password; give "
                           "credentials with --user instead (the URL is shown in messages)");
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "unsupported URL scheme '%s' in '%s': WinRM uses http (port 5985) "
                           "or https (port 5986)", scheme, url);
    } else {
        h->tls = strcmp(scheme, "https") == 0;
        h->port = strtol(port, NULL, 10);
        h->host = strdup(host);
        h->url = strdup(url);
        if (!h->host || !h->url)
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(user);
    if (rc)
        curl_url_cleanup(u);
    else
        h->parsed_url = u;
    return rc;
}

#define SET(opt, val)                                                     \
    do {                                                                  \
        if (curl_easy_setopt(c, opt, val) != CURLE_OK)                    \
            return psr_error_set(err, PSR_E_INVALID,                      \
                                 "libcurl rejected option %s", #opt);     \
    } while (0)

/* TLS policy. Revocation: with the OpenSSL backend libcurl checks neither
 * CRLs nor OCSP unless asked to (CURLOPT_CRLFILE, CURLOPT_SSL_VERIFYSTATUS),
 * so on Linux no revocation check happens whether or not
 * SkipRevocationCheck is set; CURLSSLOPT_NO_REVOKE only changes Schannel
 * (Windows) builds, where revocation is checked by default. */
static int set_tls(CURL *c, const psr_http_options *o, psr_error *err)
{
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_SSL_VERIFYPEER, o->skip_ca_check ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, o->skip_cn_check ? 0L : 2L);
    if (o->skip_revocation_check)
        SET(CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_NO_REVOKE);
    if (o->ca_file)
        SET(CURLOPT_CAINFO, o->ca_file);
    if (o->client_cert) {
        SET(CURLOPT_SSLCERT, o->client_cert);
        SET(CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (o->client_key) {
        SET(CURLOPT_SSLKEY, o->client_key);
        SET(CURLOPT_SSLKEYTYPE, "PEM");
        /* An empty pass phrase: an encrypted key then fails with an error
         * instead of OpenSSL prompting on the terminal. */
        SET(CURLOPT_KEYPASSWD, "");
    }
    /* The peer certificate is needed for channel binding; CERTINFO is the
     * portable way to read it after the transfer. */
    SET(CURLOPT_CERTINFO, 1L);
    return 0;
}

/* 1 if a variable libcurl would take a proxy from is set (7.88's order:
 * http_proxy, never HTTP_PROXY; https_proxy or HTTPS_PROXY; then all_proxy
 * or ALL_PROXY); an empty value counts as unset, as libcurl has it. */
static int proxy_in_environment(int tls)
{
    static const char *const http_names[] = {"http_proxy", "all_proxy", "ALL_PROXY", NULL};
    static const char *const https_names[] = {"https_proxy", "HTTPS_PROXY", "all_proxy",
                                              "ALL_PROXY", NULL};
    for (const char *const *n = tls ? https_names : http_names; *n; n++) {
        const char *v = getenv(*n);
        if (v && *v)
            return 1;
    }
    return 0;
}

static int configure(psr_http *h, const psr_http_options *o, psr_error *err)
{
    CURL *c = h->curl;
    /* The parsed URL, not its text: libcurl would otherwise parse the text
     * again for every request. */
    SET(CURLOPT_CURLU, h->parsed_url);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_ERRORBUFFER, h->errbuf);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, h);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, h);
    /* Headers of a proxy's CONNECT reply are not the server's. */
    SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    /* One connection per session: a second cached one could be picked later
     * and lose the connection-bound authentication. */
    SET(CURLOPT_MAXCONNECTS, 1L);
    /* A name is resolved afresh for each new connection, and the DNS cache
     * stays empty: libcurl walks that whole cache after every request, which
     * in a fan-out over a thousand hosts costs more than resolving itself
     * (a session opens about one connection). */
    SET(CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    /* Long Receive polls sit idle for minutes; keep NAT/firewall state. */
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, h->request_timeout_ms);
    /* proxy == NULL: libcurl reads http_proxy, https_proxy and no_proxy.
     * With none of them set that is the same as "" (no proxy), which is said
     * once here instead of libcurl reading the environment for each request. */
    int may_use_proxy = o->proxy ? *o->proxy != '\0' : proxy_in_environment(h->tls);
    if (o->proxy && *o->proxy) {
        SET(CURLOPT_PROXY, o->proxy);
    } else if (!may_use_proxy) {
        SET(CURLOPT_PROXY, "");
        SET(CURLOPT_NOPROXY, "*");
    }
    /* The server gets User-Agent among the fixed header lines; a proxy's
     * CONNECT request takes it from this option. */
    if (may_use_proxy)
        SET(CURLOPT_USERAGENT, USER_AGENT);
    if (o->proxy_user) {
        long scheme = CURLAUTH_NEGOTIATE | CURLAUTH_NTLM;
        if (o->proxy_auth && strcasecmp(o->proxy_auth, "Basic") == 0)
            scheme = CURLAUTH_BASIC;
        else if (o->proxy_auth && strcasecmp(o->proxy_auth, "Digest") == 0)
            scheme = CURLAUTH_DIGEST;
        SET(CURLOPT_PROXYAUTH, scheme);
        SET(CURLOPT_PROXYUSERNAME, o->proxy_user);
        SET(CURLOPT_PROXYPASSWORD, o->proxy_password ? o->proxy_password : "");
    }
    return h->tls ? set_tls(c, o, err) : 0;
}

#undef SET

int psr_http_new(psr_http **out, const psr_http_options *opts, psr_error *err)
{
    *out = NULL;
    if (!opts || !opts->url)
        return psr_error_set(err, PSR_E_INVALID, "no endpoint URL given");
    if (opts->client_key && !opts->client_cert)
        return psr_error_set(err, PSR_E_INVALID,
                             "a client key was given without its client certificate");
    psr_http *h = calloc(1, sizeof(*h));
    if (!h)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    h->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
                                                         : DEFAULT_CONNECT_TIMEOUT_MS;
    h->request_timeout_ms = opts->request_timeout_ms > 0 ? opts->request_timeout_ms : 0;
    h->max_response_bytes = opts->max_response_bytes ? opts->max_response_bytes
                                                     : DEFAULT_MAX_RESPONSE;
    h->via_proxy = opts->proxy && *opts->proxy;
    int rc = parse_url(h, opts->url, err);
    if (!rc) {
        h->ca_file = dup_or_null(opts->ca_file);
        h->client_cert = dup_or_null(opts->client_cert);
        if ((opts->ca_file && !h->ca_file) || (opts->client_cert && !h->client_cert))
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    if (!rc) {
        h->curl = curl_easy_init();
        h->fixed_headers = build_fixed_headers();
        if (!h->curl || !h->fixed_headers)
            rc = psr_error_set(err, PSR_E_NOMEM, "cannot create a libcurl handle");
    }
    if (!rc)
        rc = configure(h, opts, err);
    if (rc) {
        psr_http_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void psr_http_free(psr_http *h)
{
    if (!h)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    request_headers_free(h); /* a request abandoned between start and finish */
    curl_slist_free_all(h->fixed_headers);
    curl_url_cleanup(h->parsed_url);
    free(h->url);
    free(h->host);
    free(h->ca_file);
    free(h->client_cert);
    psr_buf_free(&h->peer_cert);
    free(h);
}

/* The next request asks for a new connection; with MAXCONNECTS 1 libcurl
 * then closes the old one as soon as the new one is kept. */
void psr_http_reset_connection(psr_http *h)
{
    h->fresh_connection = 1;
    psr_buf_reset(&h->peer_cert);
}

void psr_http_close_after_next(psr_http *h)
{
    h->close_after = 1;
}

void psr_http_set_request_timeout(psr_http *h, long request_timeout_ms)
{
    h->request_timeout_ms = request_timeout_ms > 0 ? request_timeout_ms : 0;
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, h->request_timeout_ms);
}

int psr_http_last_connection_was_new(const psr_http *h)
{
    long new_connections = 0;
    curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &new_connections);
    return new_connections > 0;
}

int psr_http_is_tls(const psr_http *h)
{
    return h->tls;
}

const char *psr_http_url(const psr_http *h)
{
    return h->url;
}

const char *psr_http_host(const psr_http *h)
{
    return h->host;
}

unsigned psr_http_port(const psr_http *h)
{
    return (unsigned)h->port;
}

/* ---- POST ---------------------------------------------------------------- */

static int has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* Frees a header list after wiping it: it may hold the Authorization value. */
static void headers_free(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l; l = l->next)
        OPENSSL_cleanse(l->data, strlen(l->data));
    curl_slist_free_all(list);
}

/* Appends "name: value" (or name alone when value is NULL: "Expect:" tells
 * libcurl to send no such header). The scratch copy is wiped. */
static struct curl_slist *headers_add(struct curl_slist *list, int *failed, const char *name,
                                      const char *value)
{
    if (*failed)
        return list;
    psr_buf line = {0};
    struct curl_slist *next = NULL;
    int rc = psr_buf_puts(&line, name);
    if (!rc && value && !(rc = psr_buf_puts(&line, ": ")))
        rc = psr_buf_puts(&line, value);
    if (rc == 0)
        next = curl_slist_append(list, line.data);
    if (line.data)
        OPENSSL_cleanse(line.data, line.cap);
    psr_buf_free(&line);
    if (!next) {
        *failed = 1;
        return list;
    }
    return next;
}

/* The lines every request of a session sends, built once: libcurl 7.88
 * prints each header line character by character for every request, so
 * lines it would build itself from options (User-Agent) cost twice that. */
static struct curl_slist *build_fixed_headers(void)
{
    int failed = 0;
    struct curl_slist *list = NULL;
    list = headers_add(list, &failed, "User-Agent", USER_AGENT);
    /* identity: WinRM does not compress, and sealed bodies must be read as sent. */
    list = headers_add(list, &failed, "Accept-Encoding", "identity");
    /* No "Expect: 100-continue": WinRM does not need it, and the wait would
     * only delay every large Send. */
    list = headers_add(list, &failed, "Expect:", NULL);
    /* Nor libcurl's default Accept (any type): WinRM answers SOAP whatever
     * is asked. */
    list = headers_add(list, &failed, "Accept:", NULL);
    if (failed) {
        curl_slist_free_all(list);
        return NULL;
    }
    return list;
}

/* This request's own lines, followed by the session's fixed ones. */
static int build_headers(psr_http *h, const char *content_type, const char *authorization)
{
    int failed = 0;
    struct curl_slist *list = NULL;
    list = headers_add(list, &failed, "Content-Type", content_type);
    if (authorization)
        list = headers_add(list, &failed, "Authorization", authorization);
    if (failed) {
        headers_free(list);
        return -1;
    }
    struct curl_slist *last = list;
    while (last->next)
        last = last->next;
    last->next = h->fixed_headers;
    h->headers = list;
    h->headers_last = last;
    return 0;
}

/* Frees this request's own lines (wiped: Authorization); the fixed ones stay. */
static void request_headers_free(psr_http *h)
{
    if (!h->headers)
        return;
    h->headers_last->next = NULL;
    headers_free(h->headers);
    h->headers = NULL;
    h->headers_last = NULL;
}

int psr_http_start(psr_http *h, const char *content_type, const char *authorization,
                   const void *body, size_t len, psr_http_response *resp, psr_error *err)
{
    response_reset(resp);
    if (!content_type)
        content_type = DEFAULT_CONTENT_TYPE;
    if (has_crlf(content_type) || (authorization && has_crlf(authorization)))
        return psr_error_set(err, PSR_E_INVALID,
                             "a header value contains a line break; refusing to send it");
    request_headers_free(h); /* a request abandoned between start and finish */
    if (build_headers(h, content_type, authorization) != 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory building the request headers");

    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, (long)h->fresh_connection);
    h->fresh_connection = 0;
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, (long)h->close_after);
    h->close_after = 0;
    h->resp = resp;
    h->errbuf[0] = '\0';
    h->callback_oom = 0;
    h->response_too_large = 0;
    h->last_header_was_challenge = 0;
    return 0;
}

int psr_http_finish(psr_http *h, int curl_code, psr_error *err)
{
    CURL *c = h->curl;
    CURLcode rc = (CURLcode)curl_code;
    psr_http_response *resp = h->resp;
    /* Nothing of this request may outlive it. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    request_headers_free(h);
    h->resp = NULL;

    if (rc != CURLE_OK) {
        response_reset(resp);
        h->failed_to_connect = rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT ||
                               rc == CURLE_COULDNT_RESOLVE_PROXY;
        return psr_http_curl_error(h, rc, err);
    }
    h->failed_to_connect = 0;
    long status = 0;
    char *ctype = NULL;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
    resp->status = status;
    if (ctype) {
        resp->content_type = strdup(ctype);
        if (!resp->content_type) {
            response_reset(resp);
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        }
    }
    if (h->tls)
        psr_http_peer_cert_update(h);
    return 0;
}

int psr_http_post(psr_http *h, const char *content_type, const char *authorization,
                  const void *body, size_t len, psr_http_response *resp, psr_error *err)
{
    int rc = psr_http_start(h, content_type, authorization, body, len, resp, err);
    if (rc)
        return rc;
    return psr_http_finish(h, (int)curl_easy_perform(h->curl), err);
}

void *psr_http_easy_handle(psr_http *h)
{
    return h->curl;
}

int psr_http_last_failure_was_connect(const psr_http *h)
{
    return h->failed_to_connect;
}
