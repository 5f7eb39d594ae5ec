/* process.h: one WinRS command as a real process: /bin/sh -c LINE in its own
 * process group, with stdin, stdout and stderr on three pipes.
 *
 * Output is not buffered here: harness_process_read pulls at most a budget
 * of bytes straight from the pipes when a Receive asks, so a chatty process
 * blocks on its full pipe (back-pressure) until the client asks again.
 *
 * Threads: read is called by one thread at a time (the caller's receive
 * lock), write/close_stdin by one thread at a time (the send lock); signal
 * and the reaped flag may be used from any thread. destroy only when no
 * other thread uses the process any more. */
#ifndef PSR_HARNESS_PROCESS_H
#define PSR_HARNESS_PROCESS_H

#include "src/harness/harness.h"

#include <stdatomic.h>
#include <sys/types.h>

typedef struct harness_process {
    pid_t pid;        /* also the process group id */
    int pidfd;        /* readable when the process exits; -1 if unavailable */
    int in_fd, out_fd, err_fd; /* -1 once closed */
    atomic_int reaped; /* waitpid has collected the exit status */
    int exit_code;    /* exit status, or 128 + signal number */
} harness_process;

/* Starts the process. cwd may be NULL; envp is the full environment. On
 * failure err says why and p holds nothing. */
int harness_process_spawn(harness_process *p, const char *command_line, const char *cwd,
                          char *const envp[], psr_error *err);
/* Waits up to timeout_ms for output or exit, then takes what is ready, at
 * most budget bytes over both streams. res->done is set once the process
 * has been reaped and its pipes are drained. Returns HARNESS_OK or
 * HARNESS_TIMED_OUT (nothing happened) or HARNESS_NOMEM. */
harness_result harness_process_read(harness_process *p, size_t budget, uint32_t timeout_ms,
                                    harness_output *res);
/* Writes all bytes to stdin (blocking). Input for a process that closed its
 * stdin is dropped, as WinRM drops it. */
void harness_process_write(harness_process *p, const void *data, size_t len);
void harness_process_close_stdin(harness_process *p);
/* Sends sig to the whole process group while it may still exist. */
void harness_process_signal(harness_process *p, int sig);
/* Kills the group, reaps the child and closes every descriptor. */
void harness_process_destroy(harness_process *p);

#endif
