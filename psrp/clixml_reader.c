/* clixml_reader.c: the push API around the SAX callbacks (see clixml.h):
 * deciding whether the stream is an <Objs> document or a bare sequence of
 * values, feeding libxml2, the RefId tables, the frame stack, limits, and
 * the one-shot parse and pretty printer built on the reader. */
#include "psrp/clixml_reader_impl.h"
#include "psrp/clixml_text.h"
#include "psrp/value_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRAP_OPEN "<Objs>"
#define WRAP_CLOSE "</Objs>"

void psrp_clixml_limits_default(psrp_clixml_limits *l)
{
    l->max_depth = 256;
    l->max_object_bytes = 10u << 20;
    l->max_total_bytes = 0;
    l->max_string_bytes = 10u << 20;
    l->max_type_names = 65536;
    l->max_ref_objects = 4096;
    l->max_ref_bytes = 16u << 20;
}

const char *reader_tag_name(tag_id t)
{
    static const char *const names[T_COUNT] = {
        [T_UNKNOWN] = "?", [T_OBJS] = "Objs", [T_OBJ] = "Obj", [T_REF] = "Ref", [T_TN] = "TN",
        [T_TNREF] = "TNRef", [T_T] = "T", [T_TOSTRING] = "ToString", [T_PROPS] = "Props", [T_MS] = "MS",
        [T_LST] = "LST", [T_IE] = "IE", [T_STK] = "STK", [T_QUE] = "QUE", [T_DCT] = "DCT", [T_EN] = "En",
        [T_PR] = "PR", [T_AV] = "AV", [T_AI] = "AI", [T_PI] = "PI", [T_PC] = "PC", [T_SR] = "SR",
        [T_SD] = "SD", [T_S] = "S", [T_C] = "C", [T_B] = "B", [T_DT] = "DT", [T_TS] = "TS", [T_BY] = "By",
        [T_SB] = "SB", [T_U16] = "U16", [T_I16] = "I16", [T_U32] = "U32", [T_I32] = "I32", [T_U64] = "U64",
        [T_I64] = "I64", [T_SG] = "Sg", [T_DB] = "Db", [T_D] = "D", [T_BA] = "BA", [T_G] = "G",
        [T_URI] = "URI", [T_NIL] = "Nil", [T_VERSION] = "Version", [T_XD] = "XD", [T_SBK] = "SBK",
        [T_SS] = "SS",
    };
    return t < T_COUNT && names[t] ? names[t] : "?";
}

uint64_t psrp_clixml_reader_offset(const psrp_clixml_reader *r)
{
    if (!r->ctxt || r->mode == 0) /* a context kept by a reset has not started yet */
        return r->fed;
    long consumed = xmlByteConsumed(r->ctxt);
    int64_t off = (consumed < 0 ? 0 : (int64_t)consumed) - r->shift;
    if (off < 0)
        return 0;
    return (uint64_t)off > r->fed ? r->fed : (uint64_t)off;
}

int reader_check_object_size(psrp_clixml_reader *r)
{
    if (!r->in_value)
        return 0;
    uint64_t now = psrp_clixml_reader_offset(r);
    if (now < r->value_start || now - r->value_start <= r->limits.max_object_bytes)
        return 0;
    char msg[200];
    snprintf(msg, sizeof(msg), "one value is larger than max_object_bytes %zu (it began at byte %" PRIu64 ")",
             r->limits.max_object_bytes, r->value_start);
    if (!r->failed) {
        psr_error_set(&r->err, PSR_E_LIMIT, "CLIXML: %s (at byte %" PRIu64 ")", msg, now);
        r->failed = PSR_E_LIMIT;
    }
    xmlStopParser(r->ctxt);
    return PSR_E_LIMIT;
}

int reader_push(psrp_clixml_reader *r)
{
    if (r->depth == r->cap_frames) {
        unsigned ncap = r->cap_frames ? r->cap_frames * 2 : 16;
        frame *nf = realloc(r->frames, ncap * sizeof(frame));
        if (!nf)
            return PSR_E_NOMEM;
        memset(nf + r->cap_frames, 0, (ncap - r->cap_frames) * sizeof(frame));
        r->frames = nf;
        r->cap_frames = ncap;
    }
    frame *f = &r->frames[r->depth++];
    if (r->depth > r->frames_touched)
        r->frames_touched = r->depth;
    f->has_refid = f->saw_props = 0;
    f->refid.len = 0;
    return 0;
}

/* Drops what a frame collected but did not hand to its object. */
static void release_collected(frame *f)
{
    if (f->tag == T_PROPS || f->tag == T_MS) {
        psrp_member *m = (psrp_member *)f->coll;
        for (size_t i = 0; i < f->coll_len / sizeof(*m); i++) {
            psrp_name_unref(m[i].name);
            psrp_value_free(m[i].value);
        }
    } else if (f->tag == T_DCT) {
        psrp_dict_entry *e = (psrp_dict_entry *)f->coll;
        for (size_t i = 0; i < f->coll_len / sizeof(*e); i++) {
            psrp_value_free(e[i].key);
            psrp_value_free(e[i].value);
        }
    } else {
        psrp_value **v = (psrp_value **)f->coll;
        for (size_t i = 0; i < f->coll_len / sizeof(*v); i++)
            psrp_value_free(v[i]);
    }
    f->coll_len = 0;
}

void reader_pop(psrp_clixml_reader *r)
{
    frame *f = &r->frames[--r->depth];
    /* A frame that handed everything on holds at most a borrowed object
     * (Props, MS, lists, DCT and En only borrow theirs): the common case,
     * tested first because every element ends here. */
    if (!f->name && !f->inner && !f->tn && !f->key && !f->value && !f->coll_len &&
        (!f->val || (f->tag != T_OBJ && f->tag != T_PR))) {
        f->val = NULL;
        return;
    }
    /* Whatever an error left half built. */
    if (f->tag == T_OBJ || f->tag == T_PR)
        psrp_value_free(f->val);
    if (f->coll_len)
        release_collected(f);
    psrp_value_free(f->inner);
    psrp_name_unref(f->name);
    f->name = NULL;
    psrp_type_names_unref(f->tn);
    psrp_value_free(f->key);
    psrp_value_free(f->value);
    f->val = f->inner = NULL;
    f->tn = NULL;
    f->key = f->value = NULL;
}

int reader_attr_value(psr_buf *out, const char *v, size_t len)
{
    psr_buf_reset(out);
    const char *end = v + len;
    while (v < end) {
        const char *amp = memchr(v, '&', (size_t)(end - v));
        if (!amp)
            return psr_buf_append(out, v, (size_t)(end - v));
        if (psr_buf_append(out, v, (size_t)(amp - v)) != 0)
            return PSR_E_NOMEM;
        const char *semi = memchr(amp, ';', (size_t)(end - amp));
        unsigned long cp = 0;
        if (semi && amp + 2 < semi && amp[1] == '#') {
            char *stop;
            cp = amp[2] == 'x' ? strtoul(amp + 3, &stop, 16) : strtoul(amp + 2, &stop, 10);
            if (stop != semi)
                cp = 0;
        }
        if (cp == 0 || cp > 0x7F) {
            /* libxml2 only leaves ASCII references; copy anything else. */
            if (psr_buf_putc(out, '&') != 0)
                return PSR_E_NOMEM;
            v = amp + 1;
            continue;
        }
        if (psr_buf_putc(out, (char)cp) != 0)
            return PSR_E_NOMEM;
        v = semi + 1;
    }
    return 0;
}

char *reader_name(psrp_clixml_reader *r, const char *raw, size_t len)
{
    /* A cheap hash (length, first, middle and last bytes): a collision only
     * costs a memcmp and, at worst, a second copy of a name. */
    uint32_t h = (uint32_t)len * 31u;
    if (len) {
        h = (h ^ (unsigned char)raw[0]) * 16777619u;
        h = (h ^ (unsigned char)raw[len - 1]) * 16777619u;
        h = (h ^ (unsigned char)raw[len / 2]) * 16777619u;
        h ^= h >> 13;
    }
    unsigned slot = h & (NAME_CACHE - 1);
    name_entry *e = &r->names[slot];
    if (e->name && e->raw_len == len && memcmp(e->raw, raw, len) == 0)
        return psrp_name_ref(e->name);
    /* Decode: character references libxml2 left in place, then _xHHHH_.
     * Names come from start tags, where no text element is open, so the
     * text buffer is free to use. */
    const char *text = raw;
    size_t tlen = len;
    if (memchr(raw, '&', len) || memchr(raw, '_', len)) {
        psr_buf_reset(&r->text);
        if (reader_attr_value(&r->scratch, raw, len) != 0 ||
            psrp_clixml_unescape(&r->text, r->scratch.data ? r->scratch.data : "", r->scratch.len) != 0)
            return NULL;
        text = r->text.data ? r->text.data : "";
        tlen = r->text.len;
    }
    char *n = psrp_name_new(text, tlen);
    if (!n || len > NAME_CACHE_MAX_LEN)
        return n;
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        psrp_name_unref(n);
        return NULL;
    }
    memcpy(copy, raw, len);
    if (e->name) {
        free(e->raw);
        psrp_name_unref(e->name);
    } else {
        r->names_filled[r->n_names++] = (uint8_t)slot;
    }
    e->raw = copy;
    e->raw_len = len;
    e->name = psrp_name_ref(n);
    return n;
}

/* ---- RefId tables -------------------------------------------------------- */

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static ref_slot *table_slot(ref_table *t, const char *key, uint64_t h)
{
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1))
        if (!t->slots[i].key || (t->slots[i].hash == h && strcmp(t->slots[i].key, key) == 0))
            return &t->slots[i];
}

static void *table_get(ref_table *t, const char *key)
{
    if (!t->n)
        return NULL;
    ref_slot *s = table_slot(t, key, str_hash(key));
    return s->key ? s->val : NULL;
}

/* Stores val under key (replacing an earlier entry); takes val. */
static int table_put(ref_table *t, const char *key, void *val)
{
    if ((t->n + 1) * 2 > t->cap) {
        ref_table old = *t;
        t->cap = old.cap ? old.cap * 2 : 16;
        t->slots = calloc(t->cap, sizeof(ref_slot));
        if (!t->slots) {
            *t = old;
            t->drop(val);
            return PSR_E_NOMEM;
        }
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                *table_slot(t, old.slots[i].key, old.slots[i].hash) = old.slots[i];
        free(old.slots);
    }
    uint64_t h = str_hash(key);
    ref_slot *s = table_slot(t, key, h);
    if (s->key) {
        t->drop(s->val);
        s->val = val;
        return 0;
    }
    if (!(s->key = strdup(key))) {
        t->drop(val);
        return PSR_E_NOMEM;
    }
    s->val = val;
    s->hash = h;
    t->n++;
    return 0;
}

static void table_clear(ref_table *t, int release)
{
    if (t->n) {
        for (size_t i = 0; i < t->cap; i++) {
            if (t->slots[i].key) {
                free(t->slots[i].key);
                t->drop(t->slots[i].val);
            }
        }
        memset(t->slots, 0, t->cap * sizeof(ref_slot));
        t->n = 0;
    }
    /* A big value may have grown the table: don't keep scanning it. */
    if (release || t->cap > 1024) {
        free(t->slots);
        t->slots = NULL;
        t->cap = 0;
    }
}

static void drop_types(void *t) { psrp_type_names_unref(t); }

/* The object table lets go of an object: its arena stops counting against
 * max_ref_bytes once no entry of the table is in it. */
static void drop_object(void *ctx, void *val)
{
    psrp_clixml_reader *r = ctx;
    psrp_value *v = val;
    psrp_arena *a = v->arena;
    if (a && --a->pins == 0 && a->pinned_bytes) {
        r->ref_bytes -= a->pinned_bytes;
        a->pinned_bytes = 0;
    }
    psrp_value_free(v);
}

int reader_objects_put(psrp_clixml_reader *r, const char *refid, size_t len, psrp_value *v)
{
    if (v->arena)
        v->arena->pins++;
    return lru_put(&r->objects, refid, len, psrp_value_ref(v), 0);
}

psrp_value *reader_objects_get(psrp_clixml_reader *r, const char *refid, size_t len)
{
    return lru_get(&r->objects, refid, len, NULL);
}

void reader_value_done(psrp_clixml_reader *r)
{
    psrp_arena *a = r->arena;
    /* From now on the arena's whole size counts as memory kept for later
     * <Ref>s, for as long as the table holds one of its objects. */
    if (a && a->pins && !a->pinned_bytes) {
        a->pinned_bytes = a->bytes;
        r->ref_bytes += a->bytes;
    }
    while ((r->objects.n > r->limits.max_ref_objects || r->ref_bytes > r->limits.max_ref_bytes) &&
           lru_drop_oldest(&r->objects))
        r->ref_dropped++;
    if (!a)
        return;
    if (a->live == 0) {
        psrp_arena_rewind(a); /* nothing of it is left: reuse its warm memory */
        return;
    }
    /* The caller or the table keeps values of it: they own it now. The next
     * arena starts at this one's size, so a stream of similar values gets
     * one block each. */
    r->arena_hint = psrp_arena_used(a);
    psrp_arena_release(a);
    r->arena = NULL;
}

int reader_types_put(psrp_clixml_reader *r, const char *refid, psrp_type_names *tn)
{
    if (r->types.n >= r->limits.max_type_names && !table_get(&r->types, refid)) {
        if (!r->failed) {
            psr_error_set(&r->err, PSR_E_LIMIT,
                          "CLIXML: more than max_type_names %zu distinct <TN> lists (at byte %" PRIu64 ")",
                          r->limits.max_type_names, psrp_clixml_reader_offset(r));
            r->failed = PSR_E_LIMIT;
        }
        xmlStopParser(r->ctxt);
        return PSR_E_LIMIT;
    }
    tn->refs++;
    if (table_put(&r->types, refid, tn) != 0) {
        if (!r->failed) {
            psr_error_set(&r->err, PSR_E_NOMEM, "CLIXML: out of memory");
            r->failed = PSR_E_NOMEM;
        }
        xmlStopParser(r->ctxt);
        return PSR_E_NOMEM;
    }
    return 0;
}

psrp_type_names *reader_types_get(psrp_clixml_reader *r, const char *refid)
{
    return table_get(&r->types, refid);
}

/* ---- push API ------------------------------------------------------------ */

/* What a document is read with: its limits (the defaults when NULL) and
 * where its values go. */
static void take_settings(psrp_clixml_reader *r, const psrp_clixml_limits *limits,
                          psrp_clixml_value_cb cb, void *ctx)
{
    if (limits)
        r->limits = *limits;
    else
        psrp_clixml_limits_default(&r->limits);
    if (r->limits.max_depth == 0)
        r->limits.max_depth = 256;
    r->cb = cb;
    r->cb_ctx = ctx;
}

psrp_clixml_reader *psrp_clixml_reader_new(const psrp_clixml_limits *limits, psrp_clixml_value_cb cb, void *ctx)
{
    psrp_clixml_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    take_settings(r, limits, cb, ctx);
    lru_init(&r->objects, drop_object, r);
    r->types.drop = drop_types;
    reader_sax_init(&r->sax);
    return r;
}

static void free_frames(psrp_clixml_reader *r)
{
    for (unsigned i = 0; i < r->cap_frames; i++) {
        psr_buf_free(&r->frames[i].refid);
        free(r->frames[i].coll);
    }
    free(r->frames);
    r->frames = NULL;
    r->cap_frames = r->frames_touched = 0;
}

static void drop_parser(psrp_clixml_reader *r)
{
    if (!r->ctxt)
        return;
    xmlFreeParserCtxt(r->ctxt);
    r->ctxt = NULL;
    memset(r->tag_cache, 0, sizeof(r->tag_cache));
}

void psrp_clixml_reader_free(psrp_clixml_reader *r)
{
    if (!r)
        return;
    while (r->depth)
        reader_pop(r);
    free_frames(r);
    psr_buf_free(&r->text);
    psr_buf_free(&r->scratch);
    psr_buf_free(&r->pending);
    lru_clear(&r->objects, 1);
    psrp_arena_release(r->arena);
    table_clear(&r->types, 1);
    for (unsigned i = 0; i < r->n_names; i++) {
        name_entry *e = &r->names[r->names_filled[i]];
        psrp_name_unref(e->name);
        free(e->raw);
    }
    drop_parser(r);
    free(r);
}

static void trim_buf(psr_buf *b)
{
    if (b->cap > KEEP_BUF)
        psr_buf_free(b);
}

void psrp_clixml_reader_reset(psrp_clixml_reader *r, const psrp_clixml_limits *limits, psrp_clixml_value_cb cb,
                              void *ctx)
{
    /* Per stream: open elements, RefIds and TNs, the value being built. */
    while (r->depth)
        reader_pop(r);
    if (r->objects.n || r->objects.index_cap > 4096)
        lru_clear(&r->objects, 0);
    table_clear(&r->types, 0);
    r->ref_bytes = 0;
    r->ref_dropped = 0;
    if (r->arena && r->arena->live == 0) {
        psrp_arena_rewind(r->arena);
    } else {
        psrp_arena_release(r->arena); /* the values the caller kept own it */
        r->arena = NULL;
    }
    r->arena_hint = 0;
    /* Memory, within bounds. */
    if (r->cap_frames > KEEP_FRAMES) {
        free_frames(r);
    } else {
        for (unsigned i = 0; i < r->frames_touched; i++) {
            frame *f = &r->frames[i];
            trim_buf(&f->refid);
            if (f->coll_cap > KEEP_BUF) {
                free(f->coll);
                f->coll = NULL;
                f->coll_cap = 0;
            }
        }
        r->frames_touched = 0;
    }
    trim_buf(&r->text);
    trim_buf(&r->scratch);
    if (r->pending.data)
        psr_buf_free(&r->pending);
    if (r->ctxt && r->mode != 0 && /* mode 0: nothing parsed since the context was kept */
        !(r->finished && !r->failed && r->mode == 2 && r->fed <= KEEP_PARSER_INPUT &&
          xmlDictSize(r->ctxt->dict) <= KEEP_DICT_NAMES && xmlDictGetUsage(r->ctxt->dict) <= KEEP_DICT_BYTES))
        drop_parser(r);
    take_settings(r, limits, cb, ctx);
    r->mode = r->wrapped = r->saw_root = r->in_value = 0;
    r->fed = 0;
    r->shift = 0;
    r->value_start = 0;
    r->count = 0;
    r->finished = 0;
    r->failed = 0;
    if (r->err.code != PSR_OK || r->err.message[0])
        psr_error_clear(&r->err);
}

uint64_t psrp_clixml_reader_count(const psrp_clixml_reader *r)
{
    return r->count;
}

static int reader_error(psrp_clixml_reader *r, psr_error *err)
{
    if (err)
        *err = r->err;
    return r->failed;
}

/* libxml2 is fastest with pieces that stay in cache; the object size limit
 * is checked between pieces, so it holds to within PIECE bytes. */
#define PIECE 16384

static int parse_chunk(psrp_clixml_reader *r, const char *data, size_t len, int terminate)
{
    while (!r->failed && reader_check_object_size(r) == 0) {
        int n = len > PIECE ? PIECE : (int)len;
        int rc = xmlParseChunk(r->ctxt, data, n, terminate && (size_t)n == len);
        if (rc != 0 && !r->failed) {
            psr_error_set(&r->err, PSR_E_PARSE, "CLIXML: malformed XML (libxml2 error %d) (at byte %" PRIu64 ")",
                          rc, psrp_clixml_reader_offset(r));
            r->failed = PSR_E_PARSE;
        }
        if (len == (size_t)n)
            break;
        data += n;
        len -= (size_t)n;
    }
    return r->failed;
}

/* Starts libxml2 once the first bytes tell a document (XML declaration, BOM,
 * or <Objs) from a bare sequence of values, which gets a synthetic root. */
static int start_parser(psrp_clixml_reader *r, const void *data, size_t n, int at_end)
{
    const unsigned char *p = (const unsigned char *)(data ? data : "");
    size_t skip = 0;
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        r->mode = 1; /* UTF-16 with BOM: a document (Windows PowerShell's Export-Clixml) */
    } else {
        if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
            skip = 3;
        while (skip < n && (p[skip] == ' ' || p[skip] == '\t' || p[skip] == '\n' || p[skip] == '\r'))
            skip++;
        size_t left = n - skip;
        const char *q = (const char *)p + skip;
        if (left < 6 && !at_end)
            return 0; /* not enough to decide */
        if ((left >= 5 && memcmp(q, "<?xml", 5) == 0) || (left >= 2 && memcmp(q, "<!", 2) == 0 && q[2] != '-') ||
            (left >= 6 && memcmp(q, "<Objs", 5) == 0 && strchr(" \t\r\n>/", q[5])))
            r->mode = 1;
        else
            r->mode = 2;
    }
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA;
    if (r->limits.max_string_bytes > 10000000 || r->limits.max_depth > 256)
        opts |= XML_PARSE_HUGE; /* our own limits apply instead of libxml2's */
    /* A bare sequence gets the synthetic "<Objs>" as the parser's first
     * bytes (given with the context, not parsed on their own). A context
     * kept by a reset serves such a sequence if the options are the same:
     * with "<Objs>" first there is no BOM or declaration to detect
     * (xmlCtxtResetPush of libxml2 2.9 would not detect an encoding
     * again). A document gets a new context. */
    const char *first = r->mode == 2 ? WRAP_OPEN : NULL;
    int first_len = r->mode == 2 ? (int)sizeof(WRAP_OPEN) - 1 : 0;
    if (r->ctxt &&
        (r->mode != 2 || r->ctxt_opts != opts || xmlCtxtResetPush(r->ctxt, first, first_len, NULL, NULL) != 0))
        drop_parser(r);
    if (!r->ctxt) {
        r->ctxt = xmlCreatePushParserCtxt(&r->sax, r, first, first_len, NULL);
        if (!r->ctxt) {
            psr_error_set(&r->err, PSR_E_NOMEM, "CLIXML: cannot create the XML parser");
            return r->failed = PSR_E_NOMEM;
        }
        xmlCtxtUseOptions(r->ctxt, opts);
        r->ctxt_opts = opts;
    }
    if (r->mode == 2) {
        r->wrapped = 1;
        r->shift = (int64_t)(sizeof(WRAP_OPEN) - 1) - (int64_t)skip;
        return parse_chunk(r, (const char *)p + skip, n - skip, 0);
    }
    return parse_chunk(r, (const char *)p, n, 0);
}

int psrp_clixml_reader_feed(psrp_clixml_reader *r, const void *data, size_t len, psr_error *err)
{
    if (r->failed)
        return reader_error(r, err);
    if (r->limits.max_total_bytes && r->fed + len > r->limits.max_total_bytes) {
        psr_error_set(&r->err, PSR_E_LIMIT,
                      "CLIXML: the stream is larger than max_total_bytes %" PRIu64 " (at byte %" PRIu64 ")",
                      r->limits.max_total_bytes, r->limits.max_total_bytes);
        r->failed = PSR_E_LIMIT;
        return reader_error(r, err);
    }
    r->fed += len;
    if (r->mode == 0) {
        /* The first bytes decide the mode: the caller's own when they are
         * enough (a whole message), else those gathered so far. */
        int had = r->pending.len != 0;
        if (!had && (start_parser(r, data, len, 0) != 0 || r->mode != 0))
            return reader_error(r, err);
        if (psr_buf_append(&r->pending, data, len) != 0) {
            psr_error_set(&r->err, PSR_E_NOMEM, "CLIXML: out of memory");
            r->failed = PSR_E_NOMEM;
        } else if (had && start_parser(r, r->pending.data, r->pending.len, 0) == 0 && r->mode != 0) {
            psr_buf_free(&r->pending);
        }
        return reader_error(r, err);
    }
    parse_chunk(r, data, len, 0);
    return reader_error(r, err);
}

int psrp_clixml_reader_finish(psrp_clixml_reader *r, psr_error *err)
{
    if (r->failed)
        return reader_error(r, err);
    if (r->mode == 0) {
        if (start_parser(r, r->pending.data, r->pending.len, 1) != 0)
            return reader_error(r, err);
        psr_buf_free(&r->pending);
    }
    if (r->depth > (unsigned)r->wrapped) {
        /* Say so before the synthetic close tag makes libxml2 complain
         * about a tag the input never had. */
        psr_error_set(&r->err, PSR_E_PARSE, "CLIXML: the input ends inside <%s> (at byte %" PRIu64 ")",
                      reader_tag_name(r->frames[r->depth - 1].tag), r->fed);
        r->failed = PSR_E_PARSE;
    } else if (r->wrapped) {
        parse_chunk(r, WRAP_CLOSE, sizeof(WRAP_CLOSE) - 1, 1);
    } else {
        parse_chunk(r, "", 0, 1);
    }
    if (!r->failed && r->depth) {
        psr_error_set(&r->err, PSR_E_PARSE, "CLIXML: the input ends inside <%s> (at byte %" PRIu64 ")",
                      reader_tag_name(r->frames[r->depth - 1].tag), r->fed);
        r->failed = PSR_E_PARSE;
    }
    r->finished = !r->failed;
    return reader_error(r, err);
}

/* ---- one complete value ---------------------------------------------------- */

typedef struct one_value {
    psrp_value *v;
    unsigned n;
} one_value;

static int keep_one(void *ctx, psrp_value *v, psr_error *err)
{
    one_value *o = ctx;
    if (++o->n > 1)
        return psr_error_set(err, PSR_E_PARSE, "CLIXML: more than one value where one was expected");
    o->v = psrp_value_ref(v);
    return 0;
}

int psrp_clixml_parse_with(psrp_clixml_reader *r, const char *xml, size_t len, const psrp_clixml_limits *limits,
                           psrp_value **out, psr_error *err)
{
    one_value o = { NULL, 0 };
    *out = NULL;
    psrp_clixml_reader *own = NULL;
    if (r)
        psrp_clixml_reader_reset(r, limits, keep_one, &o);
    else if (!(r = own = psrp_clixml_reader_new(limits, keep_one, &o)))
        return psr_error_set(err, PSR_E_NOMEM, "CLIXML: out of memory");
    /* The reader's error is copied once, not by each call. */
    int rc = psrp_clixml_reader_feed(r, xml, len, NULL);
    if (rc == 0)
        rc = psrp_clixml_reader_finish(r, NULL);
    if (rc != 0 && err)
        *err = r->err;
    else
        psr_error_clear(err);
    if (rc == 0 && r->saw_root && !r->wrapped)
        rc = psr_error_set(err, PSR_E_PARSE, "CLIXML: an <Objs> document where one value was expected");
    if (rc == 0 && o.n == 0)
        rc = psr_error_set(err, PSR_E_PARSE, "CLIXML: no value in the input");
    /* A reused reader lets go of the RefIds and TNs now, as a freed one
     * would: the value's reference counts are the caller's alone. */
    if (own)
        psrp_clixml_reader_free(own);
    else
        psrp_clixml_reader_reset(r, limits, NULL, NULL);
    if (rc != 0) {
        psrp_value_free(o.v);
        return rc;
    }
    *out = o.v;
    return 0;
}

int psrp_clixml_parse(const char *xml, size_t len, const psrp_clixml_limits *limits, psrp_value **out,
                      psr_error *err)
{
    return psrp_clixml_parse_with(NULL, xml, len, limits, out, err);
}

/* ---- pretty printer ----------------------------------------------------------- */

typedef struct pretty {
    psr_buf *out;
    psrp_clixml_writer *w;
} pretty;

static int pretty_one(void *ctx, psrp_value *v, psr_error *err)
{
    pretty *p = ctx;
    return psrp_clixml_writer_write(p->w, p->out, v, NULL, err);
}

int psrp_clixml_pretty(psr_buf *out, const char *xml, size_t len, psr_error *err)
{
    psr_buf body = { 0 };
    pretty p = { &body, psrp_clixml_writer_new(PSRP_CLIXML_INDENT) };
    psrp_clixml_reader *r = p.w ? psrp_clixml_reader_new(NULL, pretty_one, &p) : NULL;
    if (!r) {
        psrp_clixml_writer_free(p.w);
        return psr_error_set(err, PSR_E_NOMEM, "CLIXML: out of memory");
    }
    int rc = psrp_clixml_reader_feed(r, xml, len, err);
    if (rc == 0)
        rc = psrp_clixml_reader_finish(r, err);
    int doc = r->saw_root && !r->wrapped;
    psrp_clixml_reader_free(r);
    psrp_clixml_writer_free(p.w);
    if (rc == 0) {
        if (doc) {
            rc = psr_buf_puts(out, "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">");
            /* re-indent the body one level under <Objs> */
            for (size_t i = 0; rc == 0 && i < body.len; i++) {
                if (i == 0 || body.data[i - 1] == '\n')
                    rc = psr_buf_puts(out, i == 0 ? "\n  " : "  ");
                rc = rc ? rc : psr_buf_putc(out, body.data[i]);
            }
            rc = rc ? rc : psr_buf_puts(out, "\n</Objs>\n");
        } else {
            rc = psr_buf_append(out, body.data ? body.data : "", body.len);
            rc = rc ? rc : psr_buf_putc(out, '\n');
        }
        if (rc)
            rc = psr_error_set(err, PSR_E_NOMEM, "CLIXML: out of memory");
    }
    psr_buf_free(&body);
    return rc;
}
