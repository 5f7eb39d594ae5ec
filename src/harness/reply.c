/* reply.c: reply headers and faults for the harness (see reply.h). */
#include "src/harness/reply.h"

#include <stdio.h>
#include <string.h>

int harness_reply_fault(harness_reply *r, harness_fault_kind kind, const char *detail)
{
    psr_buf_reset(r->out);
    return harness_fault_build(r->out, kind, r->req ? r->req->message_id : NULL, r->machine,
                               detail);
}

wsman_response_header harness_reply_header(harness_reply *r, const char *action)
{
    psr_uuid u;
    char id[PSR_UUID_STRLEN];
    if (psr_uuid_generate(&u) < 0)
        memset(&u, 0, sizeof(u));
    psr_uuid_format(&u, 1, id);
    snprintf(r->message_id, sizeof(r->message_id), "uuid:%s", id);
    return (wsman_response_header){action, r->message_id, r->req->message_id};
}

int harness_reply_built(harness_reply *r, int rc)
{
    return rc < 0 ? harness_reply_fault(r, HARNESS_FAULT_INTERNAL, "cannot build the response")
                  : 200;
}
