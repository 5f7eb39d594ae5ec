/* ps_script.c: the simulated PowerShell of psremote-harness (see
 * ps_script.h). A statement-at-a-time reader: each statement is one command
 * word and an expression, which is all the test language needs. */
#include "src/harness/ps_script_internal.h"

#include "common/buf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>


static const psrp_value *lookup_var(const ps_run *r, const char *name, size_t len);

/* $name or $name.Property */
const psrp_value *ps_lookup(const ps_run *r, const char *name, size_t len)
{
    const char *dot = memchr(name, '.', len);
    if (!dot)
        return lookup_var(r, name, len);
    const psrp_value *v = lookup_var(r, name, (size_t)(dot - name));
    char prop[64];
    snprintf(prop, sizeof(prop), "%.*s", (int)(len - (size_t)(dot - name) - 1), dot + 1);
    return v && v->kind == PSRP_V_OBJECT ? psrp_object_get(v, prop) : NULL;
}

static const psrp_value *lookup_var(const ps_run *r, const char *name, size_t len)
{
    for (size_t i = 0; i < r->n_vars; i++)
        if (strlen(r->names[i]) == len && strncasecmp(r->names[i], name, len) == 0)
            return r->values[i];
    for (size_t i = 0; r->st && i < r->st->n; i++)
        if (strlen(r->st->names[i]) == len && strncasecmp(r->st->names[i], name, len) == 0)
            return r->st->values[i];
    return NULL;
}

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

static size_t name_len(const char *p)
{
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    return n;
}

/* A name with an optional .Property: "c.Password" */
size_t ps_path_len(const char *p)
{
    size_t n = name_len(p);
    if (n && p[n] == '.' && name_len(p + n + 1))
        n += 1 + name_len(p + n + 1);
    return n;
}

/* A value as PowerShell puts it in a string: text as is, numbers in
 * decimal, arrays joined with spaces. */
static void append_text(psr_buf *out, const psrp_value *v)
{
    int64_t n;
    if (!v)
        return;
    if (psrp_value_text(v)) {
        psr_buf_puts(out, psrp_value_text(v));
    } else if (psrp_value_get_i64(v, &n) == 0) {
        psr_buf_printf(out, "%lld", (long long)n);
    } else if (v->kind == PSRP_V_OBJECT && v->u.obj.coll == PSRP_COLL_LIST) {
        for (size_t i = 0; i < v->u.obj.n_items; i++) {
            if (i)
                psr_buf_putc(out, ' ');
            append_text(out, v->u.obj.items[i]);
        }
    }
}

/* "text with $name" -> text with the variable's text. */
static void expand(const ps_run *r, psr_buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '$' && i + 1 < len) {
            size_t n = ps_path_len(s + i + 1);
            if (n && i + 1 + n <= len) {
                append_text(out, ps_lookup(r, s + i + 1, n));
                i += n;
                continue;
            }
        }
        psr_buf_putc(out, s[i]);
    }
}

int ps_emit_value(ps_run *r, psrp_value *v)
{
    if (!v)
        return -1;
    int rc = r->emit(r->ctx, PS_EV_OUTPUT, v, NULL);
    psrp_value_free(v);
    return rc;
}

size_t ps_split_args(const char *s, size_t len, const char **starts, size_t *lens, size_t max)
{
    size_t n = 0, depth = 0;
    char quote = 0;
    const char *start = s;
    for (size_t i = 0; i <= len && n < max; i++) {
        char c = i < len ? s[i] : ',';
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if ((c == ')' || c == ']' || c == '}') && depth) {
            depth--;
        } else if (c == ',' && depth == 0) {
            starts[n] = start;
            lens[n++] = (size_t)(s + i - start);
            start = s + i + 1;
        }
    }
    return n;
}

/* Evaluates an expression and emits each value it yields as output, or
 * (text_only) appends its text to out. */
static int eval(ps_run *r, const char *e, psr_buf *text_out, int bare_is_string)
{
    while (isspace((unsigned char)*e))
        e++;
    size_t len = strlen(e);
    while (len && isspace((unsigned char)e[len - 1]))
        len--;
    if (!len)
        return 0;
    /* 'a', 'b': each value in turn (an array when assigned) */
    const char *starts[64];
    size_t lens[64];
    size_t n_items = ps_split_args(e, len, starts, lens, 64);
    if (n_items > 1) {
        for (size_t i = 0; i < n_items; i++) {
            char *item = strndup(starts[i], lens[i]);
            int rc = item ? eval(r, item, text_out, bare_is_string) : -1;
            free(item);
            if (rc)
                return rc;
            if (text_out && i + 1 < n_items)
                psr_buf_putc(text_out, ' ');
        }
        return 0;
    }
    if ((e[0] == '\'' || e[0] == '"') && len >= 2 && e[len - 1] == e[0]) {
        psr_buf s = {0};
        if (e[0] == '"')
            expand(r, &s, e + 1, len - 2);
        else
            psr_buf_append(&s, e + 1, len - 2);
        int rc = 0;
        if (text_out)
            psr_buf_puts(text_out, s.data ? s.data : "");
        else
            rc = ps_emit_value(r, psrp_value_new_string(s.data ? s.data : ""));
        psr_buf_free(&s);
        return rc;
    }
    if (strncasecmp(e, "$args", len) == 0 && len == 5) {
        for (size_t i = 0; i < r->n_args; i++)
            if (r->emit(r->ctx, PS_EV_OUTPUT, r->args[i], NULL))
                return -1;
        return 0;
    }
    if (strncasecmp(e, "$input", len) == 0 && len == 6) {
        for (size_t i = 0; i < r->n_input; i++)
            if (r->emit(r->ctx, PS_EV_OUTPUT, r->input[i], NULL))
                return -1;
        return 0;
    }
    if (e[0] == '$') {
        const psrp_value *v = ps_lookup(r, e + 1, len - 1);
        if (text_out) {
            append_text(text_out, v);
            return 0;
        }
        if (v && v->kind == PSRP_V_OBJECT && v->u.obj.coll == PSRP_COLL_LIST) {
            /* arrays are unrolled on output, one object at a time */
            for (size_t i = 0; i < v->u.obj.n_items; i++)
                if (r->emit(r->ctx, PS_EV_OUTPUT, v->u.obj.items[i], NULL))
                    return -1;
            return 0;
        }
        return v ? r->emit(r->ctx, PS_EV_OUTPUT, v, NULL) : 0;
    }
    char *end;
    long long a = strtoll(e, &end, 10);
    if (end != e && end[0] == '.' && end[1] == '.') {
        long long b = strtoll(end + 2, &end, 10);
        for (long long i = a; a <= b ? i <= b : i >= b; i += a <= b ? 1 : -1)
            if (ps_emit_value(r, psrp_value_new_i32((int32_t)i)))
                return -1;
        return 0;
    }
    if (end == e + len) {
        if (text_out) {
            psr_buf_append(text_out, e, len);
            return 0;
        }
        return ps_emit_value(r, psrp_value_new_i32((int32_t)a));
    }
    if (bare_is_string) { /* a command argument: a bare word is a string */
        if (text_out)
            return psr_buf_append(text_out, e, len);
        return ps_emit_value(r, psrp_value_new_stringn(e, len));
    }
    /* A bare word: a command we do not know. */
    char name[128];
    size_t n = 0;
    while (n + 1 < sizeof(name) && e[n] && !isspace((unsigned char)e[n]))
        name[n] = e[n], n++;
    name[n] = '\0';
    return r->emit(r->ctx, PS_EV_NOT_FOUND, NULL, name);
}

static int bind_params(ps_run *r, const char *p)
{
    /* param($a, $b): names in order */
    size_t k = 0;
    for (const char *q = strchr(p, '$'); q && r->n_vars < MAX_VARS; q = strchr(q + 1, '$')) {
        size_t n = name_len(q + 1);
        if (!n)
            continue;
        r->names[r->n_vars] = strndup(q + 1, n);
        r->values[r->n_vars] = k < r->n_args ? psrp_value_ref(r->args[k]) : psrp_value_new_nil();
        r->n_vars++;
        k++;
    }
    return 0;
}

static const struct {
    const char *name;
    ps_event_kind kind;
} writers[] = {
    {"Write-Error", PS_EV_ERROR},         {"Write-Warning", PS_EV_WARNING},
    {"Write-Verbose", PS_EV_VERBOSE},     {"Write-Debug", PS_EV_DEBUG},
    {"Write-Information", PS_EV_INFORMATION}, {"Write-Host", PS_EV_HOST},
};

/* Drops trailing common parameters (-Verbose, -Debug ...) from an argument. */
static void strip_switches(char *s)
{
    char *dash;
    while ((dash = strrchr(s, '-')) != NULL && dash > s && isspace((unsigned char)dash[-1]) &&
           isalpha((unsigned char)dash[1]) && !strchr(dash, '\'') && !strchr(dash, '"'))
        *dash = '\0';
}

/* ---- commands that read the machine ---- */

/* The time as .NET writes a DateTime: 2026-11-24T05:10:00.1234567+00:00. */
static psrp_value *datetime_value(time_t t, long nsec)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    char text[64];
    snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%07ld+00:00", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec / 100);
    return psrp_value_new_text(PSRP_V_DATETIME, text, strlen(text));
}

static int get_date(ps_run *r)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ps_emit_value(r, datetime_value(ts.tv_sec, ts.tv_nsec));
}

static int get_culture(ps_run *r)
{
    static const char *const types[] = {"System.Globalization.CultureInfo", "System.Object", NULL};
    const char *name = r->st && r->st->culture[0] ? r->st->culture : "en-US";
    psrp_value *o = psrp_value_new_object(types);
    if (!o || psrp_object_add(o, "Name", psrp_value_new_string(name)) ||
        psrp_object_set_to_string(o, name)) {
        psrp_value_free(o);
        return -1;
    }
    return ps_emit_value(r, o);
}

/* An argument: a quoted or bare path, with "$var" expanded. */
void ps_argument_text(ps_run *r, const char *arg, psr_buf *out)
{
    eval(r, arg, out, 1);
}

static int not_found_error(ps_run *r, const char *path)
{
    char msg[PATH_MAX + 64];
    snprintf(msg, sizeof(msg), "Cannot find path '%s' because it does not exist.", path);
    return r->emit(r->ctx, PS_EV_ERROR, NULL, msg);
}

static int get_child_item(ps_run *r, const char *arg)
{
    static const char *const file_types[] = {"System.IO.FileInfo", "System.IO.FileSystemInfo",
                                             "System.MarshalByRefObject", "System.Object", NULL};
    static const char *const dir_types[] = {"System.IO.DirectoryInfo", "System.IO.FileSystemInfo",
                                            "System.MarshalByRefObject", "System.Object", NULL};
    psr_buf path = {0};
    ps_argument_text(r, arg, &path);
    const char *dir = path.data && *path.data ? path.data : ".";
    DIR *d = opendir(dir);
    int rc = 0;
    if (!d) {
        rc = not_found_error(r, dir);
        psr_buf_free(&path);
        return rc;
    }
    /* sorted by name, as Get-ChildItem shows them */
    struct dirent **list = NULL;
    closedir(d);
    int n = scandir(dir, &list, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (!rc && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            char full[PATH_MAX];
            snprintf(full, sizeof(full), "%s/%s", dir, name);
            struct stat sb;
            if (stat(full, &sb) == 0) {
                int is_dir = S_ISDIR(sb.st_mode);
                psrp_value *o = psrp_value_new_object(is_dir ? dir_types : file_types);
                int bad = !o || psrp_object_add(o, "Name", psrp_value_new_string(name)) ||
                          psrp_object_add(o, "FullName", psrp_value_new_string(full)) ||
                          (!is_dir && psrp_object_add(o, "Length",
                                                      psrp_value_new_i64((int64_t)sb.st_size))) ||
                          psrp_object_add(o, "LastWriteTime",
                                          datetime_value(sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec)) ||
                          psrp_object_set_to_string(o, name);
                rc = bad ? (psrp_value_free(o), -1) : ps_emit_value(r, o);
            }
        }
        free(list[i]);
    }
    free(list);
    psr_buf_free(&path);
    return rc;
}

static int get_content(ps_run *r, const char *arg)
{
    psr_buf path = {0};
    ps_argument_text(r, arg, &path);
    FILE *f = path.data ? fopen(path.data, "r") : NULL;
    int rc = 0;
    if (!f) {
        rc = not_found_error(r, path.data ? path.data : "");
        psr_buf_free(&path);
        return rc;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        rc = ps_emit_value(r, psrp_value_new_stringn(line, (size_t)len));
    }
    free(line);
    fclose(f);
    psr_buf_free(&path);
    return rc;
}

static int start_sleep(ps_run *r, const char *arg)
{
    while (isspace((unsigned char)*arg))
        arg++;
    long ms = 0;
    if (strncasecmp(arg, "-Milliseconds", 13) == 0)
        ms = strtol(arg + 13, NULL, 10);
    else if (strncasecmp(arg, "-Seconds", 8) == 0)
        ms = strtol(arg + 8, NULL, 10) * 1000;
    else
        ms = strtol(arg, NULL, 10) * 1000;
    if (ms > 60000)
        ms = 60000;
    if (r->host && r->host->sleep)
        return r->host->sleep(r->host->ctx, ms) ? 2 : 0;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return 0;
}

/* Write-Progress -Activity A -Status S -PercentComplete N [-Completed]:
 * named parameters with quoted or bare values. */
static int write_progress(ps_run *r, const char *arg)
{
    char activity[256] = "", status[256] = "Processing";
    long percent = -1;
    int completed = 0;
    const char *p = arg;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '-')
            break;
        size_t n = strcspn(p, " \t");
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        p += n;
        while (isspace((unsigned char)*p))
            p++;
        if (strcasecmp(name, "-Completed") == 0) {
            completed = 1;
            continue;
        }
        /* the value: 'quoted', "quoted" or one word */
        const char *v = p, *end;
        if (*p == '\'' || *p == '"') {
            end = strchr(p + 1, *p);
            v = p + 1;
            p = end ? end + 1 : p + strlen(p);
        } else {
            end = p + strcspn(p, " \t");
            p = end;
        }
        size_t vlen = end ? (size_t)(end - v) : strlen(v);
        if (strcasecmp(name, "-Activity") == 0)
            snprintf(activity, sizeof(activity), "%.*s", (int)vlen, v);
        else if (strcasecmp(name, "-Status") == 0)
            snprintf(status, sizeof(status), "%.*s", (int)vlen, v);
        else if (strcasecmp(name, "-PercentComplete") == 0)
            percent = strtol(v, NULL, 10);
    }
    psrp_value *o = psrp_value_new_object(NULL);
    if (!o || psrp_object_add(o, "Activity", psrp_value_new_string(activity)) ||
        psrp_object_add(o, "StatusDescription", psrp_value_new_string(status)) ||
        psrp_object_add(o, "PercentComplete", psrp_value_new_i32((int32_t)percent)) ||
        psrp_object_add(o, "Completed", psrp_value_new_bool(completed))) {
        psrp_value_free(o);
        return -1;
    }
    int rc = r->emit(r->ctx, PS_EV_PROGRESS, o, NULL);
    psrp_value_free(o);
    return rc;
}

/* ---- assignment ---- */

typedef struct collector {
    psrp_value *first;
    psrp_value *list;   /* from the second value on */
    ps_emit_fn emit;    /* where everything but output still goes */
    void *ctx;
} collector;

static int collect(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text)
{
    collector *c = ctx;
    if (kind != PS_EV_OUTPUT || !value) /* errors and records are not assigned */
        return c->emit(c->ctx, kind, value, text);
    static const char *const types[] = {"System.Object[]", "System.Array", "System.Object", NULL};
    if (!c->first && !c->list) {
        c->first = psrp_value_ref((psrp_value *)value);
        return 0;
    }
    if (!c->list) {
        c->list = psrp_value_new_collection(PSRP_COLL_LIST, types);
        if (!c->list || psrp_list_append(c->list, c->first))
            return -1;
        c->first = NULL;
    }
    return psrp_list_append(c->list, psrp_value_ref((psrp_value *)value));
}

static int statement(ps_run *r, char *st, char **failure);

/* $name = STATEMENT: what the statement outputs, not shown but kept. */
static int assign(ps_run *r, const char *name, size_t len, const char *expr, char **failure)
{
    collector c = {.emit = r->emit, .ctx = r->ctx};
    ps_run inner = *r;
    inner.emit = collect;
    inner.ctx = &c;
    char *copy = strdup(expr);
    int rc = copy ? statement(&inner, copy, failure) : -1;
    free(copy);
    if (rc == 1 || rc == 2) { /* throw, or stopped: nothing is assigned */
        psrp_value_free(c.first);
        psrp_value_free(c.list);
        return rc;
    }
    psrp_value *v = c.list ? c.list : c.first ? c.first : psrp_value_new_nil();
    if (rc || !v) {
        psrp_value_free(v);
        return rc ? rc : -1;
    }
    ps_session_state *st = r->st;
    if (!st) { /* no session: a local variable */
        if (r->n_vars >= MAX_VARS) {
            psrp_value_free(v);
            return 0;
        }
        r->names[r->n_vars] = strndup(name, len);
        r->values[r->n_vars++] = v;
        return 0;
    }
    for (size_t i = 0; i < st->n; i++) {
        if (strlen(st->names[i]) == len && strncasecmp(st->names[i], name, len) == 0) {
            psrp_value_free(st->values[i]);
            st->values[i] = v;
            return 0;
        }
    }
    char **names = realloc(st->names, (st->n + 1) * sizeof(*names));
    psrp_value **values = names ? realloc(st->values, (st->n + 1) * sizeof(*values)) : NULL;
    if (names)
        st->names = names;
    if (!values || !(st->names[st->n] = strndup(name, len))) {
        psrp_value_free(v);
        return -1;
    }
    st->values = values;
    st->values[st->n++] = v;
    return 0;
}

static int statement(ps_run *r, char *st, char **failure)
{
    while (isspace((unsigned char)*st))
        st++;
    if (!*st)
        return 0;
    if (strncasecmp(st, "param(", 6) == 0 || strncasecmp(st, "param (", 7) == 0) {
        char *close = strchr(st, ')');
        if (!close)
            return bind_params(r, st);
        *close = '\0';
        bind_params(r, st);
        return statement(r, close + 1, failure);
    }
    if (strncasecmp(st, "$host.UI.PromptForChoice", 24) == 0)
        return ps_cmd_prompt_for_choice(r, st + 24);
    if (st[0] == '$') {
        size_t n = name_len(st + 1);
        const char *eq = st + 1 + n;
        while (isspace((unsigned char)*eq))
            eq++;
        if (n && eq[0] == '=' && eq[1] != '=')
            return assign(r, st + 1, n, eq + 1, failure);
    }
    size_t word = 0;
    while (st[word] && !isspace((unsigned char)st[word]))
        word++;
    char *rest = st + word;
    static const struct {
        const char *name;
        int (*run)(ps_run *r, const char *arg);
    } commands[] = {
        {"Get-ChildItem", get_child_item},
        {"Get-Content", get_content},
        {"Start-Sleep", start_sleep},
        /* before strip_switches, which would take its -Completed */
        {"Write-Progress", write_progress},
        {"ConvertFrom-SecureString", ps_cmd_convert_from_secure_string},
        {"ConvertTo-SecureString", ps_cmd_convert_to_secure_string},
        {"New-Object", ps_cmd_new_choice_description},
        {"Read-Host", ps_cmd_read_host},
        {"Get-Credential", ps_cmd_get_credential},
        {"Harness-BreakRunspacePool", ps_cmd_break_pool},
        {"Harness-IgnoreStop", ps_cmd_ignore_stop},
    };
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strlen(commands[i].name) == word && strncasecmp(st, commands[i].name, word) == 0)
            return commands[i].run(r, rest);
    if (word == 8 && strncasecmp(st, "Get-Date", 8) == 0)
        return get_date(r);
    if (word == 11 && strncasecmp(st, "Get-Culture", 11) == 0)
        return get_culture(r);
    strip_switches(rest);
    if (word == 5 && strncasecmp(st, "throw", 5) == 0) {
        psr_buf t = {0};
        eval(r, rest, &t, 1);
        *failure = strdup(t.data ? t.data : "ScriptHalted");
        psr_buf_free(&t);
        return 1;
    }
    if (word == 12 && strncasecmp(st, "Write-Output", 12) == 0)
        return eval(r, rest, NULL, 1);
    for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
        if (strlen(writers[i].name) == word && strncasecmp(st, writers[i].name, word) == 0) {
            psr_buf t = {0};
            eval(r, rest, &t, 1);
            int rc = r->emit(r->ctx, writers[i].kind, NULL, t.data ? t.data : "");
            psr_buf_free(&t);
            return rc;
        }
    }
    return eval(r, st, NULL, 0);
}

int ps_script_run(const char *script, psrp_value *const *args, size_t n_args,
                  psrp_value *const *input, size_t n_input, ps_session_state *st,
                  const ps_host *host, ps_emit_fn emit, void *ctx, char **failure)
{
    ps_run r = {.args = args, .n_args = n_args, .input = input, .n_input = n_input, .st = st,
                .host = host, .emit = emit, .ctx = ctx};
    *failure = NULL;
    char *copy = strdup(script);
    if (!copy)
        return -1;
    int rc = 0;
    char quote = 0;
    char *start = copy;
    for (char *p = copy;; p++) {
        if (*p && quote) {
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            continue;
        }
        if (*p == ';' || *p == '\n' || *p == '\0') {
            int last = *p == '\0';
            *p = '\0';
            rc = statement(&r, start, failure);
            start = p + 1;
            if (rc || last)
                break;
        }
    }
    for (size_t i = 0; i < r.n_vars; i++) {
        free(r.names[i]);
        psrp_value_free(r.values[i]);
    }
    free(copy);
    return rc < 0 ? -1 : rc == 2 ? 2 : 0;
}
