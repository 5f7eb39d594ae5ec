/* json.c: CLIXML value -> JSON (jansson).
 *
 * The mapping, chosen to read well and lose as little as JSON allows:
 *
 *   Nil                          null
 *   S, URI, XD, SBK, G, Version  string
 *   C                            string of that one character
 *   B                            true / false
 *   By SB U16 I16 U32 I32 I64    integer (exact)
 *   U64                          integer; above 9223372036854775807 (past
 *                                jansson's int64) a string of the digits
 *   Sg, Db                       number; NaN, INF, -INF become the strings
 *                                "NaN", "Infinity", "-Infinity"
 *   D (decimal)                  string, the text exactly as sent (a JSON
 *                                number would round through a double)
 *   DT (DateTime)                string, ISO 8601 as sent
 *                                ("2008-04-11T10:42:32.2731993-07:00")
 *   TS (TimeSpan)                string, ISO 8601 duration as sent ("PT9.02S")
 *   BA                           string, base64
 *   SS (SecureString)            {"SecureString": "<encrypted base64>"}, or
 *                                "(redacted)" for one a trace redacted
 *                                (redact.h); with PSRP_JSON_HIDE_SECURE_STRINGS
 *                                an object typed System.Security.SecureString
 *   PR (ProgressRecord)          {"Activity", "ActivityId", "StatusDescription",
 *                                 "CurrentOperation", "ParentActivityId",
 *                                 "PercentComplete", "SecondsRemaining",
 *                                 "RecordType"}
 *   Obj                          {"TypeNames": [...],   when it has <TN>
 *                                 "ToString": "...",     when it has one
 *                                 "Value": ...,          the wrapped primitive
 *                                                        (an enum's number)
 *                                 "Collection": "List" | "IEnumerable" |
 *                                   "Stack" | "Queue" | "Dictionary",
 *                                 "Items": [...],        for the list kinds
 *                                 "Entries": [{"Key": k, "Value": v}, ...],
 *                                                        for dictionaries (keys
 *                                                        need not be strings)
 *                                 "Properties": {...}}   adapted (Props) then
 *                                                        extended (MS) members;
 *                                                        a later member of the
 *                                                        same name wins
 *
 * Strings are UTF-8; a lone surrogate (kept by the deserializer as 3-byte
 * generalized UTF-8) becomes U+FFFD, since JSON text must be valid UTF-8.
 * An object shared through <Ref> is written out in full wherever it is
 * used; a budget of nodes stops a small document of nested references from
 * expanding without bound. */
#include "psrp/json.h"

#include "common/base64.h"
#include "psrp/redact.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 1000000

typedef struct jctx {
    size_t nodes;
    psr_error *err;
    int failed;
    unsigned flags;     /* PSRP_JSON_* */
} jctx;

static json_t *fail(jctx *c, psr_status code, const char *msg)
{
    if (!c->failed) {
        psr_error_set(c->err, code, "JSON: %s", msg);
        c->failed = code;
    }
    return NULL;
}

/* Length of the valid UTF-8 sequence at p (surrogates and overlong forms
 * are not valid), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    if (*p < 0x80)
        return 1;
    if ((*p & 0xE0) == 0xC0 && p + 1 < end && (p[1] & 0xC0) == 0x80 && *p >= 0xC2)
        return 2;
    if ((*p & 0xF0) == 0xE0 && p + 2 < end && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
        !(*p == 0xED && p[1] >= 0xA0) && !(*p == 0xE0 && p[1] < 0xA0))
        return 3;
    if ((*p & 0xF8) == 0xF0 && p + 3 < end && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
        (p[3] & 0xC0) == 0x80 && *p <= 0xF4 && !(*p == 0xF0 && p[1] < 0x90) && !(*p == 0xF4 && p[1] >= 0x90))
        return 4;
    return 0;
}

static int utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        size_t n = utf8_seq(p, end);
        if (!n)
            return 0;
        p += n;
    }
    return 1;
}

/* Valid UTF-8: generalized-UTF-8 surrogates and stray bytes become U+FFFD. */
static json_t *jstring(jctx *c, const char *s, size_t len)
{
    json_t *j = utf8_ok(s, len) ? json_stringn(s, len) : NULL;
    if (j)
        return j;
    psr_buf clean = { 0 };
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    int rc = 0;
    while (p < end && rc == 0) {
        size_t n = utf8_seq(p, end);
        if (n) {
            rc = psr_buf_append(&clean, p, n);
            p += n;
        } else {
            rc = psr_buf_puts(&clean, "\xEF\xBF\xBD");
            /* a 3-byte encoded surrogate is one replacement, not three */
            p += (*p == 0xED && p + 2 < end) ? 3 : 1;
        }
    }
    j = rc ? NULL : json_stringn(clean.data ? clean.data : "", clean.len);
    psr_buf_free(&clean);
    return j ? j : fail(c, PSR_E_NOMEM, "out of memory");
}

static json_t *to_json(jctx *c, const psrp_value *v);

/* Sets key on obj to val (taking it); NULL val means failure. A key that
 * is not valid UTF-8 (a property name with a lone surrogate) is cleaned
 * like string values are. */
static int put(jctx *c, json_t *obj, const char *key, json_t *val)
{
    if (!val) {
        fail(c, PSR_E_NOMEM, "out of memory");
        return -1;
    }
    json_t *clean = NULL;
    if (!utf8_ok(key, strlen(key))) {
        if (!(clean = jstring(c, key, strlen(key)))) {
            json_decref(val);
            return -1;
        }
        key = json_string_value(clean);
    }
    /* json_object_set_new releases val even when it fails. */
    int rc = json_object_set_new(obj, key, val);
    json_decref(clean);
    if (rc != 0) {
        fail(c, PSR_E_NOMEM, "out of memory");
        return -1;
    }
    return 0;
}

static json_t *progress_json(jctx *c, const psrp_progress *p)
{
    json_t *o = json_object();
    if (!o)
        return fail(c, PSR_E_NOMEM, "out of memory");
    const char *cur = p->current_operation;
    int rc = put(c, o, "Activity", jstring(c, p->activity ? p->activity : "", p->activity ? strlen(p->activity) : 0));
    rc |= put(c, o, "ActivityId", json_integer(p->activity_id));
    rc |= put(c, o, "StatusDescription", jstring(c, p->status_description ? p->status_description : "",
                                                  p->status_description ? strlen(p->status_description) : 0));
    rc |= put(c, o, "CurrentOperation", cur ? jstring(c, cur, strlen(cur)) : json_null());
    rc |= put(c, o, "ParentActivityId", json_integer(p->parent_activity_id));
    rc |= put(c, o, "PercentComplete", json_integer(p->percent_complete));
    rc |= put(c, o, "SecondsRemaining", json_integer(p->seconds_remaining));
    rc |= put(c, o, "RecordType", jstring(c, p->record_type ? p->record_type : "",
                                           p->record_type ? strlen(p->record_type) : 0));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *double_json(double d)
{
    if (isnan(d))
        return json_string("NaN");
    if (isinf(d))
        return json_string(d > 0 ? "Infinity" : "-Infinity");
    return json_real(d);
}

static const char *coll_name(psrp_collection coll)
{
    switch (coll) {
    case PSRP_COLL_LIST: return "List";
    case PSRP_COLL_IENUM: return "IEnumerable";
    case PSRP_COLL_STACK: return "Stack";
    case PSRP_COLL_QUEUE: return "Queue";
    case PSRP_COLL_DICT: return "Dictionary";
    default: return NULL;
    }
}

static json_t *object_json(jctx *c, const psrp_object *o)
{
    json_t *j = json_object();
    if (!j)
        return fail(c, PSR_E_NOMEM, "out of memory");
    int rc = 0;
    if (o->types) {
        json_t *tn = json_array();
        rc |= put(c, j, "TypeNames", tn);
        for (size_t i = 0; !rc && i < o->types->count; i++)
            rc |= json_array_append_new(tn, jstring(c, o->types->names[i], strlen(o->types->names[i])));
    }
    if (!rc && o->to_string)
        rc |= put(c, j, "ToString", jstring(c, o->to_string, strlen(o->to_string)));
    if (!rc && o->base)
        rc |= put(c, j, "Value", to_json(c, o->base));
    if (!rc && o->coll != PSRP_COLL_NONE) {
        rc |= put(c, j, "Collection", json_string(coll_name(o->coll)));
        json_t *arr = json_array();
        rc = rc ? rc : put(c, j, o->coll == PSRP_COLL_DICT ? "Entries" : "Items", arr);
        for (size_t i = 0; !rc && i < o->n_items; i++) {
            json_t *item = to_json(c, o->items[i]);
            rc = !item || json_array_append_new(arr, item) != 0;
        }
        for (size_t i = 0; !rc && i < o->n_entries; i++) {
            json_t *en = json_object();
            rc = !en || json_array_append_new(arr, en) != 0;
            rc = rc ? rc : put(c, en, "Key", to_json(c, o->entries[i].key));
            rc = rc ? rc : put(c, en, "Value", to_json(c, o->entries[i].value));
        }
    }
    if (!rc && (o->n_adapted || o->n_extended)) {
        json_t *props = json_object();
        rc = put(c, j, "Properties", props);
        for (size_t i = 0; !rc && i < o->n_adapted; i++)
            rc = put(c, props, o->adapted[i].name, to_json(c, o->adapted[i].value));
        for (size_t i = 0; !rc && i < o->n_extended; i++)
            rc = put(c, props, o->extended[i].name, to_json(c, o->extended[i].value));
    }
    if (rc) {
        json_decref(j);
        return c->failed ? NULL : fail(c, PSR_E_NOMEM, "out of memory");
    }
    return j;
}

static json_t *to_json(jctx *c, const psrp_value *v)
{
    if (c->failed)
        return NULL;
    if (++c->nodes > MAX_NODES)
        return fail(c, PSR_E_LIMIT, "the value expands to more than 1000000 JSON nodes "
                                    "(objects shared through <Ref> are written out in full)");
    json_t *j = NULL;
    char num[32];
    switch (v->kind) {
    case PSRP_V_NIL: j = json_null(); break;
    case PSRP_V_BOOL: j = json_boolean(v->u.b); break;
    case PSRP_V_U8: case PSRP_V_U16: case PSRP_V_U32: case PSRP_V_U64:
        if (v->u.u64 <= (uint64_t)INT64_MAX) {
            j = json_integer((json_int_t)v->u.u64);
        } else {
            snprintf(num, sizeof(num), "%" PRIu64, v->u.u64);
            j = json_string(num);
        }
        break;
    case PSRP_V_I8: case PSRP_V_I16: case PSRP_V_I32: case PSRP_V_I64:
        j = json_integer((json_int_t)v->u.i64);
        break;
    case PSRP_V_CHAR: {
        uint32_t cp = (uint32_t)v->u.u64;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        char b[4];
        size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        if (n == 1) b[0] = (char)cp;
        else if (n == 2) { b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F)); }
        else { b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[2] = (char)(0x80 | (cp & 0x3F)); }
        j = json_stringn(b, n);
        break;
    }
    case PSRP_V_FLOAT: case PSRP_V_DOUBLE: j = double_json(v->u.f64); break;
    case PSRP_V_STRING: case PSRP_V_DATETIME: case PSRP_V_TIMESPAN: case PSRP_V_DECIMAL: case PSRP_V_GUID:
    case PSRP_V_URI: case PSRP_V_VERSION: case PSRP_V_XML: case PSRP_V_SCRIPTBLOCK:
        return jstring(c, v->u.str.ptr, v->u.str.len);
    case PSRP_V_SECURESTRING:
        j = json_object();
        if (j && (c->flags & PSRP_JSON_HIDE_SECURE_STRINGS)) {
            json_t *names = json_pack("[ss]", "System.Security.SecureString", "System.Object");
            if (put(c, j, "TypeNames", names) != 0 ||
                put(c, j, "ToString", json_string("System.Security.SecureString")) != 0) {
                json_decref(j);
                return NULL;
            }
        } else if (j && put(c, j, "SecureString",
                            psrp_securestring_is_redacted(v)
                                ? json_string("(redacted)")
                                : jstring(c, v->u.str.ptr, v->u.str.len)) != 0) {
            json_decref(j);
            return NULL;
        }
        break;
    case PSRP_V_BYTES: {
        psr_buf b64 = { 0 };
        if (psr_base64_encode(&b64, v->u.bytes.ptr, v->u.bytes.len) == 0)
            j = json_stringn(b64.data ? b64.data : "", b64.len);
        psr_buf_free(&b64);
        break;
    }
    case PSRP_V_PROGRESS: return progress_json(c, &v->u.progress);
    case PSRP_V_OBJECT: return object_json(c, &v->u.obj);
    }
    return j ? j : fail(c, PSR_E_NOMEM, "out of memory");
}

json_t *psrp_value_to_json(const psrp_value *v, psr_error *err)
{
    return psrp_value_to_json_flags(v, 0, err);
}

json_t *psrp_value_to_json_flags(const psrp_value *v, unsigned flags, psr_error *err)
{
    jctx c = { 0, err, 0, flags };
    if (!v) {
        psr_error_set(err, PSR_E_INVALID, "JSON: no value");
        return NULL;
    }
    return to_json(&c, v);
}

int psrp_value_to_json_text(psr_buf *out, const psrp_value *v, int indent, psr_error *err)
{
    psr_error local;
    if (!err)
        err = &local;
    json_t *j = psrp_value_to_json(v, err);
    if (!j)
        return err->code;
    /* JSON_ENCODE_ANY: a bare string or number is a valid answer too. */
    char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | (indent ? JSON_INDENT(2) : 0));
    json_decref(j);
    if (!text || psr_buf_puts(out, text) != 0) {
        free(text);
        return psr_error_set(err, PSR_E_NOMEM, "JSON: out of memory");
    }
    free(text);
    return 0;
}
