/* ps_server_internal.h: what the two halves of the harness's PowerShell
 * endpoint share: ps_server.c (the session table, client messages, WS-Man
 * verbs) and ps_pipeline.c (a pipeline's thread: the script, its output and
 * the host calls and key requests it waits on). Internal to src/harness.
 *
 * Locking: harness_ps.lock guards everything below; the pipeline thread
 * takes it for each message it queues and while it waits on `changed`. */
#ifndef PSR_HARNESS_PS_SERVER_INTERNAL_H
#define PSR_HARNESS_PS_SERVER_INTERNAL_H

#include "common/buf.h"
#include "common/uuid.h"
#include "psrp/fragment.h"
#include "psrp/messages.h"
#include "src/harness/ps_server.h"
#include "src/harness/ps_script.h"

#include <pthread.h>

typedef struct ps_pipeline {
    char id[PSR_UUID_STRLEN];
    psr_uuid pid;
    psrp_defragmenter *in;
    psrp_fragmenter *out;
    psrp_parsed_pipeline spec;
    int have_spec, finished;
    psrp_value **input;
    size_t n_input;
    /* The script runs on its own thread, so a Receive, a host response or
     * a stop signal can reach it while it runs. */
    pthread_t thread;
    int running;             /* the thread was started and not joined */
    int stop_requested;      /* crtl_c or Terminate */
    int terminated;          /* Terminate or Delete: stops even an ignore_stop pipeline */
    int ignore_stop;         /* Harness-IgnoreStop: crtl_c is not obeyed */
    int64_t host_ci;         /* the host call waiting for an answer, or 0 */
    int host_answered;
    psrp_value *host_answer; /* its result */
    char *host_error;        /* or why the host refused */
    int64_t next_ci;
    struct ps_session *session;
    struct harness_ps *ps;
    struct ps_pipeline *next;
} ps_pipeline;

typedef struct ps_session {
    char id[PSR_UUID_STRLEN];
    psr_uuid rpid;
    uint64_t next_object_id;
    psrp_defragmenter *in;
    psrp_fragmenter *out;
    ps_pipeline *pipelines;
    ps_session_state state;  /* variables and culture, across pipelines */
    ps_pipeline *key_waiter; /* asked the client for its public key (PUBLIC_KEY_REQUEST) */
    int broken;              /* Harness-BreakRunspacePool: RUNSPACEPOOL_STATE Broken sent */
    int32_t min_runspaces, max_runspaces; /* INIT_RUNSPACEPOOL's, then SET_MIN/MAX_RUNSPACES */
    struct ps_session *next;
} ps_session;

struct harness_ps {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    ps_session *sessions;
    int stopping;
};

/* Queues one message for the client on out (a pipeline's or the shell's
 * stream) and wakes waiting Receives. pid NULL: nil (a pool message). */
int ps_queue(harness_ps *ps, psrp_fragmenter *out, const psr_uuid *rpid, const psr_uuid *pid,
             uint32_t type, const psr_buf *data);

/* Starts the pipeline's thread (lock held). */
void ps_run_pipeline(harness_ps *ps, ps_session *s, ps_pipeline *p);

#endif
