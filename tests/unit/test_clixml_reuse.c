/* test_clixml_reuse.c: one reader reset and reused for many documents
 * (psrp_clixml_reader_reset, psrp_clixml_parse_with) gives what a fresh
 * reader gives each time: the same values, the same errors with the same
 * byte offsets. Nothing of one document reaches the next (RefIds, TN
 * lists, open elements, counts, errors, limits), whatever order they come
 * in, and what the reader keeps between documents stays bounded however
 * hostile they are. */
#include "test_clixml_util.h"

#include "psrp/clixml.h"
#include "psrp/clixml_reader_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LIM_DEFAULT, LIM_SMALL, LIM_HUGE, LIM_DEPTH0 };

static const psrp_clixml_limits *limits_of(int kind)
{
    static psrp_clixml_limits small, huge, depth0;
    psrp_clixml_limits_default(&depth0);
    depth0.max_depth = 0; /* 0 means the default, 256 */
    psrp_clixml_limits_default(&small);
    small.max_depth = 4;
    small.max_object_bytes = 512;
    small.max_string_bytes = 8;
    small.max_type_names = 1;
    small.max_ref_objects = 1;
    small.max_ref_bytes = 4096;
    psrp_clixml_limits_default(&huge);
    huge.max_depth = 1000;                  /* libxml2's XML_PARSE_HUGE */
    huge.max_string_bytes = 20u << 20;
    return kind == LIM_SMALL ? &small : kind == LIM_HUGE ? &huge : kind == LIM_DEPTH0 ? &depth0 : NULL;
}

typedef struct doc {
    const char *xml;
    size_t len; /* 0: strlen */
    int lim;
} doc;

static size_t doc_len(const doc *d)
{
    return d->len ? d->len : strlen(d->xml);
}

/* Parses d with r and with a fresh reader; 1 when both give the same. */
static int same_as_fresh(psrp_clixml_reader *r, const doc *d)
{
    const psrp_clixml_limits *lim = limits_of(d->lim);
    psrp_value *a = NULL, *b = NULL;
    psr_error ea, eb;
    memset(&ea, 0x5A, sizeof(ea)); /* whatever the caller's error held */
    memset(&eb, 0x5A, sizeof(eb));
    int ra = psrp_clixml_parse(d->xml, doc_len(d), lim, &a, &ea);
    int rb = psrp_clixml_parse_with(r, d->xml, doc_len(d), lim, &b, &eb);
    int ok = ra == rb && (ra != 0 || values_equal(a, b)) && memcmp(&ea, &eb, sizeof(ea)) == 0;
    if (ok && ra == 0) { /* the same text, and the value is the caller's alone */
        char *ta = serialize(a), *tb = serialize(b);
        ok = ta && tb && strcmp(ta, tb) == 0 && b->refs == 1;
        free(ta);
        free(tb);
    }
    if (!ok)
        fprintf(stderr, "reused reader differs on %.80s: %d \"%s\" / %d \"%s\"\n", d->xml, ra, ra ? ea.message : "",
                rb, rb ? eb.message : "");
    psrp_value_free(a);
    psrp_value_free(b);
    return ok;
}

/* A UTF-16LE document with a BOM (how Windows PowerShell writes files). */
static char utf16_doc[64];
static size_t utf16_len;

static void make_utf16(void)
{
    const char *text = "<S>wide</S>";
    utf16_doc[0] = (char)0xFF;
    utf16_doc[1] = (char)0xFE;
    utf16_len = 2;
    for (const char *p = text; *p; p++) {
        utf16_doc[utf16_len++] = *p;
        utf16_doc[utf16_len++] = 0;
    }
}

static char big_doc[40000]; /* larger than max_object_bytes of LIM_SMALL, checked per 16 KiB */

static void make_big(void)
{
    size_t n = 0;
    n += (size_t)sprintf(big_doc + n, "<Obj RefId=\"0\"><LST>");
    while (n + 40 < sizeof(big_doc))
        n += (size_t)sprintf(big_doc + n, "<I32>1</I32>");
    sprintf(big_doc + n, "</LST></Obj>");
}

/* Documents that would come out differently if anything of an earlier
 * one leaked into them: a TNRef or a Ref to what only an earlier document
 * defined, RefIds defined again, nesting and limits that depend on the
 * depth, count or TN table being back at zero. */
static const doc docs[] = {
    {"<S>hello</S>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"0\"><TN RefId=\"0\"><T>Demo.Item</T><T>System.Object</T></TN><ToString>item</ToString>"
     "<MS><S N=\"Name\">a</S><Obj N=\"Child\" RefId=\"1\"><TNRef RefId=\"0\"/><MS><I32 N=\"N\">1</I32></MS></Obj>"
     "<Ref N=\"Again\" RefId=\"1\"/></MS></Obj>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"0\"><TNRef RefId=\"0\"/><MS><S N=\"Name\">b</S></MS></Obj>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"2\"><MS><Ref N=\"Old\" RefId=\"1\"/></MS></Obj>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"1\"><TN RefId=\"0\"><T>Other.Type</T></TN><MS><S N=\"Name\">c</S><Ref N=\"Me\" RefId=\"0\"/></MS>"
     "</Obj>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"0\"><MS><S N=\"a_x0020_b\">sp</S><S N=\"x&amp;y\">amp</S><S N=\"Name\">d</S></MS></Obj>", 0,
     LIM_DEFAULT},
    {"<Obj RefId=\"0\"><DCT><En><S N=\"Key\">k</S><Obj N=\"Value\" RefId=\"1\"><LST><S>1</S><Nil/></LST></Obj></En>"
     "</DCT></Obj>", 0, LIM_DEFAULT},
    {"<PR N=\"Record\"><AV>act</AV><AI>1</AI><Nil/><PI>-1</PI><PC>50</PC><T>Processing</T><SR>-1</SR><SD>s</SD></PR>",
     0, LIM_DEFAULT},
    {"\xEF\xBB\xBF<S>bom</S>", 0, LIM_DEFAULT},
    {"<?xml version=\"1.0\" encoding=\"utf-8\"?><I32>5</I32>", 0, LIM_DEFAULT},
    {"<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S>x</S></Objs>", 0,
     LIM_DEFAULT},
    {utf16_doc, 0, LIM_DEFAULT}, /* length set in the test */
    /* errors */
    {"<Obj RefId=\"0\"><MS><S N=\"Name\">open", 0, LIM_DEFAULT},
    {"<S>one</S><S>two</S>", 0, LIM_DEFAULT},
    {"<Bogus/>", 0, LIM_DEFAULT},
    {"<I32>seven</I32>", 0, LIM_DEFAULT},
    {"", 0, LIM_DEFAULT},
    {"  \n ", 0, LIM_DEFAULT},
    {"<S>a</S", 0, LIM_DEFAULT},
    {"<S>&nosuch;</S>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"0\"><MS><S>no name</S></MS></Obj>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"0\">text<MS/></Obj>", 0, LIM_DEFAULT},
    {"<!DOCTYPE S [<!ENTITY e \"x\">]><S>&e;</S>", 0, LIM_DEFAULT},
    {"<Obj RefId=\"0\"><MS><Obj N=\"a\" RefId=\"0\"><MS><Ref N=\"loop\" RefId=\"0\"/></MS></Obj></MS></Obj>", 0,
     LIM_DEFAULT},
    /* limits */
    {"<S>123456789</S>", 0, LIM_SMALL},
    {"<S>1234567</S>", 0, LIM_SMALL},
    {"<Obj RefId=\"0\"><MS><Obj N=\"a\" RefId=\"1\"><MS><Obj N=\"b\" RefId=\"2\"><MS><S N=\"c\">x</S></MS></Obj>"
     "</MS></Obj></MS></Obj>", 0, LIM_SMALL},
    {"<Obj RefId=\"0\"><MS><Obj N=\"a\" RefId=\"1\"><TN RefId=\"0\"><T>A</T></TN></Obj>"
     "<Obj N=\"b\" RefId=\"2\"><TN RefId=\"1\"><T>B</T></TN></Obj></MS></Obj>", 0, LIM_SMALL},
    {"<Obj RefId=\"0\"><MS><Obj N=\"a\" RefId=\"1\"><TN RefId=\"0\"><T>A</T></TN></Obj></MS></Obj>", 0, LIM_SMALL},
    {big_doc, 0, LIM_SMALL},
    {big_doc, 0, LIM_DEFAULT},
    {"<S>with huge limits</S>", 0, LIM_HUGE},
    {"<Obj RefId=\"0\"><MS><Obj N=\"a\" RefId=\"1\"><MS><Obj N=\"b\" RefId=\"2\"><MS><S N=\"c\">x</S></MS></Obj>"
     "</MS></Obj></MS></Obj>", 0, LIM_HUGE},
    {"<Obj RefId=\"0\"><MS><Obj N=\"a\" RefId=\"1\"><MS><Obj N=\"b\" RefId=\"2\"><MS><S N=\"c\">x</S></MS></Obj>"
     "</MS></Obj></MS></Obj>", 0, LIM_DEPTH0},
};
#define N_DOCS (sizeof(docs) / sizeof(docs[0]))

static void setup_docs(doc *d)
{
    make_utf16();
    make_big();
    memcpy(d, docs, sizeof(docs));
    for (size_t i = 0; i < N_DOCS; i++)
        if (d[i].xml == utf16_doc)
            d[i].len = utf16_len;
}

/* Every document after every other one (each ordered pair), then in
 * forward, backward and shuffled order, three rounds each. */
static void test_same_as_fresh(void)
{
    doc d[N_DOCS];
    setup_docs(d);
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    int bad = 0;
    for (size_t i = 0; i < N_DOCS; i++)
        for (size_t j = 0; j < N_DOCS; j++)
            bad += !same_as_fresh(r, &d[i]) + !same_as_fresh(r, &d[j]);
    unsigned seed = 12345;
    for (int round = 0; round < 9; round++) {
        for (size_t k = 0; k < N_DOCS; k++) {
            size_t i = round % 3 == 0 ? k : round % 3 == 1 ? N_DOCS - 1 - k : (seed = seed * 1103515245u + 12345u) % N_DOCS;
            bad += !same_as_fresh(r, &d[i]);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    psrp_clixml_reader_free(r);
}

/* The parser context is kept from one message to the next (the point of
 * reusing), and dropped after anything that could have left it unclean. */
static void test_context_kept_and_dropped(void)
{
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    psrp_value *v = NULL;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psrp_clixml_parse_with(r, "<S>a</S>", 8, NULL, &v, &err), 0);
    psrp_value_free(v);
    xmlParserCtxtPtr kept = r->ctxt;
    CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
    CU_ASSERT_EQUAL(r->objects.n, 0); /* nothing of the value is held */
    CU_ASSERT_EQUAL(psrp_clixml_parse_with(r, "<I32>2</I32>", 12, NULL, &v, &err), 0);
    CU_ASSERT(r->ctxt == kept);
    CU_ASSERT_EQUAL(v->u.i64, 2);
    psrp_value_free(v);
    /* A failure, a document (BOM and encoding detection) and other
     * libxml2 options each get a new context. */
    CU_ASSERT_NOT_EQUAL(psrp_clixml_parse_with(r, "<S>a</T>", 8, NULL, &v, &err), 0);
    CU_ASSERT_PTR_NULL(r->ctxt);
    CU_ASSERT_EQUAL(psrp_clixml_parse_with(r, "<S>b</S>", 8, NULL, &v, &err), 0);
    CU_ASSERT_STRING_EQUAL(v->u.str.ptr, "b");
    psrp_value_free(v);
    CU_ASSERT_PTR_NOT_NULL(r->ctxt);
    CU_ASSERT_EQUAL(psrp_clixml_parse_with(r, "<?xml version=\"1.0\"?><S>c</S>", 29, NULL, &v, &err), 0);
    psrp_value_free(v);
    CU_ASSERT_PTR_NULL(r->ctxt);
    CU_ASSERT_EQUAL(psrp_clixml_parse_with(r, "<S>d</S>", 8, NULL, &v, &err), 0);
    psrp_value_free(v);
    CU_ASSERT_PTR_NOT_NULL(r->ctxt); /* the defaults: libxml2's own size limits off */
    CU_ASSERT_EQUAL(r->ctxt_opts & XML_PARSE_HUGE, XML_PARSE_HUGE);
    CU_ASSERT_EQUAL(psrp_clixml_parse_with(r, "<S>e</S>", 8, limits_of(LIM_SMALL), &v, &err), 0);
    psrp_value_free(v);
    CU_ASSERT_PTR_NOT_NULL(r->ctxt);
    CU_ASSERT_EQUAL(r->ctxt_opts & XML_PARSE_HUGE, 0);
    CU_ASSERT_NOT_EQUAL(psrp_clixml_parse_with(r, "<S>123456789</S>", 16, limits_of(LIM_SMALL), &v, &err), 0);
    CU_ASSERT_EQUAL(err.code, PSR_E_LIMIT);
    CU_ASSERT_EQUAL(psrp_clixml_parse_with(r, "<S>123456789</S>", 16, NULL, &v, &err), 0);
    psrp_value_free(v);
    CU_ASSERT_EQUAL(r->ctxt_opts & XML_PARSE_HUGE, XML_PARSE_HUGE);
    psrp_clixml_reader_free(r);
}

/* ---- streams -------------------------------------------------------------- */

/* Every value a stream delivers, serialized one after another. */
static int transcribe(void *ctx, psrp_value *v, psr_error *err)
{
    psr_buf *t = ctx;
    return psrp_clixml_serialize(t, v, err) == 0 && psr_buf_putc(t, '\n') == 0 ? 0 : PSR_E_NOMEM;
}

typedef struct stream_result {
    int rc;
    psr_error err;
    uint64_t count;
    psr_buf text;
} stream_result;

static void run_stream(psrp_clixml_reader *r, const char *xml, size_t len, size_t chunk,
                       const psrp_clixml_limits *lim, stream_result *out)
{
    memset(out, 0, sizeof(*out));
    psrp_clixml_reader *own = r ? NULL : psrp_clixml_reader_new(lim, transcribe, &out->text);
    if (r)
        psrp_clixml_reader_reset(r, lim, transcribe, &out->text);
    else
        r = own;
    for (size_t at = 0; out->rc == 0 && at < len; at += chunk)
        out->rc = psrp_clixml_reader_feed(r, xml + at, len - at < chunk ? len - at : chunk, &out->err);
    if (out->rc == 0)
        out->rc = psrp_clixml_reader_finish(r, &out->err);
    out->count = psrp_clixml_reader_count(r);
    psrp_clixml_reader_free(own);
}

static int same_stream(psrp_clixml_reader *r, const char *xml, size_t len, size_t chunk, const psrp_clixml_limits *lim)
{
    stream_result a, b;
    run_stream(NULL, xml, len, chunk, lim, &a);
    run_stream(r, xml, len, chunk, lim, &b);
    int ok = a.rc == b.rc && a.count == b.count && memcmp(&a.err, &b.err, sizeof(a.err)) == 0 &&
             a.text.len == b.text.len && (a.text.len == 0 || memcmp(a.text.data, b.text.data, a.text.len) == 0);
    if (!ok)
        fprintf(stderr, "reused stream differs on %.60s (chunk %zu): %d %s / %d %s\n", xml, chunk, a.rc,
                a.err.message, b.rc, b.err.message);
    psr_buf_free(&a.text);
    psr_buf_free(&b.text);
    return ok;
}

/* Whole streams (an Export-Clixml document with <Ref>s across values, a
 * bare sequence, broken ones) through one reader in pieces of every size,
 * and a stream abandoned half way by a reset. */
static void test_streams(void)
{
    size_t doc_len = 0;
    char *export = psr_unit_read_fixture("clixml/objs_cross_value_ref.xml", &doc_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(export);
    static const char seq[] =
        "<Obj RefId=\"0\"><TN RefId=\"0\"><T>X</T></TN><MS><S N=\"n\">1</S></MS></Obj>"
        "<Obj RefId=\"1\"><TNRef RefId=\"0\"/><MS><Ref N=\"first\" RefId=\"0\"/></MS></Obj><Ref RefId=\"1\"/>";
    static const char bad[] = "<Obj RefId=\"0\"><MS><S N=\"n\">1</S></MS></Obj><Ref RefId=\"7\"/>";
    static const char refs_later[] = "<Obj RefId=\"5\"><TNRef RefId=\"0\"/></Obj>";
    struct { const char *xml; size_t len; } streams[] = {
        {export, doc_len}, {seq, sizeof(seq) - 1}, {bad, sizeof(bad) - 1}, {refs_later, sizeof(refs_later) - 1},
        {seq, sizeof(seq) - 1}, {export, doc_len},
    };
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    int bad_runs = 0;
    const size_t chunks[] = {1, 2, 7, 64, 100000};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
        for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++)
            for (int lim = LIM_DEFAULT; lim <= LIM_SMALL; lim++)
                bad_runs += !same_stream(r, streams[i].xml, streams[i].len, chunks[c], limits_of(lim));
    CU_ASSERT_EQUAL(bad_runs, 0);

    /* Abandoned half way: the next stream starts clean. */
    psr_buf sink = {0};
    psr_error err;
    psrp_clixml_reader_reset(r, NULL, transcribe, &sink);
    CU_ASSERT_EQUAL(psrp_clixml_reader_feed(r, seq, 90, &err), 0);
    CU_ASSERT(r->depth > 0);
    CU_ASSERT(same_stream(r, seq, sizeof(seq) - 1, 5, NULL));
    CU_ASSERT(same_stream(r, refs_later, sizeof(refs_later) - 1, 3, NULL));
    /* Abandoned before the first bytes decided what the input is. */
    psrp_clixml_reader_reset(r, NULL, transcribe, &sink);
    CU_ASSERT_EQUAL(psrp_clixml_reader_feed(r, "  <", 3, &err), 0);
    CU_ASSERT(same_stream(r, export, doc_len, 11, NULL));
    psr_buf_free(&sink);
    psrp_clixml_reader_free(r);
    free(export);
}

/* ---- bounds --------------------------------------------------------------- */

static int parse_ok(psrp_clixml_reader *r, const char *xml, size_t len)
{
    psrp_value *v = NULL;
    psr_error err;
    int rc = psrp_clixml_parse_with(r, xml, len, NULL, &v, &err);
    if (rc)
        fprintf(stderr, "parse failed: %s\n", err.message);
    psrp_value_free(v);
    return rc == 0;
}

/* A server that never repeats itself: every message with new attribute
 * and property names, long names, a huge string, a long list, deep
 * nesting, many RefIds. Between messages the reader holds no more than
 * its bounds, and its results stay right. */
static void test_bounded(void)
{
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    char xml[2048];
    int bad = 0;
    size_t most_dict = 0;
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(xml, sizeof(xml),
                         "<Obj RefId=\"0\" a%d=\"x\" b%d=\"y\"><MS><S N=\"p%d\">v</S><S N=\"%0300d\">long</S></MS></Obj>",
                         i, i, i, i);
        bad += !parse_ok(r, xml, (size_t)n);
        if (r->ctxt) {
            size_t names = (size_t)xmlDictSize(r->ctxt->dict);
            most_dict = names > most_dict ? names : most_dict;
            bad += xmlDictGetUsage(r->ctxt->dict) > KEEP_DICT_BYTES;
        }
        for (unsigned k = 0; k < r->n_names; k++)
            bad += r->names[r->names_filled[k]].raw_len > NAME_CACHE_MAX_LEN;
        bad += r->n_names > NAME_CACHE;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(most_dict > 100);             /* the context was kept a while... */
    CU_ASSERT(most_dict <= KEEP_DICT_NAMES); /* ...but never with more names */
    /* The long name, never cached, still reads right. */
    psrp_value *v = NULL;
    int n = snprintf(xml, sizeof(xml), "<Obj RefId=\"0\"><MS><S N=\"%0300d\">long</S></MS></Obj>", 7);
    CU_ASSERT_EQUAL_FATAL(psrp_clixml_parse_with(r, xml, (size_t)n, NULL, &v, NULL), 0);
    char name[301];
    snprintf(name, sizeof(name), "%0300d", 7);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v, name), "long");
    psrp_value_free(v);

    /* One huge string and RefId, a long list, deep nesting, many RefIds. */
    psr_buf big = {0};
    psr_buf_puts(&big, "<Obj RefId=\"");
    for (int i = 0; i < 100000; i++)
        psr_buf_putc(&big, '0' + i % 10);
    psr_buf_puts(&big, "\"><MS><I32 N=\"n\">1</I32></MS></Obj>");
    CU_ASSERT(parse_ok(r, big.data, big.len));
    for (unsigned i = 0; i < r->cap_frames; i++)
        CU_ASSERT(r->frames[i].refid.cap <= KEEP_BUF);
    psr_buf_reset(&big);
    psr_buf_puts(&big, "<S>");
    for (int i = 0; i < 200000; i++)
        psr_buf_putc(&big, 'a' + i % 26);
    psr_buf_puts(&big, "</S>");
    CU_ASSERT(parse_ok(r, big.data, big.len));
    CU_ASSERT(r->text.cap <= KEEP_BUF && r->scratch.cap <= KEEP_BUF);
    CU_ASSERT_PTR_NULL(r->ctxt); /* its tables grew with the input */
    psr_buf_reset(&big);
    psr_buf_puts(&big, "<Obj RefId=\"0\"><LST>");
    for (int i = 1; i <= 20000; i++) {
        char one[64];
        snprintf(one, sizeof(one), "<Obj RefId=\"%d\"><I32>1</I32></Obj>", i);
        psr_buf_puts(&big, one);
    }
    psr_buf_puts(&big, "</LST></Obj>");
    CU_ASSERT(parse_ok(r, big.data, big.len));
    for (unsigned i = 0; i < r->cap_frames; i++)
        CU_ASSERT(r->frames[i].coll_cap <= KEEP_BUF && r->frames[i].refid.cap <= KEEP_BUF);
    CU_ASSERT_EQUAL(r->objects.n, 0);
    CU_ASSERT(r->objects.index_cap <= 4096);
    /* The next small value gets a small arena, not one sized for the list. */
    CU_ASSERT_EQUAL_FATAL(psrp_clixml_parse_with(r, "<S>small</S>", 12, NULL, &v, NULL), 0);
    CU_ASSERT(!v->arena || v->arena->bytes <= 4096);
    psrp_value_free(v);
    psr_buf_reset(&big);
    for (int i = 0; i < 100; i++) /* 200 levels */
        psr_buf_puts(&big, "<Obj RefId=\"0\"><LST>");
    for (int i = 0; i < 100; i++)
        psr_buf_puts(&big, "</LST></Obj>");
    CU_ASSERT(parse_ok(r, big.data, big.len));
    CU_ASSERT(r->cap_frames <= KEEP_FRAMES);
    CU_ASSERT(parse_ok(r, "<S>after all that</S>", 21));
    psr_buf_free(&big);
    psrp_clixml_reader_free(r);
}

static const psr_unit_test tests[] = {
    {"a reused reader gives what a fresh one gives, in any order", test_same_as_fresh},
    {"the parser context is kept, and dropped when it must be", test_context_kept_and_dropped},
    {"streams through a reset reader, also abandoned ones", test_streams},
    {"what a reader keeps between documents stays bounded", test_bounded},
    {NULL, NULL},
};

PSR_UNIT_MAIN("clixml reuse", tests)
