/* fanout.h: one command on many computers at once, from one thread.
 *
 * One libcurl multi handle drives every host's connection; no thread or
 * process per host. Each host is a small state machine with no I/O of its
 * own (build the next envelope, read its reply) on top of the same pieces
 * the single-host client uses: the wsman/ builders and parser, the
 * connection authenticator (auth.h) and the HTTP options and reply reading
 * of transport.h. At most `throttle` hosts run at once; hosts start in the
 * order given.
 *
 * A WinRS command per host: Create, Command, Receive until Done (polling
 * again after w:TimedOut), Delete (deleting the shell ends its command; a
 * command stopped before it is Done gets Signal Terminate first). Standard input is not
 * sent (the command gets end of file at once). Output reaches the caller
 * as it arrives, tagged with the host's index; a host that fails (DNS,
 * refused, TLS, authentication, fault) is reported with its error and the
 * others go on. After a failure past Create the shell is still deleted.
 *
 * Ownership: everything given is borrowed for the duration of the call. */
#ifndef PSR_CLIENT_FANOUT_H
#define PSR_CLIENT_FANOUT_H

#include "psremote/connection.h"
#include "psremote/winrs.h"
#include "psrp/pipeline.h"

#include <stddef.h>

typedef enum psr_fanout_stream { PSR_FANOUT_STDOUT = 1, PSR_FANOUT_STDERR = 2 } psr_fanout_stream;

typedef struct psr_fanout_callbacks {
    /* A chunk of a host's output (any split, not whole lines). */
    void (*on_output)(void *ctx, size_t host, psr_fanout_stream stream, const char *data,
                      size_t len);
    /* A host finished: err NULL and its command's exit code, or the error
     * that ended it (exit_code then meaningless). */
    void (*on_done)(void *ctx, size_t host, int exit_code, const psr_error *err);
    /* Called whenever a host starts or ends (may be NULL). */
    void (*on_progress)(void *ctx, size_t done, size_t running, size_t failed, size_t total);
} psr_fanout_callbacks;

typedef struct psr_fanout_command {
    const char *command;
    const char *const *arguments;
    size_t n_arguments;
    const psr_winrs_env *env;        /* the shell's environment (may be NULL) */
    size_t n_env;
    const char *working_directory;   /* NULL: the server's default */
} psr_fanout_command;

/* Runs cmd on every host (conns[i], one per host). throttle 0 means 32.
 * interrupt_fd, when >= 0, is watched: readable means stop (Ctrl+C):
 * running commands get Ctrl+C and Terminate, shells are deleted, hosts not
 * started are reported as stopped; a second byte gives up at once
 * (PSR_E_CANCELLED). Returns 0 when the run itself worked (host failures
 * are reported through on_done), or PSR_E_NOMEM. */
int psr_fanout_run_winrs(const psr_connection_options *conns, size_t n, unsigned throttle,
                         const psr_fanout_command *cmd, const psr_fanout_callbacks *cb,
                         void *ctx, int interrupt_fd, psr_error *err);

/* A PowerShell pipeline on every host, as Invoke-Command -ComputerName a,b
 * runs it: a runspace pool per host (Create with creationXml, Receive until
 * Opened), the pipeline (Command, Send, Receive until its final state),
 * Signal Terminate, Delete. Each pipeline event reaches on_event with the
 * host's index; a host call is answered by on_event (with
 * psrp_pipeline_host_respond) or fails. on_done's exit_code is the final
 * pipeline state (PSRP_PIPELINE_COMPLETED, _FAILED, _STOPPED). */
typedef struct psr_fanout_invocation {
    const psrp_msg_create_pipeline *pipeline;
    const char *configuration_name;  /* NULL = Microsoft.PowerShell */
    int (*on_event)(void *ctx, size_t host, psrp_pipeline *pl, const psrp_pipeline_event *ev);
} psr_fanout_invocation;

int psr_fanout_run_psrp(const psr_connection_options *conns, size_t n, unsigned throttle,
                        const psr_fanout_invocation *inv, const psr_fanout_callbacks *cb,
                        void *ctx, int interrupt_fd, psr_error *err);

#endif
