/* transport.c: posting WS-Man envelopes and classifying the answers (see
 * transport.h). */
#include "src/client/transport.h"

#include "src/client/auth.h"
#include "src/client/endpoint.h"
#include "src/client/trace.h"
#include "src/http/http.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct psr_transport {
    psr_http *http;
    psr_buf url;
    char host[256];
    psr_auth *auth;           /* authenticates the connection, seals on HTTP */
    psr_buf peer_cert;        /* server certificate, when auth asks for it */
    uint32_t max_envelope_size;
    uint32_t operation_timeout_ms;
    const char *locale;       /* borrowed from the options */
    const char *data_locale;
    /* Reused for every request: a Receive loop then works in the same
     * memory instead of allocating (and page-faulting) each reply anew. */
    psr_http_response reply;
    wsman_reader *reader;     /* reads every reply; NULL (no memory) works too */
    FILE *trace;              /* borrowed from the options, or NULL */
    psrp_redactor *redactor;  /* SecureStrings out of the trace, across envelopes */
    psr_connection_options conn; /* a copy (strings borrowed), for redirects */
    int powershell;           /* the URL carries PSVersion (endpoint.h) */
    int redirects_left;
    int connected_once;       /* a request got an answer: retries may follow */
    psr_buf visited;          /* URLs already used, one per line (loops) */
    psr_buf retargeted;       /* the envelope sent again after a redirect */
};

void psr_transport_http_options(const psr_connection_options *conn, const char *url,
                                psr_http_options *out)
{
    /* The HTTP timeout is a safety net behind the server's own
     * OperationTimeout: a server that stays silent well past it (a dead
     * peer, a dropped connection nobody reset) must not hang us. */
    *out = (psr_http_options){
        .url = url,
        .skip_ca_check = conn->skip_ca_check,
        .skip_cn_check = conn->skip_cn_check,
        .skip_revocation_check = conn->skip_revocation_check,
        .ca_file = conn->ca_file,
        /* --proxy wins; ProxyAccessType NoProxyServer means none; the other
         * access types mean the environment here (no IE/WinHTTP settings). */
        .proxy = conn->proxy ? conn->proxy
                 : conn->proxy_access == PSR_PROXY_NO_PROXY_SERVER ? ""
                                                                   : NULL,
        .proxy_auth = psr_auth_method_name(conn->proxy_auth),
        .proxy_user = conn->proxy_user,
        .proxy_password = conn->proxy_password,
        .client_cert = conn->auth == PSR_AUTH_CERTIFICATE ? conn->certificate_file : NULL,
        .client_key = conn->auth == PSR_AUTH_CERTIFICATE
                          ? (conn->certificate_key_file ? conn->certificate_key_file
                                                        : conn->certificate_file)
                          : NULL,
        .connect_timeout_ms = 30000,
        .request_timeout_ms = (long)conn->operation_timeout_ms + 60000,
    };
}

/* Opens the HTTP connection and the authenticator for t->url. */
static int connect_endpoint(psr_transport *t, psr_error *err)
{
    const psr_connection_options *conn = &t->conn;
    psr_endpoint_host(t->url.data, t->host, sizeof(t->host)); /* for messages, even on failure */
    psr_http_options ho;
    psr_transport_http_options(conn, t->url.data, &ho);
    psr_http_free(t->http);
    t->http = NULL;
    psr_auth_free(t->auth);
    t->auth = NULL;
    int rc = psr_http_new(&t->http, &ho, err);
    if (!rc)
        rc = psr_auth_new(&t->auth, conn, t->host, psr_http_port(t->http),
                          psr_http_is_tls(t->http), err);
    return rc;
}

/* Remembers a URL the transport was sent to, before any PSVersion query is
 * added, so a redirect back to it is seen as a loop. */
static int remember_url(psr_transport *t, const char *url, psr_error *err)
{
    if (psr_buf_puts(&t->visited, url) || psr_buf_putc(&t->visited, '\n'))
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

static int transport_new(psr_transport **out, const psr_connection_options *conn,
                         int powershell, const char *url, psr_error *err)
{
    *out = NULL;
    psr_transport *t = calloc(1, sizeof(*t));
    if (!t)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    t->conn = *conn;
    t->redirects_left = conn->maximum_redirection;
    int rc = url ? (psr_buf_puts(&t->url, url) ? psr_error_set(err, PSR_E_NOMEM, "out of memory")
                                               : 0)
                 : psr_endpoint_url(conn, &t->url, err);
    t->powershell = powershell;
    if (!rc)
        rc = remember_url(t, t->url.data, err);
    if (!rc && powershell && !url)
        rc = psr_endpoint_add_ps_version(&t->url, err);
    if (!rc)
        rc = connect_endpoint(t, err);
    if (rc)
        goto fail;
    t->reader = wsman_reader_new();
    t->trace = conn->trace;
    t->max_envelope_size = conn->max_envelope_size;
    t->operation_timeout_ms = conn->operation_timeout_ms;
    t->locale = conn->ui_culture;
    t->data_locale = conn->culture;
    *out = t;
    return 0;
fail:
    if (err && rc != PSR_E_NOMEM && t->host[0])
        psr_error_prefix(err, "%s", t->host);
    psr_transport_free(t);
    return rc;
}

int psr_transport_new(psr_transport **out, const psr_connection_options *conn,
                      psr_error *err)
{
    return transport_new(out, conn, 0, NULL, err);
}

int psr_transport_new_powershell(psr_transport **out, const psr_connection_options *conn,
                                 psr_error *err)
{
    return transport_new(out, conn, 1, NULL, err);
}

int psr_transport_new_like(psr_transport **out, const psr_transport *model, psr_error *err)
{
    int rc = transport_new(out, &model->conn, 0, model->url.data, err);
    if (!rc) {
        (*out)->max_envelope_size = model->max_envelope_size;
        (*out)->redirects_left = model->redirects_left;
    }
    return rc;
}

void psr_transport_free(psr_transport *t)
{
    if (!t)
        return;
    psr_http_free(t->http);
    psr_http_response_clear(&t->reply);
    wsman_reader_free(t->reader);
    psr_auth_free(t->auth);
    psr_buf_free(&t->peer_cert);
    psr_buf_free(&t->visited);
    psr_buf_free(&t->retargeted);
    psr_buf_free(&t->url);
    psrp_redactor_free(t->redactor);
    free(t);
}

const char *psr_transport_url(const psr_transport *t)
{
    return t->url.data;
}

const char *psr_transport_host(const psr_transport *t)
{
    return t->host;
}

void psr_transport_header(psr_transport *t, wsman_request_header *h,
                          const char *resource_uri, const char *shell_id,
                          char msgid[PSR_MESSAGE_ID_LEN])
{
    psr_uuid id;
    char text[PSR_UUID_STRLEN];
    if (psr_uuid_generate(&id) != 0)
        memset(&id, 0, sizeof(id)); /* RAND_bytes failing is fatal elsewhere first */
    psr_uuid_format(&id, 1, text);
    memcpy(msgid, "uuid:", 5);
    memcpy(msgid + 5, text, PSR_UUID_STRLEN);
    memset(h, 0, sizeof(*h));
    h->to = t->url.data;
    h->resource_uri = resource_uri;
    h->message_id = msgid;
    h->shell_id = shell_id;
    h->max_envelope_size = t->max_envelope_size;
    h->operation_timeout_ms = t->operation_timeout_ms;
    h->locale = t->locale;
    h->data_locale = t->data_locale;
}

void psr_transport_set_max_envelope_size(psr_transport *t, uint32_t bytes)
{
    t->max_envelope_size = bytes;
}

uint32_t psr_transport_max_envelope_size(const psr_transport *t)
{
    return t->max_envelope_size ? t->max_envelope_size : WSMAN_DEFAULT_MAX_ENVELOPE;
}

/* A fault names the machine that raised it; when it does not, say which
 * endpoint we were talking to. */
static int fault_error(const char *host, const wsman_response *resp, psr_error *err)
{
    wsman_fault_to_error(&resp->fault, err);
    if (err && !err->machine[0])
        psr_error_prefix(err, "%s", host);
    return PSR_E_FAULT;
}

int psr_transport_read_reply(wsman_reader *reader, const char *host, const char *url,
                             const psr_http_response *hr, const void *body, size_t len,
                             wsman_response *resp, psr_error *err)
{
    if (hr->status != 200) {
        /* A SOAP fault in the body says the most; otherwise the status does. */
        if (len > 0 && hr->status >= 400 && hr->status < 600) {
            psr_error perr;
            if (wsman_reader_parse(reader, body, len, resp, &perr) == 0 &&
                resp->kind == WSMAN_RESP_FAULT)
                return fault_error(host, resp, err);
            wsman_response_clear(resp);
        }
        return psr_http_status_error(hr, url, err); /* names the URL */
    }
    int rc = wsman_reader_parse(reader, body, len, resp, err);
    if (rc) {
        psr_error_prefix(err, "%s: the server's reply could not be read", host);
        return rc;
    }
    if (resp->kind == WSMAN_RESP_FAULT)
        return fault_error(host, resp, err);
    return 0;
}

/* Appends one exchange to the trace: envelopes only, never HTTP headers,
 * and SecureStrings redacted (trace.h). Without memory for that the
 * envelope is left out rather than written with its secrets. */
static void trace_write(psr_transport *t, const char *what, const void *text, size_t len)
{
    if (!t->trace)
        return;
    if (!t->redactor && !(t->redactor = psrp_redactor_new()))
        return;
    psr_buf redacted = {0};
    int rc = len ? psr_trace_redact(t->redactor, strstr(what, "response") != NULL, text, len,
                                    &redacted)
                 : 0;
    if (rc < 0) {
        psr_buf_free(&redacted);
        return;
    }
    if (rc == 1) {
        text = redacted.data;
        len = redacted.len;
    }
    flockfile(t->trace);
    fprintf(t->trace, "# %s %s\n", what, t->url.data);
    if (len)
        fwrite(text, 1, len, t->trace);
    fputc('\n', t->trace);
    fflush(t->trace);
    funlockfile(t->trace);
    psr_buf_free(&redacted);
}

/* A connection never needs more requests than this for one envelope: the
 * probe, the handshake legs, and the envelope (again after a restart). */
#define MAX_REQUESTS_PER_ENVELOPE 12

static int is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The server sent the request elsewhere. With allow_redirection the
 * transport moves to the new URL (new connection, new authentication: the
 * credentials go to the new host only because the user allowed it) and
 * the envelope is pointed there; otherwise the error says where and how. */
static int follow_redirect(psr_transport *t, const psr_buf **envelope, psr_error *err)
{
    const char *location = t->reply.location;
    if (!location || !*location)
        return psr_error_set(err, PSR_E_HTTP,
                             "%s answered HTTP %ld, a redirect without a Location", t->url.data,
                             t->reply.status);
    psr_buf target = {0};
    int rc = psr_endpoint_redirect_target(t->url.data, location, &target, err);
    if (rc)
        goto done;
    if (!t->conn.allow_redirection) {
        rc = psr_error_set(err, PSR_E_HTTP,
                           "%s redirects the connection to %s; to follow it, pass "
                           "--allow-redirection (MaximumRedirection limits how many times)",
                           t->url.data, target.data);
        goto done;
    }
    if (t->redirects_left <= 0) {
        rc = psr_error_set(err, PSR_E_HTTP,
                           "%s redirects to %s, but MaximumRedirection (%d) redirects were "
                           "already followed",
                           t->url.data, target.data, t->conn.maximum_redirection);
        goto done;
    }
    /* A URL seen before means a loop: whole lines of t->visited. */
    for (const char *p = t->visited.data; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n == target.len && strncmp(p, target.data, n) == 0) {
            rc = psr_error_set(err, PSR_E_HTTP,
                               "%s redirects back to %s, which redirected before: a redirect "
                               "loop; not followed",
                               t->url.data, target.data);
            goto done;
        }
        p = nl ? nl + 1 : p + n;
    }
    t->redirects_left--;
    psr_buf_reset(&t->url);
    if (psr_buf_append(&t->url, target.data, target.len)) {
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
        goto done;
    }
    /* PowerShell connects to the new URI as to any other: with PSVersion. */
    rc = remember_url(t, target.data, err);
    if (!rc && t->powershell)
        rc = psr_endpoint_add_ps_version(&t->url, err);
    if (!rc)
        rc = connect_endpoint(t, err);
    if (rc)
        goto done;
    if (*envelope != &t->retargeted) {
        psr_buf_reset(&t->retargeted);
        if (psr_buf_append(&t->retargeted, (*envelope)->data, (*envelope)->len)) {
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
            goto done;
        }
    }
    rc = wsman_request_retarget(&t->retargeted, t->url.data);
    if (rc)
        rc = psr_error_set(err, rc, "cannot point the request at %s", t->url.data);
    *envelope = &t->retargeted;
done:
    psr_buf_free(&target);
    return rc;
}

/* MaxConnectionRetryCount, as PowerShell's robust connections use it: once
 * the session has talked to the server, a request that could not even be
 * sent (the connection failed) is tried again, a second apart. Requests
 * that may have reached the server are never sent twice. */
static int post_with_retries(psr_transport *t, const psr_auth_request *req, psr_error *err)
{
    for (uint32_t attempt = 0;; attempt++) {
        int rc = psr_http_post(t->http, req->content_type, req->authorization, req->body,
                               req->len, &t->reply, err);
        if (rc == 0) {
            t->connected_once = 1;
            return 0;
        }
        if (!t->connected_once || !psr_http_last_failure_was_connect(t->http) ||
            attempt >= t->conn.max_connection_retry_count)
            return rc;
        sleep(1);
    }
}

/* Posts what the authenticator says until it has the envelope's reply;
 * body and len then give the (unsealed) reply body. */
static int exchange(psr_transport *t, const psr_buf *envelope, const void **body, size_t *len,
                    psr_error *err)
{
    psr_http_response *hr = &t->reply;
    for (int i = 0; i < MAX_REQUESTS_PER_ENVELOPE; i++) {
        psr_auth_request req;
        int rc = psr_auth_next_request(t->auth, envelope->data, envelope->len, &req, err);
        if (rc)
            return rc;
        int wants_cert = psr_auth_wants_peer_cert(t->auth);
        rc = post_with_retries(t, &req, err);
        if (rc) /* transport errors already name host and port */
            return rc;
        if (is_redirect(hr->status)) {
            rc = follow_redirect(t, &envelope, err);
            if (rc)
                return rc;
            continue;
        }
        psr_auth_reply reply = {
            .status = hr->status,
            .content_type = hr->content_type,
            .www_authenticate = hr->www_authenticate,
            .n_www_authenticate = hr->n_www_authenticate,
            .body = hr->body.data,
            .len = hr->body.len,
            .new_connection = psr_http_last_connection_was_new(t->http),
        };
        if (wants_cert && psr_http_peer_cert_der(t->http, &t->peer_cert, NULL) == 0) {
            reply.peer_cert_der = t->peer_cert.data;
            reply.peer_cert_der_len = t->peer_cert.len;
        }
        psr_auth_outcome outcome;
        rc = psr_auth_on_reply(t->auth, &reply, &outcome, body, len, err);
        if (rc) {
            if (err && !err->machine[0])
                psr_error_prefix(err, "%s", t->host);
            return rc;
        }
        if (outcome == PSR_AUTH_REPLY_READY)
            return 0;
    }
    return psr_error_set(err, PSR_E_AUTH,
                         "%s: authentication did not settle after %d requests; the server "
                         "keeps answering 401",
                         t->host, MAX_REQUESTS_PER_ENVELOPE);
}

int psr_transport_call(psr_transport *t, const psr_buf *envelope, wsman_response *resp,
                       psr_error *err)
{
    trace_write(t, "request to", envelope->data, envelope->len);
    psr_http_response *hr = &t->reply;
    const void *body = NULL;
    size_t len = 0;
    int rc = exchange(t, envelope, &body, &len, err);
    if (rc)
        return rc;
    trace_write(t, hr->status == 200 ? "response from" : "error response from", body, len);
    return psr_transport_read_reply(t->reader, t->host, t->url.data, hr, body, len, resp, err);
}
