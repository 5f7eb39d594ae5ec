/* clixml_write.c: the CLIXML serializer (see clixml.h). Appends text
 * straight to the caller's buffer; the only state is the RefId counter and
 * two small tables: objects already written (for <Ref>; bounded, least
 * recently used first out) and type-name lists already written (for
 * <TNRef>). */
#include "psrp/clixml.h"
#include "psrp/clixml_text.h"
#include "psrp/lru.h"

#include "common/base64.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open-addressing table: joined type names (a string hash plus the
 * string) -> TN RefId. */
typedef struct slot {
    char *str;        /* joined type names */
    uint64_t hash;
    unsigned id;
    int used;
} slot;

typedef struct table {
    slot *slots;
    size_t cap, n;
} table;

struct psrp_clixml_writer {
    unsigned flags;
    unsigned next_obj_id;
    unsigned next_tn_id;
    lru objs; /* object address -> RefId (aux); holds a reference to each */
    table tns;
};

static void drop_object(void *ctx, void *val)
{
    (void)ctx;
    psrp_value_free(val);
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void table_clear(table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].str);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static slot *table_find(table *t, const char *str, uint64_t h)
{
    if (!t->cap)
        return NULL;
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        slot *s = &t->slots[i];
        if (!s->used)
            return s;
        if (s->hash == h && strcmp(s->str, str) == 0)
            return s;
    }
}

static int table_put(table *t, char *str, uint64_t h, unsigned id)
{
    if ((t->n + 1) * 2 > t->cap) {
        table old = *t;
        t->cap = old.cap ? old.cap * 2 : 16;
        t->n = 0;
        t->slots = calloc(t->cap, sizeof(slot));
        if (!t->slots) {
            *t = old;
            return PSR_E_NOMEM;
        }
        for (size_t i = 0; i < old.cap; i++) {
            if (old.slots[i].used) {
                *table_find(t, old.slots[i].str, old.slots[i].hash) = old.slots[i];
                t->n++;
            }
        }
        free(old.slots);
    }
    slot *s = table_find(t, str, h);
    s->str = str;
    s->hash = h;
    s->id = id;
    s->used = 1;
    t->n++;
    return 0;
}

psrp_clixml_writer *psrp_clixml_writer_new(unsigned flags)
{
    psrp_clixml_writer *w = calloc(1, sizeof(*w));
    if (w) {
        w->flags = flags;
        lru_init(&w->objs, drop_object, NULL);
    }
    return w;
}

void psrp_clixml_writer_reset(psrp_clixml_writer *w)
{
    lru_clear(&w->objs, 1);
    table_clear(&w->tns);
    w->next_obj_id = 0;
    w->next_tn_id = 0;
}

void psrp_clixml_writer_free(psrp_clixml_writer *w)
{
    if (!w)
        return;
    psrp_clixml_writer_reset(w);
    free(w);
}

int psrp_clixml_escape_string(psr_buf *out, const char *s, size_t len)
{
    return psrp_clixml_escape(out, s, len, 1);
}

typedef struct wctx {
    psrp_clixml_writer *w;
    psr_buf *out;
    psr_error *err;
    unsigned depth;
} wctx;

static int indent(wctx *c)
{
    if (!(c->w->flags & PSRP_CLIXML_INDENT))
        return 0;
    if (c->out->len && psr_buf_putc(c->out, '\n') != 0)
        return PSR_E_NOMEM;
    for (unsigned i = 0; i < c->depth; i++)
        if (psr_buf_puts(c->out, "  ") != 0)
            return PSR_E_NOMEM;
    return 0;
}

/* "<tag" and, when name is set, ` N="name"`. */
static int open_tag(wctx *c, const char *tag, const char *name)
{
    if (indent(c) || psr_buf_putc(c->out, '<') || psr_buf_puts(c->out, tag))
        return PSR_E_NOMEM;
    if (name && (psr_buf_puts(c->out, " N=\"") || psrp_clixml_escape(c->out, name, strlen(name), 1) ||
                 psr_buf_putc(c->out, '"')))
        return PSR_E_NOMEM;
    return 0;
}

/* A whole element with text content; encode selects _xHHHH_ escaping. */
static int text_elem(wctx *c, const char *tag, const char *name, const char *text, size_t len, int encode)
{
    if (open_tag(c, tag, name))
        return PSR_E_NOMEM;
    if (len == 0)
        return psr_buf_puts(c->out, " />");
    if (psr_buf_putc(c->out, '>'))
        return PSR_E_NOMEM;
    int rc = encode ? psrp_clixml_escape(c->out, text, len, 0) : psr_buf_put_xml_escaped(c->out, text, len);
    if (rc || psr_buf_puts(c->out, "</") || psr_buf_puts(c->out, tag) || psr_buf_putc(c->out, '>'))
        return PSR_E_NOMEM;
    return 0;
}

static int close_tag(wctx *c, const char *tag)
{
    if (indent(c) || psr_buf_puts(c->out, "</") || psr_buf_puts(c->out, tag) || psr_buf_putc(c->out, '>'))
        return PSR_E_NOMEM;
    return 0;
}

static int write_value(wctx *c, const psrp_value *v, const char *name);

static int write_progress(wctx *c, const psrp_progress *p, const char *name)
{
    char num[24];
    int rc = open_tag(c, "PR", name) || psr_buf_putc(c->out, '>');
    c->depth++;
    const char *s = p->activity ? p->activity : "";
    rc = rc || text_elem(c, "AV", NULL, s, strlen(s), 1);
    snprintf(num, sizeof(num), "%" PRId32, p->activity_id);
    rc = rc || text_elem(c, "AI", NULL, num, strlen(num), 0);
    if (p->current_operation)
        rc = rc || text_elem(c, "S", NULL, p->current_operation, strlen(p->current_operation), 1);
    else
        rc = rc || open_tag(c, "Nil", NULL) || psr_buf_puts(c->out, " />");
    snprintf(num, sizeof(num), "%" PRId32, p->parent_activity_id);
    rc = rc || text_elem(c, "PI", NULL, num, strlen(num), 0);
    snprintf(num, sizeof(num), "%" PRId32, p->percent_complete);
    rc = rc || text_elem(c, "PC", NULL, num, strlen(num), 0);
    s = p->record_type ? p->record_type : "Processing";
    rc = rc || text_elem(c, "T", NULL, s, strlen(s), 1);
    snprintf(num, sizeof(num), "%" PRId32, p->seconds_remaining);
    rc = rc || text_elem(c, "SR", NULL, num, strlen(num), 0);
    s = p->status_description ? p->status_description : "";
    rc = rc || text_elem(c, "SD", NULL, s, strlen(s), 1);
    c->depth--;
    return rc || close_tag(c, "PR") ? PSR_E_NOMEM : 0;
}

static int write_primitive(wctx *c, const psrp_value *v, const char *name)
{
    char num[32];
    const char *tag = psrp_value_kind_tag(v->kind);
    switch (v->kind) {
    case PSRP_V_NIL:
        return open_tag(c, tag, name) || psr_buf_puts(c->out, " />") ? PSR_E_NOMEM : 0;
    case PSRP_V_BOOL:
        return text_elem(c, tag, name, v->u.b ? "true" : "false", v->u.b ? 4 : 5, 0);
    case PSRP_V_CHAR: case PSRP_V_U8: case PSRP_V_U16: case PSRP_V_U32: case PSRP_V_U64:
        snprintf(num, sizeof(num), "%" PRIu64, v->u.u64);
        return text_elem(c, tag, name, num, strlen(num), 0);
    case PSRP_V_I8: case PSRP_V_I16: case PSRP_V_I32: case PSRP_V_I64:
        snprintf(num, sizeof(num), "%" PRId64, v->u.i64);
        return text_elem(c, tag, name, num, strlen(num), 0);
    case PSRP_V_FLOAT:
        psrp_clixml_format_float(num, (float)v->u.f64);
        return text_elem(c, tag, name, num, strlen(num), 0);
    case PSRP_V_DOUBLE:
        psrp_clixml_format_double(num, v->u.f64);
        return text_elem(c, tag, name, num, strlen(num), 0);
    case PSRP_V_STRING: case PSRP_V_SCRIPTBLOCK: case PSRP_V_XML: case PSRP_V_URI:
        return text_elem(c, tag, name, v->u.str.ptr, v->u.str.len, 1);
    case PSRP_V_DATETIME: case PSRP_V_TIMESPAN: case PSRP_V_DECIMAL: case PSRP_V_GUID:
    case PSRP_V_VERSION: case PSRP_V_SECURESTRING:
        return text_elem(c, tag, name, v->u.str.ptr, v->u.str.len, 0);
    case PSRP_V_BYTES:
        if (v->u.bytes.len == 0)
            return text_elem(c, tag, name, "", 0, 0);
        if (open_tag(c, tag, name) || psr_buf_putc(c->out, '>') ||
            psr_base64_encode(c->out, v->u.bytes.ptr, v->u.bytes.len) || psr_buf_puts(c->out, "</BA>"))
            return PSR_E_NOMEM;
        return 0;
    case PSRP_V_PROGRESS:
        return write_progress(c, &v->u.progress, name);
    default:
        return psr_error_set(c->err, PSR_E_INVALID, "CLIXML writer: value of unknown kind %d", (int)v->kind);
    }
}

/* Writes <TN RefId="n">...</TN> the first time a list is seen, then <TNRef>. */
static int write_type_names(wctx *c, const psrp_type_names *t)
{
    psr_buf key = { 0 };
    for (size_t i = 0; i < t->count; i++)
        if (psr_buf_puts(&key, t->names[i]) || psr_buf_putc(&key, '\x01'))
            goto nomem;
    const char *k = key.data ? key.data : "";
    uint64_t h = hash_bytes(k, key.len);
    slot *s = table_find(&c->w->tns, k, h);
    if (s && s->used) {
        psr_buf_free(&key);
        return open_tag(c, "TNRef", NULL) || psr_buf_printf(c->out, " RefId=\"%u\" />", s->id) ? PSR_E_NOMEM : 0;
    }
    unsigned id = c->w->next_tn_id++;
    char *owned = psr_buf_detach(&key, NULL);
    if (!owned && !(owned = strdup("")))
        goto nomem;
    if (table_put(&c->w->tns, owned, h, id) != 0) {
        free(owned);
        goto nomem;
    }
    if (open_tag(c, "TN", NULL) || psr_buf_printf(c->out, " RefId=\"%u\">", id))
        return PSR_E_NOMEM;
    c->depth++;
    for (size_t i = 0; i < t->count; i++)
        if (text_elem(c, "T", NULL, t->names[i], strlen(t->names[i]), 1)) /* encoded, 2.2.5.2.3 */
            return PSR_E_NOMEM;
    c->depth--;
    return close_tag(c, "TN");
nomem:
    psr_buf_free(&key);
    return PSR_E_NOMEM;
}

static int write_members(wctx *c, const char *tag, const psrp_member *m, size_t n)
{
    if (!n)
        return 0;
    if (open_tag(c, tag, NULL) || psr_buf_putc(c->out, '>'))
        return PSR_E_NOMEM;
    c->depth++;
    for (size_t i = 0; i < n; i++) {
        int rc = write_value(c, m[i].value, m[i].name);
        if (rc)
            return rc;
    }
    c->depth--;
    return close_tag(c, tag);
}

static const char *coll_tag(psrp_collection coll)
{
    switch (coll) {
    case PSRP_COLL_LIST: return "LST";
    case PSRP_COLL_IENUM: return "IE";
    case PSRP_COLL_STACK: return "STK";
    case PSRP_COLL_QUEUE: return "QUE";
    case PSRP_COLL_DICT: return "DCT";
    default: return NULL;
    }
}

static int write_object(wctx *c, const psrp_value *v, const char *name)
{
    const psrp_object *o = &v->u.obj;
    /* Only a value held more than once can appear twice. */
    uint64_t seen;
    if (v->refs > 1 && lru_get(&c->w->objs, &v, sizeof(v), &seen))
        return open_tag(c, "Ref", name) || psr_buf_printf(c->out, " RefId=\"%u\" />", (unsigned)seen) ? PSR_E_NOMEM
                                                                                                         : 0;
    unsigned id = c->w->next_obj_id++;
    if (v->refs > 1) {
        /* The table holds a reference, so an address cannot be reused by
         * another object while the writer remembers it; past
         * PSRP_CLIXML_WRITER_SHARED objects the least recently used one is
         * forgotten (a later use of it is written in full again, which
         * any reader takes as an equal object). */
        if (lru_put(&c->w->objs, &v, sizeof(v), psrp_value_ref((psrp_value *)v), id) != 0)
            return PSR_E_NOMEM;
        while (c->w->objs.n > PSRP_CLIXML_WRITER_SHARED)
            lru_drop_oldest(&c->w->objs);
    }
    if (open_tag(c, "Obj", name) || psr_buf_printf(c->out, " RefId=\"%u\">", id))
        return PSR_E_NOMEM;
    c->depth++;
    int rc = 0;
    if (o->types)
        rc = write_type_names(c, o->types);
    if (!rc && o->to_string)
        rc = text_elem(c, "ToString", NULL, o->to_string, strlen(o->to_string), 1);
    if (!rc && o->base)
        rc = write_value(c, o->base, NULL);
    const char *ctag = coll_tag(o->coll);
    if (!rc && ctag) {
        rc = open_tag(c, ctag, NULL) || psr_buf_putc(c->out, '>') ? PSR_E_NOMEM : 0;
        c->depth++;
        for (size_t i = 0; !rc && i < o->n_items; i++)
            rc = write_value(c, o->items[i], NULL);
        for (size_t i = 0; !rc && i < o->n_entries; i++) {
            rc = open_tag(c, "En", NULL) || psr_buf_putc(c->out, '>') ? PSR_E_NOMEM : 0;
            c->depth++;
            rc = rc ? rc : write_value(c, o->entries[i].key, "Key");
            rc = rc ? rc : write_value(c, o->entries[i].value, "Value");
            c->depth--;
            rc = rc ? rc : close_tag(c, "En");
        }
        c->depth--;
        rc = rc ? rc : close_tag(c, ctag);
    }
    rc = rc ? rc : write_members(c, "Props", o->adapted, o->n_adapted);
    rc = rc ? rc : write_members(c, "MS", o->extended, o->n_extended);
    c->depth--;
    return rc ? rc : close_tag(c, "Obj");
}

static int write_value(wctx *c, const psrp_value *v, const char *name)
{
    if (!v)
        return psr_error_set(c->err, PSR_E_INVALID, "CLIXML writer: missing value%s%s",
                             name ? " for property " : "", name ? name : "");
    int rc = v->kind == PSRP_V_OBJECT ? write_object(c, v, name) : write_primitive(c, v, name);
    if (rc == PSR_E_NOMEM)
        return psr_error_set(c->err, PSR_E_NOMEM, "CLIXML writer: out of memory");
    return rc;
}

int psrp_clixml_writer_write(psrp_clixml_writer *w, psr_buf *out, const psrp_value *v, const char *name,
                             psr_error *err)
{
    wctx c = { w, out, err, 0 };
    return write_value(&c, v, name);
}

int psrp_clixml_serialize(psr_buf *out, const psrp_value *v, psr_error *err)
{
    psrp_clixml_writer *w = psrp_clixml_writer_new(0);
    if (!w)
        return psr_error_set(err, PSR_E_NOMEM, "CLIXML writer: out of memory");
    int rc = psrp_clixml_writer_write(w, out, v, NULL, err);
    psrp_clixml_writer_free(w);
    return rc;
}
