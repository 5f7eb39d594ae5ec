/* runspace_pool.c: client runspace-pool state machine (see runspace_pool.h;
 * MS-PSRP 3.1.1.2, 3.1.4.1, 3.1.5.4). */
#include "psrp/runspace_pool.h"

#include "common/base64.h"
#include "psrp/fragment.h"
#include "psrp/message.h"
#include "psrp/pool_internal.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STREAMS 4

typedef struct ev_node {
    struct ev_node *next;
    psrp_pool_event ev;
    char reason[sizeof(((psr_error *)0)->message)];
} ev_node;

struct psrp_pool {
    psrp_pool_config cfg;
    char advertised[16];
    char negotiated[16];
    psrp_pool_state state;
    uint64_t next_object_id;
    int64_t next_ci;
    psrp_fragmenter *out;
    struct {
        char name[16];
        psrp_defragmenter *d;
    } streams[MAX_STREAMS];
    ev_node *head, *tail, *current;
    psrp_pipeline **pipes;
    size_t n_pipes, cap_pipes;
    const psrp_rsa_key *rsa;
    uint8_t session_key[PSRP_SESSION_KEY_LEN];
    int has_key;
    /* Parses the CLIXML of every message of the pool and of its pipelines,
     * reset between messages (psrp_clixml_parse_with), so a message costs
     * no new parser. One is enough: the pool and its pipelines are used by
     * one thread at a time, as the session that drives them is (see
     * psremote/powershell.h), and a message is parsed whole before the
     * next one starts. The pool's own (own_rd) or the caller's
     * (psrp_pool_config.reader). */
    psrp_clixml_reader *rd, *own_rd;
};

void psrp_pool_config_init(psrp_pool_config *c)
{
    memset(c, 0, sizeof(*c));
    c->min_runspaces = 1;
    c->max_runspaces = 1;
    c->thread_options = PSRP_THREAD_DEFAULT;
    c->apartment_state = PSRP_APARTMENT_UNKNOWN;
    c->protocol_version = "2.3";
}

psrp_pool *psrp_pool_new(const psrp_pool_config *c, psr_error *err)
{
    const char *ver = c->protocol_version ? c->protocol_version : "2.3";
    int code = psrp_version_code(ver);
    if (code < 201 || code > 299 || strlen(ver) >= sizeof(((psrp_pool *)0)->advertised)) {
        psr_error_set(err, PSR_E_INVALID, "PSRP runspace pool: protocol version \"%s\" is not 2.1 or later 2.x", ver);
        return NULL;
    }
    if (c->min_runspaces < 1 || c->max_runspaces < c->min_runspaces) {
        psr_error_set(err, PSR_E_INVALID, "PSRP runspace pool: need 1 <= MinRunspaces (%d) <= MaxRunspaces (%d)",
                      (int)c->min_runspaces, (int)c->max_runspaces);
        return NULL;
    }
    psrp_pool *p = calloc(1, sizeof(*p));
    if (!p) {
        psr_error_set(err, PSR_E_NOMEM, "PSRP runspace pool: out of memory");
        return NULL;
    }
    p->cfg = *c;
    p->cfg.protocol_version = p->advertised;
    p->cfg.application_arguments = psrp_value_ref(c->application_arguments);
    strcpy(p->advertised, ver);
    p->state = PSRP_POOL_BEFORE_OPEN;
    p->next_object_id = 1; /* PowerShell numbers objects from 1 */
    p->next_ci = 1;
    p->out = psrp_fragmenter_new(&p->next_object_id);
    p->cfg.reader = NULL; /* borrowed: p->rd */
    p->rd = c->reader ? c->reader : (p->own_rd = psrp_clixml_reader_new(NULL, NULL, NULL));
    if (!p->out || !p->rd) {
        psrp_pool_free(p);
        psr_error_set(err, PSR_E_NOMEM, "PSRP runspace pool: out of memory");
        return NULL;
    }
    return p;
}

static void event_clear(psrp_pool_event *ev)
{
    switch (ev->kind) {
    case PSRP_POOL_EV_SESSION_CAPABILITY: psrp_msg_session_capability_clear(&ev->u.cap); break;
    case PSRP_POOL_EV_APPLICATION_PRIVATE_DATA: psrp_msg_app_private_data_clear(&ev->u.private_data); break;
    case PSRP_POOL_EV_OPENED:
    case PSRP_POOL_EV_BROKEN:
    case PSRP_POOL_EV_CLOSED: psrp_msg_pool_state_clear(&ev->u.state); break;
    case PSRP_POOL_EV_HOST_CALL: psrp_msg_host_call_clear(&ev->u.host_call); break;
    case PSRP_POOL_EV_RUNSPACE_AVAILABILITY: psrp_msg_runspace_availability_clear(&ev->u.availability); break;
    case PSRP_POOL_EV_USER_EVENT: psrp_msg_user_event_clear(&ev->u.user_event); break;
    case PSRP_POOL_EV_INIT_DATA: psrp_msg_pool_numbers_clear(&ev->u.init_data); break;
    case PSRP_POOL_EV_PUBLIC_KEY_REQUESTED:
    case PSRP_POOL_EV_SESSION_KEY: break;
    }
}

static void node_free(ev_node *n)
{
    if (!n)
        return;
    event_clear(&n->ev);
    free(n);
}

void psrp_pool_free(psrp_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_pipes; i++)
        psrp_pipeline_orphan(p->pipes[i]);
    free(p->pipes);
    while (p->head) {
        ev_node *n = p->head;
        p->head = n->next;
        node_free(n);
    }
    node_free(p->current);
    for (int i = 0; i < MAX_STREAMS; i++)
        psrp_defragmenter_free(p->streams[i].d);
    psrp_fragmenter_free(p->out);
    psrp_clixml_reader_free(p->own_rd);
    psrp_value_free(p->cfg.application_arguments);
    OPENSSL_cleanse(p->session_key, sizeof(p->session_key));
    free(p);
}

psrp_pool_state psrp_pool_get_state(const psrp_pool *p)
{
    return p->state;
}

const char *psrp_pool_protocol_version(const psrp_pool *p)
{
    return p->negotiated[0] ? p->negotiated : NULL;
}

const psr_uuid *psrp_pool_rpid(const psrp_pool *p)
{
    return &p->cfg.rpid;
}

/* ---- internal interface for pipelines ---- */

uint64_t *psrp_pool_object_counter(psrp_pool *p)
{
    return &p->next_object_id;
}

size_t psrp_pool_max_object_size(const psrp_pool *p)
{
    return p->cfg.max_object_size;
}

psrp_clixml_reader *psrp_pool_reader(psrp_pool *p)
{
    return p->rd;
}

int psrp_pool_attach_pipeline(psrp_pool *p, psrp_pipeline *pl)
{
    if (p->n_pipes == p->cap_pipes) {
        size_t cap = p->cap_pipes ? p->cap_pipes * 2 : 4;
        psrp_pipeline **n = realloc(p->pipes, cap * sizeof(*n));
        if (!n)
            return PSR_E_NOMEM;
        p->pipes = n;
        p->cap_pipes = cap;
    }
    p->pipes[p->n_pipes++] = pl;
    return 0;
}

void psrp_pool_detach_pipeline(psrp_pool *p, psrp_pipeline *pl)
{
    for (size_t i = 0; i < p->n_pipes; i++) {
        if (p->pipes[i] == pl) {
            p->pipes[i] = p->pipes[--p->n_pipes];
            return;
        }
    }
}

/* ---- events ---- */

static ev_node *push_event(psrp_pool *p, psrp_pool_event_kind kind)
{
    ev_node *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->ev.kind = kind;
    if (p->tail)
        p->tail->next = n;
    else
        p->head = n;
    p->tail = n;
    return n;
}

int psrp_pool_next_event(psrp_pool *p, psrp_pool_event *ev)
{
    node_free(p->current);
    p->current = p->head;
    if (!p->current)
        return 0;
    p->head = p->current->next;
    if (!p->head)
        p->tail = NULL;
    *ev = p->current->ev;
    return 1;
}

/* Moves the pool to Broken and tells the caller why. Returns err's code. */
static int pool_break(psrp_pool *p, psr_error *err)
{
    if (p->state == PSRP_POOL_BROKEN || p->state == PSRP_POOL_CLOSED)
        return err ? err->code : PSR_E_PROTOCOL;
    p->state = PSRP_POOL_BROKEN;
    ev_node *n = push_event(p, PSRP_POOL_EV_BROKEN);
    if (n) {
        n->ev.u.state.state = PSRP_POOL_BROKEN;
        snprintf(n->reason, sizeof(n->reason), "%s", err && err->message[0] ? err->message : "protocol error");
        n->ev.reason = n->reason;
    }
    return err ? err->code : PSR_E_PROTOCOL;
}

/* ---- sending ---- */

static int queue_message(psrp_pool *p, uint32_t type, const psr_buf *data, const char *stream, psr_error *err)
{
    psr_buf msg = {0};
    int rc = psrp_message_build(&msg, PSRP_DEST_SERVER, type, &p->cfg.rpid, NULL, data->data, data->len);
    if (rc)
        rc = psr_error_set(err, PSR_E_NOMEM, "PSRP runspace pool: out of memory");
    else
        rc = psrp_fragmenter_add(p->out, stream, msg.data, msg.len, NULL, err);
    psr_buf_free(&msg);
    return rc;
}

const char *psrp_pool_next_stream(const psrp_pool *p)
{
    return psrp_fragmenter_next_stream(p->out);
}

long psrp_pool_take_payload(psrp_pool *p, psr_buf *out, size_t max, psr_error *err)
{
    return psrp_fragmenter_next_payload(p->out, out, max, err);
}

int psrp_pool_init_data(const psrp_pool_config *c, psr_buf *out, psr_error *err)
{
    psrp_msg_init_pool init = {
        .min_runspaces = c->min_runspaces,
        .max_runspaces = c->max_runspaces,
        .thread_options = c->thread_options,
        .apartment_state = c->apartment_state,
        .host_info = c->host_info,
        .application_arguments = c->application_arguments,
    };
    psr_buf_reset(out);
    return psrp_msg_init_pool_build(out, &init, err);
}

int psrp_pool_open(psrp_pool *p, psr_error *err)
{
    if (p->state != PSRP_POOL_BEFORE_OPEN)
        return psr_error_set(err, PSR_E_STATE, "PSRP runspace pool: open called in state %s",
                             psrp_pool_state_name(p->state));
    psr_buf data = {0};
    int rc = psrp_msg_session_capability_build(&data, p->advertised, "2.0", "1.1.0.1", err);
    if (!rc)
        rc = queue_message(p, PSRP_SESSION_CAPABILITY, &data, "stdin", err);
    psr_buf_reset(&data);
    if (!rc && p->cfg.init_data)
        rc = psr_buf_append(&data, p->cfg.init_data->data, p->cfg.init_data->len)
                 ? psr_error_set(err, PSR_E_NOMEM, "PSRP runspace pool: out of memory")
                 : 0;
    else if (!rc)
        rc = psrp_pool_init_data(&p->cfg, &data, err);
    p->cfg.init_data = NULL; /* borrowed only until here */
    if (!rc)
        rc = queue_message(p, PSRP_INIT_RUNSPACEPOOL, &data, "stdin", err);
    psr_buf_free(&data);
    if (!rc)
        p->state = PSRP_POOL_NEGOTIATION_SENT;
    return rc;
}

int psrp_pool_connect(psrp_pool *p, psr_error *err)
{
    if (p->state != PSRP_POOL_BEFORE_OPEN)
        return psr_error_set(err, PSR_E_STATE, "PSRP runspace pool: connect called in state %s",
                             psrp_pool_state_name(p->state));
    psr_buf data = {0};
    int rc = psrp_msg_session_capability_build(&data, p->advertised, "2.0", "1.1.0.1", err);
    if (!rc)
        rc = queue_message(p, PSRP_SESSION_CAPABILITY, &data, "stdin", err);
    psr_buf_reset(&data);
    if (!rc)
        rc = psrp_msg_connect_pool_build(&data, p->cfg.min_runspaces, p->cfg.max_runspaces, err);
    if (!rc)
        rc = queue_message(p, PSRP_CONNECT_RUNSPACEPOOL, &data, "stdin", err);
    psr_buf_free(&data);
    if (!rc)
        p->state = PSRP_POOL_CONNECTING;
    return rc;
}

static int require_opened(const psrp_pool *p, const char *what, psr_error *err)
{
    if (p->state != PSRP_POOL_OPENED)
        return psr_error_set(err, PSR_E_STATE, "PSRP runspace pool: cannot %s while the pool is %s", what,
                             psrp_pool_state_name(p->state));
    return 0;
}

static int pool_request(psrp_pool *p, uint32_t type, int32_t n, int64_t *ci, psr_error *err)
{
    int rc = require_opened(p, psrp_message_type_name(type), err);
    if (rc)
        return rc;
    int64_t id = p->next_ci++;
    psr_buf data = {0};
    switch (type) {
    case PSRP_SET_MAX_RUNSPACES: rc = psrp_msg_set_max_runspaces_build(&data, n, id, err); break;
    case PSRP_SET_MIN_RUNSPACES: rc = psrp_msg_set_min_runspaces_build(&data, n, id, err); break;
    case PSRP_GET_AVAILABLE_RUNSPACES: rc = psrp_msg_get_available_runspaces_build(&data, id, err); break;
    default: rc = psrp_msg_reset_runspace_state_build(&data, id, err); break;
    }
    if (!rc)
        rc = queue_message(p, type, &data, "stdin", err);
    psr_buf_free(&data);
    if (!rc && ci)
        *ci = id;
    return rc;
}

int psrp_pool_set_max_runspaces(psrp_pool *p, int32_t n, int64_t *ci, psr_error *err)
{
    return pool_request(p, PSRP_SET_MAX_RUNSPACES, n, ci, err);
}

int psrp_pool_set_min_runspaces(psrp_pool *p, int32_t n, int64_t *ci, psr_error *err)
{
    return pool_request(p, PSRP_SET_MIN_RUNSPACES, n, ci, err);
}

int psrp_pool_get_available_runspaces(psrp_pool *p, int64_t *ci, psr_error *err)
{
    return pool_request(p, PSRP_GET_AVAILABLE_RUNSPACES, 0, ci, err);
}

int psrp_pool_reset_runspace_state(psrp_pool *p, int64_t *ci, psr_error *err)
{
    if (p->negotiated[0] && psrp_version_code(p->negotiated) < 203)
        return psr_error_set(err, PSR_E_STATE,
                             "PSRP runspace pool: the server speaks protocol %s; resetting the runspace state "
                             "needs 2.3 (PowerShell 5)", p->negotiated);
    return pool_request(p, PSRP_RESET_RUNSPACE_STATE, 0, ci, err);
}

int psrp_pool_host_respond(psrp_pool *p, int64_t ci, int32_t method_id, psrp_value *result,
                           const psrp_error_record_spec *error, psr_error *err)
{
    if (ci == PSRP_HOST_CALL_VOID_CI)
        return psr_error_set(err, PSR_E_INVALID, "PSRP host call %d (call id -100) expects no answer",
                             (int)method_id);
    psr_buf data = {0};
    int rc = psrp_msg_host_response_build(&data, ci, method_id, result, error, err);
    if (!rc)
        rc = queue_message(p, PSRP_RUNSPACEPOOL_HOST_RESPONSE, &data, "pr", err);
    psr_buf_free(&data);
    return rc;
}

/* ---- session key ---- */

void psrp_pool_set_rsa_key(psrp_pool *p, const psrp_rsa_key *key)
{
    p->rsa = key;
}

int psrp_pool_start_key_exchange(psrp_pool *p, const psrp_rsa_key *key, psr_error *err)
{
    if (!key)
        return psr_error_set(err, PSR_E_INVALID, "PSRP session key: no RSA key given");
    p->rsa = key;
    psr_buf blob = {0}, data = {0};
    int rc = psrp_rsa_key_public_blob(key, &blob, err);
    if (!rc)
        rc = psrp_msg_public_key_build(&data, blob.data, blob.len, err);
    if (!rc)
        rc = queue_message(p, PSRP_PUBLIC_KEY, &data, "stdin", err);
    psr_buf_free(&blob);
    psr_buf_free(&data);
    return rc;
}

int psrp_pool_has_session_key(const psrp_pool *p)
{
    return p->has_key;
}

int psrp_pool_secure_string(const psrp_pool *p, const char *utf8, size_t len, psrp_value **out, psr_error *err)
{
    *out = NULL;
    if (!p->has_key)
        return psr_error_set(err, PSR_E_STATE, "PSRP SecureString: no session key yet (exchange keys first)");
    psr_buf cipher = {0}, b64 = {0};
    int rc = psrp_securestring_encrypt(p->session_key, utf8, len, &cipher, err);
    if (!rc && psr_base64_encode(&b64, cipher.data, cipher.len))
        rc = psr_error_set(err, PSR_E_NOMEM, "PSRP SecureString: out of memory");
    if (!rc && !(*out = psrp_value_new_text(PSRP_V_SECURESTRING, b64.data, b64.len)))
        rc = psr_error_set(err, PSR_E_NOMEM, "PSRP SecureString: out of memory");
    psr_buf_free(&cipher);
    psr_buf_free(&b64);
    return rc;
}

int psrp_pool_reveal_secure_string(const psrp_pool *p, const psrp_value *ss, psr_buf *out, psr_error *err)
{
    if (!p->has_key)
        return psr_error_set(err, PSR_E_STATE, "PSRP SecureString: no session key yet (exchange keys first)");
    if (!ss || ss->kind != PSRP_V_SECURESTRING)
        return psr_error_set(err, PSR_E_INVALID, "PSRP SecureString: the value is not an <SS>");
    psr_buf cipher = {0};
    int rc = psr_base64_decode(&cipher, ss->u.str.ptr, ss->u.str.len);
    if (rc)
        rc = psr_error_set(err, PSR_E_PARSE, "PSRP SecureString: not valid base64");
    else
        rc = psrp_securestring_decrypt(p->session_key, cipher.data, cipher.len, out, err);
    psr_buf_free(&cipher);
    return rc;
}

void psrp_pool_closed(psrp_pool *p)
{
    if (p->state == PSRP_POOL_CLOSED)
        return;
    p->state = PSRP_POOL_CLOSED;
    ev_node *n = push_event(p, PSRP_POOL_EV_CLOSED);
    if (n)
        n->ev.u.state.state = PSRP_POOL_CLOSED;
}

/* ---- receiving ---- */

static int negotiate(psrp_pool *p, const psrp_msg_session_capability *cap, psr_error *err)
{
    int theirs = psrp_version_code(cap->protocol_version);
    int ours = psrp_version_code(p->advertised);
    if (theirs / 100 != 2 || theirs < 201)
        return psr_error_set(err, PSR_E_PROTOCOL,
                             "PSRP: the server speaks protocol version %s; psremote speaks 2.1 to %s",
                             cap->protocol_version, p->advertised);
    const char *lower = theirs < ours ? cap->protocol_version : p->advertised;
    snprintf(p->negotiated, sizeof(p->negotiated), "%d.%d", psrp_version_code(lower) / 100,
             psrp_version_code(lower) % 100);
    if (p->state == PSRP_POOL_NEGOTIATION_SENT) /* a reconnect stays Connecting */
        p->state = PSRP_POOL_NEGOTIATION_SUCCEEDED;
    return 0;
}

/* 3.1.4.10.3: after a Connect the server's RUNSPACEPOOL_INIT_DATA completes
 * the reconnection; the pool is Opened from then on. */
static int connected(psrp_pool *p, psr_error *err)
{
    if (!p->negotiated[0])
        return psr_error_set(err, PSR_E_PROTOCOL,
                             "PSRP: RUNSPACEPOOL_INIT_DATA arrived before the server's SESSION_CAPABILITY");
    p->state = PSRP_POOL_OPENED;
    return 0;
}

static int on_pool_state(psrp_pool *p, ev_node *n, psr_error *err)
{
    psrp_msg_pool_state *st = &n->ev.u.state;
    switch (st->state) {
    case PSRP_POOL_OPENED:
        if (!p->negotiated[0])
            return psr_error_set(err, PSR_E_PROTOCOL,
                                 "PSRP: the server opened the runspace pool before sending SESSION_CAPABILITY");
        n->ev.kind = PSRP_POOL_EV_OPENED;
        break;
    case PSRP_POOL_BROKEN:
        n->ev.kind = PSRP_POOL_EV_BROKEN;
        snprintf(n->reason, sizeof(n->reason), "%s",
                 st->has_error && st->error.message ? st->error.message : "the server reports the pool Broken");
        n->ev.reason = n->reason;
        break;
    case PSRP_POOL_CLOSED: n->ev.kind = PSRP_POOL_EV_CLOSED; break;
    default:
        /* Intermediate states (Opening, Closing, ...) only update the state. */
        p->state = (psrp_pool_state)st->state;
        return 1;
    }
    p->state = (psrp_pool_state)st->state;
    return 0;
}

static int on_session_key(psrp_pool *p, const psrp_message *m, psr_error *err)
{
    if (!p->rsa)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: ENCRYPTED_SESSION_KEY arrived but no PUBLIC_KEY was sent");
    psrp_msg_key_blob kb;
    int rc = psrp_msg_encrypted_session_key_parse(p->rd, &kb, m->data, m->data_len, err);
    if (!rc)
        rc = psrp_session_key_decrypt(p->rsa, kb.blob.data, kb.blob.len, p->session_key, err);
    psrp_msg_key_blob_clear(&kb);
    if (rc)
        return rc;
    p->has_key = 1;
    return push_event(p, PSRP_POOL_EV_SESSION_KEY) ? 0 : psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

static int handle_pool_message(psrp_pool *p, const psrp_message *m, psr_error *err)
{
    if (p->state == PSRP_POOL_BROKEN || p->state == PSRP_POOL_CLOSED)
        return psr_error_set(err, PSR_E_STATE, "PSRP: %s arrived for a runspace pool that is already %s",
                             psrp_message_type_name(m->type), psrp_pool_state_name(p->state));
    if (m->type == PSRP_ENCRYPTED_SESSION_KEY)
        return on_session_key(p, m, err);
    if (m->type == PSRP_PUBLIC_KEY_REQUEST) {
        int rc = psrp_msg_public_key_request_parse(p->rd, m->data, m->data_len, err);
        if (rc)
            return rc;
        if (p->rsa)
            return psrp_pool_start_key_exchange(p, p->rsa, err);
        return push_event(p, PSRP_POOL_EV_PUBLIC_KEY_REQUESTED) ? 0 : psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    ev_node *n = calloc(1, sizeof(*n));
    if (!n)
        return psr_error_set(err, PSR_E_NOMEM, "PSRP: out of memory");
    psrp_pool_event *ev = &n->ev;
    int rc, just_connected = 0;
    switch (m->type) {
    case PSRP_SESSION_CAPABILITY:
        ev->kind = PSRP_POOL_EV_SESSION_CAPABILITY;
        rc = psrp_msg_session_capability_parse(p->rd, &ev->u.cap, m->data, m->data_len, err);
        if (!rc)
            rc = negotiate(p, &ev->u.cap, err);
        break;
    case PSRP_APPLICATION_PRIVATE_DATA:
        ev->kind = PSRP_POOL_EV_APPLICATION_PRIVATE_DATA;
        rc = p->cfg.skip_private_data ? 0
                                      : psrp_msg_app_private_data_parse(p->rd, &ev->u.private_data,
                                                                        m->data, m->data_len, err);
        break;
    case PSRP_RUNSPACEPOOL_STATE:
        ev->kind = PSRP_POOL_EV_OPENED; /* for clearing; on_pool_state picks the real kind */
        rc = psrp_msg_pool_state_parse(p->rd, &ev->u.state, m->data, m->data_len, err);
        if (!rc)
            rc = on_pool_state(p, n, err);
        break;
    case PSRP_RUNSPACEPOOL_HOST_CALL:
        ev->kind = PSRP_POOL_EV_HOST_CALL;
        rc = psrp_msg_host_call_parse(p->rd, &ev->u.host_call, m->data, m->data_len, err);
        break;
    case PSRP_RUNSPACE_AVAILABILITY:
        ev->kind = PSRP_POOL_EV_RUNSPACE_AVAILABILITY;
        rc = psrp_msg_runspace_availability_parse(p->rd, &ev->u.availability, m->data, m->data_len, err);
        break;
    case PSRP_USER_EVENT:
        ev->kind = PSRP_POOL_EV_USER_EVENT;
        rc = psrp_msg_user_event_parse(p->rd, &ev->u.user_event, m->data, m->data_len, err);
        break;
    case PSRP_RUNSPACEPOOL_INIT_DATA:
        ev->kind = PSRP_POOL_EV_INIT_DATA;
        rc = psrp_msg_pool_numbers_parse(p->rd, &ev->u.init_data, m->data, m->data_len, err);
        if (!rc && p->state == PSRP_POOL_CONNECTING) {
            rc = connected(p, err);
            just_connected = rc == 0;
        }
        break;
    default:
        ev->kind = PSRP_POOL_EV_PUBLIC_KEY_REQUESTED; /* nothing to clear */
        rc = psr_error_set(err, PSR_E_PROTOCOL, "PSRP: the server sent %s, which only a client sends",
                           psrp_message_type_name(m->type));
        break;
    }
    if (rc) { /* 1: handled, no event */
        node_free(n);
        return rc < 0 ? rc : 0;
    }
    if (p->tail)
        p->tail->next = n;
    else
        p->head = n;
    p->tail = n;
    if (just_connected) {
        ev_node *o = push_event(p, PSRP_POOL_EV_OPENED);
        if (!o)
            return psr_error_set(err, PSR_E_NOMEM, "PSRP: out of memory");
        o->ev.u.state.state = PSRP_POOL_OPENED;
    }
    return 0;
}

int psrp_pool_handle_message(psrp_pool *p, const psrp_message *m, psr_error *err)
{
    /* Windows sends ENCRYPTED_SESSION_KEY with a nil RPID (3.2.5.4.4). */
    if (!psrp_guid_is_nil(&m->rpid) && memcmp(m->rpid.b, p->cfg.rpid.b, 16) != 0)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: %s is for another runspace pool",
                             psrp_message_type_name(m->type));
    return handle_pool_message(p, m, err);
}

static psrp_defragmenter *stream_defrag(psrp_pool *p, const char *stream, psr_error *err)
{
    for (int i = 0; i < MAX_STREAMS; i++)
        if (p->streams[i].d && strcmp(p->streams[i].name, stream) == 0)
            return p->streams[i].d;
    for (int i = 0; i < MAX_STREAMS; i++) {
        if (!p->streams[i].d) {
            if (strlen(stream) >= sizeof(p->streams[i].name))
                break;
            p->streams[i].d = psrp_defragmenter_new(p->cfg.max_object_size);
            if (!p->streams[i].d)
                break;
            strcpy(p->streams[i].name, stream);
            return p->streams[i].d;
        }
    }
    psr_error_set(err, PSR_E_PROTOCOL, "PSRP: unexpected output stream \"%s\"", stream);
    return NULL;
}

static psrp_pipeline *find_pipeline(psrp_pool *p, const psr_uuid *pid)
{
    for (size_t i = 0; i < p->n_pipes; i++)
        if (memcmp(psrp_pipeline_pid(p->pipes[i])->b, pid->b, 16) == 0)
            return p->pipes[i];
    return NULL;
}

static int dispatch(psrp_pool *p, const uint8_t *bytes, size_t len, psr_error *err)
{
    psrp_message m;
    int rc = psrp_message_parse(&m, bytes, len, err);
    if (rc)
        return rc;
    if (m.destination != PSRP_DEST_CLIENT)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: %s is addressed to the server, not to us",
                             psrp_message_type_name(m.type));
    /* Windows sends its SESSION_CAPABILITY with a nil RPID. */
    if (!psrp_guid_is_nil(&m.rpid) && memcmp(m.rpid.b, p->cfg.rpid.b, 16) != 0)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: %s is for another runspace pool",
                             psrp_message_type_name(m.type));
    if (psrp_message_type_is_pipeline(m.type)) {
        psrp_pipeline *pl = find_pipeline(p, &m.pid);
        if (!pl) {
            char id[PSR_UUID_STRLEN];
            psr_uuid_format(&m.pid, 1, id);
            return psr_error_set(err, PSR_E_PROTOCOL, "PSRP: %s for unknown pipeline %s",
                                 psrp_message_type_name(m.type), id);
        }
        return psrp_pipeline_dispatch(pl, &m, err);
    }
    return handle_pool_message(p, &m, err);
}

int psrp_pool_feed(psrp_pool *p, const char *stream, const void *data, size_t len, psr_error *err)
{
    if (p->state == PSRP_POOL_BROKEN || p->state == PSRP_POOL_CLOSED)
        return psr_error_set(err, PSR_E_STATE, "PSRP runspace pool: input refused, the pool is %s",
                             psrp_pool_state_name(p->state));
    psrp_defragmenter *d = stream_defrag(p, stream ? stream : "stdout", err);
    int rc = d ? psrp_defragmenter_feed_payload(d, data, len, err) : PSR_E_PROTOCOL;
    psrp_defrag_message msg;
    while (!rc && psrp_defragmenter_next(d, &msg) == 1) {
        rc = dispatch(p, msg.data, msg.len, err);
        psrp_defrag_message_clear(&msg);
    }
    return rc ? pool_break(p, err) : 0;
}
