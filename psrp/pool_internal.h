/* pool_internal.h: what runspace_pool.c and pipeline.c tell each other
 * (internal to psrp/; callers use runspace_pool.h and pipeline.h). */
#ifndef PSR_PSRP_POOL_INTERNAL_H
#define PSR_PSRP_POOL_INTERNAL_H

#include "psrp/message.h"
#include "psrp/pipeline.h"
#include "psrp/runspace_pool.h"

/* The pool's ObjectId counter, shared by its pipelines' fragmenters. */
uint64_t *psrp_pool_object_counter(psrp_pool *p);
size_t psrp_pool_max_object_size(const psrp_pool *p);
/* The reader that parses the messages of the pool and its pipelines. */
psrp_clixml_reader *psrp_pool_reader(psrp_pool *p);
int psrp_pool_attach_pipeline(psrp_pool *p, psrp_pipeline *pl);
void psrp_pool_detach_pipeline(psrp_pool *p, psrp_pipeline *pl);

/* Hands one whole message addressed to the pipeline to it. */
int psrp_pipeline_dispatch(psrp_pipeline *pl, const psrp_message *m, psr_error *err);
/* A runspace-pool message that arrived on a pipeline's stream (nil PID):
 * handled as if it had come on the shell's. */
int psrp_pool_handle_message(psrp_pool *p, const psrp_message *m, psr_error *err);

/* The pool is going away: refuse every later call. */
void psrp_pipeline_orphan(psrp_pipeline *pl);

#endif
