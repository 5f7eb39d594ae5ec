/* value.h: the value model of CLIXML (MS-PSRP 2.2.5): what a PSRP message
 * carries once it is parsed, and what message builders fill before it is
 * serialized.
 *
 * A psrp_value is either a primitive (2.2.5.1: S, C, B, DT, TS, By, SB, U16,
 * I16, U32, I32, U64, I64, Sg, Db, D, BA, G, URI, Nil, Version, XD, SBK, SS,
 * PR) or a complex object (2.2.5.2: Obj). An object has optional type names
 * (most derived first), an optional ToString, an optional wrapped primitive
 * (enums wrap their I32, a PSObject around a string wraps the S), an optional
 * collection (list or dictionary), adapted properties (Props) and extended
 * properties (MS).
 *
 * Ownership: values are reference counted so that a CLIXML <Ref> shares the
 * object it names instead of copying it. psrp_value_ref adds a reference,
 * psrp_value_free drops one (and frees at zero; NULL is a no-op). Counts are
 * not atomic: one value tree belongs to one thread. Every "add" function
 * below TAKES the reference passed to it, also on failure, and accepts NULL
 * (an allocation that failed earlier) by returning PSR_E_NOMEM, so builders
 * can chain calls and check once:
 *
 *     psrp_value *cap = psrp_value_new_object(NULL);
 *     int rc = psrp_object_add(cap, "protocolversion", psrp_value_new_version("2.3"));
 *     rc |= psrp_object_add(cap, "PSVersion", psrp_value_new_version("2.0"));
 *     rc |= psrp_object_add(cap, "SerializationVersion", psrp_value_new_version("1.1.0.1"));
 *     if (rc) ... PSR_E_NOMEM (cap may be NULL) ...
 *
 * Strings are UTF-8 with an explicit length (a string may hold U+0000 from
 * _x0000_) and are always NUL-terminated. A lone UTF-16 surrogate, which
 * CLIXML can carry as _xD800_, is kept as its 3-byte generalized UTF-8 form
 * (ED A0 80, "WTF-8") so that it survives a round trip.
 *
 * Property names are matched case-insensitively (ASCII), as PowerShell does. */
#ifndef PSR_PSRP_VALUE_H
#define PSR_PSRP_VALUE_H

#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef enum psrp_value_kind {
    PSRP_V_NIL,          /* <Nil/> */
    PSRP_V_STRING,       /* <S>: text */
    PSRP_V_CHAR,         /* <C>: the UTF-16 code unit as a number (u.u64) */
    PSRP_V_BOOL,         /* <B>: u.b */
    PSRP_V_DATETIME,     /* <DT>: text as written, e.g. 2008-04-11T10:42:32.2731993-07:00 */
    PSRP_V_TIMESPAN,     /* <TS>: xs:duration text, e.g. PT9.0269047S */
    PSRP_V_U8,           /* <By>: u.u64 */
    PSRP_V_I8,           /* <SB>: u.i64 */
    PSRP_V_U16,          /* <U16>: u.u64 */
    PSRP_V_I16,          /* <I16>: u.i64 */
    PSRP_V_U32,          /* <U32>: u.u64 */
    PSRP_V_I32,          /* <I32>: u.i64 */
    PSRP_V_U64,          /* <U64>: u.u64 */
    PSRP_V_I64,          /* <I64>: u.i64 */
    PSRP_V_FLOAT,        /* <Sg>: u.f64 (float precision); NaN, INF, -INF allowed */
    PSRP_V_DOUBLE,       /* <Db>: u.f64 */
    PSRP_V_DECIMAL,      /* <D>: text kept exactly (System.Decimal has 28-29 digits) */
    PSRP_V_BYTES,        /* <BA>: u.bytes, decoded from base64 */
    PSRP_V_GUID,         /* <G>: text, e.g. 792e5b37-4505-47ef-b7d2-8711bb7affa8 */
    PSRP_V_URI,          /* <URI>: text */
    PSRP_V_VERSION,      /* <Version>: text, e.g. 2.3 or 6.1.7601.17514 */
    PSRP_V_XML,          /* <XD>: the XML document as text */
    PSRP_V_SCRIPTBLOCK,  /* <SBK>: script text */
    PSRP_V_SECURESTRING, /* <SS>: the encrypted blob, base64 text as sent */
    PSRP_V_PROGRESS,     /* <PR>: u.progress */
    PSRP_V_OBJECT,       /* <Obj>: u.obj */
} psrp_value_kind;

typedef struct psrp_value psrp_value;

/* The kind of collection an <Obj> holds (2.2.5.2.6). */
typedef enum psrp_collection {
    PSRP_COLL_NONE,
    PSRP_COLL_LIST,  /* <LST> */
    PSRP_COLL_IENUM, /* <IE> */
    PSRP_COLL_STACK, /* <STK> */
    PSRP_COLL_QUEUE, /* <QUE> */
    PSRP_COLL_DICT,  /* <DCT> of <En><Key/><Value/></En> */
} psrp_collection;

/* Type names, shared between objects that name the same list (TN / TNRef). */
typedef struct psrp_type_names {
    unsigned refs;
    size_t count;
    char **names; /* most derived first, e.g. "System.Management.Automation.PSPrimitiveDictionary" */
} psrp_type_names;

/* Drops a reference to a type-name list (frees names with free() at zero).
 * NULL is a no-op. Objects hold one reference each. */
void psrp_type_names_unref(psrp_type_names *t);

/* A named property: the name belongs to the use, not to the (shared) value. */
typedef struct psrp_member {
    char *name; /* UTF-8, NUL-terminated */
    psrp_value *value;
} psrp_member;

typedef struct psrp_dict_entry {
    psrp_value *key;
    psrp_value *value;
} psrp_dict_entry;

typedef struct psrp_object {
    psrp_type_names *types; /* NULL: no <TN> */
    char *to_string;        /* NULL: no <ToString> */
    psrp_value *base;       /* wrapped primitive (enum I32, PSObject's S, ...) or NULL */
    psrp_collection coll;
    psrp_value **items;     /* list, ienum, stack, queue: in wire order */
    size_t n_items, cap_items;
    psrp_dict_entry *entries; /* dict: in wire order */
    size_t n_entries, cap_entries;
    psrp_member *adapted;   /* <Props> */
    size_t n_adapted, cap_adapted;
    psrp_member *extended;  /* <MS> */
    size_t n_extended, cap_extended;
} psrp_object;

/* ProgressRecord written as the known type <PR>: <AV> activity, <AI> activity id, <PI> parent activity id,
 * <CO> current operation (Nil when NULL), <PC> percent complete, <T>
 * record type ("Processing" / "Completed"), <SR> seconds remaining,
 * <SD> status description. */
typedef struct psrp_progress {
    char *activity;
    int32_t activity_id;
    int32_t parent_activity_id;
    char *current_operation; /* NULL: <Nil N="CO"/> */
    int32_t percent_complete;
    char *record_type;
    int32_t seconds_remaining;
    char *status_description;
} psrp_progress;

struct psrp_value {
    psrp_value_kind kind;
    unsigned refs;
    /* NULL for values made with the constructors below. The deserializer
     * makes its values in a region shared by one top-level value (see
     * psrp/arena.h); such a value is used and freed like any other, but
     * only the bytes its kind needs are allocated: read the union member
     * of v->kind only, and never copy a psrp_value by assignment. */
    struct psrp_arena *arena;
    union {
        int b;              /* PSRP_V_BOOL: 0 or 1 */
        uint64_t u64;       /* CHAR, U8, U16, U32, U64 */
        int64_t i64;        /* I8, I16, I32, I64 */
        double f64;         /* FLOAT, DOUBLE */
        struct {
            char *ptr;      /* NUL-terminated; owned by the value (may share its
                             * allocation): never free or realloc it */
            size_t len;
        } str;              /* STRING and every other text kind */
        struct {
            uint8_t *ptr;
            size_t len;
        } bytes;            /* BYTES */
        psrp_progress progress;
        psrp_object obj;
    } u;
};

/* ---- life cycle ---------------------------------------------------------- */

/* Adds a reference and returns v (NULL stays NULL). */
psrp_value *psrp_value_ref(psrp_value *v);
/* Drops a reference; frees the value and its children at zero. NULL is a no-op. */
void psrp_value_free(psrp_value *v);

/* ---- primitives (each returns a new value with one reference, or NULL) --- */

psrp_value *psrp_value_new_nil(void);
psrp_value *psrp_value_new_bool(int b);
psrp_value *psrp_value_new_char(uint16_t c);
psrp_value *psrp_value_new_i32(int32_t n);
psrp_value *psrp_value_new_i64(int64_t n);
psrp_value *psrp_value_new_u32(uint32_t n);
psrp_value *psrp_value_new_u64(uint64_t n);
/* Any integer kind (U8..I64); the number must fit the kind's range, else NULL. */
psrp_value *psrp_value_new_int(psrp_value_kind kind, int64_t n);
psrp_value *psrp_value_new_uint(psrp_value_kind kind, uint64_t n);
psrp_value *psrp_value_new_double(double d);
psrp_value *psrp_value_new_float(float f);
/* S from a NUL-terminated string, or with an explicit length. */
psrp_value *psrp_value_new_string(const char *s);
psrp_value *psrp_value_new_stringn(const char *s, size_t len);
psrp_value *psrp_value_new_version(const char *text);
psrp_value *psrp_value_new_guid(const char *text);
/* Any text kind (STRING, DATETIME, TIMESPAN, DECIMAL, GUID, URI, VERSION,
 * XML, SCRIPTBLOCK, SECURESTRING); NULL for other kinds. */
psrp_value *psrp_value_new_text(psrp_value_kind kind, const char *text, size_t len);
psrp_value *psrp_value_new_bytes(const void *data, size_t len);
/* An empty <PR>: fill u.progress; its strings are malloc'd and freed with
 * the value (NULL current_operation means Nil). */
psrp_value *psrp_value_new_progress(void);

/* ---- objects ------------------------------------------------------------- */

/* An <Obj> with the given type names (a NULL-terminated array, most derived
 * first; NULL for none). */
psrp_value *psrp_value_new_object(const char *const *type_names);
/* An <Obj> holding a collection (coll != PSRP_COLL_NONE). */
psrp_value *psrp_value_new_collection(psrp_collection coll, const char *const *type_names);
/* An enum as PowerShell writes it: <Obj><TN>type, System.Enum,
 * System.ValueType, System.Object</TN><ToString>name</ToString><I32>n</I32></Obj>.
 * type_name is the enum's own type, e.g.
 * "System.Management.Automation.Runspaces.PSThreadOptions". */
psrp_value *psrp_value_new_enum(const char *type_name, const char *to_string, int32_t n);

/* Each returns 0 or PSR_E_NOMEM / PSR_E_INVALID (obj is not an object or the
 * wrong collection); each takes the reference to value/key, also on failure. */
int psrp_object_add(psrp_value *obj, const char *name, psrp_value *value);         /* <MS> */
int psrp_object_add_adapted(psrp_value *obj, const char *name, psrp_value *value); /* <Props> */
int psrp_object_set_to_string(psrp_value *obj, const char *text);
int psrp_object_set_base(psrp_value *obj, psrp_value *base);
int psrp_list_append(psrp_value *list, psrp_value *item);
int psrp_dict_add(psrp_value *dict, psrp_value *key, psrp_value *value);
/* Replaces the object's type names (NULL-terminated array, or NULL). */
int psrp_object_set_type_names(psrp_value *obj, const char *const *type_names);

/* ---- reading ------------------------------------------------------------- */

/* The property of that name (ASCII case-insensitive), looked for in the
 * extended (MS) then the adapted (Props) properties; NULL when v is not an
 * object or has no such property. The result is borrowed from v. */
psrp_value *psrp_object_get(const psrp_value *v, const char *name);
/* Dictionary lookup by a string key (case-insensitive, as PowerShell's
 * PSPrimitiveDictionary / Hashtable with the default comparer). Borrowed. */
psrp_value *psrp_dict_get(const psrp_value *v, const char *key);

/* The text of a text kind (STRING, DATETIME, ..., SECURESTRING), else NULL. */
const char *psrp_value_text(const psrp_value *v);
/* Shortcut: text of property name, or NULL when missing or not text. */
const char *psrp_object_get_text(const psrp_value *v, const char *name);
/* Any integer kind, an enum object (its wrapped integer) or CHAR into *out.
 * 0, or PSR_E_PROTOCOL when v is missing, not an integer or out of range. */
int psrp_value_get_i64(const psrp_value *v, int64_t *out);
int psrp_value_get_i32(const psrp_value *v, int32_t *out);
int psrp_value_get_u64(const psrp_value *v, uint64_t *out);
/* B into *out: 0, or PSR_E_PROTOCOL when v is missing or not a bool. */
int psrp_value_get_bool(const psrp_value *v, int *out);
/* 1 when v is NULL or Nil. */
int psrp_value_is_nil(const psrp_value *v);

/* The type names of an object, or NULL. i-th name, or NULL past the end. */
const char *psrp_value_type_name(const psrp_value *v, size_t i);
/* 1 when one of v's type names equals name, compared with any
 * "Deserialized." prefix removed from both (so a live type name matches the
 * deserialized form). */
int psrp_value_is_type(const psrp_value *v, const char *name);
/* The type name without a leading "Deserialized." (pointer into name). */
const char *psrp_type_name_strip_deserialized(const char *name);
/* Appends "Deserialized." + name to out unless it already has that prefix.
 * Returns 0 or PSR_E_NOMEM. */
int psrp_type_name_add_deserialized(psr_buf *out, const char *name);

/* "S", "I32", "Obj", ...: the CLIXML element name of a kind. */
const char *psrp_value_kind_tag(psrp_value_kind kind);

#endif
