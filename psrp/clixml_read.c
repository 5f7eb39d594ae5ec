/* clixml_read.c: the streaming CLIXML deserializer (see clixml.h).
 *
 * libxml2's SAX2 push parser calls start/characters/end; a stack of frames
 * (one per open element) builds values bottom-up in the arena of the
 * current top-level value, and each completed top-level value goes to the
 * caller's callback and is then dropped, so memory is bounded by one
 * top-level value plus the TN table and the objects kept for later <Ref>s
 * (max_ref_objects, max_ref_bytes). Element names are matched without
 * regard to namespace (Export-Clixml puts everything in the PowerShell
 * 2004/04 namespace; PSRP messages use none). */
#include "psrp/clixml.h"
#include "psrp/clixml_text.h"
#include "psrp/clixml_reader_impl.h"
#include "psrp/value_impl.h"

#include "common/base64.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

/* ---- element names ------------------------------------------------------- */

static const psrp_value_kind tag_kind[T_COUNT] = {
    [T_S] = PSRP_V_STRING,     [T_C] = PSRP_V_CHAR,        [T_B] = PSRP_V_BOOL,
    [T_DT] = PSRP_V_DATETIME,  [T_TS] = PSRP_V_TIMESPAN,   [T_BY] = PSRP_V_U8,
    [T_SB] = PSRP_V_I8,        [T_U16] = PSRP_V_U16,       [T_I16] = PSRP_V_I16,
    [T_U32] = PSRP_V_U32,      [T_I32] = PSRP_V_I32,       [T_U64] = PSRP_V_U64,
    [T_I64] = PSRP_V_I64,      [T_SG] = PSRP_V_FLOAT,      [T_DB] = PSRP_V_DOUBLE,
    [T_D] = PSRP_V_DECIMAL,    [T_BA] = PSRP_V_BYTES,      [T_G] = PSRP_V_GUID,
    [T_URI] = PSRP_V_URI,      [T_NIL] = PSRP_V_NIL,       [T_VERSION] = PSRP_V_VERSION,
    [T_XD] = PSRP_V_XML,       [T_SBK] = PSRP_V_SCRIPTBLOCK, [T_SS] = PSRP_V_SECURESTRING,
};

/* Element name -> tag. Called for every element, so a switch on the
 * first letter instead of a table scan. */
static tag_id tag_lookup(const char *n)
{
#define IS(lit, tag) if (strcmp(n, lit) == 0) return tag
    switch (n[0]) {
    case 'A': IS("AV", T_AV); IS("AI", T_AI); break;
    case 'B': IS("B", T_B); IS("BA", T_BA); IS("By", T_BY); break;
    case 'C': IS("C", T_C); break;
    case 'D': IS("D", T_D); IS("DT", T_DT); IS("Db", T_DB); IS("DCT", T_DCT); break;
    case 'E': IS("En", T_EN); break;
    case 'G': IS("G", T_G); break;
    case 'I': IS("I32", T_I32); IS("I64", T_I64); IS("I16", T_I16); IS("IE", T_IE); break;
    case 'L': IS("LST", T_LST); break;
    case 'M': IS("MS", T_MS); break;
    case 'N': IS("Nil", T_NIL); break;
    case 'O': IS("Obj", T_OBJ); IS("Objs", T_OBJS); break;
    case 'P': IS("Props", T_PROPS); IS("PR", T_PR); IS("PI", T_PI); IS("PC", T_PC); break;
    case 'Q': IS("QUE", T_QUE); break;
    case 'R': IS("Ref", T_REF); break;
    case 'S': IS("S", T_S); IS("SB", T_SB); IS("Sg", T_SG); IS("SBK", T_SBK); IS("SS", T_SS);
              IS("STK", T_STK); IS("SR", T_SR); IS("SD", T_SD); break;
    case 'T': IS("T", T_T); IS("TN", T_TN); IS("TNRef", T_TNREF); IS("ToString", T_TOSTRING);
              IS("TS", T_TS); break;
    case 'U': IS("U32", T_U32); IS("U64", T_U64); IS("U16", T_U16); IS("URI", T_URI); break;
    case 'V': IS("Version", T_VERSION); break;
    case 'X': IS("XD", T_XD); break;
    default: break;
    }
#undef IS
    return T_UNKNOWN;
}

/* Sets of tags as bit masks: every element asks which set its tag is in
 * and whether its parent allows it, so one shift and test each. */
_Static_assert(T_COUNT < 64, "tag sets are 64-bit masks");
#define TAG(t) (UINT64_C(1) << (t))
#define PRIMITIVES ((UINT64_C(1) << T_COUNT) - TAG(T_S)) /* T_S .. the last tag */
#define VALUES (PRIMITIVES | TAG(T_OBJ) | TAG(T_REF) | TAG(T_PR))
#define LISTS (TAG(T_LST) | TAG(T_IE) | TAG(T_STK) | TAG(T_QUE))
/* Elements whose content is text. */
#define TEXTS ((PRIMITIVES & ~TAG(T_NIL)) | TAG(T_T) | TAG(T_TOSTRING) | TAG(T_AV) | TAG(T_AI) | TAG(T_PI) | \
               TAG(T_PC) | TAG(T_SR) | TAG(T_SD))

static int in_set(uint64_t set, tag_id t) { return (int)((set >> t) & 1u); }
static int is_primitive(tag_id t) { return in_set(PRIMITIVES, t); }
static int is_value_tag(tag_id t) { return in_set(VALUES, t); }
static int is_text_tag(tag_id t) { return in_set(TEXTS, t); }

/* psr_buf_append for the hot paths: the common case (room left) inline. */
static inline int append_fast(psr_buf *b, const void *data, size_t len)
{
    if (b->data && b->len + len < b->cap) {
        memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
        return 0;
    }
    return psr_buf_append(b, data, len);
}

/* ---- errors -------------------------------------------------------------- */

static int fail(psrp_clixml_reader *r, psr_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(psrp_clixml_reader *r, psr_status code, const char *fmt, ...)
{
    if (!r->failed) {
        char msg[700];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        psr_error_set(&r->err, code, "CLIXML: %s (at byte %" PRIu64 ")", msg, psrp_clixml_reader_offset(r));
        r->failed = code;
    }
    if (r->ctxt)
        xmlStopParser(r->ctxt);
    return code;
}

static int nomem(psrp_clixml_reader *r)
{
    return fail(r, PSR_E_NOMEM, "out of memory");
}

/* ---- building values ----------------------------------------------------- */

static psrp_value *primitive_from_text(psrp_clixml_reader *r, tag_id tag, const char *s, size_t len)
{
    psrp_value_kind kind = tag_kind[tag];
    const char *what = NULL;
    psrp_value *v = NULL;
    switch (kind) {
    case PSRP_V_STRING: case PSRP_V_XML: case PSRP_V_SCRIPTBLOCK: case PSRP_V_URI:
        if (psrp_clixml_needs_unescape(s, len)) {
            psr_buf_reset(&r->scratch);
            if (psrp_clixml_unescape(&r->scratch, s, len) != 0)
                return nomem(r), NULL;
            s = r->scratch.data;
            len = r->scratch.len;
        }
        v = psrp_value_new_text_in(r->arena, kind, s ? s : "", len);
        break;
    case PSRP_V_DATETIME: case PSRP_V_TIMESPAN: case PSRP_V_DECIMAL: case PSRP_V_GUID:
    case PSRP_V_VERSION: case PSRP_V_SECURESTRING:
        v = psrp_value_new_text_in(r->arena, kind, s, len);
        break;
    case PSRP_V_BOOL: {
        int b;
        if (psrp_clixml_parse_bool(s, len, &b) != 0)
            what = "a boolean (true or false)";
        else if ((v = psrp_value_alloc(r->arena, kind, 0)) != NULL)
            v->u.b = b;
        break;
    }
    case PSRP_V_CHAR: case PSRP_V_U8: case PSRP_V_U16: case PSRP_V_U32: case PSRP_V_U64: {
        static const uint64_t max[] = { [PSRP_V_CHAR] = 0xFFFF, [PSRP_V_U8] = 0xFF, [PSRP_V_U16] = 0xFFFF,
                                        [PSRP_V_U32] = 0xFFFFFFFFu, [PSRP_V_U64] = UINT64_MAX };
        uint64_t n;
        if (psrp_clixml_parse_u64(s, len, max[kind], &n) != 0)
            what = "an unsigned integer in range";
        else if ((v = psrp_value_alloc(r->arena, kind, 0)) != NULL)
            v->u.u64 = n;
        break;
    }
    case PSRP_V_I8: case PSRP_V_I16: case PSRP_V_I32: case PSRP_V_I64: {
        int bits = kind == PSRP_V_I8 ? 8 : kind == PSRP_V_I16 ? 16 : kind == PSRP_V_I32 ? 32 : 64;
        int64_t hi = bits == 64 ? INT64_MAX : (int64_t)((UINT64_C(1) << (bits - 1)) - 1);
        int64_t n;
        if (psrp_clixml_parse_i64(s, len, -hi - 1, hi, &n) != 0)
            what = "an integer in range";
        else if ((v = psrp_value_alloc(r->arena, kind, 0)) != NULL)
            v->u.i64 = n;
        break;
    }
    case PSRP_V_FLOAT: case PSRP_V_DOUBLE: {
        double d;
        if (psrp_clixml_parse_double(s, len, &d) != 0)
            what = "a floating-point number";
        else if ((v = psrp_value_alloc(r->arena, kind, 0)) != NULL)
            v->u.f64 = kind == PSRP_V_FLOAT ? (double)(float)d : d;
        break;
    }
    case PSRP_V_BYTES:
        psr_buf_reset(&r->scratch);
        if (psr_base64_decode(&r->scratch, s, len) != 0)
            what = "base64";
        else
            v = psrp_value_new_bytes_in(r->arena, r->scratch.data, r->scratch.len);
        break;
    case PSRP_V_NIL:
        v = psrp_value_alloc(r->arena, kind, 0);
        break;
    default:
        break;
    }
    if (what) {
        char shown[48];
        size_t n = len < sizeof(shown) - 4 ? len : sizeof(shown) - 4;
        memcpy(shown, s, n);
        strcpy(shown + n, len > n ? "..." : "");
        char tagtext[80];
        snprintf(tagtext, sizeof(tagtext), "<%s> holds \"%s\"", psrp_value_kind_tag(kind), shown);
        fail(r, PSR_E_PARSE, "%s, which is not %s", tagtext, what);
        return NULL;
    }
    if (!v)
        nomem(r);
    return v;
}

/* Decoded, NUL-terminated malloc'd copy of the current text: for what
 * outlives the top-level value's arena (type names, shared by the whole
 * stream) or is freed on its own (progress record strings). */
static char *text_dup(psrp_clixml_reader *r)
{
    const char *t = r->text.data ? r->text.data : "";
    if (!psrp_clixml_needs_unescape(t, r->text.len)) {
        char *copy = malloc(r->text.len + 1);
        if (copy) {
            memcpy(copy, t, r->text.len);
            copy[r->text.len] = '\0';
        }
        return copy;
    }
    psr_buf out = { 0 };
    int rc = psrp_clixml_unescape(&out, t, r->text.len);
    if (rc == 0 && !out.data)
        rc = psr_buf_putc(&out, '\0');
    if (rc != 0) {
        psr_buf_free(&out);
        return NULL;
    }
    return psr_buf_detach(&out, NULL);
}

/* Decoded, NUL-terminated copy of the current text in the value's arena
 * (ToString: one per object, so no malloc for it). */
static char *text_copy(psrp_clixml_reader *r)
{
    const char *t = r->text.data ? r->text.data : "";
    size_t len = r->text.len;
    if (psrp_clixml_needs_unescape(t, len)) {
        psr_buf_reset(&r->scratch);
        if (psrp_clixml_unescape(&r->scratch, t, len) != 0)
            return NULL;
        t = r->scratch.data ? r->scratch.data : "";
        len = r->scratch.len;
    }
    char *c = psrp_arena_alloc(r->arena, len + 1);
    if (c) {
        memcpy(c, t, len);
        c[len] = '\0';
    }
    return c;
}

/* Appends one element to what a Props, MS, list or DCT frame collected.
 * Inline, so that the copy of a constant size is a few moves. */
static inline int collect(frame *f, const void *elem, size_t size)
{
    if (f->coll_len + size > f->coll_cap) {
        size_t ncap = f->coll_cap ? f->coll_cap * 2 : 512;
        char *n = realloc(f->coll, ncap);
        if (!n)
            return PSR_E_NOMEM;
        f->coll = n;
        f->coll_cap = ncap;
    }
    memcpy(f->coll + f->coll_len, elem, size);
    f->coll_len += size;
    return 0;
}

/* What frame f collected (elements of elem bytes) after the *n elements
 * of array old, as one new array in the arena (*out, NULL when there is
 * nothing at all): the elements arrive one by one but the array is
 * allocated once, at its exact size. 0, or PSR_E_NOMEM (the frame then
 * still holds the elements, and popping it drops them). */
static int place_collected(psrp_clixml_reader *r, frame *f, const void *old, size_t *n, size_t *cap, size_t elem,
                           void **out)
{
    size_t add = f->coll_len / elem;
    *out = (void *)old;
    if (!add)
        return 0;
    char *a = psrp_arena_alloc(r->arena, (*n + add) * elem);
    if (!a)
        return nomem(r);
    if (*n)
        memcpy(a, old, *n * elem);
    memcpy(a + *n * elem, f->coll, add * elem);
    *out = a;
    *n += add;
    *cap = *n;
    f->coll_len = 0;
    return 0;
}

/* Hands a finished value to the frame below it (or the caller). Takes v. */
static int deliver(psrp_clixml_reader *r, frame *child, psrp_value *v)
{
    frame *p = r->depth >= 2 ? &r->frames[r->depth - 2] : NULL;
    const char *name = child->name;
    if (!p || p->tag == T_OBJS) {
        r->count++;
        r->in_value = 0;
        /* The objects in it stay in the RefId table (a later value may
         * name them), so their reference counts include the table's. */
        int rc = r->cb ? r->cb(r->cb_ctx, v, &r->err) : 0;
        psrp_value_free(v);
        reader_value_done(r);
        if (rc != 0) {
            if (!r->failed) {
                if (r->err.code == PSR_OK)
                    psr_error_set(&r->err, rc < 0 ? (psr_status)rc : PSR_E_CANCELLED,
                                  "CLIXML: stopped by the value callback");
                r->failed = rc < 0 ? rc : PSR_E_CANCELLED;
            }
            xmlStopParser(r->ctxt);
            return r->failed;
        }
        return 0;
    }
    int rc = 0;
    switch (p->tag) {
    case T_OBJ:
        /* A primitive is the object's base; an <Obj> inside an <Obj> (a
         * PSObject around a PSObject, as JEA endpoints send) is merged into
         * it at its end tag. Either way there is room for one. */
        if (p->inner || p->val->u.obj.base || p->val->u.obj.coll != PSRP_COLL_NONE) {
            const char *tag = reader_tag_name(child->tag);
            psrp_value_free(v);
            return fail(r, PSR_E_PARSE, "<Obj> holds a second value <%s>", tag);
        }
        if (v->kind == PSRP_V_OBJECT)
            p->inner = v;
        else
            p->val->u.obj.base = v;
        return 0;
    case T_PROPS: case T_MS: {
        if (!name) {
            psrp_value_free(v);
            return fail(r, PSR_E_PARSE, "a property in <%s> has no N attribute",
                        p->tag == T_MS ? "MS" : "Props");
        }
        psrp_member m = { child->name, v }; /* the member takes the frame's reference */
        if ((rc = collect(p, &m, sizeof(m))) != 0) {
            psrp_value_free(v);
            return nomem(r);
        }
        child->name = NULL;
        return 0;
    }
    case T_LST: case T_IE: case T_STK: case T_QUE:
        if ((rc = collect(p, &v, sizeof(v))) != 0)
            psrp_value_free(v);
        break;
    case T_EN: {
        psrp_value **slotp = name && strcasecmp(name, "Key") == 0 ? &p->key
                           : name && strcasecmp(name, "Value") == 0 ? &p->value : NULL;
        if (!slotp || *slotp) {
            psrp_value_free(v);
            return fail(r, PSR_E_PARSE, "<En> child with N=\"%s\" (want one Key and one Value)",
                        name ? name : "(none)");
        }
        *slotp = v;
        return 0;
    }
    case T_PR:
        if (child->tag == T_S && !p->val->u.progress.current_operation) {
            p->val->u.progress.current_operation = strdup(v->u.str.ptr);
            psrp_value_free(v);
            return p->val->u.progress.current_operation ? 0 : nomem(r);
        }
        psrp_value_free(v);
        return 0; /* <Nil/> current operation */
    default:
        psrp_value_free(v);
        return fail(r, PSR_E_PARSE, "a value is not allowed inside <%s>", reader_tag_name(p->tag));
    }
    return rc ? nomem(r) : 0;
}

/* ---- SAX callbacks ------------------------------------------------------- */

/* The children each element allows (none for the others). */
static const uint64_t children[T_COUNT] = {
    [T_OBJS] = VALUES, [T_PROPS] = VALUES, [T_MS] = VALUES, [T_EN] = VALUES,
    [T_LST] = VALUES, [T_IE] = VALUES, [T_STK] = VALUES, [T_QUE] = VALUES,
    [T_OBJ] = TAG(T_TN) | TAG(T_TNREF) | TAG(T_TOSTRING) | TAG(T_PROPS) | TAG(T_MS) | LISTS | TAG(T_DCT) |
              PRIMITIVES | TAG(T_PR) | TAG(T_OBJ),
    [T_TN] = TAG(T_T),
    [T_DCT] = TAG(T_EN),
    [T_PR] = TAG(T_AV) | TAG(T_AI) | TAG(T_PI) | TAG(T_PC) | TAG(T_T) | TAG(T_SR) | TAG(T_SD) | TAG(T_S) |
             TAG(T_NIL),
};

/* Is child allowed directly inside parent (NULL: top level)? */
static int allowed(const frame *p, tag_id t)
{
    return in_set(p ? children[p->tag] : VALUES | TAG(T_OBJS), t);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_ns, const xmlChar **ns, int nb_attrs, int nb_defaulted, const xmlChar **attrs)
{
    (void)prefix; (void)uri; (void)nb_ns; (void)ns; (void)nb_defaulted;
    psrp_clixml_reader *r = ctx;
    if (r->failed)
        return;
    const char *name = (const char *)localname;
    /* libxml2 interns element names, so the same name comes at the same
     * address: a small cache keyed by address skips the string compares. */
    tag_cache_entry *tc = &r->tag_cache[((uint64_t)(uintptr_t)localname * 0x9E3779B97F4A7C15u) >> 58];
    tag_id t;
    if (tc->name == localname) {
        t = tc->tag;
    } else {
        t = tag_lookup(name);
        tc->name = localname;
        tc->tag = t;
    }
    frame *p = r->depth ? &r->frames[r->depth - 1] : NULL;
    if (t == T_UNKNOWN) {
        fail(r, PSR_E_PARSE, "unknown element <%s>", name);
        return;
    }
    if (!allowed(p, t)) {
        fail(r, PSR_E_PARSE, "element <%s> is not allowed inside <%s>", name,
             p ? reader_tag_name(p->tag) : "(top level)");
        return;
    }
    if (r->depth - (r->saw_root ? 1u : 0u) >= r->limits.max_depth) {
        char lim[24];
        snprintf(lim, sizeof(lim), "%u", r->limits.max_depth);
        fail(r, PSR_E_LIMIT, "elements nested deeper than max_depth %s (at <%s>)", lim, name);
        return;
    }
    if (is_value_tag(t) && (!p || p->tag == T_OBJS)) {
        r->in_value = 1;
        r->value_start = psrp_clixml_reader_offset(r);
        if (!r->arena && !(r->arena = psrp_arena_new(r->arena_hint))) {
            nomem(r);
            return;
        }
    }
    if (reader_push(r) != 0) {
        nomem(r);
        return;
    }
    /* reader_push may have moved the frames: take both pointers again. */
    p = r->depth >= 2 ? &r->frames[r->depth - 2] : NULL;
    frame *f = &r->frames[r->depth - 1];
    f->tag = t;
    for (int i = 0; i < nb_attrs; i++) {
        const char *an = (const char *)attrs[i * 5];
        const char *av = (const char *)attrs[i * 5 + 3];
        size_t alen = (size_t)(attrs[i * 5 + 4] - attrs[i * 5 + 3]);
        if (an[0] == 'N' && an[1] == '\0') {
            if (f->name) /* libxml2 refuses a repeated N; be safe anyway */
                psrp_name_unref(f->name);
            if (!(f->name = reader_name(r, av, alen))) {
                nomem(r);
                return;
            }
        } else if (strcmp(an, "RefId") == 0) {
            int rc = memchr(av, '&', alen) ? reader_attr_value(&f->refid, av, alen)
                                           : append_fast(&f->refid, av, alen);
            if (rc != 0 || (!f->refid.data && psr_buf_puts(&f->refid, "") != 0)) {
                nomem(r);
                return;
            }
            f->has_refid = 1;
        }
    }
    if (is_text_tag(t)) {
        r->text.len = 0; /* psr_buf_reset, without a call per element */
        if (r->text.data)
            r->text.data[0] = '\0';
    }
    switch (t) {
    case T_OBJ:
        if (!(f->val = psrp_value_alloc(r->arena, PSRP_V_OBJECT, 0)))
            nomem(r);
        break;
    case T_PR:
        if (!(f->val = psrp_value_alloc(r->arena, PSRP_V_PROGRESS, 0)))
            nomem(r);
        break;
    case T_TN:
        if (!f->has_refid)
            fail(r, PSR_E_PARSE, "<TN> without RefId");
        else if (!(f->tn = calloc(1, sizeof(*f->tn))))
            nomem(r);
        else
            f->tn->refs = 1;
        break;
    case T_PROPS: case T_MS:
        f->val = p->val;
        if (t == T_PROPS)
            p->saw_props = 1;
        break;
    case T_LST: case T_IE: case T_STK: case T_QUE: case T_DCT:
        if (p->val->u.obj.coll != PSRP_COLL_NONE || p->val->u.obj.base || p->inner) {
            fail(r, PSR_E_PARSE, "<Obj> holds a second collection or value <%s>", name);
            break;
        }
        p->val->u.obj.coll = t == T_LST ? PSRP_COLL_LIST : t == T_IE ? PSRP_COLL_IENUM
                           : t == T_STK ? PSRP_COLL_STACK : t == T_QUE ? PSRP_COLL_QUEUE : PSRP_COLL_DICT;
        f->val = p->val;
        break;
    case T_EN:
        f->val = p->val;
        break;
    case T_OBJS:
        r->saw_root = 1;
        break;
    default:
        break;
    }
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    psrp_clixml_reader *r = ctx;
    if (r->failed || r->depth == 0)
        return;
    frame *f = &r->frames[r->depth - 1];
    if (is_text_tag(f->tag)) {
        if (r->text.len + (size_t)len > r->limits.max_string_bytes) {
            char lim[24];
            snprintf(lim, sizeof(lim), "%zu", r->limits.max_string_bytes);
            fail(r, PSR_E_LIMIT, "text of <%s> longer than max_string_bytes %s", reader_tag_name(f->tag), lim);
            return;
        }
        if (append_fast(&r->text, ch, (size_t)len) != 0)
            nomem(r);
        return;
    }
    for (int i = 0; i < len; i++) {
        if (ch[i] != ' ' && ch[i] != '\t' && ch[i] != '\n' && ch[i] != '\r') {
            fail(r, PSR_E_PARSE, "text is not allowed inside <%s>", reader_tag_name(f->tag));
            return;
        }
    }
}

static int set_progress_field(psrp_clixml_reader *r, frame *f, psrp_progress *pr)
{
    char **sp = f->tag == T_AV ? &pr->activity : f->tag == T_T ? &pr->record_type
              : f->tag == T_SD ? &pr->status_description : NULL;
    if (sp) {
        free(*sp);
        return (*sp = text_dup(r)) ? 0 : nomem(r);
    }
    int64_t n;
    if (psrp_clixml_parse_i64(r->text.data ? r->text.data : "", r->text.len, INT32_MIN, INT32_MAX, &n) != 0)
        return fail(r, PSR_E_PARSE, "<%s> in <PR> is not an Int32", reader_tag_name(f->tag));
    int32_t *ip = f->tag == T_AI ? &pr->activity_id : f->tag == T_PI ? &pr->parent_activity_id
                : f->tag == T_PC ? &pr->percent_complete : &pr->seconds_remaining;
    *ip = (int32_t)n;
    return 0;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)localname; (void)prefix; (void)uri;
    psrp_clixml_reader *r = ctx;
    if (r->failed || r->depth == 0)
        return;
    frame *f = &r->frames[r->depth - 1];
    frame *p = r->depth >= 2 ? &r->frames[r->depth - 2] : NULL;
    psrp_value *v = NULL;
    switch (f->tag) {
    case T_OBJ:
        if (f->inner && reader_merge_inner(f->val, f->inner, f->saw_props) != 0) {
            nomem(r);
            break;
        }
        v = f->val;
        f->val = NULL;
        if (f->has_refid && reader_objects_put(r, f->refid.data, f->refid.len, v) != 0) {
            psrp_value_free(v);
            nomem(r);
            break;
        }
        deliver(r, f, v);
        break;
    case T_PR:
        v = f->val;
        f->val = NULL;
        deliver(r, f, v);
        break;
    case T_REF: {
        if (!f->has_refid) {
            fail(r, PSR_E_PARSE, "<Ref> without RefId");
            break;
        }
        /* An enclosing object with this RefId is a new definition of it that
         * shadows any earlier one: naming it from inside is a cycle. */
        int open = 0;
        for (unsigned i = 0; i + 1 < r->depth; i++)
            open |= r->frames[i].tag == T_OBJ && r->frames[i].has_refid &&
                    strcmp(r->frames[i].refid.data, f->refid.data) == 0;
        if (open) {
            fail(r, PSR_E_PARSE, "<Ref RefId=\"%s\"> refers to an enclosing object (a cycle)", f->refid.data);
            break;
        }
        if (!(v = reader_objects_get(r, f->refid.data, f->refid.len))) {
            if (r->ref_dropped)
                fail(r, PSR_E_LIMIT,
                     "<Ref RefId=\"%s\"> names no object still kept: %" PRIu64 " objects of earlier values were "
                     "dropped to stay within max_ref_objects %zu and max_ref_bytes %zu",
                     f->refid.data, r->ref_dropped, r->limits.max_ref_objects, r->limits.max_ref_bytes);
            else
                fail(r, PSR_E_PARSE, "<Ref RefId=\"%s\"> names no earlier object of the stream", f->refid.data);
            break;
        }
        deliver(r, f, psrp_value_ref(v));
        break;
    }
    case T_TN:
        if (reader_types_put(r, f->refid.data, f->tn) != 0)
            break;
        psrp_type_names_unref(p->val->u.obj.types);
        p->val->u.obj.types = f->tn; /* the table took its own reference */
        f->tn = NULL;
        break;
    case T_TNREF: {
        psrp_type_names *tn = f->has_refid ? reader_types_get(r, f->refid.data) : NULL;
        if (!tn) {
            fail(r, PSR_E_PARSE, "<TNRef RefId=\"%s\"> names no earlier <TN>", f->has_refid ? f->refid.data : "");
            break;
        }
        tn->refs++;
        psrp_type_names_unref(p->val->u.obj.types);
        p->val->u.obj.types = tn;
        break;
    }
    case T_T:
        if (p->tag == T_PR) {
            set_progress_field(r, f, &p->val->u.progress);
            break;
        } else {
            psrp_type_names *tn = p->tn;
            char *s = text_dup(r); /* type names are encoded too (2.2.5.2.3) */
            char **nn = s ? realloc(tn->names, (tn->count + 1) * sizeof(char *)) : NULL;
            if (!nn) {
                free(s);
                nomem(r);
                break;
            }
            tn->names = nn;
            tn->names[tn->count++] = s;
        }
        break;
    case T_TOSTRING: /* a second one replaces the first (both in the arena) */
        if (!(p->val->u.obj.to_string = text_copy(r)))
            nomem(r);
        break;
    case T_AV: case T_AI: case T_PI: case T_PC: case T_SR: case T_SD:
        set_progress_field(r, f, &p->val->u.progress);
        break;
    case T_EN:
        if (!f->key || !f->value) {
            fail(r, PSR_E_PARSE, "<En> without both a Key and a Value");
            break;
        }
        {
            psrp_dict_entry e = { f->key, f->value };
            if (collect(p, &e, sizeof(e)) != 0) {
                nomem(r); /* the frame still holds key and value: popping it drops them */
                break;
            }
        }
        f->key = f->value = NULL;
        break;
    case T_PROPS: case T_MS: {
        psrp_object *o = &f->val->u.obj;
        void *a;
        if (f->tag == T_MS) {
            if (place_collected(r, f, o->extended, &o->n_extended, &o->cap_extended, sizeof(psrp_member), &a) == 0)
                o->extended = a;
        } else if (place_collected(r, f, o->adapted, &o->n_adapted, &o->cap_adapted, sizeof(psrp_member), &a) == 0) {
            o->adapted = a;
        }
        break;
    }
    case T_LST: case T_IE: case T_STK: case T_QUE: {
        psrp_object *o = &f->val->u.obj;
        void *a;
        if (place_collected(r, f, o->items, &o->n_items, &o->cap_items, sizeof(psrp_value *), &a) == 0)
            o->items = a;
        break;
    }
    case T_DCT: {
        psrp_object *o = &f->val->u.obj;
        void *a;
        if (place_collected(r, f, o->entries, &o->n_entries, &o->cap_entries, sizeof(psrp_dict_entry), &a) == 0)
            o->entries = a;
        break;
    }
    case T_OBJS:
        break;
    default:
        if (is_primitive(f->tag) && (v = primitive_from_text(r, f->tag, r->text.data ? r->text.data : "",
                                                              r->text.len)) != NULL)
            deliver(r, f, v);
        break;
    }
    reader_pop(r);
}

static void on_dtd(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name; (void)ext; (void)sys;
    fail(ctx, PSR_E_PARSE, "a document type declaration (DTD) is not allowed");
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    psrp_clixml_reader *r = ctx;
    if (!e || e->level < XML_ERR_ERROR)
        return;
    char msg[300];
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    fail(r, PSR_E_PARSE, "malformed XML: %s", msg);
}

void reader_sax_init(xmlSAXHandler *sax)
{
    memset(sax, 0, sizeof(*sax));
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = on_start;
    sax->endElementNs = on_end;
    sax->characters = on_text;
    sax->cdataBlock = on_text;
    sax->internalSubset = on_dtd;
    sax->externalSubset = on_dtd;
    sax->serror = on_xml_error;
}
