/* host.c: answering a remote pipeline's host calls (MS-PSRP 2.2.3.17) on the
 * local terminal. Writes go to the renderer; ReadLine and PromptForChoice
 * read /dev/tty, so they work while stdin carries pipeline input; with no
 * terminal the call is answered with an error the script can see, never
 * left waiting. */
#include "src/cli/host.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>

void psr_cli_host_init(psr_cli_host *h, psr_render *render, psr_psrp_session *session)
{
    h->render = render;
    h->session = session;
}

/* The i-th parameter of the call (a list), or NULL. */
static const psrp_value *param(const psrp_msg_host_call *call, size_t i)
{
    const psrp_value *p = call->params;
    if (!p || p->kind != PSRP_V_OBJECT || i >= p->u.obj.n_items)
        return NULL;
    return p->u.obj.items[i];
}

static size_t n_params(const psrp_msg_host_call *call)
{
    const psrp_value *p = call->params;
    return p && p->kind == PSRP_V_OBJECT ? p->u.obj.n_items : 0;
}

/* Text of a parameter: its text, or the ToString of an object. */
static const char *param_text(const psrp_msg_host_call *call, size_t i)
{
    const psrp_value *v = param(call, i);
    if (!v)
        return "";
    const char *t = psrp_value_text(v);
    if (t)
        return t;
    if (v->kind == PSRP_V_OBJECT && v->u.obj.to_string)
        return v->u.obj.to_string;
    return "";
}

static const char *last_text(const psrp_msg_host_call *call)
{
    size_t n = n_params(call);
    return n ? param_text(call, n - 1) : "";
}

static int answer(psrp_pipeline *pl, const psrp_msg_host_call *call, psrp_value *result)
{
    psr_error err;
    int rc = psrp_pipeline_host_respond(pl, call->ci, call->method_id, result, NULL, &err);
    psrp_value_free(result);
    if (rc)
        fprintf(stderr, "psremote: answering the host call %s: %s\n", call->method_name, err.message);
    return rc;
}

static int refuse(psrp_pipeline *pl, const psrp_msg_host_call *call, const char *why)
{
    char message[512];
    snprintf(message, sizeof(message), "psremote cannot answer the host call %s: %s",
             call->method_name ? call->method_name : "?", why);
    psrp_error_record_spec spec = {
        .message = message,
        .exception_type = "System.Management.Automation.Host.HostException",
        .fully_qualified_error_id = "HostFunctionNotImplemented",
        .category = 16, /* NotImplemented */
    };
    psr_error err;
    int rc = psrp_pipeline_host_respond(pl, call->ci, call->method_id, NULL, &spec, &err);
    if (rc)
        fprintf(stderr, "psremote: answering the host call: %s\n", err.message);
    return rc;
}

/* Reads one line from the terminal (without echo for secrets); NULL when
 * there is none. */
static char *read_tty(const char *prompt, int secret)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return NULL;
    /* Unbuffered: a line typed ahead for the next question must stay in
     * the terminal, not in this FILE's buffer. */
    setvbuf(tty, NULL, _IONBF, 0);
    if (prompt && *prompt)
        fputs(prompt, tty);
    struct termios old, quiet;
    int restore = secret && tcgetattr(fileno(tty), &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
        tcsetattr(fileno(tty), TCSANOW, &quiet); /* keep what was typed ahead */
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, tty);
    if (restore) {
        tcsetattr(fileno(tty), TCSANOW, &old);
        fputc('\n', tty);
    }
    fclose(tty);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

static char *read_tty_line(const char *prompt)
{
    return read_tty(prompt, 0);
}

/* A secret typed on the terminal, as a SecureString under the session key. */
static int answer_secret(psr_cli_host *h, psrp_pipeline *pl, const psrp_msg_host_call *call,
                         const char *prompt, psrp_value **out)
{
    if (!h->session)
        return refuse(pl, call, "SecureStrings need a session of their own (one computer)");
    char *line = read_tty(prompt, 1);
    if (!line)
        return refuse(pl, call, "there is no terminal to read from");
    psr_error err;
    int rc = psr_psrp_session_secure_string(h->session, line, out, &err);
    OPENSSL_cleanse(line, strlen(line));
    free(line);
    if (rc)
        return refuse(pl, call, err.message);
    return 0;
}

/* PromptForCredential(caption, message, userName, targetName...): a
 * PSCredential with the user name typed (or given) and the password as a
 * SecureString. */
static int prompt_for_credential(psr_cli_host *h, psrp_pipeline *pl,
                                 const psrp_msg_host_call *call)
{
    static const char *const types[] = {"System.Management.Automation.PSCredential",
                                        "System.Object", NULL};
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return refuse(pl, call, "there is no terminal to read from");
    fprintf(tty, "%s\n%s\n", param_text(call, 0), param_text(call, 1));
    fclose(tty);
    const char *given = param_text(call, 2);
    char *user = *given ? strdup(given) : read_tty_line("User: ");
    if (!user)
        return refuse(pl, call, "there is no terminal to read from");
    psrp_value *password = NULL;
    int rc = answer_secret(h, pl, call, "Password: ", &password);
    if (rc || !password) {
        free(user);
        return rc;
    }
    psrp_value *cred = psrp_value_new_object(types);
    if (!cred || psrp_object_add_adapted(cred, "UserName", psrp_value_new_string(user)) ||
        psrp_object_add_adapted(cred, "Password", password)) {
        free(user);
        psrp_value_free(cred);
        return refuse(pl, call, "out of memory");
    }
    free(user);
    return answer(pl, call, cred);
}

static void write_record(psr_cli_host *h, int kind, const char *text)
{
    psrp_msg_informational rec = {.message = text};
    psr_render_informational(h->render, kind, &rec);
}

/* PromptForChoice(caption, message, choices, defaultChoice): choices are
 * ChoiceDescription objects with a Label like "&Yes". Returns the index. */
static int prompt_for_choice(psrp_pipeline *pl, const psrp_msg_host_call *call)
{
    const psrp_value *choices = param(call, 2);
    size_t n = choices && choices->kind == PSRP_V_OBJECT ? choices->u.obj.n_items : 0;
    int64_t def = -1;
    psrp_value_get_i64(param(call, 3), &def);
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty || n == 0) {
        if (tty)
            fclose(tty);
        return refuse(pl, call, "there is no terminal to ask on");
    }
    fprintf(tty, "%s\n%s\n", param_text(call, 0), param_text(call, 1));
    for (size_t i = 0; i < n; i++) {
        const char *label = psrp_object_get_text(choices->u.obj.items[i], "Label");
        fprintf(tty, "  [%zu] %s%s\n", i, label ? label : "?", (int64_t)i == def ? " (default)" : "");
    }
    fclose(tty);
    char *line = read_tty_line("Choice: ");
    if (!line)
        return refuse(pl, call, "there is no terminal to ask on");
    char *end;
    long idx = *line ? strtol(line, &end, 10) : def;
    int bad = *line && (*end || idx < 0 || (size_t)idx >= n);
    free(line);
    if (bad || idx < 0)
        return refuse(pl, call, "the answer is not one of the choices");
    return answer(pl, call, psrp_value_new_i32((int32_t)idx));
}

int psr_cli_host_call(psr_cli_host *h, psrp_pipeline *pl, const psrp_msg_host_call *call)
{
    const char *m = call->method_name ? call->method_name : "";
    if (!strcmp(m, "Write1") || !strcmp(m, "Write2")) {
        psr_render_host_write(h->render, last_text(call), 0, 0);
    } else if (!strcmp(m, "WriteLine1")) {
        psr_render_host_write(h->render, "", 1, 0);
    } else if (!strcmp(m, "WriteLine2") || !strcmp(m, "WriteLine3")) {
        psr_render_host_write(h->render, last_text(call), 1, 0);
    } else if (!strcmp(m, "WriteErrorLine")) {
        psr_render_host_write(h->render, last_text(call), 1, 1);
    } else if (!strcmp(m, "WriteDebugLine")) {
        write_record(h, PSRP_PIPELINE_EV_DEBUG, last_text(call));
    } else if (!strcmp(m, "WriteVerboseLine")) {
        write_record(h, PSRP_PIPELINE_EV_VERBOSE, last_text(call));
    } else if (!strcmp(m, "WriteWarningLine")) {
        write_record(h, PSRP_PIPELINE_EV_WARNING, last_text(call));
    } else if (!strcmp(m, "ReadLine")) {
        char *line = read_tty_line("");
        if (!line)
            return refuse(pl, call, "there is no terminal to read from");
        int rc = answer(pl, call, psrp_value_new_string(line));
        free(line);
        return rc;
    } else if (!strcmp(m, "ReadLineAsSecureString")) {
        psrp_value *ss = NULL;
        int rc = answer_secret(h, pl, call, "", &ss);
        return rc || !ss ? rc : answer(pl, call, ss);
    } else if (!strcmp(m, "PromptForCredential1") || !strcmp(m, "PromptForCredential2")) {
        return prompt_for_credential(h, pl, call);
    } else if (!strcmp(m, "PromptForChoice")) {
        return prompt_for_choice(pl, call);
    } else if (call->ci != PSRP_HOST_CALL_VOID_CI) {
        return refuse(pl, call, "this host method is not supported by psremote yet");
    }
    /* Void calls (writes, SetShouldExit, WriteProgress...) expect no answer. */
    return 0;
}

int psr_cli_host_event(psr_cli_host *h, size_t *error_records, psrp_pipeline *pl,
                       const psrp_pipeline_event *ev)
{
    switch (ev->kind) {
    case PSRP_PIPELINE_EV_OUTPUT: psr_render_output(h->render, ev->u.output); break;
    case PSRP_PIPELINE_EV_ERROR:
        (*error_records)++;
        psr_render_error(h->render, &ev->u.error);
        break;
    case PSRP_PIPELINE_EV_DEBUG:
    case PSRP_PIPELINE_EV_VERBOSE:
    case PSRP_PIPELINE_EV_WARNING:
        psr_render_informational(h->render, ev->kind, &ev->u.record);
        break;
    case PSRP_PIPELINE_EV_INFORMATION: psr_render_information(h->render, &ev->u.information); break;
    case PSRP_PIPELINE_EV_PROGRESS: psr_render_progress(h->render, &ev->u.progress); break;
    case PSRP_PIPELINE_EV_HOST_CALL: return psr_cli_host_call(h, pl, &ev->u.host_call);
    case PSRP_PIPELINE_EV_STATE:
        if (ev->u.state.has_error)
            psr_render_error(h->render, &ev->u.state.error);
        break;
    }
    return 0;
}
