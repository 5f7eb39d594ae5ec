/* ps_server.c: the PowerShell endpoint of psremote-harness (see
 * ps_server.h). Server side of MS-PSRP 3.2 on the pure psrp/ layer: client
 * fragments in through defragmenters, our messages out through fragmenters
 * onto the shell's (pool) or the command's (pipeline) "stdout" stream. As
 * Windows does, no Running pipeline state is sent: output and records first,
 * then the final Completed or Failed state. */
#include "src/harness/ps_server.h"
#include "src/harness/ps_server_internal.h"

#include "common/base64.h"
#include "common/uuid.h"
#include "psrp/fragment.h"
#include "psrp/message.h"
#include "psrp/messages.h"
#include "psrp/session_key.h"
#include "src/harness/harness.h"
#include "src/harness/reply.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ENVELOPE_OVERHEAD 4096u

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
    p->terminated = 1;
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

int ps_queue(harness_ps *ps, psrp_fragmenter *out, const psr_uuid *rpid, const psr_uuid *pid,
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


/* ---- incoming messages ---- */

/* The pool requests a client waits an answer to (RUNSPACE_AVAILABILITY
 * with its call id, MS-PSRP 3.2.5.4.6-9): new limits are taken when they
 * make sense (1 <= min <= max); the runspaces free are the maximum less
 * the pipelines running; the runspace's variables are reset only when no
 * pipeline runs (a running script uses them), as PowerShell refuses to
 * reset a busy runspace. */
static int pool_request(harness_ps *ps, ps_session *s, const psrp_message *m)
{
    psrp_msg_pool_numbers pn;
    psr_error err;
    psr_buf data = {0};
    int rc = psrp_msg_pool_numbers_parse(NULL, &pn, m->data, m->data_len, &err);
    if (rc)
        return rc;
    int64_t busy = 0;
    for (ps_pipeline *p = s->pipelines; p; p = p->next)
        busy += p->running && !p->finished;
    if (m->type == PSRP_GET_AVAILABLE_RUNSPACES) {
        rc = psrp_msg_runspace_availability_build_count(
            &data, pn.ci, s->max_runspaces > busy ? s->max_runspaces - busy : 0, &err);
    } else {
        int ok = 0;
        if (m->type == PSRP_SET_MAX_RUNSPACES && pn.max_runspaces >= 1 &&
            pn.max_runspaces >= s->min_runspaces)
            ok = 1, s->max_runspaces = pn.max_runspaces;
        else if (m->type == PSRP_SET_MIN_RUNSPACES && pn.min_runspaces >= 1 &&
                 pn.min_runspaces <= s->max_runspaces)
            ok = 1, s->min_runspaces = pn.min_runspaces;
        else if (m->type == PSRP_RESET_RUNSPACE_STATE && !busy)
            ok = 1, ps_session_state_clear(&s->state);
        rc = psrp_msg_runspace_availability_build_bool(&data, pn.ci, ok, &err);
    }
    if (!rc)
        rc = ps_queue(ps, s->out, &s->rpid, NULL, PSRP_RUNSPACE_AVAILABILITY, &data);
    psrp_msg_pool_numbers_clear(&pn);
    psr_buf_free(&data);
    return rc;
}

static int session_message(harness_ps *ps, ps_session *s, const psrp_message *m)
{
    psr_buf data = {0};
    psr_error err;
    int rc = 0;
    switch (m->type) {
    case PSRP_SESSION_CAPABILITY:
        rc = psrp_msg_session_capability_build(&data, "2.3", "2.0", "1.1.0.1", &err);
        if (!rc)
            rc = ps_queue(ps, s->out, &s->rpid, NULL, PSRP_SESSION_CAPABILITY, &data);
        break;
    case PSRP_INIT_RUNSPACEPOOL: {
        psrp_msg_init_pool ip;
        if (psrp_msg_init_pool_parse(NULL, &ip, m->data, m->data_len, &err) == 0) {
            s->min_runspaces = ip.min_runspaces;
            s->max_runspaces = ip.max_runspaces;
            psrp_msg_init_pool_clear(&ip);
        }
        rc = psrp_msg_app_private_data_build(&data, NULL, &err);
        if (!rc)
            rc = ps_queue(ps, s->out, &s->rpid, NULL, PSRP_APPLICATION_PRIVATE_DATA, &data);
        psr_buf_reset(&data);
        if (!rc)
            rc = psrp_msg_pool_state_build(&data, PSRP_POOL_OPENED, NULL, &err);
        if (!rc)
            rc = ps_queue(ps, s->out, &s->rpid, NULL, PSRP_RUNSPACEPOOL_STATE, &data);
        break;
    }
    case PSRP_SET_MAX_RUNSPACES:
    case PSRP_SET_MIN_RUNSPACES:
    case PSRP_GET_AVAILABLE_RUNSPACES:
    case PSRP_RESET_RUNSPACE_STATE:
        rc = pool_request(ps, s, m);
        break;
    case PSRP_PUBLIC_KEY: {
        /* The client wants to send SecureStrings, or answers our
         * PUBLIC_KEY_REQUEST: the AES-256 session key (made now unless one
         * exists, 3.2.5.4.3), encrypted to its RSA key. */
        psrp_msg_key_blob kb = {0};
        psr_buf simple = {0};
        rc = psrp_msg_public_key_parse(NULL, &kb, m->data, m->data_len, &err);
        if (!rc && !s->state.have_session_key &&
            RAND_bytes(s->state.session_key, sizeof(s->state.session_key)) != 1)
            rc = -1;
        if (!rc)
            rc = psrp_session_key_encrypt(kb.blob.data, kb.blob.len, s->state.session_key, &simple,
                                          &err);
        if (!rc)
            rc = psrp_msg_encrypted_session_key_build(&data, simple.data, simple.len, &err);
        if (!rc) {
            /* A pipeline that asked for the key waits on its own Receive,
             * where the client is listening; otherwise the shell's. */
            ps_pipeline *waiter = s->key_waiter;
            s->key_waiter = NULL;
            s->state.have_session_key = 1;
            rc = ps_queue(ps, waiter ? waiter->out : s->out, &s->rpid, NULL,
                          PSRP_ENCRYPTED_SESSION_KEY, &data);
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
        if (p->have_spec || psrp_msg_create_pipeline_parse(NULL, &p->spec, m->data, m->data_len, &err))
            return -1;
        p->have_spec = 1;
        if (p->spec.p.no_input)
            ps_run_pipeline(ps, s, p);
        return 0;
    case PSRP_PIPELINE_INPUT: {
        psrp_value *v = NULL;
        if (psrp_msg_object_parse(NULL, &v, m->data, m->data_len, &err))
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
    case PSRP_GET_COMMAND_METADATA: {
        /* Not simulated; said so rather than left unanswered. */
        psrp_error_record_spec spec = {
            .message = "The harness does not answer GET_COMMAND_METADATA (MS-PSRP 2.2.2.14).",
            .exception_type = "System.Management.Automation.PSNotSupportedException",
            .fully_qualified_error_id = "HarnessCommandMetadataNotSupported",
            .category = 11, /* NotImplemented */
            .category_reason = "PSNotSupportedException",
        };
        psr_buf data = {0};
        int rc = psrp_msg_pipeline_state_build(&data, PSRP_PIPELINE_FAILED, &spec, &err);
        if (!rc)
            rc = ps_queue(ps, p->out, &s->rpid, &p->pid, PSRP_PIPELINE_STATE, &data);
        psr_buf_free(&data);
        p->finished = 1;
        return rc;
    }
    case PSRP_END_OF_PIPELINE_INPUT:
        if (p->have_spec && !p->finished && !p->running)
            ps_run_pipeline(ps, s, p);
        return 0;
    case PSRP_PIPELINE_HOST_RESPONSE: {
        psrp_msg_host_response hr;
        if (psrp_msg_host_response_parse(NULL, &hr, m->data, m->data_len, &err))
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
                if (s->key_waiter == p)
                    s->key_waiter = NULL;
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
