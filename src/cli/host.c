/* host.c: answering a remote pipeline's host calls (MS-PSRP 2.2.3.17) on the
 * local terminal. Writes go to the renderer; ReadLine and PromptForChoice
 * read /dev/tty, so they work while stdin carries pipeline input; with no
 * terminal the call is answered with an error the script can see, never
 * left waiting. */
#include "src/cli/host.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void psr_cli_host_init(psr_cli_host *h, psr_render *render, psr_psrp_session *session)
{
    h->render = render;
    h->session = session;
}

static const char *last_text(const psrp_msg_host_call *call)
{
    size_t n = psr_psrp_host_param_count(call);
    return n ? psr_psrp_host_param_text(call, n - 1) : "";
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
    psr_error err;
    int rc = psr_psrp_host_refuse(pl, call, why, &err);
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

/* A line typed on the terminal without echo into *line; without a session
 * for a SecureString or without a terminal, *line is NULL and the call is
 * refused (what refuse returns is returned). */
static int read_secret(psr_cli_host *h, psrp_pipeline *pl, const psrp_msg_host_call *call,
                       const char *prompt, char **line)
{
    *line = NULL;
    if (!h->session)
        return refuse(pl, call, "SecureStrings need a session of their own (one computer)");
    *line = read_tty(prompt, 1);
    return *line ? 0 : refuse(pl, call, "there is no terminal to read from");
}

static void forget_secret(char *line)
{
    OPENSSL_cleanse(line, strlen(line));
    free(line);
}

/* ReadLineAsSecureString: a line typed without echo, as a SecureString
 * under the session key. */
static int read_secure_string(psr_cli_host *h, psrp_pipeline *pl, const psrp_msg_host_call *call)
{
    char *line;
    int rc = read_secret(h, pl, call, "", &line);
    if (!line)
        return rc;
    psrp_value *ss = NULL;
    psr_error err;
    rc = psr_psrp_session_secure_string(h->session, line, &ss, &err);
    forget_secret(line);
    return rc ? refuse(pl, call, err.message) : answer(pl, call, ss);
}

/* PromptForCredential(caption, message, userName, targetName...): a
 * PSCredential with the user name typed (or given) and the password as a
 * SecureString. */
static int prompt_for_credential(psr_cli_host *h, psrp_pipeline *pl,
                                 const psrp_msg_host_call *call)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return refuse(pl, call, "there is no terminal to read from");
    fprintf(tty, "%s\n%s\n", psr_psrp_host_param_text(call, 0), psr_psrp_host_param_text(call, 1));
    fclose(tty);
    const char *given = psr_psrp_host_param_text(call, 2);
    char *user = *given ? strdup(given) : read_tty_line("User: ");
    if (!user)
        return refuse(pl, call, "there is no terminal to read from");
    char *password;
    int rc = read_secret(h, pl, call, "Password: ", &password);
    if (!password) {
        free(user);
        return rc;
    }
    psrp_value *cred = NULL;
    psr_error err;
    rc = psr_psrp_host_credential(h->session, user, password, &cred, &err);
    forget_secret(password);
    free(user);
    return rc ? refuse(pl, call, err.message) : answer(pl, call, cred);
}

static void write_record(psr_cli_host *h, int kind, const char *text)
{
    psrp_msg_informational rec = {.message = text};
    psr_render_informational(h->render, kind, &rec);
}

/* A choice's label without its '&' and the hotkey after it ("&Yes": "Yes",
 * 'Y'; no '&': the first letter). */
static void choice_label(const char *label, char *shown, size_t cap, char *hotkey)
{
    size_t n = 0;
    *hotkey = 0;
    for (const char *p = label; *p && n + 1 < cap; p++) {
        if (*p == '&' && p[1] && !*hotkey) {
            *hotkey = p[1];
            continue;
        }
        shown[n++] = *p;
    }
    shown[n] = '\0';
    if (!*hotkey)
        *hotkey = shown[0];
}

/* Which choice an answer names: its hotkey or label (case-insensitive), or
 * its index; -1 for none. */
static long choice_index(const psrp_value *choices, size_t n, const char *answer)
{
    for (size_t i = 0; i < n; i++) {
        const char *label = psrp_object_get_text(choices->u.obj.items[i], "Label");
        char shown[256], hotkey;
        choice_label(label ? label : "", shown, sizeof(shown), &hotkey);
        if ((answer[0] && !answer[1] && toupper((unsigned char)answer[0]) ==
                                            toupper((unsigned char)hotkey)) ||
            strcasecmp(answer, shown) == 0)
            return (long)i;
    }
    char *end;
    long idx = strtol(answer, &end, 10);
    return end != answer && !*end && idx >= 0 && (size_t)idx < n ? idx : -1;
}

/* PromptForChoice(caption, message, choices, defaultChoice): choices are
 * ChoiceDescription objects with a Label like "&Yes". Asked as PowerShell's
 * console asks, "[Y] Yes  [N] No  [?] Help (default is "Y"): "; the answer
 * is a hotkey, a label or an index, "?" lists the help texts, an empty line
 * takes the default. Returns the index. */
static int prompt_for_choice(psrp_pipeline *pl, const psrp_msg_host_call *call)
{
    const psrp_value *choices = psr_psrp_host_param(call, 2);
    size_t n = choices && choices->kind == PSRP_V_OBJECT ? choices->u.obj.n_items : 0;
    int64_t def = -1;
    psrp_value_get_i64(psr_psrp_host_param(call, 3), &def);
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty || n == 0) {
        if (tty)
            fclose(tty);
        return refuse(pl, call, n ? "there is no terminal to ask on" : "no choices were given");
    }
    psr_buf line = {0};
    for (size_t i = 0; i < n; i++) {
        const char *label = psrp_object_get_text(choices->u.obj.items[i], "Label");
        char shown[256], hotkey;
        choice_label(label ? label : "", shown, sizeof(shown), &hotkey);
        psr_buf_printf(&line, "[%c] %s  ", hotkey, shown);
    }
    psr_buf_puts(&line, "[?] Help");
    if (def >= 0 && (size_t)def < n) {
        char shown[256], hotkey;
        const char *label = psrp_object_get_text(choices->u.obj.items[def], "Label");
        choice_label(label ? label : "", shown, sizeof(shown), &hotkey);
        psr_buf_printf(&line, " (default is \"%c\")", hotkey);
    }
    psr_buf_puts(&line, ": ");
    fprintf(tty, "%s\n%s\n", psr_psrp_host_param_text(call, 0), psr_psrp_host_param_text(call, 1));
    fclose(tty);
    long idx = -1;
    for (int tries = 0; tries < 10 && idx < 0; tries++) {
        char *answer = read_tty_line(line.data);
        if (!answer) {
            psr_buf_free(&line);
            return refuse(pl, call, "there is no terminal to ask on");
        }
        if (!*answer) {
            idx = def >= 0 && (size_t)def < n ? (long)def : -1;
        } else if (strcmp(answer, "?") == 0) {
            if ((tty = fopen("/dev/tty", "r+")) != NULL) {
                for (size_t i = 0; i < n; i++) {
                    const psrp_value *c = choices->u.obj.items[i];
                    const char *label = psrp_object_get_text(c, "Label");
                    const char *help = psrp_object_get_text(c, "HelpMessage");
                    char shown[256], hotkey;
                    choice_label(label ? label : "", shown, sizeof(shown), &hotkey);
                    fprintf(tty, "%c - %s\n", hotkey, help && *help ? help : shown);
                }
                fclose(tty);
            }
        } else {
            idx = choice_index(choices, n, answer);
        }
        free(answer);
    }
    psr_buf_free(&line);
    if (idx < 0)
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
        return read_secure_string(h, pl, call);
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
