/* ps_parse_expr.c: the expression half of the harness's PowerShell parser
 * (see ps_parser.h), with PowerShell's operator precedence (about_Operator_
 * Precedence, tightest first: casts, comma, -not, .., unary -, * / %, + -,
 * comparisons, -and -or) and its expandable strings. */
#include "src/harness/ps_parser.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "text $a $a.Name $($a + 1) `t" into pieces: strings and expressions.
 * $a.Name reads the property when $a has one (flag 1), a harness
 * convenience for "user: $c.UserName"; PowerShell itself needs $(). */
static ps_node *parse_xstring(parser *p, size_t start, size_t end)
{
    ps_node *x = pp_node_new(p, PN_XSTRING, start - 1);
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
            part = pp_parse_block(&sub, PT_RPAREN, i, "MissingEndParenthesisInSubexpression",
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
                part = pp_node_new(p, PN_VAR, i);
                if (part)
                    part->text = t.text, t.text = NULL, part->end = t.end;
                i = t.end - 1;
                ps_token m;
                if (ps_lex(p->s, end, t.end, PS_LEX_EXPR, 1, &m) == 0 && m.kind == PT_DOT &&
                    m.pos == t.end) {
                    size_t k = m.end;
                    while (k < end && (isalnum((unsigned char)p->s[k]) || p->s[k] == '_'))
                        k++;
                    ps_node *mem = pp_node_new(p, PN_MEMBER, i);
                    if (mem && !(mem->text = strndup(p->s + m.end, k - m.end)))
                        p->failed = -1;
                    if (mem)
                        mem->flag = 1;
                    part = pp_add_kid(p, mem, part);
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
            x = pp_add_kid(p, x, pp_const_string(p, lit_pos, lit.data, lit.len));
        psr_buf_reset(&lit);
        psr_buf_puts(&lit, "");
        lit_pos = i + 1;
        x = pp_add_kid(p, x, part);
    }
    if (lit.len || (x && !x->n_kids))
        x = pp_add_kid(p, x, pp_const_string(p, lit_pos, lit.data, lit.len));
    psr_buf_free(&lit);
    if (x)
        x->end = end + 1;
    return x;
}

/* ( statement ), $( statements ), @( statements ), { statements } */
static ps_node *parse_group(parser *p, ps_token *t)
{
    size_t pos = t->pos;
    ps_token_kind kind = t->kind;
    pp_take(p, t, 0);
    int saved = p->no_comma;
    p->no_comma = 0;
    ps_node *n;
    if (kind == PT_LPAREN) {
        pp_skip_newlines(p);
        n = pp_add_kid(p, pp_node_new(p, PN_PAREN, pos), pp_parse_statement(p));
        pp_skip_newlines(p);
        if (!pp_accept(p, PT_RPAREN))
            pp_syntax(p, pos, "MissingEndParenthesisInExpression",
                   "Missing closing ')' in expression.");
    } else if (kind == PT_LBRACE) {
        n = pp_add_kid(p, pp_node_new(p, PN_SCRIPTBLOCK, pos),
                    pp_parse_block(p, PT_RBRACE, pos, "MissingEndCurlyBrace",
                                "Missing closing '}' in statement block or type definition."));
        if (n && !p->failed && !(n->text = strndup(p->s + pos + 1, p->pos - pos - 2)))
            p->failed = -1;
    } else {
        n = pp_parse_block(p, PT_RPAREN, pos, "MissingEndParenthesisInSubexpression",
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
    pp_peek(p, mode, &t);
    ps_node *n = NULL;
    switch (t.kind) {
    case PT_NUMBER:
        n = pp_node_new(p, PN_CONST, t.pos);
        if (n)
            n->value = t.value, t.value = NULL;
        pp_take(p, &t, 1);
        break;
    case PT_STRING:
    case PT_WORD:
        if (t.kind == PT_WORD && mode == PS_LEX_EXPR) {
            pp_bad_token(p, &t, NULL);
            break;
        }
        n = pp_const_string(p, t.pos, t.text, strlen(t.text));
        pp_take(p, &t, 1);
        break;
    case PT_XSTRING: {
        size_t pos = t.pos, end = t.end;
        pp_take(p, &t, 1);
        n = parse_xstring(p, pos + 1, end - 1);
        break;
    }
    case PT_VAR:
        n = pp_node_new(p, PN_VAR, t.pos);
        if (n)
            n->text = t.text, t.text = NULL;
        pp_take(p, &t, 1);
        break;
    case PT_LPAREN:
    case PT_SUBEXPR:
    case PT_ARRAYEXPR:
    case PT_LBRACE:
        return parse_group(p, &t);
    default:
        pp_bad_token(p, &t, after);
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
    pp_skip_newlines(p);
    if (!pp_accept(p, PT_RPAREN)) {
        for (;;) {
            pp_skip_newlines(p);
            call = pp_add_kid(p, call, pp_parse_expression(p));
            pp_skip_newlines(p);
            if (p->failed || pp_accept(p, PT_RPAREN))
                break;
            if (!pp_accept(p, PT_COMMA)) {
                pp_syntax(p, open, "MissingEndParenthesisInMethodCall", "Missing ')' in method call.");
                break;
            }
        }
    }
    p->no_comma = saved;
    p->after_value = 1;
    return call;
}

/* A value with its .Member, .Method(...) and [index] suffixes. */
ps_node *pp_parse_postfix(parser *p, ps_lex_mode mode, const char *after)
{
    ps_node *n = parse_primary(p, mode, after);
    while (n && !p->failed) {
        ps_token t;
        pp_peek(p, mode, &t);
        if (t.kind == PT_DOT) {
            size_t k = t.end;
            while (k < p->len && (isalnum((unsigned char)p->s[k]) || p->s[k] == '_'))
                k++;
            int call = k < p->len && p->s[k] == '(';
            ps_node *m = pp_node_new(p, call ? PN_CALL : PN_MEMBER, t.pos);
            if (m && !(m->text = strndup(p->s + t.end, k - t.end)))
                p->failed = -1;
            n = pp_add_kid(p, m, n);
            ps_token_clear(&t);
            p->pos = call ? k + 1 : k;
            p->after_value = 1;
            if (call)
                n = parse_call_args(p, n, k);
        } else if (t.kind == PT_LBRACKET) {
            size_t open = t.pos;
            pp_take(p, &t, 0);
            int saved = p->no_comma;
            p->no_comma = 0;
            n = pp_add_kid(p, pp_add_kid(p, pp_node_new(p, PN_INDEX, open), n), pp_parse_expression(p));
            p->no_comma = saved;
            if (!pp_accept(p, PT_RBRACKET))
                pp_syntax(p, open, "MissingEndSquareBracket", "Missing ']' after array index expression.");
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
    pp_peek(p, PS_LEX_EXPR, &t);
    if (t.kind != PT_TYPE) {
        ps_token_clear(&t);
        return pp_parse_postfix(p, PS_LEX_EXPR, after);
    }
    ps_node *c = pp_node_new(p, PN_CAST, t.pos);
    if (c)
        c->text = t.text, t.text = NULL;
    pp_take(p, &t, 0);
    if (p->pos + 1 < p->len && p->s[p->pos] == ':' && p->s[p->pos + 1] == ':') {
        pp_unsupported(p, p->pos, "static members (::)");
        return c;
    }
    return pp_add_kid(p, c, parse_cast(p, after));
}

/* a, b, c (and the unary ,a): an array. */
static ps_node *parse_comma(parser *p, const char *after)
{
    ps_token t;
    pp_peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_COMMA && !p->no_comma) {
        ps_node *a = pp_node_new(p, PN_ARRAY, t.pos);
        pp_take(p, &t, 0);
        return pp_add_kid(p, a, parse_cast(p, ","));
    }
    ps_token_clear(&t);
    ps_node *first = parse_cast(p, after);
    ps_node *a = NULL;
    while (!p->failed && !p->no_comma && pp_accept(p, PT_COMMA)) {
        if (!a)
            a = pp_add_kid(p, pp_node_new(p, PN_ARRAY, first ? first->pos : p->pos), first);
        pp_skip_newlines(p);
        pp_peek(p, PS_LEX_EXPR, &t);
        if (pp_is_terminator(t.kind)) {
            pp_syntax(p, t.pos, "MissingExpressionAfterToken", "Missing expression after ','.");
            ps_token_clear(&t);
            break;
        }
        ps_token_clear(&t);
        a = pp_add_kid(p, a, parse_cast(p, ","));
    }
    return a ? a : first;
}

static ps_node *parse_not(parser *p, const char *after)
{
    ps_token t;
    pp_peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_OP && (t.op == PO_NOT || t.op == PO_BANG)) {
        ps_node *u = pp_node_new(p, PN_UNARY, t.pos);
        if (u)
            u->op = t.op;
        const char *name = ps_op_name(t.op);
        pp_take(p, &t, 0);
        pp_skip_newlines(p);
        return pp_add_kid(p, u, parse_not(p, name));
    }
    ps_token_clear(&t);
    return parse_comma(p, after);
}

static ps_node *parse_range(parser *p, const char *after)
{
    ps_node *a = parse_not(p, after);
    ps_token t;
    pp_peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_OP && t.op == PO_RANGE) {
        ps_node *r = pp_add_kid(p, pp_node_new(p, PN_RANGE, t.pos), a);
        pp_take(p, &t, 0);
        pp_skip_newlines(p);
        return pp_add_kid(p, r, parse_not(p, ".."));
    }
    ps_token_clear(&t);
    return a;
}

static ps_node *parse_negate(parser *p, const char *after)
{
    ps_token t;
    pp_peek(p, PS_LEX_EXPR, &t);
    if (t.kind == PT_OP && t.op == PO_SUB) {
        ps_node *u = pp_node_new(p, PN_UNARY, t.pos);
        if (u)
            u->op = PO_SUB;
        pp_take(p, &t, 0);
        return pp_add_kid(p, u, parse_negate(p, "-"));
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
        pp_peek(p, PS_LEX_EXPR, &t);
        size_t k = n_ops;
        if (t.kind == PT_OP)
            for (k = 0; k < n_ops && ops[k] != t.op; k++)
                ;
        if (k == n_ops) {
            ps_token_clear(&t);
            break;
        }
        ps_node *b = pp_add_kid(p, pp_node_new(p, PN_BINARY, t.pos), a);
        if (b)
            b->op = t.op;
        pp_take(p, &t, 0);
        pp_skip_newlines(p);
        a = pp_add_kid(p, b, next(p, ps_op_name(ops[k])));
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

ps_node *pp_parse_expression(parser *p)
{
    if (++p->depth > PP_MAX_DEPTH) {
        pp_syntax(p, p->pos, "ScriptTooDeep",
                  "The harness parses expressions and blocks nested at most %d deep.",
                  PP_MAX_DEPTH);
        p->depth--;
        return NULL;
    }
    ps_node *n = parse_logical(p, NULL);
    p->depth--;
    return n;
}
