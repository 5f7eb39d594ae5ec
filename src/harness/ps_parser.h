/* ps_parser.h: what the two halves of the harness's PowerShell parser
 * share: ps_parse.c (statements, commands, param()) and ps_parse_expr.c
 * (expressions). Internal to those two files. */
#ifndef PSR_HARNESS_PS_PARSER_H
#define PSR_HARNESS_PS_PARSER_H

#include "src/harness/ps_script_internal.h"

typedef struct parser {
    const char *s;
    size_t len, pos;
    int after_value; /* the last token taken ended a value */
    int no_comma;    /* a method argument: ',' separates, not makes arrays */
    int failed;      /* 1: syntax error (pe filled), -1: no memory */
    int depth;       /* nesting of expressions and blocks now (PP_MAX_DEPTH) */
    ps_parse_error *pe;
} parser;

/* Deeper nesting than this is a syntax error: the parser and the runner
 * recurse, and a hostile script must not exhaust a pipeline thread's stack. */
#define PP_MAX_DEPTH 100

/* Records the first syntax error: PowerShell's text and its error id. */
void pp_syntax(parser *p, size_t pos, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The harness lacks this PowerShell syntax: says so, and where. */
void pp_unsupported(parser *p, size_t pos, const char *what);
/* The error for a token where a value or statement should be; after: the
 * operator before it, if any. */
void pp_bad_token(parser *p, const ps_token *t, const char *after);

/* Tokens: peek reads the next one (EOF after a failure); take moves past
 * it (is_value: it ended a value) and clears it; accept takes it if it is
 * of kind k (1) or leaves it (0). */
void pp_peek(parser *p, ps_lex_mode mode, ps_token *t);
void pp_take(parser *p, ps_token *t, int is_value);
int pp_accept(parser *p, ps_token_kind k);
void pp_skip_newlines(parser *p);
int pp_is_terminator(ps_token_kind k);

/* Nodes; a failed allocation marks the parser failed (-1). */
ps_node *pp_node_new(parser *p, ps_node_kind kind, size_t pos);
ps_node *pp_add_kid(parser *p, ps_node *n, ps_node *kid);
ps_node *pp_const_string(parser *p, size_t pos, const char *s, size_t n);

/* Statements up to closer (taken); missing/id: the error when it is not
 * there. */
ps_node *pp_parse_block(parser *p, ps_token_kind closer, size_t open_pos, const char *id,
                        const char *missing);
ps_node *pp_parse_statement(parser *p);
ps_node *pp_parse_expression(parser *p);
/* A value and its .Member, .Method() and [index] suffixes, read in mode. */
ps_node *pp_parse_postfix(parser *p, ps_lex_mode mode, const char *after);

#endif
