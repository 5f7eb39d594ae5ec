/* psremote/winrs.h: Windows Remote Shell (WinRS) over WS-Management.
 *
 * What `winrs -r:HOST command` does on Windows: create a cmd shell, run a
 * command in it, stream its stdin, stdout and stderr, get its exit code.
 *
 *   psr_winrs_shell_open()      Create  (one HTTP connection kept alive)
 *   psr_winrs_command_start()   Command
 *   psr_winrs_command_send()    Send     (stdin; end = end of input)
 *   psr_winrs_command_receive() Receive  (one round trip; output via callback)
 *   psr_winrs_command_signal()  Signal   (ctrl_c)
 *   psr_winrs_command_close()   Signal Terminate, then free
 *   psr_winrs_shell_close()     Delete, then free
 *
 * Calls on one shell must not run concurrently, with one exception: a shell
 * opened with PSR_WINRS_CONTROL_CHANNEL lets send/signal of its commands run
 * on a second connection while a receive is waiting on the first, which is
 * how stdin is forwarded and Ctrl+C delivered during a long-polling Receive.
 *
 * Ownership: the shell owns its commands' connections; close (or free) every
 * command before closing its shell. *_close and *_free accept NULL. */
#ifndef PSREMOTE_WINRS_H
#define PSREMOTE_WINRS_H

#include "psremote/connection.h"
#include "psremote/error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psr_winrs_shell psr_winrs_shell;
typedef struct psr_winrs_command psr_winrs_command;

typedef struct psr_winrs_env {
    const char *name;
    const char *value;
} psr_winrs_env;

typedef struct psr_winrs_shell_options {
    const char *working_directory; /* NULL = the server's default */
    const psr_winrs_env *env;      /* environment variables for the shell */
    size_t n_env;
    unsigned codepage;             /* 0 = 65001 (UTF-8) */
    int flags;                     /* PSR_WINRS_* */
} psr_winrs_shell_options;

#define PSR_WINRS_CONTROL_CHANNEL 0x1 /* second connection for send/signal */

typedef enum psr_winrs_stream {
    PSR_WINRS_STDOUT = 1,
    PSR_WINRS_STDERR = 2
} psr_winrs_stream;

/* Called for every chunk of output, in the order received. Return 0 to go
 * on, non-zero to stop (the receive call then fails with PSR_E_CANCELLED). */
typedef int (*psr_winrs_output_fn)(void *ctx, psr_winrs_stream stream,
                                   const void *data, size_t len);

int psr_winrs_shell_open(psr_winrs_shell **out, const psr_connection_options *conn,
                         const psr_winrs_shell_options *opts, psr_error *err);
/* Deletes the shell on the server (errors reported) and frees it. */
int psr_winrs_shell_close(psr_winrs_shell *shell, psr_error *err);
/* Frees without talking to the server. */
void psr_winrs_shell_free(psr_winrs_shell *shell);
const char *psr_winrs_shell_id(const psr_winrs_shell *shell);

int psr_winrs_command_start(psr_winrs_shell *shell, const char *command,
                            const char *const *args, size_t n_args,
                            psr_winrs_command **out, psr_error *err);
int psr_winrs_command_send(psr_winrs_command *cmd, const void *data, size_t len,
                           int end, psr_error *err);
/* One Receive round trip. Output goes to fn; when the command has finished,
 * *done is set to 1 and *exit_code to its exit code. A Receive the server
 * ends with w:TimedOut is not an error: it returns 0 with *done = 0. */
int psr_winrs_command_receive(psr_winrs_command *cmd, psr_winrs_output_fn fn, void *ctx,
                              int *done, int *exit_code, psr_error *err);
/* Sends a signal code (e.g. the ctrl_c URI in wsman/wsman.h). */
int psr_winrs_command_signal(psr_winrs_command *cmd, const char *code, psr_error *err);
/* Sends Terminate (also after the command finished, as Windows clients do:
 * it releases the command on the server), then frees it. */
int psr_winrs_command_close(psr_winrs_command *cmd, psr_error *err);

#ifdef __cplusplus
}
#endif
#endif
