/* dispatch.c: one WS-Management request in, one response envelope out.
 *
 * Parses the envelope with wsman/, checks the resource and the selectors
 * the verb needs, runs the verb on the WinRS table and builds the reply
 * (or the fault Windows would send; see faults.c). Returns the HTTP status. */
#include "src/harness/harness.h"
#include "src/harness/ps_server.h"
#include "src/harness/reply.h"

#include "common/uuid.h"
#include "wsman/wsman.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What Windows reports in IdentifyResponse. An anonymous Identify gets no
 * operating-system version (Test-WSMan without credentials shows these
 * zeros); an authenticated one gets a Windows Server 2022 version. */
#define IDENTIFY_VENDOR "Microsoft Corporation"
#define IDENTIFY_VERSION_ANONYMOUS "OS: 0.0.0 SP: 0.0 Stack: 3.0"
#define IDENTIFY_VERSION "OS: 10.0.20348 SP: 0.0 Stack: 3.0"

/* Raw output bytes per ReceiveResponse: what fits the client's
 * MaxEnvelopeSize once base64 (4/3) and ~4 KB of envelope are counted,
 * and never more than this (Windows sends a few tens of KB at a time). */
#define RECEIVE_CHUNK_MAX (64u * 1024u)
#define ENVELOPE_OVERHEAD 4096u

typedef harness_reply reply_ctx;

static int fault_for(reply_ctx *r, harness_result res, const char *detail)
{
    switch (res) {
    case HARNESS_NO_SHELL: return harness_reply_fault(r, HARNESS_FAULT_SHELL_NOT_FOUND, r->req->shell_id);
    case HARNESS_NO_COMMAND: return harness_reply_fault(r, HARNESS_FAULT_COMMAND_NOT_FOUND, NULL);
    case HARNESS_TIMED_OUT: return harness_reply_fault(r, HARNESS_FAULT_TIMED_OUT, NULL);
    case HARNESS_BAD_DIRECTORY:
        return harness_reply_fault(r, HARNESS_FAULT_BAD_DIRECTORY, r->req->working_directory);
    case HARNESS_BAD_REQUEST: return harness_reply_fault(r, HARNESS_FAULT_INVALID_PARAMETER, detail);
    case HARNESS_SPAWN_FAILED: return harness_reply_fault(r, HARNESS_FAULT_INTERNAL, detail);
    case HARNESS_SHUTTING_DOWN: return harness_reply_fault(r, HARNESS_FAULT_INTERNAL, "the server is stopping");
    default: return harness_reply_fault(r, HARNESS_FAULT_INTERNAL, "out of memory");
    }
}


static int do_create(reply_ctx *r)
{
    const wsman_request *q = r->req;
    harness_env *env = calloc(q->n_env ? q->n_env : 1, sizeof(*env));
    if (!env)
        return fault_for(r, HARNESS_NOMEM, NULL);
    for (size_t i = 0; i < q->n_env; i++)
        env[i] = (harness_env){q->env[i].name ? q->env[i].name : "",
                               q->env[i].value ? q->env[i].value : ""};
    harness_shell_spec spec = {q->working_directory, env, q->n_env};
    /* WINRS_CODEPAGE sets the console code page a Windows program encodes
     * its text in; the bytes themselves pass through unchanged. Programs
     * here write UTF-8 (code page 65001) and the harness passes their bytes
     * through unchanged too, so the option is checked, not applied. */
    const char *cp = wsman_request_option(q, "WINRS_CODEPAGE");
    char *cp_end = NULL;
    if (cp && (strtoul(cp, &cp_end, 10) == 0 || *cp_end)) {
        free(env);
        return fault_for(r, HARNESS_BAD_REQUEST, "WINRS_CODEPAGE is not a code page number");
    }
    char shell_id[PSR_UUID_STRLEN];
    harness_result res = harness_winrs_create(r->ctx->winrs, &spec, shell_id, sizeof(shell_id));
    free(env);
    if (res != HARNESS_OK)
        return fault_for(r, res, "an Environment variable name is empty or contains '='");
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_CREATE_RESPONSE);
    return harness_reply_built(r, wsman_build_create_response(
                        r->out, &h, q->to ? q->to : WSMAN_ANONYMOUS, WSMAN_RESOURCE_CMD, shell_id,
                        q->input_streams ? q->input_streams : "stdin",
                        q->output_streams ? q->output_streams : "stdout stderr"));
}

static int do_command(reply_ctx *r)
{
    const wsman_request *q = r->req;
    if (!q->command || !*q->command)
        return fault_for(r, HARNESS_BAD_REQUEST, "the CommandLine has no Command");
    psr_buf line = {0};
    if (harness_command_line(&line, q->command, q->arguments, q->n_arguments) < 0)
        return fault_for(r, HARNESS_NOMEM, NULL);
    char command_id[PSR_UUID_STRLEN];
    psr_error err = {0};
    harness_result res = harness_winrs_command(r->ctx->winrs, q->shell_id, line.data,
                                               q->command_id, command_id, sizeof(command_id),
                                               &err);
    psr_buf_free(&line);
    if (res != HARNESS_OK)
        return fault_for(r, res, err.message);
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_COMMAND_RESPONSE);
    return harness_reply_built(r, wsman_build_command_response(r->out, &h, command_id));
}

static int do_send(reply_ctx *r)
{
    const wsman_request *q = r->req;
    for (size_t i = 0; i < q->n_streams; i++) {
        const wsman_stream_chunk *c = &q->streams[i];
        if (c->name && strcmp(c->name, "stdin") != 0)
            return fault_for(r, HARNESS_BAD_REQUEST, "only the stdin stream can be sent to");
        const char *cid = c->command_id ? c->command_id : q->command_id;
        harness_result res = harness_winrs_send(r->ctx->winrs, q->shell_id, cid, c->data.data,
                                                c->data.len, c->end);
        if (res != HARNESS_OK)
            return fault_for(r, res, NULL);
    }
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_SEND_RESPONSE);
    return harness_reply_built(r, wsman_build_empty_response(r->out, &h));
}

static int do_receive(reply_ctx *r)
{
    const wsman_request *q = r->req;
    uint32_t max_env = q->max_envelope_size ? q->max_envelope_size : WSMAN_DEFAULT_MAX_ENVELOPE;
    size_t budget = max_env > ENVELOPE_OVERHEAD * 2 ? (max_env - ENVELOPE_OVERHEAD) / 4 * 3 : 1024;
    if (budget > RECEIVE_CHUNK_MAX)
        budget = RECEIVE_CHUNK_MAX;
    uint32_t timeout = q->operation_timeout_ms ? q->operation_timeout_ms
                                               : HARNESS_DEFAULT_OPERATION_TIMEOUT_MS;
    if (timeout > r->ctx->opts->operation_timeout_max_ms)
        timeout = r->ctx->opts->operation_timeout_max_ms;
    if (!q->command_id) /* a cmd shell has no shell-level output */
        return fault_for(r, HARNESS_NO_COMMAND, NULL);

    harness_output o = {0};
    harness_result res = harness_winrs_receive(r->ctx->winrs, q->shell_id, q->command_id, budget,
                                               timeout, &o);
    int status;
    if (res != HARNESS_OK) {
        status = fault_for(r, res, NULL);
    } else {
        /* Windows names the streams with the CommandId and marks the last
         * chunk of each End="true" in the response that reports Done. */
        wsman_out_stream s[2];
        size_t n = 0;
        if (o.out.len || o.done)
            s[n++] = (wsman_out_stream){"stdout", q->command_id, o.out.data, o.out.len, o.done};
        if (o.err.len || o.done)
            s[n++] = (wsman_out_stream){"stderr", q->command_id, o.err.data, o.err.len, o.done};
        wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_RECEIVE_RESPONSE);
        status = harness_reply_built(r, wsman_build_receive_response(
                              r->out, &h, s, n, q->command_id,
                              o.done ? WSMAN_STATE_DONE : WSMAN_STATE_RUNNING,
                              o.done ? o.exit_code : -1));
    }
    psr_buf_free(&o.out);
    psr_buf_free(&o.err);
    return status;
}

static int do_signal(reply_ctx *r)
{
    const wsman_request *q = r->req;
    const char *code = q->signal_code ? q->signal_code : "";
    int terminate;
    if (strcasecmp(code, WSMAN_SIGNAL_TERMINATE) == 0)
        terminate = 1;
    else if (strcasecmp(code, WSMAN_SIGNAL_CTRL_C) == 0 || strcmp(code, WSMAN_SIGNAL_PS_CTRL_C) == 0)
        terminate = 0;
    else
        return fault_for(r, HARNESS_BAD_REQUEST, "unknown Signal Code");
    harness_result res = harness_winrs_signal(r->ctx->winrs, q->shell_id, q->command_id, terminate);
    if (res != HARNESS_OK)
        return fault_for(r, res, NULL);
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_SIGNAL_RESPONSE);
    return harness_reply_built(r, wsman_build_empty_response(r->out, &h));
}

static int do_delete(reply_ctx *r)
{
    harness_result res = harness_winrs_delete(r->ctx->winrs, r->req->shell_id);
    if (res != HARNESS_OK)
        return fault_for(r, res, NULL);
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_DELETE_RESPONSE);
    return harness_reply_built(r, wsman_build_empty_response(r->out, &h));
}

static int route(reply_ctx *r, int anonymous_identify)
{
    const wsman_request *q = r->req;
    if (q->kind == WSMAN_REQ_IDENTIFY)
        return harness_reply_built(r, wsman_build_identify_response(
                            r->out, IDENTIFY_VENDOR,
                            anonymous_identify ? IDENTIFY_VERSION_ANONYMOUS : IDENTIFY_VERSION));
    if (anonymous_identify)
        return 401; /* only Identify may be sent without credentials */
    if (q->kind == WSMAN_REQ_UNKNOWN)
        return harness_reply_fault(r, HARNESS_FAULT_ACTION_NOT_SUPPORTED, q->action ? q->action : "(none)");
    if (r->ctx->ps && harness_ps_is_resource(q->resource_uri)) {
        if (q->kind != WSMAN_REQ_CREATE && !q->shell_id)
            return harness_reply_fault(r, HARNESS_FAULT_SHELLID_REQUIRED, NULL);
        return harness_ps_handle(r->ctx->ps, q, r->ctx->machine,
                                 r->ctx->opts->operation_timeout_max_ms, r->out);
    }
    if (!q->resource_uri || strcasecmp(q->resource_uri, WSMAN_RESOURCE_CMD) != 0)
        return harness_reply_fault(r, HARNESS_FAULT_DESTINATION_UNREACHABLE,
                     q->resource_uri ? q->resource_uri : "(none)");
    if (q->kind != WSMAN_REQ_CREATE && !q->shell_id)
        return harness_reply_fault(r, HARNESS_FAULT_SHELLID_REQUIRED, NULL);
    switch (q->kind) {
    case WSMAN_REQ_CREATE: return do_create(r);
    case WSMAN_REQ_COMMAND: return do_command(r);
    case WSMAN_REQ_SEND: return do_send(r);
    case WSMAN_REQ_RECEIVE: return do_receive(r);
    case WSMAN_REQ_SIGNAL: return do_signal(r);
    case WSMAN_REQ_DELETE: return do_delete(r);
    default: return harness_reply_fault(r, HARNESS_FAULT_ACTION_NOT_SUPPORTED, q->action ? q->action : "(none)");
    }
}

static const char *verb_name(wsman_request_kind kind)
{
    switch (kind) {
    case WSMAN_REQ_IDENTIFY: return "Identify";
    case WSMAN_REQ_CREATE: return "Create";
    case WSMAN_REQ_DELETE: return "Delete";
    case WSMAN_REQ_COMMAND: return "Command";
    case WSMAN_REQ_SEND: return "Send";
    case WSMAN_REQ_RECEIVE: return "Receive";
    case WSMAN_REQ_SIGNAL: return "Signal";
    default: return "unknown action";
    }
}

int harness_dispatch(const harness_dispatch_ctx *ctx, const char *body, size_t len,
                     int anonymous_identify, psr_buf *reply, const char **verb)
{
    wsman_request req = {0};
    psr_error err = {0};
    reply_ctx r = {ctx, NULL, reply, ctx->machine, {0}};
    int status;
    if (wsman_parse_request(body, len, &req, &err) < 0) {
        /* Without a parsed request there is no identity to check either:
         * an anonymous caller learns only that credentials are needed. */
        status = anonymous_identify ? 401 : harness_reply_fault(&r, HARNESS_FAULT_INVALID_XML, err.message);
        if (verb)
            *verb = "malformed request";
    } else {
        if (verb)
            *verb = verb_name(req.kind);
        r.req = &req;
        status = route(&r, anonymous_identify);
    }
    wsman_request_clear(&req);
    return status;
}
