/* ps_expr.c: values and operators of the harness's simulated PowerShell
 * (see ps_script_internal.h): evaluating expression trees, and
 * PowerShell's rules for them: the left operand's type decides (1 + '2' is
 * 3, '1' + 2 is '12'), Int32 arithmetic that overflows becomes Double, an
 * inexact division too, string comparisons ignore case, and an array on the
 * left of a comparison filters it. Failures are the error records
 * PowerShell writes, with its messages and ids. */
#include "src/harness/ps_script_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* At most this many numbers in a range: the harness builds it whole. */
#define MAX_RANGE 1000000
/* What one string may grow to by * (PowerShell would go on to run out of
 * memory; the harness says so first). */
#define MAX_STRING (16u * 1024 * 1024)

psrp_value *ps_list_new(void)
{
    static const char *const types[] = {"System.Object[]", "System.Array", "System.Object", NULL};
    return psrp_value_new_collection(PSRP_COLL_LIST, types);
}

int ps_is_list(const psrp_value *v)
{
    return v && v->kind == PSRP_V_OBJECT && v->u.obj.coll == PSRP_COLL_LIST;
}

static int is_int_kind(psrp_value_kind k)
{
    return k == PSRP_V_I8 || k == PSRP_V_I16 || k == PSRP_V_I32 || k == PSRP_V_I64 ||
           k == PSRP_V_U8 || k == PSRP_V_U16 || k == PSRP_V_U32 || k == PSRP_V_U64;
}

static int is_number(const psrp_value *v)
{
    return v && (is_int_kind(v->kind) || v->kind == PSRP_V_DOUBLE || v->kind == PSRP_V_FLOAT);
}

const char *ps_type_name(const psrp_value *v)
{
    if (!v || v->kind == PSRP_V_NIL)
        return "null";
    switch (v->kind) {
    case PSRP_V_STRING: return "System.String";
    case PSRP_V_BOOL: return "System.Boolean";
    case PSRP_V_I32: return "System.Int32";
    case PSRP_V_I64: return "System.Int64";
    case PSRP_V_DOUBLE: return "System.Double";
    case PSRP_V_DATETIME: return "System.DateTime";
    case PSRP_V_SECURESTRING: return "System.Security.SecureString";
    case PSRP_V_SCRIPTBLOCK: return "System.Management.Automation.ScriptBlock";
    case PSRP_V_OBJECT: {
        const char *t = psrp_type_name_strip_deserialized(psrp_value_type_name(v, 0));
        return t ? t : "System.Management.Automation.PSCustomObject";
    }
    default: return is_number(v) ? "System.ValueType" : "System.Object";
    }
}

void ps_value_text(const psrp_value *v, psr_buf *out)
{
    if (!v)
        return;
    switch (v->kind) {
    case PSRP_V_NIL: return;
    case PSRP_V_BOOL: psr_buf_puts(out, v->u.b ? "True" : "False"); return;
    case PSRP_V_SECURESTRING: psr_buf_puts(out, "System.Security.SecureString"); return;
    case PSRP_V_CHAR: psr_buf_putc(out, (char)v->u.u64); return;
    case PSRP_V_DOUBLE:
    case PSRP_V_FLOAT: {
        double d = v->u.f64;
        if (isnan(d))
            psr_buf_puts(out, "NaN");
        else if (isinf(d))
            psr_buf_puts(out, d > 0 ? "Infinity" : "-Infinity");
        else
            psr_buf_printf(out, "%.15G", d); /* .NET's default: 15 significant digits */
        return;
    }
    case PSRP_V_OBJECT:
        if (ps_is_list(v)) {
            for (size_t i = 0; i < v->u.obj.n_items; i++) {
                if (i)
                    psr_buf_putc(out, ' ');
                ps_value_text(v->u.obj.items[i], out);
            }
        } else if (v->u.obj.to_string) {
            psr_buf_puts(out, v->u.obj.to_string);
        } else if (v->u.obj.base) {
            ps_value_text(v->u.obj.base, out);
        } else {
            psr_buf_puts(out, ps_type_name(v));
        }
        return;
    default:
        break;
    }
    int64_t n;
    uint64_t u;
    if (psrp_value_text(v))
        psr_buf_puts(out, psrp_value_text(v));
    else if (v->kind == PSRP_V_U64 && psrp_value_get_u64(v, &u) == 0)
        psr_buf_printf(out, "%llu", (unsigned long long)u);
    else if (psrp_value_get_i64(v, &n) == 0)
        psr_buf_printf(out, "%lld", (long long)n);
}

int ps_is_true(const psrp_value *v)
{
    if (!v || v->kind == PSRP_V_NIL)
        return 0;
    if (v->kind == PSRP_V_BOOL)
        return v->u.b;
    if (v->kind == PSRP_V_STRING)
        return v->u.str.len > 0;
    if (v->kind == PSRP_V_DOUBLE || v->kind == PSRP_V_FLOAT)
        return v->u.f64 != 0;
    if (is_int_kind(v->kind)) {
        int64_t n;
        uint64_t u;
        return psrp_value_get_i64(v, &n) == 0 ? n != 0 : psrp_value_get_u64(v, &u) == 0 && u;
    }
    if (ps_is_list(v))
        return v->u.obj.n_items == 0   ? 0
               : v->u.obj.n_items == 1 ? ps_is_true(v->u.obj.items[0])
                                       : 1;
    return 1;
}

/* A number: whole (i, wide when it was Int64 or more) or Double. */
typedef struct num {
    int is_double, wide;
    int64_t i;
    double d;
} num;

/* Text as PowerShell converts it to a number: blanks around it allowed,
 * empty is 0, decimal or 0x hex, else a Double. */
static int text_number(const char *s, num *out)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    memset(out, 0, sizeof(*out));
    if (!len)
        return 0;
    char buf[64], *end;
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    const char *digits = buf + (buf[0] == '-' || buf[0] == '+');
    long long n = strtoll(buf, &end, digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10);
    if (!*end && errno == 0) {
        out->i = n;
        out->wide = n < INT32_MIN || n > INT32_MAX;
        return 0;
    }
    double d = strtod(buf, &end);
    if (*end || end == buf)
        return -1;
    out->is_double = 1;
    out->d = d;
    return 0;
}

static int to_num(const psrp_value *v, num *out)
{
    memset(out, 0, sizeof(*out));
    if (!v || v->kind == PSRP_V_NIL)
        return 0;
    if (v->kind == PSRP_V_BOOL) {
        out->i = v->u.b;
        return 0;
    }
    if (v->kind == PSRP_V_DOUBLE || v->kind == PSRP_V_FLOAT) {
        out->is_double = 1;
        out->d = v->u.f64;
        return 0;
    }
    if (v->kind == PSRP_V_CHAR) {
        out->i = (int64_t)v->u.u64;
        return 0;
    }
    if (is_int_kind(v->kind)) {
        uint64_t u;
        if (psrp_value_get_i64(v, &out->i) != 0) {
            if (psrp_value_get_u64(v, &u) != 0)
                return -1;
            out->is_double = 1; /* a U64 beyond Int64 */
            out->d = (double)u;
        }
        out->wide = v->kind == PSRP_V_I64 || v->kind == PSRP_V_U64 || v->kind == PSRP_V_U32;
        return 0;
    }
    if (v->kind == PSRP_V_STRING)
        return text_number(v->u.str.ptr, out);
    if (v->kind == PSRP_V_OBJECT && v->u.obj.base && !ps_is_list(v))
        return to_num(v->u.obj.base, out);
    return -1;
}

int ps_value_int(const psrp_value *v, int64_t *out)
{
    num n;
    if (to_num(v, &n) != 0)
        return -1;
    *out = n.is_double ? (int64_t)nearbyint(n.d) : n.i;
    return 0;
}

static double as_double(const num *n)
{
    return n->is_double ? n->d : (double)n->i;
}

static psrp_value *num_value(const num *n)
{
    if (n->is_double)
        return psrp_value_new_double(n->d);
    if (!n->wide && n->i >= INT32_MIN && n->i <= INT32_MAX)
        return psrp_value_new_i32((int32_t)n->i);
    return psrp_value_new_i64(n->i);
}

static int runtime_error(ps_run *r, const char *id, int32_t category, const char *target,
                         const char *target_type, const char *message)
{
    psrp_error_record_spec spec = {
        .message = message,
        .exception_type = "System.Management.Automation.RuntimeException",
        .fully_qualified_error_id = id,
        .category = category,
        .category_reason = "RuntimeException",
        .category_target_name = target,
        .category_target_type = target_type,
    };
    return ps_raise(r, &spec);
}

/* Cannot convert value "abc" to type "System.Int32". */
static int convert_error(ps_run *r, const psrp_value *v, const char *to)
{
    char msg[512];
    psr_buf t = {0};
    ps_value_text(v, &t);
    if (v && v->kind == PSRP_V_STRING)
        snprintf(msg, sizeof(msg),
                 "Cannot convert value \"%s\" to type \"%s\". Error: \"Input string was not in a "
                 "correct format.\"", t.data ? t.data : "", to);
    else
        snprintf(msg, sizeof(msg), "Cannot convert the \"%s\" value of type \"%s\" to type \"%s\".",
                 t.data ? t.data : "", ps_type_name(v), to);
    psr_buf_free(&t);
    return runtime_error(r, v && v->kind == PSRP_V_STRING ? "InvalidCastFromStringToInteger"
                                                          : "ConvertToFinalInvalidCastException",
                         5 /* InvalidArgument */, "", "", msg);
}

static int method_missing(ps_run *r, const psrp_value *v, const char *method)
{
    char msg[512];
    snprintf(msg, sizeof(msg),
             "Method invocation failed because [%s] does not contain a method named '%s'.",
             ps_type_name(v), method);
    return runtime_error(r, "MethodNotFound", 7 /* InvalidOperation */, method, "String", msg);
}

static const char *op_method(ps_op op)
{
    switch (op) {
    case PO_ADD: return "op_Addition";
    case PO_SUB: return "op_Subtraction";
    case PO_MUL: return "op_Multiply";
    case PO_DIV: return "op_Division";
    default: return "op_Modulus";
    }
}

/* + - * / % on numbers: Int32 results stay Int32, overflow widens (Int32
 * to Double, as PowerShell's IntOps do; Int64 to Double too), a division
 * that is not exact gives a Double. */
static int arith(ps_run *r, ps_op op, const num *a, const num *b, psrp_value **out)
{
    num res = {0};
    int wide = a->wide || b->wide;
    if ((op == PO_DIV || op == PO_MOD) && (b->is_double ? b->d == 0 : b->i == 0))
        return runtime_error(r, "RuntimeException", 0, "", "", "Attempted to divide by zero.");
    if (a->is_double || b->is_double) {
        double x = as_double(a), y = as_double(b);
        res.is_double = 1;
        res.d = op == PO_ADD ? x + y : op == PO_SUB ? x - y : op == PO_MUL ? x * y
                : op == PO_DIV ? x / y : fmod(x, y);
    } else {
        int64_t v = 0;
        int over = 0;
        if (op == PO_ADD)
            over = __builtin_add_overflow(a->i, b->i, &v);
        else if (op == PO_SUB)
            over = __builtin_sub_overflow(a->i, b->i, &v);
        else if (op == PO_MUL)
            over = __builtin_mul_overflow(a->i, b->i, &v);
        else if (op == PO_DIV && (a->i == INT64_MIN && b->i == -1))
            over = 1;
        else if (op == PO_DIV && a->i % b->i == 0)
            v = a->i / b->i;
        else if (op == PO_DIV)
            res.is_double = 1, res.d = (double)a->i / (double)b->i;
        else
            v = b->i == -1 ? 0 : a->i % b->i;
        if (over || (!wide && (v < INT32_MIN || v > INT32_MAX) && op != PO_DIV && op != PO_MOD)) {
            double x = (double)a->i, y = (double)b->i;
            res.is_double = 1;
            res.d = op == PO_ADD ? x + y : op == PO_SUB ? x - y : op == PO_MUL ? x * y : x / y;
        } else if (!res.is_double) {
            res.i = v;
            res.wide = wide;
        }
    }
    *out = num_value(&res);
    return *out ? 0 : PS_ST_FAIL;
}

/* -1, 0, 1 for a compared to b as PowerShell does (the left operand's type
 * decides); 2 when they cannot be ordered (b does not convert). */
static int compare(const psrp_value *a, const psrp_value *b)
{
    int a_nil = !a || a->kind == PSRP_V_NIL, b_nil = !b || b->kind == PSRP_V_NIL;
    if (a_nil || b_nil)
        return a_nil && b_nil ? 0 : a_nil ? -1 : 1;
    if (is_number(a) || a->kind == PSRP_V_BOOL) {
        num x, y;
        if (to_num(a, &x) != 0 || to_num(b, &y) != 0)
            return 2;
        if (a->kind == PSRP_V_BOOL)
            return (x.i != 0) - ps_is_true(b);
        if (x.is_double || y.is_double) {
            double p = as_double(&x), q = as_double(&y);
            return p < q ? -1 : p > q ? 1 : 0;
        }
        return x.i < y.i ? -1 : x.i > y.i ? 1 : 0;
    }
    psr_buf p = {0}, q = {0};
    ps_value_text(a, &p);
    ps_value_text(b, &q);
    int c = strcasecmp(p.data ? p.data : "", q.data ? q.data : "");
    psr_buf_free(&p);
    psr_buf_free(&q);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static int compare_holds(ps_op op, int c)
{
    if (c == 2)
        return op == PO_NE;
    switch (op) {
    case PO_EQ: return c == 0;
    case PO_NE: return c != 0;
    case PO_LT: return c < 0;
    case PO_GT: return c > 0;
    case PO_LE: return c <= 0;
    default: return c >= 0;
    }
}

static int is_compare(ps_op op)
{
    return op >= PO_EQ && op <= PO_GE;
}

/* A list holding a's items (or a) then b's items (or b). */
static psrp_value *concat(const psrp_value *a, const psrp_value *b, size_t times)
{
    psrp_value *l = ps_list_new();
    int bad = !l;
    for (size_t t = 0; t < times && !bad; t++) {
        const psrp_value *parts[2] = {a, b};
        for (size_t k = 0; k < 2 && !bad; k++) {
            const psrp_value *v = parts[k];
            if (!v)
                continue;
            if (ps_is_list(v))
                for (size_t i = 0; i < v->u.obj.n_items && !bad; i++)
                    bad = psrp_list_append(l, psrp_value_ref(v->u.obj.items[i])) != 0;
            else
                bad = psrp_list_append(l, psrp_value_ref((psrp_value *)v)) != 0;
        }
    }
    if (bad) {
        psrp_value_free(l);
        return NULL;
    }
    return l;
}

int ps_binary(ps_run *r, ps_op op, const psrp_value *a, const psrp_value *b, psrp_value **out)
{
    *out = NULL;
    if (a && a->kind == PSRP_V_NIL)
        a = NULL;
    if (b && b->kind == PSRP_V_NIL)
        b = NULL;
    if (is_compare(op)) {
        if (ps_is_list(a)) { /* 1,2,3 -gt 1: the items that compare */
            psrp_value *l = ps_list_new();
            for (size_t i = 0; l && i < a->u.obj.n_items; i++)
                if (compare_holds(op, compare(a->u.obj.items[i], b)) &&
                    psrp_list_append(l, psrp_value_ref(a->u.obj.items[i])) != 0) {
                    psrp_value_free(l);
                    l = NULL;
                }
            *out = l;
            return l ? 0 : PS_ST_FAIL;
        }
        int c = compare(a, b);
        if (c == 2 && op != PO_EQ && op != PO_NE) {
            psr_buf p = {0}, q = {0};
            ps_value_text(a, &p);
            ps_value_text(b, &q);
            char msg[512];
            snprintf(msg, sizeof(msg), "Could not compare \"%s\" to \"%s\".",
                     p.data ? p.data : "", q.data ? q.data : "");
            psr_buf_free(&p);
            psr_buf_free(&q);
            return runtime_error(r, "ComparisonFailure", 7, "", "", msg);
        }
        *out = psrp_value_new_bool(compare_holds(op, c));
        return *out ? 0 : PS_ST_FAIL;
    }
    int64_t times;
    if (ps_is_list(a)) {
        if (op == PO_ADD)
            *out = concat(a, b, 1);
        else if (op == PO_MUL && ps_value_int(b, &times) == 0 && times >= 0) {
            if (times && a->u.obj.n_items > (size_t)MAX_RANGE / (size_t)times)
                return runtime_error(r, "ArrayTooLarge", 29 /* LimitsExceeded */, "", "",
                                     "The harness's arrays hold at most 1000000 items.");
            *out = concat(a, NULL, (size_t)times);
        } else {
            return method_missing(r, a, op_method(op));
        }
        return *out ? 0 : PS_ST_FAIL;
    }
    if (a && a->kind == PSRP_V_STRING && (op == PO_ADD || op == PO_MUL)) {
        psr_buf t = {0};
        psr_buf_puts(&t, a->u.str.ptr);
        if (op == PO_ADD) {
            ps_value_text(b, &t);
        } else {
            if (ps_value_int(b, &times) != 0 || times < 0) {
                psr_buf_free(&t);
                return convert_error(r, b, "System.Int32");
            }
            if (times && a->u.str.len > MAX_STRING / (uint64_t)times) {
                psr_buf_free(&t);
                return runtime_error(r, "StringTooLong", 29 /* LimitsExceeded */, "", "",
                                     "The harness's strings hold at most 16777216 characters.");
            }
            psr_buf_reset(&t);
            psr_buf_puts(&t, "");
            for (int64_t i = 0; i < times; i++)
                psr_buf_append(&t, a->u.str.ptr, a->u.str.len);
        }
        *out = psrp_value_new_stringn(t.data ? t.data : "", t.len);
        psr_buf_free(&t);
        return *out ? 0 : PS_ST_FAIL;
    }
    if (!a && op == PO_ADD) { /* $null + x is x */
        *out = b ? psrp_value_ref((psrp_value *)b) : psrp_value_new_nil();
        return *out ? 0 : PS_ST_FAIL;
    }
    if (!a && op == PO_MUL) {
        *out = psrp_value_new_nil();
        return *out ? 0 : PS_ST_FAIL;
    }
    if (a && !is_number(a) && a->kind != PSRP_V_BOOL && a->kind != PSRP_V_STRING)
        return method_missing(r, a, op_method(op));
    num x, y;
    if (to_num(a, &x) != 0)
        return convert_error(r, a, "System.Int32");
    if (to_num(b, &y) != 0)
        return convert_error(r, b, x.is_double ? "System.Double" : "System.Int32");
    return arith(r, op, &x, &y, out);
}

/* ---- evaluating ---- */

/* v.name: a property; Count and Length of arrays and strings; on an array
 * the property of each item (PowerShell's member enumeration). */
static psrp_value *member(const psrp_value *v, const char *name)
{
    if (!v || v->kind == PSRP_V_NIL)
        return psrp_value_new_nil();
    if (ps_is_list(v) && (strcasecmp(name, "Count") == 0 || strcasecmp(name, "Length") == 0))
        return psrp_value_new_i32((int32_t)v->u.obj.n_items);
    if (v->kind == PSRP_V_STRING && strcasecmp(name, "Length") == 0)
        return psrp_value_new_i32((int32_t)v->u.str.len);
    if (ps_is_list(v)) {
        psrp_value *l = ps_list_new();
        for (size_t i = 0; l && i < v->u.obj.n_items; i++) {
            psrp_value *m = member(v->u.obj.items[i], name);
            if (m && m->kind == PSRP_V_NIL) {
                psrp_value_free(m);
                continue;
            }
            if (psrp_list_append(l, m) != 0) {
                psrp_value_free(l);
                return NULL;
            }
        }
        return l;
    }
    psrp_value *p = v->kind == PSRP_V_OBJECT ? psrp_object_get(v, name) : NULL;
    return p ? psrp_value_ref(p) : psrp_value_new_nil();
}

static int eval_xstring(ps_run *r, const ps_node *e, psrp_value **out)
{
    psr_buf t = {0};
    psr_buf_puts(&t, "");
    int rc = 0;
    for (size_t i = 0; !rc && i < e->n_kids; i++) {
        const ps_node *k = e->kids[i];
        psrp_value *v = NULL;
        if (k->kind == PN_MEMBER && k->flag) {
            /* "$c.UserName": the property when there is one, else "$c" and
             * the text after it */
            const psrp_value *base = ps_lookup(r, k->kids[0]->text);
            const psrp_value *p = base && base->kind == PSRP_V_OBJECT && !ps_is_list(base)
                                      ? psrp_object_get(base, k->text)
                                      : NULL;
            if (p) {
                ps_value_text(p, &t);
            } else {
                rc = ps_eval(r, k->kids[0], &v);
                ps_value_text(v, &t);
                psr_buf_printf(&t, ".%s", k->text);
            }
        } else {
            rc = ps_eval(r, k, &v);
            ps_value_text(v, &t);
        }
        psrp_value_free(v);
    }
    *out = rc ? NULL : psrp_value_new_stringn(t.data, t.len);
    psr_buf_free(&t);
    return rc ? rc : *out ? 0 : PS_ST_FAIL;
}

static psrp_value *variable(ps_run *r, const char *name)
{
    if (strcmp(name, "_") == 0 || strcasecmp(name, "PSItem") == 0)
        return r->dollar ? psrp_value_ref((psrp_value *)r->dollar) : psrp_value_new_nil();
    if (strcasecmp(name, "args") == 0)
        return psrp_value_ref(r->scope->args);
    if (strcasecmp(name, "input") == 0)
        return psrp_value_ref(r->scope->input);
    if (strcasecmp(name, "true") == 0 || strcasecmp(name, "false") == 0)
        return psrp_value_new_bool(strcasecmp(name, "true") == 0);
    const psrp_value *v = ps_lookup(r, name);
    return v ? psrp_value_ref((psrp_value *)v) : psrp_value_new_nil();
}

/* [int] [long] [double] [string] [bool] and arrays ([X[]], [array]). */
static int cast(ps_run *r, const char *type, psrp_value *v, psrp_value **out)
{
    const char *t = strncasecmp(type, "System.", 7) == 0 ? type + 7 : type;
    size_t len = strlen(t);
    int64_t n;
    num x;
    *out = NULL;
    if (strcasecmp(t, "int") == 0 || strcasecmp(t, "int32") == 0) {
        if (ps_value_int(v, &n) != 0 || n < INT32_MIN || n > INT32_MAX)
            return convert_error(r, v, "System.Int32");
        *out = psrp_value_new_i32((int32_t)n);
    } else if (strcasecmp(t, "long") == 0 || strcasecmp(t, "int64") == 0) {
        if (ps_value_int(v, &n) != 0)
            return convert_error(r, v, "System.Int64");
        *out = psrp_value_new_i64(n);
    } else if (strcasecmp(t, "double") == 0) {
        if (to_num(v, &x) != 0)
            return convert_error(r, v, "System.Double");
        *out = psrp_value_new_double(as_double(&x));
    } else if (strcasecmp(t, "string") == 0) {
        psr_buf b = {0};
        ps_value_text(v, &b);
        *out = psrp_value_new_stringn(b.data ? b.data : "", b.len);
        psr_buf_free(&b);
    } else if (strcasecmp(t, "bool") == 0 || strcasecmp(t, "boolean") == 0) {
        *out = psrp_value_new_bool(ps_is_true(v));
    } else if (strcasecmp(t, "array") == 0 || (len > 2 && strcmp(t + len - 2, "[]") == 0)) {
        *out = ps_is_list(v) ? psrp_value_ref(v) : concat(v && v->kind != PSRP_V_NIL ? v : NULL, NULL, 1);
    } else {
        char msg[300];
        snprintf(msg, sizeof(msg), "Unable to find type [%s].", type);
        return runtime_error(r, "TypeNotFound", 7, type, "TypeName", msg);
    }
    return *out ? 0 : PS_ST_FAIL;
}

static int is_host_ui(const ps_node *n)
{
    return n->kind == PN_MEMBER && strcasecmp(n->text, "UI") == 0 &&
           n->kids[0]->kind == PN_VAR && strcasecmp(n->kids[0]->text, "host") == 0;
}

/* Calls the one method the harness has, $host.UI.PromptForChoice. */
static int call(ps_run *r, const ps_node *e, psrp_value **out)
{
    if (is_host_ui(e->kids[0]) && strcasecmp(e->text, "PromptForChoice") == 0) {
        psrp_value *args[8] = {0};
        size_t n = e->n_kids - 1 < 8 ? e->n_kids - 1 : 8;
        int rc = 0;
        for (size_t i = 0; !rc && i < n; i++)
            rc = ps_eval(r, e->kids[i + 1], &args[i]);
        if (!rc) { /* its answer is output: gather it as the call's value */
            ps_gather g;
            ps_run inner;
            ps_gather_start(&g, r, &inner);
            rc = ps_prompt_for_choice(&inner, args, n);
            *out = ps_gather_take(&g);
            if (!rc && !*out)
                rc = PS_ST_FAIL;
        }
        for (size_t i = 0; i < n; i++)
            psrp_value_free(args[i]);
        return rc;
    }
    psrp_value *target = NULL;
    int rc = ps_eval(r, e->kids[0], &target);
    if (!rc && (!target || target->kind == PSRP_V_NIL))
        rc = runtime_error(r, "InvokeMethodOnNull", 7, "", "",
                           "You cannot call a method on a null-valued expression.");
    else if (!rc)
        rc = method_missing(r, target, e->text);
    psrp_value_free(target);
    return rc;
}

static int eval_kids(ps_run *r, const ps_node *e, psrp_value **a, psrp_value **b)
{
    *a = *b = NULL;
    int rc = ps_eval(r, e->kids[0], a);
    if (!rc && e->n_kids > 1)
        rc = ps_eval(r, e->kids[1], b);
    return rc;
}

int ps_eval(ps_run *r, const ps_node *e, psrp_value **out)
{
    psrp_value *a = NULL, *b = NULL;
    int rc = 0;
    *out = NULL;
    switch (e->kind) {
    case PN_CONST:
        *out = psrp_value_ref(e->value);
        break;
    case PN_XSTRING:
        return eval_xstring(r, e, out);
    case PN_VAR:
        *out = variable(r, e->text);
        break;
    case PN_MEMBER:
        if ((rc = ps_eval(r, e->kids[0], &a)) == 0)
            *out = member(a, e->text);
        break;
    case PN_INDEX: {
        int64_t i;
        if ((rc = eval_kids(r, e, &a, &b)) != 0)
            break;
        if (ps_value_int(b, &i) != 0) {
            rc = convert_error(r, b, "System.Int32");
        } else if (ps_is_list(a)) {
            int64_t n = (int64_t)a->u.obj.n_items;
            if (i < 0)
                i += n;
            *out = i >= 0 && i < n ? psrp_value_ref(a->u.obj.items[i]) : psrp_value_new_nil();
        } else if (a && a->kind == PSRP_V_STRING) {
            int64_t n = (int64_t)a->u.str.len;
            if (i < 0)
                i += n;
            *out = i >= 0 && i < n ? psrp_value_new_char((unsigned char)a->u.str.ptr[i])
                                   : psrp_value_new_nil();
        } else {
            *out = i == 0 && a ? psrp_value_ref(a) : psrp_value_new_nil();
        }
        break;
    }
    case PN_CALL:
        return call(r, e, out);
    case PN_CAST:
        if ((rc = ps_eval(r, e->kids[0], &a)) == 0)
            rc = cast(r, e->text, a, out);
        break;
    case PN_ARRAY: {
        psrp_value *l = ps_list_new();
        for (size_t i = 0; l && !rc && i < e->n_kids; i++) {
            psrp_value *v = NULL;
            rc = ps_eval(r, e->kids[i], &v);
            if (!rc && psrp_list_append(l, v) != 0)
                rc = PS_ST_FAIL;
        }
        *out = rc ? (psrp_value_free(l), NULL) : l;
        break;
    }
    case PN_RANGE: {
        int64_t from, to;
        if ((rc = eval_kids(r, e, &a, &b)) != 0)
            break;
        if (ps_value_int(a, &from) != 0 || ps_value_int(b, &to) != 0) {
            rc = convert_error(r, ps_value_int(a, &from) != 0 ? a : b, "System.Int32");
            break;
        }
        if ((from > to ? from - to : to - from) >= MAX_RANGE) {
            rc = runtime_error(r, "RangeTooLarge", 29 /* LimitsExceeded */, "", "",
                               "The harness's ranges hold at most 1000000 numbers.");
            break;
        }
        psrp_value *l = ps_list_new();
        for (int64_t i = from; l; i += from <= to ? 1 : -1) {
            if (psrp_list_append(l, psrp_value_new_i32((int32_t)i)) != 0) {
                psrp_value_free(l);
                l = NULL;
            }
            if (i == to)
                break;
        }
        *out = l;
        break;
    }
    case PN_BINARY:
        if ((rc = ps_eval(r, e->kids[0], &a)) != 0)
            break;
        if (e->op == PO_AND || e->op == PO_OR) { /* short-circuit */
            int t = ps_is_true(a);
            if ((e->op == PO_AND) == t) {
                if ((rc = ps_eval(r, e->kids[1], &b)) != 0)
                    break;
                t = ps_is_true(b);
            }
            *out = psrp_value_new_bool(t);
            break;
        }
        if ((rc = ps_eval(r, e->kids[1], &b)) == 0)
            rc = ps_binary(r, e->op, a, b, out);
        break;
    case PN_UNARY:
        if ((rc = ps_eval(r, e->kids[0], &a)) != 0)
            break;
        if (e->op == PO_SUB) {
            psrp_value *zero = psrp_value_new_i32(0);
            rc = zero ? ps_binary(r, PO_SUB, zero, a, out) : PS_ST_FAIL;
            psrp_value_free(zero);
        } else {
            *out = psrp_value_new_bool(!ps_is_true(a));
        }
        break;
    case PN_PAREN:
        return ps_collect(r, e->kids[0], 0, out);
    case PN_BLOCK:
        if ((rc = ps_collect(r, e, 1, &a)) == 0 && e->flag && !ps_is_list(a)) {
            /* @( ): always an array */
            *out = concat(a && a->kind != PSRP_V_NIL ? a : NULL, NULL, 1);
            break;
        }
        *out = a;
        a = NULL;
        break;
    case PN_SCRIPTBLOCK:
        *out = psrp_value_new_text(PSRP_V_SCRIPTBLOCK, e->text ? e->text : "",
                                   e->text ? strlen(e->text) : 0);
        break;
    default:
        rc = PS_ST_FAIL;
        break;
    }
    psrp_value_free(a);
    psrp_value_free(b);
    if (!rc && !*out)
        rc = PS_ST_FAIL;
    if (rc) {
        psrp_value_free(*out);
        *out = NULL;
    }
    return rc;
}
