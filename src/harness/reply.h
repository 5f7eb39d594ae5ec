/* reply.h: building one WS-Man reply in the harness: the response header
 * (a fresh MessageID, RelatesTo the request) and Windows-shaped faults.
 * Shared by the WinRS dispatcher and the PowerShell endpoint. */
#ifndef PSR_HARNESS_REPLY_H
#define PSR_HARNESS_REPLY_H

#include "common/uuid.h"
#include "src/harness/harness.h"
#include "wsman/wsman.h"

typedef struct harness_reply {
    const harness_dispatch_ctx *ctx; /* may be NULL (only machine is needed) */
    const wsman_request *req;        /* NULL until the request was parsed */
    psr_buf *out;                    /* the reply envelope */
    const char *machine;             /* WSManFault Machine */
    char message_id[PSR_UUID_STRLEN + 5];
} harness_reply;

/* Replaces out with a fault; returns the HTTP status to send it with. */
int harness_reply_fault(harness_reply *r, harness_fault_kind kind, const char *detail);
/* The header of a response with this action (message_id is filled here). */
wsman_response_header harness_reply_header(harness_reply *r, const char *action);
/* 200 when the builder succeeded (rc 0), else an internal-error fault. */
int harness_reply_built(harness_reply *r, int rc);

#endif
