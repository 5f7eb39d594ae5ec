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

/* ---- commands ---- */

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
    const ps_command_def *d = find_in(ps_builtin_commands, ps_n_builtin_commands, name);
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
            rc = ps_bind(r, s->def, pl->kids[i], &s->bound);
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
        ps_bound_clear(&stages[i].bound);
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
    if (!scope->names || !scope->values)
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

/* What ps_script_run and ps_command_run share: the scope with the input. */
static int scope_open(ps_scope *scope, ps_session_state *local, ps_session_state *st,
                      const ps_host *host, psrp_value *const *input, size_t n_input,
                      ps_failure *failure)
{
    memset(failure, 0, sizeof(*failure));
    memset(local, 0, sizeof(*local));
    memset(scope, 0, sizeof(*scope));
    scope->st = st ? st : local;
    scope->host = host;
    scope->failure = failure;
    scope->input = ps_list_new();
    scope->args = ps_list_new();
    if (!scope->input || !scope->args)
        return PS_ST_FAIL;
    for (size_t i = 0; i < n_input; i++)
        if (psrp_list_append(scope->input, psrp_value_ref(input[i])) != 0)
            return PS_ST_FAIL;
    return 0;
}

static int scope_close(ps_scope *scope, ps_session_state *local, size_t n_vars, int rc)
{
    for (size_t i = 0; scope->values && i < n_vars; i++) {
        free(scope->names[i]);
        psrp_value_free(scope->values[i]);
    }
    free(scope->names);
    free(scope->values);
    psrp_value_free(scope->args);
    psrp_value_free(scope->input);
    ps_session_state_clear(local);
    return rc == PS_ST_STOP ? 2 : rc < 0 ? -1 : 0;
}

int ps_script_run(const char *script, const psrp_command_arg *args, size_t n_args,
                  psrp_value *const *input, size_t n_input, ps_session_state *st,
                  const ps_host *host, ps_emit_fn emit, void *ctx, ps_failure *failure)
{
    ps_session_state local;
    ps_scope scope;
    int rc = scope_open(&scope, &local, st, host, input, n_input, failure);
    ps_run r = {.scope = &scope, .emit = emit, .ctx = ctx};
    ps_script sc = {0};
    ps_parse_error pe;
    int parsed = rc ? -1 : ps_parse(script, &sc, &pe);
    if (parsed > 0) { /* nothing runs: PowerShell parses the whole script first */
        failure->kind = PS_FAILURE_PARSE;
        failure->message = pe.message;
        failure->error_id = pe.id;
    } else if (parsed < 0) {
        rc = PS_ST_FAIL;
    } else {
        rc = bind_script(&r, &sc, args, n_args);
        if (!rc || rc == PS_ST_ERROR) /* a default that failed is written, and the script runs */
            rc = ps_run_block(&r, sc.body);
    }
    rc = scope_close(&scope, &local, sc.n_params, rc);
    ps_script_clear(&sc);
    return rc;
}

int ps_command_run(const char *name, const psrp_command_arg *args, size_t n_args,
                   psrp_value *const *input, size_t n_input, int has_input, ps_session_state *st,
                   const ps_host *host, ps_emit_fn emit, void *ctx, ps_failure *failure)
{
    ps_session_state local;
    ps_scope scope;
    int rc = scope_open(&scope, &local, st, host, input, n_input, failure);
    ps_run r = {.scope = &scope, .emit = emit, .ctx = ctx};
    stage s = {.def = find_command(name), .run = r, .outer = &r};
    if (!rc && !s.def) { /* PowerShell cannot invoke it: the pipeline fails */
        failure->kind = PS_FAILURE_NOT_FOUND;
        failure->message = strdup(name);
        failure->error_id = strdup("CommandNotFoundException");
        rc = failure->message && failure->error_id ? 0 : PS_ST_FAIL;
    } else if (!rc && (rc = ps_bind_values(&r, s.def, args, n_args, &s.bound)) == 0) {
        if (!has_input)
            rc = stage_process(&s, NULL, 0);
        for (size_t i = 0; !rc && has_input && i < n_input; i++)
            rc = stage_process(&s, input[i], 1);
        if (!rc && !s.started && s.def->begin)
            rc = s.def->begin(&s.run, &s.bound);
        if (!rc && s.def->end)
            rc = s.def->end(&s.run, &s.bound);
    }
    ps_bound_clear(&s.bound);
    return scope_close(&scope, &local, 0, rc);
}
