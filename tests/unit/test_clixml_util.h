/* test_clixml_util.h: helpers the CLIXML tests share: parse a fixture or a
 * string, serialize, and compare two values by meaning. */
#ifndef PSR_TESTS_TEST_CLIXML_UTIL_H
#define PSR_TESTS_TEST_CLIXML_UTIL_H

#include "psrp/clixml.h"
#include "unit.h"

#include <math.h>
#include <string.h>

static inline psrp_value *parse_text(const char *xml)
{
    psrp_value *v = NULL;
    psr_error err = { 0 };
    int rc = psrp_clixml_parse(xml, strlen(xml), NULL, &v, &err);
    if (rc != 0)
        fprintf(stderr, "parse failed: %s\n", err.message);
    return v;
}

static inline psrp_value *parse_fixture(const char *name, char **text_out)
{
    char rel[256];
    size_t len = 0;
    snprintf(rel, sizeof(rel), "clixml/%s", name);
    char *text = psr_unit_read_fixture(rel, &len);
    if (!text) {
        fprintf(stderr, "missing fixture %s\n", rel);
        return NULL;
    }
    psrp_value *v = NULL;
    psr_error err = { 0 };
    if (psrp_clixml_parse(text, len, NULL, &v, &err) != 0)
        fprintf(stderr, "%s: %s\n", name, err.message);
    if (text_out)
        *text_out = text;
    else
        free(text);
    return v;
}

/* Serialized text (caller frees) or NULL. */
static inline char *serialize(const psrp_value *v)
{
    psr_buf b = { 0 };
    psr_error err = { 0 };
    if (psrp_clixml_serialize(&b, v, &err) != 0) {
        fprintf(stderr, "serialize failed: %s\n", err.message);
        psr_buf_free(&b);
        return NULL;
    }
    return psr_buf_detach(&b, NULL);
}

static inline int members_equal(const psrp_member *a, size_t na, const psrp_member *b, size_t nb);

/* Same meaning: kinds, values, type names, ToString, members in order. */
static inline int values_equal(const psrp_value *a, const psrp_value *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case PSRP_V_NIL: return 1;
    case PSRP_V_BOOL: return a->u.b == b->u.b;
    case PSRP_V_CHAR: case PSRP_V_U8: case PSRP_V_U16: case PSRP_V_U32: case PSRP_V_U64:
        return a->u.u64 == b->u.u64;
    case PSRP_V_I8: case PSRP_V_I16: case PSRP_V_I32: case PSRP_V_I64:
        return a->u.i64 == b->u.i64;
    case PSRP_V_FLOAT: case PSRP_V_DOUBLE:
        return (isnan(a->u.f64) && isnan(b->u.f64)) || a->u.f64 == b->u.f64;
    case PSRP_V_BYTES:
        return a->u.bytes.len == b->u.bytes.len && memcmp(a->u.bytes.ptr, b->u.bytes.ptr, a->u.bytes.len) == 0;
    case PSRP_V_PROGRESS: {
        const psrp_progress *p = &a->u.progress, *q = &b->u.progress;
#define SEQ(x, y) ((!(x) && !(y)) || ((x) && (y) && strcmp((x), (y)) == 0))
        return SEQ(p->activity, q->activity) && SEQ(p->current_operation, q->current_operation) &&
               SEQ(p->record_type, q->record_type) && SEQ(p->status_description, q->status_description) &&
               p->activity_id == q->activity_id && p->parent_activity_id == q->parent_activity_id &&
               p->percent_complete == q->percent_complete && p->seconds_remaining == q->seconds_remaining;
    }
    case PSRP_V_OBJECT: {
        const psrp_object *x = &a->u.obj, *y = &b->u.obj;
        size_t nt = x->types ? x->types->count : 0;
        if (nt != (y->types ? y->types->count : 0))
            return 0;
        for (size_t i = 0; i < nt; i++)
            if (strcmp(x->types->names[i], y->types->names[i]) != 0)
                return 0;
        if (!SEQ(x->to_string, y->to_string) || !values_equal(x->base, y->base) || x->coll != y->coll ||
            x->n_items != y->n_items || x->n_entries != y->n_entries)
            return 0;
#undef SEQ
        for (size_t i = 0; i < x->n_items; i++)
            if (!values_equal(x->items[i], y->items[i]))
                return 0;
        for (size_t i = 0; i < x->n_entries; i++)
            if (!values_equal(x->entries[i].key, y->entries[i].key) ||
                !values_equal(x->entries[i].value, y->entries[i].value))
                return 0;
        return members_equal(x->adapted, x->n_adapted, y->adapted, y->n_adapted) &&
               members_equal(x->extended, x->n_extended, y->extended, y->n_extended);
    }
    default:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
    }
}

static inline int members_equal(const psrp_member *a, size_t na, const psrp_member *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].name, b[i].name) != 0 || !values_equal(a[i].value, b[i].value))
            return 0;
    return 1;
}

/* Serializes v, parses the text again and checks the meaning survived. */
static inline int round_trips(const psrp_value *v)
{
    char *text = serialize(v);
    if (!text)
        return 0;
    psrp_value *back = parse_text(text);
    int ok = back && values_equal(v, back);
    if (!ok)
        fprintf(stderr, "round trip changed: %s\n", text);
    psrp_value_free(back);
    free(text);
    return ok;
}

#endif
