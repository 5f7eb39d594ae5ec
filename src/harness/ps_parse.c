/* ps_parse.c: the parser of the harness's simulated PowerShell (see
 * ps_script_internal.h): recursive descent over the tokens of ps_lex.c
 * into a tree. This half reads statements, pipelines, commands and their
 * arguments, and param(); ps_parse_expr.c reads expressions. The whole
 * script is parsed before it runs, so syntax errors are reported the way
 * PowerShell's parser reports them, and syntax the harness does not have
 * (if, foreach, functions, redirection ...) is named as such instead of
 * being misread. */
#include "src/harness/ps_parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Keywords of statements the harness does not run. */
static const char *const keywords[] = {
    "if", "elseif", "else", "foreach", "for", "while", "do", "until", "switch", "function",
    "filter", "workflow", "return", "break", "continue", "try", "catch", "finally", "trap",
    "exit", "begin", "process", "end", "data", "dynamicparam", "class", "enum", "using",
    "configuration", "hidden", "static", "inlinescript", "parallel", "sequence",
};

void pp_syntax(parser *p, size_t pos, const char *id, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    size_t line = 1, bol = 0;
    for (size_t i = 0; i < pos && i < p->len; i++)
        if (p->s[i] == '\n')
            line++, bol = i + 1;
    size_t eol = bol;
    while (eol < p->len && p->s[eol] != '\n' && p->s[eol] != '\r')
        eol++;
    /* PowerShell's ParseException text: where, the line, a marker, why. */
    psr_buf b = {0};
    psr_buf_printf(&b, "At line:%zu char:%zu\n+ %.*s\n+ %*s~\n", line, pos - bol + 1,
                   (int)(eol - bol), p->s + bol, (int)(pos - bol), "");
    va_list ap;
    va_start(ap, fmt);
    char reason[512];
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    psr_buf_puts(&b, reason);
    p->pe->message = psr_buf_detach(&b, NULL);
    p->pe->id = strdup(id);
    if (!p->pe->message || !p->pe->id)
        p->failed = -1;
}

void pp_unsupported(parser *p, size_t pos, const char *what)
{
    pp_syntax(p, pos, "HarnessUnsupportedSyntax",
           "The harness's PowerShell does not run %s (see psremote-harness(1), POWERSHELL "
           "ENDPOINT).", what);
}

void pp_peek(parser *p, ps_lex_mode mode, ps_token *t)
{
    memset(t, 0, sizeof(*t));
    if (p->failed || ps_lex(p->s, p->len, p->pos, mode, p->after_value, t) != 0) {
        if (!p->failed)
            p->failed = -1;
        ps_token_clear(t);
        t->kind = PT_EOF;
        t->pos = t->end = p->pos;
    }
}

void pp_take(parser *p, ps_token *t, int is_value)
{
    p->pos = t->end;
    p->after_value = is_value;
    ps_token_clear(t);
}

/* Peeks and takes the token if it is of kind k; 1 when it was. */
int pp_accept(parser *p, ps_token_kind k)
{
    ps_token t;
    pp_peek(p, PS_LEX_EXPR, &t);
    int yes = t.kind == k;
    if (yes)
        pp_take(p, &t, k == PT_RPAREN || k == PT_RBRACKET || k == PT_RBRACE);
    ps_token_clear(&t);
    return yes;
}

void pp_skip_newlines(parser *p)
{
    while (pp_accept(p, PT_NEWLINE))
        ;
}

ps_node *pp_node_new(parser *p, ps_node_kind kind, size_t pos)
{
    ps_node *n = calloc(1, sizeof(*n));
    if (!n)
        p->failed = -1;
    else
        n->kind = kind, n->pos = pos, n->end = pos;
    return n;
}

ps_node *pp_add_kid(parser *p, ps_node *n, ps_node *kid)
{
    if (!n || !kid) {
        ps_node_free(kid);
        if (!p->failed)
            p->failed = -1;
        return n;
    }
    ps_node **grown = realloc(n->kids, (n->n_kids + 1) * sizeof(*grown));
    if (!grown) {
        ps_node_free(kid);
        p->failed = -1;
        return n;
    }
    n->kids = grown;
    n->kids[n->n_kids++] = kid;
    if (kid->end > n->end)
        n->end = kid->end;
    return n;
}

void ps_node_free(ps_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        ps_node_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    psrp_value_free(n->value);
    free(n);
}

ps_node *pp_const_string(parser *p, size_t pos, const char *s, size_t n)
{
    ps_node *c = pp_node_new(p, PN_CONST, pos);
    if (c && !(c->value = psrp_value_new_stringn(s, n)))
        p->failed = -1;
    return c;
}

int pp_is_terminator(ps_token_kind k)
{
    return k == PT_EOF || k == PT_NEWLINE || k == PT_SEMI || k == PT_PIPE || k == PT_RPAREN ||
           k == PT_RBRACE;
}


/* A bad token where a value or statement should be. */
void pp_bad_token(parser *p, const ps_token *t, const char *after)
{
    if (t->kind == PT_BAD && t->text && strcmp(t->text, "TerminatorExpectedAtEndOfString") == 0)
        pp_syntax(p, t->pos, t->text, "The string is missing the terminator: %c.", p->s[t->pos]);
    else if (t->kind == PT_BAD && t->text && strcmp(t->text, "MissingEndCurlyBrace") == 0)
        pp_syntax(p, t->pos, t->text, "Missing closing '}' in statement block or type definition.");
    else if (t->kind == PT_OP && t->op == PO_UNSUPPORTED) {
        char what[64];
        snprintf(what, sizeof(what), "the '%s' operator", t->text ? t->text : "?");
        pp_unsupported(p, t->pos, what);
    } else if (t->kind == PT_BAD && t->text && (*t->text == '&' || strchr(t->text, '>') ||
                                                *t->text == '<'))
        pp_unsupported(p, t->pos, *t->text == '&' ? "the call operator &" : "redirection");
    else if (t->kind == PT_BAD && t->text && strcmp(t->text, "@{") == 0)
        pp_unsupported(p, t->pos, "hash tables");
    else if (t->kind == PT_BAD && t->text && strcmp(t->text, "||") == 0)
        pp_unsupported(p, t->pos, "pipeline chains (&& and ||)");
    else if (pp_is_terminator(t->kind) && after)
        pp_syntax(p, t->pos, "ExpectedValueExpression",
               "You must provide a value expression following the '%s' operator.", after);
    else if (t->kind == PT_EOF || t->kind == PT_NEWLINE)
        pp_syntax(p, t->pos, "ExpectedExpression", "An expression was expected after '('.");
    else
        pp_syntax(p, t->pos, "UnexpectedToken", "Unexpected token '%.*s' in expression or statement.",
               (int)(t->end > t->pos ? t->end - t->pos : 1), p->s + t->pos);
}

/* Statements up to closer (RPAREN, RBRACE or EOF), which is taken. */
static ps_node *block_body(parser *p, ps_token_kind closer, size_t open_pos, const char *id,
                           const char *missing)
{
    ps_node *b = pp_node_new(p, PN_BLOCK, open_pos);
    for (;;) {
        ps_token t;
        pp_peek(p, PS_LEX_EXPR, &t);
        if (p->failed) {
            ps_token_clear(&t);
            break;
        }
        if (t.kind == PT_NEWLINE || t.kind == PT_SEMI) {
            pp_take(p, &t, 0);
            continue;
        }
        if (t.kind == closer) {
            if (b)
                b->end = t.end;
            pp_take(p, &t, closer != PT_EOF);
            break;
        }
        if (t.kind == PT_EOF) {
            pp_syntax(p, open_pos, id, "%s", missing);
            ps_token_clear(&t);
            break;
        }
        if (t.kind == PT_RPAREN || t.kind == PT_RBRACE) {
            pp_bad_token(p, &t, NULL);
            ps_token_clear(&t);
            break;
        }
        ps_token_clear(&t);
        b = pp_add_kid(p, b, pp_parse_statement(p));
        /* a statement ends at a separator or the closer */
        pp_peek(p, PS_LEX_EXPR, &t);
        if (!p->failed && t.kind != PT_NEWLINE && t.kind != PT_SEMI && t.kind != closer &&
            t.kind != PT_EOF)
            pp_bad_token(p, &t, NULL);
        ps_token_clear(&t);
    }
    return b;
}

ps_node *pp_parse_block(parser *p, ps_token_kind closer, size_t open_pos, const char *id,
                            const char *missing)
{
    if (p->depth >= PP_MAX_DEPTH) {
        pp_syntax(p, open_pos, "ScriptTooDeep",
                  "The harness parses expressions and blocks nested at most %d deep.",
                  PP_MAX_DEPTH);
        return NULL;
    }
    p->depth++;
    ps_node *b = block_body(p, closer, open_pos, id, missing);
    p->depth--;
    return b;
}

/* A command argument: a bare word, a number, a value, or a list of them. */
static ps_node *parse_argument(parser *p)
{
    ps_node *first = pp_parse_postfix(p, PS_LEX_ARG, NULL), *a = NULL;
    while (!p->failed && pp_accept(p, PT_COMMA)) {
        if (!a)
            a = pp_add_kid(p, pp_node_new(p, PN_ARRAY, first ? first->pos : p->pos), first);
        pp_skip_newlines(p);
        a = pp_add_kid(p, a, pp_parse_postfix(p, PS_LEX_ARG, ","));
    }
    return a ? a : first;
}

static ps_node *parse_command(parser *p)
{
    ps_token t;
    pp_peek(p, PS_LEX_ARG, &t);
    ps_node *c = pp_node_new(p, PN_COMMAND, t.pos);
    if (c)
        c->text = t.text, t.text = NULL;
    pp_take(p, &t, 0);
    while (c && !p->failed) {
        pp_peek(p, PS_LEX_ARG, &t);
        if (pp_is_terminator(t.kind)) {
            ps_token_clear(&t);
            break;
        }
        if (t.kind == PT_PARAM) {
            ps_node *param = pp_node_new(p, PN_PARAM, t.pos);
            int with_value = t.op == PO_ASSIGN;
            if (param)
                param->text = t.text, t.text = NULL;
            pp_take(p, &t, 0);
            if (with_value)
                param = pp_add_kid(p, param, parse_argument(p));
            c = pp_add_kid(p, c, param);
        } else if (t.kind == PT_BAD || t.kind == PT_COMMA || t.kind == PT_RBRACKET) {
            pp_bad_token(p, &t, NULL);
            ps_token_clear(&t);
        } else {
            ps_token_clear(&t);
            c = pp_add_kid(p, c, parse_argument(p));
        }
    }
    return c;
}

/* What starts a command rather than an expression: a name (also the
 * aliases % and ?). */
static int starts_command(parser *p, const ps_token *t)
{
    return t->kind == PT_WORD || (t->kind == PT_OP && t->op == PO_MOD) ||
           (t->kind == PT_BAD && p->s[t->pos] == '?');
}

static ps_node *parse_pipeline(parser *p)
{
    ps_token t;
    pp_peek(p, PS_LEX_EXPR, &t);
    ps_node *pl = pp_node_new(p, PN_PIPELINE, t.pos);
    int command = starts_command(p, &t);
    ps_token_clear(&t);
    pl = pp_add_kid(p, pl, command ? parse_command(p) : pp_parse_expression(p));
    while (!p->failed && pp_accept(p, PT_PIPE)) {
        pp_skip_newlines(p);
        pp_peek(p, PS_LEX_EXPR, &t);
        if (pp_is_terminator(t.kind))
            pp_syntax(p, t.pos, "EmptyPipeElement", "An empty pipe element is not allowed.");
        else if (!starts_command(p, &t))
            pp_syntax(p, t.pos, "ExpressionsMustBeFirstInPipeline",
                   "Expressions are only allowed as the first element of a pipeline.");
        ps_token_clear(&t);
        pl = pp_add_kid(p, pl, parse_command(p));
    }
    return pl;
}

static int is_keyword(const ps_token *t)
{
    for (size_t i = 0; t->kind == PT_WORD && i < sizeof(keywords) / sizeof(keywords[0]); i++)
        if (strcasecmp(t->text, keywords[i]) == 0)
            return 1;
    return 0;
}

ps_node *pp_parse_statement(parser *p)
{
    ps_token t;
    pp_peek(p, PS_LEX_ARG, &t);
    if (t.kind == PT_WORD && (is_keyword(&t) || strcasecmp(t.text, "param") == 0)) {
        char what[64];
        snprintf(what, sizeof(what), strcasecmp(t.text, "param") == 0
                                         ? "param() after the script's first statement"
                                         : "'%s' statements", t.text);
        pp_unsupported(p, t.pos, what);
        ps_token_clear(&t);
        return NULL;
    }
    if (t.kind == PT_WORD && strcasecmp(t.text, "throw") == 0) {
        ps_node *th = pp_node_new(p, PN_THROW, t.pos);
        pp_take(p, &t, 0);
        pp_peek(p, PS_LEX_EXPR, &t);
        int bare = pp_is_terminator(t.kind);
        ps_token_clear(&t);
        return bare ? th : pp_add_kid(p, th, parse_pipeline(p));
    }
    ps_token_clear(&t);
    pp_peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_VAR) {
        /* $name = ...: look past the variable for an assignment */
        size_t save = p->pos;
        int save_after = p->after_value;
        char *name = t.text;
        t.text = NULL;
        size_t pos = t.pos;
        pp_take(p, &t, 1);
        pp_peek(p, PS_LEX_EXPR, &t);
        if (t.kind == PT_OP && t.op >= PO_ASSIGN && t.op <= PO_MOD_ASSIGN) {
            ps_node *a = pp_node_new(p, PN_ASSIGN, pos);
            if (a)
                a->text = name, a->op = t.op;
            else
                free(name);
            const char *op = ps_op_name(t.op);
            pp_take(p, &t, 0);
            pp_skip_newlines(p);
            pp_peek(p, PS_LEX_EXPR, &t);
            if (pp_is_terminator(t.kind)) {
                pp_syntax(p, t.pos, "ExpectedValueExpression",
                       "You must provide a value expression following the '%s' operator.", op);
                ps_token_clear(&t);
                return a;
            }
            ps_token_clear(&t);
            return pp_add_kid(p, a, pp_parse_statement(p));
        }
        free(name);
        ps_token_clear(&t);
        p->pos = save;
        p->after_value = save_after;
    } else {
        ps_token_clear(&t);
    }
    return parse_pipeline(p);
}

/* param([type] $a, $b = default): at the script's start only. */
static void parse_param_block(parser *p, ps_script *out)
{
    ps_token t;
    size_t start = p->pos;
    pp_skip_newlines(p);
    pp_peek(p, PS_LEX_ARG, &t);
    size_t after = t.end;
    while (after < p->len && (p->s[after] == ' ' || p->s[after] == '\t'))
        after++;
    if (t.kind != PT_WORD || strcasecmp(t.text, "param") != 0 || after >= p->len ||
        p->s[after] != '(') {
        ps_token_clear(&t);
        p->pos = start;
        return;
    }
    size_t open = after;
    ps_token_clear(&t);
    p->pos = after + 1;
    p->after_value = 0;
    for (;;) {
        pp_skip_newlines(p);
        if (pp_accept(p, PT_RPAREN))
            break;
        pp_peek(p, PS_LEX_EXPR, &t);
        while (t.kind == PT_TYPE) { /* types and attributes are not enforced */
            pp_take(p, &t, 0);
            pp_skip_newlines(p);
            pp_peek(p, PS_LEX_EXPR, &t);
        }
        if (t.kind != PT_VAR) {
            if (t.kind == PT_EOF)
                pp_syntax(p, open, "MissingEndParenthesisInFunctionParameterList",
                       "Missing ')' in function parameter list.");
            else
                pp_bad_token(p, &t, NULL);
            ps_token_clear(&t);
            return;
        }
        char **names = realloc(out->params, (out->n_params + 1) * sizeof(*names));
        ps_node **defs = names ? realloc(out->defaults, (out->n_params + 1) * sizeof(*defs)) : NULL;
        if (names)
            out->params = names;
        if (!defs) {
            ps_token_clear(&t);
            p->failed = -1;
            return;
        }
        out->defaults = defs;
        out->params[out->n_params] = t.text;
        out->defaults[out->n_params++] = NULL;
        t.text = NULL;
        pp_take(p, &t, 1);
        pp_peek(p, PS_LEX_EXPR, &t);
        if (t.kind == PT_OP && t.op == PO_ASSIGN) {
            pp_take(p, &t, 0);
            p->no_comma = 1;
            out->defaults[out->n_params - 1] = pp_parse_expression(p);
            p->no_comma = 0;
        } else {
            ps_token_clear(&t);
        }
        pp_skip_newlines(p);
        if (p->failed || pp_accept(p, PT_RPAREN))
            break;
        if (!pp_accept(p, PT_COMMA)) {
            pp_peek(p, PS_LEX_EXPR, &t);
            pp_bad_token(p, &t, NULL);
            ps_token_clear(&t);
            return;
        }
    }
    p->after_value = 0;
}

int ps_parse(const char *src, ps_script *out, ps_parse_error *pe)
{
    memset(out, 0, sizeof(*out));
    memset(pe, 0, sizeof(*pe));
    out->src = strdup(src);
    if (!out->src)
        return -1;
    parser p = {.s = out->src, .len = strlen(out->src), .pe = pe};
    parse_param_block(&p, out);
    if (!p.failed)
        out->body = pp_parse_block(&p, PT_EOF, 0, "", "");
    if (p.failed) {
        ps_script_clear(out);
        if (p.failed < 0) {
            free(pe->message);
            free(pe->id);
            memset(pe, 0, sizeof(*pe));
        }
        return p.failed;
    }
    return 0;
}

void ps_script_clear(ps_script *s)
{
    ps_node_free(s->body);
    for (size_t i = 0; i < s->n_params; i++) {
        free(s->params[i]);
        ps_node_free(s->defaults[i]);
    }
    free(s->params);
    free(s->defaults);
    free(s->src);
    memset(s, 0, sizeof(*s));
}
