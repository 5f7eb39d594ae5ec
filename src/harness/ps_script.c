/* ps_script.c: the runner of the harness's simulated PowerShell (see
 * ps_script.h and ps_script_internal.h): statements, variables, pipelines
 * and parameter binding, and the commands that are the language itself
 * (Write-*, ForEach-Object, Where-Object). A pipeline streams: each object a
 * stage outputs goes straight into the next stage's process step, so
 * output reaches the client as it is made. */
#include "src/harness/ps_script_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ps_session_state_clear(ps_session_state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->names[i]);
        psrp_value_free(st->values[i]);
    }
    free(st->names);
    free(st->values);
    st->names = NULL;
    st->values = NULL;
    st->n = 0;
}

void ps_failure_clear(ps_failure *f)
{
    free(f->message);
    free(f->error_id);
    memset(f, 0, sizeof(*f));
}

/* ---- variables ---- */

const psrp_value *ps_lookup(const ps_run *r, const char *name)
{
    const ps_scope *sc = r->scope;
    for (size_t i = 0; i < sc->n_vars; i++)
        if (strcasecmp(sc->names[i], name) == 0)
            return sc->values[i];
    for (size_t i = 0; i < sc->st->n; i++)
        if (strcasecmp(sc->st->names[i], name) == 0)
            return sc->st->values[i];
    return NULL;
}

/* Takes v. param() variables are the script's own; the rest last for the
 * session (the runspace pool), as a script run in the global scope does. */
int ps_assign(ps_run *r, const char *name, psrp_value *v)
{
    ps_scope *sc = r->scope;
    ps_session_state *st = sc->st;
    if (!v)
        return PS_ST_FAIL;
    if (strcasecmp(name, "null") == 0) { /* $null = ...: discards */
        psrp_value_free(v);
        return 0;
    }
    if (strcasecmp(name, "true") == 0 || strcasecmp(name, "false") == 0) {
        psrp_value_free(v);
        char msg[128];
        snprintf(msg, sizeof(msg), "Cannot overwrite variable %s because it is read-only or constant.",
                 name);
        psrp_error_record_spec spec = {
            .message = msg,
            .exception_type = "System.Management.Automation.SessionStateUnauthorizedAccessException",
            .fully_qualified_error_id = "VariableNotWritable",
            .category = 23, /* WriteError */
            .category_reason = "SessionStateUnauthorizedAccessException",
            .category_target_name = name,
            .category_target_type = "String",
        };
        return ps_raise(r, &spec);
    }
    psrp_value **slot = NULL;
    for (size_t i = 0; i < sc->n_vars && !slot; i++)
        if (strcasecmp(sc->names[i], name) == 0)
            slot = &sc->values[i];
    for (size_t i = 0; i < st->n && !slot; i++)
        if (strcasecmp(st->names[i], name) == 0)
            slot = &st->values[i];
    if (slot) {
        psrp_value_free(*slot);
        *slot = v;
        return 0;
    }
    char **names = realloc(st->names, (st->n + 1) * sizeof(*names));
    psrp_value **values = names ? realloc(st->values, (st->n + 1) * sizeof(*values)) : NULL;
    if (names)
        st->names = names;
    if (values)
        st->values = values;
    if (!values || !(st->names[st->n] = strdup(name))) {
        psrp_value_free(v);
        return PS_ST_FAIL;
    }
    st->values[st->n++] = v;
    return 0;
}

/* ---- output and errors ---- */

int ps_emit_value(ps_run *r, psrp_value *v)
{
    if (!v)
        return PS_ST_FAIL;
    int rc = r->emit(r->ctx, PS_EV_OUTPUT, v, NULL);
    psrp_value_free(v);
    return rc;
}

int ps_raise(ps_run *r, const psrp_error_record_spec *spec)
{
    psrp_value *rec = psrp_error_record_build(spec);
    if (!rec)
        return PS_ST_FAIL;
    int rc = r->emit(r->ctx, PS_EV_ERROR_RECORD, rec, NULL);
    psrp_value_free(rec);
    return rc ? rc : PS_ST_ERROR;
}

int ps_binding_error(ps_run *r, const ps_command_def *def, const char *id, const char *message)
{
    /* ids name the cmdlet class: Write-Output is WriteOutputCommand */
    char fqid[160], *q;
    int n = snprintf(fqid, sizeof(fqid), "%s,Microsoft.PowerShell.Commands.", id);
    q = fqid + n;
    for (const char *p = def->name; *p && q < fqid + sizeof(fqid) - 8; p++)
        if (*p != '-')
            *q++ = *p;
    snprintf(q, (size_t)(fqid + sizeof(fqid) - q), "Command");
    psrp_error_record_spec spec = {
        .message = message,
        .exception_type = "System.Management.Automation.ParameterBindingException",
        .fully_qualified_error_id = fqid,
        .category = 5, /* InvalidArgument */
        .category_activity = def->name,
        .category_reason = "ParameterBindingException",
    };
    return ps_raise(r, &spec);
}

/* ---- gathering output into a value ---- */

static int gather(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text)
{
    ps_gather *g = ctx;
    if (kind != PS_EV_OUTPUT) /* errors and records are not kept */
        return g->outer->emit(g->outer->ctx, kind, value, text);
    if (!g->first && !g->list) {
        g->first = psrp_value_ref((psrp_value *)value);
        return 0;
    }
    if (!g->list) {
        g->list = ps_list_new();
        if (!g->list || psrp_list_append(g->list, g->first) != 0) {
            g->first = NULL;
            g->failed = 1;
            return PS_ST_FAIL;
        }
        g->first = NULL;
    }
    if (psrp_list_append(g->list, psrp_value_ref((psrp_value *)value)) != 0) {
        g->failed = 1;
        return PS_ST_FAIL;
    }
    return 0;
}

void ps_gather_start(ps_gather *g, const ps_run *r, ps_run *inner)
{
    memset(g, 0, sizeof(*g));
    g->outer = r;
    *inner = *r;
    inner->emit = gather;
    inner->ctx = g;
}

psrp_value *ps_gather_take(ps_gather *g)
{
    psrp_value *v = g->list ? g->list : g->first ? g->first : psrp_value_new_nil();
    if (g->failed) {
        psrp_value_free(v);
        v = NULL;
    }
    g->first = g->list = NULL;
    return v;
}

static int run_statement(ps_run *r, const ps_node *st);

int ps_collect(ps_run *r, const ps_node *st, int block, psrp_value **out)
{
    *out = NULL;
    /* an expression is its own value: (1, 2) stays that array */
    if (!block && st->kind == PN_PIPELINE && st->n_kids == 1 && st->kids[0]->kind != PN_COMMAND)
        return ps_eval(r, st->kids[0], out);
    ps_gather g;
    ps_run inner;
    ps_gather_start(&g, r, &inner);
    int rc = block ? ps_run_block(&inner, st) : run_statement(&inner, st);
    psrp_value *v = ps_gather_take(&g);
    if (rc || !v) {
        psrp_value_free(v);
        return rc ? rc : PS_ST_FAIL;
    }
    if (!block && st->kind == PN_ASSIGN) { /* ($x = 5) is 5 */
        psrp_value_free(v);
        const psrp_value *x = ps_lookup(r, st->text);
        v = x ? psrp_value_ref((psrp_value *)x) : psrp_value_new_nil();
    }
    *out = v;
    return v ? 0 : PS_ST_FAIL;
}

/* ---- parameter binding ---- */

static int param_index(const ps_bound *b, const char *name)
{
    for (int i = 0; i < PS_MAX_PARAMS && b->def->params[i].name; i++)
        if (strcasecmp(b->def->params[i].name, name) == 0)
            return i;
    return -1;
}

const psrp_value *ps_arg(const ps_bound *b, const char *name)
{
    int i = param_index(b, name);
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

static void bound_clear(ps_bound *b)
{
    for (int i = 0; i < PS_MAX_PARAMS; i++)
        psrp_value_free(b->value[i]);
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

/* Binds a command's arguments: by name (or an unambiguous prefix), then
 * the rest by position. */
static int bind(ps_run *r, const ps_command_def *def, const ps_node *cmd, ps_bound *b)
{
    memset(b, 0, sizeof(*b));
    b->def = def;
    psrp_value *pos[32];
    const ps_node *pos_node[32];
    size_t n_pos = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < cmd->n_kids; i++) {
        if (cmd->kids[i]->kind == PN_PARAM) {
            rc = bind_named(r, b, cmd, &i);
        } else if (n_pos < 32) {
            pos_node[n_pos] = cmd->kids[i];
            rc = ps_eval(r, cmd->kids[i], &pos[n_pos]);
            if (!rc)
                n_pos++;
        }
    }
    size_t used = 0;
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
            b->node[k] = pos_node[used];
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

/* ---- the language's own commands ---- */

static int write_output(ps_run *r, const ps_bound *b)
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
static int write_record(ps_run *r, const ps_bound *b)
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

static int write_host(ps_run *r, const ps_bound *b)
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
    int i = param_index(b, name);
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

static int foreach_object(ps_run *r, const ps_bound *b)
{
    const ps_node *blk = block_arg(b, "Process");
    return blk ? run_with(r, blk, ps_arg(b, "InputObject")) : need_block(r, b, "Process");
}

static int foreach_begin(ps_run *r, const ps_bound *b)
{
    const ps_node *blk = block_arg(b, "Begin");
    if (!blk && ps_arg(b, "Begin"))
        return need_block(r, b, "Begin");
    return blk ? run_with(r, blk, NULL) : 0;
}

static int foreach_end(ps_run *r, const ps_bound *b)
{
    const ps_node *blk = block_arg(b, "End");
    if (!blk && ps_arg(b, "End"))
        return need_block(r, b, "End");
    return blk ? run_with(r, blk, NULL) : 0;
}

/* Where-Object { ... }: the objects for which the block is true. */
static int where_object(ps_run *r, const ps_bound *b)
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

static const ps_command_def builtins[] = {
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
};

static const struct {
    const char *alias, *name;
} aliases[] = {
    {"%", "ForEach-Object"}, {"foreach", "ForEach-Object"}, {"?", "Where-Object"},
    {"where", "Where-Object"}, {"echo", "Write-Output"},    {"write", "Write-Output"},
    {"sleep", "Start-Sleep"},  {"gci", "Get-ChildItem"},    {"ls", "Get-ChildItem"},
    {"dir", "Get-ChildItem"},  {"gc", "Get-Content"},       {"cat", "Get-Content"},
};

static const ps_command_def *find_in(const ps_command_def *table, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static const ps_command_def *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcasecmp(aliases[i].alias, name) == 0)
            name = aliases[i].name;
    const ps_command_def *d = find_in(builtins, sizeof(builtins) / sizeof(builtins[0]), name);
    if (!d)
        d = find_in(ps_machine_commands, ps_n_machine_commands, name);
    if (!d)
        d = find_in(ps_host_commands, ps_n_host_commands, name);
    return d;
}

/* ---- pipelines ---- */

typedef struct stage {
    const ps_command_def *def;
    ps_bound bound;
    int started;
    ps_run run;          /* its output goes to the next stage or the sink */
    const ps_run *outer; /* the statement's: where records go */
} stage;

static int stage_process(stage *s, const psrp_value *item, int has_item)
{
    int rc = 0;
    if (!s->started) {
        s->started = 1;
        if (s->def->begin && (rc = s->def->begin(&s->run, &s->bound)) != 0)
            return rc;
    }
    if (!has_item)
        return s->def->run(&s->run, &s->bound);
    int k = -1;
    for (int i = 0; i < PS_MAX_PARAMS && s->def->params[i].name; i++)
        if (s->def->params[i].flags & PS_P_PIPELINE)
            k = i;
    if (k < 0 || s->bound.value[k]) {
        /* PowerShell's answer, for each object, and the pipeline goes on */
        psr_buf t = {0};
        ps_value_text(item, &t);
        psrp_error_record_spec spec = {
            .message = "The input object cannot be bound to any parameters for the command "
                       "either because the command does not take pipeline input or the input "
                       "and its properties do not match any of the parameters that take "
                       "pipeline input.",
            .exception_type = "System.Management.Automation.ParameterBindingException",
            .fully_qualified_error_id = "InputObjectNotBound",
            .category = 5,
            .category_activity = s->def->name,
            .category_reason = "ParameterBindingException",
            .category_target_name = t.data ? t.data : "",
            .category_target_type = strrchr(ps_type_name(item), '.') ? strrchr(ps_type_name(item), '.') + 1
                                                                     : ps_type_name(item),
        };
        rc = ps_raise(&s->run, &spec);
        psr_buf_free(&t);
        return rc == PS_ST_ERROR ? 0 : rc;
    }
    s->bound.value[k] = psrp_value_ref((psrp_value *)item);
    s->run.dollar = item;
    rc = s->def->run(&s->run, &s->bound);
    psrp_value_free(s->bound.value[k]);
    s->bound.value[k] = NULL;
    return rc;
}

/* A stage's output: the next stage's input; its records go to the sink. */
static int stage_emit(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text)
{
    stage *next = ctx;
    if (kind != PS_EV_OUTPUT)
        return next->outer->emit(next->outer->ctx, kind, value, text);
    return stage_process(next, value, 1);
}

/* An expression's value into the pipeline: arrays one item at a time. */
static int feed(ps_run *r, stage *next, const psrp_value *v)
{
    int rc = 0;
    if (ps_is_list(v)) {
        for (size_t i = 0; !rc && i < v->u.obj.n_items; i++)
            rc = next ? stage_process(next, v->u.obj.items[i], 1)
                      : r->emit(r->ctx, PS_EV_OUTPUT, v->u.obj.items[i], NULL);
        return rc;
    }
    if (next)
        return stage_process(next, v, 1);
    /* a statement that is $null (or a variable not set) shows nothing */
    return v && v->kind != PSRP_V_NIL ? r->emit(r->ctx, PS_EV_OUTPUT, v, NULL) : 0;
}

static int run_pipeline(ps_run *r, const ps_node *pl)
{
    size_t n = pl->n_kids;
    stage *stages = calloc(n, sizeof(*stages));
    if (!stages)
        return PS_ST_FAIL;
    int rc = 0;
    size_t first_cmd = pl->kids[0]->kind == PN_COMMAND ? 0 : 1;
    /* commands are found and their arguments bound before anything runs */
    for (size_t i = first_cmd; !rc && i < n; i++) {
        stage *s = &stages[i];
        s->outer = r;
        s->run = *r;
        if (i + 1 < n) {
            s->run.emit = stage_emit;
            s->run.ctx = &stages[i + 1];
        }
        s->def = find_command(pl->kids[i]->text);
        if (!s->def) {
            rc = r->emit(r->ctx, PS_EV_NOT_FOUND, NULL, pl->kids[i]->text);
            rc = rc ? rc : PS_ST_ERROR;
        } else {
            rc = bind(r, s->def, pl->kids[i], &s->bound);
        }
    }
    if (!rc && first_cmd) {
        psrp_value *v = NULL;
        rc = ps_eval(r, pl->kids[0], &v);
        if (!rc)
            rc = feed(r, n > 1 ? &stages[1] : NULL, v);
        psrp_value_free(v);
    } else if (!rc) {
        rc = stage_process(&stages[0], NULL, 0);
    }
    for (size_t i = first_cmd; !rc && i < n; i++) {
        stage *s = &stages[i];
        if (!s->started && s->def->begin)
            rc = s->def->begin(&s->run, &s->bound);
        if (!rc && s->def->end)
            rc = s->def->end(&s->run, &s->bound);
    }
    for (size_t i = 0; i < n; i++)
        bound_clear(&stages[i].bound);
    free(stages);
    return rc;
}

/* ---- statements ---- */

static int run_assign(ps_run *r, const ps_node *a)
{
    psrp_value *v = NULL;
    int rc = ps_collect(r, a->kids[0], 0, &v);
    if (rc)
        return rc;
    if (a->op != PO_ASSIGN) { /* $x += 1 is $x = $x + 1 */
        static const ps_op ops[] = {[PO_ADD_ASSIGN] = PO_ADD, [PO_SUB_ASSIGN] = PO_SUB,
                                    [PO_MUL_ASSIGN] = PO_MUL, [PO_DIV_ASSIGN] = PO_DIV,
                                    [PO_MOD_ASSIGN] = PO_MOD};
        psrp_value *old = NULL, *res = NULL;
        rc = ps_eval(r, &(ps_node){.kind = PN_VAR, .text = a->text}, &old);
        if (!rc)
            rc = ps_binary(r, ops[a->op], old, v, &res);
        psrp_value_free(old);
        psrp_value_free(v);
        if (rc)
            return rc;
        v = res;
    }
    return ps_assign(r, a->text, v);
}

static int run_throw(ps_run *r, const ps_node *t)
{
    psrp_value *v = NULL;
    int rc = t->n_kids ? ps_collect(r, t->kids[0], 0, &v) : 0;
    if (rc)
        return rc;
    psr_buf text = {0};
    ps_value_text(v, &text);
    psrp_value_free(v);
    ps_failure *f = r->scope->failure;
    f->kind = PS_FAILURE_THROW;
    f->message = strdup(text.len ? text.data : "ScriptHalted");
    f->error_id = strdup(text.len ? text.data : "ScriptHalted");
    psr_buf_free(&text);
    return f->message && f->error_id ? PS_ST_THROW : PS_ST_FAIL;
}

static int run_statement(ps_run *r, const ps_node *st)
{
    switch (st->kind) {
    case PN_ASSIGN: return run_assign(r, st);
    case PN_THROW: return run_throw(r, st);
    case PN_PIPELINE: return run_pipeline(r, st);
    default: return PS_ST_FAIL;
    }
}

int ps_run_block(ps_run *r, const ps_node *block)
{
    for (size_t i = 0; i < block->n_kids; i++) {
        int rc = run_statement(r, block->kids[i]);
        if (rc && rc != PS_ST_ERROR) /* an error record ends only its statement */
            return rc;
    }
    return 0;
}

/* ---- a script ---- */

/* The pipeline's arguments: named ones to the param() of that name, the
 * rest in order, what is left to $args. 0, or PS_ST_THROW with the
 * failure filled (a name no param() has), or PS_ST_FAIL. */
static int bind_script(ps_run *r, const ps_script *sc, const psrp_command_arg *args, size_t n)
{
    ps_scope *scope = r->scope;
    scope->names = calloc(sc->n_params + 1, sizeof(*scope->names));
    scope->values = calloc(sc->n_params + 1, sizeof(*scope->values));
    scope->args = ps_list_new();
    if (!scope->names || !scope->values || !scope->args)
        return PS_ST_FAIL;
    for (size_t i = 0; i < n; i++) {
        if (!args[i].name)
            continue;
        const char *name = args[i].name + (args[i].name[0] == '-');
        size_t k = 0;
        while (k < sc->n_params && strcasecmp(sc->params[k], name) != 0)
            k++;
        if (k == sc->n_params || scope->values[k]) {
            char msg[300];
            snprintf(msg, sizeof(msg), "A parameter cannot be found that matches parameter name '%s'.",
                     name);
            scope->failure->kind = PS_FAILURE_BINDING;
            scope->failure->message = strdup(msg);
            scope->failure->error_id = strdup("NamedParameterNotFound");
            return scope->failure->message && scope->failure->error_id ? PS_ST_THROW : PS_ST_FAIL;
        }
        /* a name without a value is a switch */
        scope->values[k] = args[i].value ? psrp_value_ref(args[i].value) : psrp_value_new_bool(1);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (args[i].name)
            continue;
        while (k < sc->n_params && scope->values[k])
            k++;
        psrp_value *v = args[i].value ? psrp_value_ref(args[i].value) : psrp_value_new_nil();
        if (k < sc->n_params)
            scope->values[k] = v;
        else if (psrp_list_append(scope->args, v) != 0)
            return PS_ST_FAIL;
    }
    /* names are set one by one, so a default can use the parameters before it */
    for (k = 0; k < sc->n_params; k++) {
        int rc = 0;
        if (!scope->values[k] && sc->defaults[k])
            rc = ps_eval(r, sc->defaults[k], &scope->values[k]);
        else if (!scope->values[k])
            scope->values[k] = psrp_value_new_nil();
        if (rc || !scope->values[k] || !(scope->names[k] = strdup(sc->params[k])))
            return rc ? rc : PS_ST_FAIL;
        scope->n_vars++;
    }
    return 0;
}

int ps_script_run(const char *script, const psrp_command_arg *args, size_t n_args,
                  psrp_value *const *input, size_t n_input, ps_session_state *st,
                  const ps_host *host, ps_emit_fn emit, void *ctx, ps_failure *failure)
{
    memset(failure, 0, sizeof(*failure));
    ps_script sc;
    ps_parse_error pe;
    int rc = ps_parse(script, &sc, &pe);
    if (rc < 0)
        return -1;
    if (rc > 0) { /* nothing runs: PowerShell parses the whole script first */
        failure->kind = PS_FAILURE_PARSE;
        failure->message = pe.message;
        failure->error_id = pe.id;
        return 0;
    }
    ps_session_state local = {0};
    ps_scope scope = {.st = st ? st : &local, .host = host, .failure = failure};
    ps_run r = {.scope = &scope, .emit = emit, .ctx = ctx};
    scope.input = ps_list_new();
    rc = scope.input ? 0 : PS_ST_FAIL;
    for (size_t i = 0; !rc && i < n_input; i++)
        if (psrp_list_append(scope.input, psrp_value_ref(input[i])) != 0)
            rc = PS_ST_FAIL;
    if (!rc)
        rc = bind_script(&r, &sc, args, n_args);
    if (!rc || rc == PS_ST_ERROR) /* a default that failed is written, and the script runs */
        rc = ps_run_block(&r, sc.body);
    for (size_t i = 0; scope.values && i < sc.n_params; i++) {
        free(scope.names[i]);
        psrp_value_free(scope.values[i]);
    }
    free(scope.names);
    free(scope.values);
    psrp_value_free(scope.args);
    psrp_value_free(scope.input);
    ps_session_state_clear(&local);
    ps_script_clear(&sc);
    return rc == PS_ST_STOP ? 2 : rc < 0 ? -1 : 0;
}
