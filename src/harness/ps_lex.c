/* ps_lex.c: the tokenizer of the harness's simulated PowerShell (see
 * ps_script_internal.h). It reads one token at a time at a position the
 * parser gives, in the mode the parser is in, because PowerShell reads the
 * same characters differently in an expression and in a command's
 * arguments (`1+1` is 2 as a statement and the string '1+1' as an
 * argument). */
#include "src/harness/ps_script_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    ps_op op;
} word_ops[] = {
    {"eq", PO_EQ},   {"ieq", PO_EQ}, {"ne", PO_NE},   {"ine", PO_NE}, {"lt", PO_LT},
    {"ilt", PO_LT},  {"gt", PO_GT},  {"igt", PO_GT},  {"le", PO_LE},  {"ile", PO_LE},
    {"ge", PO_GE},   {"ige", PO_GE}, {"and", PO_AND}, {"or", PO_OR},  {"not", PO_NOT},
};

/* PowerShell's other word operators: known, so the error can say the
 * harness lacks them rather than calling them unexpected. */
static const char *const other_word_ops[] = {
    "ceq", "cne", "clt", "cgt", "cle", "cge", "like", "notlike", "ilike", "clike", "match",
    "notmatch", "imatch", "cmatch", "contains", "notcontains", "in", "notin", "replace",
    "ireplace", "creplace", "split", "isplit", "csplit", "join", "f", "is", "isnot", "as",
    "band", "bor", "bxor", "bnot", "shl", "shr", "xor",
};

const char *ps_op_name(ps_op op)
{
    static const char *const names[] = {
        [PO_ADD] = "+",          [PO_SUB] = "-",         [PO_MUL] = "*",
        [PO_DIV] = "/",          [PO_MOD] = "%",         [PO_EQ] = "-eq",
        [PO_NE] = "-ne",         [PO_LT] = "-lt",        [PO_GT] = "-gt",
        [PO_LE] = "-le",         [PO_GE] = "-ge",        [PO_AND] = "-and",
        [PO_OR] = "-or",         [PO_NOT] = "-not",      [PO_BANG] = "!",
        [PO_RANGE] = "..",       [PO_ASSIGN] = "=",      [PO_ADD_ASSIGN] = "+=",
        [PO_SUB_ASSIGN] = "-=",  [PO_MUL_ASSIGN] = "*=", [PO_DIV_ASSIGN] = "/=",
        [PO_MOD_ASSIGN] = "%=",
    };
    return op > PO_NONE && op < PO_UNSUPPORTED && names[op] ? names[op] : "?";
}

void ps_token_clear(ps_token *t)
{
    free(t->text);
    psrp_value_free(t->value);
    t->text = NULL;
    t->value = NULL;
}

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
    while (i < len) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f') {
            i++;
        } else if (s[i] == '`' && i + 1 < len && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
            i += s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n' ? 3 : 2; /* continuation */
        } else if (s[i] == '<' && i + 1 < len && s[i + 1] == '#') {
            const char *end = NULL;
            for (size_t j = i + 2; j + 1 < len && !end; j++)
                if (s[j] == '#' && s[j + 1] == '>')
                    end = s + j + 2;
            i = end ? (size_t)(end - s) : len;
        } else if (s[i] == '#') {
            while (i < len && s[i] != '\n')
                i++;
        } else {
            break;
        }
    }
    return i;
}

/* Where a bare word ends: at a blank or a character that ends an argument. */
static size_t word_end(const char *s, size_t len, size_t i)
{
    while (i < len && !strchr(" \t\r\n;|(){},", s[i]))
        i++;
    return i;
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* A number literal at s[i..end): Int32 when it fits, else Int64, Double
 * with a fraction; 0x hex too. NULL when it is not one. */
static psrp_value *number_at(const char *s, size_t i, size_t end)
{
    char buf[64];
    if (end - i >= sizeof(buf))
        return NULL;
    memcpy(buf, s + i, end - i);
    buf[end - i] = '\0';
    char *stop;
    int neg = buf[0] == '-';
    const char *digits = buf + neg;
    if (!isdigit((unsigned char)digits[0]) && !(digits[0] == '.' && isdigit((unsigned char)digits[1])))
        return NULL;
    if (strchr(buf, '.')) {
        double d = strtod(buf, &stop);
        return *stop ? NULL : psrp_value_new_double(d);
    }
    long long n = strtoll(buf, &stop, (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) ? 16 : 10);
    if (*stop)
        return NULL;
    return n >= INT32_MIN && n <= INT32_MAX ? psrp_value_new_i32((int32_t)n) : psrp_value_new_i64(n);
}

/* The end of a number in an expression: digits, one fraction, hex. */
static size_t number_end(const char *s, size_t len, size_t i)
{
    if (s[i] == '-')
        i++;
    if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        while (i < len && isxdigit((unsigned char)s[i]))
            i++;
        return i;
    }
    while (i < len && isdigit((unsigned char)s[i]))
        i++;
    if (i + 1 < len && s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        i++;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
    }
    return i;
}

/* The end of "..." starting at i (the quote), past nested $( ) with their
 * own strings; len when unterminated. */
static size_t xstring_end(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '`') {
            i++;
        } else if (s[i] == '"') {
            if (i + 1 < len && s[i + 1] == '"')
                i++;
            else
                return i + 1;
        } else if (s[i] == '$' && i + 1 < len && s[i + 1] == '(') {
            int depth = 0;
            for (i++; i < len; i++) {
                if (s[i] == '(') {
                    depth++;
                } else if (s[i] == ')' && --depth == 0) {
                    break;
                } else if (s[i] == '"') {
                    i = xstring_end(s, len, i) - 1;
                } else if (s[i] == '\'') {
                    const char *q = memchr(s + i + 1, '\'', len - i - 1);
                    i = q ? (size_t)(q - s) : len;
                }
            }
        }
    }
    return len;
}

static int set_text(ps_token *t, const char *s, size_t n)
{
    t->text = strndup(s, n);
    return t->text ? 0 : -1;
}

/* $name, ${name}, $script:name (scope prefixes name the same variable). */
static int lex_variable(const char *s, size_t len, size_t i, ps_token *t)
{
    size_t start = i + 1, end;
    if (start < len && s[start] == '{') {
        const char *close = memchr(s + start, '}', len - start);
        if (!close) {
            t->kind = PT_BAD;
            t->end = len;
            return set_text(t, "MissingEndCurlyBrace", 20);
        }
        t->end = (size_t)(close - s) + 1;
        t->kind = PT_VAR;
        return set_text(t, s + start + 1, (size_t)(close - s) - start - 1);
    }
    end = start;
    while (end < len && (is_name_char(s[end]) || (s[end] == ':' && end + 1 < len &&
                                                  is_name_char(s[end + 1]) && end > start)))
        end++;
    if (end == start && start < len && (s[start] == '?' || s[start] == '$' || s[start] == '^'))
        end++;
    if (end == start) {
        t->kind = PT_BAD;
        t->end = start;
        return set_text(t, "$", 1);
    }
    t->kind = PT_VAR;
    t->end = end;
    static const char *const scopes[] = {"global:", "script:", "local:"};
    for (size_t k = 0; k < sizeof(scopes) / sizeof(scopes[0]); k++) {
        size_t n = strlen(scopes[k]);
        if (end - start > n && strncasecmp(s + start, scopes[k], n) == 0)
            start += n;
    }
    return set_text(t, s + start, end - start);
}

/* '...' with '' for a quote. */
static int lex_string(const char *s, size_t len, size_t i, ps_token *t)
{
    psr_buf b = {0};
    psr_buf_puts(&b, "");
    for (i++; i < len; i++) {
        if (s[i] == '\'') {
            if (i + 1 < len && s[i + 1] == '\'') {
                psr_buf_putc(&b, '\'');
                i++;
                continue;
            }
            t->kind = PT_STRING;
            t->end = i + 1;
            t->text = psr_buf_detach(&b, NULL);
            return t->text ? 0 : -1;
        }
        psr_buf_putc(&b, s[i]);
    }
    psr_buf_free(&b);
    t->kind = PT_BAD;
    t->end = len;
    return set_text(t, "TerminatorExpectedAtEndOfString", 31);
}

static int lex_dash_word(const char *s, size_t len, size_t i, ps_token *t)
{
    size_t end = i + 1;
    while (end < len && isalpha((unsigned char)s[end]))
        end++;
    t->end = end;
    t->kind = PT_OP;
    for (size_t k = 0; k < sizeof(word_ops) / sizeof(word_ops[0]); k++)
        if (strlen(word_ops[k].name) == end - i - 1 &&
            strncasecmp(s + i + 1, word_ops[k].name, end - i - 1) == 0) {
            t->op = word_ops[k].op;
            return set_text(t, s + i, end - i);
        }
    t->op = PO_UNSUPPORTED;
    int known = 0;
    for (size_t k = 0; k < sizeof(other_word_ops) / sizeof(other_word_ops[0]); k++)
        known |= strlen(other_word_ops[k]) == end - i - 1 &&
                 strncasecmp(s + i + 1, other_word_ops[k], end - i - 1) == 0;
    if (!known)
        t->kind = PT_BAD;
    return set_text(t, s + i, end - i);
}

/* + - * / % = ! and their assignment forms. */
static int lex_symbol_op(const char *s, size_t len, size_t i, ps_token *t)
{
    static const char ops[] = "+-*/%=!";
    static const ps_op plain[] = {PO_ADD, PO_SUB, PO_MUL, PO_DIV, PO_MOD, PO_ASSIGN, PO_BANG};
    static const ps_op with_eq[] = {PO_ADD_ASSIGN, PO_SUB_ASSIGN, PO_MUL_ASSIGN, PO_DIV_ASSIGN,
                                    PO_MOD_ASSIGN, PO_UNSUPPORTED, PO_UNSUPPORTED};
    size_t k = (size_t)(strchr(ops, s[i]) - ops);
    t->kind = PT_OP;
    t->end = i + 1;
    t->op = plain[k];
    if (i + 1 < len && s[i + 1] == '=') {
        t->op = with_eq[k];
        t->end = i + 2;
    } else if (i + 1 < len && s[i + 1] == s[i] && (s[i] == '+' || s[i] == '-')) {
        t->op = PO_UNSUPPORTED; /* ++ and -- */
        t->end = i + 2;
    }
    return set_text(t, s + i, t->end - i);
}

int ps_lex(const char *s, size_t len, size_t pos, ps_lex_mode mode, int after_value,
           ps_token *t)
{
    memset(t, 0, sizeof(*t));
    size_t i = skip_blanks(s, len, pos);
    int adjacent = i == pos && after_value;
    t->pos = i;
    t->end = i + 1;
    if (i >= len) {
        t->kind = PT_EOF;
        t->end = i;
        return 0;
    }
    char c = s[i], n = i + 1 < len ? s[i + 1] : '\0';
    switch (c) {
    case '\n': t->kind = PT_NEWLINE; return 0;
    case ';': t->kind = PT_SEMI; return 0;
    case ',': t->kind = PT_COMMA; return 0;
    case '(': t->kind = PT_LPAREN; return 0;
    case ')': t->kind = PT_RPAREN; return 0;
    case '{': t->kind = PT_LBRACE; return 0;
    case '}': t->kind = PT_RBRACE; return 0;
    case ']': t->kind = PT_RBRACKET; return 0;
    case '|':
        t->kind = n == '|' ? PT_BAD : PT_PIPE;
        return n == '|' ? set_text(t, "||", 2) : 0;
    case '\'': return lex_string(s, len, i, t);
    case '"': {
        size_t end = xstring_end(s, len, i);
        t->end = end;
        if (end == len && (end - i < 2 || s[end - 1] != '"')) {
            t->kind = PT_BAD;
            return set_text(t, "TerminatorExpectedAtEndOfString", 31);
        }
        t->kind = PT_XSTRING;
        return set_text(t, s + i + 1, end - i - 2);
    }
    case '$':
        if (n == '(') {
            t->kind = PT_SUBEXPR;
            t->end = i + 2;
            return 0;
        }
        return lex_variable(s, len, i, t);
    case '@':
        if (n == '(') {
            t->kind = PT_ARRAYEXPR;
            t->end = i + 2;
            return 0;
        }
        t->kind = PT_BAD;
        return set_text(t, n == '{' ? "@{" : "@", n == '{' ? 2 : 1);
    case '[':
        if (adjacent) {
            t->kind = PT_LBRACKET;
            return 0;
        }
        if (mode == PS_LEX_ARG) /* `Write-Output [x]` is the string "[x]" */
            break;
        for (size_t j = i + 1, depth = 1; j < len; j++) {
            if (s[j] == '[')
                depth++;
            else if (s[j] == ']' && --depth == 0) {
                t->kind = PT_TYPE;
                t->end = j + 1;
                return set_text(t, s + i + 1, j - i - 1);
            }
        }
        t->kind = PT_BAD;
        return set_text(t, "[", 1);
    default:
        break;
    }
    if (c == '.' && adjacent && (isalpha((unsigned char)n) || n == '_')) {
        t->kind = PT_DOT;
        return 0;
    }
    if (mode == PS_LEX_ARG) {
        if (c == '-' && (isalpha((unsigned char)n) || n == '_')) {
            size_t end = i + 1;
            while (end < len && (is_name_char(s[end]) || s[end] == '-'))
                end++;
            t->kind = PT_PARAM;
            t->end = end;
            if (end < len && s[end] == ':') { /* -Name:value */
                t->op = PO_ASSIGN;
                t->end = end + 1;
            }
            return set_text(t, s + i + 1, end - i - 1);
        }
        size_t end = word_end(s, len, i);
        if ((t->value = number_at(s, i, end)) != NULL) {
            t->kind = PT_NUMBER;
            t->end = end;
            return 0;
        }
        t->end = end;
        /* redirection and the call operator are not simulated */
        t->kind = c == '&' || memchr(s + i, '>', end - i) || c == '<' ? PT_BAD : PT_WORD;
        return set_text(t, s + i, end - i);
    }
    /* an expression */
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)n)) ||
        (c == '-' && !after_value && (isdigit((unsigned char)n) || n == '.'))) {
        size_t end = number_end(s, len, i);
        if (end < len && (is_name_char(s[end]) || s[end] == '-')) {
            t->kind = PT_WORD; /* 2abc: a word (a command name at a statement's start) */
            t->end = word_end(s, len, i);
            return set_text(t, s + i, t->end - i);
        }
        t->kind = PT_NUMBER;
        t->end = end;
        t->value = number_at(s, i, end);
        return t->value ? 0 : -1;
    }
    if (c == '.' && n == '.') {
        t->kind = PT_OP;
        t->op = PO_RANGE;
        t->end = i + 2;
        return 0;
    }
    if (c == '-' && (isalpha((unsigned char)n)))
        return lex_dash_word(s, len, i, t);
    if (strchr("+-*/%=!", c))
        return lex_symbol_op(s, len, i, t);
    if (isalpha((unsigned char)c) || c == '_') {
        t->kind = PT_WORD;
        t->end = word_end(s, len, i);
        return set_text(t, s + i, t->end - i);
    }
    t->kind = PT_BAD;
    return set_text(t, s + i, 1);
}
