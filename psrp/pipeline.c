/* pipeline.c: client pipeline state machine (see pipeline.h; MS-PSRP
 * 3.1.1.3, 3.1.4.3 to 3.1.4.6, 3.1.5.4.17 ff.). */
#include "psrp/pipeline.h"

#include "psrp/fragment.h"
#include "psrp/message.h"
#include "psrp/pool_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STREAMS 4

typedef struct pl_node {
    struct pl_node *next;
    psrp_pipeline_event ev;
} pl_node;

struct psrp_pipeline {
    psrp_pool *pool;          /* NULL once orphaned */
    psr_uuid pid;
    psrp_pipeline_state state;
    psrp_fragmenter *out;
    int args_taken;
    struct {
        char name[16];
        psrp_defragmenter *d;
    } streams[MAX_STREAMS];
    pl_node *head, *tail, *current;
};

static int is_final(psrp_pipeline_state s)
{
    return s == PSRP_PIPELINE_COMPLETED || s == PSRP_PIPELINE_FAILED || s == PSRP_PIPELINE_STOPPED;
}

static void event_clear(psrp_pipeline_event *ev)
{
    switch (ev->kind) {
    case PSRP_PIPELINE_EV_OUTPUT: psrp_value_free(ev->u.output); break;
    case PSRP_PIPELINE_EV_ERROR: psrp_error_record_clear(&ev->u.error); break;
    case PSRP_PIPELINE_EV_DEBUG:
    case PSRP_PIPELINE_EV_VERBOSE:
    case PSRP_PIPELINE_EV_WARNING: psrp_msg_informational_clear(&ev->u.record); break;
    case PSRP_PIPELINE_EV_INFORMATION: psrp_msg_information_clear(&ev->u.information); break;
    case PSRP_PIPELINE_EV_PROGRESS: psrp_msg_progress_clear(&ev->u.progress); break;
    case PSRP_PIPELINE_EV_HOST_CALL: psrp_msg_host_call_clear(&ev->u.host_call); break;
    case PSRP_PIPELINE_EV_STATE: psrp_msg_pipeline_state_clear(&ev->u.state); break;
    }
}

static void node_free(pl_node *n)
{
    if (!n)
        return;
    event_clear(&n->ev);
    free(n);
}

static void push(psrp_pipeline *pl, pl_node *n)
{
    if (pl->tail)
        pl->tail->next = n;
    else
        pl->head = n;
    pl->tail = n;
}

static int queue_message(psrp_pipeline *pl, uint32_t type, const psr_buf *data, const char *stream, psr_error *err)
{
    psr_buf msg = {0};
    int rc = psrp_message_build(&msg, PSRP_DEST_SERVER, type, psrp_pool_rpid(pl->pool), &pl->pid, data->data,
                                data->len);
    if (rc)
        rc = psr_error_set(err, PSR_E_NOMEM, "PSRP pipeline: out of memory");
    else
        rc = psrp_fragmenter_add(pl->out, stream, msg.data, msg.len, NULL, err);
    psr_buf_free(&msg);
    return rc;
}

/* Creates the pipeline around its first message (CREATE_PIPELINE or
 * GET_COMMAND_METADATA), already built into data. */
static psrp_pipeline *pipeline_start(psrp_pool *pool, const psr_uuid *pid, uint32_t type, const psr_buf *data,
                                     psr_error *err)
{
    psrp_pipeline *pl = calloc(1, sizeof(*pl));
    if (!pl || !(pl->out = psrp_fragmenter_new(psrp_pool_object_counter(pool)))) {
        free(pl);
        psr_error_set(err, PSR_E_NOMEM, "PSRP pipeline: out of memory");
        return NULL;
    }
    pl->pool = pool;
    pl->pid = *pid;
    int rc = queue_message(pl, type, data, "stdin", err);
    if (!rc && psrp_pool_attach_pipeline(pool, pl))
        rc = psr_error_set(err, PSR_E_NOMEM, "PSRP pipeline: out of memory");
    if (rc) {
        pl->pool = NULL; /* not attached */
        psrp_pipeline_free(pl);
        return NULL;
    }
    pl->state = PSRP_PIPELINE_RUNNING;
    return pl;
}

static int check_new(psrp_pool *pool, const psr_uuid *pid, psr_error *err)
{
    if (psrp_pool_get_state(pool) != PSRP_POOL_OPENED)
        return psr_error_set(err, PSR_E_STATE, "PSRP pipeline: the runspace pool is %s, not Opened",
                             psrp_pool_state_name(psrp_pool_get_state(pool)));
    if (psrp_guid_is_nil(pid))
        return psr_error_set(err, PSR_E_INVALID, "PSRP pipeline: the pipeline id must not be the nil GUID");
    return 0;
}

psrp_pipeline *psrp_pipeline_new(psrp_pool *pool, const psr_uuid *pid, const psrp_msg_create_pipeline *spec,
                                 psr_error *err)
{
    if (check_new(pool, pid, err))
        return NULL;
    psr_buf data = {0};
    psrp_pipeline *pl = NULL;
    if (psrp_msg_create_pipeline_build(&data, spec, psrp_pool_protocol_version(pool), err) == 0)
        pl = pipeline_start(pool, pid, PSRP_CREATE_PIPELINE, &data, err);
    psr_buf_free(&data);
    return pl;
}

psrp_pipeline *psrp_pipeline_new_built(psrp_pool *pool, const psr_uuid *pid, const psr_buf *data,
                                       psr_error *err)
{
    if (check_new(pool, pid, err))
        return NULL;
    psr_buf copy = {0};
    if (psr_buf_append(&copy, data->data, data->len)) {
        psr_error_set(err, PSR_E_NOMEM, "PSRP pipeline: out of memory");
        return NULL;
    }
    psrp_pipeline *pl = pipeline_start(pool, pid, PSRP_CREATE_PIPELINE, &copy, err);
    psr_buf_free(&copy);
    return pl;
}

psrp_pipeline *psrp_pipeline_new_command_metadata(psrp_pool *pool, const psr_uuid *pid,
                                                  const psrp_msg_command_metadata *spec, psr_error *err)
{
    if (check_new(pool, pid, err))
        return NULL;
    psr_buf data = {0};
    psrp_pipeline *pl = NULL;
    if (psrp_msg_command_metadata_build(&data, spec, err) == 0)
        pl = pipeline_start(pool, pid, PSRP_GET_COMMAND_METADATA, &data, err);
    psr_buf_free(&data);
    return pl;
}

void psrp_pipeline_orphan(psrp_pipeline *pl)
{
    pl->pool = NULL;
    /* The fragmenter points at the pool's ObjectId counter. */
    psrp_fragmenter_free(pl->out);
    pl->out = NULL;
}

void psrp_pipeline_free(psrp_pipeline *pl)
{
    if (!pl)
        return;
    if (pl->pool)
        psrp_pool_detach_pipeline(pl->pool, pl);
    psrp_fragmenter_free(pl->out);
    for (int i = 0; i < MAX_STREAMS; i++)
        psrp_defragmenter_free(pl->streams[i].d);
    while (pl->head) {
        pl_node *n = pl->head;
        pl->head = n->next;
        node_free(n);
    }
    node_free(pl->current);
    free(pl);
}

const psr_uuid *psrp_pipeline_pid(const psrp_pipeline *pl)
{
    return &pl->pid;
}

psrp_pipeline_state psrp_pipeline_get_state(const psrp_pipeline *pl)
{
    return pl->state;
}

static int usable(const psrp_pipeline *pl, psr_error *err)
{
    if (!pl->pool)
        return psr_error_set(err, PSR_E_STATE, "PSRP pipeline: its runspace pool was freed");
    return 0;
}

/* ---- sending ---- */

long psrp_pipeline_take_command_args(psrp_pipeline *pl, psr_buf *out, size_t max, psr_error *err)
{
    int rc = usable(pl, err);
    if (rc)
        return rc;
    if (pl->args_taken)
        return psr_error_set(err, PSR_E_STATE, "PSRP pipeline: the Command arguments were already taken");
    long n = psrp_fragmenter_next_payload(pl->out, out, max, err);
    if (n > 0)
        pl->args_taken = 1;
    return n;
}

const char *psrp_pipeline_next_stream(const psrp_pipeline *pl)
{
    return pl->pool && pl->args_taken ? psrp_fragmenter_next_stream(pl->out) : NULL;
}

long psrp_pipeline_take_payload(psrp_pipeline *pl, psr_buf *out, size_t max, psr_error *err)
{
    int rc = usable(pl, err);
    if (rc)
        return rc;
    if (!pl->args_taken)
        return psr_error_set(err, PSR_E_STATE,
                             "PSRP pipeline: take the Command arguments (the start of CREATE_PIPELINE) first");
    return psrp_fragmenter_next_payload(pl->out, out, max, err);
}

static int require_running(const psrp_pipeline *pl, const char *what, psr_error *err)
{
    int rc = usable(pl, err);
    if (!rc && is_final(pl->state))
        rc = psr_error_set(err, PSR_E_STATE, "PSRP pipeline: cannot %s, the pipeline is %s", what,
                           psrp_pipeline_state_name(pl->state));
    return rc;
}

int psrp_pipeline_send_input(psrp_pipeline *pl, const psrp_value *v, psr_error *err)
{
    int rc = require_running(pl, "send input", err);
    psr_buf data = {0};
    if (!rc)
        rc = psrp_msg_object_build(&data, v, err);
    if (!rc)
        rc = queue_message(pl, PSRP_PIPELINE_INPUT, &data, "stdin", err);
    psr_buf_free(&data);
    return rc;
}

int psrp_pipeline_end_input(psrp_pipeline *pl, psr_error *err)
{
    int rc = require_running(pl, "end the input", err);
    psr_buf empty = {0};
    if (!rc)
        rc = queue_message(pl, PSRP_END_OF_PIPELINE_INPUT, &empty, "stdin", err);
    return rc;
}

int psrp_pipeline_host_respond(psrp_pipeline *pl, int64_t ci, int32_t method_id, psrp_value *result,
                               const psrp_error_record_spec *error, psr_error *err)
{
    int rc = require_running(pl, "answer a host call", err);
    if (rc)
        return rc;
    if (ci == PSRP_HOST_CALL_VOID_CI)
        return psr_error_set(err, PSR_E_INVALID, "PSRP host call %d (call id -100) expects no answer",
                             (int)method_id);
    psr_buf data = {0};
    rc = psrp_msg_host_response_build(&data, ci, method_id, result, error, err);
    if (!rc) /* 3.1.5.1.1: host responses SHOULD travel on "pr" */
        rc = queue_message(pl, PSRP_PIPELINE_HOST_RESPONSE, &data, "pr", err);
    psr_buf_free(&data);
    return rc;
}

int psrp_pipeline_stop(psrp_pipeline *pl, psr_error *err)
{
    int rc = require_running(pl, "stop", err);
    if (!rc)
        pl->state = PSRP_PIPELINE_STOPPING;
    return rc;
}

/* ---- receiving ---- */

static int on_state(psrp_pipeline *pl, pl_node *n, psr_error *err)
{
    int32_t s = n->ev.u.state.state;
    if (s < PSRP_PIPELINE_NOT_STARTED || s > PSRP_PIPELINE_DISCONNECTED)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP PIPELINE_STATE: unknown state %d", (int)s);
    if (!is_final((psrp_pipeline_state)s) && s != PSRP_PIPELINE_DISCONNECTED) {
        /* Running or Stopping: only the state changes (Windows sends neither). */
        if (pl->state != PSRP_PIPELINE_STOPPING)
            pl->state = (psrp_pipeline_state)s;
        return 1;
    }
    pl->state = (psrp_pipeline_state)s;
    return 0;
}

int psrp_pipeline_dispatch(psrp_pipeline *pl, const psrp_message *m, psr_error *err)
{
    const char *name = psrp_message_type_name(m->type);
    if (is_final(pl->state))
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: %s arrived after the pipeline ended (%s)", name,
                             psrp_pipeline_state_name(pl->state));
    pl_node *n = calloc(1, sizeof(*n));
    if (!n)
        return psr_error_set(err, PSR_E_NOMEM, "PSRP: out of memory");
    psrp_pipeline_event *ev = &n->ev;
    psrp_clixml_reader *rd = psrp_pool_reader(pl->pool);
    int rc;
    switch (m->type) {
    case PSRP_PIPELINE_OUTPUT:
        ev->kind = PSRP_PIPELINE_EV_OUTPUT;
        rc = psrp_msg_object_parse(rd, &ev->u.output, m->data, m->data_len, err);
        break;
    case PSRP_ERROR_RECORD:
        ev->kind = PSRP_PIPELINE_EV_ERROR;
        rc = psrp_msg_error_record_parse(rd, &ev->u.error, m->data, m->data_len, err);
        break;
    case PSRP_DEBUG_RECORD:
    case PSRP_VERBOSE_RECORD:
    case PSRP_WARNING_RECORD:
        ev->kind = m->type == PSRP_DEBUG_RECORD     ? PSRP_PIPELINE_EV_DEBUG
                   : m->type == PSRP_VERBOSE_RECORD ? PSRP_PIPELINE_EV_VERBOSE
                                                    : PSRP_PIPELINE_EV_WARNING;
        rc = psrp_msg_informational_parse(rd, &ev->u.record, m->data, m->data_len, err);
        break;
    case PSRP_INFORMATION_RECORD:
        ev->kind = PSRP_PIPELINE_EV_INFORMATION;
        rc = psrp_msg_information_parse(rd, &ev->u.information, m->data, m->data_len, err);
        break;
    case PSRP_PROGRESS_RECORD:
        ev->kind = PSRP_PIPELINE_EV_PROGRESS;
        rc = psrp_msg_progress_parse(rd, &ev->u.progress, m->data, m->data_len, err);
        break;
    case PSRP_PIPELINE_HOST_CALL:
        ev->kind = PSRP_PIPELINE_EV_HOST_CALL;
        rc = psrp_msg_host_call_parse(rd, &ev->u.host_call, m->data, m->data_len, err);
        break;
    case PSRP_PIPELINE_STATE:
        ev->kind = PSRP_PIPELINE_EV_STATE;
        rc = psrp_msg_pipeline_state_parse(rd, &ev->u.state, m->data, m->data_len, err);
        if (!rc)
            rc = on_state(pl, n, err);
        break;
    default:
        ev->kind = PSRP_PIPELINE_EV_OUTPUT; /* u.output is NULL: nothing to clear */
        rc = psr_error_set(err, PSR_E_PROTOCOL, "PSRP: the server sent %s, which only a client sends", name);
        break;
    }
    if (rc) {
        node_free(n);
        return rc < 0 ? rc : 0;
    }
    push(pl, n);
    return 0;
}

static psrp_defragmenter *stream_defrag(psrp_pipeline *pl, const char *stream, psr_error *err)
{
    for (int i = 0; i < MAX_STREAMS; i++)
        if (pl->streams[i].d && strcmp(pl->streams[i].name, stream) == 0)
            return pl->streams[i].d;
    for (int i = 0; i < MAX_STREAMS; i++) {
        if (!pl->streams[i].d) {
            if (strlen(stream) >= sizeof(pl->streams[i].name))
                break;
            pl->streams[i].d = psrp_defragmenter_new(psrp_pool_max_object_size(pl->pool));
            if (!pl->streams[i].d)
                break;
            strcpy(pl->streams[i].name, stream);
            return pl->streams[i].d;
        }
    }
    psr_error_set(err, PSR_E_PROTOCOL, "PSRP: unexpected output stream \"%s\"", stream);
    return NULL;
}

static int feed_one(psrp_pipeline *pl, const uint8_t *bytes, size_t len, psr_error *err)
{
    psrp_message m;
    int rc = psrp_message_parse(&m, bytes, len, err);
    if (rc)
        return rc;
    const char *name = psrp_message_type_name(m.type);
    if (m.destination != PSRP_DEST_CLIENT)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: %s is addressed to the server, not to us", name);
    /* Windows sends pool messages on the shell's Receive. A server may also
     * put those a running pipeline waits on (PUBLIC_KEY_REQUEST, the pool
     * going Broken) on the pipeline's own, where a client that polls only
     * the command listens: the pool takes them either way. */
    if (!psrp_message_type_is_pipeline(m.type) && psrp_guid_is_nil(&m.pid))
        return psrp_pool_handle_message(pl->pool, &m, err);
    if (!psrp_message_type_is_pipeline(m.type))
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: runspace pool message %s arrived for a pipeline",
                             name);
    if (memcmp(m.rpid.b, psrp_pool_rpid(pl->pool)->b, 16) != 0 || memcmp(m.pid.b, pl->pid.b, 16) != 0)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: %s is for another pipeline", name);
    return psrp_pipeline_dispatch(pl, &m, err);
}

int psrp_pipeline_feed(psrp_pipeline *pl, const char *stream, const void *data, size_t len, psr_error *err)
{
    int rc = usable(pl, err);
    if (rc)
        return rc;
    psrp_defragmenter *d = stream_defrag(pl, stream ? stream : "stdout", err);
    rc = d ? psrp_defragmenter_feed_payload(d, data, len, err) : PSR_E_PROTOCOL;
    psrp_defrag_message msg;
    while (!rc && psrp_defragmenter_next(d, &msg) == 1) {
        rc = feed_one(pl, msg.data, msg.len, err);
        psrp_defrag_message_clear(&msg);
    }
    if (rc && !is_final(pl->state)) {
        /* A broken stream ends the pipeline: report it as a local failure. */
        pl->state = PSRP_PIPELINE_FAILED;
        pl_node *n = calloc(1, sizeof(*n));
        if (n) {
            n->ev.kind = PSRP_PIPELINE_EV_STATE;
            n->ev.u.state.state = PSRP_PIPELINE_FAILED;
            push(pl, n);
        }
    }
    return rc;
}

int psrp_pipeline_next_event(psrp_pipeline *pl, psrp_pipeline_event *ev)
{
    node_free(pl->current);
    pl->current = pl->head;
    if (!pl->current)
        return 0;
    pl->head = pl->current->next;
    if (!pl->head)
        pl->tail = NULL;
    *ev = pl->current->ev;
    return 1;
}
