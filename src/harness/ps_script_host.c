/* ps_script_host.c: the commands of the harness's simulated PowerShell
 * that wait on the client (see ps_script.h): Read-Host, Get-Credential,
 * PromptForChoice (host calls), SecureStrings under the session key, and the
 * fault hooks Harness-BreakRunspacePool and Harness-IgnoreStop. Their
 * arguments arrive bound to parameters (ps_script.c). */
#include "src/harness/ps_script_internal.h"

#include "common/base64.h"
#include "psrp/session_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CHOICES 16

/* A host command in a run without that host method: PowerShell's answer to
 * a command it does not have. */
static int not_found(ps_run *r, const char *name)
{
    int rc = r->emit(r->ctx, PS_EV_NOT_FOUND, NULL, name);
    return rc ? rc : PS_ST_ERROR;
}

/* ConvertFrom-SecureString $v -AsPlainText (PowerShell 7's form). */
static int convert_from_secure_string(ps_run *r, ps_bound *b)
{
    const psrp_value *v = ps_arg(b, "SecureString");
    ps_session_state *st = r->scope->st;
    if (!v || v->kind != PSRP_V_SECURESTRING)
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "Cannot bind parameter 'SecureString': the value is not a SecureString.");
    if (!ps_switch(b, "AsPlainText"))
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "ConvertFrom-SecureString: the harness converts to plain text only "
                       "(-AsPlainText).");
    if (!st->have_session_key)
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "The SecureString cannot be decrypted: no session key was exchanged.");
    psr_buf cipher = {0}, plain = {0};
    psr_error err;
    const char *b64 = psrp_value_text(v);
    int rc = psr_base64_decode(&cipher, b64, strlen(b64)) != 0 ||
             psrp_securestring_decrypt(st->session_key, cipher.data, cipher.len, &plain, &err)
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

static int get_credential(ps_run *r, ps_bound *b)
{
    const ps_host *host = r->scope->host;
    if (!host || !host->prompt_credential)
        return not_found(r, "Get-Credential");
    psr_buf user = {0};
    ps_arg_text(b, ps_arg(b, "UserName") ? "UserName" : "Credential", &user);
    int stopped = 0;
    char *error = NULL;
    psrp_value *v = host->prompt_credential(host->ctx, user.data ? user.data : "", &stopped, &error);
    psr_buf_free(&user);
    return host_answer(r, v, stopped, error);
}

static int read_host(ps_run *r, ps_bound *b)
{
    const ps_host *host = r->scope->host;
    if (!host || !host->read_line)
        return not_found(r, "Read-Host");
    psr_buf prompt = {0};
    ps_arg_text(b, "Prompt", &prompt);
    int stopped = 0;
    char *error = NULL;
    psrp_value *v = host->read_line(host->ctx, prompt.data ? prompt.data : "",
                                    ps_switch(b, "AsSecureString"), &stopped, &error);
    psr_buf_free(&prompt);
    return host_answer(r, v, stopped, error);
}

/* ConvertTo-SecureString TEXT -AsPlainText [-Force]: a SecureString as
 * the harness keeps them, encrypted under the session key; without a key
 * the client is asked for one first (the server side of the exchange). */
static int convert_to_secure_string(ps_run *r, ps_bound *b)
{
    if (!ps_switch(b, "AsPlainText"))
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "ConvertTo-SecureString: the harness takes plain text only (-AsPlainText).");
    ps_session_state *st = r->scope->st;
    const ps_host *host = r->scope->host;
    int rc = 0;
    char *error = NULL;
    if (!st->have_session_key &&
        (!host || !host->need_session_key || (rc = host->need_session_key(host->ctx, &error)) != 0)) {
        if (rc == 2)
            return PS_ST_STOP;
        rc = r->emit(r->ctx, PS_EV_ERROR, NULL,
                     error ? error : "ConvertTo-SecureString: no session key to encrypt with.");
        free(error);
        return rc;
    }
    psr_buf text = {0}, cipher = {0}, b64 = {0};
    psr_error err;
    ps_arg_text(b, "String", &text);
    rc = psrp_securestring_encrypt(st->session_key, text.data ? text.data : "", text.len, &cipher,
                                   &err) ||
                 psr_base64_encode(&b64, cipher.data, cipher.len)
             ? PS_ST_FAIL
             : ps_emit_value(r, psrp_value_new_text(PSRP_V_SECURESTRING, b64.data, b64.len));
    psr_buf_free(&text);
    psr_buf_free(&cipher);
    psr_buf_free(&b64);
    return rc;
}

typedef struct choices {
    char *label[MAX_CHOICES], *help[MAX_CHOICES];
    size_t n;
} choices;

/* Labels ('&Yes'), ChoiceDescription objects, or lists of them. */
static void add_choice_value(choices *c, const psrp_value *v)
{
    if (!v || c->n >= MAX_CHOICES)
        return;
    if (ps_is_list(v)) {
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

/* $host.UI.PromptForChoice(caption, message, choices, default): outputs the
 * index chosen, as PowerShell's PromptForChoice returns it. */
int ps_prompt_for_choice(ps_run *r, psrp_value *const *args, size_t n)
{
    const ps_host *host = r->scope->host;
    if (!host || !host->prompt_choice)
        return not_found(r, "$host.UI.PromptForChoice");
    if (n != 4) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "Cannot find an overload for \"PromptForChoice\" and the argument count: \"%zu\".",
                 n);
        psrp_error_record_spec spec = {
            .message = msg,
            .exception_type = "System.Management.Automation.MethodException",
            .fully_qualified_error_id = "MethodCountCouldNotFindBest",
            .category = 0,
            .category_reason = "MethodException",
        };
        return ps_raise(r, &spec);
    }
    psr_buf caption = {0}, message = {0};
    ps_value_text(args[0], &caption);
    ps_value_text(args[1], &message);
    choices c = {0};
    add_choice_value(&c, args[2]);
    int64_t def = -1;
    int rc;
    if (ps_value_int(args[3], &def) != 0 || c.n == 0 || def < -1 || def >= (int64_t)c.n) {
        rc = r->emit(r->ctx, PS_EV_ERROR, NULL,
                     c.n ? "PromptForChoice: the default choice is not one of the choices."
                         : "PromptForChoice: no choices given.");
    } else {
        int stopped = 0;
        char *error = NULL;
        psrp_value *v = host->prompt_choice(host->ctx, caption.data ? caption.data : "",
                                            message.data ? message.data : "",
                                            (const char *const *)c.label,
                                            (const char *const *)c.help, c.n, (int32_t)def,
                                            &stopped, &error);
        rc = host_answer(r, v, stopped, error);
    }
    for (size_t i = 0; i < c.n; i++) {
        free(c.label[i]);
        free(c.help[i]);
    }
    psr_buf_free(&caption);
    psr_buf_free(&message);
    return rc;
}

/* New-Object System.Management.Automation.Host.ChoiceDescription LABEL[, HELP] */
static int new_object(ps_run *r, ps_bound *b)
{
    static const char type[] = "System.Management.Automation.Host.ChoiceDescription";
    static const char *const types[] = {type, "System.Object", NULL};
    psr_buf name = {0}, label = {0}, help = {0};
    ps_arg_text(b, "TypeName", &name);
    int is_choice = name.data && strcasecmp(name.data, type) == 0;
    psr_buf_free(&name);
    if (!is_choice)
        return r->emit(r->ctx, PS_EV_ERROR, NULL,
                       "New-Object: the harness makes ChoiceDescription objects only.");
    const psrp_value *list = ps_arg(b, "ArgumentList");
    const psrp_value *first = ps_is_list(list) && list->u.obj.n_items ? list->u.obj.items[0] : list;
    const psrp_value *second = ps_is_list(list) && list->u.obj.n_items > 1 ? list->u.obj.items[1] : NULL;
    ps_value_text(first, &label);
    ps_value_text(second, &help);
    psrp_value *o = psrp_value_new_object(types);
    int bad = !o || !label.len ||
              psrp_object_add_adapted(o, "Label", psrp_value_new_string(label.data)) ||
              psrp_object_add_adapted(o, "HelpMessage", psrp_value_new_string(help.data ? help.data : "")) ||
              psrp_object_set_to_string(o, label.data);
    psr_buf_free(&label);
    psr_buf_free(&help);
    if (bad) {
        psrp_value_free(o);
        return r->emit(r->ctx, PS_EV_ERROR, NULL, "New-Object: give the choice's label.");
    }
    return ps_emit_value(r, o);
}

/* Fault hook: the runspace pool goes Broken (the script stops there). */
static int break_pool(ps_run *r, ps_bound *b)
{
    const ps_host *host = r->scope->host;
    if (!host || !host->break_pool)
        return not_found(r, "Harness-BreakRunspacePool");
    psr_buf reason = {0};
    ps_arg_text(b, "Reason", &reason);
    host->break_pool(host->ctx, reason.data && *reason.data
                                    ? reason.data
                                    : "The server side of the session stopped "
                                      "(Harness-BreakRunspacePool).");
    psr_buf_free(&reason);
    return PS_ST_STOP;
}

/* Fault hook: crtl_c is not obeyed from here on. */
static int ignore_stop(ps_run *r, ps_bound *b)
{
    (void)b;
    const ps_host *host = r->scope->host;
    if (!host || !host->ignore_stop)
        return not_found(r, "Harness-IgnoreStop");
    host->ignore_stop(host->ctx);
    return 0;
}

const ps_command_def ps_host_commands[] = {
    {"Read-Host", {{"Prompt", 0, PS_P_REST}, {"AsSecureString", -1, PS_P_SWITCH}}, read_host, NULL,
     NULL},
    {"Get-Credential", {{"Credential", 0, 0}, {"UserName", -1, 0}, {"Message", -1, 0}},
     get_credential, NULL, NULL},
    {"ConvertFrom-SecureString",
     {{"SecureString", 0, PS_P_PIPELINE}, {"AsPlainText", -1, PS_P_SWITCH}},
     convert_from_secure_string, NULL, NULL},
    {"ConvertTo-SecureString",
     {{"String", 0, PS_P_PIPELINE}, {"AsPlainText", -1, PS_P_SWITCH}, {"Force", -1, PS_P_SWITCH}},
     convert_to_secure_string, NULL, NULL},
    {"New-Object", {{"TypeName", 0, 0}, {"ArgumentList", 1, 0}}, new_object, NULL, NULL},
    {"Harness-BreakRunspacePool", {{"Reason", 0, PS_P_REST}}, break_pool, NULL, NULL},
    {"Harness-IgnoreStop", {{NULL, 0, 0}}, ignore_stop, NULL, NULL},
};
const size_t ps_n_host_commands = sizeof(ps_host_commands) / sizeof(ps_host_commands[0]);
