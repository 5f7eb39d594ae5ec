/* psrp_session.h: a PowerShell session (runspace pool) on a WS-Man shell,
 * and pipelines run in it: what Invoke-Command does on the wire.
 *
 * Drives the pure state machines of psrp/ over a psr_transport, following
 * the wire sequence in DESIGN.md: Create with creationXml, Receive until the
 * pool is Opened, Command with the first CREATE_PIPELINE fragments, Send the
 * rest, Receive until the pipeline ends, Signal Terminate, and Delete.
 *
 * Events (output objects, records, host calls, the final state) reach the
 * caller's callback as they are decoded; nothing buffers a whole command's
 * output. A second connection (the control channel) carries the stop
 * signal, so psr_psrp_session_stop may be called from another thread while
 * a Receive is waiting.
 *
 * Ownership: the session owns its pool and transports; close or free it. */
#ifndef PSR_CLIENT_PSRP_SESSION_H
#define PSR_CLIENT_PSRP_SESSION_H

#include "psremote/connection.h"
#include "psrp/pipeline.h"
#include "psrp/runspace_pool.h"

typedef struct psr_psrp_session psr_psrp_session;

/* configuration_name: NULL = Microsoft.PowerShell; a bare name becomes
 * http://schemas.microsoft.com/powershell/NAME; a URI is kept. */
int psr_psrp_session_open(psr_psrp_session **out, const psr_connection_options *conn,
                          const char *configuration_name, psr_error *err);
/* Deletes the shell on the server, then frees. */
int psr_psrp_session_close(psr_psrp_session *s, psr_error *err);
void psr_psrp_session_free(psr_psrp_session *s);

/* The resource URI a configuration name stands for (appended to out). */
int psr_psrp_resource_uri(const char *configuration_name, psr_buf *out);

/* The pipeline Invoke-Command sends for a script block: the script as one
 * command, args bound positionally (-ArgumentList), invocation info on
 * records, a host with a UI. Fills *command and *pipeline, which points to
 * it; args (and their values) are borrowed. */
void psr_psrp_script_pipeline(psrp_msg_create_pipeline *pipeline, psrp_command *command,
                              const char *script, const psrp_command_arg *args, size_t n_args);

/* What the caller does with the pipeline's events. A host call with a call
 * id other than PSRP_HOST_CALL_VOID_CI must be answered from on_event with
 * psrp_pipeline_host_respond(pl, ...). Return 0 to go on. */
typedef int (*psr_psrp_event_fn)(void *ctx, psrp_pipeline *pl, const psrp_pipeline_event *ev);

typedef struct psr_psrp_invocation {
    const psrp_msg_create_pipeline *pipeline;
    /* Input objects (borrowed); with n_input = 0 the pipeline gets NoInput. */
    psrp_value *const *input;
    size_t n_input;
    psr_psrp_event_fn on_event;
    void *ctx;
} psr_psrp_invocation;

/* Runs one pipeline to its end. Returns 0 when the final state arrived
 * (*final_state says which: PSRP_PIPELINE_COMPLETED / FAILED / STOPPED), or
 * a negative status: PSR_E_CANCELLED when a stop outlasted CancelTimeout,
 * PSR_E_PROTOCOL when the runspace pool went Broken (the message carries the
 * server's reason), others when the connection was lost or the server sent
 * a fault. Pool messages the server puts on the pipeline's Receive are
 * handled here: a PUBLIC_KEY_REQUEST is answered (a fresh RSA key, then
 * PUBLIC_KEY), so SecureStrings in the output arrive under the session key. */
int psr_psrp_session_invoke(psr_psrp_session *s, const psr_psrp_invocation *inv,
                            int32_t *final_state, psr_error *err);

/* A SecureString value (<SS>) for text, for a host call's answer. The
 * first one exchanges the session key (PUBLIC_KEY with a fresh RSA-2048
 * key, then ENCRYPTED_SESSION_KEY on the pool's Receive), as PowerShell
 * does when it first has a SecureString to send. Call it between Receives
 * (from the event callback). */
int psr_psrp_session_secure_string(psr_psrp_session *s, const char *text, psrp_value **out,
                                   psr_error *err);

/* Asks the running pipeline to stop (PowerShell's crtl_c signal); safe from
 * another thread. 0 when the signal was delivered, nothing runs, or it was
 * already sent for this pipeline. If the pipeline has not ended CancelTimeout
 * (the session option, 60 s by default) later, a watchdog thread terminates
 * the command (Signal Terminate on the control channel) and
 * psr_psrp_session_invoke returns PSR_E_CANCELLED saying so. */
int psr_psrp_session_stop(psr_psrp_session *s, psr_error *err);

/* The host the errors should name. */
const char *psr_psrp_session_host(const psr_psrp_session *s);

#endif
