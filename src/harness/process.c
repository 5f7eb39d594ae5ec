/* process.c: starting, feeding, reading and stopping one WinRS command's
 * process (see process.h). posix_spawn is used rather than fork because
 * the harness is multi-threaded; every descriptor is O_CLOEXEC so one
 * command's pipes never leak into another command. */
#include "src/harness/process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often to look for the exit of a child when pidfd_open is missing
 * (kernels before 5.3). */
#define EXIT_POLL_MS 20

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

int harness_process_spawn(harness_process *p, const char *command_line, const char *cwd,
                          char *const envp[], psr_error *err)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
    memset(p, 0, sizeof(*p));
    p->pid = -1;
    p->pidfd = p->in_fd = p->out_fd = p->err_fd = -1;
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        int e = errno;
        close_fd(&in[0]); close_fd(&in[1]);
        close_fd(&out[0]); close_fd(&out[1]);
        close_fd(&errp[0]); close_fd(&errp[1]);
        return psr_error_set(err, PSR_E_IO, "cannot create pipes: %s", strerror(e));
    }

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    /* Descriptors the harness itself inherited without O_CLOEXEC (a test
     * driver's pipes, say) must not reach the command either. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (cwd)
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
    /* Own process group, so ctrl_c and Terminate reach everything the command
     * starts. The harness blocks SIGINT/SIGTERM and ignores SIGPIPE; a child
     * must start with the ordinary mask and dispositions. */
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGQUIT);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);

    char *const argv[] = {"sh", "-c", (char *)command_line, NULL};
    int rc = posix_spawn(&p->pid, "/bin/sh", &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&errp[1]);
    if (rc != 0) {
        close_fd(&in[1]);
        close_fd(&out[0]);
        close_fd(&errp[0]);
        p->pid = -1;
        return psr_error_set(err, PSR_E_IO, "cannot start /bin/sh%s%s: %s",
                             cwd ? " in " : "", cwd ? cwd : "", strerror(rc));
    }
    p->in_fd = in[1];
    p->out_fd = out[0];
    p->err_fd = errp[0];
    p->pidfd = pidfd_open(p->pid, 0);
    atomic_store(&p->reaped, 0);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Collects the exit status if the child has ended. */
static void try_reap(harness_process *p)
{
    if (atomic_load(&p->reaped) || p->pid <= 0)
        return;
    int status;
    pid_t r = waitpid(p->pid, &status, WNOHANG);
    if (r == p->pid) {
        p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                       : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
        atomic_store(&p->reaped, 1);
        close_fd(&p->pidfd);
    }
}

/* Reads what one ready pipe holds into buf, within *budget. EOF closes it. */
static int drain_one(int *fd, psr_buf *buf, size_t *budget)
{
    if (*budget == 0)
        return 0;
    size_t want = *budget < 16384 ? *budget : 16384;
    if (psr_buf_reserve(buf, want) < 0)
        return PSR_E_NOMEM;
    ssize_t n;
    do {
        n = read(*fd, buf->data + buf->len, want);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) { /* EOF, or an error that ends the stream all the same */
        close_fd(fd);
        return 0;
    }
    buf->len += (size_t)n;
    buf->data[buf->len] = '\0';
    *budget -= (size_t)n;
    return 1;
}

/* One poll over the open pipes (and the pidfd); reads whatever is ready.
 * Returns 1 if bytes were read, 0 if not, or PSR_E_NOMEM. */
static int poll_once(harness_process *p, int timeout, size_t *budget, harness_output *res)
{
    struct pollfd fds[3];
    int n = 0, io_out = -1, io_err = -1;
    if (p->out_fd >= 0) { io_out = n; fds[n++] = (struct pollfd){p->out_fd, POLLIN, 0}; }
    if (p->err_fd >= 0) { io_err = n; fds[n++] = (struct pollfd){p->err_fd, POLLIN, 0}; }
    if (p->pidfd >= 0 && !atomic_load(&p->reaped))
        fds[n++] = (struct pollfd){p->pidfd, POLLIN, 0};
    if (n == 0) {
        if (timeout > 0)
            poll(NULL, 0, timeout < EXIT_POLL_MS ? timeout : EXIT_POLL_MS);
        return 0;
    }
    if (p->pidfd < 0 && !atomic_load(&p->reaped) && (timeout < 0 || timeout > EXIT_POLL_MS))
        timeout = EXIT_POLL_MS;
    int r = poll(fds, (nfds_t)n, timeout);
    if (r <= 0)
        return 0;
    int got = 0, rc;
    /* stdout first, then stderr: the order a reader of one terminal expects. */
    if (io_out >= 0 && fds[io_out].revents) {
        if ((rc = drain_one(&p->out_fd, &res->out, budget)) < 0)
            return rc;
        got |= rc;
    }
    if (io_err >= 0 && fds[io_err].revents) {
        if ((rc = drain_one(&p->err_fd, &res->err, budget)) < 0)
            return rc;
        got |= rc;
    }
    return got;
}

harness_result harness_process_read(harness_process *p, size_t budget, uint32_t timeout_ms,
                                    harness_output *res)
{
    int64_t deadline = now_ms() + timeout_ms;
    int got_any = 0;
    res->done = 0;
    for (;;) {
        try_reap(p);
        int reaped = atomic_load(&p->reaped);
        int pipes_open = p->out_fd >= 0 || p->err_fd >= 0;
        if (reaped && !pipes_open)
            break;
        int64_t left = deadline - now_ms();
        /* Once something was read, or the child is gone (a background
         * grandchild may hold the pipes open), take only what is ready now. */
        int timeout = (got_any || reaped) ? 0 : (left > 0 ? (int)left : 0);
        int rc = poll_once(p, timeout, &budget, res);
        if (rc < 0)
            return HARNESS_NOMEM;
        if (rc > 0) {
            got_any = 1;
            if (budget == 0)
                return HARNESS_OK;
            continue;
        }
        if (reaped) {
            /* Exited and nothing more is ready: what a grandchild writes
             * later is not this command's output any more. */
            close_fd(&p->out_fd);
            close_fd(&p->err_fd);
            break;
        }
        if (got_any)
            return HARNESS_OK;
        if (now_ms() >= deadline) {
            try_reap(p);
            if (!atomic_load(&p->reaped) || p->out_fd >= 0 || p->err_fd >= 0)
                return HARNESS_TIMED_OUT;
            break;
        }
    }
    res->done = 1;
    res->exit_code = p->exit_code;
    return HARNESS_OK;
}

void harness_process_write(harness_process *p, const void *data, size_t len)
{
    const char *b = data;
    while (len > 0 && p->in_fd >= 0) {
        ssize_t n = write(p->in_fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* EPIPE: the process no longer reads stdin */
            close_fd(&p->in_fd);
            return;
        }
        b += n;
        len -= (size_t)n;
    }
}

void harness_process_close_stdin(harness_process *p)
{
    close_fd(&p->in_fd);
}

void harness_process_signal(harness_process *p, int sig)
{
    /* After the leader is reaped its group id could in theory be reused;
     * signal the group only while it is known to exist. */
    if (p->pid > 0 && !atomic_load(&p->reaped))
        kill(-p->pid, sig);
}

void harness_process_destroy(harness_process *p)
{
    if (p->pid > 0 && !atomic_load(&p->reaped)) {
        kill(-p->pid, SIGKILL);
        int status;
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
            ;
        atomic_store(&p->reaped, 1);
    }
    close_fd(&p->pidfd);
    close_fd(&p->in_fd);
    close_fd(&p->out_fd);
    close_fd(&p->err_fd);
    p->pid = -1;
}
