/* fanout_psrp.c: the PowerShell protocol of the fan-out engine (see
 * fanout.h): the wire sequence of psrp_session.c, one step per request,
 * driven by the pure runspace-pool and pipeline state machines of psrp/. */
#include "src/client/fanout_engine.h"

#include "common/base64.h"
#include "common/uuid.h"
#include "psrp/runspace_pool.h"
#include "psrp/session_key.h"
#include "src/client/application_arguments.h"
#include "src/client/endpoint.h"
#include "src/client/psrp_session.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ENVELOPE_OVERHEAD 4096u
#define PROTOCOL_2_2_ENVELOPE 512000u

enum {
    P_CREATE,        /* Create with creationXml */
    P_POOL_SEND,     /* Send of queued pool messages */
    P_OPEN_RECEIVE,  /* Receive until the pool is Opened */
    P_COMMAND,       /* Command with the first CREATE_PIPELINE fragments */
    P_PIPE_SEND,     /* Send of queued pipeline messages */
    P_RECEIVE,       /* Receive until the pipeline's final state */
    P_SIGNAL,        /* Signal Terminate */
    P_DELETE,
    P_KEY_SEND       /* Send of PUBLIC_KEY while the pipeline runs */
};

typedef struct psrp_job {
    psrp_pool *pool;
    psrp_pipeline *pl;
    psr_buf resource_uri;
    char rpid[PSR_UUID_STRLEN];
    char pid[PSR_UUID_STRLEN];
    int finished;        /* the pipeline's final state arrived */
    psrp_rsa_key *rsa;   /* made when the server asks for our public key */
} psrp_job;

/* What every host of one run sends alike, built once: INIT_RUNSPACEPOOL
 * depends only on the ApplicationArguments (a host's configuration may
 * give its own), CREATE_PIPELINE only on the protocol version the server
 * negotiated. The headers that carry each host's ids are built per host. */
typedef struct shared_bodies {
    int have_init;
    char *init_app_args;   /* the key: ApplicationArguments text, or NULL */
    psr_buf init;
    char pipeline_version[16];
    psr_buf pipeline;
    /* One CLIXML reader parses the messages of every computer: the hosts
     * are driven from one thread and each message is parsed whole. */
    psrp_clixml_reader *reader;
} shared_bodies;

typedef struct psrp_work {
    const psr_fanout_invocation *inv;
    shared_bodies *shared;
} psrp_work;

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const psr_buf *shared_init(shared_bodies *sb, const char *app_args,
                                  const psrp_pool_config *cfg, psr_error *err)
{
    if (sb->have_init && same_text(sb->init_app_args, app_args))
        return &sb->init;
    free(sb->init_app_args);
    sb->init_app_args = NULL;
    sb->have_init = 0;
    if (app_args && !(sb->init_app_args = strdup(app_args))) {
        psr_error_set(err, PSR_E_NOMEM, "out of memory");
        return NULL;
    }
    if (psrp_pool_init_data(cfg, &sb->init, err) != 0)
        return NULL;
    sb->have_init = 1;
    return &sb->init;
}

static const psr_buf *shared_pipeline(shared_bodies *sb, const psrp_msg_create_pipeline *spec,
                                      const char *version, psr_error *err)
{
    if (sb->pipeline_version[0] && strcmp(sb->pipeline_version, version) == 0)
        return &sb->pipeline;
    sb->pipeline_version[0] = '\0';
    psr_buf_reset(&sb->pipeline);
    if (strlen(version) >= sizeof(sb->pipeline_version) ||
        psrp_msg_create_pipeline_build(&sb->pipeline, spec, version, err) != 0)
        return NULL;
    snprintf(sb->pipeline_version, sizeof(sb->pipeline_version), "%s", version);
    return &sb->pipeline;
}

static size_t max_payload(const host_job *j)
{
    uint32_t env = j->max_envelope_size ? j->max_envelope_size : WSMAN_DEFAULT_MAX_ENVELOPE;
    return env > 2 * ENVELOPE_OVERHEAD ? (env - ENVELOPE_OVERHEAD) / 4 * 3 : 1024;
}

static int start(fanout *f, host_job *j, psr_error *err)
{
    const psrp_work *w = f->work;
    const psr_fanout_invocation *inv = w->inv;
    psrp_job *p = calloc(1, sizeof(*p));
    if (!p)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    j->proto = p;
    if (psr_psrp_resource_uri(inv->configuration_name, &p->resource_uri) != 0 ||
        psr_endpoint_add_ps_version(&j->url, err) != 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    j->resource_uri = p->resource_uri.data;
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    if (psr_uuid_generate(&cfg.rpid) != 0)
        return psr_error_set(err, PSR_E_IO, "no random numbers for the session id");
    psr_uuid_format(&cfg.rpid, 1, p->rpid);
    cfg.max_object_size = j->conn->max_received_object_size
                              ? (size_t)j->conn->max_received_object_size
                              : SIZE_MAX / 2;
    psrp_value *app_args = NULL;
    int rc = j->conn->application_arguments
                 ? psr_application_arguments_parse(j->conn->application_arguments, &app_args, err)
                 : 0;
    if (rc)
        return rc;
    cfg.application_arguments = app_args;
    cfg.reader = w->shared->reader; /* NULL if it could not be made: the pool makes its own */
    cfg.skip_private_data = 1;     /* nothing here reads it */
    cfg.init_data = shared_init(w->shared, j->conn->application_arguments, &cfg, err);
    if (!cfg.init_data) {
        psrp_value_free(app_args);
        return err && err->code ? err->code : PSR_E_NOMEM;
    }
    p->pool = psrp_pool_new(&cfg, err);
    psrp_value_free(app_args);
    if (!p->pool)
        return err ? err->code : PSR_E_NOMEM;
    rc = psrp_pool_open(p->pool, err);
    if (rc)
        return rc;
    j->step = P_CREATE;
    return 0;
}

static int build_send(host_job *j, psrp_job *p, int pipeline, wsman_request_header *h,
                      psr_error *err)
{
    const char *stream = pipeline ? psrp_pipeline_next_stream(p->pl) : psrp_pool_next_stream(p->pool);
    char name[16];
    snprintf(name, sizeof(name), "%s", stream ? stream : "stdin");
    psr_buf payload = {0};
    long n = pipeline ? psrp_pipeline_take_payload(p->pl, &payload, max_payload(j), err)
                      : psrp_pool_take_payload(p->pool, &payload, max_payload(j), err);
    int rc = n < 0 ? (int)n
                   : wsman_build_send(&j->envelope, h, pipeline ? p->pid : NULL, name,
                                      payload.data, payload.len, 0);
    psr_buf_free(&payload);
    return rc;
}

static int build(fanout *f, host_job *j, psr_error *err)
{
    const psrp_work *w = f->work;
    const psr_fanout_invocation *inv = w->inv;
    psrp_job *p = j->proto;
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    fanout_header(j, &h, msgid);
    psr_buf_reset(&j->envelope);
    psr_buf data = {0}, b64 = {0};
    int rc = 0;
    switch (j->step) {
    case P_CREATE: {
        long n = psrp_pool_take_payload(p->pool, &data, max_payload(j), err);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (psr_base64_encode(&b64, data.data, data.len)) {
            rc = PSR_E_NOMEM;
            break;
        }
        wsman_option options[] = {{"protocolversion", "2.3", 1}};
        h.options = options;
        h.n_options = 1;
        wsman_shell_spec spec = {
            .shell_id = p->rpid,
            .input_streams = "stdin pr",
            .output_streams = "stdout",
            .creation_xml_b64 = b64.data,
            .idle_timeout_s = j->conn->idle_timeout_ms > 0
                                  ? (uint32_t)j->conn->idle_timeout_ms / 1000u
                                  : 0,
        };
        rc = wsman_build_create_shell(&j->envelope, &h, &spec);
        break;
    }
    case P_POOL_SEND:
    case P_KEY_SEND: rc = build_send(j, p, 0, &h, err); break;
    case P_PIPE_SEND: rc = build_send(j, p, 1, &h, err); break;
    case P_OPEN_RECEIVE:
    case P_RECEIVE:
        j->waiting = 1;
        rc = wsman_build_receive(&j->envelope, &h, j->step == P_RECEIVE ? p->pid : NULL,
                                 "stdout");
        break;
    case P_COMMAND: {
        psr_uuid pid;
        if (psr_uuid_generate(&pid) != 0) {
            rc = psr_error_set(err, PSR_E_IO, "no random numbers for the pipeline id");
            break;
        }
        psr_uuid_format(&pid, 1, p->pid);
        psrp_msg_create_pipeline spec = *inv->pipeline;
        spec.no_input = 1;
        const psr_buf *body = shared_pipeline(w->shared, &spec,
                                              psrp_pool_protocol_version(p->pool), err);
        p->pl = body ? psrp_pipeline_new_built(p->pool, &pid, body, err) : NULL;
        if (!p->pl) {
            rc = err ? err->code : PSR_E_NOMEM;
            break;
        }
        long n = psrp_pipeline_take_command_args(p->pl, &data, max_payload(j), err);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (psr_base64_encode(&b64, data.data, data.len)) {
            rc = PSR_E_NOMEM;
            break;
        }
        const char *arguments[] = {b64.data};
        wsman_command_spec cmd = {.command_id = p->pid, .arguments = arguments, .n_arguments = 1};
        rc = wsman_build_command(&j->envelope, &h, &cmd);
        break;
    }
    case P_SIGNAL:
        rc = wsman_build_signal(&j->envelope, &h, p->pid, WSMAN_SIGNAL_TERMINATE);
        break;
    case P_DELETE:
        j->last_envelope = 1;
        rc = wsman_build_delete_shell(&j->envelope, &h);
        break;
    }
    psr_buf_free(&data);
    psr_buf_free(&b64);
    if (rc == PSR_E_NOMEM)
        psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return rc;
}

static int clean_up(host_job *j)
{
    return j->shell_id && j->step != P_DELETE ? P_DELETE : FANOUT_DONE;
}

static int fail_with(host_job *j, const psr_error *err)
{
    if (!j->failed) {
        j->failed = 1;
        j->err = *err;
    }
    return clean_up(j);
}

/* Feeds a Receive's stdout chunks to the pool or the pipeline. */
static int feed(host_job *j, psrp_job *p, const wsman_response *r, psr_error *err)
{
    for (size_t i = 0; i < r->n_streams; i++) {
        const wsman_stream_chunk *c = &r->streams[i];
        if (!c->data.len)
            continue;
        int rc;
        if (p->pl && c->command_id && strcasecmp(c->command_id, p->pid) == 0)
            rc = psrp_pipeline_feed(p->pl, c->name, c->data.data, c->data.len, err);
        else
            rc = psrp_pool_feed(p->pool, c->name, c->data.data, c->data.len, err);
        if (rc) {
            psr_error_prefix(err, "%s", j->host);
            return rc;
        }
    }
    return 0;
}

/* The pool after a Receive: Opened starts the pipeline. */
static int after_open_receive(host_job *j, psrp_job *p, psr_error *err)
{
    psrp_pool_event ev;
    while (psrp_pool_next_event(p->pool, &ev) == 1) {
        if (ev.kind == PSRP_POOL_EV_OPENED) {
            /* PowerShell 3 and later servers take 500 KB envelopes. */
            const char *v = psrp_pool_protocol_version(p->pool);
            if (j->conn->max_envelope_size == WSMAN_DEFAULT_MAX_ENVELOPE && v &&
                psrp_version_code(v) >= 202)
                j->max_envelope_size = PROTOCOL_2_2_ENVELOPE;
            return P_COMMAND;
        }
        if (ev.kind == PSRP_POOL_EV_BROKEN) {
            psr_error_set(err, PSR_E_PROTOCOL, "%s: the session could not be opened: %s", j->host,
                          ev.reason ? ev.reason : "the runspace pool is broken");
            return fail_with(j, err);
        }
    }
    return psrp_pool_next_stream(p->pool) ? P_POOL_SEND : P_OPEN_RECEIVE;
}

/* Pool messages on the pipeline's Receive: a server that asks for our
 * public key before it sends a SecureString gets it (P_KEY_SEND); a Broken
 * pool fails the host with the server's reason. */
static int pool_events(host_job *j, psrp_job *p, psr_error *err)
{
    psrp_pool_event ev;
    int rc = 0;
    while (psrp_pool_next_event(p->pool, &ev) == 1) {
        if (rc)
            continue;
        if (ev.kind == PSRP_POOL_EV_PUBLIC_KEY_REQUESTED) {
            rc = p->rsa ? 0 : psrp_rsa_key_generate(&p->rsa, err);
            if (!rc)
                rc = psrp_pool_start_key_exchange(p->pool, p->rsa, err);
        } else if (ev.kind == PSRP_POOL_EV_BROKEN) {
            rc = psr_error_set(err, PSR_E_PROTOCOL,
                               "%s: the remote session broke (runspace pool Broken): %s", j->host,
                               ev.reason ? ev.reason : "the server gave no reason");
        }
    }
    return rc;
}

/* The pipeline's events after a Receive, to the caller. */
static int after_receive(fanout *f, host_job *j, psrp_job *p)
{
    const psr_fanout_invocation *inv = ((const psrp_work *)f->work)->inv;
    psr_error perr;
    if (pool_events(j, p, &perr) != 0)
        return fail_with(j, &perr);
    if (psrp_pool_next_stream(p->pool))
        return P_KEY_SEND;
    psrp_pipeline_event ev;
    while (psrp_pipeline_next_event(p->pl, &ev) == 1) {
        if (inv->on_event && inv->on_event(f->ctx, j->index, p->pl, &ev) != 0) {
            psr_error err;
            psr_error_set(&err, PSR_E_CANCELLED, "%s: stopped by the caller", j->host);
            return fail_with(j, &err);
        }
        if (ev.kind == PSRP_PIPELINE_EV_STATE) {
            p->finished = 1;
            j->exit_code = ev.u.state.state;
        }
    }
    /* Deleting the shell ends the finished command with it, as WinRS
     * fan-out does: no Terminate, one request fewer per host. */
    if (p->finished)
        return P_DELETE;
    if (psrp_pipeline_next_stream(p->pl))
        return P_PIPE_SEND;
    return P_RECEIVE;
}

static int on_reply(fanout *f, host_job *j, int rc, const psr_error *err, const wsman_response *r)
{
    psrp_job *p = j->proto;
    int receiving = j->step == P_OPEN_RECEIVE || j->step == P_RECEIVE;
    if (rc == PSR_E_FAULT && receiving && err->wsman_code == WSMAN_CODE_TIMED_OUT)
        return f->stopping ? clean_up(j) : j->step; /* no output yet: poll again */
    if (rc) {
        if (j->failed) /* cleaning up after an earlier error: keep that one */
            return j->step == P_SIGNAL ? P_DELETE : FANOUT_DONE;
        return fail_with(j, err);
    }
    psr_error ferr;
    switch (j->step) {
    case P_CREATE:
        if (!r->shell_id || !(j->shell_id = strdup(r->shell_id))) {
            psr_error_set(&ferr, PSR_E_PROTOCOL, "%s: the Create response carries no ShellId",
                          j->host);
            return fail_with(j, &ferr);
        }
        return f->stopping ? P_DELETE
               : psrp_pool_next_stream(p->pool) ? P_POOL_SEND
                                                : P_OPEN_RECEIVE;
    case P_POOL_SEND:
        return psrp_pool_next_stream(p->pool) ? P_POOL_SEND : P_OPEN_RECEIVE;
    case P_OPEN_RECEIVE:
        if (feed(j, p, r, &ferr) != 0)
            return fail_with(j, &ferr);
        return f->stopping ? P_DELETE : after_open_receive(j, p, &ferr);
    case P_COMMAND:
        return psrp_pipeline_next_stream(p->pl) ? P_PIPE_SEND : P_RECEIVE;
    case P_PIPE_SEND:
        return psrp_pipeline_next_stream(p->pl) ? P_PIPE_SEND : P_RECEIVE;
    case P_RECEIVE:
        if (feed(j, p, r, &ferr) != 0)
            return fail_with(j, &ferr);
        return f->stopping ? P_SIGNAL : after_receive(f, j, p);
    case P_KEY_SEND:
        return psrp_pool_next_stream(p->pool) ? P_KEY_SEND : after_receive(f, j, p);
    case P_SIGNAL: return P_DELETE;
    case P_DELETE: return FANOUT_DONE;
    }
    return FANOUT_DONE;
}

static int on_stop(fanout *f, host_job *j)
{
    (void)f;
    psrp_job *p = j->proto;
    return p->pl ? P_SIGNAL : clean_up(j);
}

static void release(host_job *j)
{
    psrp_job *p = j->proto;
    if (!p)
        return;
    psrp_pipeline_free(p->pl);
    psrp_pool_free(p->pool);
    psrp_rsa_key_free(p->rsa);
    psr_buf_free(&p->resource_uri);
    free(p);
    j->proto = NULL;
}

static const fanout_protocol psrp_protocol = {start, build, on_reply, on_stop, release};

int psr_fanout_run_psrp(const psr_connection_options *conns, size_t n, unsigned throttle,
                        const psr_fanout_invocation *inv, const psr_fanout_callbacks *cb,
                        void *ctx, int interrupt_fd, psr_error *err)
{
    shared_bodies shared = {0};
    shared.reader = psrp_clixml_reader_new(NULL, NULL, NULL);
    psrp_work w = {inv, &shared};
    int rc = fanout_run(&psrp_protocol, &w, conns, n, throttle, cb, ctx, interrupt_fd, err);
    psrp_clixml_reader_free(shared.reader); /* every pool is freed by now */
    free(shared.init_app_args);
    psr_buf_free(&shared.init);
    psr_buf_free(&shared.pipeline);
    return rc;
}
