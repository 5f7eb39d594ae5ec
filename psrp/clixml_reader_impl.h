/* clixml_reader_impl.h: the reader's state, shared by the SAX callbacks
 * (clixml_read.c) and the push API around them (clixml_reader.c).
 * Internal to psrp/. */
#ifndef PSR_PSRP_CLIXML_READER_IMPL_H
#define PSR_PSRP_CLIXML_READER_IMPL_H

#include "psrp/arena.h"
#include "psrp/clixml.h"
#include "psrp/lru.h"

#include <libxml/parser.h>

typedef enum tag_id {
    T_UNKNOWN, T_OBJS, T_OBJ, T_REF, T_TN, T_TNREF, T_T, T_TOSTRING, T_PROPS, T_MS,
    T_LST, T_IE, T_STK, T_QUE, T_DCT, T_EN, T_PR, T_AV, T_AI, T_PI, T_PC, T_SR, T_SD,
    /* primitives from here on */
    T_S, T_C, T_B, T_DT, T_TS, T_BY, T_SB, T_U16, T_I16, T_U32, T_I32, T_U64, T_I64,
    T_SG, T_DB, T_D, T_BA, T_G, T_URI, T_NIL, T_VERSION, T_XD, T_SBK, T_SS,
    T_COUNT
} tag_id;

/* One open element. Frames are reused, so their buffers keep their memory. */
typedef struct frame {
    tag_id tag;
    int has_refid;
    int saw_props;         /* Obj: it has a <Props> element */
    char *name;            /* N attribute, decoded: a shared name (one reference) or NULL */
    psr_buf refid;         /* RefId attribute */
    psrp_value *val;       /* Obj / PR being built; Props, MS, lists, DCT, En: the Obj */
    psrp_value *inner;     /* Obj: an <Obj> directly inside it, merged at its end */
    psrp_type_names *tn;   /* TN being built */
    psrp_value *key, *value; /* En */
    /* Props, MS, LST, IE, STK, QUE, DCT: what they collected so far
     * (psrp_member, psrp_value * or psrp_dict_entry), copied into one
     * exactly sized array of the object at the end tag. */
    char *coll;
    size_t coll_len, coll_cap;
} frame;

/* String-keyed open-addressing table (RefId -> object or type names). */
typedef struct ref_slot {
    char *key;
    void *val;
    uint64_t hash;
} ref_slot;

typedef struct ref_table {
    ref_slot *slots;
    size_t cap, n;
    void (*drop)(void *);
} ref_table;

/* Direct-mapped cache of property names keyed by the N attribute as
 * libxml2 hands it over, so a stream of similar objects shares one copy of
 * each name and a name is decoded once, not once per element. It outlives a
 * reset (the next message names the same properties), so only names of up
 * to NAME_CACHE_MAX_LEN bytes go in: whatever a server sends, the cache
 * holds at most NAME_CACHE of them. */
#define NAME_CACHE 256
#define NAME_CACHE_MAX_LEN 256
_Static_assert(NAME_CACHE <= 256, "names_filled holds slot numbers in bytes");
typedef struct name_entry {
    char *raw;  /* the attribute's bytes (malloc'd) */
    size_t raw_len;
    char *name; /* decoded; one reference held by the cache */
} name_entry;

#define TAG_CACHE 64
typedef struct tag_cache_entry {
    const xmlChar *name; /* interned by the parser's dictionary */
    tag_id tag;
} tag_cache_entry;

/* What psrp_clixml_reader_reset keeps for the next stream, whatever the
 * last one was: the reader's buffers up to KEEP_BUF bytes each and
 * KEEP_FRAMES frames, and libxml2's context only after a stream of at most
 * KEEP_PARSER_INPUT bytes that ended well (so its own tables are as small
 * as that stream) while its dictionary of element and attribute names,
 * which grows with every new name, stays within KEEP_DICT_NAMES names and
 * KEEP_DICT_BYTES. The RefId map and the TN table shrink by their own
 * rules (lru_clear, table_clear); the name cache is bounded above. */
#define KEEP_BUF (64u * 1024u)
#define KEEP_FRAMES 64u
#define KEEP_PARSER_INPUT (64u * 1024u)
#define KEEP_DICT_NAMES 1024
#define KEEP_DICT_BYTES (64u * 1024u)

struct psrp_clixml_reader {
    psrp_clixml_limits limits;
    psrp_clixml_value_cb cb;
    void *cb_ctx;
    xmlParserCtxtPtr ctxt;
    xmlSAXHandler sax;

    frame *frames;
    unsigned depth, cap_frames;
    unsigned frames_touched; /* the most frames in use at once since the last reset */
    psr_buf text;      /* content of the open text element */
    psr_buf scratch;   /* decoding space */
    psrp_arena *arena; /* where the current top-level value is built */
    size_t arena_hint; /* first block size for the next arena */
    lru objects;       /* RefId -> psrp_value, across top-level values */
    size_t ref_bytes;  /* arena bytes kept only for objects in that table */
    uint64_t ref_dropped; /* objects of earlier values no longer referable */
    ref_table types;   /* TN RefId -> psrp_type_names (whole stream) */
    name_entry names[NAME_CACHE];
    uint8_t names_filled[NAME_CACHE]; /* the slots in use, so freeing skips the empty ones */
    unsigned n_names;
    /* Keyed by the address of a name in ctxt's dictionary: emptied
     * whenever ctxt (and so its dictionary) goes. */
    tag_cache_entry tag_cache[TAG_CACHE];
    int ctxt_opts;     /* the libxml2 options ctxt was set up with */

    int mode;          /* 0 undecided, 1 document, 2 wrapped sequence */
    int wrapped;       /* a synthetic <Objs> was put before the input */
    int saw_root;
    int in_value;
    psr_buf pending;   /* first bytes, until the mode is known */
    uint64_t fed;      /* input bytes given so far */
    int64_t shift;     /* parser offset minus input offset (synthetic prefix) */
    uint64_t value_start;
    uint64_t count;
    int finished;      /* psrp_clixml_reader_finish succeeded */

    int failed;        /* 0 or the psr_status of the first error */
    psr_error err;
};

uint64_t psrp_clixml_reader_offset(const psrp_clixml_reader *r);
const char *reader_tag_name(tag_id t);
int reader_push(psrp_clixml_reader *r);
void reader_pop(psrp_clixml_reader *r);
int reader_check_object_size(psrp_clixml_reader *r);
/* Appends an attribute value with the character references libxml2 leaves
 * in place (it writes &amp; as &#38; when entities are not replaced)
 * resolved. */
int reader_attr_value(psr_buf *out, const char *v, size_t len);

/* Makes the object referable by RefId (the table takes its own reference). */
int reader_objects_put(psrp_clixml_reader *r, const char *refid, size_t len, psrp_value *v);
psrp_value *reader_objects_get(psrp_clixml_reader *r, const char *refid, size_t len);
/* After a top-level value went to the callback: keeps its arena for reuse
 * or leaves it to the values that still live, and drops the least recently
 * used objects past max_ref_objects and max_ref_bytes. */
void reader_value_done(psrp_clixml_reader *r);
/* Takes one reference of tn for the table (tn keeps the caller's). */
int reader_types_put(psrp_clixml_reader *r, const char *refid, psrp_type_names *tn);
psrp_type_names *reader_types_get(psrp_clixml_reader *r, const char *refid);

/* A reference to the shared, decoded name of an N attribute's raw bytes
 * (NULL on no memory). */
char *reader_name(psrp_clixml_reader *r, const char *raw, size_t len);

/* Merges an <Obj> found directly inside outer into it, as PowerShell
 * presents such an object (clixml_nested.c). 0 or PSR_E_NOMEM. */
int reader_merge_inner(psrp_value *outer, const psrp_value *inner, int outer_has_props);

void reader_sax_init(xmlSAXHandler *sax);

#endif
