/* ps_pipeline.c: one pipeline of the harness's PowerShell endpoint, on its
 * own thread (see ps_server_internal.h): the script runs in the simulated
 * language (ps_script.h); its output and records become PSRP messages on
 * the command's stream; host calls and the session-key request wait for the
 * client, and a stop or Terminate signal ends the wait. */
#include "src/harness/ps_server_internal.h"

#include "psrp/message.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct run_ctx {
    harness_ps *ps;
    ps_session *s;
    ps_pipeline *p;
} run_ctx;

/* The CommandNotFoundException record PowerShell sends for a name;
 * message is where its text is made. */
static psrp_error_record_spec not_found_spec(const char *name, char *message, size_t size)
{
    snprintf(message, size,
             "The term '%s' is not recognized as the name of a cmdlet, function, script file, "
             "or operable program. Check the spelling of the name, or if a path was included, "
             "verify that the path is correct and try again.",
             name);
    psrp_error_record_spec spec = {
        .message = message,
        .exception_type = "System.Management.Automation.CommandNotFoundException",
        .fully_qualified_error_id = "CommandNotFoundException",
        .category = 13, /* ObjectNotFound */
        .category_reason = "CommandNotFoundException",
        .category_target_name = name,
        .category_target_type = "String",
    };
    return spec;
}

static int emit_event(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text)
{
    run_ctx *c = ctx;
    psr_buf data = {0};
    psr_error err;
    uint32_t type;
    int rc;
    char message[512];
    switch (kind) {
    case PS_EV_OUTPUT:
        type = PSRP_PIPELINE_OUTPUT;
        rc = psrp_msg_object_build(&data, value, &err);
        break;
    case PS_EV_ERROR_RECORD: /* the script built the whole ErrorRecord */
        type = PSRP_ERROR_RECORD;
        rc = psrp_msg_object_build(&data, value, &err);
        break;
    case PS_EV_ERROR: {
        /* What Write-Error sends (the pipeline still completes). */
        psrp_error_record_spec spec = {
            .message = text,
            .exception_type = "Microsoft.PowerShell.Commands.WriteErrorException",
            .fully_qualified_error_id = "Microsoft.PowerShell.Commands.WriteErrorException",
            .category = 0,
            .category_activity = "Write-Error",
            .category_reason = "WriteErrorException",
        };
        type = PSRP_ERROR_RECORD;
        rc = psrp_msg_error_record_build(&data, &spec, &err);
        break;
    }
    case PS_EV_NOT_FOUND: {
        psrp_error_record_spec spec = not_found_spec(text, message, sizeof(message));
        type = PSRP_ERROR_RECORD;
        rc = psrp_msg_error_record_build(&data, &spec, &err);
        break;
    }
    case PS_EV_WARNING:
    case PS_EV_VERBOSE:
    case PS_EV_DEBUG:
        type = kind == PS_EV_WARNING   ? PSRP_WARNING_RECORD
               : kind == PS_EV_VERBOSE ? PSRP_VERBOSE_RECORD
                                       : PSRP_DEBUG_RECORD;
        rc = psrp_msg_informational_build(&data, type, text, &err);
        break;
    case PS_EV_INFORMATION:
        type = PSRP_INFORMATION_RECORD;
        rc = psrp_msg_information_build(&data, text, NULL, NULL, &err);
        break;
    case PS_EV_PROGRESS: {
        int64_t percent = -1;
        psrp_value_get_i64(psrp_object_get(value, "PercentComplete"), &percent);
        const psrp_value *done = psrp_object_get(value, "Completed");
        psrp_msg_progress pr = {
            .activity = psrp_object_get_text(value, "Activity"),
            .status_description = psrp_object_get_text(value, "StatusDescription"),
            .activity_id = 0,
            .parent_activity_id = -1,
            .percent_complete = (int32_t)percent,
            .seconds_remaining = -1,
            .record_type = done && done->kind == PSRP_V_BOOL && done->u.b ? 1 : 0,
        };
        type = PSRP_PROGRESS_RECORD;
        rc = psrp_msg_progress_build(&data, &pr, &err);
        break;
    }
    case PS_EV_HOST: {
        /* Write-Host reaches the client's host as WriteLine2(value), a void
         * call (call id -100). */
        psrp_value *params = psrp_value_new_collection(PSRP_COLL_LIST, NULL);
        psrp_list_append(params, psrp_value_new_string(text));
        type = PSRP_PIPELINE_HOST_CALL;
        rc = psrp_msg_host_call_build(&data, PSRP_HOST_CALL_VOID_CI, 16, params, &err);
        psrp_value_free(params);
        break;
    }
    default:
        return -1;
    }
    if (!rc)
        rc = ps_queue(c->ps, c->p->out, &c->s->rpid, &c->p->pid, type, &data);
    psr_buf_free(&data);
    return rc;
}

/* ---- running a pipeline ---- */

static struct timespec deadline_in(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* crtl_c (unless Harness-IgnoreStop), Terminate, or the harness shutting
 * down. */
static int stopping(const ps_pipeline *p)
{
    return p->terminated || p->ps->stopping || (p->stop_requested && !p->ignore_stop);
}

/* Start-Sleep: waits unless the pipeline is stopped first. */
static int host_sleep(void *ctx, long ms)
{
    run_ctx *c = ctx;
    ps_pipeline *p = c->p;
    struct timespec deadline = deadline_in(ms);
    pthread_mutex_lock(&c->ps->lock);
    while (!stopping(p) &&
           pthread_cond_timedwait(&c->ps->changed, &c->ps->lock, &deadline) != ETIMEDOUT)
        ;
    int stop = stopping(p);
    pthread_mutex_unlock(&c->ps->lock);
    return stop;
}

/* A host call the client must answer (PIPELINE_HOST_RESPONSE on the "pr"
 * stream); the script waits for it. Method ids are MS-PSRP 2.2.3.17's:
 * ReadLine 11, ReadLineAsSecureString 12, Write1 13, PromptForCredential1
 * 24. A prompt is written first with Write1, as Read-Host does. */
static psrp_value *host_ask(run_ctx *c, const char *prompt, int32_t method_id,
                            psrp_value *params, int *stopped, char **error)
{
    ps_pipeline *p = c->p;
    psr_buf data = {0};
    psr_error err;
    *stopped = 0;
    pthread_mutex_lock(&c->ps->lock);
    if (prompt && *prompt) {
        char text[512];
        snprintf(text, sizeof(text), "%s: ", prompt);
        psrp_value *write = psrp_value_new_collection(PSRP_COLL_LIST, NULL);
        psrp_list_append(write, psrp_value_new_string(text));
        if (psrp_msg_host_call_build(&data, PSRP_HOST_CALL_VOID_CI, 13, write, &err) == 0)
            ps_queue(c->ps, p->out, &c->s->rpid, &p->pid, PSRP_PIPELINE_HOST_CALL, &data);
        psrp_value_free(write);
        psr_buf_reset(&data);
    }
    p->host_ci = ++p->next_ci;
    p->host_answered = 0;
    if (psrp_msg_host_call_build(&data, p->host_ci, method_id, params, &err) == 0)
        ps_queue(c->ps, p->out, &c->s->rpid, &p->pid, PSRP_PIPELINE_HOST_CALL, &data);
    psr_buf_free(&data);
    while (!p->host_answered && !stopping(p))
        pthread_cond_wait(&c->ps->changed, &c->ps->lock);
    psrp_value *answer = NULL;
    if (p->host_answered) {
        answer = p->host_answer;
        *error = p->host_error;
        p->host_answer = NULL;
        p->host_error = NULL;
    } else {
        *stopped = 1;
    }
    p->host_ci = 0;
    pthread_mutex_unlock(&c->ps->lock);
    return answer;
}

static psrp_value *host_read_line(void *ctx, const char *prompt, int secure, int *stopped,
                                  char **error)
{
    return host_ask(ctx, prompt, secure ? 12 : 11, NULL, stopped, error);
}

/* Get-Credential: PromptForCredential1(caption, message, userName, targetName). */
static psrp_value *host_prompt_credential(void *ctx, const char *user, int *stopped,
                                          char **error)
{
    psrp_value *params = psrp_value_new_collection(PSRP_COLL_LIST, NULL);
    psrp_list_append(params, psrp_value_new_string("PowerShell credential request"));
    psrp_list_append(params, psrp_value_new_string("Enter your credentials."));
    psrp_list_append(params, psrp_value_new_string(user));
    psrp_list_append(params, psrp_value_new_string(""));
    psrp_value *v = host_ask(ctx, NULL, 24, params, stopped, error);
    psrp_value_free(params);
    return v;
}

/* $host.UI.PromptForChoice(caption, message, choices, defaultChoice),
 * method 26: the choices as PowerShell sends them, a Collection of
 * ChoiceDescription objects (Label, HelpMessage). */
static psrp_value *host_prompt_choice(void *ctx, const char *caption, const char *message,
                                      const char *const *labels, const char *const *helps,
                                      size_t n, int32_t default_choice, int *stopped,
                                      char **error)
{
    static const char *const coll_types[] = {
        "System.Collections.ObjectModel.Collection`1[[System.Management.Automation.Host."
        "ChoiceDescription, System.Management.Automation]]",
        "System.Object", NULL};
    static const char *const choice_types[] = {
        "System.Management.Automation.Host.ChoiceDescription", "System.Object", NULL};
    psrp_value *params = psrp_value_new_collection(PSRP_COLL_LIST, NULL);
    psrp_value *choices = psrp_value_new_collection(PSRP_COLL_LIST, coll_types);
    int bad = !params || !choices;
    for (size_t i = 0; !bad && i < n; i++) {
        psrp_value *o = psrp_value_new_object(choice_types);
        bad = !o || psrp_object_add_adapted(o, "Label", psrp_value_new_string(labels[i])) ||
              psrp_object_add_adapted(o, "HelpMessage", psrp_value_new_string(helps[i])) ||
              psrp_object_set_to_string(o, labels[i]) || psrp_list_append(choices, o);
    }
    if (!bad)
        bad = psrp_list_append(params, psrp_value_new_string(caption)) ||
              psrp_list_append(params, psrp_value_new_string(message)) ||
              psrp_list_append(params, choices) ||
              psrp_list_append(params, psrp_value_new_i32(default_choice));
    else
        psrp_value_free(choices);
    psrp_value *v = NULL;
    *stopped = 0;
    if (bad)
        *error = strdup("out of memory");
    else
        v = host_ask(ctx, NULL, 26, params, stopped, error);
    psrp_value_free(params);
    return v;
}

/* A SecureString to send needs the session key. PowerShell 2 servers ask
 * the client for its public key (PUBLIC_KEY_REQUEST, 3.2.5.4.5 / 3.1.5.4.5)
 * and wait for PUBLIC_KEY; session_message answers it with the key. The
 * request travels on this pipeline's Receive, which is where a client
 * running the pipeline listens. */
static int host_need_session_key(void *ctx, char **error)
{
    run_ctx *c = ctx;
    ps_session *s = c->s;
    int rc = 0;
    pthread_mutex_lock(&c->ps->lock);
    if (!s->state.have_session_key && !s->key_waiter) {
        psr_buf data = {0};
        psr_error err;
        rc = psrp_msg_public_key_request_build(&data, &err);
        if (!rc)
            rc = ps_queue(c->ps, c->p->out, &s->rpid, NULL, PSRP_PUBLIC_KEY_REQUEST, &data);
        psr_buf_free(&data);
        if (!rc)
            s->key_waiter = c->p;
    }
    while (!rc && !s->state.have_session_key && !stopping(c->p))
        pthread_cond_wait(&c->ps->changed, &c->ps->lock);
    if (!rc && !s->state.have_session_key)
        rc = 2;
    if (s->key_waiter == c->p)
        s->key_waiter = NULL;
    pthread_mutex_unlock(&c->ps->lock);
    if (rc < 0)
        *error = strdup("the public key request could not be sent");
    return rc;
}

/* Harness-BreakRunspacePool: what Windows sends when the server side of a
 * session dies: RUNSPACEPOOL_STATE Broken with an ErrorRecord saying why.
 * It goes on this pipeline's Receive (the client is listening there); the
 * pipeline then ends without a state of its own, its runspace being gone. */
static void host_break_pool(void *ctx, const char *reason)
{
    run_ctx *c = ctx;
    psrp_error_record_spec spec = {
        .message = reason,
        .exception_type = "System.Management.Automation.Remoting.PSRemotingTransportException",
        .fully_qualified_error_id = "PSSessionStateBroken",
        .category = 0, /* NotSpecified */
    };
    psr_buf data = {0};
    psr_error err;
    pthread_mutex_lock(&c->ps->lock);
    if (!c->s->broken && psrp_msg_pool_state_build(&data, PSRP_POOL_BROKEN, &spec, &err) == 0 &&
        ps_queue(c->ps, c->p->out, &c->s->rpid, NULL, PSRP_RUNSPACEPOOL_STATE, &data) == 0)
        c->s->broken = 1;
    pthread_mutex_unlock(&c->ps->lock);
    psr_buf_free(&data);
}

/* Harness-IgnoreStop: like a pipeline stuck where PowerShell cannot stop it
 * (native code), crtl_c is no longer obeyed; Terminate still ends it. */
static void host_ignore_stop(void *ctx)
{
    run_ctx *c = ctx;
    pthread_mutex_lock(&c->ps->lock);
    c->p->ignore_stop = 1;
    pthread_mutex_unlock(&c->ps->lock);
}

/* Output and records, from the pipeline's thread. */
static int emit_locked(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text)
{
    run_ctx *c = ctx;
    pthread_mutex_lock(&c->ps->lock);
    int rc = stopping(c->p) ? 2 : emit_event(ctx, kind, value, text);
    pthread_mutex_unlock(&c->ps->lock);
    return rc;
}

/* Output of a command that is piped into the next: kept as its input (the
 * records go on to the client). */
typedef struct chain {
    run_ctx *c;
    psrp_value **items;
    size_t n;
    int failed;
} chain;

static int chain_emit(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text)
{
    chain *ch = ctx;
    if (kind != PS_EV_OUTPUT)
        return emit_locked(ch->c, kind, value, text);
    psrp_value **grown = realloc(ch->items, (ch->n + 1) * sizeof(*grown));
    if (!grown) {
        ch->failed = 1;
        return -1;
    }
    ch->items = grown;
    ch->items[ch->n++] = psrp_value_ref((psrp_value *)value);
    return 0;
}

static void chain_clear(chain *ch)
{
    for (size_t i = 0; i < ch->n; i++)
        psrp_value_free(ch->items[i]);
    free(ch->items);
    ch->items = NULL;
    ch->n = 0;
}

/* The commands of the CREATE_PIPELINE: statements (a command with
 * EndOfStatement ends one) of commands piped into each other, as pypsrp's
 * add_script/add_cmdlet/add_statement build them. The client's input goes
 * to the first command; each command's output is the next one's input,
 * handed on when the command is done. */
static void run_commands(run_ctx *c, const ps_host *host, ps_failure *failure)
{
    ps_pipeline *p = c->p;
    psrp_value *const *in = p->input;
    size_t n_in = p->n_input;
    int has_input = n_in > 0;
    chain held = {c, NULL, 0, 0};
    memset(failure, 0, sizeof(*failure));
    for (size_t i = 0; i < p->spec.p.n_commands; i++) {
        const psrp_command *cmd = &p->spec.p.commands[i];
        int last = cmd->end_of_statement || i + 1 == p->spec.p.n_commands;
        chain out = {c, NULL, 0, 0};
        ps_emit_fn emit = last ? emit_locked : chain_emit;
        void *ctx = last ? (void *)c : (void *)&out;
        const char *text = cmd->cmd ? cmd->cmd : "";
        int rc = cmd->is_script
                     ? ps_script_run(text, cmd->args, cmd->n_args, in, n_in, &c->s->state, host,
                                     emit, ctx, failure)
                     : ps_command_run(text, cmd->args, cmd->n_args, in, n_in, has_input,
                                      &c->s->state, host, emit, ctx, failure);
        chain_clear(&held);
        held = out;
        if (rc || failure->message || out.failed)
            break;
        in = last ? NULL : held.items;
        n_in = last ? 0 : held.n;
        has_input = !last;
    }
    chain_clear(&held);
}

static void *pipeline_thread(void *arg)
{
    ps_pipeline *p = arg;
    ps_session *s = p->session;
    harness_ps *ps = p->ps;
    run_ctx c = {ps, s, p};
    ps_host host = {
        .sleep = host_sleep,
        .read_line = host_read_line,
        .prompt_credential = host_prompt_credential,
        .prompt_choice = host_prompt_choice,
        .need_session_key = host_need_session_key,
        .break_pool = host_break_pool,
        .ignore_stop = host_ignore_stop,
        .ctx = &c,
    };
    ps_failure failure;
    run_commands(&c, &host, &failure);
    psr_buf data = {0};
    psr_error err;
    pthread_mutex_lock(&ps->lock);
    if (s->broken || p->terminated) {
        /* no final state: the runspace is gone, or the client forgot the command */
    } else if (p->stop_requested) {
        /* What PowerShell reports for a stopped pipeline. */
        psrp_error_record_spec spec = {
            .message = "The pipeline has been stopped.",
            .exception_type = "System.Management.Automation.PipelineStoppedException",
            .fully_qualified_error_id = "PipelineStopped",
            .category = 14, /* OperationStopped */
            .category_reason = "PipelineStoppedException",
        };
        if (psrp_msg_pipeline_state_build(&data, PSRP_PIPELINE_STOPPED, &spec, &err) == 0)
            ps_queue(ps, p->out, &s->rpid, &p->pid, PSRP_PIPELINE_STATE, &data);
    } else if (failure.message) {
        /* `throw 'text'`: a RuntimeException whose id is the text; a syntax
         * error: the ParseException PowerShell's parser throws (ParserError);
         * an argument no param() takes: a ParameterBindingException; a
         * command the client named that is not there: the record an unknown
         * command gets. */
        static const struct {
            const char *exception, *reason;
            int32_t category;
        } kinds[] = {
            [PS_FAILURE_THROW] = {"System.Management.Automation.RuntimeException",
                                  "RuntimeException", 14 /* OperationStopped */},
            [PS_FAILURE_PARSE] = {"System.Management.Automation.ParseException", "ParseException",
                                  17 /* ParserError */},
            [PS_FAILURE_BINDING] = {"System.Management.Automation.ParameterBindingException",
                                    "ParameterBindingException", 5 /* InvalidArgument */},
            [PS_FAILURE_NOT_FOUND] = {"System.Management.Automation.CommandNotFoundException",
                                      "CommandNotFoundException", 13 /* ObjectNotFound */},
        };
        int thrown = failure.kind == PS_FAILURE_THROW;
        char message[512];
        psrp_error_record_spec spec = {
            .message = failure.message,
            .exception_type = kinds[failure.kind].exception,
            .fully_qualified_error_id = failure.error_id,
            .category = kinds[failure.kind].category,
            .category_target_name = thrown ? failure.message : NULL,
            .category_target_type = thrown ? "String" : NULL,
            .category_reason = kinds[failure.kind].reason,
        };
        if (failure.kind == PS_FAILURE_NOT_FOUND)
            spec = not_found_spec(failure.message, message, sizeof(message));
        if (psrp_msg_pipeline_state_build(&data, PSRP_PIPELINE_FAILED, &spec, &err) == 0)
            ps_queue(ps, p->out, &s->rpid, &p->pid, PSRP_PIPELINE_STATE, &data);
    } else if (psrp_msg_pipeline_state_build(&data, PSRP_PIPELINE_COMPLETED, NULL, &err) == 0) {
        ps_queue(ps, p->out, &s->rpid, &p->pid, PSRP_PIPELINE_STATE, &data);
    }
    ps_failure_clear(&failure);
    psr_buf_free(&data);
    p->finished = 1;
    pthread_cond_broadcast(&ps->changed);
    pthread_mutex_unlock(&ps->lock);
    return NULL;
}

void ps_run_pipeline(harness_ps *ps, ps_session *s, ps_pipeline *p)
{
    p->session = s;
    p->ps = ps;
    if (pthread_create(&p->thread, NULL, pipeline_thread, p) == 0) {
        p->running = 1;
        return;
    }
    p->finished = 1; /* no thread: nothing will run; the client sees Done */
}
