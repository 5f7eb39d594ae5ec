/* interrupt.c: Ctrl+C as a readable pipe (see interrupt.h). The pipe is
 * the one piece of process-wide state: signals are process-wide too. */
#include "src/cli/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

static int sigint_pipe[2] = {-1, -1};

static void on_sigint(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(sigint_pipe[1], "i", 1) < 0) {
        /* nothing useful to do in a signal handler */
    }
    errno = saved;
}

int psr_cli_interrupt_install(void)
{
    if (sigint_pipe[0] < 0 && pipe(sigint_pipe) != 0)
        return -1;
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return sigint_pipe[0];
}

int psr_cli_interrupt_take(int fd)
{
    char c;
    return read(fd, &c, 1) == 1;
}
