/* fanout_winrs.c: the WinRS protocol of the fan-out engine (see fanout.h):
 * Create -> Command -> Receive... -> Delete, with a Signal Terminate first
 * when the command is stopped before it is Done. */
#include "src/client/fanout_engine.h"

#include <stdlib.h>
#include <string.h>

enum { W_CREATE, W_COMMAND, W_RECEIVE, W_SIGNAL, W_DELETE };

typedef struct winrs_job {
    char *command_id;
} winrs_job;

static int start(fanout *f, host_job *j, psr_error *err)
{
    (void)f;
    if (!(j->proto = calloc(1, sizeof(winrs_job))))
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    j->resource_uri = WSMAN_RESOURCE_CMD;
    j->step = W_CREATE;
    return 0;
}

static int build(fanout *f, host_job *j, psr_error *err)
{
    const psr_fanout_command *cmd = f->work;
    winrs_job *w = j->proto;
    wsman_request_header h;
    char msgid[PSR_MESSAGE_ID_LEN];
    fanout_header(j, &h, msgid);
    psr_buf_reset(&j->envelope);
    int rc = PSR_E_STATE;
    switch (j->step) {
    case W_CREATE: {
        wsman_option options[] = {
            {"WINRS_NOPROFILE", j->conn->no_machine_profile ? "TRUE" : "FALSE", 0},
            {"WINRS_CODEPAGE", "65001", 0},
        };
        h.options = options;
        h.n_options = 2;
        wsman_env_var *env = cmd->n_env ? calloc(cmd->n_env, sizeof(*env)) : NULL;
        if (cmd->n_env && !env)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        for (size_t i = 0; i < cmd->n_env; i++)
            env[i] = (wsman_env_var){cmd->env[i].name, cmd->env[i].value};
        wsman_shell_spec spec = {
            .input_streams = "stdin",
            .output_streams = "stdout stderr",
            .working_directory = cmd->working_directory,
            .env = env,
            .n_env = cmd->n_env,
            .idle_timeout_s = j->conn->idle_timeout_ms > 0
                                  ? (uint32_t)j->conn->idle_timeout_ms / 1000u
                                  : 0,
        };
        rc = wsman_build_create_shell(&j->envelope, &h, &spec);
        free(env);
        break;
    }
    case W_COMMAND: {
        wsman_option options[] = {
            {"WINRS_CONSOLEMODE_STDIN", "TRUE", 0},
            {"WINRS_SKIP_CMD_SHELL", "FALSE", 0},
        };
        h.options = options;
        h.n_options = 2;
        wsman_command_spec spec = {
            .command = cmd->command,
            .arguments = cmd->arguments,
            .n_arguments = cmd->n_arguments,
        };
        rc = wsman_build_command(&j->envelope, &h, &spec);
        break;
    }
    case W_RECEIVE: {
        wsman_option options[] = {{"WSMAN_CMDSHELL_OPTION_KEEPALIVE", "TRUE", 0}};
        h.options = options;
        h.n_options = 1;
        j->waiting = 1;
        rc = wsman_build_receive(&j->envelope, &h, w->command_id, "stdout stderr");
        break;
    }
    case W_SIGNAL:
        rc = wsman_build_signal(&j->envelope, &h, w->command_id, WSMAN_SIGNAL_TERMINATE);
        break;
    case W_DELETE:
        j->last_envelope = 1;
        rc = wsman_build_delete_shell(&j->envelope, &h);
        break;
    }
    return rc ? psr_error_set(err, rc == PSR_E_NOMEM ? PSR_E_NOMEM : rc, "building a request")
              : 0;
}

/* After a failure: delete the shell if there is one (once). */
static int clean_up(host_job *j)
{
    return j->shell_id && j->step < W_DELETE ? W_DELETE : FANOUT_DONE;
}

static int on_reply(fanout *f, host_job *j, int rc, const psr_error *err, const wsman_response *r)
{
    winrs_job *w = j->proto;
    if (rc == PSR_E_FAULT && j->step == W_RECEIVE && err->wsman_code == WSMAN_CODE_TIMED_OUT)
        return f->stopping ? W_SIGNAL : W_RECEIVE; /* no output yet: poll again */
    if (rc) {
        if (j->failed) /* cleaning up after an earlier error: keep that one */
            return j->step == W_SIGNAL ? W_DELETE : FANOUT_DONE;
        j->failed = 1;
        j->err = *err;
        return clean_up(j);
    }
    switch (j->step) {
    case W_CREATE:
        if (!r->shell_id || !(j->shell_id = strdup(r->shell_id))) {
            j->failed = 1;
            psr_error_set(&j->err, PSR_E_PROTOCOL, "%s: the Create response carries no ShellId",
                          j->host);
            return FANOUT_DONE;
        }
        return f->stopping ? W_DELETE : W_COMMAND;
    case W_COMMAND:
        if (!r->command_id || !(w->command_id = strdup(r->command_id))) {
            j->failed = 1;
            psr_error_set(&j->err, PSR_E_PROTOCOL, "%s: the Command response carries no CommandId",
                          j->host);
            return clean_up(j);
        }
        return f->stopping ? W_SIGNAL : W_RECEIVE;
    case W_RECEIVE:
        for (size_t i = 0; i < r->n_streams; i++) {
            const wsman_stream_chunk *c = &r->streams[i];
            if (c->data.len && f->cb->on_output)
                f->cb->on_output(f->ctx, j->index,
                                 strcmp(c->name, "stderr") == 0 ? PSR_FANOUT_STDERR
                                                                 : PSR_FANOUT_STDOUT,
                                 c->data.data, c->data.len);
        }
        if (r->has_command_state && r->command_state &&
            strcmp(r->command_state, WSMAN_STATE_DONE) == 0) {
            j->exit_code = r->has_exit_code ? r->exit_code : 0;
            /* Deleting the shell ends everything in it: no Terminate
             * signal needed, one round trip fewer per host. */
            return W_DELETE;
        }
        return f->stopping ? W_SIGNAL : W_RECEIVE;
    case W_SIGNAL: return W_DELETE;
    case W_DELETE: return FANOUT_DONE;
    }
    return FANOUT_DONE;
}

static int on_stop(fanout *f, host_job *j)
{
    (void)f;
    winrs_job *w = j->proto;
    return w->command_id ? W_SIGNAL : clean_up(j);
}

static void release(host_job *j)
{
    winrs_job *w = j->proto;
    if (w)
        free(w->command_id);
    free(w);
    j->proto = NULL;
}

static const fanout_protocol winrs_protocol = {start, build, on_reply, on_stop, release};

int psr_fanout_run_winrs(const psr_connection_options *conns, size_t n, unsigned throttle,
                         const psr_fanout_command *cmd, const psr_fanout_callbacks *cb,
                         void *ctx, int interrupt_fd, psr_error *err)
{
    return fanout_run(&winrs_protocol, cmd, conns, n, throttle, cb, ctx, interrupt_fd, err);
}
