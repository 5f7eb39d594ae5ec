/* ps_script.c: the simulated PowerShell of psremote-harness (see
 * ps_script.h). A statement-at-a-time reader: each statement is one command
 * word and an expression, which is all the test language needs. */
#include "src/harness/ps_script.h"

#include "common/buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_VARS 16

typedef struct ps_run {
    char *names[MAX_VARS];
    psrp_value *values[MAX_VARS];
    size_t n_vars;
    psrp_value *const *args;
    size_t n_args;
    psrp_value *const *input;
    size_t n_input;
    ps_emit_fn emit;
    void *ctx;
} ps_run;

static const psrp_value *lookup(const ps_run *r, const char *name, size_t len)
{
    for (size_t i = 0; i < r->n_vars; i++)
        if (strlen(r->names[i]) == len && strncasecmp(r->names[i], name, len) == 0)
            return r->values[i];
    return NULL;
}

static size_t name_len(const char *p)
{
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    return n;
}

/* "text with $name" -> text with the variable's text. */
static void expand(const ps_run *r, psr_buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '$' && i + 1 < len) {
            size_t n = name_len(s + i + 1);
            if (n && i + 1 + n <= len) {
                const psrp_value *v = lookup(r, s + i + 1, n);
                const char *t = v ? psrp_value_text(v) : NULL;
                if (t)
                    psr_buf_puts(out, t);
                i += n;
                continue;
            }
        }
        psr_buf_putc(out, s[i]);
    }
}

static int emit_value(ps_run *r, psrp_value *v)
{
    if (!v)
        return -1;
    int rc = r->emit(r->ctx, PS_EV_OUTPUT, v, NULL);
    psrp_value_free(v);
    return rc;
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
            rc = emit_value(r, psrp_value_new_string(s.data ? s.data : ""));
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
        const psrp_value *v = lookup(r, e + 1, len - 1);
        if (text_out) {
            const char *t = v ? psrp_value_text(v) : NULL;
            psr_buf_puts(text_out, t ? t : "");
            return 0;
        }
        return v ? r->emit(r->ctx, PS_EV_OUTPUT, v, NULL) : 0;
    }
    char *end;
    long long a = strtoll(e, &end, 10);
    if (end != e && end[0] == '.' && end[1] == '.') {
        long long b = strtoll(end + 2, &end, 10);
        for (long long i = a; a <= b ? i <= b : i >= b; i += a <= b ? 1 : -1)
            if (emit_value(r, psrp_value_new_i32((int32_t)i)))
                return -1;
        return 0;
    }
    if (end == e + len) {
        if (text_out) {
            psr_buf_append(text_out, e, len);
            return 0;
        }
        return emit_value(r, psrp_value_new_i32((int32_t)a));
    }
    if (bare_is_string) { /* a command argument: a bare word is a string */
        if (text_out)
            return psr_buf_append(text_out, e, len);
        return emit_value(r, psrp_value_new_stringn(e, len));
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
    size_t word = 0;
    while (st[word] && !isspace((unsigned char)st[word]))
        word++;
    char *rest = st + word;
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
                  psrp_value *const *input, size_t n_input, ps_emit_fn emit, void *ctx,
                  char **failure)
{
    ps_run r = {.args = args, .n_args = n_args, .input = input, .n_input = n_input,
                .emit = emit, .ctx = ctx};
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
    return rc < 0 ? -1 : 0;
}
