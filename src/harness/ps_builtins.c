/* ps_builtins.c: the commands that are the harness's simulated PowerShell
 * language itself (see ps_script.h): Write-Output and the other writers,
 * ForEach-Object and Where-Object with their script blocks, Out-String and
 * Invoke-Expression. Arguments arrive bound to parameters (ps_script.c). */
#include "src/harness/ps_script_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_output(ps_run *r, ps_bound *b)
{
    const psrp_value *v = ps_arg(b, "InputObject");
    if (!v || v->kind == PSRP_V_NIL)
        return 0;
    if (!ps_is_list(v) || ps_switch(b, "NoEnumerate"))
        return r->emit(r->ctx, PS_EV_OUTPUT, v, NULL);
    int rc = 0;
    for (size_t i = 0; !rc && i < v->u.obj.n_items; i++)
        rc = r->emit(r->ctx, PS_EV_OUTPUT, v->u.obj.items[i], NULL);
    return rc;
}

/* Write-Error, -Warning, -Verbose, -Debug, -Information: one record. */
static int write_record(ps_run *r, ps_bound *b)
{
    static const struct {
        const char *name;
        ps_event_kind kind;
    } kinds[] = {
        {"Write-Error", PS_EV_ERROR},     {"Write-Warning", PS_EV_WARNING},
        {"Write-Verbose", PS_EV_VERBOSE}, {"Write-Debug", PS_EV_DEBUG},
    };
    ps_event_kind kind = PS_EV_INFORMATION;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(b->def->name, kinds[i].name) == 0)
            kind = kinds[i].kind;
    psr_buf t = {0};
    ps_arg_text(b, kind == PS_EV_INFORMATION ? "MessageData" : "Message", &t);
    int rc = r->emit(r->ctx, kind, NULL, t.data ? t.data : "");
    psr_buf_free(&t);
    return rc;
}

static int write_host(ps_run *r, ps_bound *b)
{
    const psrp_value *v = ps_arg(b, "Object");
    psr_buf sep = {0}, t = {0};
    if (ps_arg(b, "Separator"))
        ps_arg_text(b, "Separator", &sep);
    else
        psr_buf_puts(&sep, " ");
    psr_buf_puts(&t, "");
    for (size_t i = 0; ps_is_list(v) && i < v->u.obj.n_items; i++) {
        if (i)
            psr_buf_puts(&t, sep.data);
        ps_value_text(v->u.obj.items[i], &t);
    }
    if (!ps_is_list(v))
        ps_value_text(v, &t);
    int rc = r->emit(r->ctx, PS_EV_HOST, NULL, t.data);
    psr_buf_free(&sep);
    psr_buf_free(&t);
    return rc;
}

/* The script block given to a parameter, written in place: { ... }. */
static const ps_node *block_arg(const ps_bound *b, const char *name)
{
    int i = ps_param_index(b, name);
    const ps_node *n = i >= 0 ? b->node[i] : NULL;
    return n && n->kind == PN_SCRIPTBLOCK ? n->kids[0] : NULL;
}

static int need_block(ps_run *r, const ps_bound *b, const char *name)
{
    char msg[256];
    if (!ps_arg(b, name))
        snprintf(msg, sizeof(msg), "Cannot process command because of one or more missing "
                 "mandatory parameters: %s.", name);
    else
        snprintf(msg, sizeof(msg), "The harness's %s takes a script block written in place: "
                 "%s { ... }.", b->def->name, b->def->name);
    return ps_binding_error(r, b->def, ps_arg(b, name) ? "CannotConvertArgument"
                                                       : "MissingMandatoryParameter", msg);
}

/* A script block's statements, with $_ as given. */
static int run_with(ps_run *r, const ps_node *block, const psrp_value *dollar)
{
    ps_run inner = *r;
    inner.dollar = dollar;
    return ps_run_block(&inner, block);
}

static int foreach_object(ps_run *r, ps_bound *b)
{
    const ps_node *blk = block_arg(b, "Process");
    return blk ? run_with(r, blk, ps_arg(b, "InputObject")) : need_block(r, b, "Process");
}

static int foreach_begin(ps_run *r, ps_bound *b)
{
    const ps_node *blk = block_arg(b, "Begin");
    if (!blk && ps_arg(b, "Begin"))
        return need_block(r, b, "Begin");
    return blk ? run_with(r, blk, NULL) : 0;
}

static int foreach_end(ps_run *r, ps_bound *b)
{
    const ps_node *blk = block_arg(b, "End");
    if (!blk && ps_arg(b, "End"))
        return need_block(r, b, "End");
    return blk ? run_with(r, blk, NULL) : 0;
}

/* Where-Object { ... }: the objects for which the block is true. */
static int where_object(ps_run *r, ps_bound *b)
{
    const ps_node *blk = block_arg(b, "FilterScript");
    if (!blk)
        return need_block(r, b, "FilterScript");
    const psrp_value *item = ps_arg(b, "InputObject");
    if (!item)
        return 0;
    ps_gather g;
    ps_run inner;
    ps_gather_start(&g, r, &inner);
    inner.dollar = item;
    int rc = ps_run_block(&inner, blk);
    psrp_value *v = ps_gather_take(&g);
    if (!rc && !v)
        rc = PS_ST_FAIL;
    if (!rc && ps_is_true(v))
        rc = r->emit(r->ctx, PS_EV_OUTPUT, item, NULL);
    psrp_value_free(v);
    return rc;
}

/* Out-String: objects as text (their ToString; the harness has no format
 * views): one string at the end, or with -Stream each line as it comes. */
static int out_string(ps_run *r, ps_bound *b)
{
    const psrp_value *v = ps_arg(b, "InputObject");
    if (!v)
        return 0;
    psr_buf t = {0};
    ps_value_text(v, &t);
    int rc = 0;
    if (!ps_switch(b, "Stream")) {
        psr_buf_append(&b->text, t.data ? t.data : "", t.len);
        psr_buf_putc(&b->text, '\n');
    } else {
        const char *line = t.data ? t.data : "";
        for (;;) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            rc = ps_emit_value(r, psrp_value_new_stringn(line, len && line[len - 1] == '\r' ? len - 1 : len));
            if (rc || !nl)
                break;
            line = nl + 1;
        }
    }
    psr_buf_free(&t);
    return rc;
}

static int out_string_end(ps_run *r, ps_bound *b)
{
    if (ps_switch(b, "Stream") || !b->text.data)
        return 0;
    return ps_emit_value(r, psrp_value_new_stringn(b->text.data, b->text.len));
}

/* Invoke-Expression: the text run as a script, in the session's
 * variables; its syntax errors are the statement's ParseException. */
static int invoke_expression(ps_run *r, ps_bound *b)
{
    psr_buf text = {0};
    ps_arg_text(b, "Command", &text);
    ps_script sc;
    ps_parse_error pe;
    int rc = ps_parse(text.data ? text.data : "", &sc, &pe);
    psr_buf_free(&text);
    if (rc < 0)
        return PS_ST_FAIL;
    if (rc > 0) {
        char fqid[128];
        snprintf(fqid, sizeof(fqid), "%s,Microsoft.PowerShell.Commands.InvokeExpressionCommand",
                 pe.id);
        psrp_error_record_spec spec = {
            .message = pe.message,
            .exception_type = "System.Management.Automation.ParseException",
            .fully_qualified_error_id = fqid,
            .category = 17, /* ParserError */
            .category_activity = "Invoke-Expression",
            .category_reason = "ParseException",
        };
        rc = ps_raise(r, &spec);
        free(pe.message);
        free(pe.id);
        return rc;
    }
    rc = sc.n_params ? ps_binding_error(r, b->def, "ParameterNotSupported",
                                        "Invoke-Expression: the harness runs no param() here.")
                     : ps_run_block(r, sc.body);
    ps_script_clear(&sc);
    return rc;
}

const ps_command_def ps_builtin_commands[] = {
    {"Write-Output", {{"InputObject", 0, PS_P_PIPELINE | PS_P_REST}, {"NoEnumerate", -1, PS_P_SWITCH}},
     write_output, NULL, NULL},
    {"Write-Error", {{"Message", 0, PS_P_PIPELINE}}, write_record, NULL, NULL},
    {"Write-Warning", {{"Message", 0, PS_P_PIPELINE}}, write_record, NULL, NULL},
    {"Write-Verbose", {{"Message", 0, PS_P_PIPELINE}}, write_record, NULL, NULL},
    {"Write-Debug", {{"Message", 0, PS_P_PIPELINE}}, write_record, NULL, NULL},
    {"Write-Information", {{"MessageData", 0, PS_P_PIPELINE}, {"Tags", 1, 0}}, write_record, NULL,
     NULL},
    {"Write-Host",
     {{"Object", 0, PS_P_PIPELINE | PS_P_REST}, {"NoNewline", -1, PS_P_SWITCH},
      {"Separator", -1, 0}, {"ForegroundColor", -1, 0}, {"BackgroundColor", -1, 0}},
     write_host, NULL, NULL},
    {"ForEach-Object",
     {{"Process", 0, 0}, {"Begin", -1, 0}, {"End", -1, 0}, {"InputObject", -1, PS_P_PIPELINE}},
     foreach_object, foreach_begin, foreach_end},
    {"Where-Object", {{"FilterScript", 0, 0}, {"InputObject", -1, PS_P_PIPELINE}}, where_object,
     NULL, NULL},
    {"Out-String",
     {{"InputObject", -1, PS_P_PIPELINE}, {"Stream", -1, PS_P_SWITCH}, {"Width", -1, 0}},
     out_string, NULL, out_string_end},
    {"Invoke-Expression", {{"Command", 0, PS_P_PIPELINE}}, invoke_expression, NULL, NULL},
};
const size_t ps_n_builtin_commands = sizeof(ps_builtin_commands) / sizeof(ps_builtin_commands[0]);

