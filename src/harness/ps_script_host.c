/* ps_script_host.c: the commands of the harness's simulated PowerShell
 * that wait on the client (see ps_script.h): Read-Host, Get-Credential,
 * PromptForChoice (host calls), SecureStrings under the session key, and the
 * fault hooks Harness-BreakRunspacePool and Harness-IgnoreStop. */
#include "src/harness/ps_script_internal.h"

#include "common/base64.h"
#include "psrp/session_key.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CHOICES 16

/* A host command in a run without that host method: PowerShell's answer to
 * a command it does not have. */
static int not_found(ps_run *r, const char *name)
{
    return r->emit(r->ctx, PS_EV_NOT_FOUND, NULL, name);
}

/* ConvertFrom-SecureString $v -AsPlainText (PowerShell 7's form). */
int ps_cmd_convert_from_secure_string(ps_run *r, const char *arg)
{
    while (isspace((unsigned char)*arg))
        arg++;
    const psrp_value *v = arg[0] == '$' ? ps_lookup(r, arg + 1, ps_path_len(arg + 1)) : NULL;
    if (!v || v->kind != PSRP_V_SECURESTRING)
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "Cannot bind parameter 'SecureString': the value is not a SecureString.");
    if (!r->st || !r->st->have_session_key)
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "The SecureString cannot be decrypted: no session key was exchanged.");
    psr_buf cipher = {0}, plain = {0};
    psr_error err;
    const char *b64 = psrp_value_text(v);
    int rc = psr_base64_decode(&cipher, b64, strlen(b64)) != 0 ||
             psrp_securestring_decrypt(r->st->session_key, cipher.data, cipher.len, &plain, &err)
                 ? r->emit(r->ctx, PS_EV_ERROR, NULL, "The SecureString does not decrypt.")
                 : ps_emit_value(r, psrp_value_new_stringn(plain.data ? plain.data : "", plain.len));
    psr_buf_free(&cipher);
    psr_buf_free(&plain);
    return rc;
}

/* What a host call gave: the answer as output, the host's refusal as an
 * error record, or stop (2). Takes v and error. */
static int host_answer(ps_run *r, psrp_value *v, int stopped, char *error)
{
    if (stopped) {
        psrp_value_free(v);
        free(error);
        return 2;
    }
    if (!v) {
        int rc = r->emit(r->ctx, PS_EV_ERROR, NULL, error ? error : "the host did not answer");
        free(error);
        return rc;
    }
    free(error);
    return ps_emit_value(r, v);
}

int ps_cmd_get_credential(ps_run *r, const char *arg)
{
    if (!r->host || !r->host->prompt_credential)
        return not_found(r, "Get-Credential");
    psr_buf user = {0};
    ps_argument_text(r, arg, &user);
    int stopped = 0;
    char *error = NULL;
    psrp_value *v = r->host->prompt_credential(r->host->ctx, user.data ? user.data : "",
                                               &stopped, &error);
    psr_buf_free(&user);
    return host_answer(r, v, stopped, error);
}

int ps_cmd_read_host(ps_run *r, const char *arg)
{
    if (!r->host || !r->host->read_line)
        return not_found(r, "Read-Host");
    while (isspace((unsigned char)*arg))
        arg++;
    int secure = strncasecmp(arg, "-AsSecureString", 15) == 0;
    if (secure)
        arg += 15;
    while (isspace((unsigned char)*arg))
        arg++;
    if (strncasecmp(arg, "-Prompt", 7) == 0)
        arg += 7;
    psr_buf prompt = {0};
    ps_argument_text(r, arg, &prompt);
    int stopped = 0;
    char *error = NULL;
    psrp_value *v = r->host->read_line(r->host->ctx, prompt.data ? prompt.data : "", secure,
                                       &stopped, &error);
    psr_buf_free(&prompt);
    return host_answer(r, v, stopped, error);
}

/* ConvertTo-SecureString TEXT -AsPlainText [-Force]: a SecureString as
 * the harness keeps them, encrypted under the session key; without a key
 * the client is asked for one first (the server side of the exchange). */
int ps_cmd_convert_to_secure_string(ps_run *r, const char *arg)
{
    psr_buf text = {0}, copy = {0};
    int plain = 0;
    /* drop the switches, keep the value */
    for (const char *p = arg; *p;) {
        size_t ws = strspn(p, " \t");
        const char *w = p + ws;
        size_t n = strcspn(w, " \t");
        if (*w == '-' && ((n == 12 && strncasecmp(w, "-AsPlainText", 12) == 0) ||
                          (n == 6 && strncasecmp(w, "-Force", 6) == 0))) {
            plain |= n == 12;
        } else if (*w == '\'' || *w == '"') { /* a quoted value may hold spaces */
            const char *end = strchr(w + 1, *w);
            n = end ? (size_t)(end - w) + 1 : strlen(w);
            psr_buf_putc(&copy, ' ');
            psr_buf_append(&copy, w, n);
        } else if (n) {
            psr_buf_putc(&copy, ' ');
            psr_buf_append(&copy, w, n);
        }
        p = w + n;
    }
    if (!plain) {
        psr_buf_free(&copy);
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "ConvertTo-SecureString: the harness takes plain text only (-AsPlainText).");
    }
    ps_argument_text(r, copy.data ? copy.data : "", &text);
    psr_buf_free(&copy);
    int rc = 0;
    char *error = NULL;
    if (!r->st || (!r->st->have_session_key &&
                   (!r->host || !r->host->need_session_key ||
                    (rc = r->host->need_session_key(r->host->ctx, &error)) != 0))) {
        psr_buf_free(&text);
        if (rc == 2)
            return 2;
        rc = r->emit(r->ctx, PS_EV_ERROR, NULL,
                     error ? error : "ConvertTo-SecureString: no session key to encrypt with.");
        free(error);
        return rc;
    }
    psr_buf cipher = {0}, b64 = {0};
    psr_error err;
    rc = psrp_securestring_encrypt(r->st->session_key, text.data ? text.data : "", text.len,
                                   &cipher, &err) ||
                 psr_base64_encode(&b64, cipher.data, cipher.len)
             ? -1
             : ps_emit_value(r, psrp_value_new_text(PSRP_V_SECURESTRING, b64.data, b64.len));
    psr_buf_free(&text);
    psr_buf_free(&cipher);
    psr_buf_free(&b64);
    return rc;
}

/* The text of an argument given as a piece of a list. */
static char *piece_text(ps_run *r, const char *s, size_t len)
{
    char *copy = strndup(s, len);
    psr_buf t = {0};
    if (copy)
        ps_argument_text(r, copy, &t);
    free(copy);
    return psr_buf_detach(&t, NULL);
}

typedef struct choices {
    char *label[MAX_CHOICES], *help[MAX_CHOICES];
    size_t n;
} choices;

static void add_choice_value(choices *c, const psrp_value *v)
{
    if (!v || c->n >= MAX_CHOICES)
        return;
    if (v->kind == PSRP_V_OBJECT && v->u.obj.coll == PSRP_COLL_LIST) {
        for (size_t i = 0; i < v->u.obj.n_items; i++)
            add_choice_value(c, v->u.obj.items[i]);
        return;
    }
    const char *label = psrp_value_text(v);
    const char *help = "";
    if (!label && v->kind == PSRP_V_OBJECT) { /* a ChoiceDescription */
        label = psrp_object_get_text(v, "Label");
        help = psrp_object_get_text(v, "HelpMessage");
    }
    if (!label)
        return;
    c->label[c->n] = strdup(label);
    c->help[c->n] = strdup(help ? help : "");
    c->n++;
}

/* CHOICES: ('&Yes','&No'), @(...), [System.Management.Automation.Host.
 * ChoiceDescription[]](...), a $variable, or items that are ChoiceDescription
 * variables. */
static void parse_choices(ps_run *r, const char *s, size_t len, choices *c)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len && *s == '[') { /* a cast */
        const char *close = memchr(s, ']', len);
        while (close && (size_t)(close - s) + 1 < len && close[1] == ']')
            close++;
        if (close) {
            len -= (size_t)(close + 1 - s);
            s = close + 1;
        }
    }
    if (len && *s == '@')
        s++, len--;
    if (len >= 2 && *s == '(' && s[len - 1] == ')')
        s++, len -= 2;
    const char *starts[MAX_CHOICES];
    size_t lens[MAX_CHOICES];
    size_t n = ps_split_args(s, len, starts, lens, MAX_CHOICES);
    for (size_t i = 0; i < n; i++) {
        const char *p = starts[i];
        size_t l = lens[i];
        while (l && isspace((unsigned char)*p))
            p++, l--;
        while (l && isspace((unsigned char)p[l - 1]))
            l--;
        if (l > 1 && *p == '$') {
            add_choice_value(c, ps_lookup(r, p + 1, l - 1));
        } else if (c->n < MAX_CHOICES && l) {
            c->label[c->n] = piece_text(r, p, l);
            c->help[c->n] = strdup("");
            c->n++;
        }
    }
}

/* (CAPTION, MESSAGE, CHOICES, DEFAULT): outputs the index chosen, as
 * PowerShell's PromptForChoice returns it. */
int ps_cmd_prompt_for_choice(ps_run *r, const char *arg)
{
    if (!r->host || !r->host->prompt_choice)
        return not_found(r, "$host.UI.PromptForChoice");
    while (isspace((unsigned char)*arg))
        arg++;
    size_t len = strlen(arg);
    while (len && isspace((unsigned char)arg[len - 1]))
        len--;
    if (len < 2 || arg[0] != '(' || arg[len - 1] != ')')
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "PromptForChoice: write $host.UI.PromptForChoice(caption, message, choices, "
                       "default).");
    const char *starts[4];
    size_t lens[4];
    if (ps_split_args(arg + 1, len - 2, starts, lens, 4) != 4)
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "PromptForChoice: Cannot find an overload for \"PromptForChoice\" and the "
                       "argument count.");
    char *caption = piece_text(r, starts[0], lens[0]);
    char *message = piece_text(r, starts[1], lens[1]);
    char *def_text = piece_text(r, starts[3], lens[3]);
    choices c = {0};
    parse_choices(r, starts[2], lens[2], &c);
    int32_t def = def_text ? (int32_t)strtol(def_text, NULL, 10) : -1;
    int rc;
    if (c.n == 0 || def < -1 || def >= (int32_t)c.n) {
        rc = r->emit(r->ctx, PS_EV_ERROR, NULL,
                     c.n ? "PromptForChoice: the default choice is not one of the choices."
                         : "PromptForChoice: no choices given.");
    } else {
        int stopped = 0;
        char *error = NULL;
        psrp_value *v = r->host->prompt_choice(r->host->ctx, caption ? caption : "",
                                               message ? message : "",
                                               (const char *const *)c.label,
                                               (const char *const *)c.help, c.n, def, &stopped,
                                               &error);
        rc = host_answer(r, v, stopped, error);
    }
    for (size_t i = 0; i < c.n; i++) {
        free(c.label[i]);
        free(c.help[i]);
    }
    free(caption);
    free(message);
    free(def_text);
    return rc;
}

/* New-Object System.Management.Automation.Host.ChoiceDescription LABEL[, HELP] */
int ps_cmd_new_choice_description(ps_run *r, const char *arg)
{
    static const char type[] = "System.Management.Automation.Host.ChoiceDescription";
    static const char *const types[] = {type, "System.Object", NULL};
    while (isspace((unsigned char)*arg))
        arg++;
    if (strncasecmp(arg, "-TypeName", 9) == 0)
        arg += 9 + strspn(arg + 9, " \t");
    size_t n = strcspn(arg, " \t");
    if (n != sizeof(type) - 1 || strncasecmp(arg, type, n) != 0)
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "New-Object: the harness makes ChoiceDescription objects only.");
    arg += n + strspn(arg + n, " \t");
    if (strncasecmp(arg, "-ArgumentList", 13) == 0)
        arg += 13;
    const char *starts[2];
    size_t lens[2];
    size_t k = ps_split_args(arg, strlen(arg), starts, lens, 2);
    char *label = k > 0 ? piece_text(r, starts[0], lens[0]) : NULL;
    char *help = k > 1 ? piece_text(r, starts[1], lens[1]) : NULL;
    psrp_value *o = psrp_value_new_object(types);
    int bad = !o || !label ||
              psrp_object_add_adapted(o, "Label", psrp_value_new_string(label)) ||
              psrp_object_add_adapted(o, "HelpMessage", psrp_value_new_string(help ? help : "")) ||
              psrp_object_set_to_string(o, label);
    free(label);
    free(help);
    if (bad) {
        psrp_value_free(o);
        return r->emit(r->ctx, PS_EV_ERROR, NULL, "New-Object: give the choice's label.");
    }
    return ps_emit_value(r, o);
}

/* Fault hook: the runspace pool goes Broken (the script stops there). */
int ps_cmd_break_pool(ps_run *r, const char *arg)
{
    if (!r->host || !r->host->break_pool)
        return not_found(r, "Harness-BreakRunspacePool");
    psr_buf reason = {0};
    ps_argument_text(r, arg, &reason);
    r->host->break_pool(r->host->ctx, reason.data && *reason.data
                                          ? reason.data
                                          : "The server side of the session stopped "
                                            "(Harness-BreakRunspacePool).");
    psr_buf_free(&reason);
    return 2;
}

/* Fault hook: crtl_c is not obeyed from here on. */
int ps_cmd_ignore_stop(ps_run *r, const char *arg)
{
    (void)arg;
    if (!r->host || !r->host->ignore_stop)
        return not_found(r, "Harness-IgnoreStop");
    r->host->ignore_stop(r->host->ctx);
    return 0;
}
