/* value.c: the CLIXML value model: construction, reference counting,
 * property lookup and the small type-name helpers (see value.h). Values
 * come from malloc or, for the deserializer, from an arena (arena.h); a
 * value's parts (arrays, ToString, text, bytes) come from the same place. */
#include "psrp/value.h"
#include "psrp/value_impl.h"

#include "psremote/error.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_tags[] = {
    [PSRP_V_NIL] = "Nil",         [PSRP_V_STRING] = "S",       [PSRP_V_CHAR] = "C",
    [PSRP_V_BOOL] = "B",          [PSRP_V_DATETIME] = "DT",    [PSRP_V_TIMESPAN] = "TS",
    [PSRP_V_U8] = "By",           [PSRP_V_I8] = "SB",          [PSRP_V_U16] = "U16",
    [PSRP_V_I16] = "I16",         [PSRP_V_U32] = "U32",        [PSRP_V_I32] = "I32",
    [PSRP_V_U64] = "U64",         [PSRP_V_I64] = "I64",        [PSRP_V_FLOAT] = "Sg",
    [PSRP_V_DOUBLE] = "Db",       [PSRP_V_DECIMAL] = "D",      [PSRP_V_BYTES] = "BA",
    [PSRP_V_GUID] = "G",          [PSRP_V_URI] = "URI",        [PSRP_V_VERSION] = "Version",
    [PSRP_V_XML] = "XD",          [PSRP_V_SCRIPTBLOCK] = "SBK", [PSRP_V_SECURESTRING] = "SS",
    [PSRP_V_PROGRESS] = "PR",     [PSRP_V_OBJECT] = "Obj",
};

const char *psrp_value_kind_tag(psrp_value_kind kind)
{
    if ((unsigned)kind >= sizeof(kind_tags) / sizeof(kind_tags[0]))
        return "?";
    return kind_tags[kind];
}

static int is_text_kind(psrp_value_kind k);

/* Bytes of the union a kind uses: only those are cleared when a value is
 * made (calloc of a whole object-sized value for every number showed up
 * in the deserializer's profile). */
static size_t payload_size(psrp_value_kind kind)
{
    const psrp_value *v = NULL;
    if (kind == PSRP_V_OBJECT)
        return sizeof(v->u.obj);
    if (kind == PSRP_V_PROGRESS)
        return sizeof(v->u.progress);
    if (kind == PSRP_V_BYTES)
        return sizeof(v->u.bytes);
    if (is_text_kind(kind))
        return sizeof(v->u.str);
    return sizeof(v->u.u64);
}

#define VALUE_HEAD offsetof(psrp_value, u)

/* In an arena only the head and the payload of the kind are taken (an I32
 * takes 24 bytes, not the 150 of an object); malloc'd values are whole
 * structs, as the compiler expects of memory it sees allocated. Extra bytes
 * (inline text or bytes) follow the payload either way. */
psrp_value *psrp_value_alloc(psrp_arena *a, psrp_value_kind kind, size_t extra)
{
    size_t payload = payload_size(kind), used = VALUE_HEAD + payload;
    if (extra > SIZE_MAX - sizeof(psrp_value))
        return NULL;
    psrp_value *v = a ? psrp_arena_alloc(a, used + extra) : malloc(sizeof(psrp_value) + extra);
    if (!v)
        return NULL;
    /* Fixed-size clears (plain stores): a memset of a variable size became
     * a `rep stos`, whose start-up cost topped the deserializer's profile. */
    if (payload == sizeof(v->u.u64))
        v->u.u64 = 0;
    else if (payload == sizeof(v->u.str)) /* text and bytes */
        memset(&v->u, 0, sizeof(v->u.str));
    else if (kind == PSRP_V_OBJECT)
        memset(&v->u.obj, 0, sizeof(v->u.obj));
    else
        memset(&v->u.progress, 0, sizeof(v->u.progress));
    v->kind = kind;
    v->refs = 1;
    v->arena = a;
    if (a)
        a->live++;
    return v;
}

static psrp_value *value_alloc(psrp_value_kind kind)
{
    return psrp_value_alloc(NULL, kind, 0);
}

/* Memory for a part of v: from v's arena, or malloc (NULL on no memory). */
static void *part_alloc(psrp_value *v, size_t n)
{
    return v->arena ? psrp_arena_alloc(v->arena, n ? n : 1) : malloc(n ? n : 1);
}

/* Text and bytes live right after the payload, in the value's allocation. */
static char *inline_text(psrp_value *v)
{
    return (char *)v + VALUE_HEAD + sizeof(v->u.str);
}

static uint8_t *inline_bytes(psrp_value *v)
{
    return (uint8_t *)v + VALUE_HEAD + sizeof(v->u.bytes);
}

psrp_value *psrp_value_ref(psrp_value *v)
{
    if (v)
        v->refs++;
    return v;
}

void psrp_type_names_unref(psrp_type_names *t)
{
    if (!t || --t->refs > 0)
        return;
    for (size_t i = 0; i < t->count; i++)
        free(t->names[i]);
    free(t->names);
    free(t);
}

/* Property names are reference counted so the deserializer can share one
 * copy of a name that every object of a stream repeats. The count sits
 * just before the characters. */
char *psrp_name_new(const char *s, size_t len)
{
    unsigned *h = malloc(sizeof(unsigned) + len + 1);
    if (!h)
        return NULL;
    *h = 1;
    char *n = (char *)(h + 1);
    memcpy(n, s, len);
    n[len] = '\0';
    return n;
}

char *psrp_name_ref(char *name)
{
    ((unsigned *)name)[-1]++;
    return name;
}

void psrp_name_unref(char *name)
{
    if (name && --((unsigned *)name)[-1] == 0)
        free((unsigned *)name - 1);
}

static void members_clear(psrp_member *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        psrp_name_unref(m[i].name);
        psrp_value_free(m[i].value);
    }
}

/* Drops what the object holds; its own arrays and ToString are freed only
 * when they came from malloc (owned), not from an arena. */
static void object_clear(psrp_object *o, int owned)
{
    psrp_type_names_unref(o->types);
    psrp_value_free(o->base);
    for (size_t i = 0; i < o->n_items; i++)
        psrp_value_free(o->items[i]);
    for (size_t i = 0; i < o->n_entries; i++) {
        psrp_value_free(o->entries[i].key);
        psrp_value_free(o->entries[i].value);
    }
    members_clear(o->adapted, o->n_adapted);
    members_clear(o->extended, o->n_extended);
    if (owned) {
        free(o->to_string);
        free(o->items);
        free(o->entries);
        free(o->adapted);
        free(o->extended);
    }
}

static int is_text_kind(psrp_value_kind k)
{
    switch (k) {
    case PSRP_V_STRING: case PSRP_V_DATETIME: case PSRP_V_TIMESPAN: case PSRP_V_DECIMAL:
    case PSRP_V_GUID: case PSRP_V_URI: case PSRP_V_VERSION: case PSRP_V_XML:
    case PSRP_V_SCRIPTBLOCK: case PSRP_V_SECURESTRING:
        return 1;
    default:
        return 0;
    }
}

void psrp_value_free(psrp_value *v)
{
    if (!v || --v->refs > 0)
        return;
    /* Text and bytes are inline; progress strings always come from malloc. */
    if (v->kind == PSRP_V_PROGRESS) {
        free(v->u.progress.activity);
        free(v->u.progress.current_operation);
        free(v->u.progress.record_type);
        free(v->u.progress.status_description);
    } else if (v->kind == PSRP_V_OBJECT) {
        object_clear(&v->u.obj, v->arena == NULL);
    }
    if (v->arena)
        psrp_arena_value_gone(v->arena);
    else
        free(v);
}

psrp_value *psrp_value_new_nil(void) { return value_alloc(PSRP_V_NIL); }

psrp_value *psrp_value_new_bool(int b)
{
    psrp_value *v = value_alloc(PSRP_V_BOOL);
    if (v)
        v->u.b = b ? 1 : 0;
    return v;
}

psrp_value *psrp_value_new_char(uint16_t c) { return psrp_value_new_uint(PSRP_V_CHAR, c); }
psrp_value *psrp_value_new_i32(int32_t n) { return psrp_value_new_int(PSRP_V_I32, n); }
psrp_value *psrp_value_new_i64(int64_t n) { return psrp_value_new_int(PSRP_V_I64, n); }
psrp_value *psrp_value_new_u32(uint32_t n) { return psrp_value_new_uint(PSRP_V_U32, n); }
psrp_value *psrp_value_new_u64(uint64_t n) { return psrp_value_new_uint(PSRP_V_U64, n); }

psrp_value *psrp_value_new_int(psrp_value_kind kind, int64_t n)
{
    int64_t lo, hi;
    switch (kind) {
    case PSRP_V_I8: lo = INT8_MIN; hi = INT8_MAX; break;
    case PSRP_V_I16: lo = INT16_MIN; hi = INT16_MAX; break;
    case PSRP_V_I32: lo = INT32_MIN; hi = INT32_MAX; break;
    case PSRP_V_I64: lo = INT64_MIN; hi = INT64_MAX; break;
    default:
        return n < 0 ? NULL : psrp_value_new_uint(kind, (uint64_t)n);
    }
    if (n < lo || n > hi)
        return NULL;
    psrp_value *v = value_alloc(kind);
    if (v)
        v->u.i64 = n;
    return v;
}

psrp_value *psrp_value_new_uint(psrp_value_kind kind, uint64_t n)
{
    uint64_t hi;
    switch (kind) {
    case PSRP_V_U8: hi = UINT8_MAX; break;
    case PSRP_V_CHAR: case PSRP_V_U16: hi = UINT16_MAX; break;
    case PSRP_V_U32: hi = UINT32_MAX; break;
    case PSRP_V_U64: hi = UINT64_MAX; break;
    default:
        return n > (uint64_t)INT64_MAX ? NULL : psrp_value_new_int(kind, (int64_t)n);
    }
    if (n > hi)
        return NULL;
    psrp_value *v = value_alloc(kind);
    if (v)
        v->u.u64 = n;
    return v;
}

psrp_value *psrp_value_new_double(double d)
{
    psrp_value *v = value_alloc(PSRP_V_DOUBLE);
    if (v)
        v->u.f64 = d;
    return v;
}

psrp_value *psrp_value_new_float(float f)
{
    psrp_value *v = value_alloc(PSRP_V_FLOAT);
    if (v)
        v->u.f64 = f;
    return v;
}

psrp_value *psrp_value_new_text_in(psrp_arena *a, psrp_value_kind kind, const char *text, size_t len)
{
    if (!is_text_kind(kind) || (!text && len) || len == SIZE_MAX)
        return NULL;
    /* One allocation: the text lives right after the value. */
    psrp_value *v = psrp_value_alloc(a, kind, len + 1);
    if (!v)
        return NULL;
    v->u.str.ptr = inline_text(v);
    if (len)
        memcpy(v->u.str.ptr, text, len);
    v->u.str.ptr[len] = '\0';
    v->u.str.len = len;
    return v;
}

psrp_value *psrp_value_new_text(psrp_value_kind kind, const char *text, size_t len)
{
    return psrp_value_new_text_in(NULL, kind, text, len);
}

psrp_value *psrp_value_new_string(const char *s)
{
    return s ? psrp_value_new_text(PSRP_V_STRING, s, strlen(s)) : NULL;
}

psrp_value *psrp_value_new_stringn(const char *s, size_t len)
{
    return psrp_value_new_text(PSRP_V_STRING, s, len);
}

psrp_value *psrp_value_new_version(const char *text)
{
    return text ? psrp_value_new_text(PSRP_V_VERSION, text, strlen(text)) : NULL;
}

psrp_value *psrp_value_new_guid(const char *text)
{
    return text ? psrp_value_new_text(PSRP_V_GUID, text, strlen(text)) : NULL;
}

psrp_value *psrp_value_new_progress(void)
{
    return value_alloc(PSRP_V_PROGRESS);
}

psrp_value *psrp_value_new_bytes_in(psrp_arena *a, const void *data, size_t len)
{
    psrp_value *v = psrp_value_alloc(a, PSRP_V_BYTES, len ? len : 1);
    if (!v)
        return NULL;
    v->u.bytes.ptr = inline_bytes(v);
    if (len)
        memcpy(v->u.bytes.ptr, data, len);
    v->u.bytes.len = len;
    return v;
}

psrp_value *psrp_value_new_bytes(const void *data, size_t len)
{
    return psrp_value_new_bytes_in(NULL, data, len);
}

static psrp_type_names *type_names_new(const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    psrp_type_names *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->refs = 1;
    t->names = calloc(n ? n : 1, sizeof(char *));
    if (!t->names) {
        free(t);
        return NULL;
    }
    for (; t->count < n; t->count++) {
        t->names[t->count] = strdup(names[t->count]);
        if (!t->names[t->count]) {
            psrp_type_names_unref(t);
            return NULL;
        }
    }
    return t;
}

int psrp_object_set_type_names(psrp_value *obj, const char *const *type_names)
{
    if (!obj || obj->kind != PSRP_V_OBJECT)
        return obj ? PSR_E_INVALID : PSR_E_NOMEM;
    psrp_type_names *t = NULL;
    if (type_names && !(t = type_names_new(type_names)))
        return PSR_E_NOMEM;
    psrp_type_names_unref(obj->u.obj.types);
    obj->u.obj.types = t;
    return 0;
}

psrp_value *psrp_value_new_object(const char *const *type_names)
{
    psrp_value *v = value_alloc(PSRP_V_OBJECT);
    if (v && type_names && psrp_object_set_type_names(v, type_names) != 0) {
        psrp_value_free(v);
        return NULL;
    }
    return v;
}

psrp_value *psrp_value_new_collection(psrp_collection coll, const char *const *type_names)
{
    if (coll == PSRP_COLL_NONE || coll > PSRP_COLL_DICT)
        return NULL;
    psrp_value *v = psrp_value_new_object(type_names);
    if (v)
        v->u.obj.coll = coll;
    return v;
}

psrp_value *psrp_value_new_enum(const char *type_name, const char *to_string, int32_t n)
{
    const char *names[] = { type_name, "System.Enum", "System.ValueType", "System.Object", NULL };
    psrp_value *v = psrp_value_new_object(names);
    int rc = psrp_object_set_to_string(v, to_string);
    rc |= psrp_object_set_base(v, psrp_value_new_i32(n));
    if (rc) {
        psrp_value_free(v);
        return NULL;
    }
    return v;
}

/* Grows an array of elem-sized entries of owner to hold one more. An
 * arena's array cannot be realloc'd: it is copied to a bigger one there
 * (the old one is reclaimed with the arena). */
static int grow(psrp_value *owner, void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p;
    if (owner->arena) {
        if ((p = psrp_arena_alloc(owner->arena, ncap * elem)) != NULL && n)
            memcpy(p, *arr, n * elem);
    } else {
        p = realloc(*arr, ncap * elem);
    }
    if (!p)
        return PSR_E_NOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Adds a member (extended = MS), taking the reference to a shared name. */
static int add_shared_name(psrp_value *obj, int extended, char *name, psrp_value *value)
{
    if (!obj || !value || !name) {
        psrp_name_unref(name);
        psrp_value_free(value);
        return PSR_E_NOMEM;
    }
    if (obj->kind != PSRP_V_OBJECT) {
        psrp_name_unref(name);
        psrp_value_free(value);
        return PSR_E_INVALID;
    }
    psrp_object *o = &obj->u.obj;
    psrp_member **arr = extended ? &o->extended : &o->adapted;
    size_t *n = extended ? &o->n_extended : &o->n_adapted;
    size_t *cap = extended ? &o->cap_extended : &o->cap_adapted;
    if (grow(obj, (void **)arr, cap, *n, sizeof(psrp_member)) != 0) {
        psrp_name_unref(name);
        psrp_value_free(value);
        return PSR_E_NOMEM;
    }
    (*arr)[*n].name = name;
    (*arr)[*n].value = value;
    (*n)++;
    return 0;
}

static int add_member(psrp_value *obj, int extended, const char *name, psrp_value *value)
{
    if (!name && obj && value) {
        psrp_value_free(value);
        return PSR_E_INVALID;
    }
    char *shared = name ? psrp_name_new(name, strlen(name)) : NULL;
    if (!shared) {
        psrp_value_free(value);
        return PSR_E_NOMEM;
    }
    return add_shared_name(obj, extended, shared, value);
}

int psrp_object_add(psrp_value *obj, const char *name, psrp_value *value)
{
    return add_member(obj, 1, name, value);
}

int psrp_object_add_adapted(psrp_value *obj, const char *name, psrp_value *value)
{
    return add_member(obj, 0, name, value);
}

int psrp_object_set_to_string(psrp_value *obj, const char *text)
{
    if (!obj)
        return PSR_E_NOMEM;
    if (obj->kind != PSRP_V_OBJECT)
        return PSR_E_INVALID;
    char *copy = NULL;
    if (text) {
        size_t len = strlen(text);
        if (!(copy = part_alloc(obj, len + 1)))
            return PSR_E_NOMEM;
        memcpy(copy, text, len + 1);
    }
    if (!obj->arena)
        free(obj->u.obj.to_string);
    obj->u.obj.to_string = copy;
    return 0;
}

int psrp_object_set_base(psrp_value *obj, psrp_value *base)
{
    if (!obj || !base) {
        psrp_value_free(base);
        return PSR_E_NOMEM;
    }
    if (obj->kind != PSRP_V_OBJECT || base->kind == PSRP_V_OBJECT) {
        psrp_value_free(base);
        return PSR_E_INVALID;
    }
    psrp_value_free(obj->u.obj.base);
    obj->u.obj.base = base;
    return 0;
}

int psrp_list_append(psrp_value *list, psrp_value *item)
{
    if (!list || !item) {
        psrp_value_free(item);
        return PSR_E_NOMEM;
    }
    psrp_object *o = &list->u.obj;
    if (list->kind != PSRP_V_OBJECT || o->coll == PSRP_COLL_NONE || o->coll == PSRP_COLL_DICT) {
        psrp_value_free(item);
        return PSR_E_INVALID;
    }
    if (grow(list, (void **)&o->items, &o->cap_items, o->n_items, sizeof(psrp_value *)) != 0) {
        psrp_value_free(item);
        return PSR_E_NOMEM;
    }
    o->items[o->n_items++] = item;
    return 0;
}

int psrp_dict_add(psrp_value *dict, psrp_value *key, psrp_value *value)
{
    if (!dict || !key || !value) {
        psrp_value_free(key);
        psrp_value_free(value);
        return PSR_E_NOMEM;
    }
    psrp_object *o = &dict->u.obj;
    if (dict->kind != PSRP_V_OBJECT || o->coll != PSRP_COLL_DICT ||
        grow(dict, (void **)&o->entries, &o->cap_entries, o->n_entries, sizeof(psrp_dict_entry)) != 0) {
        int bad = dict->kind != PSRP_V_OBJECT || o->coll != PSRP_COLL_DICT;
        psrp_value_free(key);
        psrp_value_free(value);
        return bad ? PSR_E_INVALID : PSR_E_NOMEM;
    }
    o->entries[o->n_entries].key = key;
    o->entries[o->n_entries].value = value;
    o->n_entries++;
    return 0;
}

static psrp_value *find_member(const psrp_member *m, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(m[i].name, name) == 0)
            return m[i].value;
    return NULL;
}

psrp_value *psrp_object_get(const psrp_value *v, const char *name)
{
    if (!v || v->kind != PSRP_V_OBJECT || !name)
        return NULL;
    psrp_value *r = find_member(v->u.obj.extended, v->u.obj.n_extended, name);
    return r ? r : find_member(v->u.obj.adapted, v->u.obj.n_adapted, name);
}

psrp_value *psrp_dict_get(const psrp_value *v, const char *key)
{
    if (!v || v->kind != PSRP_V_OBJECT || v->u.obj.coll != PSRP_COLL_DICT || !key)
        return NULL;
    for (size_t i = 0; i < v->u.obj.n_entries; i++) {
        const psrp_value *k = v->u.obj.entries[i].key;
        if (k->kind == PSRP_V_STRING && strcasecmp(k->u.str.ptr, key) == 0)
            return v->u.obj.entries[i].value;
    }
    return NULL;
}

const char *psrp_value_text(const psrp_value *v)
{
    return v && is_text_kind(v->kind) ? v->u.str.ptr : NULL;
}

const char *psrp_object_get_text(const psrp_value *v, const char *name)
{
    return psrp_value_text(psrp_object_get(v, name));
}

int psrp_value_get_i64(const psrp_value *v, int64_t *out)
{
    if (v && v->kind == PSRP_V_OBJECT)
        v = v->u.obj.base; /* enums and extended primitives */
    if (!v)
        return PSR_E_PROTOCOL;
    switch (v->kind) {
    case PSRP_V_I8: case PSRP_V_I16: case PSRP_V_I32: case PSRP_V_I64:
        *out = v->u.i64;
        return 0;
    case PSRP_V_CHAR: case PSRP_V_U8: case PSRP_V_U16: case PSRP_V_U32: case PSRP_V_U64:
        if (v->u.u64 > (uint64_t)INT64_MAX)
            return PSR_E_PROTOCOL;
        *out = (int64_t)v->u.u64;
        return 0;
    default:
        return PSR_E_PROTOCOL;
    }
}

int psrp_value_get_i32(const psrp_value *v, int32_t *out)
{
    int64_t n;
    if (psrp_value_get_i64(v, &n) != 0 || n < INT32_MIN || n > INT32_MAX)
        return PSR_E_PROTOCOL;
    *out = (int32_t)n;
    return 0;
}

int psrp_value_get_u64(const psrp_value *v, uint64_t *out)
{
    if (v && v->kind == PSRP_V_OBJECT)
        v = v->u.obj.base;
    if (v && (v->kind == PSRP_V_U64 || v->kind == PSRP_V_U32 || v->kind == PSRP_V_U16 ||
              v->kind == PSRP_V_U8 || v->kind == PSRP_V_CHAR)) {
        *out = v->u.u64;
        return 0;
    }
    int64_t n;
    if (psrp_value_get_i64(v, &n) != 0 || n < 0)
        return PSR_E_PROTOCOL;
    *out = (uint64_t)n;
    return 0;
}

int psrp_value_get_bool(const psrp_value *v, int *out)
{
    if (v && v->kind == PSRP_V_OBJECT)
        v = v->u.obj.base;
    if (!v || v->kind != PSRP_V_BOOL)
        return PSR_E_PROTOCOL;
    *out = v->u.b;
    return 0;
}

int psrp_value_is_nil(const psrp_value *v)
{
    return !v || v->kind == PSRP_V_NIL;
}

const char *psrp_value_type_name(const psrp_value *v, size_t i)
{
    if (!v || v->kind != PSRP_V_OBJECT || !v->u.obj.types || i >= v->u.obj.types->count)
        return NULL;
    return v->u.obj.types->names[i];
}

#define DESERIALIZED_PREFIX "Deserialized."

const char *psrp_type_name_strip_deserialized(const char *name)
{
    size_t n = sizeof(DESERIALIZED_PREFIX) - 1;
    if (name && strncmp(name, DESERIALIZED_PREFIX, n) == 0)
        return name + n;
    return name;
}

int psrp_type_name_add_deserialized(psr_buf *out, const char *name)
{
    if (psrp_type_name_strip_deserialized(name) == name && psr_buf_puts(out, DESERIALIZED_PREFIX) != 0)
        return PSR_E_NOMEM;
    return psr_buf_puts(out, name);
}

int psrp_value_is_type(const psrp_value *v, const char *name)
{
    const char *want = psrp_type_name_strip_deserialized(name);
    const char *t;
    for (size_t i = 0; (t = psrp_value_type_name(v, i)) != NULL; i++)
        if (strcmp(psrp_type_name_strip_deserialized(t), want) == 0)
            return 1;
    return 0;
}
