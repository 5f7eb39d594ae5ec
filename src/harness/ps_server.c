/* ps_server.c: the PowerShell endpoint of psremote-harness (see
 * ps_server.h). Server side of MS-PSRP 3.2 on the pure psrp/ layer: client
 * fragments in through defragmenters, our messages out through fragmenters
 * onto the shell's (pool) or the command's (pipeline) "stdout" stream. As
 * Windows does, no Running pipeline state is sent: output and records first,
 * then the final Completed or Failed state. */
#include "src/harness/ps_server.h"

#include "common/base64.h"
#include "common/uuid.h"
#include "psrp/fragment.h"
#include "psrp/message.h"
#include "psrp/messages.h"
#include "psrp/session_key.h"
#include "src/harness/harness.h"
#include "src/harness/ps_script.h"
#include "src/harness/reply.h"

#include <errno.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ENVELOPE_OVERHEAD 4096u

typedef struct ps_pipeline {
    char id[PSR_UUID_STRLEN];
    psr_uuid pid;
    psrp_defragmenter *in;
    psrp_fragmenter *out;
    psrp_parsed_pipeline spec;
    int have_spec, finished;
    psrp_value **input;
    size_t n_input;
    /* The script runs on its own thread, so a Receive, a host response or
     * a stop signal can reach it while it runs. */
    pthread_t thread;
    int running;             /* the thread was started and not joined */
    int stop_requested;      /* crtl_c or Terminate */
    int64_t host_ci;         /* the host call waiting for an answer, or 0 */
    int host_answered;
    psrp_value *host_answer; /* its result */
    char *host_error;        /* or why the host refused */
    int64_t next_ci;
    struct ps_session *session;
    struct harness_ps *ps;
    struct ps_pipeline *next;
} ps_pipeline;

typedef struct ps_session {
    char id[PSR_UUID_STRLEN];
    psr_uuid rpid;
    uint64_t next_object_id;
    psrp_defragmenter *in;
    psrp_fragmenter *out;
    ps_pipeline *pipelines;
    ps_session_state state;  /* variables and culture, across pipelines */
    struct ps_session *next;
} ps_session;

struct harness_ps {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    ps_session *sessions;
    int stopping;
};

/* ---- table ---- */

harness_ps *harness_ps_new(void)
{
    harness_ps *ps = calloc(1, sizeof(*ps));
    if (!ps)
        return NULL;
    pthread_mutex_init(&ps->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ps->changed, &ca);
    pthread_condattr_destroy(&ca);
    return ps;
}

/* Stops the pipeline's thread and waits for it, without the lock (the
 * thread takes it to queue its last messages). Called with the lock held. */
static void pipeline_stop_thread(harness_ps *ps, ps_pipeline *p)
{
    if (!p->running)
        return;
    p->stop_requested = 1;
    pthread_cond_broadcast(&ps->changed);
    pthread_mutex_unlock(&ps->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_lock(&ps->lock);
    p->running = 0;
}

static void pipeline_free(ps_pipeline *p)
{
    psrp_value_free(p->host_answer);
    free(p->host_error);
    psrp_defragmenter_free(p->in);
    psrp_fragmenter_free(p->out);
    if (p->have_spec)
        psrp_parsed_pipeline_clear(&p->spec);
    for (size_t i = 0; i < p->n_input; i++)
        psrp_value_free(p->input[i]);
    free(p->input);
    free(p);
}

static void session_free(ps_session *s)
{
    while (s->pipelines) {
        ps_pipeline *p = s->pipelines;
        s->pipelines = p->next;
        pipeline_free(p);
    }
    psrp_defragmenter_free(s->in);
    psrp_fragmenter_free(s->out);
    ps_session_state_clear(&s->state);
    free(s);
}

void harness_ps_shutdown(harness_ps *ps)
{
    pthread_mutex_lock(&ps->lock);
    ps->stopping = 1;
    pthread_cond_broadcast(&ps->changed);
    pthread_mutex_unlock(&ps->lock);
}

void harness_ps_free(harness_ps *ps)
{
    if (!ps)
        return;
    pthread_mutex_lock(&ps->lock);
    ps->stopping = 1;
    for (ps_session *s = ps->sessions; s; s = s->next)
        for (ps_pipeline *p = s->pipelines; p; p = p->next)
            pipeline_stop_thread(ps, p);
    pthread_mutex_unlock(&ps->lock);
    while (ps->sessions) {
        ps_session *s = ps->sessions;
        ps->sessions = s->next;
        session_free(s);
    }
    pthread_cond_destroy(&ps->changed);
    pthread_mutex_destroy(&ps->lock);
    free(ps);
}

int harness_ps_is_resource(const char *uri)
{
    size_t n = strlen(WSMAN_RESOURCE_POWERSHELL_PREFIX);
    return uri && strncasecmp(uri, WSMAN_RESOURCE_POWERSHELL_PREFIX, n) == 0 && uri[n];
}

static ps_session *find_session(harness_ps *ps, const char *id)
{
    for (ps_session *s = ps->sessions; s; s = s->next)
        if (id && strcasecmp(s->id, id) == 0)
            return s;
    return NULL;
}

static ps_pipeline *find_pipeline(ps_session *s, const char *id)
{
    for (ps_pipeline *p = s->pipelines; p; p = p->next)
        if (id && strcasecmp(p->id, id) == 0)
            return p;
    return NULL;
}

/* ---- outgoing messages ---- */

static int queue(harness_ps *ps, psrp_fragmenter *out, const psr_uuid *rpid, const psr_uuid *pid,
                 uint32_t type, const psr_buf *data)
{
    psr_buf msg = {0};
    psr_error err;
    int rc = psrp_message_build(&msg, PSRP_DEST_CLIENT, type, rpid, pid, data->data, data->len);
    if (!rc)
        rc = psrp_fragmenter_add(out, "stdout", msg.data, msg.len, NULL, &err);
    psr_buf_free(&msg);
    pthread_cond_broadcast(&ps->changed);
    return rc;
}

typedef struct run_ctx {
    harness_ps *ps;
    ps_session *s;
    ps_pipeline *p;
} run_ctx;

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
        snprintf(message, sizeof(message),
                 "The term '%s' is not recognized as the name of a cmdlet, function, script file, "
                 "or operable program. Check the spelling of the name, or if a path was included, "
                 "verify that the path is correct and try again.",
                 text);
        psrp_error_record_spec spec = {
            .message = message,
            .exception_type = "System.Management.Automation.CommandNotFoundException",
            .fully_qualified_error_id = "CommandNotFoundException",
            .category = 13, /* ObjectNotFound */
            .category_reason = "CommandNotFoundException",
            .category_target_name = text,
            .category_target_type = "String",
        };
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
        rc = queue(c->ps, c->p->out, &c->s->rpid, &c->p->pid, type, &data);
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

static int stopping(const ps_pipeline *p)
{
    return p->stop_requested || p->ps->stopping;
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
            queue(c->ps, p->out, &c->s->rpid, &p->pid, PSRP_PIPELINE_HOST_CALL, &data);
        psrp_value_free(write);
        psr_buf_reset(&data);
    }
    p->host_ci = ++p->next_ci;
    p->host_answered = 0;
    if (psrp_msg_host_call_build(&data, p->host_ci, method_id, params, &err) == 0)
        queue(c->ps, p->out, &c->s->rpid, &p->pid, PSRP_PIPELINE_HOST_CALL, &data);
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

/* Output and records, from the pipeline's thread. */
static int emit_locked(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text)
{
    run_ctx *c = ctx;
    pthread_mutex_lock(&c->ps->lock);
    int rc = stopping(c->p) ? 2 : emit_event(ctx, kind, value, text);
    pthread_mutex_unlock(&c->ps->lock);
    return rc;
}

static void *pipeline_thread(void *arg)
{
    ps_pipeline *p = arg;
    ps_session *s = p->session;
    harness_ps *ps = p->ps;
    const psrp_command *cmd = p->spec.p.n_commands ? &p->spec.p.commands[0] : NULL;
    psrp_value **args = NULL;
    size_t n_args = cmd ? cmd->n_args : 0;
    if (n_args)
        args = calloc(n_args, sizeof(*args));
    for (size_t i = 0; args && i < n_args; i++)
        args[i] = cmd->args[i].value;
    run_ctx c = {ps, s, p};
    ps_host host = {host_sleep, host_read_line, host_prompt_credential, &c};
    char *failure = NULL;
    const char *script = cmd && cmd->cmd ? cmd->cmd : "";
    ps_script_run(script, args, args ? n_args : 0, p->input, p->n_input, &s->state, &host,
                  emit_locked, &c, &failure);
    free(args);
    psr_buf data = {0};
    psr_error err;
    pthread_mutex_lock(&ps->lock);
    if (p->stop_requested) {
        /* What PowerShell reports for a stopped pipeline. */
        psrp_error_record_spec spec = {
            .message = "The pipeline has been stopped.",
            .exception_type = "System.Management.Automation.PipelineStoppedException",
            .fully_qualified_error_id = "PipelineStopped",
            .category = 14, /* OperationStopped */
            .category_reason = "PipelineStoppedException",
        };
        if (psrp_msg_pipeline_state_build(&data, PSRP_PIPELINE_STOPPED, &spec, &err) == 0)
            queue(ps, p->out, &s->rpid, &p->pid, PSRP_PIPELINE_STATE, &data);
    } else if (failure) {
        /* `throw 'text'`: a RuntimeException whose id is the text. */
        psrp_error_record_spec spec = {
            .message = failure,
            .exception_type = "System.Management.Automation.RuntimeException",
            .fully_qualified_error_id = failure,
            .category = 14, /* OperationStopped */
            .category_target_name = failure,
            .category_target_type = "String",
            .category_reason = "RuntimeException",
        };
        if (psrp_msg_pipeline_state_build(&data, PSRP_PIPELINE_FAILED, &spec, &err) == 0)
            queue(ps, p->out, &s->rpid, &p->pid, PSRP_PIPELINE_STATE, &data);
    } else if (psrp_msg_pipeline_state_build(&data, PSRP_PIPELINE_COMPLETED, NULL, &err) == 0) {
        queue(ps, p->out, &s->rpid, &p->pid, PSRP_PIPELINE_STATE, &data);
    }
    free(failure);
    psr_buf_free(&data);
    p->finished = 1;
    pthread_cond_broadcast(&ps->changed);
    pthread_mutex_unlock(&ps->lock);
    return NULL;
}

/* Starts the pipeline's thread (called with the lock held). */
static void run_pipeline(harness_ps *ps, ps_session *s, ps_pipeline *p)
{
    p->session = s;
    p->ps = ps;
    if (pthread_create(&p->thread, NULL, pipeline_thread, p) == 0) {
        p->running = 1;
        return;
    }
    p->finished = 1; /* no thread: nothing will run; the client sees Done */
}

/* ---- incoming messages ---- */

static int session_message(harness_ps *ps, ps_session *s, const psrp_message *m)
{
    psr_buf data = {0};
    psr_error err;
    int rc = 0;
    switch (m->type) {
    case PSRP_SESSION_CAPABILITY:
        rc = psrp_msg_session_capability_build(&data, "2.3", "2.0", "1.1.0.1", &err);
        if (!rc)
            rc = queue(ps, s->out, &s->rpid, NULL, PSRP_SESSION_CAPABILITY, &data);
        break;
    case PSRP_INIT_RUNSPACEPOOL:
        rc = psrp_msg_app_private_data_build(&data, NULL, &err);
        if (!rc)
            rc = queue(ps, s->out, &s->rpid, NULL, PSRP_APPLICATION_PRIVATE_DATA, &data);
        psr_buf_reset(&data);
        if (!rc)
            rc = psrp_msg_pool_state_build(&data, PSRP_POOL_OPENED, NULL, &err);
        if (!rc)
            rc = queue(ps, s->out, &s->rpid, NULL, PSRP_RUNSPACEPOOL_STATE, &data);
        break;
    case PSRP_PUBLIC_KEY: {
        /* The client wants to send SecureStrings: a fresh AES-256 session
         * key, encrypted to its RSA key (MS-PSRP 2.2.2.4/3.2.5.4.3). */
        psrp_msg_key_blob kb = {0};
        psr_buf simple = {0};
        rc = psrp_msg_public_key_parse(&kb, m->data, m->data_len, &err);
        if (!rc && RAND_bytes(s->state.session_key, sizeof(s->state.session_key)) != 1)
            rc = -1;
        if (!rc)
            rc = psrp_session_key_encrypt(kb.blob.data, kb.blob.len, s->state.session_key, &simple,
                                          &err);
        if (!rc)
            rc = psrp_msg_encrypted_session_key_build(&data, simple.data, simple.len, &err);
        if (!rc) {
            s->state.have_session_key = 1;
            rc = queue(ps, s->out, &s->rpid, NULL, PSRP_ENCRYPTED_SESSION_KEY, &data);
        }
        psrp_msg_key_blob_clear(&kb);
        psr_buf_free(&simple);
        break;
    }
    default:
        break; /* other pool requests are not simulated */
    }
    psr_buf_free(&data);
    return rc;
}

static int pipeline_message(harness_ps *ps, ps_session *s, ps_pipeline *p, const psrp_message *m)
{
    psr_error err;
    switch (m->type) {
    case PSRP_CREATE_PIPELINE:
        if (p->have_spec || psrp_msg_create_pipeline_parse(&p->spec, m->data, m->data_len, &err))
            return -1;
        p->have_spec = 1;
        if (p->spec.p.no_input)
            run_pipeline(ps, s, p);
        return 0;
    case PSRP_PIPELINE_INPUT: {
        psrp_value *v = NULL;
        if (psrp_msg_object_parse(&v, m->data, m->data_len, &err))
            return -1;
        psrp_value **grown = realloc(p->input, (p->n_input + 1) * sizeof(*grown));
        if (!grown) {
            psrp_value_free(v);
            return -1;
        }
        p->input = grown;
        p->input[p->n_input++] = v;
        return 0;
    }
    case PSRP_END_OF_PIPELINE_INPUT:
        if (p->have_spec && !p->finished && !p->running)
            run_pipeline(ps, s, p);
        return 0;
    case PSRP_PIPELINE_HOST_RESPONSE: {
        psrp_msg_host_response hr;
        if (psrp_msg_host_response_parse(&hr, m->data, m->data_len, &err))
            return -1;
        if (p->host_ci && hr.ci == p->host_ci && !p->host_answered) {
            p->host_answer = hr.result ? psrp_value_ref(hr.result) : NULL;
            if (hr.has_error || !hr.result)
                p->host_error = strdup(hr.has_error && hr.error.message ? hr.error.message
                                                                        : "the host gave no answer");
            p->host_answered = 1;
            pthread_cond_broadcast(&ps->changed);
        }
        psrp_msg_host_response_clear(&hr);
        return 0;
    }
    default:
        return 0;
    }
}

/* Feeds one payload to a defragmenter and handles every message completed. */
static int feed(harness_ps *ps, ps_session *s, ps_pipeline *p, const void *data, size_t len)
{
    psr_error err;
    psrp_defragmenter *d = p ? p->in : s->in;
    if (psrp_defragmenter_feed_payload(d, data, len, &err))
        return -1;
    psrp_defrag_message dm;
    int rc = 0;
    while (!rc && psrp_defragmenter_next(d, &dm) == 1) {
        psrp_message m;
        rc = psrp_message_parse(&m, dm.data, dm.len, &err);
        if (!rc)
            rc = p ? pipeline_message(ps, s, p, &m) : session_message(ps, s, &m);
        psrp_defrag_message_clear(&dm);
    }
    return rc;
}

/* ---- WS-Man verbs ---- */

typedef harness_reply reply;

static int do_create(harness_ps *ps, reply *r)
{
    const wsman_request *q = r->req;
    ps_session *s = calloc(1, sizeof(*s));
    if (!s)
        return harness_reply_fault(r, HARNESS_FAULT_INTERNAL, "out of memory");
    s->next_object_id = 1;
    /* PowerShell runs the session in the client's culture (DataLocale). */
    snprintf(s->state.culture, sizeof(s->state.culture), "%s",
             q->data_locale ? q->data_locale : q->locale ? q->locale : "en-US");
    s->in = psrp_defragmenter_new(0);
    s->out = psrp_fragmenter_new(&s->next_object_id);
    /* The client names the shell after its runspace pool (RPID). */
    if (!q->requested_shell_id || psr_uuid_parse(&s->rpid, q->requested_shell_id) != 0)
        psr_uuid_generate(&s->rpid);
    psr_uuid_format(&s->rpid, 1, s->id);
    psr_buf creation = {0};
    int bad = !s->in || !s->out || !q->creation_xml ||
              psr_base64_decode(&creation, q->creation_xml, strlen(q->creation_xml)) != 0 ||
              feed(ps, s, NULL, creation.data, creation.len) != 0;
    psr_buf_free(&creation);
    if (bad) {
        session_free(s);
        return harness_reply_fault(r, HARNESS_FAULT_INVALID_PARAMETER,
                     "the creationXml does not hold a valid runspace pool request");
    }
    s->next = ps->sessions;
    ps->sessions = s;
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_CREATE_RESPONSE);
    return harness_reply_built(r, wsman_build_create_response(r->out, &h, q->to ? q->to : WSMAN_ANONYMOUS,
                                                q->resource_uri, s->id, "stdin pr", "stdout"));
}

static int do_command(harness_ps *ps, reply *r, ps_session *s)
{
    const wsman_request *q = r->req;
    ps_pipeline *p = calloc(1, sizeof(*p));
    if (!p)
        return harness_reply_fault(r, HARNESS_FAULT_INTERNAL, "out of memory");
    if (!q->command_id || psr_uuid_parse(&p->pid, q->command_id) != 0)
        psr_uuid_generate(&p->pid);
    psr_uuid_format(&p->pid, 1, p->id);
    p->in = psrp_defragmenter_new(0);
    p->out = psrp_fragmenter_new(&s->next_object_id);
    p->next = s->pipelines;
    s->pipelines = p;
    psr_buf args = {0};
    int bad = !p->in || !p->out || q->n_arguments < 1 ||
              psr_base64_decode(&args, q->arguments[0], strlen(q->arguments[0])) != 0 ||
              feed(ps, s, p, args.data, args.len) != 0;
    psr_buf_free(&args);
    if (bad)
        return harness_reply_fault(r, HARNESS_FAULT_INVALID_PARAMETER,
                     "the Arguments do not hold a valid CREATE_PIPELINE");
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_COMMAND_RESPONSE);
    return harness_reply_built(r, wsman_build_command_response(r->out, &h, p->id));
}

static int do_send(harness_ps *ps, reply *r, ps_session *s)
{
    const wsman_request *q = r->req;
    for (size_t i = 0; i < q->n_streams; i++) {
        const wsman_stream_chunk *c = &q->streams[i];
        const char *cid = c->command_id ? c->command_id : q->command_id;
        ps_pipeline *p = cid ? find_pipeline(s, cid) : NULL;
        if (cid && !p)
            return harness_reply_fault(r, HARNESS_FAULT_COMMAND_NOT_FOUND, NULL);
        if (c->data.len && feed(ps, s, p, c->data.data, c->data.len) != 0)
            return harness_reply_fault(r, HARNESS_FAULT_INVALID_PARAMETER, "malformed PSRP data");
    }
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_SEND_RESPONSE);
    return harness_reply_built(r, wsman_build_empty_response(r->out, &h));
}

static int do_receive(harness_ps *ps, reply *r, uint32_t timeout_max)
{
    const wsman_request *q = r->req;
    uint32_t max_env = q->max_envelope_size ? q->max_envelope_size : WSMAN_DEFAULT_MAX_ENVELOPE;
    size_t budget = max_env > 2 * ENVELOPE_OVERHEAD ? (max_env - ENVELOPE_OVERHEAD) / 4 * 3 : 1024;
    uint32_t timeout = q->operation_timeout_ms ? q->operation_timeout_ms : timeout_max;
    if (timeout > timeout_max)
        timeout = timeout_max;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout / 1000;
    deadline.tv_nsec += (long)(timeout % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    for (;;) {
        ps_session *s = find_session(ps, q->shell_id);
        if (!s)
            return harness_reply_fault(r, HARNESS_FAULT_SHELL_NOT_FOUND, q->shell_id);
        ps_pipeline *p = q->command_id ? find_pipeline(s, q->command_id) : NULL;
        if (q->command_id && !p)
            return harness_reply_fault(r, HARNESS_FAULT_COMMAND_NOT_FOUND, NULL);
        psrp_fragmenter *out = p ? p->out : s->out;
        psr_buf payload = {0};
        psr_error err;
        long n = psrp_fragmenter_next_payload(out, &payload, budget, &err);
        int done = p && p->finished && psrp_fragmenter_pending(out) == 0;
        if (n > 0 || done) {
            wsman_out_stream st = {"stdout", q->command_id, payload.data, payload.len, done};
            wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_RECEIVE_RESPONSE);
            int rc = wsman_build_receive_response(r->out, &h, &st, 1, q->command_id,
                                                  p ? (done ? WSMAN_STATE_DONE : WSMAN_STATE_RUNNING)
                                                    : NULL,
                                                  -1);
            psr_buf_free(&payload);
            return harness_reply_built(r, rc);
        }
        psr_buf_free(&payload);
        if (ps->stopping || pthread_cond_timedwait(&ps->changed, &ps->lock, &deadline) == ETIMEDOUT)
            return harness_reply_fault(r, HARNESS_FAULT_TIMED_OUT, NULL);
    }
}

static int do_signal(harness_ps *ps, reply *r, ps_session *s)
{
    const wsman_request *q = r->req;
    ps_pipeline *p = find_pipeline(s, q->command_id);
    if (!p)
        return harness_reply_fault(r, HARNESS_FAULT_COMMAND_NOT_FOUND, NULL);
    if (q->signal_code && strcasecmp(q->signal_code, WSMAN_SIGNAL_TERMINATE) == 0) {
        pipeline_stop_thread(ps, p);
        /* the list may have changed while the lock was released */
        for (ps_pipeline **pp = &s->pipelines; *pp; pp = &(*pp)->next) {
            if (*pp == p) {
                *pp = p->next;
                pipeline_free(p);
                break;
            }
        }
    } else if (!p->finished) {
        /* crtl_c: the running script stops at its next output or wait */
        p->stop_requested = 1;
        pthread_cond_broadcast(&ps->changed);
    }
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_SIGNAL_RESPONSE);
    return harness_reply_built(r, wsman_build_empty_response(r->out, &h));
}

static int do_delete(harness_ps *ps, reply *r)
{
    ps_session **sp = &ps->sessions;
    while (*sp && strcasecmp((*sp)->id, r->req->shell_id) != 0)
        sp = &(*sp)->next;
    if (!*sp)
        return harness_reply_fault(r, HARNESS_FAULT_SHELL_NOT_FOUND, r->req->shell_id);
    ps_session *s = *sp;
    for (ps_pipeline *p = s->pipelines; p; p = p->next)
        pipeline_stop_thread(ps, p);
    /* unlink after the waits: the session stays findable until then */
    for (sp = &ps->sessions; *sp && *sp != s; sp = &(*sp)->next)
        ;
    if (*sp)
        *sp = s->next;
    session_free(s);
    pthread_cond_broadcast(&ps->changed);
    wsman_response_header h = harness_reply_header(r, WSMAN_ACTION_DELETE_RESPONSE);
    return harness_reply_built(r, wsman_build_empty_response(r->out, &h));
}

int harness_ps_handle(harness_ps *ps, const wsman_request *q, const char *machine,
                      uint32_t operation_timeout_max_ms, psr_buf *out)
{
    reply r = {NULL, q, out, machine, {0}};
    pthread_mutex_lock(&ps->lock);
    int status;
    ps_session *s = q->kind == WSMAN_REQ_CREATE ? NULL : find_session(ps, q->shell_id);
    if (q->kind != WSMAN_REQ_CREATE && q->kind != WSMAN_REQ_RECEIVE && !s) {
        status = harness_reply_fault(&r, HARNESS_FAULT_SHELL_NOT_FOUND, q->shell_id);
    } else {
        switch (q->kind) {
        case WSMAN_REQ_CREATE: status = do_create(ps, &r); break;
        case WSMAN_REQ_COMMAND: status = do_command(ps, &r, s); break;
        case WSMAN_REQ_SEND: status = do_send(ps, &r, s); break;
        case WSMAN_REQ_RECEIVE: status = do_receive(ps, &r, operation_timeout_max_ms); break;
        case WSMAN_REQ_SIGNAL: status = do_signal(ps, &r, s); break;
        case WSMAN_REQ_DELETE: status = do_delete(ps, &r); break;
        default:
            status = harness_reply_fault(&r, HARNESS_FAULT_ACTION_NOT_SUPPORTED, q->action ? q->action : "(none)");
        }
    }
    pthread_mutex_unlock(&ps->lock);
    return status;
}
