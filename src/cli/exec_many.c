/* exec_many.c: `psremote exec` on several computers at once (see
 * src/client/fanout.h for the engine).
 *
 * Output is written as it arrives, a whole line at a time, each line
 * prefixed "HOST: " (unless --hide-computer-name), stdout and stderr kept
 * apart; a host's last line without a newline gets one when the host ends.
 * A failing host is reported on stderr with its name and the others go on.
 * On a terminal, stderr shows a progress line. At the end a summary lists
 * the hosts that failed. Exit status: 0 when every command ran and exited
 * 0, 1 when a command exited non-zero, 255 when a host failed, 130 after a
 * second Ctrl+C (the first stops every command and deletes the shells). */
#include "src/cli/cli.h"
#include "src/cli/conn_args.h"
#include "src/cli/interrupt.h"
#include "src/cli/status_line.h"
#include "src/client/fanout.h"

#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct host_out {
    psr_buf partial[2];  /* stdout, stderr: the line not yet ended */
    int exit_code;
    int failed;
} host_out;

typedef struct many {
    const psr_cli_conn *cc;
    host_out *hosts;
    int hide_names;
    psr_status_line status;
} many;

static void write_line(many *m, size_t host, int stream, const char *line, size_t len)
{
    FILE *out = stream == PSR_FANOUT_STDERR ? stderr : stdout;
    psr_status_line_before(&m->status, stream == PSR_FANOUT_STDERR);
    if (!m->hide_names)
        fprintf(out, "%s: ", m->cc->hosts.names[host]);
    fwrite(line, 1, len, out);
    fputc('\n', out);
}

static void on_output(void *ctx, size_t host, psr_fanout_stream stream, const char *data,
                      size_t len)
{
    many *m = ctx;
    psr_buf *partial = &m->hosts[host].partial[stream == PSR_FANOUT_STDERR];
    while (len) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        if (!nl) {
            if (psr_buf_append(partial, data, n))
                fputs("psremote: out of memory buffering output\n", stderr);
            return;
        }
        /* drop a CR before the LF: Windows commands end lines with CRLF */
        size_t keep = n && data[n - 1] == '\r' ? n - 1 : n;
        if (partial->len) {
            if (psr_buf_append(partial, data, keep) == 0)
                write_line(m, host, stream, partial->data, partial->len);
            psr_buf_reset(partial);
        } else {
            write_line(m, host, stream, data, keep);
        }
        data += n + 1;
        len -= n + 1;
    }
    fflush(stream == PSR_FANOUT_STDERR ? stderr : stdout);
    psr_status_line_after(&m->status);
}

static void on_done(void *ctx, size_t host, int exit_code, const psr_error *err)
{
    many *m = ctx;
    host_out *h = &m->hosts[host];
    for (int s = 0; s < 2; s++) {
        if (h->partial[s].len)
            write_line(m, host, s ? PSR_FANOUT_STDERR : PSR_FANOUT_STDOUT, h->partial[s].data,
                       h->partial[s].len);
        psr_buf_free(&h->partial[s]);
    }
    fflush(stdout);
    if (err) {
        h->failed = 1;
        psr_status_line_clear(&m->status);
        fprintf(stderr, "psremote: %s: %s\n", m->cc->hosts.names[host], err->message);
    } else {
        h->exit_code = exit_code;
    }
}

static void on_progress(void *ctx, size_t done, size_t running, size_t failed, size_t total)
{
    many *m = ctx;
    psr_status_line_show(&m->status, done, running, failed, total);
}

int psr_cli_exec_many(psr_cli_conn *cc, char **command, int n_command,
                      const psr_winrs_shell_options *so, int hide_names)
{
    psr_error err;
    psr_connection_options *conns = NULL;
    if (psr_cli_conn_for_each_host(cc, &conns, &err) != 0) {
        fprintf(stderr, "psremote: %s\n", err.message);
        return PSR_CLI_FAILURE;
    }
    many m = {.cc = cc, .hide_names = hide_names};
    psr_status_line_init(&m.status);
    m.hosts = calloc(cc->hosts.n, sizeof(*m.hosts));
    if (!m.hosts) {
        free(conns);
        fputs("psremote: out of memory\n", stderr);
        return PSR_CLI_FAILURE;
    }
    psr_fanout_command cmd = {
        .command = command[0],
        .arguments = (const char *const *)(command + 1),
        .n_arguments = (size_t)(n_command - 1),
        .env = so->env,
        .n_env = so->n_env,
        .working_directory = so->working_directory,
    };
    psr_fanout_callbacks cb = {on_output, on_done, on_progress};
    int interrupt_fd = psr_cli_interrupt_install();
    int rc = psr_fanout_run_winrs(conns, cc->hosts.n, cc->throttle_limit, &cmd, &cb, &m,
                                  interrupt_fd, &err);
    psr_status_line_clear(&m.status);
    int status = 0;
    size_t failed = 0;
    for (size_t i = 0; i < cc->hosts.n; i++) {
        if (m.hosts[i].failed)
            failed++;
        else if (m.hosts[i].exit_code != 0 && status == 0)
            status = 1;
    }
    if (rc == PSR_E_CANCELLED) {
        fprintf(stderr, "psremote: %s\n", err.message);
        status = 130;
    } else if (rc) {
        fprintf(stderr, "psremote: %s\n", err.message);
        status = PSR_CLI_FAILURE;
    } else if (failed) {
        fprintf(stderr, "psremote: %zu of %zu computers failed:", failed, cc->hosts.n);
        for (size_t i = 0; i < cc->hosts.n; i++)
            if (m.hosts[i].failed)
                fprintf(stderr, " %s", cc->hosts.names[i]);
        fputc('\n', stderr);
        status = PSR_CLI_FAILURE;
    }
    free(m.hosts);
    free(conns);
    return status;
}
