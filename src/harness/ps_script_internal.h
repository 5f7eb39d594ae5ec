/* ps_script_internal.h: what the parts of the harness's simulated
 * PowerShell share. A script is tokenized (ps_lex.c) and parsed whole into a
 * tree (ps_parse.c, ps_parse_expr.c) before anything runs, as PowerShell
 * does, so a syntax error fails the pipeline with a ParseException and no
 * output. The tree is then run: expressions and operators in ps_expr.c,
 * statements and pipelines in ps_script.c, parameter binding in ps_bind.c,
 * the language's own commands in ps_builtins.c, those that read the
 * machine in ps_commands.c and those that wait on the client in
 * ps_script_host.c. Internal to src/harness. */
#ifndef PSR_HARNESS_PS_SCRIPT_INTERNAL_H
#define PSR_HARNESS_PS_SCRIPT_INTERNAL_H

#include "common/buf.h"
#include "psrp/messages.h"
#include "src/harness/ps_script.h"

/* ---- tokens (ps_lex.c) ---- */

/* PowerShell reads a command's arguments differently from an expression:
 * `Write-Output a-b` is one word, `-Name` a parameter, `1+1` a word. */
typedef enum ps_lex_mode { PS_LEX_EXPR, PS_LEX_ARG } ps_lex_mode;

typedef enum ps_token_kind {
    PT_EOF,
    PT_NEWLINE,
    PT_SEMI,
    PT_PIPE,
    PT_COMMA,
    PT_LPAREN,
    PT_RPAREN,
    PT_LBRACE,
    PT_RBRACE,
    PT_RBRACKET,
    PT_SUBEXPR,   /* $( */
    PT_ARRAYEXPR, /* @( */
    PT_TYPE,      /* [System.String[]]: text is the name inside */
    PT_NUMBER,    /* value */
    PT_STRING,    /* '...': text is the value */
    PT_XSTRING,   /* "...": text is the raw inside, expanded by the parser */
    PT_VAR,       /* $name: text is the name */
    PT_DOT,       /* . right after a value: member access */
    PT_LBRACKET,  /* [ right after a value: indexing */
    PT_OP,        /* op */
    PT_PARAM,     /* -Name in argument mode: text is Name */
    PT_WORD,      /* a bare word: a command name or a string argument */
    PT_BAD        /* what the harness does not read (text: the character) */
} ps_token_kind;

typedef enum ps_op {
    PO_NONE,
    PO_ADD, PO_SUB, PO_MUL, PO_DIV, PO_MOD,
    PO_EQ, PO_NE, PO_LT, PO_GT, PO_LE, PO_GE,
    PO_AND, PO_OR, PO_NOT, PO_BANG,
    PO_RANGE,
    PO_ASSIGN, PO_ADD_ASSIGN, PO_SUB_ASSIGN, PO_MUL_ASSIGN, PO_DIV_ASSIGN, PO_MOD_ASSIGN,
    PO_UNSUPPORTED /* a PowerShell operator the harness does not have (-like, ++, ...) */
} ps_op;

typedef struct ps_token {
    ps_token_kind kind;
    ps_op op;
    size_t pos, end;   /* where it is in the script */
    char *text;        /* malloc'd (see kinds), or NULL */
    psrp_value *value; /* PT_NUMBER */
} ps_token;

/* Reads the token at pos (after blanks, comments and line continuations).
 * after_value: the previous token ended a value with no blank in between,
 * so '.' and '[' are member access and indexing. Returns 0 or -1 (no
 * memory); an unterminated string is a PT_BAD whose text says so. */
int ps_lex(const char *src, size_t len, size_t pos, ps_lex_mode mode, int after_value,
           ps_token *t);
void ps_token_clear(ps_token *t);
/* The operator's text, for messages ("-eq", "+"). */
const char *ps_op_name(ps_op op);

/* ---- the tree (ps_parse.c) ---- */

typedef enum ps_node_kind {
    PN_BLOCK,      /* statements (a script, { }, $( ), @( )); flag: @( ) */
    PN_PIPELINE,   /* elements: the first may be an expression, the rest PN_COMMAND */
    PN_COMMAND,    /* text: the name; kids: arguments (expressions and PN_PARAM) */
    PN_PARAM,      /* text: a -Name argument; kids[0]: its -Name:value, if any */
    PN_ASSIGN,     /* text: the variable; op; kids[0]: the statement assigned */
    PN_THROW,      /* kids[0]: the pipeline thrown, if any */
    PN_CONST,      /* value: a number or a literal string */
    PN_XSTRING,    /* kids: the pieces of an expandable string, joined as text */
    PN_VAR,        /* text: the name */
    PN_MEMBER,     /* kids[0].text */
    PN_INDEX,      /* kids[0][kids[1]] */
    PN_CALL,       /* kids[0].text(kids[1...]) */
    PN_CAST,       /* [text]kids[0] */
    PN_ARRAY,      /* kids[0], kids[1], ... (also the unary ,x) */
    PN_RANGE,      /* kids[0]..kids[1] */
    PN_BINARY,     /* kids[0] op kids[1] */
    PN_UNARY,      /* op kids[0] (-, -not, !) */
    PN_PAREN,      /* ( kids[0] ): a pipeline or assignment as a value */
    PN_SCRIPTBLOCK /* { kids[0] }: a PN_BLOCK, run by ForEach-Object / Where-Object */
} ps_node_kind;

typedef struct ps_node {
    ps_node_kind kind;
    ps_op op;
    int flag;
    char *text;
    psrp_value *value;
    struct ps_node **kids;
    size_t n_kids;
    size_t pos, end; /* the source it came from */
} ps_node;

/* A script parsed, with its param() names (and default expressions, or
 * NULL). */
typedef struct ps_script {
    char *src;
    ps_node *body;
    char **params;
    ps_node **defaults;
    size_t n_params;
} ps_script;

/* What a syntax error reports (ParseException, category ParserError). */
typedef struct ps_parse_error {
    char *message; /* malloc'd: "At line:L char:C", the line, a marker, the reason */
    char *id;      /* malloc'd FullyQualifiedErrorId, e.g. "ExpectedValueExpression" */
} ps_parse_error;

/* 0, 1 with *pe filled (a syntax error), or -1 (no memory). */
int ps_parse(const char *src, ps_script *out, ps_parse_error *pe);
void ps_script_clear(ps_script *s);
void ps_node_free(ps_node *n);

/* ---- running (ps_script.c, ps_expr.c) ---- */

/* Statuses of the runner. A statement that ends in an error record
 * (PS_ST_ERROR) stops, the script goes on with the next one, as PowerShell
 * does with a statement-terminating error. */
enum {
    PS_ST_OK = 0,
    PS_ST_THROW = 1, /* the script ended Failed (ps_scope.failure) */
    PS_ST_STOP = 2,  /* the host or a sink said stop */
    PS_ST_ERROR = 3, /* this statement ended with an error record */
    PS_ST_FAIL = -1  /* no memory, or the sink failed */
};

/* What one run shares, whatever the stage or block it is in. */
typedef struct ps_scope {
    char **names;              /* param() variables (script scope) */
    psrp_value **values;
    size_t n_vars;
    psrp_value *args;          /* $args: the arguments param() did not bind */
    psrp_value *input;         /* $input: the pipeline input, a list */
    ps_session_state *st;      /* the rest: session variables */
    const ps_host *host;
    ps_failure *failure;
} ps_scope;

typedef struct ps_run {
    ps_scope *scope;
    const psrp_value *dollar;  /* $_ (borrowed), or NULL */
    ps_emit_fn emit;           /* where this statement's events go */
    void *ctx;
} ps_run;

/* Evaluates an expression into *out (a new reference). */
int ps_eval(ps_run *r, const ps_node *e, psrp_value **out);
/* Runs a statement list or a pipeline, output to r->emit. */
int ps_run_block(ps_run *r, const ps_node *block);
/* Runs a statement (pipeline, assignment) and gathers its output as one
 * value, as `$x = ...` and ( ) do: nil, the one value, or a list. */
int ps_collect(ps_run *r, const ps_node *st, int block, psrp_value **out);

/* Output gathered into one value: inner is r with its output kept (the
 * other events go on to r's sink). */
typedef struct ps_gather {
    psrp_value *first, *list;
    int failed;
    const ps_run *outer;
} ps_gather;
void ps_gather_start(ps_gather *g, const ps_run *r, ps_run *inner);
/* nil, the one value, or a list (a new reference); NULL: no memory. */
psrp_value *ps_gather_take(ps_gather *g);

/* Variables: $name (borrowed), or NULL. */
const psrp_value *ps_lookup(const ps_run *r, const char *name);
int ps_assign(ps_run *r, const char *name, psrp_value *v);

/* Values (ps_expr.c). */
psrp_value *ps_list_new(void);
int ps_is_list(const psrp_value *v);
/* A value as PowerShell puts it in a string: numbers in decimal, arrays
 * joined with spaces, objects by their ToString. */
void ps_value_text(const psrp_value *v, psr_buf *out);
/* The .NET type name PowerShell's messages show: System.Int32. */
const char *ps_type_name(const psrp_value *v);
/* PowerShell's truth (LanguagePrimitives.IsTrue). */
int ps_is_true(const psrp_value *v);
/* A whole number from a number, or from text that is one; 0 or -1. */
int ps_value_int(const psrp_value *v, int64_t *out);
/* The operators, on values: 0, or PS_ST_ERROR after emitting the error
 * record PowerShell writes (division by zero, a value that does not
 * convert), or PS_ST_FAIL. */
int ps_binary(ps_run *r, ps_op op, const psrp_value *a, const psrp_value *b, psrp_value **out);

/* Emits an error record for this statement and returns PS_ST_ERROR (or
 * what the sink said). */
int ps_raise(ps_run *r, const psrp_error_record_spec *spec);
/* Emits v as output and frees it; NULL (no memory) fails. */
int ps_emit_value(ps_run *r, psrp_value *v);

/* ---- commands (ps_script.c, ps_commands.c, ps_script_host.c) ---- */

#define PS_MAX_PARAMS 8

/* A command's parameters: name, position (-1: named only), and flags. */
enum { PS_P_SWITCH = 1, PS_P_PIPELINE = 2, PS_P_REST = 4 };
typedef struct ps_param_def {
    const char *name;
    int position;
    int flags;
} ps_param_def;

/* Arguments bound to parameters: a value (new reference; a switch given
 * is $true) and the tree it came from, for script blocks. */
typedef struct ps_bound {
    psrp_value *value[PS_MAX_PARAMS];
    const ps_node *node[PS_MAX_PARAMS];
    const struct ps_command_def *def;
    psr_buf text; /* what a command keeps between objects (Out-String's text) */
} ps_bound;

typedef struct ps_command_def {
    const char *name;
    ps_param_def params[PS_MAX_PARAMS];
    /* Runs once per pipeline input object (bound to the PS_P_PIPELINE
     * parameter), or once when there is no input. */
    int (*run)(ps_run *r, ps_bound *b);
    /* Before the first object and after the last (ForEach-Object -Begin
     * and -End), or NULL. */
    int (*begin)(ps_run *r, ps_bound *b);
    int (*end)(ps_run *r, ps_bound *b);
} ps_command_def;

/* The ParameterBindingException PowerShell writes for a command's
 * arguments: id is the first part of the FullyQualifiedErrorId. */
int ps_binding_error(ps_run *r, const ps_command_def *def, const char *id, const char *message);

/* The bound value of a parameter (NULL: not given). */
const psrp_value *ps_arg(const ps_bound *b, const char *name);
/* Its text (nothing when not given). */
void ps_arg_text(const ps_bound *b, const char *name, psr_buf *out);
int ps_switch(const ps_bound *b, const char *name);

/* Binds a command's arguments: from its tree (evaluated), or as the
 * client sent them. 0, or PS_ST_ERROR after the error record. */
int ps_bind(ps_run *r, const ps_command_def *def, const ps_node *cmd, ps_bound *b);
int ps_bind_values(ps_run *r, const ps_command_def *def, const psrp_command_arg *args, size_t n,
                   ps_bound *b);
void ps_bound_clear(ps_bound *b);

/* Which parameter this is (-1: none of them). */
int ps_param_index(const ps_bound *b, const char *name);

/* Tables of ps_builtins.c, ps_commands.c and ps_script_host.c. */
extern const ps_command_def ps_builtin_commands[];
extern const size_t ps_n_builtin_commands;
extern const ps_command_def ps_machine_commands[];
extern const size_t ps_n_machine_commands;
extern const ps_command_def ps_host_commands[];
extern const size_t ps_n_host_commands;

/* $host.UI.PromptForChoice(caption, message, choices, default) with its
 * arguments evaluated; outputs the index chosen. */
int ps_prompt_for_choice(ps_run *r, psrp_value *const *args, size_t n);

#endif
