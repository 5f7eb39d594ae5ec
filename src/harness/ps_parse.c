/* ps_parse.c: the parser of the harness's simulated PowerShell (see
 * ps_script_internal.h): recursive descent over the tokens of ps_lex.c
 * into a tree, with PowerShell's operator precedence (about_Operator_
 * Precedence: casts, comma, -not, .., unary -, * / %, + -, comparisons,
 * -and -or). The whole script is parsed before it runs, so syntax errors
 * are reported the way PowerShell's parser reports them, and syntax the
 * harness does not have (if, foreach, functions, redirection ...) is named
 * as such instead of being misread. */
#include "src/harness/ps_script_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct parser {
    const char *s;
    size_t len, pos;
    int after_value; /* the last token taken ended a value */
    int no_comma;    /* a method argument: ',' separates, not makes arrays */
    int failed;      /* 1: syntax error (pe filled), -1: no memory */
    ps_parse_error *pe;
} parser;

/* Keywords of statements the harness does not run. */
static const char *const keywords[] = {
    "if", "elseif", "else", "foreach", "for", "while", "do", "until", "switch", "function",
    "filter", "workflow", "return", "break", "continue", "try", "catch", "finally", "trap",
    "exit", "begin", "process", "end", "data", "dynamicparam", "class", "enum", "using",
    "configuration", "hidden", "static", "inlinescript", "parallel", "sequence",
};

static void syntax(parser *p, size_t pos, const char *id, const char *fmt, ...)
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

/* The harness lacks this PowerShell syntax: say so, and where. */
static void unsupported(parser *p, size_t pos, const char *what)
{
    syntax(p, pos, "HarnessUnsupportedSyntax",
           "The harness's PowerShell does not run %s (see psremote-harness(1), POWERSHELL "
           "ENDPOINT).", what);
}

static void peek(parser *p, ps_lex_mode mode, ps_token *t)
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

static void take(parser *p, ps_token *t, int is_value)
{
    p->pos = t->end;
    p->after_value = is_value;
    ps_token_clear(t);
}

/* Peeks and takes the token if it is of kind k; 1 when it was. */
static int accept(parser *p, ps_token_kind k)
{
    ps_token t;
    peek(p, PS_LEX_EXPR, &t);
    int yes = t.kind == k;
    if (yes)
        take(p, &t, k == PT_RPAREN || k == PT_RBRACKET || k == PT_RBRACE);
    ps_token_clear(&t);
    return yes;
}

static void skip_newlines(parser *p)
{
    while (accept(p, PT_NEWLINE))
        ;
}

static ps_node *node_new(parser *p, ps_node_kind kind, size_t pos)
{
    ps_node *n = calloc(1, sizeof(*n));
    if (!n)
        p->failed = -1;
    else
        n->kind = kind, n->pos = pos, n->end = pos;
    return n;
}

static ps_node *add_kid(parser *p, ps_node *n, ps_node *kid)
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

static ps_node *const_string(parser *p, size_t pos, const char *s, size_t n)
{
    ps_node *c = node_new(p, PN_CONST, pos);
    if (c && !(c->value = psrp_value_new_stringn(s, n)))
        p->failed = -1;
    return c;
}

static int is_terminator(ps_token_kind k)
{
    return k == PT_EOF || k == PT_NEWLINE || k == PT_SEMI || k == PT_PIPE || k == PT_RPAREN ||
           k == PT_RBRACE;
}

static ps_node *parse_expression(parser *p);
static ps_node *parse_statement(parser *p);
static ps_node *parse_block(parser *p, ps_token_kind closer, size_t open_pos, const char *id,
                            const char *missing);

/* A bad token where a value or statement should be. */
static void bad_token(parser *p, const ps_token *t, const char *after)
{
    if (t->kind == PT_BAD && t->text && strcmp(t->text, "TerminatorExpectedAtEndOfString") == 0)
        syntax(p, t->pos, t->text, "The string is missing the terminator: %c.", p->s[t->pos]);
    else if (t->kind == PT_BAD && t->text && strcmp(t->text, "MissingEndCurlyBrace") == 0)
        syntax(p, t->pos, t->text, "Missing closing '}' in statement block or type definition.");
    else if (t->kind == PT_OP && t->op == PO_UNSUPPORTED) {
        char what[64];
        snprintf(what, sizeof(what), "the '%s' operator", t->text ? t->text : "?");
        unsupported(p, t->pos, what);
    } else if (t->kind == PT_BAD && t->text && (*t->text == '&' || strchr(t->text, '>') ||
                                                *t->text == '<'))
        unsupported(p, t->pos, *t->text == '&' ? "the call operator &" : "redirection");
    else if (t->kind == PT_BAD && t->text && strcmp(t->text, "@{") == 0)
        unsupported(p, t->pos, "hash tables");
    else if (t->kind == PT_BAD && t->text && strcmp(t->text, "||") == 0)
        unsupported(p, t->pos, "pipeline chains (&& and ||)");
    else if (is_terminator(t->kind) && after)
        syntax(p, t->pos, "ExpectedValueExpression",
               "You must provide a value expression following the '%s' operator.", after);
    else if (t->kind == PT_EOF || t->kind == PT_NEWLINE)
        syntax(p, t->pos, "ExpectedExpression", "An expression was expected after '('.");
    else
        syntax(p, t->pos, "UnexpectedToken", "Unexpected token '%.*s' in expression or statement.",
               (int)(t->end > t->pos ? t->end - t->pos : 1), p->s + t->pos);
}

/* "text $a $a.Name $($a + 1) `t" into pieces: strings and expressions.
 * $a.Name reads the property when $a has one (flag 1), a harness
 * convenience for "user: $c.UserName"; PowerShell itself needs $(). */
static ps_node *parse_xstring(parser *p, size_t start, size_t end)
{
    ps_node *x = node_new(p, PN_XSTRING, start - 1);
    psr_buf lit = {0};
    psr_buf_puts(&lit, "");
    size_t lit_pos = start;
    for (size_t i = start; i < end && !p->failed; i++) {
        char c = p->s[i];
        ps_node *part = NULL;
        if (c == '`' && i + 1 < end) {
            static const char from[] = "0abefnrtv", to[] = "\0\a\b\x1b\f\n\r\t\v";
            const char *k = strchr(from, p->s[++i]);
            psr_buf_putc(&lit, k && *k ? to[k - from] : p->s[i]);
            continue;
        }
        if (c == '"' && i + 1 < end && p->s[i + 1] == '"') {
            psr_buf_putc(&lit, '"');
            i++;
            continue;
        }
        if (c == '$' && i + 1 < end && p->s[i + 1] == '(') {
            parser sub = *p;
            sub.pos = i + 2;
            sub.after_value = 0;
            sub.no_comma = 0;
            part = parse_block(&sub, PT_RPAREN, i, "MissingEndParenthesisInSubexpression",
                               "Missing closing ')' in subexpression.");
            p->failed = sub.failed;
            i = sub.pos - 1;
        } else if (c == '$' && i + 1 < end) {
            ps_token t;
            if (ps_lex(p->s, end, i, PS_LEX_EXPR, 0, &t) != 0) {
                p->failed = -1;
                break;
            }
            if (t.kind == PT_VAR) {
                part = node_new(p, PN_VAR, i);
                if (part)
                    part->text = t.text, t.text = NULL, part->end = t.end;
                i = t.end - 1;
                ps_token m;
                if (ps_lex(p->s, end, t.end, PS_LEX_EXPR, 1, &m) == 0 && m.kind == PT_DOT &&
                    m.pos == t.end) {
                    size_t k = m.end;
                    while (k < end && (isalnum((unsigned char)p->s[k]) || p->s[k] == '_'))
                        k++;
                    ps_node *mem = node_new(p, PN_MEMBER, i);
                    if (mem && !(mem->text = strndup(p->s + m.end, k - m.end)))
                        p->failed = -1;
                    if (mem)
                        mem->flag = 1;
                    part = add_kid(p, mem, part);
                    i = k - 1;
                }
                ps_token_clear(&m);
            }
            ps_token_clear(&t);
        }
        if (!part) {
            psr_buf_putc(&lit, c);
            continue;
        }
        if (lit.len)
            x = add_kid(p, x, const_string(p, lit_pos, lit.data, lit.len));
        psr_buf_reset(&lit);
        psr_buf_puts(&lit, "");
        lit_pos = i + 1;
        x = add_kid(p, x, part);
    }
    if (lit.len || (x && !x->n_kids))
        x = add_kid(p, x, const_string(p, lit_pos, lit.data, lit.len));
    psr_buf_free(&lit);
    if (x)
        x->end = end + 1;
    return x;
}

/* Statements up to closer (RPAREN, RBRACE or EOF), which is taken. */
static ps_node *parse_block(parser *p, ps_token_kind closer, size_t open_pos, const char *id,
                            const char *missing)
{
    ps_node *b = node_new(p, PN_BLOCK, open_pos);
    for (;;) {
        ps_token t;
        peek(p, PS_LEX_EXPR, &t);
        if (p->failed) {
            ps_token_clear(&t);
            break;
        }
        if (t.kind == PT_NEWLINE || t.kind == PT_SEMI) {
            take(p, &t, 0);
            continue;
        }
        if (t.kind == closer) {
            if (b)
                b->end = t.end;
            take(p, &t, closer != PT_EOF);
            break;
        }
        if (t.kind == PT_EOF) {
            syntax(p, open_pos, id, "%s", missing);
            ps_token_clear(&t);
            break;
        }
        if (t.kind == PT_RPAREN || t.kind == PT_RBRACE) {
            bad_token(p, &t, NULL);
            ps_token_clear(&t);
            break;
        }
        ps_token_clear(&t);
        b = add_kid(p, b, parse_statement(p));
        /* a statement ends at a separator or the closer */
        peek(p, PS_LEX_EXPR, &t);
        if (!p->failed && t.kind != PT_NEWLINE && t.kind != PT_SEMI && t.kind != closer &&
            t.kind != PT_EOF)
            bad_token(p, &t, NULL);
        ps_token_clear(&t);
    }
    return b;
}

/* ( statement ), $( statements ), @( statements ), { statements } */
static ps_node *parse_group(parser *p, ps_token *t)
{
    size_t pos = t->pos;
    ps_token_kind kind = t->kind;
    take(p, t, 0);
    int saved = p->no_comma;
    p->no_comma = 0;
    ps_node *n;
    if (kind == PT_LPAREN) {
        skip_newlines(p);
        n = add_kid(p, node_new(p, PN_PAREN, pos), parse_statement(p));
        skip_newlines(p);
        if (!accept(p, PT_RPAREN))
            syntax(p, pos, "MissingEndParenthesisInExpression",
                   "Missing closing ')' in expression.");
    } else if (kind == PT_LBRACE) {
        n = add_kid(p, node_new(p, PN_SCRIPTBLOCK, pos),
                    parse_block(p, PT_RBRACE, pos, "MissingEndCurlyBrace",
                                "Missing closing '}' in statement block or type definition."));
        if (n && !p->failed && !(n->text = strndup(p->s + pos + 1, p->pos - pos - 2)))
            p->failed = -1;
    } else {
        n = parse_block(p, PT_RPAREN, pos, "MissingEndParenthesisInSubexpression",
                        "Missing closing ')' in subexpression.");
        if (n)
            n->flag = kind == PT_ARRAYEXPR;
    }
    p->no_comma = saved;
    if (n)
        n->end = p->pos;
    p->after_value = 1;
    return n;
}

static ps_node *parse_primary(parser *p, ps_lex_mode mode, const char *after)
{
    ps_token t;
    peek(p, mode, &t);
    ps_node *n = NULL;
    switch (t.kind) {
    case PT_NUMBER:
        n = node_new(p, PN_CONST, t.pos);
        if (n)
            n->value = t.value, t.value = NULL;
        take(p, &t, 1);
        break;
    case PT_STRING:
    case PT_WORD:
        if (t.kind == PT_WORD && mode == PS_LEX_EXPR) {
            bad_token(p, &t, NULL);
            break;
        }
        n = const_string(p, t.pos, t.text, strlen(t.text));
        take(p, &t, 1);
        break;
    case PT_XSTRING: {
        size_t pos = t.pos, end = t.end;
        take(p, &t, 1);
        n = parse_xstring(p, pos + 1, end - 1);
        break;
    }
    case PT_VAR:
        n = node_new(p, PN_VAR, t.pos);
        if (n)
            n->text = t.text, t.text = NULL;
        take(p, &t, 1);
        break;
    case PT_LPAREN:
    case PT_SUBEXPR:
    case PT_ARRAYEXPR:
    case PT_LBRACE:
        return parse_group(p, &t);
    default:
        bad_token(p, &t, after);
        break;
    }
    ps_token_clear(&t);
    if (n)
        n->end = p->pos;
    return n;
}

/* Method arguments: (a, b, ...) */
static ps_node *parse_call_args(parser *p, ps_node *call, size_t open)
{
    int saved = p->no_comma;
    p->no_comma = 1;
    skip_newlines(p);
    if (!accept(p, PT_RPAREN)) {
        for (;;) {
            skip_newlines(p);
            call = add_kid(p, call, parse_expression(p));
            skip_newlines(p);
            if (p->failed || accept(p, PT_RPAREN))
                break;
            if (!accept(p, PT_COMMA)) {
                syntax(p, open, "MissingEndParenthesisInMethodCall", "Missing ')' in method call.");
                break;
            }
        }
    }
    p->no_comma = saved;
    p->after_value = 1;
    return call;
}

/* A value with its .Member, .Method(...) and [index] suffixes. */
static ps_node *parse_postfix(parser *p, ps_lex_mode mode, const char *after)
{
    ps_node *n = parse_primary(p, mode, after);
    while (n && !p->failed) {
        ps_token t;
        peek(p, mode, &t);
        if (t.kind == PT_DOT) {
            size_t k = t.end;
            while (k < p->len && (isalnum((unsigned char)p->s[k]) || p->s[k] == '_'))
                k++;
            int call = k < p->len && p->s[k] == '(';
            ps_node *m = node_new(p, call ? PN_CALL : PN_MEMBER, t.pos);
            if (m && !(m->text = strndup(p->s + t.end, k - t.end)))
                p->failed = -1;
            n = add_kid(p, m, n);
            ps_token_clear(&t);
            p->pos = call ? k + 1 : k;
            p->after_value = 1;
            if (call)
                n = parse_call_args(p, n, k);
        } else if (t.kind == PT_LBRACKET) {
            size_t open = t.pos;
            take(p, &t, 0);
            int saved = p->no_comma;
            p->no_comma = 0;
            n = add_kid(p, add_kid(p, node_new(p, PN_INDEX, open), n), parse_expression(p));
            p->no_comma = saved;
            if (!accept(p, PT_RBRACKET))
                syntax(p, open, "MissingEndSquareBracket", "Missing ']' after array index expression.");
        } else {
            ps_token_clear(&t);
            break;
        }
        if (n)
            n->end = p->pos;
    }
    return n;
}

static ps_node *parse_cast(parser *p, const char *after)
{
    ps_token t;
    peek(p, PS_LEX_EXPR, &t);
    if (t.kind != PT_TYPE) {
        ps_token_clear(&t);
        return parse_postfix(p, PS_LEX_EXPR, after);
    }
    ps_node *c = node_new(p, PN_CAST, t.pos);
    if (c)
        c->text = t.text, t.text = NULL;
    take(p, &t, 0);
    if (p->pos + 1 < p->len && p->s[p->pos] == ':' && p->s[p->pos + 1] == ':') {
        unsupported(p, p->pos, "static members (::)");
        return c;
    }
    return add_kid(p, c, parse_cast(p, after));
}

/* a, b, c (and the unary ,a): an array. */
static ps_node *parse_comma(parser *p, const char *after)
{
    ps_token t;
    peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_COMMA && !p->no_comma) {
        ps_node *a = node_new(p, PN_ARRAY, t.pos);
        take(p, &t, 0);
        return add_kid(p, a, parse_cast(p, ","));
    }
    ps_token_clear(&t);
    ps_node *first = parse_cast(p, after);
    ps_node *a = NULL;
    while (!p->failed && !p->no_comma && accept(p, PT_COMMA)) {
        if (!a)
            a = add_kid(p, node_new(p, PN_ARRAY, first ? first->pos : p->pos), first);
        skip_newlines(p);
        peek(p, PS_LEX_EXPR, &t);
        if (is_terminator(t.kind)) {
            syntax(p, t.pos, "MissingExpressionAfterToken", "Missing expression after ','.");
            ps_token_clear(&t);
            break;
        }
        ps_token_clear(&t);
        a = add_kid(p, a, parse_cast(p, ","));
    }
    return a ? a : first;
}

static ps_node *parse_not(parser *p, const char *after)
{
    ps_token t;
    peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_OP && (t.op == PO_NOT || t.op == PO_BANG)) {
        ps_node *u = node_new(p, PN_UNARY, t.pos);
        if (u)
            u->op = t.op;
        const char *name = ps_op_name(t.op);
        take(p, &t, 0);
        skip_newlines(p);
        return add_kid(p, u, parse_not(p, name));
    }
    ps_token_clear(&t);
    return parse_comma(p, after);
}

static ps_node *parse_range(parser *p, const char *after)
{
    ps_node *a = parse_not(p, after);
    ps_token t;
    peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_OP && t.op == PO_RANGE) {
        ps_node *r = add_kid(p, node_new(p, PN_RANGE, t.pos), a);
        take(p, &t, 0);
        skip_newlines(p);
        return add_kid(p, r, parse_not(p, ".."));
    }
    ps_token_clear(&t);
    return a;
}

static ps_node *parse_negate(parser *p, const char *after)
{
    ps_token t;
    peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_OP && t.op == PO_SUB) {
        ps_node *u = node_new(p, PN_UNARY, t.pos);
        if (u)
            u->op = PO_SUB;
        take(p, &t, 0);
        return add_kid(p, u, parse_negate(p, "-"));
    }
    ps_token_clear(&t);
    return parse_range(p, after);
}

/* One level of left-associative binary operators. */
typedef ps_node *(*level_fn)(parser *p, const char *after);

static ps_node *binary_level(parser *p, const char *after, level_fn next, const ps_op *ops,
                             size_t n_ops)
{
    ps_node *a = next(p, after);
    while (a && !p->failed) {
        ps_token t;
        peek(p, PS_LEX_EXPR, &t);
        size_t k = n_ops;
        if (t.kind == PT_OP)
            for (k = 0; k < n_ops && ops[k] != t.op; k++)
                ;
        if (k == n_ops) {
            ps_token_clear(&t);
            break;
        }
        ps_node *b = add_kid(p, node_new(p, PN_BINARY, t.pos), a);
        if (b)
            b->op = t.op;
        take(p, &t, 0);
        skip_newlines(p);
        a = add_kid(p, b, next(p, ps_op_name(ops[k])));
    }
    return a;
}

static ps_node *parse_mul(parser *p, const char *after)
{
    static const ps_op ops[] = {PO_MUL, PO_DIV, PO_MOD};
    return binary_level(p, after, parse_negate, ops, 3);
}

static ps_node *parse_add(parser *p, const char *after)
{
    static const ps_op ops[] = {PO_ADD, PO_SUB};
    return binary_level(p, after, parse_mul, ops, 2);
}

static ps_node *parse_compare(parser *p, const char *after)
{
    static const ps_op ops[] = {PO_EQ, PO_NE, PO_LT, PO_GT, PO_LE, PO_GE};
    return binary_level(p, after, parse_add, ops, 6);
}

static ps_node *parse_logical(parser *p, const char *after)
{
    static const ps_op ops[] = {PO_AND, PO_OR};
    return binary_level(p, after, parse_compare, ops, 2);
}

static ps_node *parse_expression(parser *p)
{
    return parse_logical(p, NULL);
}

/* A command argument: a bare word, a number, a value, or a list of them. */
static ps_node *parse_argument(parser *p)
{
    ps_node *first = parse_postfix(p, PS_LEX_ARG, NULL), *a = NULL;
    while (!p->failed && accept(p, PT_COMMA)) {
        if (!a)
            a = add_kid(p, node_new(p, PN_ARRAY, first ? first->pos : p->pos), first);
        skip_newlines(p);
        a = add_kid(p, a, parse_postfix(p, PS_LEX_ARG, ","));
    }
    return a ? a : first;
}

static ps_node *parse_command(parser *p)
{
    ps_token t;
    peek(p, PS_LEX_ARG, &t);
    ps_node *c = node_new(p, PN_COMMAND, t.pos);
    if (c)
        c->text = t.text, t.text = NULL;
    take(p, &t, 0);
    while (c && !p->failed) {
        peek(p, PS_LEX_ARG, &t);
        if (is_terminator(t.kind)) {
            ps_token_clear(&t);
            break;
        }
        if (t.kind == PT_PARAM) {
            ps_node *param = node_new(p, PN_PARAM, t.pos);
            int with_value = t.op == PO_ASSIGN;
            if (param)
                param->text = t.text, t.text = NULL;
            take(p, &t, 0);
            if (with_value)
                param = add_kid(p, param, parse_argument(p));
            c = add_kid(p, c, param);
        } else if (t.kind == PT_BAD || t.kind == PT_COMMA || t.kind == PT_RBRACKET) {
            bad_token(p, &t, NULL);
            ps_token_clear(&t);
        } else {
            ps_token_clear(&t);
            c = add_kid(p, c, parse_argument(p));
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
    peek(p, PS_LEX_EXPR, &t);
    ps_node *pl = node_new(p, PN_PIPELINE, t.pos);
    int command = starts_command(p, &t);
    ps_token_clear(&t);
    pl = add_kid(p, pl, command ? parse_command(p) : parse_expression(p));
    while (!p->failed && accept(p, PT_PIPE)) {
        skip_newlines(p);
        peek(p, PS_LEX_EXPR, &t);
        if (is_terminator(t.kind))
            syntax(p, t.pos, "EmptyPipeElement", "An empty pipe element is not allowed.");
        else if (!starts_command(p, &t))
            syntax(p, t.pos, "ExpressionsMustBeFirstInPipeline",
                   "Expressions are only allowed as the first element of a pipeline.");
        ps_token_clear(&t);
        pl = add_kid(p, pl, parse_command(p));
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

static ps_node *parse_statement(parser *p)
{
    ps_token t;
    peek(p, PS_LEX_ARG, &t);
    if (t.kind == PT_WORD && (is_keyword(&t) || strcasecmp(t.text, "param") == 0)) {
        char what[64];
        snprintf(what, sizeof(what), strcasecmp(t.text, "param") == 0
                                         ? "param() after the script's first statement"
                                         : "'%s' statements", t.text);
        unsupported(p, t.pos, what);
        ps_token_clear(&t);
        return NULL;
    }
    if (t.kind == PT_WORD && strcasecmp(t.text, "throw") == 0) {
        ps_node *th = node_new(p, PN_THROW, t.pos);
        take(p, &t, 0);
        peek(p, PS_LEX_EXPR, &t);
        int bare = is_terminator(t.kind);
        ps_token_clear(&t);
        return bare ? th : add_kid(p, th, parse_pipeline(p));
    }
    ps_token_clear(&t);
    peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_VAR) {
        /* $name = ...: look past the variable for an assignment */
        size_t save = p->pos;
        int save_after = p->after_value;
        char *name = t.text;
        t.text = NULL;
        size_t pos = t.pos;
        take(p, &t, 1);
        peek(p, PS_LEX_EXPR, &t);
        if (t.kind == PT_OP && t.op >= PO_ASSIGN && t.op <= PO_MOD_ASSIGN) {
            ps_node *a = node_new(p, PN_ASSIGN, pos);
            if (a)
                a->text = name, a->op = t.op;
            else
                free(name);
            const char *op = ps_op_name(t.op);
            take(p, &t, 0);
            skip_newlines(p);
            peek(p, PS_LEX_EXPR, &t);
            if (is_terminator(t.kind)) {
                syntax(p, t.pos, "ExpectedValueExpression",
                       "You must provide a value expression following the '%s' operator.", op);
                ps_token_clear(&t);
                return a;
            }
            ps_token_clear(&t);
            return add_kid(p, a, parse_statement(p));
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
    skip_newlines(p);
    peek(p, PS_LEX_ARG, &t);
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
        skip_newlines(p);
        if (accept(p, PT_RPAREN))
            break;
        peek(p, PS_LEX_EXPR, &t);
        while (t.kind == PT_TYPE) { /* types and attributes are not enforced */
            take(p, &t, 0);
            skip_newlines(p);
            peek(p, PS_LEX_EXPR, &t);
        }
        if (t.kind != PT_VAR) {
            if (t.kind == PT_EOF)
                syntax(p, open, "MissingEndParenthesisInFunctionParameterList",
                       "Missing ')' in function parameter list.");
            else
                bad_token(p, &t, NULL);
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
        take(p, &t, 1);
        peek(p, PS_LEX_EXPR, &t);
        if (t.kind == PT_OP && t.op == PO_ASSIGN) {
            take(p, &t, 0);
            p->no_comma = 1;
            out->defaults[out->n_params - 1] = parse_expression(p);
            p->no_comma = 0;
        } else {
            ps_token_clear(&t);
        }
        skip_newlines(p);
        if (p->failed || accept(p, PT_RPAREN))
            break;
        if (!accept(p, PT_COMMA)) {
            peek(p, PS_LEX_EXPR, &t);
            bad_token(p, &t, NULL);
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
        out->body = parse_block(&p, PT_EOF, 0, "", "");
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
