/* pipeline.h: the client side of one PSRP pipeline (a PowerShell invocation)
 * as a pure state machine (MS-PSRP 3.1.4.3, 3.1.5.4.17 ff.).
 *
 *   psrp_pipeline *pl = psrp_pipeline_new(pool, &pid, &spec, &err);
 *   psrp_pipeline_take_command_args(pl, &args, max, &err);
 *       // -> base64 -> <rsp:Arguments> of wxf:Command, CommandId = pid
 *   while ((stream = psrp_pipeline_next_stream(pl)))   // wxf:Send, CommandId
 *       psrp_pipeline_take_payload(pl, &payload, max, &err); // the rest of
 *                      // CREATE_PIPELINE, input, host answers ("pr")
 *   loop:                                              // wxf:Receive, CommandId
 *       psrp_pipeline_feed(pl, "stdout", bytes, len, &err);
 *       while (psrp_pipeline_next_event(pl, &ev) == 1) ...
 *   until an event PSRP_PIPELINE_EV_STATE says Completed, Failed or Stopped.
 *
 * Streams arrive as events: output objects, error records, debug / verbose /
 * warning / information / progress records, host calls (answer with
 * psrp_pipeline_host_respond unless the call id is PSRP_HOST_CALL_VOID_CI),
 * and the final state. Windows never sends a Running state: the pipeline is
 * Running from psrp_pipeline_new until the final state arrives.
 *
 * Input: psrp_pipeline_send_input queues PIPELINE_INPUT, psrp_pipeline_end_input
 * END_OF_PIPELINE_INPUT (send it also when there is no input but NoInput is
 * false, or the pipeline waits for input forever).
 *
 * Stopping: psrp_pipeline_stop moves to Stopping; the caller sends the WS-Man
 * Signal (PowerShell's code "powershell/signal/crtl_c") and keeps receiving
 * until the Stopped state arrives.
 *
 * Ownership: a pipeline belongs to the caller and must be freed before its
 * pool. Events and the pointers in them stay valid until the next
 * psrp_pipeline_next_event call or psrp_pipeline_free. */
#ifndef PSR_PSRP_PIPELINE_H
#define PSR_PSRP_PIPELINE_H

#include "common/buf.h"
#include "common/uuid.h"
#include "psremote/error.h"
#include "psrp/messages.h"
#include "psrp/runspace_pool.h"

#include <stddef.h>
#include <stdint.h>

typedef struct psrp_pipeline psrp_pipeline;

/* Creates the pipeline on an Opened pool and queues CREATE_PIPELINE, built
 * for the negotiated protocol version. pid is a GUID the caller generated. */
psrp_pipeline *psrp_pipeline_new(psrp_pool *pool, const psr_uuid *pid, const psrp_msg_create_pipeline *spec,
                                 psr_error *err);
/* The same with the CREATE_PIPELINE data already built
 * (psrp_msg_create_pipeline_build for the pool's negotiated version): many
 * sessions running one pipeline, as on many computers, build it once. */
psrp_pipeline *psrp_pipeline_new_built(psrp_pool *pool, const psr_uuid *pid, const psr_buf *data,
                                       psr_error *err);
/* GET_COMMAND_METADATA (2.2.2.14) runs like a pipeline: the answer is a
 * count and then CommandMetadata objects as output, then a final state. */
psrp_pipeline *psrp_pipeline_new_command_metadata(psrp_pool *pool, const psr_uuid *pid,
                                                  const psrp_msg_command_metadata *spec, psr_error *err);
void psrp_pipeline_free(psrp_pipeline *pl);

const psr_uuid *psrp_pipeline_pid(const psrp_pipeline *pl);
psrp_pipeline_state psrp_pipeline_get_state(const psrp_pipeline *pl);

/* ---- bytes to send ---- */

/* The first payload (at most max bytes) for the Command's Arguments; call
 * once, before psrp_pipeline_take_payload. */
long psrp_pipeline_take_command_args(psrp_pipeline *pl, psr_buf *out, size_t max, psr_error *err);
const char *psrp_pipeline_next_stream(const psrp_pipeline *pl);
long psrp_pipeline_take_payload(psrp_pipeline *pl, psr_buf *out, size_t max, psr_error *err);

int psrp_pipeline_send_input(psrp_pipeline *pl, const psrp_value *v, psr_error *err);
int psrp_pipeline_end_input(psrp_pipeline *pl, psr_error *err);
/* Answers a host call; result and error may be NULL. */
int psrp_pipeline_host_respond(psrp_pipeline *pl, int64_t ci, int32_t method_id, psrp_value *result,
                               const psrp_error_record_spec *error, psr_error *err);
/* Running -> Stopping. PSR_E_STATE when the pipeline already ended. */
int psrp_pipeline_stop(psrp_pipeline *pl, psr_error *err);

/* ---- bytes received ---- */

int psrp_pipeline_feed(psrp_pipeline *pl, const char *stream, const void *data, size_t len, psr_error *err);

typedef enum psrp_pipeline_event_kind {
    PSRP_PIPELINE_EV_OUTPUT = 1,   /* u.output: one object */
    PSRP_PIPELINE_EV_ERROR,        /* u.error: a non-terminating error record */
    PSRP_PIPELINE_EV_DEBUG,        /* u.record */
    PSRP_PIPELINE_EV_VERBOSE,      /* u.record */
    PSRP_PIPELINE_EV_WARNING,      /* u.record */
    PSRP_PIPELINE_EV_INFORMATION,  /* u.information */
    PSRP_PIPELINE_EV_PROGRESS,     /* u.progress */
    PSRP_PIPELINE_EV_HOST_CALL,    /* u.host_call */
    PSRP_PIPELINE_EV_STATE,        /* u.state: Completed, Failed (with error) or Stopped */
} psrp_pipeline_event_kind;

typedef struct psrp_pipeline_event {
    psrp_pipeline_event_kind kind;
    union {
        psrp_value *output;
        psrp_error_record error;
        psrp_msg_informational record;
        psrp_msg_information information;
        psrp_msg_progress progress;
        psrp_msg_host_call host_call;
        psrp_msg_pipeline_state state;
    } u;
} psrp_pipeline_event;

int psrp_pipeline_next_event(psrp_pipeline *pl, psrp_pipeline_event *ev);

#endif
