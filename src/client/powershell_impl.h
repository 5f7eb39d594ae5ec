/* powershell_impl.h: what the public PowerShell API (psremote/powershell.h)
 * keeps behind its opaque types, shared by its three files: powershell.c
 * (sessions, commands, invoke, events), powershell_host.c (host calls) and
 * powershell_object.c (objects).
 *
 * A psr_ps_object is never defined: a pointer to one is a psrp_value
 * borrowed from the event, so objects cost nothing to hand out and cannot
 * outlive what owns them by accident of an API that copies. */
#ifndef PSR_CLIENT_POWERSHELL_IMPL_H
#define PSR_CLIENT_POWERSHELL_IMPL_H

#include "psremote/powershell.h"
#include "src/client/psrp_session.h"

struct psr_ps_session {
    psr_psrp_session *engine;
    int running; /* an invoke is under way (re-entry from a callback is refused) */
};

struct psr_ps_host_call {
    psr_ps_session *session;
    psrp_pipeline *pl;
    const psrp_msg_host_call *call;
    int answered;
};

struct psr_ps_event {
    psr_ps_event_kind kind;
    psr_ps_session *session;
    const psrp_pipeline_event *ev;
    psr_ps_error_record error;   /* ERROR, and STATE with an error record */
    psr_ps_progress progress;    /* PROGRESS */
    psr_ps_host_call call;       /* HOST_CALL */
};

static inline const psr_ps_object *psr_ps_object_of(const psrp_value *v)
{
    return (const psr_ps_object *)v;
}

static inline const psrp_value *psr_ps_value_of(const psr_ps_object *o)
{
    return (const psrp_value *)o;
}

/* The text a Write* host call writes, with its newline when it has one, or
 * NULL for calls that write nothing. *newline says whether a line ends. */
const char *psr_psapi_host_call_written(const psr_ps_host_call *call, const char **prefix,
                                     int *newline);

/* After the callback: a call that needed an answer and got none is refused. */
int psr_psapi_host_call_finish(psr_ps_host_call *call, psr_error *err);

#endif
