/* exec.c: `psremote exec`, what `winrs -r:HOST command` does on Windows.
 *
 * The main thread runs the Receive loop and writes output as it arrives. A
 * control thread forwards local stdin with Send and turns Ctrl+C into
 * signals, on the shell's second connection, so neither waits for the other
 * while a Receive is long-polling:
 *   first Ctrl+C  -> ctrl_c to the remote command
 *   second        -> Terminate (the Receive then ends; exit status 130)
 *   third         -> exit at once
 * Whatever happens, the command is terminated and the shell deleted. */
#include "src/cli/cli.h"
#include "src/cli/conn_args.h"
#include "src/cli/interrupt.h"

#include "psremote/winrs.h"
#include "wsman/wsman.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STDIN_CHUNK (32 * 1024) /* base64 of this fits any envelope size >= 64 KB */

enum { OPT_ENV = OPT_CONN_LAST, OPT_NO_STDIN, OPT_HIDE_COMPUTER_NAME };

static const char exec_help[] =
    "Usage: psremote exec [OPTIONS] [--] COMMAND [ARGS...]\n"
    "Run COMMAND in a Windows Remote Shell (cmd) on the remote computer, streaming\n"
    "stdin, stdout and stderr; exit with the remote command's exit code.\n"
    "\n"
    "Command:\n"
    "  -d, --directory DIR        working directory on the remote computer\n"
    "      --env NAME=VALUE       environment variable for the remote shell (repeatable)\n"
    "  -n, --no-stdin             do not forward standard input (send end of input)\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Several computers (-c a,b,c, -c @FILE, -c - for a list on stdin, or -c repeated)\n"
    "run the command at once, at most --throttle-limit N at a time (default 32);\n"
    "output lines are prefixed HOST: (--hide-computer-name: no prefix) and stdin\n"
    "is not forwarded; on a terminal, stderr shows a progress line. Exit status: 0\n"
    "when every command exited 0, 1 when one exited otherwise, 255 when a computer\n"
    "failed.\n"
    "      --hide-computer-name   no HOST: prefix on the output of several computers\n"
    "\n"
    "%s"
    "\n"
    "Exit status: the remote exit code (1 if it does not fit 0-255), 130 after a\n"
    "second Ctrl+C, 255 when psremote itself fails (connection, authentication,\n"
    "server fault).\n";

typedef struct exec_run {
    psr_winrs_command *cmd;
    const char *host;
    int forward_stdin;
    int stop_pipe[2];      /* main -> control thread: finish */
    int interrupt_fd;      /* one byte per Ctrl+C (interrupt.h) */
    atomic_int terminated; /* set by the second Ctrl+C */
} exec_run;

static void report(const char *what, const psr_error *err)
{
    fprintf(stderr, "psremote: %s%s%s\n", what, *what ? ": " : "", err->message);
}

static int send_stdin(exec_run *run, int *stdin_open)
{
    char buf[STDIN_CHUNK];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    psr_error err;
    int end = n <= 0;
    if (psr_winrs_command_send(run->cmd, buf, n > 0 ? (size_t)n : 0, end, &err) != 0) {
        report("forwarding standard input", &err);
        *stdin_open = 0;
        return -1;
    }
    if (end)
        *stdin_open = 0;
    return 0;
}

static void handle_interrupt(exec_run *run, int count)
{
    psr_error err;
    if (count == 1) {
        if (psr_winrs_command_signal(run->cmd, WSMAN_SIGNAL_CTRL_C, &err) != 0)
            report("sending Ctrl+C", &err);
    } else if (count == 2) {
        atomic_store(&run->terminated, 1);
        if (psr_winrs_command_signal(run->cmd, WSMAN_SIGNAL_TERMINATE, &err) != 0)
            report("terminating the command", &err);
    } else {
        fprintf(stderr, "psremote: interrupted; the remote shell may still exist\n");
        _exit(130);
    }
}

static void *control_thread(void *arg)
{
    exec_run *run = arg;
    int stdin_open = run->forward_stdin;
    int interrupts = 0;
    if (!stdin_open) {
        psr_error err;
        if (psr_winrs_command_send(run->cmd, "", 0, 1, &err) != 0)
            report("closing standard input", &err);
    }
    for (;;) {
        struct pollfd fds[3] = {
            {.fd = run->stop_pipe[0], .events = POLLIN},
            {.fd = run->interrupt_fd, .events = POLLIN},
            {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
        };
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents)
            break;
        if ((fds[1].revents & POLLIN) && psr_cli_interrupt_take(run->interrupt_fd))
            handle_interrupt(run, ++interrupts);
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
            send_stdin(run, &stdin_open);
    }
    return NULL;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int on_output(void *ctx, psr_winrs_stream stream, const void *data, size_t len)
{
    (void)ctx;
    /* A closed local stdout (e.g. `| head`) stops the remote command. */
    return write_all(stream == PSR_WINRS_STDERR ? STDERR_FILENO : STDOUT_FILENO, data, len);
}

static int parse_exec_args(int argc, char **argv, psr_cli_conn *cc, psr_winrs_shell_options *so,
                           psr_winrs_env **env, int *forward_stdin, int *hide_names,
                           int *first_arg)
{
    static const struct option longs[] = {
        PSR_CONN_LONG_OPTIONS,
        {"directory", required_argument, NULL, 'd'},
        {"env", required_argument, NULL, OPT_ENV},
        {"no-stdin", no_argument, NULL, 'n'},
        {"hide-computer-name", no_argument, NULL, OPT_HIDE_COMPUTER_NAME},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    psr_error err;
    optind = 1;
    opterr = 0;
    int opt;
    /* "+": stop at the command, so its own options are not taken for ours. */
    while ((opt = getopt_long(argc, argv, "+" PSR_CONN_SHORT_OPTIONS "d:nh", longs, NULL)) != -1) {
        int handled = psr_cli_conn_option(cc, opt, optarg, &err);
        if (handled < 0) {
            report("", &err);
            return PSR_CLI_USAGE;
        }
        if (handled)
            continue;
        switch (opt) {
        case 'd': so->working_directory = optarg; break;
        case 'n': *forward_stdin = 0; break;
        case OPT_HIDE_COMPUTER_NAME: *hide_names = 1; break;
        case 'h': printf(exec_help, psr_cli_conn_help); return PSR_CLI_HELP_SHOWN;
        case OPT_ENV: {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                fprintf(stderr, "psremote: --env takes NAME=VALUE, not '%s'\n", optarg);
                return PSR_CLI_USAGE;
            }
            psr_winrs_env *grown = realloc(*env, (so->n_env + 1) * sizeof(**env));
            if (!grown)
                return PSR_CLI_FAILURE;
            *eq = '\0'; /* argv strings are ours to split */
            grown[so->n_env].name = optarg;
            grown[so->n_env].value = eq + 1;
            *env = grown;
            so->env = grown;
            so->n_env++;
            break;
        }
        default:
            psr_cli_bad_option(argc, argv, opt, "exec");
            return PSR_CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "psremote: exec needs a command to run (psremote exec -c HOST -- COMMAND)\n");
        return PSR_CLI_USAGE;
    }
    *first_arg = optind;
    return 0;
}

static int run_command(exec_run *run, psr_winrs_shell *shell, char **words, int n_words,
                       int *exit_code)
{
    psr_error err;
    int rc = psr_winrs_command_start(shell, words[0], (const char *const *)words + 1,
                                     (size_t)n_words - 1, &run->cmd, &err);
    if (rc) {
        report("", &err);
        return rc;
    }
    pthread_t control;
    int have_thread = pthread_create(&control, NULL, control_thread, run) == 0;
    if (!have_thread)
        fprintf(stderr, "psremote: cannot start the input thread; standard input is not forwarded\n");
    int done = 0;
    while (!done && rc == 0) {
        rc = psr_winrs_command_receive(run->cmd, on_output, NULL, &done, exit_code, &err);
        if (rc && !(atomic_load(&run->terminated)))
            report("", &err);
    }
    if (have_thread) {
        if (write(run->stop_pipe[1], "x", 1) < 0)
            fprintf(stderr, "psremote: cannot stop the input thread\n");
        pthread_join(control, NULL);
    }
    if (psr_winrs_command_close(run->cmd, &err) != 0 && rc == 0 &&
        !atomic_load(&run->terminated))
        report("", &err);
    run->cmd = NULL;
    return rc;
}

int psr_cli_exec(int argc, char **argv)
{
    psr_cli_conn cc;
    psr_cli_conn_init(&cc);
    cc.conn.auth = PSR_AUTH_DEFAULT;
    psr_winrs_shell_options so = {.flags = PSR_WINRS_CONTROL_CHANNEL};
    psr_winrs_env *env = NULL;
    exec_run run = {.forward_stdin = 1, .stop_pipe = {-1, -1}};
    int first = 0, status = PSR_CLI_FAILURE;
    psr_winrs_shell *shell = NULL;
    psr_error err;

    int hide_names = 0;
    int prc = parse_exec_args(argc, argv, &cc, &so, &env, &run.forward_stdin, &hide_names,
                              &first);
    if (prc) {
        status = prc == PSR_CLI_HELP_SHOWN ? 0 : prc;
        goto out;
    }
    if (psr_cli_conn_finish(&cc, &err) != 0) {
        report("", &err);
        goto out;
    }
    if (cc.hosts.n > 1) {
        status = psr_cli_exec_many(&cc, argv + first, argc - first, &so, hide_names);
        goto out;
    }
    run.interrupt_fd = psr_cli_interrupt_install();
    if (pipe(run.stop_pipe) != 0 || run.interrupt_fd < 0) {
        fprintf(stderr, "psremote: cannot create a pipe: %s\n", strerror(errno));
        goto out;
    }

    if (psr_winrs_shell_open(&shell, &cc.conn, &so, &err) != 0) {
        report("", &err);
        goto out;
    }
    int exit_code = 0;
    int rc = run_command(&run, shell, argv + first, argc - first, &exit_code);
    if (psr_winrs_shell_close(shell, &err) != 0 && rc == 0)
        report("deleting the shell", &err);
    shell = NULL;
    if (atomic_load(&run.terminated))
        status = 130;
    else if (rc == 0)
        status = psr_cli_exit_status_from_remote(exit_code);
out:
    psr_winrs_shell_free(shell);
    for (int i = 0; i < 2; i++) {
        if (run.stop_pipe[i] >= 0)
            close(run.stop_pipe[i]);
    }
    free(env);
    psr_cli_conn_free(&cc);
    return status;
}
