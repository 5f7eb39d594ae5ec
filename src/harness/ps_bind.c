/* ps_bind.c: parameter binding for the commands of the harness's
 * simulated PowerShell (see ps_script_internal.h), as PowerShell binds:
 * named arguments first (a -Name, or an unambiguous prefix of it; switches
 * need no value; the common parameters are accepted), then the rest by
 * position; what does not fit is the ParameterBindingException PowerShell
 * writes. Arguments come from the script's tree, or as values from a
 * command the client sent. */
#include "src/harness/ps_script_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ps_param_index(const ps_bound *b, const char *name)
{
    for (int i = 0; i < PS_MAX_PARAMS && b->def->params[i].name; i++)
        if (strcasecmp(b->def->params[i].name, name) == 0)
            return i;
    return -1;
}

const psrp_value *ps_arg(const ps_bound *b, const char *name)
{
    int i = ps_param_index(b, name);
    return i >= 0 ? b->value[i] : NULL;
}

void ps_arg_text(const ps_bound *b, const char *name, psr_buf *out)
{
    ps_value_text(ps_arg(b, name), out);
}

int ps_switch(const ps_bound *b, const char *name)
{
    return ps_is_true(ps_arg(b, name));
}

void ps_bound_clear(ps_bound *b)
{
    for (int i = 0; i < PS_MAX_PARAMS; i++)
        psrp_value_free(b->value[i]);
    psr_buf_free(&b->text);
    memset(b, 0, sizeof(*b));
}

/* Every command takes these; the harness accepts and ignores them. */
static const char *const common_switches[] = {"Verbose", "Debug"};
static const char *const common_valued[] = {
    "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
    "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
};

/* The parameter a -Name means: exact, or the one it is a prefix of; -1
 * none, -2 more than one. */
static int find_param(const ps_command_def *def, const char *name)
{
    size_t n = strlen(name);
    int found = -1;
    for (int i = 0; i < PS_MAX_PARAMS && def->params[i].name; i++) {
        if (strcasecmp(def->params[i].name, name) == 0)
            return i;
        if (strncasecmp(def->params[i].name, name, n) == 0)
            found = found == -1 ? i : -2;
    }
    return found;
}

static int common_param(const char *name, int *takes_value)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(common_switches) / sizeof(common_switches[0]); i++)
        if (strncasecmp(common_switches[i], name, n) == 0)
            return *takes_value = 0, 1;
    for (size_t i = 0; i < sizeof(common_valued) / sizeof(common_valued[0]); i++)
        if (strncasecmp(common_valued[i], name, n) == 0)
            return *takes_value = 1, 1;
    return 0;
}

static int bind_named(ps_run *r, ps_bound *b, const ps_node *cmd, size_t *i)
{
    const ps_node *p = cmd->kids[*i];
    const ps_command_def *def = b->def;
    char msg[512];
    int k = find_param(def, p->text), takes_value;
    if (k == -1 && common_param(p->text, &takes_value)) {
        if (takes_value && !p->n_kids && *i + 1 < cmd->n_kids)
            (*i)++;
        return 0;
    }
    if (k < 0) {
        snprintf(msg, sizeof(msg), k == -2
                     ? "Parameter cannot be processed because the parameter name '%s' is ambiguous."
                     : "A parameter cannot be found that matches parameter name '%s'.",
                 p->text);
        return ps_binding_error(r, def, k == -2 ? "AmbiguousParameter" : "NamedParameterNotFound",
                                msg);
    }
    if (b->value[k]) {
        snprintf(msg, sizeof(msg),
                 "Cannot bind parameter because parameter '%s' is specified more than once.",
                 def->params[k].name);
        return ps_binding_error(r, def, "ParameterAlreadyBound", msg);
    }
    const ps_node *vnode = p->n_kids ? p->kids[0] : NULL;
    if (def->params[k].flags & PS_P_SWITCH) {
        psrp_value *v = NULL;
        int rc = vnode ? ps_eval(r, vnode, &v) : 0;
        if (rc)
            return rc;
        b->value[k] = psrp_value_new_bool(vnode ? ps_is_true(v) : 1);
        psrp_value_free(v);
        return b->value[k] ? 0 : PS_ST_FAIL;
    }
    if (!vnode && *i + 1 < cmd->n_kids && cmd->kids[*i + 1]->kind != PN_PARAM)
        vnode = cmd->kids[++*i];
    if (!vnode) {
        snprintf(msg, sizeof(msg), "Missing an argument for parameter '%s'. Specify a parameter of "
                 "type 'System.Object' and try again.", def->params[k].name);
        return ps_binding_error(r, def, "MissingArgument", msg);
    }
    b->node[k] = vnode;
    return ps_eval(r, vnode, &b->value[k]);
}

#define MAX_POSITIONAL 32

/* Binds values (taken) to the parameters that have positions, in order;
 * nodes (may be NULL) are where they came from. */
static int bind_positional(ps_run *r, ps_bound *b, psrp_value **pos, const ps_node **nodes,
                           size_t n_pos)
{
    const ps_command_def *def = b->def;
    size_t used = 0;
    int rc = 0;
    for (int position = 0; !rc && used < n_pos && position < PS_MAX_PARAMS; position++) {
        int k = -1;
        for (int i = 0; i < PS_MAX_PARAMS && def->params[i].name; i++)
            if (def->params[i].position == position && !b->value[i])
                k = i;
        if (k < 0)
            continue;
        if ((def->params[k].flags & PS_P_REST) && n_pos - used > 1) {
            psrp_value *l = ps_list_new();
            while (l && used < n_pos)
                if (psrp_list_append(l, psrp_value_ref(pos[used++])) != 0)
                    psrp_value_free(l), l = NULL;
            rc = l ? 0 : PS_ST_FAIL;
            b->value[k] = l;
        } else {
            b->node[k] = nodes ? nodes[used] : NULL;
            b->value[k] = psrp_value_ref(pos[used++]);
        }
    }
    if (!rc && used < n_pos) {
        psr_buf t = {0};
        ps_value_text(pos[used], &t);
        char msg[512];
        snprintf(msg, sizeof(msg), "A positional parameter cannot be found that accepts argument '%s'.",
                 t.data ? t.data : "");
        psr_buf_free(&t);
        rc = ps_binding_error(r, def, "PositionalParameterNotFound", msg);
    }
    for (size_t i = 0; i < n_pos; i++)
        psrp_value_free(pos[i]);
    return rc;
}

static int too_many(ps_run *r, const ps_command_def *def)
{
    return ps_binding_error(r, def, "PositionalParameterNotFound",
                            "The harness binds at most 32 positional arguments.");
}

/* Binds a command's arguments: by name (or an unambiguous prefix), then
 * the rest by position. */
int ps_bind(ps_run *r, const ps_command_def *def, const ps_node *cmd, ps_bound *b)
{
    memset(b, 0, sizeof(*b));
    b->def = def;
    psrp_value *pos[MAX_POSITIONAL];
    const ps_node *pos_node[MAX_POSITIONAL];
    size_t n_pos = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < cmd->n_kids; i++) {
        if (cmd->kids[i]->kind == PN_PARAM) {
            rc = bind_named(r, b, cmd, &i);
        } else if (n_pos == MAX_POSITIONAL) {
            rc = too_many(r, def);
        } else {
            pos_node[n_pos] = cmd->kids[i];
            rc = ps_eval(r, cmd->kids[i], &pos[n_pos]);
            n_pos += !rc;
        }
    }
    if (rc) {
        for (size_t i = 0; i < n_pos; i++)
            psrp_value_free(pos[i]);
        return rc;
    }
    return bind_positional(r, b, pos, pos_node, n_pos);
}

/* The same for a command the client sent as a command (not a script):
 * its arguments are values with names, or none. */
int ps_bind_values(ps_run *r, const ps_command_def *def, const psrp_command_arg *args, size_t n,
                   ps_bound *b)
{
    memset(b, 0, sizeof(*b));
    b->def = def;
    psrp_value *pos[MAX_POSITIONAL];
    size_t n_pos = 0;
    int rc = 0;
    char msg[300];
    for (size_t i = 0; !rc && i < n; i++) {
        psrp_value *v = args[i].value;
        if (!args[i].name) {
            if (n_pos == MAX_POSITIONAL)
                rc = too_many(r, def);
            else if (!(pos[n_pos++] = v ? psrp_value_ref(v) : psrp_value_new_nil()))
                rc = PS_ST_FAIL;
            continue;
        }
        const char *name = args[i].name + (args[i].name[0] == '-');
        int k = find_param(def, name), takes_value;
        if (k == -1 && common_param(name, &takes_value))
            continue;
        if (k < 0 || b->value[k]) {
            snprintf(msg, sizeof(msg), k == -2 ? "Parameter cannot be processed because the "
                                                 "parameter name '%s' is ambiguous."
                                       : k >= 0 ? "Cannot bind parameter because parameter '%s' "
                                                  "is specified more than once."
                                                : "A parameter cannot be found that matches "
                                                  "parameter name '%s'.", name);
            rc = ps_binding_error(r, def, k == -2 ? "AmbiguousParameter" : k >= 0
                                      ? "ParameterAlreadyBound" : "NamedParameterNotFound", msg);
        } else if (def->params[k].flags & PS_P_SWITCH) { /* a name without a value is a switch */
            b->value[k] = psrp_value_new_bool(!v || v->kind == PSRP_V_NIL || ps_is_true(v));
        } else {
            b->value[k] = v ? psrp_value_ref(v) : psrp_value_new_nil();
        }
        if (!rc && k >= 0 && !b->value[k])
            rc = PS_ST_FAIL;
    }
    if (rc) {
        for (size_t i = 0; i < n_pos; i++)
            psrp_value_free(pos[i]);
        return rc;
    }
    return bind_positional(r, b, pos, NULL, n_pos);
}
