/* fanout.c: a WinRS command on many hosts from one thread (see fanout.h).
 *
 * Each host_job walks Create -> Command -> Receive... -> Delete (with a
 * Signal Terminate first when the command is stopped before it is Done).
 * A step builds its envelope; the connection authenticator says what to
 * POST (authentication legs first, sealing on HTTP); libcurl's multi
 * interface carries the POST; the reply goes back through the
 * authenticator, then wsman/ reads it and the job takes its next step. */
#include "src/client/fanout.h"

#include "common/uuid.h"
#include "src/client/auth.h"
#include "src/client/endpoint.h"
#include "src/client/transport.h"
#include "wsman/wsman.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_THROTTLE 32u
/* Requests one envelope may take: authentication legs and a restart. */
#define MAX_REQUESTS_PER_ENVELOPE 12

typedef enum step { S_CREATE, S_COMMAND, S_RECEIVE, S_SIGNAL, S_DELETE, S_DONE } step;

typedef struct host_job {
    size_t index;
    const psr_connection_options *conn;
    psr_buf url;
    char host[256];
    psr_http *http;
    psr_auth *auth;
    psr_http_response reply;
    psr_buf envelope;
    psr_buf peer_cert;
    int requests;       /* requests for the current envelope */
    int wants_cert;     /* the authenticator asked for the certificate */
    int in_flight;      /* the easy handle is in the multi handle */
    step step;
    char *shell_id, *command_id;
    int exit_code;
    int failed;         /* err says why */
    psr_error err;
} host_job;

typedef struct fanout {
    CURLM *multi;
    host_job *jobs;
    size_t n, next, running, done, failed;
    unsigned throttle;
    int stopping;
    const psr_fanout_command *cmd;
    const psr_fanout_callbacks *cb;
    void *ctx;
} fanout;

static void progress(fanout *f)
{
    if (f->cb->on_progress)
        f->cb->on_progress(f->ctx, f->done, f->running, f->failed, f->n);
}

/* ---- building envelopes ---- */

static void fill_header(host_job *j, wsman_request_header *h, char msgid[PSR_MESSAGE_ID_LEN])
{
    psr_uuid id;
    char text[PSR_UUID_STRLEN];
    if (psr_uuid_generate(&id) != 0)
        memset(&id, 0, sizeof(id));
    psr_uuid_format(&id, 1, text);
    memcpy(msgid, "uuid:", 5);
    memcpy(msgid + 5, text, PSR_UUID_STRLEN);
    memset(h, 0, sizeof(*h));
    h->to = j->url.data;
    h->resource_uri = WSMAN_RESOURCE_CMD;
    h->message_id = msgid;
    h->shell_id = j->step == S_CREATE ? NULL : j->shell_id;
    h->max_envelope_size = j->conn->max_envelope_size;
    h->operation_timeout_ms = j->conn->operation_timeout_ms;
    h->locale = j->conn->ui_culture;
    h->data_locale = j->conn->culture;
}

static int build_envelope(fanout *f, host_job *j)
{
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    fill_header(j, &h, msgid);
    psr_buf_reset(&j->envelope);
    switch (j->step) {
    case S_CREATE: {
        wsman_option options[] = {
            {"WINRS_NOPROFILE", j->conn->no_machine_profile ? "TRUE" : "FALSE", 0},
            {"WINRS_CODEPAGE", "65001", 0},
        };
        h.options = options;
        h.n_options = 2;
        size_t n_env = f->cmd->n_env;
        wsman_env_var *env = n_env ? calloc(n_env, sizeof(*env)) : NULL;
        if (n_env && !env)
            return PSR_E_NOMEM;
        for (size_t i = 0; i < n_env; i++)
            env[i] = (wsman_env_var){f->cmd->env[i].name, f->cmd->env[i].value};
        wsman_shell_spec spec = {
            .input_streams = "stdin",
            .output_streams = "stdout stderr",
            .working_directory = f->cmd->working_directory,
            .env = env,
            .n_env = n_env,
            .idle_timeout_s = j->conn->idle_timeout_ms > 0
                                  ? (uint32_t)j->conn->idle_timeout_ms / 1000u
                                  : 0,
        };
        int rc = wsman_build_create_shell(&j->envelope, &h, &spec);
        free(env);
        return rc;
    }
    case S_COMMAND: {
        wsman_option options[] = {
            {"WINRS_CONSOLEMODE_STDIN", "TRUE", 0},
            {"WINRS_SKIP_CMD_SHELL", "FALSE", 0},
        };
        h.options = options;
        h.n_options = 2;
        wsman_command_spec spec = {
            .command = f->cmd->command,
            .arguments = f->cmd->arguments,
            .n_arguments = f->cmd->n_arguments,
        };
        return wsman_build_command(&j->envelope, &h, &spec);
    }
    case S_RECEIVE: {
        wsman_option options[] = {{"WSMAN_CMDSHELL_OPTION_KEEPALIVE", "TRUE", 0}};
        h.options = options;
        h.n_options = 1;
        return wsman_build_receive(&j->envelope, &h, j->command_id, "stdout stderr");
    }
    case S_SIGNAL:
        return wsman_build_signal(&j->envelope, &h, j->command_id, WSMAN_SIGNAL_TERMINATE);
    case S_DELETE:
        return wsman_build_delete_shell(&j->envelope, &h);
    case S_DONE:
        break;
    }
    return PSR_E_STATE;
}

/* ---- sending and finishing ---- */

static void finish(fanout *f, host_job *j)
{
    j->step = S_DONE;
    psr_http_free(j->http);
    j->http = NULL;
    psr_auth_free(j->auth);
    j->auth = NULL;
    psr_http_response_clear(&j->reply);
    psr_buf_free(&j->envelope);
    psr_buf_free(&j->peer_cert);
    psr_buf_free(&j->url);
    f->running--;
    f->done++;
    if (j->failed)
        f->failed++;
    if (f->cb->on_done)
        f->cb->on_done(f->ctx, j->index, j->exit_code, j->failed ? &j->err : NULL);
    free(j->shell_id);
    free(j->command_id);
    j->shell_id = j->command_id = NULL;
    progress(f);
}

static int send_request(fanout *f, host_job *j);

/* The next step: build its envelope and send it; DONE finishes the job. */
static void advance(fanout *f, host_job *j, step next)
{
    j->step = next;
    if (next == S_DONE) {
        finish(f, j);
        return;
    }
    j->requests = 0;
    int rc = build_envelope(f, j);
    if (rc) {
        psr_error_set(&j->err, PSR_E_NOMEM, "out of memory");
        j->failed = 1;
        finish(f, j);
        return;
    }
    if (send_request(f, j) != 0)
        finish(f, j); /* err was set */
}

/* A host fails: with a shell on the server, delete it first (once). */
static void fail(fanout *f, host_job *j)
{
    j->failed = 1;
    if (j->shell_id && j->step < S_DELETE)
        advance(f, j, S_DELETE);
    else
        finish(f, j);
}

static int send_request(fanout *f, host_job *j)
{
    if (++j->requests > MAX_REQUESTS_PER_ENVELOPE) {
        j->failed = 1;
        return psr_error_set(&j->err, PSR_E_AUTH,
                             "%s: authentication did not settle after %d requests", j->host,
                             MAX_REQUESTS_PER_ENVELOPE);
    }
    psr_auth_request req;
    int rc = psr_auth_next_request(j->auth, j->envelope.data, j->envelope.len, &req, &j->err);
    if (!rc) {
        j->wants_cert = psr_auth_wants_peer_cert(j->auth);
        rc = psr_http_start(j->http, req.content_type, req.authorization, req.body, req.len,
                            &j->reply, &j->err);
    }
    if (!rc) {
        CURL *easy = psr_http_easy_handle(j->http);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, j);
        if (curl_multi_add_handle(f->multi, easy) != CURLM_OK)
            rc = psr_error_set(&j->err, PSR_E_NOMEM, "cannot add a transfer to the event loop");
        else
            j->in_flight = 1;
    }
    if (rc)
        j->failed = 1;
    return rc;
}

/* The WS-Man reply to the current step's envelope. */
static void on_envelope_reply(fanout *f, host_job *j, const void *body, size_t len)
{
    wsman_response r = {0};
    psr_error err;
    int rc = psr_transport_read_reply(j->host, j->url.data, &j->reply, body, len, &r, &err);
    step next = S_DONE;
    if (rc == PSR_E_FAULT && j->step == S_RECEIVE && err.wsman_code == WSMAN_CODE_TIMED_OUT) {
        /* No output within OperationTimeout: poll again (or stop). */
        next = f->stopping ? S_SIGNAL : S_RECEIVE;
        rc = 0;
    } else if (rc && j->failed) {
        /* Cleaning up after an earlier error: keep that one. */
        next = j->step == S_SIGNAL ? S_DELETE : S_DONE;
        rc = 0;
    } else if (!rc) {
        switch (j->step) {
        case S_CREATE:
            if (!r.shell_id || !(j->shell_id = strdup(r.shell_id)))
                rc = psr_error_set(&err, PSR_E_PROTOCOL,
                                   "%s: the Create response carries no ShellId", j->host);
            next = f->stopping ? S_DELETE : S_COMMAND;
            break;
        case S_COMMAND:
            if (!r.command_id || !(j->command_id = strdup(r.command_id)))
                rc = psr_error_set(&err, PSR_E_PROTOCOL,
                                   "%s: the Command response carries no CommandId", j->host);
            next = f->stopping ? S_SIGNAL : S_RECEIVE;
            break;
        case S_RECEIVE:
            for (size_t i = 0; i < r.n_streams; i++) {
                const wsman_stream_chunk *c = &r.streams[i];
                if (c->data.len && f->cb->on_output)
                    f->cb->on_output(f->ctx, j->index,
                                     strcmp(c->name, "stderr") == 0 ? PSR_FANOUT_STDERR
                                                                     : PSR_FANOUT_STDOUT,
                                     c->data.data, c->data.len);
            }
            next = f->stopping ? S_SIGNAL : S_RECEIVE;
            if (r.has_command_state && r.command_state &&
                strcmp(r.command_state, WSMAN_STATE_DONE) == 0) {
                j->exit_code = r.has_exit_code ? r.exit_code : 0;
                /* The command is over and the shell goes next, which ends
                 * everything in it: no Terminate signal needed, one round
                 * trip fewer per host. */
                next = S_DELETE;
            }
            break;
        case S_SIGNAL: next = S_DELETE; break;
        case S_DELETE: next = S_DONE; break;
        case S_DONE: break;
        }
    }
    wsman_response_clear(&r);
    if (rc) {
        j->err = err;
        fail(f, j);
        return;
    }
    advance(f, j, next);
}

/* libcurl finished a transfer of j. */
static void on_transfer_done(fanout *f, host_job *j, CURLcode code)
{
    curl_multi_remove_handle(f->multi, psr_http_easy_handle(j->http));
    j->in_flight = 0;
    psr_error err;
    if (psr_http_finish(j->http, (int)code, &err) != 0) {
        if (j->failed) { /* the cleanup failed too: give up on the shell */
            finish(f, j);
            return;
        }
        j->err = err;
        fail(f, j);
        return;
    }
    psr_auth_reply reply = {
        .status = j->reply.status,
        .content_type = j->reply.content_type,
        .www_authenticate = j->reply.www_authenticate,
        .n_www_authenticate = j->reply.n_www_authenticate,
        .body = j->reply.body.data,
        .len = j->reply.body.len,
        .new_connection = psr_http_last_connection_was_new(j->http),
    };
    if (j->wants_cert && psr_http_peer_cert_der(j->http, &j->peer_cert, NULL) == 0) {
        reply.peer_cert_der = j->peer_cert.data;
        reply.peer_cert_der_len = j->peer_cert.len;
    }
    psr_auth_outcome outcome;
    const void *body;
    size_t len;
    if (psr_auth_on_reply(j->auth, &reply, &outcome, &body, &len, &err) != 0) {
        if (!err.machine[0])
            psr_error_prefix(&err, "%s", j->host);
        if (!j->failed)
            j->err = err;
        j->failed ? finish(f, j) : fail(f, j);
        return;
    }
    if (outcome == PSR_AUTH_SEND_AGAIN) {
        if (send_request(f, j) != 0)
            finish(f, j);
        return;
    }
    on_envelope_reply(f, j, body, len);
}

/* Opens a host's connection and sends its Create. */
static void start_host(fanout *f, host_job *j)
{
    f->running++;
    progress(f);
    psr_error err;
    int rc = psr_endpoint_url(j->conn, &j->url, &err);
    if (!rc) {
        psr_endpoint_host(j->url.data, j->host, sizeof(j->host));
        psr_http_options ho;
        psr_transport_http_options(j->conn, j->url.data, &ho);
        rc = psr_http_new(&j->http, &ho, &err);
    }
    if (!rc)
        rc = psr_auth_new(&j->auth, j->conn, j->host, psr_endpoint_port(j->url.data),
                          psr_http_is_tls(j->http), &err);
    if (rc) {
        j->err = err;
        j->failed = 1;
        finish(f, j);
        return;
    }
    advance(f, j, S_CREATE);
}

/* Ctrl+C: hosts not started are stopped; running commands are terminated
 * and their shells deleted. A Receive waiting on the server is abandoned
 * (its connection dropped) so the Signal need not wait for it. */
static void stop_all(fanout *f)
{
    f->stopping = 1;
    for (size_t i = f->next; i < f->n; i++) {
        host_job *j = &f->jobs[i];
        j->failed = 1;
        psr_error_set(&j->err, PSR_E_CANCELLED, "not started: stopped by the user");
        f->running++;
        finish(f, j);
    }
    f->next = f->n;
    for (size_t i = 0; i < f->n; i++) {
        host_job *j = &f->jobs[i];
        if (j->step != S_RECEIVE || !j->in_flight)
            continue;
        curl_multi_remove_handle(f->multi, psr_http_easy_handle(j->http));
        j->in_flight = 0;
        psr_http_finish(j->http, CURLE_ABORTED_BY_CALLBACK, NULL);
        psr_http_reset_connection(j->http);
        j->failed = 1;
        psr_error_set(&j->err, PSR_E_CANCELLED, "%s: stopped by the user", j->host);
        advance(f, j, S_SIGNAL);
    }
}

int psr_fanout_run_winrs(const psr_connection_options *conns, size_t n, unsigned throttle,
                         const psr_fanout_command *cmd, const psr_fanout_callbacks *cb,
                         void *ctx, int interrupt_fd, psr_error *err)
{
    fanout f = {.n = n, .throttle = throttle ? throttle : DEFAULT_THROTTLE, .cmd = cmd,
                .cb = cb, .ctx = ctx};
    f.jobs = calloc(n ? n : 1, sizeof(*f.jobs));
    f.multi = curl_multi_init();
    if (!f.jobs || !f.multi) {
        free(f.jobs);
        if (f.multi)
            curl_multi_cleanup(f.multi);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        f.jobs[i].index = i;
        f.jobs[i].conn = &conns[i];
    }
    int aborted = 0;
    while (f.done < f.n) {
        while (!f.stopping && f.running < f.throttle && f.next < f.n)
            start_host(&f, &f.jobs[f.next++]);
        int still = 0;
        curl_multi_perform(f.multi, &still);
        CURLMsg *m;
        int queued;
        while ((m = curl_multi_info_read(f.multi, &queued)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            host_job *j = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            if (j)
                on_transfer_done(&f, j, m->data.result);
        }
        if (f.done >= f.n)
            break;
        struct curl_waitfd extra = {.fd = interrupt_fd, .events = CURL_WAIT_POLLIN};
        int numfds = 0;
        curl_multi_poll(f.multi, interrupt_fd >= 0 ? &extra : NULL, interrupt_fd >= 0 ? 1 : 0,
                        1000, &numfds);
        if (interrupt_fd >= 0 && (extra.revents & CURL_WAIT_POLLIN)) {
            char byte;
            if (read(interrupt_fd, &byte, 1) < 0)
                byte = 0;
            if (f.stopping) { /* a second Ctrl+C: give up at once */
                aborted = 1;
                break;
            }
            stop_all(&f);
        }
    }
    for (size_t i = 0; i < f.n; i++) { /* only left after an abort */
        host_job *j = &f.jobs[i];
        if (j->in_flight)
            curl_multi_remove_handle(f.multi, psr_http_easy_handle(j->http));
        psr_http_free(j->http);
        psr_auth_free(j->auth);
        psr_http_response_clear(&j->reply);
        psr_buf_free(&j->envelope);
        psr_buf_free(&j->peer_cert);
        psr_buf_free(&j->url);
        free(j->shell_id);
        free(j->command_id);
    }
    curl_multi_cleanup(f.multi);
    free(f.jobs);
    if (aborted)
        return psr_error_set(err, PSR_E_CANCELLED,
                             "stopped without waiting (second Ctrl+C); shells may be left on "
                             "the computers that were running");
    return 0;
}
