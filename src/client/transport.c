/* transport.c: posting WS-Man envelopes and classifying the answers (see
 * transport.h). */
#include "src/client/transport.h"

#include "src/client/auth.h"
#include "src/client/endpoint.h"
#include "src/http/http.h"

#include <stdlib.h>
#include <string.h>

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
    FILE *trace;              /* borrowed from the options, or NULL */
};

int psr_transport_new(psr_transport **out, const psr_connection_options *conn,
                      psr_error *err)
{
    *out = NULL;
    psr_transport *t = calloc(1, sizeof(*t));
    if (!t)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    int rc = psr_endpoint_url(conn, &t->url, err);
    if (rc)
        goto fail;
    psr_endpoint_host(t->url.data, t->host, sizeof(t->host));

    /* The HTTP timeout is a safety net behind the server's own
     * OperationTimeout: a server that stays silent well past it (a dead
     * peer, a dropped connection nobody reset) must not hang us. */
    psr_http_options ho = {
        .url = t->url.data,
        .skip_ca_check = conn->skip_ca_check,
        .skip_cn_check = conn->skip_cn_check,
        .skip_revocation_check = conn->skip_revocation_check,
        .ca_file = conn->ca_file,
        .proxy = conn->proxy,
        .client_cert = conn->auth == PSR_AUTH_CERTIFICATE ? conn->certificate_file : NULL,
        .client_key = conn->auth == PSR_AUTH_CERTIFICATE
                          ? (conn->certificate_key_file ? conn->certificate_key_file
                                                        : conn->certificate_file)
                          : NULL,
        .connect_timeout_ms = 30000,
        .request_timeout_ms = (long)conn->operation_timeout_ms + 60000,
    };
    rc = psr_http_new(&t->http, &ho, err);
    if (rc)
        goto fail;
    rc = psr_auth_new(&t->auth, conn, t->host, psr_endpoint_port(t->url.data),
                      psr_http_is_tls(t->http), err);
    if (rc)
        goto fail;
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

void psr_transport_free(psr_transport *t)
{
    if (!t)
        return;
    psr_http_free(t->http);
    psr_http_response_clear(&t->reply);
    psr_auth_free(t->auth);
    psr_buf_free(&t->peer_cert);
    psr_buf_free(&t->url);
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
static int fault_error(psr_transport *t, const wsman_response *resp, psr_error *err)
{
    wsman_fault_to_error(&resp->fault, err);
    if (err && !err->machine[0])
        psr_error_prefix(err, "%s", t->host);
    return PSR_E_FAULT;
}

/* The server answered with a status other than 200: a SOAP fault in the body
 * says the most; otherwise the status does. */
static int classify_failure(psr_transport *t, psr_http_response *hr, const void *body,
                            size_t len, wsman_response *resp, psr_error *err)
{
    if (len > 0 && hr->status >= 400 && hr->status < 600) {
        psr_error perr;
        if (wsman_parse_response(body, len, resp, &perr) == 0 &&
            resp->kind == WSMAN_RESP_FAULT) {
            return fault_error(t, resp, err);
        }
        wsman_response_clear(resp);
    }
    return psr_http_status_error(hr, t->url.data, err); /* names the URL */
}

/* Appends one exchange to the trace: envelopes only, never HTTP headers. */
static void trace_write(psr_transport *t, const char *what, const void *text, size_t len)
{
    if (!t->trace)
        return;
    flockfile(t->trace);
    fprintf(t->trace, "# %s %s\n", what, t->url.data);
    if (len)
        fwrite(text, 1, len, t->trace);
    fputc('\n', t->trace);
    fflush(t->trace);
    funlockfile(t->trace);
}

/* A connection never needs more requests than this for one envelope: the
 * probe, the handshake legs, and the envelope (again after a restart). */
#define MAX_REQUESTS_PER_ENVELOPE 12

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
        rc = psr_http_post(t->http, req.content_type, req.authorization, req.body, req.len, hr,
                           err);
        if (rc) /* transport errors already name host and port */
            return rc;
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
    if (hr->status != 200)
        return classify_failure(t, hr, body, len, resp, err);
    rc = wsman_parse_response(body, len, resp, err);
    if (rc) {
        psr_error_prefix(err, "%s: the server's reply could not be read", t->host);
        return rc;
    }
    if (resp->kind == WSMAN_RESP_FAULT)
        return fault_error(t, resp, err);
    return 0;
}
