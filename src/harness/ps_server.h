/* ps_server.h: the PowerShell (PSRP) endpoint of psremote-harness: runspace
 * pools on the http://schemas.microsoft.com/powershell/NAME resources and
 * pipelines in them, run by the simulated language of ps_script.h.
 *
 * Pipelines run to completion when they are complete (CREATE_PIPELINE, and
 * END_OF_PIPELINE_INPUT unless NoInput), so their messages wait in a queue
 * for the client's Receive; Receive long-polls like the WinRS one. One mutex
 * guards the session table; a condition variable wakes waiting Receives. */
#ifndef PSR_HARNESS_PS_SERVER_H
#define PSR_HARNESS_PS_SERVER_H

#include "common/buf.h"
#include "wsman/wsman.h"

#include <stdint.h>

typedef struct harness_ps harness_ps;

harness_ps *harness_ps_new(void);
/* Wakes every waiting Receive and refuses further work. */
void harness_ps_shutdown(harness_ps *ps);
void harness_ps_free(harness_ps *ps);

/* 1 when the request is for a PowerShell resource. */
int harness_ps_is_resource(const char *resource_uri);

/* Handles one request on a PowerShell resource: fills out with the reply
 * (or a fault) and returns the HTTP status. */
int harness_ps_handle(harness_ps *ps, const wsman_request *q, const char *machine,
                      uint32_t operation_timeout_max_ms, psr_buf *out);

#endif
