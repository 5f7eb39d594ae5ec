/* invoke_many.c: `psremote invoke` on several computers at once, as
 * Invoke-Command -ComputerName a,b does (the engine is src/client/fanout.h).
 *
 * Each computer's events go to its own renderer (render.h): in text mode
 * every line carries a "HOST: " prefix (unless --hide-computer-name), in
 * JSON modes every object a PSComputerName (primitives stay bare values). With several computers
 * `--output json` writes JSON lines (one object per line, as they arrive),
 * since the objects of different computers interleave; clixml is refused.
 * Errors of a computer are reported with its name and the others go on; a
 * summary lists the failed ones. On a terminal, stderr shows a progress
 * line (computers done, running, failed). Exit status: 0 when every pipeline
 * completed without error records, 1 with error records, 3 when a pipeline
 * failed, 4 (5 for authentication) when a computer could not be reached,
 * 130 after a second Ctrl+C. */
#include "src/cli/cli.h"
#include "src/cli/conn_args.h"
#include "src/cli/host.h"
#include "src/cli/interrupt.h"
#include "src/cli/render.h"
#include "src/cli/status_line.h"
#include "src/client/fanout.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct host_run {
    psr_render *render;
    psr_cli_host host;
    size_t error_records;
    int state;            /* final pipeline state */
    int failed;           /* could not run (err printed) */
    int auth_failed;
} host_run;

typedef struct many {
    const psr_cli_conn *cc;
    host_run *hosts;
    psr_status_line status;
} many;

static int on_event(void *ctx, size_t host, psrp_pipeline *pl, const psrp_pipeline_event *ev)
{
    many *m = ctx;
    host_run *h = &m->hosts[host];
    /* the renderer may write to either stream */
    psr_status_line_before(&m->status, 1);
    int rc = psr_cli_host_event(&h->host, &h->error_records, pl, ev);
    fflush(stderr);
    psr_status_line_after(&m->status);
    return rc;
}

static void on_progress(void *ctx, size_t done, size_t running, size_t failed, size_t total)
{
    many *m = ctx;
    psr_status_line_show(&m->status, done, running, failed, total);
}

static void on_done(void *ctx, size_t host, int state, const psr_error *err)
{
    many *m = ctx;
    host_run *h = &m->hosts[host];
    psr_status_line_before(&m->status, 1);
    psr_render_free(h->render); /* ends the host's output */
    h->render = NULL;
    if (err) {
        h->failed = 1;
        h->auth_failed = err->code == PSR_E_AUTH;
        fprintf(stderr, "psremote: %s: %s\n", m->cc->hosts.names[host], err->message);
    } else {
        h->state = state;
    }
}

int psr_cli_invoke_many(psr_cli_conn *cc, const psrp_msg_create_pipeline *pipeline,
                        const char *configuration_name, int output_format, int hide_names)
{
    if (output_format == PSR_OUTPUT_CLIXML) {
        fputs("psremote: --output clixml takes one computer; use jsonl for several\n", stderr);
        return PSR_CLI_USAGE;
    }
    psr_error err;
    psr_connection_options *conns = NULL;
    if (psr_cli_conn_for_each_host(cc, &conns, &err) != 0) {
        fprintf(stderr, "psremote: %s\n", err.message);
        return PSR_CLI_FAILURE;
    }
    many m = {.cc = cc, .hosts = calloc(cc->hosts.n, sizeof(host_run))};
    psr_status_line_init(&m.status);
    int status = 0;
    for (size_t i = 0; m.hosts && i < cc->hosts.n && status == 0; i++) {
        psr_render_options ro = {
            .format = output_format == PSR_OUTPUT_JSON ? PSR_OUTPUT_JSONL
                                                       : (psr_output_format)output_format,
            .out = stdout,
            .err = stderr,
            .progress_tty = 0, /* one status line cannot show many computers */
            .computer_name = hide_names ? NULL : cc->hosts.names[i],
            .prefix_lines = !hide_names && output_format == PSR_OUTPUT_TEXT,
        };
        if (!(m.hosts[i].render = psr_render_new(&ro)))
            status = PSR_CLI_FAILURE;
        psr_cli_host_init(&m.hosts[i].host, m.hosts[i].render, NULL);
    }
    if (!m.hosts || status) {
        fputs("psremote: out of memory\n", stderr);
        status = PSR_CLI_FAILURE;
        goto out;
    }
    psr_fanout_invocation inv = {pipeline, configuration_name, on_event};
    psr_fanout_callbacks cb = {NULL, on_done, on_progress};
    int rc = psr_fanout_run_psrp(conns, cc->hosts.n, cc->throttle_limit, &inv, &cb, &m,
                                 psr_cli_interrupt_install(), &err);
    fflush(stdout);
    psr_status_line_clear(&m.status);
    size_t failed = 0;
    for (size_t i = 0; i < cc->hosts.n; i++) {
        host_run *h = &m.hosts[i];
        int s = h->failed                                ? (h->auth_failed ? 5 : 4)
                : h->state != PSRP_PIPELINE_COMPLETED    ? 3
                : h->error_records                       ? 1
                                                         : 0;
        failed += h->failed;
        if (s > status)
            status = s;
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
    }
out:
    for (size_t i = 0; m.hosts && i < cc->hosts.n; i++)
        psr_render_free(m.hosts[i].render);
    free(m.hosts);
    free(conns);
    return status;
}
