/* psrp_session.c: a runspace pool and its pipelines over WS-Man (see
 * psrp_session.h). The pure state machines in psrp/ decide what to say; this
 * file only moves their bytes: payloads out as Create/Command/Send, Receive
 * streams back in, and events on to the caller. */
#include "src/client/psrp_session.h"

#include "common/base64.h"
#include "common/uuid.h"
#include "psrp/session_key.h"
#include "src/client/application_arguments.h"
#include "src/client/transport.h"
#include "wsman/wsman.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Room left in an envelope for the SOAP around a payload; the payload
 * itself grows by 4/3 in base64. */
#define ENVELOPE_OVERHEAD 4096u
#define PROTOCOL_2_2_ENVELOPE 512000u /* 500 KB, for protocol 2.2 and later */

struct psr_psrp_session {
    psr_transport *main;
    psr_transport *control; /* the stop signal travels here */
    psrp_pool *pool;
    psr_buf resource_uri;
    char shell_id[PSR_UUID_STRLEN];
    int created;            /* the shell exists on the server */
    int envelope_fixed;     /* MaxEnvelopeSize given by the user: keep it */
    uint32_t open_timeout_ms;
    int32_t idle_timeout_ms;        /* IdleTimeout, -1: the server's */
    uint64_t max_data_per_command;  /* MaximumReceivedDataSizePerCommand, 0: none */
    psrp_rsa_key *rsa;      /* made for the session-key exchange, once */
    uint32_t cancel_timeout_ms;     /* CancelTimeout: how long a stop may take */
    pthread_mutex_t lock;   /* guards running_command and the stop fields for stop() */
    pthread_cond_t ended;   /* the running pipeline ended (wakes the watchdog) */
    char running_command[PSR_UUID_STRLEN];
    int stop_sent;          /* crtl_c went out for the running command */
    pthread_t watchdog;     /* waits CancelTimeout after the stop signal */
    int have_watchdog;
    atomic_int abandoned;   /* CancelTimeout passed: the command was terminated */
    atomic_int stop_requested;
};

static int nomem(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

int psr_psrp_resource_uri(const char *name, psr_buf *out)
{
    if (!name || !*name)
        name = "Microsoft.PowerShell";
    if (strncasecmp(name, "http://", 7) == 0 || strncasecmp(name, "https://", 8) == 0)
        return psr_buf_puts(out, name);
    return psr_buf_printf(out, "%s%s", WSMAN_RESOURCE_POWERSHELL_PREFIX, name);
}

const char *psr_psrp_session_host(const psr_psrp_session *s)
{
    return psr_transport_host(s->main);
}

static size_t max_payload(const psr_psrp_session *s)
{
    uint32_t env = psr_transport_max_envelope_size(s->main);
    return env > 2 * ENVELOPE_OVERHEAD ? (env - ENVELOPE_OVERHEAD) / 4 * 3 : 1024;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One request/response on transport t; the reply kind is checked. */
static int exchange(psr_transport *t, psr_buf *env, int build_rc, wsman_response *r,
                    wsman_response_kind kind, const char *what, psr_error *err)
{
    int rc = build_rc ? nomem(err) : psr_transport_call(t, env, r, err);
    psr_buf_free(env);
    if (!rc && r->kind != kind)
        rc = psr_error_set(err, PSR_E_PROTOCOL,
                           "%s: the server answered %s with an unexpected message (action %s)",
                           psr_transport_host(t), what, r->action ? r->action : "none");
    return rc;
}

static void header(psr_psrp_session *s, psr_transport *t, wsman_request_header *h,
                   char msgid[PSR_MESSAGE_ID_LEN])
{
    psr_transport_header(t, h, s->resource_uri.data, s->created ? s->shell_id : NULL, msgid);
}

/* Sends every payload the state machines queued: pool-level ones without a
 * CommandId, pipeline ones with it. */
static int flush_sends(psr_psrp_session *s, psrp_pipeline *pl, const char *command_id,
                       psr_error *err)
{
    for (;;) {
        const char *stream = pl ? psrp_pipeline_next_stream(pl) : psrp_pool_next_stream(s->pool);
        if (!stream)
            return 0;
        char stream_name[16];
        snprintf(stream_name, sizeof(stream_name), "%s", stream);
        psr_buf payload = {0};
        long n = pl ? psrp_pipeline_take_payload(pl, &payload, max_payload(s), err)
                    : psrp_pool_take_payload(s->pool, &payload, max_payload(s), err);
        if (n < 0) {
            psr_buf_free(&payload);
            return (int)n;
        }
        wsman_request_header h;
        char msgid[PSR_MESSAGE_ID_LEN];
        header(s, s->main, &h, msgid);
        psr_buf env = {0};
        wsman_response r = {0};
        int rc = exchange(s->main, &env,
                          wsman_build_send(&env, &h, command_id, stream_name, payload.data,
                                           payload.len, 0),
                          &r, WSMAN_RESP_SEND, "Send", err);
        wsman_response_clear(&r);
        psr_buf_free(&payload);
        if (rc)
            return rc;
    }
}

/* One Receive; every stream chunk for us goes to feed(). *done is set when
 * the server reported the command Done. A w:TimedOut fault is no error. */
typedef int (*feed_fn)(void *ctx, const char *stream, const void *data, size_t len,
                       psr_error *err);

static int receive_once(psr_psrp_session *s, const char *command_id, feed_fn feed, void *ctx,
                        int *done, psr_error *err)
{
    *done = 0;
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    header(s, s->main, &h, msgid);
    psr_buf env = {0};
    wsman_response r = {0};
    int rc = wsman_build_receive(&env, &h, command_id, "stdout");
    rc = rc ? nomem(err) : psr_transport_call(s->main, &env, &r, err);
    psr_buf_free(&env);
    if (rc == PSR_E_FAULT && err && err->wsman_code == WSMAN_CODE_TIMED_OUT) {
        psr_error_clear(err);
        wsman_response_clear(&r);
        return 0;
    }
    if (!rc && r.kind != WSMAN_RESP_RECEIVE)
        rc = psr_error_set(err, PSR_E_PROTOCOL, "%s: unexpected answer to Receive (action %s)",
                           psr_transport_host(s->main), r.action ? r.action : "none");
    for (size_t i = 0; !rc && i < r.n_streams; i++) {
        const wsman_stream_chunk *c = &r.streams[i];
        if (command_id && c->command_id && strcasecmp(c->command_id, command_id) != 0)
            continue;
        if (c->data.len)
            rc = feed(ctx, c->name, c->data.data, c->data.len, err);
    }
    if (!rc && r.has_command_state && r.command_state &&
        strcmp(r.command_state, WSMAN_STATE_DONE) == 0)
        *done = 1;
    wsman_response_clear(&r);
    return rc;
}

/* ---- opening the pool ---- */

static int feed_pool(void *ctx, const char *stream, const void *data, size_t len, psr_error *err)
{
    psr_psrp_session *s = ctx;
    return psrp_pool_feed(s->pool, stream, data, len, err);
}

static int create_shell(psr_psrp_session *s, psr_error *err)
{
    psr_buf creation = {0}, creation_b64 = {0};
    long n = psrp_pool_take_payload(s->pool, &creation, max_payload(s), err);
    if (n < 0)
        return (int)n;
    if (psr_base64_encode(&creation_b64, creation.data, creation.len)) {
        psr_buf_free(&creation);
        return nomem(err);
    }
    psr_buf_free(&creation);
    wsman_option options[] = {{"protocolversion", "2.3", 1}};
    wsman_shell_spec spec = {
        .shell_id = s->shell_id,
        .input_streams = "stdin pr",
        .output_streams = "stdout",
        .creation_xml_b64 = creation_b64.data,
        .idle_timeout_s = s->idle_timeout_ms > 0 ? (uint32_t)s->idle_timeout_ms / 1000u : 0,
    };
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    header(s, s->main, &h, msgid);
    h.options = options;
    h.n_options = 1;
    psr_buf env = {0};
    wsman_response r = {0};
    int rc = exchange(s->main, &env, wsman_build_create_shell(&env, &h, &spec), &r,
                      WSMAN_RESP_CREATE, "Create", err);
    psr_buf_free(&creation_b64);
    if (!rc) {
        s->created = 1;
        /* The server may name the shell itself; its name is the one to use. */
        if (r.shell_id && strlen(r.shell_id) < sizeof(s->shell_id))
            snprintf(s->shell_id, sizeof(s->shell_id), "%s", r.shell_id);
    }
    wsman_response_clear(&r);
    return rc;
}

static int wait_opened(psr_psrp_session *s, psr_error *err)
{
    uint64_t deadline = now_ms() + s->open_timeout_ms;
    for (;;) {
        int rc = flush_sends(s, NULL, NULL, err);
        int done = 0;
        if (!rc)
            rc = receive_once(s, NULL, feed_pool, s, &done, err);
        psrp_pool_event ev;
        while (psrp_pool_next_event(s->pool, &ev) == 1) {
            if (ev.kind == PSRP_POOL_EV_OPENED)
                return rc;
            if (ev.kind == PSRP_POOL_EV_BROKEN)
                return psr_error_set(err, PSR_E_PROTOCOL,
                                     "%s: the session could not be opened: %s",
                                     psr_transport_host(s->main),
                                     ev.reason ? ev.reason : "the runspace pool is broken");
        }
        if (rc)
            return rc;
        if (now_ms() > deadline)
            return psr_error_set(err, PSR_E_TIMEOUT,
                                 "%s: the session did not open within OpenTimeout (%u ms); "
                                 "raise it with --session-option OpenTimeout=MS",
                                 psr_transport_host(s->main), s->open_timeout_ms);
    }
}

int psr_psrp_session_open(psr_psrp_session **out, const psr_connection_options *conn,
                          const char *configuration_name, psr_error *err)
{
    *out = NULL;
    psr_psrp_session *s = calloc(1, sizeof(*s));
    if (!s)
        return nomem(err);
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->ended, &ca);
    pthread_condattr_destroy(&ca);
    s->cancel_timeout_ms = conn->cancel_timeout_ms ? conn->cancel_timeout_ms : 60000;
    s->open_timeout_ms = conn->open_timeout_ms ? conn->open_timeout_ms : 180000;
    s->idle_timeout_ms = conn->idle_timeout_ms;
    s->max_data_per_command = conn->max_received_data_per_command;
    s->envelope_fixed = conn->max_envelope_size != WSMAN_DEFAULT_MAX_ENVELOPE;
    int rc = psr_psrp_resource_uri(configuration_name, &s->resource_uri) ? nomem(err) : 0;
    if (!rc)
        rc = psr_transport_new_powershell(&s->main, conn, err);
    if (rc)
        goto fail;

    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    /* MaximumReceivedObjectSize bounds what the defragmenter holds for one
     * object; 0 (unlimited) still stops at what size_t can count. */
    cfg.max_object_size = conn->max_received_object_size
                              ? (size_t)conn->max_received_object_size
                              : SIZE_MAX / 2;
    psrp_value *app_args = NULL;
    if (conn->application_arguments &&
        (rc = psr_application_arguments_parse(conn->application_arguments, &app_args, err)))
        goto fail;
    cfg.application_arguments = app_args;
    if (psr_uuid_generate(&cfg.rpid) != 0) {
        rc = psr_error_set(err, PSR_E_IO, "no random numbers for the session id");
        goto fail;
    }
    psr_uuid_format(&cfg.rpid, 1, s->shell_id);
    s->pool = psrp_pool_new(&cfg, err);
    psrp_value_free(app_args); /* the pool keeps its own reference */
    if (!s->pool) {
        rc = err ? err->code : PSR_E_NOMEM;
        goto fail;
    }
    if ((rc = psrp_pool_open(s->pool, err)) || (rc = create_shell(s, err)) ||
        (rc = wait_opened(s, err)))
        goto fail;
    /* The control channel goes where the shell is, after any redirect. */
    if ((rc = psr_transport_new_like(&s->control, s->main, err)))
        goto fail;

    /* PowerShell 3 and later servers take 500 KB envelopes. */
    const char *version = psrp_pool_protocol_version(s->pool);
    if (!s->envelope_fixed && version && psrp_version_code(version) >= 202) {
        psr_transport_set_max_envelope_size(s->main, PROTOCOL_2_2_ENVELOPE);
        psr_transport_set_max_envelope_size(s->control, PROTOCOL_2_2_ENVELOPE);
    }
    *out = s;
    return 0;
fail:
    psr_psrp_session_close(s, NULL);
    return rc;
}

void psr_psrp_session_free(psr_psrp_session *s)
{
    if (!s)
        return;
    psrp_pool_free(s->pool);
    psrp_rsa_key_free(s->rsa);
    psr_transport_free(s->main);
    psr_transport_free(s->control);
    psr_buf_free(&s->resource_uri);
    pthread_cond_destroy(&s->ended);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int psr_psrp_session_close(psr_psrp_session *s, psr_error *err)
{
    if (!s)
        return 0;
    int rc = 0;
    if (s->created) {
        wsman_request_header h;
        char msgid[PSR_MESSAGE_ID_LEN];
        header(s, s->main, &h, msgid);
        psr_buf env = {0};
        wsman_response r = {0};
        rc = exchange(s->main, &env, wsman_build_delete_shell(&env, &h), &r, WSMAN_RESP_DELETE,
                      "Delete", err);
        wsman_response_clear(&r);
        if (!rc && s->pool)
            psrp_pool_closed(s->pool);
    }
    psr_psrp_session_free(s);
    return rc;
}

/* ---- pipelines ---- */

void psr_psrp_script_pipeline(psrp_msg_create_pipeline *pipeline, psrp_command *command,
                              const char *script, const psrp_command_arg *args, size_t n_args)
{
    *command = (psrp_command){
        .cmd = script,
        .is_script = 1,
        .use_local_scope = -1,
        .args = args,
        .n_args = n_args,
    };
    *pipeline = (psrp_msg_create_pipeline){
        .commands = command,
        .n_commands = 1,
        .apartment_state = PSRP_APARTMENT_UNKNOWN,
        .remote_stream_options = PSRP_STREAM_OPT_ADD_INVOCATION_INFO,
        .host_info = {.has_host = 1, .has_ui = 1, .has_raw_ui = 0},
    };
}

typedef struct run_ctx {
    psr_psrp_session *s;
    psrp_pipeline *pl;
    const psr_psrp_invocation *inv;
    int finished;
    int32_t final_state;
    uint64_t received;      /* bytes of output so far (MaximumReceivedDataSizePerCommand) */
} run_ctx;

static int feed_pipeline(void *ctx, const char *stream, const void *data, size_t len,
                         psr_error *err)
{
    run_ctx *rc = ctx;
    rc->received += len;
    uint64_t limit = rc->s->max_data_per_command;
    if (limit && rc->received > limit)
        return psr_error_set(err, PSR_E_LIMIT,
                             "%s: the command sent more than MaximumReceivedDataSizePerCommand "
                             "(%llu bytes); raise it with --session-option "
                             "MaximumReceivedDataSizePerCommand=BYTES",
                             psr_transport_host(rc->s->main), (unsigned long long)limit);
    return psrp_pipeline_feed(rc->pl, stream, data, len, err);
}

static int drain_events(run_ctx *c, psr_error *err)
{
    psrp_pipeline_event ev;
    while (psrp_pipeline_next_event(c->pl, &ev) == 1) {
        if (c->inv->on_event && c->inv->on_event(c->inv->ctx, c->pl, &ev) != 0)
            return psr_error_set(err, PSR_E_CANCELLED, "stopped by the caller");
        if (ev.kind == PSRP_PIPELINE_EV_STATE) {
            c->finished = 1;
            c->final_state = ev.u.state.state;
        }
    }
    return 0;
}

/* Pool events that arrive while a pipeline runs (on its Receive): the
 * server asking for our public key before it sends a SecureString, and the
 * pool going Broken, which ends the pipeline with the server's reason. */
static int drain_pool_events(psr_psrp_session *s, psr_error *err)
{
    psrp_pool_event ev;
    int rc = 0;
    while (psrp_pool_next_event(s->pool, &ev) == 1) {
        if (rc)
            continue;
        if (ev.kind == PSRP_POOL_EV_PUBLIC_KEY_REQUESTED) {
            rc = s->rsa ? 0 : psrp_rsa_key_generate(&s->rsa, err);
            if (!rc)
                rc = psrp_pool_start_key_exchange(s->pool, s->rsa, err);
        } else if (ev.kind == PSRP_POOL_EV_BROKEN) {
            rc = psr_error_set(err, PSR_E_PROTOCOL,
                               "%s: the remote session broke (runspace pool Broken): %s",
                               psr_transport_host(s->main),
                               ev.reason ? ev.reason : "the server gave no reason");
        }
    }
    /* PUBLIC_KEY (or any pool message) goes out on the shell at once: the
     * server's pipeline waits for it. */
    return rc ? rc : flush_sends(s, NULL, NULL, err);
}

static int start_command(psr_psrp_session *s, psrp_pipeline *pl, const char *command_id,
                         psr_error *err)
{
    psr_buf args = {0}, args_b64 = {0};
    long n = psrp_pipeline_take_command_args(pl, &args, max_payload(s), err);
    if (n < 0)
        return (int)n;
    int rc = psr_base64_encode(&args_b64, args.data, args.len) ? nomem(err) : 0;
    psr_buf_free(&args);
    if (rc)
        return rc;
    const char *arguments[] = {args_b64.data};
    wsman_command_spec spec = {.command_id = command_id, .arguments = arguments, .n_arguments = 1};
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    header(s, s->main, &h, msgid);
    psr_buf env = {0};
    wsman_response r = {0};
    rc = exchange(s->main, &env, wsman_build_command(&env, &h, &spec), &r, WSMAN_RESP_COMMAND,
                  "Command", err);
    wsman_response_clear(&r);
    psr_buf_free(&args_b64);
    return rc;
}

static int signal_command(psr_psrp_session *s, psr_transport *t, const char *command_id,
                          const char *code, psr_error *err)
{
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    header(s, t, &h, msgid);
    psr_buf env = {0};
    wsman_response r = {0};
    int rc = exchange(t, &env, wsman_build_signal(&env, &h, command_id, code), &r,
                      WSMAN_RESP_SIGNAL, "Signal", err);
    wsman_response_clear(&r);
    return rc;
}

int psr_psrp_session_invoke(psr_psrp_session *s, const psr_psrp_invocation *inv,
                            int32_t *final_state, psr_error *err)
{
    psr_uuid pid;
    if (psr_uuid_generate(&pid) != 0)
        return psr_error_set(err, PSR_E_IO, "no random numbers for the pipeline id");
    char command_id[PSR_UUID_STRLEN];
    psr_uuid_format(&pid, 1, command_id);

    psrp_msg_create_pipeline spec = *inv->pipeline;
    spec.no_input = inv->n_input == 0;
    run_ctx c = {.s = s, .inv = inv};
    c.pl = psrp_pipeline_new(s->pool, &pid, &spec, err);
    if (!c.pl)
        return err ? err->code : PSR_E_NOMEM;
    int rc = 0;
    for (size_t i = 0; !rc && i < inv->n_input; i++)
        rc = psrp_pipeline_send_input(c.pl, inv->input[i], err);
    if (!rc && inv->n_input)
        rc = psrp_pipeline_end_input(c.pl, err);
    if (!rc)
        rc = start_command(s, c.pl, command_id, err);
    if (rc) {
        psrp_pipeline_free(c.pl);
        return rc;
    }
    pthread_mutex_lock(&s->lock);
    snprintf(s->running_command, sizeof(s->running_command), "%s", command_id);
    atomic_store(&s->stop_requested, 0);
    s->stop_sent = 0;
    atomic_store(&s->abandoned, 0);
    pthread_mutex_unlock(&s->lock);

    int done = 0;
    while (!rc && !c.finished && !atomic_load(&s->abandoned)) {
        rc = flush_sends(s, c.pl, command_id, err);
        if (!rc && atomic_exchange(&s->stop_requested, 0))
            psrp_pipeline_stop(c.pl, NULL); /* the signal went on the control channel */
        if (!rc)
            rc = receive_once(s, command_id, feed_pipeline, &c, &done, err);
        if (!rc)
            rc = drain_events(&c, err);
        if (!rc)
            rc = drain_pool_events(s, err);
        if (!rc && done && !c.finished)
            rc = psr_error_set(err, PSR_E_PROTOCOL,
                               "%s: the command ended without a final pipeline state",
                               psr_transport_host(s->main));
    }

    pthread_mutex_lock(&s->lock);
    s->running_command[0] = '\0';
    pthread_cond_broadcast(&s->ended);
    int abandoned = atomic_load(&s->abandoned), joined = s->have_watchdog;
    s->have_watchdog = 0;
    pthread_mutex_unlock(&s->lock);
    if (joined)
        pthread_join(s->watchdog, NULL);
    if (abandoned && !c.finished)
        rc = psr_error_set(err, PSR_E_CANCELLED,
                           "%s: the pipeline did not stop within CancelTimeout (%u ms) of the "
                           "stop signal; psremote terminated the command (raise the wait with "
                           "--session-option CancelTimeout=MS)",
                           psr_transport_host(s->main), s->cancel_timeout_ms);
    /* Release the command on the server, as PowerShell does. */
    psr_error terr;
    int trc = signal_command(s, s->main, command_id, WSMAN_SIGNAL_TERMINATE, &terr);
    if (!rc && trc && terr.code != PSR_E_FAULT) {
        rc = trc;
        if (err)
            *err = terr;
    }
    psrp_pipeline_free(c.pl);
    if (!rc)
        *final_state = c.final_state;
    return rc;
}

/* CancelTimeout after the stop signal: if the same command still runs, it
 * is terminated (Signal Terminate), which ends the Receive waiting on it;
 * invoke then reports that the stop took too long. */
static void *cancel_watchdog(void *arg)
{
    psr_psrp_session *s = arg;
    char command_id[PSR_UUID_STRLEN];
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += s->cancel_timeout_ms / 1000;
    deadline.tv_nsec += (long)(s->cancel_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    snprintf(command_id, sizeof(command_id), "%s", s->running_command);
    int waited_out = 0;
    while (!waited_out && strcmp(s->running_command, command_id) == 0 && command_id[0])
        waited_out = pthread_cond_timedwait(&s->ended, &s->lock, &deadline) == ETIMEDOUT;
    int still_running = command_id[0] && strcmp(s->running_command, command_id) == 0;
    if (still_running)
        atomic_store(&s->abandoned, 1);
    pthread_mutex_unlock(&s->lock);
    /* Only this thread uses the control channel now: stop() sends once. */
    if (still_running)
        signal_command(s, s->control, command_id, WSMAN_SIGNAL_TERMINATE, NULL);
    return NULL;
}

int psr_psrp_session_stop(psr_psrp_session *s, psr_error *err)
{
    char command_id[PSR_UUID_STRLEN];
    pthread_mutex_lock(&s->lock);
    snprintf(command_id, sizeof(command_id), "%s", s->running_command);
    int first = command_id[0] && !s->stop_sent;
    s->stop_sent = 1;
    pthread_mutex_unlock(&s->lock);
    if (!first)
        return 0;
    atomic_store(&s->stop_requested, 1);
    int rc = signal_command(s, s->control, command_id, WSMAN_SIGNAL_PS_CTRL_C, err);
    pthread_mutex_lock(&s->lock);
    /* Started under the lock, and only while the command runs, so invoke's
     * end always sees it and joins it. */
    if (!rc && strcmp(s->running_command, command_id) == 0 && !s->have_watchdog)
        s->have_watchdog = pthread_create(&s->watchdog, NULL, cancel_watchdog, s) == 0;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int psr_psrp_session_secure_string(psr_psrp_session *s, const char *text, psrp_value **out,
                                   psr_error *err)
{
    *out = NULL;
    if (!psrp_pool_has_session_key(s->pool)) {
        int rc = s->rsa ? 0 : psrp_rsa_key_generate(&s->rsa, err);
        if (!rc)
            rc = psrp_pool_start_key_exchange(s->pool, s->rsa, err);
        if (!rc)
            rc = flush_sends(s, NULL, NULL, err);
        uint64_t deadline = now_ms() + s->open_timeout_ms;
        while (!rc && !psrp_pool_has_session_key(s->pool)) {
            int done = 0;
            rc = receive_once(s, NULL, feed_pool, s, &done, err);
            psrp_pool_event ev;
            while (psrp_pool_next_event(s->pool, &ev) == 1)
                if (ev.kind == PSRP_POOL_EV_BROKEN)
                    rc = psr_error_set(err, PSR_E_PROTOCOL,
                                       "%s: the session broke during the key exchange: %s",
                                       psr_transport_host(s->main),
                                       ev.reason ? ev.reason : "no reason given");
            if (!rc && now_ms() > deadline)
                rc = psr_error_set(err, PSR_E_TIMEOUT,
                                   "%s: no session key within OpenTimeout (%u ms)",
                                   psr_transport_host(s->main), s->open_timeout_ms);
        }
        if (rc)
            return rc;
    }
    return psrp_pool_secure_string(s->pool, text, strlen(text), out, err);
}
