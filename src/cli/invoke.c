/* invoke.c: `psremote invoke`, what Invoke-Command -ComputerName does.
 *
 * Opens a PowerShell session (runspace pool) on the remote computer, runs
 * one script block in it with the given arguments and input, renders every
 * stream as it arrives (render.h), answers host calls from the terminal
 * (host.c), and closes the session. Ctrl+C: the first stops the pipeline
 * (PowerShell's stop signal, sent on a second connection by a helper
 * thread; after CancelTimeout the session terminates the command), the
 * second gives up at once (exit 130). */
#include "src/cli/cli.h"
#include "src/cli/conn_args.h"
#include "src/cli/host.h"
#include "src/cli/interrupt.h"
#include "src/cli/render.h"

#include "psrp/json_input.h"
#include "src/client/psrp_session.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_ARGUMENT = OPT_CONN_LAST,
    OPT_INPUT,
    OPT_INPUT_JSON,
    OPT_CONFIGURATION_NAME,
    OPT_OUTPUT,
    OPT_HIDE_COMPUTER_NAME,
};

static const char invoke_help[] =
    "Usage: psremote [invoke] [OPTIONS] [-e SCRIPT | -f FILE | SCRIPT]\n"
    "Run a PowerShell script block on the remote computer, like Invoke-Command,\n"
    "and show its output objects and every stream.\n"
    "\n"
    "Script:\n"
    "  -e, --script-block SCRIPT  the script to run\n"
    "  -f, --file-path FILE       run the local script FILE (sent as the script block)\n"
    "      --argument-list VALUE  an argument, bound to param() or $args (repeatable)\n"
    "      --input FILE|-         send each line of FILE (- for stdin) as pipeline input\n"
    "      --input-json FILE|-    send JSON values as pipeline input: one array of\n"
    "                             objects, or values one after another (JSON lines)\n"
    "      --configuration-name NAME\n"
    "                             session configuration (default Microsoft.PowerShell;\n"
    "                             a full URI is used as given)\n"
    "Output:\n"
    "      --output FORMAT        text (default), json, jsonl or clixml\n"
    "      --hide-computer-name   no PSComputerName in JSON, no HOST: prefix\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Several computers (-c a,b,c, -c @FILE, -c - for a list on stdin, or -c repeated)\n"
    "run the script at once, at most --throttle-limit N at a time (default 32); text\n"
    "lines are prefixed HOST:, JSON objects carry PSComputerName; on a terminal,\n"
    "stderr shows a progress line. The exit status is the worst of the computers'.\n"
    "\n"
    "%s"
    "\n"
    "Exit status: 0 success; 1 the pipeline wrote error records; 2 bad options;\n"
    "3 the pipeline failed (terminating error) or was stopped (also when the stop\n"
    "outlasted CancelTimeout and psremote terminated it); 4 connection, protocol or\n"
    "server failure, or the remote session broke; 5 authentication failed;\n"
    "130 interrupted.\n";

#define EXIT_ERROR_RECORDS 1
#define EXIT_PIPELINE_FAILED 3
#define EXIT_CONNECTION 4
#define EXIT_AUTH 5

typedef struct invoke_args {
    const char *script;
    const char *script_file;
    const char **arguments;
    size_t n_arguments;
    const char *input_file;
    const char *input_json_file;
    const char *configuration_name;
    psr_output_format format;
    int hide_computer_name;
} invoke_args;

typedef struct invoke_run {
    psr_render *render;
    psr_cli_host host;
    size_t error_records;
} invoke_run;

typedef struct stopper {
    psr_psrp_session *session;
    int stop_pipe[2];
    int interrupt_fd; /* one byte per Ctrl+C (interrupt.h) */
} stopper;

static void *stop_thread(void *arg)
{
    stopper *st = arg;
    int interrupts = 0;
    for (;;) {
        struct pollfd fds[2] = {{.fd = st->stop_pipe[0], .events = POLLIN},
                                {.fd = st->interrupt_fd, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents)
            break;
        if (!(fds[1].revents & POLLIN) || !psr_cli_interrupt_take(st->interrupt_fd))
            continue;
        if (++interrupts == 1) {
            psr_error err;
            if (psr_psrp_session_stop(st->session, &err) != 0)
                fprintf(stderr, "psremote: stopping the pipeline: %s\n", err.message);
        } else {
            fprintf(stderr, "psremote: interrupted; the remote session may remain until "
                            "its idle timeout\n");
            _exit(130);
        }
    }
    return NULL;
}

static int on_event(void *ctx, psrp_pipeline *pl, const psrp_pipeline_event *ev)
{
    invoke_run *run = ctx;
    return psr_cli_host_event(&run->host, &run->error_records, pl, ev);
}

static int parse_invoke_args(int argc, char **argv, psr_cli_conn *cc, invoke_args *a)
{
    static const struct option longs[] = {
        PSR_CONN_LONG_OPTIONS,
        {"script-block", required_argument, NULL, 'e'},
        {"file-path", required_argument, NULL, 'f'},
        {"argument-list", required_argument, NULL, OPT_ARGUMENT},
        {"input", required_argument, NULL, OPT_INPUT},
        {"input-json", required_argument, NULL, OPT_INPUT_JSON},
        {"configuration-name", required_argument, NULL, OPT_CONFIGURATION_NAME},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"hide-computer-name", no_argument, NULL, OPT_HIDE_COMPUTER_NAME},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    psr_error err;
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, PSR_CONN_SHORT_OPTIONS "e:f:h", longs, NULL)) != -1) {
        int handled = psr_cli_conn_option(cc, opt, optarg, &err);
        if (handled < 0) {
            fprintf(stderr, "psremote: %s\n", err.message);
            return PSR_CLI_USAGE;
        }
        if (handled)
            continue;
        switch (opt) {
        case 'e': a->script = optarg; break;
        case 'f': a->script_file = optarg; break;
        case 'h': printf(invoke_help, psr_cli_conn_help); return PSR_CLI_HELP_SHOWN;
        case OPT_ARGUMENT: {
            const char **grown = realloc(a->arguments, (a->n_arguments + 1) * sizeof(*grown));
            if (!grown)
                return PSR_CLI_FAILURE;
            grown[a->n_arguments++] = optarg;
            a->arguments = grown;
            break;
        }
        case OPT_INPUT: a->input_file = optarg; break;
        case OPT_INPUT_JSON: a->input_json_file = optarg; break;
        case OPT_CONFIGURATION_NAME: a->configuration_name = optarg; break;
        case OPT_OUTPUT:
            if (psr_output_format_parse(optarg, &a->format) != 0) {
                fprintf(stderr, "psremote: --output takes text, json, jsonl or clixml, not '%s'\n",
                        optarg);
                return PSR_CLI_USAGE;
            }
            break;
        case OPT_HIDE_COMPUTER_NAME: a->hide_computer_name = 1; break;
        default: psr_cli_bad_option(argc, argv, opt, "invoke"); return PSR_CLI_USAGE;
        }
    }
    if (optind < argc) {
        if (a->script || optind + 1 < argc) {
            fprintf(stderr, "psremote: unexpected argument '%s' (quote the script, or pass "
                            "arguments with --argument-list)\n", argv[optind]);
            return PSR_CLI_USAGE;
        }
        a->script = argv[optind];
    }
    if (a->input_file && a->input_json_file) {
        fprintf(stderr, "psremote: give --input or --input-json, not both\n");
        return PSR_CLI_USAGE;
    }
    if (!!a->script + !!a->script_file != 1) {
        fprintf(stderr, "psremote: give exactly one script: -e SCRIPT, -f FILE or SCRIPT\n");
        return PSR_CLI_USAGE;
    }
    return 0;
}

/* Reads a whole local file (a script) into out. */
static int read_file(const char *path, psr_buf *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "psremote: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (psr_buf_append(out, chunk, n))
            rc = -1;
    if (ferror(f)) {
        fprintf(stderr, "psremote: cannot read %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    if (f != stdin)
        fclose(f);
    if (!rc && !out->data)
        rc = psr_buf_puts(out, "");
    return rc;
}

/* One string value per line of the input file. */
static int read_input_lines(const char *path, psrp_value ***values, size_t *n)
{
    psr_buf text = {0};
    if (read_file(path, &text) != 0)
        return -1;
    size_t cap = 0;
    const char *p = text.data, *end = text.data + text.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t trim = len > 0 && p[len - 1] == '\r' ? 1 : 0;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            psrp_value **grown = realloc(*values, cap * sizeof(*grown));
            if (!grown)
                break;
            *values = grown;
        }
        (*values)[*n] = psrp_value_new_stringn(p, len - trim);
        if (!(*values)[*n])
            break;
        (*n)++;
        p += len + (nl ? 1 : 0);
    }
    int rc = p < end ? -1 : 0;
    psr_buf_free(&text);
    return rc;
}

static int exit_for_error(const psr_error *err)
{
    /* A stop that outlasted CancelTimeout still stopped the pipeline. */
    if (err->code == PSR_E_CANCELLED)
        return EXIT_PIPELINE_FAILED;
    return err->code == PSR_E_AUTH ? EXIT_AUTH : EXIT_CONNECTION;
}

/* The pipeline Invoke-Command sends: the script block as one command, with
 * the arguments bound positionally, as -ArgumentList. */
typedef struct invoke_pipeline {
    psrp_command_arg *args;
    psrp_command command;
    psrp_msg_create_pipeline pipeline;
} invoke_pipeline;

static int make_pipeline(const invoke_args *a, const char *script, invoke_pipeline *ip)
{
    memset(ip, 0, sizeof(*ip));
    ip->args = calloc(a->n_arguments ? a->n_arguments : 1, sizeof(*ip->args));
    if (!ip->args)
        return -1;
    for (size_t i = 0; i < a->n_arguments; i++)
        ip->args[i].value = psrp_value_new_string(a->arguments[i]);
    psr_psrp_script_pipeline(&ip->pipeline, &ip->command, script, ip->args, a->n_arguments);
    return 0;
}

static void free_pipeline(invoke_pipeline *ip, const invoke_args *a)
{
    for (size_t i = 0; i < a->n_arguments; i++)
        psrp_value_free(ip->args[i].value);
    free(ip->args);
}

static int run_invoke(psr_cli_conn *cc, const invoke_args *a, const char *script,
                      psrp_value **input, size_t n_input, int interrupt_fd)
{
    psr_error err;
    psr_psrp_session *session = NULL;
    if (psr_psrp_session_open(&session, &cc->conn, a->configuration_name, &err) != 0) {
        fprintf(stderr, "psremote: %s\n", err.message);
        return exit_for_error(&err);
    }
    const char *host = psr_psrp_session_host(session);
    psr_render_options ro = {
        .format = a->format,
        .out = stdout,
        .err = stderr,
        .progress_tty = isatty(STDERR_FILENO),
        .computer_name = a->hide_computer_name ? NULL : host,
    };
    invoke_run run = {.render = psr_render_new(&ro)};
    psr_cli_host_init(&run.host, run.render, session);

    invoke_pipeline ip;
    int built = make_pipeline(a, script, &ip);
    psrp_command_arg *args = built ? NULL : ip.args;
    psrp_msg_create_pipeline pipeline = ip.pipeline;
    psr_psrp_invocation inv = {
        .pipeline = &pipeline,
        .input = input,
        .n_input = n_input,
        .on_event = on_event,
        .ctx = &run,
    };

    stopper st = {.session = session, .stop_pipe = {-1, -1}, .interrupt_fd = interrupt_fd};
    pthread_t thread;
    int have_thread = pipe(st.stop_pipe) == 0 && pthread_create(&thread, NULL, stop_thread, &st) == 0;
    int32_t state = PSRP_PIPELINE_FAILED;
    int status;
    if (!args) {
        fprintf(stderr, "psremote: out of memory\n");
        status = PSR_CLI_FAILURE;
    } else if (psr_psrp_session_invoke(session, &inv, &state, &err) != 0) {
        fprintf(stderr, "psremote: %s\n", err.message);
        status = exit_for_error(&err);
    } else if (state != PSRP_PIPELINE_COMPLETED) {
        status = EXIT_PIPELINE_FAILED;
    } else {
        status = run.error_records ? EXIT_ERROR_RECORDS : 0;
    }
    if (have_thread) {
        if (write(st.stop_pipe[1], "x", 1) < 0)
            fprintf(stderr, "psremote: cannot stop the signal thread\n");
        pthread_join(thread, NULL);
    }
    for (int i = 0; i < 2; i++)
        if (st.stop_pipe[i] >= 0)
            close(st.stop_pipe[i]);
    if (!built)
        free_pipeline(&ip, a);
    psr_render_free(run.render);
    if (psr_psrp_session_close(session, &err) != 0) {
        fprintf(stderr, "psremote: closing the session: %s\n", err.message);
        if (status == 0)
            status = EXIT_CONNECTION;
    }
    return status;
}

int psr_cli_invoke(int argc, char **argv)
{
    psr_cli_conn cc;
    psr_cli_conn_init(&cc);
    invoke_args a = {0};
    psr_buf script = {0};
    psrp_value **input = NULL;
    size_t n_input = 0;
    int status = PSR_CLI_USAGE;

    int prc = parse_invoke_args(argc, argv, &cc, &a);
    if (prc) {
        status = prc == PSR_CLI_HELP_SHOWN ? 0 : prc;
        goto out;
    }
    if (a.script_file ? read_file(a.script_file, &script) != 0
                      : psr_buf_puts(&script, a.script) != 0)
        goto out;
    if (a.input_file && read_input_lines(a.input_file, &input, &n_input) != 0)
        goto out;
    if (a.input_json_file) {
        psr_buf text = {0};
        psr_error jerr;
        int bad = read_file(a.input_json_file, &text) != 0;
        if (!bad && psrp_json_input_read(text.data, text.len, &input, &n_input, &jerr) != 0) {
            fprintf(stderr, "psremote: %s: %s\n", a.input_json_file, jerr.message);
            bad = 1;
        }
        psr_buf_free(&text);
        if (bad)
            goto out;
    }
    psr_error err;
    if (psr_cli_conn_finish(&cc, &err) != 0) {
        fprintf(stderr, "psremote: %s\n", err.message);
        goto out;
    }
    if (cc.hosts.n > 1 && n_input) {
        fprintf(stderr, "psremote: --input and --input-json are not sent to several computers "
                        "yet; run invoke once per computer\n");
        status = PSR_CLI_USAGE;
        goto out;
    }
    if (cc.hosts.n > 1) {
        invoke_pipeline ip;
        if (make_pipeline(&a, script.data, &ip) != 0) {
            fputs("psremote: out of memory\n", stderr);
            status = PSR_CLI_FAILURE;
            goto out;
        }
        status = psr_cli_invoke_many(&cc, &ip.pipeline, a.configuration_name, a.format,
                                     a.hide_computer_name);
        free_pipeline(&ip, &a);
        goto out;
    }
    int interrupt_fd = psr_cli_interrupt_install();
    if (interrupt_fd < 0) {
        fprintf(stderr, "psremote: cannot create a pipe: %s\n", strerror(errno));
        status = PSR_CLI_FAILURE;
        goto out;
    }
    status = run_invoke(&cc, &a, script.data, input, n_input, interrupt_fd);
out:
    for (size_t i = 0; i < n_input; i++)
        psrp_value_free(input[i]);
    free(input);
    free(a.arguments);
    psr_buf_free(&script);
    psr_cli_conn_free(&cc);
    return status;
}
