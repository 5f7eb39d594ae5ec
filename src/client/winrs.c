/* winrs.c: the WinRS client (see include/psremote/winrs.h).
 *
 * Each shell has a main transport for Create/Command/Receive/Delete and,
 * with PSR_WINRS_CONTROL_CHANNEL, a second one for Send and Signal, so that
 * stdin and Ctrl+C reach the server while a Receive is long-polling. */
#include "psremote/winrs.h"

#include "src/client/transport.h"
#include "wsman/wsman.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct psr_winrs_shell {
    psr_transport *main;
    psr_transport *control; /* NULL without PSR_WINRS_CONTROL_CHANNEL */
    char *shell_id;
};

struct psr_winrs_command {
    psr_winrs_shell *shell;
    char *command_id;
};

static int nomem(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

static psr_transport *control_of(psr_winrs_shell *s)
{
    return s->control ? s->control : s->main;
}

static int expect_kind(psr_transport *t, const wsman_response *r, wsman_response_kind kind,
                       const char *what, psr_error *err)
{
    if (r->kind == kind)
        return 0;
    return psr_error_set(err, PSR_E_PROTOCOL,
                         "%s: the server answered %s with an unexpected message (action %s)",
                         psr_transport_host(t), what, r->action ? r->action : "none");
}

int psr_winrs_shell_open(psr_winrs_shell **out, const psr_connection_options *conn,
                         const psr_winrs_shell_options *opts, psr_error *err)
{
    *out = NULL;
    psr_winrs_shell_options none = {0};
    if (!opts)
        opts = &none;
    psr_winrs_shell *s = calloc(1, sizeof(*s));
    if (!s)
        return nomem(err);
    int rc = psr_transport_new(&s->main, conn, err);
    if (rc)
        goto fail;

    char codepage[16];
    snprintf(codepage, sizeof(codepage), "%u", opts->codepage ? opts->codepage : 65001u);
    wsman_option options[] = {
        {"WINRS_NOPROFILE", conn->no_machine_profile ? "TRUE" : "FALSE", 0},
        {"WINRS_CODEPAGE", codepage, 0},
    };
    wsman_env_var *env = NULL;
    if (opts->n_env) {
        env = calloc(opts->n_env, sizeof(*env));
        if (!env) {
            rc = nomem(err);
            goto fail;
        }
        for (size_t i = 0; i < opts->n_env; i++) {
            env[i].name = opts->env[i].name;
            env[i].value = opts->env[i].value;
        }
    }
    wsman_shell_spec spec = {
        .input_streams = "stdin",
        .output_streams = "stdout stderr",
        .working_directory = opts->working_directory,
        .env = env,
        .n_env = opts->n_env,
        .idle_timeout_s = conn->idle_timeout_ms > 0 ? (uint32_t)conn->idle_timeout_ms / 1000u : 0,
    };
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    psr_transport_header(s->main, &h, WSMAN_RESOURCE_CMD, NULL, msgid);
    h.options = options;
    h.n_options = sizeof(options) / sizeof(options[0]);
    psr_buf env_xml = {0};
    wsman_response r = {0};
    rc = wsman_build_create_shell(&env_xml, &h, &spec);
    free(env);
    if (rc) {
        psr_buf_free(&env_xml);
        rc = nomem(err);
        goto fail;
    }
    rc = psr_transport_call(s->main, &env_xml, &r, err);
    psr_buf_free(&env_xml);
    if (!rc)
        rc = expect_kind(s->main, &r, WSMAN_RESP_CREATE, "Create", err);
    if (!rc && !r.shell_id)
        rc = psr_error_set(err, PSR_E_PROTOCOL, "%s: the Create response carries no ShellId",
                           psr_transport_host(s->main));
    if (!rc) {
        s->shell_id = strdup(r.shell_id);
        if (!s->shell_id)
            rc = nomem(err);
    }
    wsman_response_clear(&r);
    /* The control channel goes where the shell is, after any redirect. */
    if (!rc && (opts->flags & PSR_WINRS_CONTROL_CHANNEL))
        rc = psr_transport_new_like(&s->control, s->main, err);
    if (rc)
        goto fail;
    *out = s;
    return 0;
fail:
    psr_winrs_shell_free(s);
    return rc;
}

const char *psr_winrs_shell_id(const psr_winrs_shell *shell)
{
    return shell->shell_id;
}

void psr_winrs_shell_free(psr_winrs_shell *s)
{
    if (!s)
        return;
    psr_transport_free(s->main);
    psr_transport_free(s->control);
    free(s->shell_id);
    free(s);
}

/* Builds with the given builder's result in env_xml, posts it on t and checks
 * the reply kind. Frees env_xml. */
static int round_trip(psr_transport *t, psr_buf *env_xml, int build_rc, wsman_response *r,
                      wsman_response_kind kind, const char *what, psr_error *err)
{
    int rc = build_rc ? nomem(err) : psr_transport_call(t, env_xml, r, err);
    psr_buf_free(env_xml);
    if (!rc)
        rc = expect_kind(t, r, kind, what, err);
    return rc;
}

int psr_winrs_shell_close(psr_winrs_shell *s, psr_error *err)
{
    if (!s)
        return 0;
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    psr_transport_header(s->main, &h, WSMAN_RESOURCE_CMD, s->shell_id, msgid);
    psr_buf env_xml = {0};
    wsman_response r = {0};
    int rc = round_trip(s->main, &env_xml, wsman_build_delete_shell(&env_xml, &h), &r,
                        WSMAN_RESP_DELETE, "Delete", err);
    wsman_response_clear(&r);
    psr_winrs_shell_free(s);
    return rc;
}

int psr_winrs_command_start(psr_winrs_shell *s, const char *command,
                            const char *const *args, size_t n_args,
                            psr_winrs_command **out, psr_error *err)
{
    *out = NULL;
    wsman_option options[] = {
        {"WINRS_CONSOLEMODE_STDIN", "TRUE", 0},
        {"WINRS_SKIP_CMD_SHELL", "FALSE", 0},
    };
    wsman_command_spec spec = {.command = command, .arguments = args, .n_arguments = n_args};
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    psr_transport_header(s->main, &h, WSMAN_RESOURCE_CMD, s->shell_id, msgid);
    h.options = options;
    h.n_options = sizeof(options) / sizeof(options[0]);
    psr_buf env_xml = {0};
    wsman_response r = {0};
    int rc = round_trip(s->main, &env_xml, wsman_build_command(&env_xml, &h, &spec), &r,
                        WSMAN_RESP_COMMAND, "Command", err);
    if (!rc && !r.command_id)
        rc = psr_error_set(err, PSR_E_PROTOCOL, "%s: the Command response carries no CommandId",
                           psr_transport_host(s->main));
    psr_winrs_command *c = NULL;
    if (!rc) {
        c = calloc(1, sizeof(*c));
        if (c)
            c->command_id = strdup(r.command_id);
        if (!c || !c->command_id) {
            free(c);
            c = NULL;
            rc = nomem(err);
        }
    }
    wsman_response_clear(&r);
    if (rc)
        return rc;
    c->shell = s;
    *out = c;
    return 0;
}

int psr_winrs_command_send(psr_winrs_command *c, const void *data, size_t len, int end,
                           psr_error *err)
{
    psr_transport *t = control_of(c->shell);
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    psr_transport_header(t, &h, WSMAN_RESOURCE_CMD, c->shell->shell_id, msgid);
    psr_buf env_xml = {0};
    wsman_response r = {0};
    int rc = round_trip(t, &env_xml,
                        wsman_build_send(&env_xml, &h, c->command_id, "stdin", data, len, end),
                        &r, WSMAN_RESP_SEND, "Send", err);
    wsman_response_clear(&r);
    return rc;
}

int psr_winrs_command_signal(psr_winrs_command *c, const char *code, psr_error *err)
{
    psr_transport *t = control_of(c->shell);
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    psr_transport_header(t, &h, WSMAN_RESOURCE_CMD, c->shell->shell_id, msgid);
    psr_buf env_xml = {0};
    wsman_response r = {0};
    int rc = round_trip(t, &env_xml, wsman_build_signal(&env_xml, &h, c->command_id, code),
                        &r, WSMAN_RESP_SIGNAL, "Signal", err);
    wsman_response_clear(&r);
    return rc;
}

static int deliver_streams(psr_winrs_command *c, const wsman_response *r,
                           psr_winrs_output_fn fn, void *ctx, psr_error *err)
{
    for (size_t i = 0; i < r->n_streams; i++) {
        const wsman_stream_chunk *sc = &r->streams[i];
        if (sc->command_id && strcasecmp(sc->command_id, c->command_id) != 0)
            continue; /* output of another command of this shell */
        psr_winrs_stream which;
        if (strcmp(sc->name, "stdout") == 0)
            which = PSR_WINRS_STDOUT;
        else if (strcmp(sc->name, "stderr") == 0)
            which = PSR_WINRS_STDERR;
        else
            continue;
        if (sc->data.len && fn(ctx, which, sc->data.data, sc->data.len) != 0)
            return psr_error_set(err, PSR_E_CANCELLED, "output handling was stopped");
    }
    return 0;
}

int psr_winrs_command_receive(psr_winrs_command *c, psr_winrs_output_fn fn, void *ctx,
                              int *done, int *exit_code, psr_error *err)
{
    *done = 0;
    psr_transport *t = c->shell->main;
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    psr_transport_header(t, &h, WSMAN_RESOURCE_CMD, c->shell->shell_id, msgid);
    wsman_option options[] = {{"WSMAN_CMDSHELL_OPTION_KEEPALIVE", "TRUE", 0}};
    h.options = options;
    h.n_options = 1;
    psr_buf env_xml = {0};
    wsman_response r = {0};
    int rc = wsman_build_receive(&env_xml, &h, c->command_id, "stdout stderr");
    rc = rc ? nomem(err) : psr_transport_call(t, &env_xml, &r, err);
    psr_buf_free(&env_xml);
    if (rc == PSR_E_FAULT && err && err->wsman_code == WSMAN_CODE_TIMED_OUT) {
        /* No output within OperationTimeout: normal, poll again. */
        psr_error_clear(err);
        rc = 0;
        goto done;
    }
    if (!rc)
        rc = expect_kind(t, &r, WSMAN_RESP_RECEIVE, "Receive", err);
    if (!rc)
        rc = deliver_streams(c, &r, fn, ctx, err);
    if (!rc && r.has_command_state && r.command_state &&
        strcmp(r.command_state, WSMAN_STATE_DONE) == 0) {
        *done = 1;
        *exit_code = r.has_exit_code ? r.exit_code : 0;
    }
done:
    wsman_response_clear(&r);
    return rc;
}

int psr_winrs_command_close(psr_winrs_command *c, psr_error *err)
{
    if (!c)
        return 0;
    /* Windows clients send Terminate even after Done: it releases the
     * command's resources on the server. */
    int rc = psr_winrs_command_signal(c, WSMAN_SIGNAL_TERMINATE, err);
    free(c->command_id);
    free(c);
    return rc;
}
