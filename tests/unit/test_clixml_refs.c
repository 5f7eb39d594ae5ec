/* test_clixml_refs.c: the CLIXML reader's object sharing across a stream
 * (a <Ref> to an object of an earlier top-level value, as Export-Clixml
 * writes when objects share one instance), its limits, the writer's bound
 * on remembered objects, the map behind both checked against a model,
 * values that outlive the reader's arena, and an <Obj> directly inside an
 * <Obj> as JEA endpoints send it. */
#include "test_clixml_util.h"

#include "psrp/clixml.h"
#include "psrp/lru.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps a reference to every value the reader delivers. */
typedef struct kept {
    psrp_value *v[16];
    int n;
} kept;

static int keep(void *ctx, psrp_value *v, psr_error *err)
{
    (void)err;
    kept *k = ctx;
    if (k->n < 16)
        k->v[k->n++] = psrp_value_ref(v);
    return 0;
}

static void kept_free(kept *k)
{
    for (int i = 0; i < k->n; i++)
        psrp_value_free(k->v[i]);
    k->n = 0;
}

/* Reads a whole stream; the error (if any) in *err. */
static int read_stream(const char *xml, size_t len, const psrp_clixml_limits *lim, kept *k, psr_error *err)
{
    psrp_clixml_reader *r = psrp_clixml_reader_new(lim, keep, k);
    if (!r)
        return PSR_E_NOMEM;
    int rc = psrp_clixml_reader_feed(r, xml, len, err);
    if (rc == 0)
        rc = psrp_clixml_reader_finish(r, err);
    psrp_clixml_reader_free(r);
    return rc;
}

/* Export-Clixml of two files on one drive, then the first file again: the
 * second file's PSDrive and the third value are <Ref>s to objects of the
 * first value, and come out as those very objects. */
static void test_ref_to_earlier_value(void)
{
    size_t len = 0;
    char *doc = psr_unit_read_fixture("clixml/objs_cross_value_ref.xml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    kept k = { { 0 }, 0 };
    psr_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(read_stream(doc, len, NULL, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 3);
    psrp_value *drive = psrp_object_get(k.v[0], "PSDrive");
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(drive, "Root"), "C:\\");
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[1], "PSDrive"), drive);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(k.v[1], "Name"), "b.txt");
    CU_ASSERT_PTR_EQUAL(k.v[2], k.v[0]);
    kept_free(&k);
    free(doc);
}

/* The same stream fed one byte at a time, and the pretty printer keeps the
 * sharing: the second file names the drive and the third value names the
 * first file with <Ref>s of the printer's own numbering. */
static void test_ref_across_values_pretty(void)
{
    size_t len = 0;
    char *doc = psr_unit_read_fixture("clixml/objs_cross_value_ref.xml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    kept k = { { 0 }, 0 };
    psr_error err = { 0 };
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, keep, &k);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < len; i++)
        rc = psrp_clixml_reader_feed(r, doc + i, 1, &err);
    CU_ASSERT_EQUAL(rc ? rc : psrp_clixml_reader_finish(r, &err), 0);
    psrp_clixml_reader_free(r);
    CU_ASSERT_EQUAL(k.n, 3);
    kept_free(&k);

    psr_buf out = { 0 };
    CU_ASSERT_EQUAL_FATAL(psrp_clixml_pretty(&out, doc, len, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<Obj N=\"PSDrive\" RefId=\"1\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<Ref N=\"PSDrive\" RefId=\"1\" />"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "\n  <Ref RefId=\"0\" />\n</Objs>"));
    /* What the printer wrote reads back to the same sharing. */
    CU_ASSERT_EQUAL(read_stream(out.data, out.len, NULL, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 3);
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[1], "PSDrive"), psrp_object_get(k.v[0], "PSDrive"));
    CU_ASSERT_PTR_EQUAL(k.v[2], k.v[0]);
    kept_free(&k);
    psr_buf_free(&out);
    free(doc);
}

/* n top-level objects <Obj RefId="i"><S N="i">i</S></Obj>, then text. */
static void numbered_objects(psr_buf *b, int n)
{
    for (int i = 0; i < n; i++)
        psr_buf_printf(b, "<Obj RefId=\"%d\"><MS><I32 N=\"i\">%d</I32></MS></Obj>", i, i);
}

/* Only max_ref_objects objects of earlier values stay referable, the least
 * recently used going first; a Ref past them is a limit error that says so. */
static void test_ref_count_limit(void)
{
    psrp_clixml_limits lim;
    psrp_clixml_limits_default(&lim);
    lim.max_ref_objects = 2;
    psr_buf doc = { 0 };
    psr_error err = { 0 };
    kept k = { { 0 }, 0 };

    numbered_objects(&doc, 4);
    psr_buf_puts(&doc, "<Obj><MS><Ref N=\"r\" RefId=\"3\" /><Ref N=\"s\" RefId=\"2\" /></MS></Obj>");
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, &lim, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 5);
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[4], "r"), k.v[3]);
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[4], "s"), k.v[2]);
    kept_free(&k);

    psr_buf_reset(&doc);
    numbered_objects(&doc, 4);
    psr_buf_puts(&doc, "<Ref RefId=\"1\" />");
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, &lim, &k, &err), PSR_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "<Ref RefId=\"1\"> names no object still kept: 2 objects of "
                                               "earlier values were dropped to stay within max_ref_objects 2"));
    kept_free(&k);

    /* A Ref makes its object the most recently used: object 0, named by
     * every value, outlives objects 1 and 2. */
    psr_buf_reset(&doc);
    psr_buf_puts(&doc, "<Obj RefId=\"0\"><MS><S N=\"drive\">C</S></MS></Obj>");
    for (int i = 1; i <= 3; i++)
        psr_buf_printf(&doc, "<Obj RefId=\"%d\"><MS><Ref N=\"d\" RefId=\"0\" /></MS></Obj>", i);
    psr_buf_puts(&doc, "<Ref RefId=\"0\" />");
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, &lim, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 5);
    CU_ASSERT_PTR_EQUAL(k.v[4], k.v[0]);
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[3], "d"), k.v[0]);
    kept_free(&k);
    psr_buf_reset(&doc);
    psr_buf_puts(&doc, "<Obj RefId=\"0\" />");
    for (int i = 1; i <= 3; i++)
        psr_buf_printf(&doc, "<Obj RefId=\"%d\"><MS><Ref N=\"d\" RefId=\"0\" /></MS></Obj>", i);
    psr_buf_puts(&doc, "<Ref RefId=\"1\" />");
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, &lim, &k, &err), PSR_E_LIMIT);
    kept_free(&k);

    /* 0 keeps no object of an earlier value; inside one value Refs work
     * whatever the limit. */
    lim.max_ref_objects = 0;
    CU_ASSERT_EQUAL(read_stream("<Obj RefId=\"0\" /><Ref RefId=\"0\" />", 34, &lim, &k, &err), PSR_E_LIMIT);
    kept_free(&k);
    psr_buf_reset(&doc);
    psr_buf_puts(&doc, "<Obj RefId=\"9\"><MS>");
    for (int i = 0; i < 5; i++)
        psr_buf_printf(&doc, "<Obj N=\"o%d\" RefId=\"%d\" />", i, i);
    for (int i = 0; i < 5; i++)
        psr_buf_printf(&doc, "<Ref N=\"r%d\" RefId=\"%d\" />", i, i);
    psr_buf_puts(&doc, "</MS></Obj>");
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, &lim, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 1);
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[0], "r0"), psrp_object_get(k.v[0], "o0"));
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[0], "r4"), psrp_object_get(k.v[0], "o4"));
    kept_free(&k);
    psr_buf_free(&doc);
}

/* max_ref_bytes bounds the memory the kept objects hold (with the values
 * they belong to): a big value is dropped from the table as a whole. */
static void test_ref_bytes_limit(void)
{
    psrp_clixml_limits lim;
    psrp_clixml_limits_default(&lim);
    lim.max_ref_bytes = 64 * 1024;
    psr_buf doc = { 0 };
    psr_error err = { 0 };
    kept k = { { 0 }, 0 };
    psr_buf_puts(&doc, "<Obj RefId=\"0\"><MS><S N=\"big\">");
    for (int i = 0; i < 100000; i++)
        psr_buf_putc(&doc, 'x');
    psr_buf_puts(&doc, "</S></MS></Obj><Obj RefId=\"1\"><MS><S N=\"small\">y</S></MS></Obj>");
    size_t head = doc.len;
    psr_buf_puts(&doc, "<Ref RefId=\"1\" />");
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, &lim, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 3);
    CU_ASSERT_PTR_EQUAL(k.v[2], k.v[1]);
    kept_free(&k);
    doc.len = head;
    psr_buf_puts(&doc, "<Ref RefId=\"0\" />");
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, &lim, &k, &err), PSR_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "max_ref_bytes 65536"));
    kept_free(&k);
    psr_buf_free(&doc);
}

/* A RefId defined again replaces the earlier object, and an enclosing
 * object shadows an earlier one of the same RefId: naming it is a cycle. */
static void test_ref_redefined_and_cycles(void)
{
    kept k = { { 0 }, 0 };
    psr_error err = { 0 };
    const char *doc = "<Obj RefId=\"0\"><MS><S N=\"v\">old</S></MS></Obj>"
                      "<Obj RefId=\"0\"><MS><S N=\"v\">new</S></MS></Obj><Ref RefId=\"0\" />";
    CU_ASSERT_EQUAL(read_stream(doc, strlen(doc), NULL, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 3);
    CU_ASSERT_PTR_EQUAL(k.v[2], k.v[1]);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(k.v[2], "v"), "new");
    kept_free(&k);
    doc = "<Obj RefId=\"0\" /><Obj RefId=\"0\"><MS><Ref N=\"self\" RefId=\"0\" /></MS></Obj>";
    CU_ASSERT_EQUAL(read_stream(doc, strlen(doc), NULL, &k, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "refers to an enclosing object (a cycle)"));
    kept_free(&k);
}

/* The writer remembers at most PSRP_CLIXML_WRITER_SHARED shared objects:
 * past that the least recently used one is written in full again. */
static void test_writer_bound(void)
{
    psrp_clixml_writer *w = psrp_clixml_writer_new(0);
    psr_buf out = { 0 };
    psr_error err = { 0 };
    psrp_value *first = psrp_value_new_object(NULL);
    psrp_value *held = psrp_value_ref(first); /* shared: written as Ref the second time */
    CU_ASSERT_EQUAL(psrp_clixml_writer_write(w, &out, first, NULL, &err), 0);
    for (unsigned i = 0; i < PSRP_CLIXML_WRITER_SHARED; i++) {
        psrp_value *o = psrp_value_new_object(NULL);
        psrp_value *o2 = psrp_value_ref(o);
        CU_ASSERT_EQUAL(psrp_clixml_writer_write(w, &out, o, NULL, &err), 0);
        psrp_value_free(o2);
        psrp_value_free(o); /* the writer's reference keeps it */
    }
    psr_buf_reset(&out);
    CU_ASSERT_EQUAL(psrp_clixml_writer_write(w, &out, first, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "<Obj RefId=\"4097\"></Obj>");
    psr_buf_reset(&out);
    CU_ASSERT_EQUAL(psrp_clixml_writer_write(w, &out, first, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "<Ref RefId=\"4097\" />");
    psrp_clixml_writer_free(w);
    psrp_value_free(held);
    psrp_value_free(first);
    psr_buf_free(&out);
}

/* Values of the reader's arena outlive the reader, can be changed with
 * the value API (arrays grow inside the arena), and a child kept alone
 * outlives its parent. */
static void test_arena_values_outlive_reader(void)
{
    psrp_value *v = parse_text("<Obj RefId=\"0\"><ToString>t</ToString><MS><S N=\"a\">1</S>"
                               "<Obj N=\"list\" RefId=\"1\"><LST><I32>1</I32><I32>2</I32></LST></Obj>"
                               "<Obj N=\"map\" RefId=\"2\"><DCT><En><S N=\"Key\">k</S><I32 N=\"Value\">1</I32></En>"
                               "</DCT></Obj><BA N=\"b\">AQID</BA></MS></Obj>");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof(name), "x%d", i);
        CU_ASSERT_EQUAL(psrp_object_add(v, name, psrp_value_new_i32(i)), 0);
        CU_ASSERT_EQUAL(psrp_list_append(psrp_object_get(v, "list"), psrp_value_new_i32(i)), 0);
        CU_ASSERT_EQUAL(psrp_dict_add(psrp_object_get(v, "map"), psrp_value_new_string(name), psrp_value_new_nil()), 0);
    }
    CU_ASSERT_EQUAL(psrp_object_set_to_string(v, "changed"), 0);
    CU_ASSERT_STRING_EQUAL(v->u.obj.to_string, "changed");
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v, "a"), "1");
    int32_t n = 0;
    CU_ASSERT_EQUAL(psrp_value_get_i32(psrp_object_get(v, "x39"), &n), 0);
    CU_ASSERT_EQUAL(n, 39);
    psrp_value *list = psrp_value_ref(psrp_object_get(v, "list"));
    CU_ASSERT_EQUAL(list->u.obj.n_items, 42);
    CU_ASSERT_PTR_NOT_NULL(psrp_dict_get(psrp_object_get(v, "map"), "x39"));
    psrp_value *b = psrp_object_get(v, "b");
    CU_ASSERT_EQUAL(b->u.bytes.len, 3);
    CU_ASSERT_EQUAL(b->u.bytes.ptr[2], 3);
    char *text = serialize(v);
    CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "<I32 N=\"x39\">39</I32>"));
    free(text);
    psrp_value_free(v);
    CU_ASSERT_EQUAL(psrp_value_get_i32(list->u.obj.items[41], &n), 0);
    CU_ASSERT_EQUAL(n, 39);
    psrp_value_free(list);
}

/* Real JEA output (a WSMan: provider item): the outer object's own TN,
 * ToString and MS, the properties in an inner <Obj>. It reads as one
 * object with the outer's type names and ToString, the inner's adapted
 * properties and the outer's extended ones (no duplicates), and the inner
 * object's RefId names it alone. */
static void test_nested_obj_jea(void)
{
    char *text = NULL;
    psrp_value *v = parse_fixture("obj_nested_obj_jea.xml", &text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(v, 0), "Microsoft.WSMan.Management.WSManConfigLeafElement");
    CU_ASSERT_STRING_EQUAL(v->u.obj.to_string, "Microsoft.WSMan.Management.WSManConfigLeafElement");
    CU_ASSERT_EQUAL(v->u.obj.n_adapted, 4);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v, "Name"), "AllowUnencrypted");
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v, "Value"), "true");
    CU_ASSERT_EQUAL(v->u.obj.n_extended, 4);
    CU_ASSERT_STRING_EQUAL(v->u.obj.extended[2].name, "PSDrive");
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(psrp_object_get(v, "PSDrive"), "Name"), "WSMan");
    int b = 1;
    CU_ASSERT_EQUAL(psrp_value_get_bool(psrp_object_get(v, "PSIsContainer"), &b), 0);
    CU_ASSERT_EQUAL(b, 0);
    /* Written again it is one plain object; that reads back the same. */
    char *again = serialize(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(again);
    psrp_value *w = parse_text(again);
    CU_ASSERT(values_equal(v, w));
    psrp_value_free(w);
    free(again);
    psrp_value_free(v);

    /* The inner object by its RefId, from a later value of the stream. */
    psr_buf doc = { 0 };
    psr_buf_puts(&doc, text);
    psr_buf_puts(&doc, "<Ref RefId=\"1\" />");
    kept k = { { 0 }, 0 };
    psr_error err = { 0 };
    CU_ASSERT_EQUAL(read_stream(doc.data, doc.len, NULL, &k, &err), 0);
    CU_ASSERT_EQUAL_FATAL(k.n, 2);
    CU_ASSERT_PTR_NOT_EQUAL(k.v[1], k.v[0]);
    CU_ASSERT_EQUAL(k.v[1]->u.obj.n_extended, 4);
    CU_ASSERT_PTR_EQUAL(psrp_object_get(k.v[1], "PSDrive"), psrp_object_get(k.v[0], "PSDrive"));
    kept_free(&k);
    psr_buf_free(&doc);
    free(text);
}

/* Each rule of the merge on its own: the inner object's base, collection,
 * type names, ToString and members where the outer has none; the outer's
 * own where it has them. */
static void test_nested_obj_rules(void)
{
    psrp_value *v = parse_text("<Obj RefId=\"0\"><Obj RefId=\"1\"><TN RefId=\"0\"><T>Inner</T></TN>"
                               "<ToString>inner</ToString><I32>5</I32></Obj></Obj>");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    int32_t n = 0;
    CU_ASSERT_EQUAL(psrp_value_get_i32(v, &n), 0);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(v, 0), "Inner");
    CU_ASSERT_STRING_EQUAL(v->u.obj.to_string, "inner");
    psrp_value_free(v);

    /* The outer's TN (even after the inner object), ToString and Props win;
     * the inner's MS members the outer does not name (in any case) follow
     * the outer's. */
    v = parse_text("<Obj RefId=\"0\"><ToString>outer</ToString><Obj RefId=\"1\"><TN RefId=\"0\"><T>Inner</T></TN>"
                   "<ToString>inner</ToString><LST><S>a</S><S>b</S></LST><Props><S N=\"p\">inner</S></Props>"
                   "<MS><S N=\"Shared\">inner</S><S N=\"only\">inner</S></MS></Obj>"
                   "<TN RefId=\"1\"><T>Outer</T></TN><Props><S N=\"q\">outer</S></Props>"
                   "<MS><S N=\"shared\">outer</S></MS></Obj>");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(v, 0), "Outer");
    CU_ASSERT_STRING_EQUAL(v->u.obj.to_string, "outer");
    CU_ASSERT_EQUAL(v->u.obj.coll, PSRP_COLL_LIST);
    CU_ASSERT_EQUAL_FATAL(v->u.obj.n_items, 2);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(v->u.obj.items[1]), "b");
    CU_ASSERT_EQUAL(v->u.obj.n_adapted, 1);
    CU_ASSERT_PTR_NULL(psrp_object_get(v, "p"));
    CU_ASSERT_EQUAL_FATAL(v->u.obj.n_extended, 2);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v, "SHARED"), "outer");
    CU_ASSERT_STRING_EQUAL(v->u.obj.extended[1].name, "only");
    psrp_value_free(v);

    /* More outer members than a plain scan handles: the sorted lookup
     * drops exactly the named ones. */
    psr_buf doc = { 0 };
    psr_buf_puts(&doc, "<Obj RefId=\"0\"><Obj RefId=\"1\"><MS>");
    for (int i = 0; i < 40; i += 2)
        psr_buf_printf(&doc, "<I32 N=\"m%d\">%d</I32>", i, -i);
    psr_buf_puts(&doc, "</MS></Obj><MS>");
    for (int i = 0; i < 30; i++)
        psr_buf_printf(&doc, "<I32 N=\"M%d\">%d</I32>", i, i);
    psr_buf_puts(&doc, "</MS></Obj>");
    v = parse_text(doc.data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->u.obj.n_extended, 30 + 5); /* m30, m32 .. m38 */
    CU_ASSERT_EQUAL(psrp_value_get_i32(psrp_object_get(v, "m20"), &n), 0);
    CU_ASSERT_EQUAL(n, 20);
    CU_ASSERT_EQUAL(psrp_value_get_i32(psrp_object_get(v, "m38"), &n), 0);
    CU_ASSERT_EQUAL(n, -38);
    psrp_value_free(v);
    psr_buf_free(&doc);
}

/* Still refused as PowerShell refuses them: a second value next to the
 * inner object, and a <Ref> directly inside an <Obj>. */
static void test_nested_obj_errors(void)
{
    static const struct {
        const char *xml, *want;
    } bad[] = {
        { "<Obj><Obj /><I32>1</I32></Obj>", "<Obj> holds a second value <I32>" },
        { "<Obj><I32>1</I32><Obj /></Obj>", "<Obj> holds a second value <Obj>" },
        { "<Obj><Obj /><Obj /></Obj>", "<Obj> holds a second value <Obj>" },
        { "<Obj><Obj /><LST /></Obj>", "<Obj> holds a second collection or value <LST>" },
        { "<Obj RefId=\"0\"><Ref RefId=\"0\" /></Obj>", "element <Ref> is not allowed inside <Obj>" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        psrp_value *v = NULL;
        psr_error err = { 0 };
        CU_ASSERT_EQUAL(psrp_clixml_parse(bad[i].xml, strlen(bad[i].xml), NULL, &v, &err), PSR_E_PARSE);
        CU_ASSERT_PTR_NULL(v);
        if (!strstr(err.message, bad[i].want))
            fprintf(stderr, "%s: got \"%s\"\n", bad[i].xml, err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i].want));
    }
}

/* The RefId map against a plain model: random puts (new keys, existing
 * keys, keys longer than the inline room), lookups and drops of the least
 * recently used entry; every value is dropped exactly once. */
enum { MODEL_KEYS = 600 };
typedef struct model {
    int present[MODEL_KEYS];
    unsigned long used[MODEL_KEYS]; /* tick of the last put or get */
    int drops[MODEL_KEYS * 8];      /* values dropped, by value number */
    intptr_t last_dropped;
} model;

static void count_drop(void *ctx, void *val)
{
    model *m = ctx;
    m->drops[(intptr_t)val - 1]++;
    m->last_dropped = (intptr_t)val;
}

static void model_key(int k, char *buf, size_t *len)
{
    /* every seventh key is longer than LRU_INLINE_KEY */
    *len = (size_t)snprintf(buf, 64, k % 7 ? "%d" : "a-long-reference-id-number-%08d", k);
}

static void test_lru_model(void)
{
    static model m;
    memset(&m, 0, sizeof(m));
    lru l;
    lru_init(&l, count_drop, &m);
    int val_of[MODEL_KEYS] = { 0 }, next_val = 1, bad = 0;
    unsigned long tick = 0;
    uint64_t x = 88172645463325252u;
    for (int step = 0; step < 20000 && next_val < MODEL_KEYS * 8; step++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int k = (int)(x % MODEL_KEYS), op = (int)((x >> 20) % 8);
        char key[64];
        size_t klen;
        model_key(k, key, &klen);
        if (op < 4) {
            int v = next_val++;
            bad |= lru_put(&l, key, klen, (void *)(intptr_t)v, (uint64_t)k) != 0;
            val_of[k] = v;
            m.present[k] = 1;
            m.used[k] = ++tick;
        } else if (op < 7) {
            uint64_t aux = 0;
            void *got = lru_get(&l, key, klen, &aux);
            if (m.present[k]) {
                bad |= got != (void *)(intptr_t)val_of[k] || aux != (uint64_t)k;
                m.used[k] = ++tick;
            } else {
                bad |= got != NULL;
            }
        } else {
            int oldest = -1;
            for (int i = 0; i < MODEL_KEYS; i++)
                if (m.present[i] && (oldest < 0 || m.used[i] < m.used[oldest]))
                    oldest = i;
            m.last_dropped = 0;
            bad |= lru_drop_oldest(&l) != (oldest >= 0);
            bad |= m.last_dropped != (oldest < 0 ? 0 : val_of[oldest]);
            if (oldest >= 0)
                m.present[oldest] = 0;
        }
        uint32_t n = 0;
        for (int i = 0; i < MODEL_KEYS; i++)
            n += (uint32_t)m.present[i];
        bad |= l.n != n;
    }
    CU_ASSERT_EQUAL(bad, 0);
    lru_clear(&l, 1);
    /* Replaced values were dropped when replaced, the rest by the clear. */
    int dropped_wrong = 0;
    for (int v = 1; v < next_val; v++)
        dropped_wrong += m.drops[v - 1] != 1;
    CU_ASSERT_EQUAL(dropped_wrong, 0);
}

static const psr_unit_test tests[] = {
    { "Ref to an object of an earlier value", test_ref_to_earlier_value },
    { "Ref across values: bytewise and pretty", test_ref_across_values_pretty },
    { "max_ref_objects, least recently used first", test_ref_count_limit },
    { "max_ref_bytes", test_ref_bytes_limit },
    { "RefId redefined, cycles", test_ref_redefined_and_cycles },
    { "writer remembers a bounded number", test_writer_bound },
    { "RefId map against a model", test_lru_model },
    { "arena values outlive the reader", test_arena_values_outlive_reader },
    { "Obj inside Obj: JEA provider item", test_nested_obj_jea },
    { "Obj inside Obj: merge rules", test_nested_obj_rules },
    { "Obj inside Obj: still refused", test_nested_obj_errors },
    { NULL, NULL },
};

PSR_UNIT_MAIN("clixml refs", tests)
