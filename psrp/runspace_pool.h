/* runspace_pool.h: the client side of a PSRP runspace pool as a pure state
 * machine (MS-PSRP 3.1): no sockets, no clocks, no randomness. Bytes come in,
 * events and bytes go out; the caller (src/client) moves the bytes over
 * WS-Man.
 *
 * Life of a pool:
 *
 *   psrp_pool_config cfg;
 *   psrp_pool_config_init(&cfg);
 *   cfg.rpid = <a GUID the caller generated>;          // also the ShellId
 *   psrp_pool *pool = psrp_pool_new(&cfg, &err);
 *   psrp_pool_open(pool, &err);                        // SESSION_CAPABILITY + INIT_RUNSPACEPOOL
 *   psrp_pool_take_payload(pool, &creation, max, &err); // -> base64 -> <creationXml> of wxf:Create
 *   loop:                                              // wxf:Receive on the shell
 *       psrp_pool_feed(pool, "stdout", bytes, len, &err);  // one decoded <rsp:Stream> payload
 *       while (psrp_pool_next_event(pool, &ev) == 1)
 *           switch (ev.kind) { case PSRP_POOL_EV_OPENED: ... }
 *       while ((stream = psrp_pool_next_stream(pool)))    // wxf:Send to the shell
 *           psrp_pool_take_payload(pool, &payload, max, &err);
 *
 * Protocol versions: the client advertises 2.3 (PowerShell 5.1 and 7's
 * value; `cfg.protocol_version` can lower it) and works with servers of
 * 2.1 (Windows 7 / PowerShell 2), 2.2 (PowerShell 3, 4) and 2.3. The
 * negotiated version is the lower of the two; psrp_pool_protocol_version
 * gives it once SESSION_CAPABILITY came back. What it changes here:
 *   - 2.1: no merging of the error/warning/verbose/debug streams, one
 *     statement per pipeline (CREATE_PIPELINE builder refuses the rest),
 *     WS-Man MaxEnvelopeSize 150 KiB instead of 500 KiB (the caller's
 *     business), and the server may itself ask for the public key
 *     (PUBLIC_KEY_REQUEST) before it sends a SecureString.
 *   - 2.2: adds the above merges, several statements (ExtraCmds),
 *     RUNSPACEPOOL_INIT_DATA, disconnect/reconnect (psrp_pool_connect).
 *   - 2.3: adds the information stream (INFORMATION_RECORD,
 *     MergeInformation) and RESET_RUNSPACE_STATE.
 *   - 2.4 / 2.5: neither MS-PSRP nor PowerShell's source (whose
 *     ProtocolVersionCurrent is 2.3) defines them as far as we could check;
 *     a server claiming a higher 2.x is treated as 2.3 (the lower version
 *     wins), a different major version breaks the pool.
 *
 * Session key: sending or receiving a SecureString needs the AES key of
 * 2.2.2.4. psrp_pool_start_key_exchange queues PUBLIC_KEY for an RSA key the
 * caller made (psrp_rsa_key_generate); PSRP_POOL_EV_SESSION_KEY says the key
 * is there. A server's PUBLIC_KEY_REQUEST is answered at once when the caller
 * gave a key with psrp_pool_set_rsa_key, else it becomes
 * PSRP_POOL_EV_PUBLIC_KEY_REQUESTED.
 *
 * Pipelines (psrp/pipeline.h) are created on an opened pool and share its
 * ObjectId counter. Messages for a pipeline that reach the pool's feed (by
 * PID) are handed to that pipeline; pool messages (nil PID) that reach a
 * pipeline's feed are handed to the pool, whose events then report them.
 *
 * Ownership: the pool owns everything it allocates. An event, and every
 * pointer in it, stays valid until the next psrp_pool_next_event call or
 * psrp_pool_free. Free every pipeline before its pool (psrp_pool_free
 * detaches any left, which then refuse further calls). */
#ifndef PSR_PSRP_RUNSPACE_POOL_H
#define PSR_PSRP_RUNSPACE_POOL_H

#include "common/buf.h"
#include "common/uuid.h"
#include "psremote/error.h"
#include "psrp/messages.h"
#include "psrp/session_key.h"

#include <stddef.h>
#include <stdint.h>

typedef struct psrp_pool psrp_pool;

typedef struct psrp_pool_config {
    psr_uuid rpid;                  /* the pool's GUID (and WS-Man ShellId) */
    int32_t min_runspaces, max_runspaces;
    int32_t thread_options;         /* PSRP_THREAD_* */
    int32_t apartment_state;        /* PSRP_APARTMENT_* */
    psrp_host_info host_info;       /* zero: no host */
    psrp_value *application_arguments; /* PSPrimitiveDictionary or NULL (borrowed) */
    size_t max_object_size;         /* defragmenter limit; 0: 10 MB */
    const char *protocol_version;   /* what we advertise; default "2.3" */
    /* The INIT_RUNSPACEPOOL data for these settings when the caller has it
     * already (psrp_pool_init_data: pools with the same settings, as on
     * many computers, build it once); NULL: built by psrp_pool_open.
     * Borrowed until psrp_pool_open returns. */
    const psr_buf *init_data;
    /* The CLIXML reader that parses the messages of the pool and its
     * pipelines, borrowed for the pool's life; pools driven by one thread
     * may share one (the fan-out gives one to all its computers). NULL:
     * the pool makes its own. */
    psrp_clixml_reader *reader;
    /* 1: APPLICATION_PRIVATE_DATA is passed over unread, and its event
     * carries no value. For callers that never look at it, such as a
     * one-shot fan-out: its CLIXML (PSVersionTable and the rest) is the
     * largest document a pool receives while opening. */
    int skip_private_data;
} psrp_pool_config;

/* Defaults: 1 and 1 runspaces, thread options Default, apartment Unknown,
 * no host, no application arguments, protocol 2.3. */
void psrp_pool_config_init(psrp_pool_config *c);

psrp_pool *psrp_pool_new(const psrp_pool_config *c, psr_error *err);
/* The INIT_RUNSPACEPOOL data psrp_pool_open would send for c (replaces
 * the contents of out). */
int psrp_pool_init_data(const psrp_pool_config *c, psr_buf *out, psr_error *err);
void psrp_pool_free(psrp_pool *p);

psrp_pool_state psrp_pool_get_state(const psrp_pool *p);
/* The negotiated version ("2.3"), or NULL before SESSION_CAPABILITY came back. */
const char *psrp_pool_protocol_version(const psrp_pool *p);
const psr_uuid *psrp_pool_rpid(const psrp_pool *p);

/* Queues SESSION_CAPABILITY and INIT_RUNSPACEPOOL (for <creationXml>). */
int psrp_pool_open(psrp_pool *p, psr_error *err);

/* Reconnects to a disconnected pool (protocol 2.2+, 3.1.4.10.3): queues
 * SESSION_CAPABILITY and CONNECT_RUNSPACEPOOL for the open content of
 * wxf:Connect (cfg.rpid is the ShellId found by wxf:Enumerate). Feed the
 * decoded <connectResponseXml> (the server's SESSION_CAPABILITY) and then the
 * shell's Receive output; RUNSPACEPOOL_INIT_DATA makes the pool Opened
 * (PSRP_POOL_EV_INIT_DATA, then PSRP_POOL_EV_OPENED). */
int psrp_pool_connect(psrp_pool *p, psr_error *err);

/* ---- bytes to send ---- */

/* "stdin" or "pr" for the next payload, NULL when nothing waits. */
const char *psrp_pool_next_stream(const psrp_pool *p);
/* Appends up to max bytes of fragments for that stream; returns the count
 * (0: nothing waits) or a negative status. max counts raw bytes: where they
 * travel base64-encoded (creationXml, Command Arguments, Send streams) the
 * caller passes 3/4 of the room the envelope leaves (MaxEnvelopeSize minus
 * the envelope's own size). */
long psrp_pool_take_payload(psrp_pool *p, psr_buf *out, size_t max, psr_error *err);

/* ---- bytes received ---- */

/* One stream element's payload (base64 already decoded) from a Receive on
 * the shell, stream name as the server gave it ("stdout"). A protocol
 * violation breaks the pool (PSRP_POOL_EV_BROKEN) and is returned. */
int psrp_pool_feed(psrp_pool *p, const char *stream, const void *data, size_t len, psr_error *err);

typedef enum psrp_pool_event_kind {
    PSRP_POOL_EV_SESSION_CAPABILITY = 1, /* u.cap: the server's versions */
    PSRP_POOL_EV_APPLICATION_PRIVATE_DATA, /* u.private_data (all NULL with skip_private_data) */
    PSRP_POOL_EV_OPENED,             /* u.state */
    PSRP_POOL_EV_BROKEN,             /* reason; u.state (has_error when the server said why) */
    PSRP_POOL_EV_CLOSED,             /* u.state */
    PSRP_POOL_EV_HOST_CALL,          /* u.host_call: answer with psrp_pool_host_respond */
    PSRP_POOL_EV_PUBLIC_KEY_REQUESTED, /* call psrp_pool_start_key_exchange */
    PSRP_POOL_EV_SESSION_KEY,        /* the session key arrived */
    PSRP_POOL_EV_RUNSPACE_AVAILABILITY, /* u.availability (answer to a call id) */
    PSRP_POOL_EV_USER_EVENT,         /* u.user_event */
    PSRP_POOL_EV_INIT_DATA,          /* u.init_data (RUNSPACEPOOL_INIT_DATA) */
} psrp_pool_event_kind;

typedef struct psrp_pool_event {
    psrp_pool_event_kind kind;
    const char *reason; /* BROKEN: what went wrong, for the user */
    union {
        psrp_msg_session_capability cap;
        psrp_msg_app_private_data private_data;
        psrp_msg_pool_state state;
        psrp_msg_host_call host_call;
        psrp_msg_runspace_availability availability;
        psrp_msg_user_event user_event;
        psrp_msg_pool_numbers init_data;
    } u;
} psrp_pool_event;

/* Moves the next event into *ev: 1, or 0 when there is none. */
int psrp_pool_next_event(psrp_pool *p, psrp_pool_event *ev);

/* ---- requests on an opened pool (each returns the call id in *ci) ---- */

int psrp_pool_set_max_runspaces(psrp_pool *p, int32_t n, int64_t *ci, psr_error *err);
int psrp_pool_set_min_runspaces(psrp_pool *p, int32_t n, int64_t *ci, psr_error *err);
int psrp_pool_get_available_runspaces(psrp_pool *p, int64_t *ci, psr_error *err);
/* Protocol 2.3 and later. */
int psrp_pool_reset_runspace_state(psrp_pool *p, int64_t *ci, psr_error *err);
/* Answers a pool host call (on the "pr" stream); result and error may be NULL. */
int psrp_pool_host_respond(psrp_pool *p, int64_t ci, int32_t method_id, psrp_value *result,
                           const psrp_error_record_spec *error, psr_error *err);

/* ---- session key ---- */

/* Gives the pool a key to answer PUBLIC_KEY_REQUEST with (borrowed: keep it
 * alive as long as the pool). */
void psrp_pool_set_rsa_key(psrp_pool *p, const psrp_rsa_key *key);
/* Sends PUBLIC_KEY for key (borrowed, as above). */
int psrp_pool_start_key_exchange(psrp_pool *p, const psrp_rsa_key *key, psr_error *err);
/* 1 when the session key is known. */
int psrp_pool_has_session_key(const psrp_pool *p);
/* A SecureString value (<SS>) for text, under the session key. */
int psrp_pool_secure_string(const psrp_pool *p, const char *utf8, size_t len, psrp_value **out, psr_error *err);
/* The plain text of a SecureString value (appended to out). */
int psrp_pool_reveal_secure_string(const psrp_pool *p, const psrp_value *ss, psr_buf *out, psr_error *err);

/* ---- closing ---- */

/* The caller deletes the shell (WS-Man Delete); when that succeeded it calls
 * psrp_pool_closed, which moves the pool to Closed and queues
 * PSRP_POOL_EV_CLOSED. */
void psrp_pool_closed(psrp_pool *p);

#endif
