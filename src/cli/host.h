/* host.h: psremote's PSHost for remote pipelines: host calls (Write-Host,
 * Read-Host, prompts) answered on the local terminal. */
#ifndef PSR_CLI_HOST_H
#define PSR_CLI_HOST_H

#include "src/cli/render.h"
#include "src/client/psrp_host.h"

typedef struct psr_cli_host {
    psr_render *render;           /* borrowed */
    psr_psrp_session *session;    /* borrowed */
} psr_cli_host;

void psr_cli_host_init(psr_cli_host *h, psr_render *render, psr_psrp_session *session);
/* Handles one host call and answers it when it expects an answer. Returns 0,
 * or non-zero when the answer could not be sent (the pipeline then fails). */
int psr_cli_host_call(psr_cli_host *h, psrp_pipeline *pl, const psrp_msg_host_call *call);

/* One pipeline event, shown as invoke shows it: output and records to the
 * host's renderer, host calls answered, the final state's error record
 * shown. Counts error records in *error_records. Returns what
 * psr_cli_host_call returns (0 otherwise). */
int psr_cli_host_event(psr_cli_host *h, size_t *error_records, psrp_pipeline *pl,
                       const psrp_pipeline_event *ev);

#endif
