/* powershell.c: the public PowerShell remoting API (psremote/powershell.h):
 * sessions, commands, invoke and events, as a thin layer over the internal
 * session engine (psrp_session.h), which does the wire work. What this file
 * adds: opaque handles instead of internal types, commands built from text
 * and JSON, events with flattened records, and the refusal of host calls
 * the application leaves unanswered, so a script never waits forever. */
#include "src/client/powershell_impl.h"

#include "psrp/json_input.h"
#include "psrp/show.h"

#include <stdlib.h>
#include <string.h>

static int nomem(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

/* ---- sessions ---- */

int psr_ps_session_open(psr_ps_session **out, const psr_connection_options *conn,
                        const char *configuration_name, psr_error *err)
{
    if (!out || !conn)
        return psr_error_set(err, PSR_E_INVALID,
                             "psr_ps_session_open needs a place for the session and the "
                             "connection options");
    *out = NULL;
    psr_ps_session *s = calloc(1, sizeof(*s));
    if (!s)
        return nomem(err);
    int rc = psr_psrp_session_open(&s->engine, conn, configuration_name, err);
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int psr_ps_session_close(psr_ps_session *s, psr_error *err)
{
    if (!s)
        return 0;
    int rc = psr_psrp_session_close(s->engine, err);
    free(s);
    return rc;
}

void psr_ps_session_free(psr_ps_session *s)
{
    if (!s)
        return;
    psr_psrp_session_free(s->engine);
    free(s);
}

const char *psr_ps_session_computer_name(const psr_ps_session *s)
{
    return psr_psrp_session_host(s->engine);
}

int psr_ps_session_stop(psr_ps_session *s, psr_error *err)
{
    if (!s)
        return psr_error_set(err, PSR_E_INVALID, "psr_ps_session_stop: no session given");
    return psr_psrp_session_stop(s->engine, err);
}

const char *psr_ps_state_name(psr_ps_state state)
{
    return psrp_pipeline_state_name((int32_t)state);
}

/* ---- commands ---- */

struct psr_ps_command {
    char *script;
    psrp_command_arg *args; /* positional; the values are owned */
    size_t n_args;
    psrp_value **input;     /* owned references */
    size_t n_input;
};

int psr_ps_command_new(psr_ps_command **out, const char *script, psr_error *err)
{
    if (!out || !script)
        return psr_error_set(err, PSR_E_INVALID, "psr_ps_command_new needs a script");
    *out = NULL;
    psr_ps_command *cmd = calloc(1, sizeof(*cmd));
    if (!cmd || !(cmd->script = strdup(script))) {
        free(cmd);
        return nomem(err);
    }
    *out = cmd;
    return 0;
}

void psr_ps_command_free(psr_ps_command *cmd)
{
    if (!cmd)
        return;
    for (size_t i = 0; i < cmd->n_args; i++)
        psrp_value_free(cmd->args[i].value);
    for (size_t i = 0; i < cmd->n_input; i++)
        psrp_value_free(cmd->input[i]);
    free(cmd->args);
    free(cmd->input);
    free(cmd->script);
    free(cmd);
}

/* Appends v (taking the reference; NULL is a failed allocation). */
static int add_argument(psr_ps_command *cmd, psrp_value *v, psr_error *err)
{
    psrp_command_arg *grown = v ? realloc(cmd->args, (cmd->n_args + 1) * sizeof(*grown)) : NULL;
    if (!grown) {
        psrp_value_free(v);
        return nomem(err);
    }
    cmd->args = grown;
    cmd->args[cmd->n_args++] = (psrp_command_arg){.name = NULL, .value = v};
    return 0;
}

int psr_ps_command_add_argument(psr_ps_command *cmd, const char *text, psr_error *err)
{
    if (!cmd || !text)
        return psr_error_set(err, PSR_E_INVALID, "psr_ps_command_add_argument needs a command "
                                                 "and a string");
    return add_argument(cmd, psrp_value_new_string(text), err);
}

int psr_ps_command_add_argument_json(psr_ps_command *cmd, const char *json, psr_error *err)
{
    if (!cmd || !json)
        return psr_error_set(err, PSR_E_INVALID, "psr_ps_command_add_argument_json needs a "
                                                 "command and JSON text");
    json_error_t jerr;
    json_t *j = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        return psr_error_set(err, PSR_E_PARSE, "argument %zu is not valid JSON: %s (line %d, "
                                               "column %d)",
                             cmd->n_args + 1, jerr.text, jerr.line, jerr.column);
    psrp_value *v = psrp_json_to_value(j);
    json_decref(j);
    return add_argument(cmd, v, err);
}

int psr_ps_command_add_input_json(psr_ps_command *cmd, const char *json, size_t len,
                                  psr_error *err)
{
    if (!cmd || (!json && len))
        return psr_error_set(err, PSR_E_INVALID, "psr_ps_command_add_input_json needs a "
                                                 "command and JSON text");
    /* Objects read before a mistake stay out: the command is as it was. */
    size_t before = cmd->n_input;
    int rc = psrp_json_input_read(json, len, &cmd->input, &cmd->n_input, err);
    if (rc) {
        for (size_t i = before; i < cmd->n_input; i++)
            psrp_value_free(cmd->input[i]);
        cmd->n_input = before;
    }
    return rc;
}

/* ---- events ---- */

static psr_ps_event_kind kind_of(psrp_pipeline_event_kind k)
{
    switch (k) {
    case PSRP_PIPELINE_EV_OUTPUT: return PSR_PS_EVENT_OUTPUT;
    case PSRP_PIPELINE_EV_ERROR: return PSR_PS_EVENT_ERROR;
    case PSRP_PIPELINE_EV_WARNING: return PSR_PS_EVENT_WARNING;
    case PSRP_PIPELINE_EV_VERBOSE: return PSR_PS_EVENT_VERBOSE;
    case PSRP_PIPELINE_EV_DEBUG: return PSR_PS_EVENT_DEBUG;
    case PSRP_PIPELINE_EV_INFORMATION: return PSR_PS_EVENT_INFORMATION;
    case PSRP_PIPELINE_EV_PROGRESS: return PSR_PS_EVENT_PROGRESS;
    case PSRP_PIPELINE_EV_HOST_CALL: return PSR_PS_EVENT_HOST_CALL;
    case PSRP_PIPELINE_EV_STATE: break;
    }
    return PSR_PS_EVENT_STATE;
}

/* The error record an event carries, or NULL. */
static const psrp_error_record *record_of(const psr_ps_event *ev)
{
    if (ev->kind == PSR_PS_EVENT_ERROR)
        return &ev->ev->u.error;
    if (ev->kind == PSR_PS_EVENT_STATE && ev->ev->u.state.has_error)
        return &ev->ev->u.state.error;
    return NULL;
}

static void flatten(psr_ps_event *e)
{
    const psrp_error_record *r = record_of(e);
    if (r)
        e->error = (psr_ps_error_record){
            .message = r->message ? r->message : "",
            .exception_type = r->exception_type,
            .fully_qualified_error_id = r->fully_qualified_error_id,
            .category_info = r->category_message,
            .category = r->category,
            .position_message = r->position_message,
            .script_stack_trace = r->script_stack_trace,
        };
    if (e->kind == PSR_PS_EVENT_PROGRESS) {
        const psrp_msg_progress *p = &e->ev->u.progress;
        e->progress = (psr_ps_progress){
            .activity = p->activity ? p->activity : "",
            .status_description = p->status_description ? p->status_description : "",
            .current_operation = p->current_operation,
            .activity_id = p->activity_id,
            .parent_activity_id = p->parent_activity_id,
            .percent_complete = p->percent_complete,
            .seconds_remaining = p->seconds_remaining,
            .completed = p->record_type == 1,
        };
    }
}

psr_ps_event_kind psr_ps_event_kind_of(const psr_ps_event *ev)
{
    return ev->kind;
}

const psr_ps_object *psr_ps_event_object(const psr_ps_event *ev)
{
    const psrp_pipeline_event *p = ev->ev;
    const psrp_error_record *r = record_of(ev);
    switch (ev->kind) {
    case PSR_PS_EVENT_OUTPUT: return psr_ps_object_of(p->u.output);
    case PSR_PS_EVENT_WARNING:
    case PSR_PS_EVENT_VERBOSE:
    case PSR_PS_EVENT_DEBUG: return psr_ps_object_of(p->u.record.value);
    case PSR_PS_EVENT_INFORMATION: return psr_ps_object_of(p->u.information.value);
    case PSR_PS_EVENT_PROGRESS: return psr_ps_object_of(p->u.progress.value);
    case PSR_PS_EVENT_ERROR:
    case PSR_PS_EVENT_STATE: return r ? psr_ps_object_of(r->value) : NULL;
    case PSR_PS_EVENT_HOST_CALL: break;
    }
    return NULL;
}

const char *psr_ps_event_message(const psr_ps_event *ev)
{
    const psrp_pipeline_event *p = ev->ev;
    const char *prefix;
    int newline;
    switch (ev->kind) {
    case PSR_PS_EVENT_ERROR:
    case PSR_PS_EVENT_STATE: return record_of(ev) ? ev->error.message : NULL;
    case PSR_PS_EVENT_WARNING:
    case PSR_PS_EVENT_VERBOSE:
    case PSR_PS_EVENT_DEBUG: return p->u.record.message ? p->u.record.message : "";
    case PSR_PS_EVENT_INFORMATION: return p->u.information.text ? p->u.information.text : "";
    case PSR_PS_EVENT_HOST_CALL: return psr_psapi_host_call_written(&ev->call, &prefix, &newline);
    case PSR_PS_EVENT_OUTPUT:
    case PSR_PS_EVENT_PROGRESS: break;
    }
    return NULL;
}

int psr_ps_event_to_text(const psr_ps_event *ev, char **out, psr_error *err)
{
    const psrp_pipeline_event *p = ev->ev;
    const psrp_error_record *r = record_of(ev);
    psr_buf text = {0};
    int rc = psr_buf_puts(&text, "");
    switch (ev->kind) {
    case PSR_PS_EVENT_OUTPUT: rc |= psrp_value_show(&text, p->u.output); break;
    case PSR_PS_EVENT_ERROR:
    case PSR_PS_EVENT_STATE:
        if (r)
            rc |= psrp_error_record_show(&text, r, psr_ps_session_computer_name(ev->session));
        break;
    case PSR_PS_EVENT_WARNING:
    case PSR_PS_EVENT_VERBOSE:
    case PSR_PS_EVENT_DEBUG:
        rc |= psr_buf_printf(&text, "%s%s", psrp_record_prefix(p->kind), psr_ps_event_message(ev));
        break;
    case PSR_PS_EVENT_INFORMATION: rc |= psr_buf_puts(&text, psr_ps_event_message(ev)); break;
    case PSR_PS_EVENT_PROGRESS: rc |= psrp_progress_show(&text, &p->u.progress); break;
    case PSR_PS_EVENT_HOST_CALL: {
        const char *prefix;
        int newline;
        const char *written = psr_psapi_host_call_written(&ev->call, &prefix, &newline);
        if (written)
            rc |= psr_buf_printf(&text, "%s%s%s", prefix, written, newline ? "\n" : "");
        break;
    }
    }
    if (rc) {
        psr_buf_free(&text);
        *out = NULL;
        return nomem(err);
    }
    *out = psr_buf_detach(&text, NULL);
    return 0;
}

psr_ps_state psr_ps_event_state(const psr_ps_event *ev)
{
    return ev->kind == PSR_PS_EVENT_STATE ? (psr_ps_state)ev->ev->u.state.state
                                          : (psr_ps_state)0;
}

const psr_ps_error_record *psr_ps_event_error(const psr_ps_event *ev)
{
    return record_of(ev) ? &ev->error : NULL;
}

const psr_ps_progress *psr_ps_event_progress(const psr_ps_event *ev)
{
    return ev->kind == PSR_PS_EVENT_PROGRESS ? &ev->progress : NULL;
}

psr_ps_host_call *psr_ps_event_host_call(psr_ps_event *ev)
{
    return ev->kind == PSR_PS_EVENT_HOST_CALL ? &ev->call : NULL;
}

/* ---- invoke ---- */

typedef struct invoke_ctx {
    psr_ps_session *session;
    psr_ps_event_fn on_event;
    void *ctx;
    /* The engine turns any non-zero callback result into "stopped by the
     * caller"; a failure of our own (refusing an unanswered host call) is
     * kept here to be reported as itself. */
    int failed;
    psr_error failure;
} invoke_ctx;

static int on_engine_event(void *arg, psrp_pipeline *pl, const psrp_pipeline_event *pev)
{
    invoke_ctx *ic = arg;
    psr_ps_event ev = {.kind = kind_of(pev->kind), .session = ic->session, .ev = pev};
    flatten(&ev);
    if (ev.kind == PSR_PS_EVENT_HOST_CALL)
        ev.call = (psr_ps_host_call){.session = ic->session, .pl = pl, .call = &pev->u.host_call};
    if (ic->on_event && ic->on_event(ic->ctx, &ev) != 0)
        return 1;
    if (ev.kind == PSR_PS_EVENT_HOST_CALL && psr_psapi_host_call_finish(&ev.call, &ic->failure)) {
        ic->failed = 1;
        return 1;
    }
    return 0;
}

int psr_ps_session_invoke(psr_ps_session *s, const psr_ps_command *cmd, psr_ps_event_fn on_event,
                          void *ctx, psr_ps_state *final_state, psr_error *err)
{
    if (!s || !cmd)
        return psr_error_set(err, PSR_E_INVALID, "psr_ps_session_invoke needs a session and a "
                                                 "command");
    if (s->running)
        return psr_error_set(err, PSR_E_STATE,
                             "%s: the session is already running a command (one at a time; "
                             "psr_ps_session_invoke cannot be called from its own callback)",
                             psr_ps_session_computer_name(s));
    psrp_command command;
    psrp_msg_create_pipeline pipeline;
    psr_psrp_script_pipeline(&pipeline, &command, cmd->script, cmd->args, cmd->n_args);
    invoke_ctx ic = {.session = s, .on_event = on_event, .ctx = ctx};
    psr_psrp_invocation inv = {
        .pipeline = &pipeline,
        .input = cmd->input,
        .n_input = cmd->n_input,
        .on_event = on_engine_event,
        .ctx = &ic,
    };
    int32_t state = 0;
    s->running = 1;
    int rc = psr_psrp_session_invoke(s->engine, &inv, &state, err);
    s->running = 0;
    if (ic.failed) {
        if (err)
            *err = ic.failure;
        return ic.failure.code;
    }
    if (!rc && final_state)
        *final_state = (psr_ps_state)state;
    return rc;
}
