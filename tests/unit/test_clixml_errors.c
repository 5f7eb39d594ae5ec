/* test_clixml_errors.c: malformed CLIXML and hostile input give clear
 * errors (what is wrong, and where), and limits hold. */
#include "test_clixml_util.h"

/* Parses xml expecting failure with code; the message must contain want. */
static void expect_error(const char *xml, size_t len, const psrp_clixml_limits *lim, int code, const char *want)
{
    psrp_value *v = NULL;
    psr_error err = { 0 };
    int rc = psrp_clixml_parse(xml, len, lim, &v, &err);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NULL(v);
    if (!strstr(err.message, want)) {
        fprintf(stderr, "error for %.60s: \"%s\", expected \"%s\"\n", xml, err.message, want);
        CU_FAIL("message does not say what is wrong");
    }
    psrp_value_free(v);
}

#define EXPECT(xml, code, want) expect_error((xml), strlen(xml), NULL, (code), (want))

static void test_unknown_element(void)
{
    EXPECT("<Obj RefId=\"0\"><MS><Foo N=\"x\">1</Foo></MS></Obj>", PSR_E_PARSE, "unknown element <Foo>");
}

static void test_misplaced_elements(void)
{
    EXPECT("<Obj><T>x</T></Obj>", PSR_E_PARSE, "element <T> is not allowed inside <Obj>");
    EXPECT("<S>a<B>true</B></S>", PSR_E_PARSE, "element <B> is not allowed inside <S>");
    EXPECT("<Obj><MS>loose text</MS></Obj>", PSR_E_PARSE, "text is not allowed inside <MS>");
    EXPECT("<Obj><MS><S>no name</S></MS></Obj>", PSR_E_PARSE, "has no N attribute");
    EXPECT("<Obj><I32>1</I32><S>2</S></Obj>", PSR_E_PARSE, "second value");
    EXPECT("<Obj><LST /><DCT /></Obj>", PSR_E_PARSE, "second collection");
    EXPECT("<Obj><DCT><En><S N=\"Key\">k</S></En></DCT></Obj>", PSR_E_PARSE, "without both a Key and a Value");
    EXPECT("<Obj><DCT><En><S N=\"Key\">k</S><S N=\"Key\">j</S></En></DCT></Obj>", PSR_E_PARSE, "want one Key");
    EXPECT("<Obj><TN><T>x</T></TN></Obj>", PSR_E_PARSE, "<TN> without RefId");
}

static void test_bad_numbers(void)
{
    EXPECT("<I32>12x</I32>", PSR_E_PARSE, "<I32> holds \"12x\", which is not an integer in range");
    EXPECT("<I32>2147483648</I32>", PSR_E_PARSE, "not an integer in range");
    EXPECT("<By>-1</By>", PSR_E_PARSE, "not an unsigned integer");
    EXPECT("<U64>18446744073709551616</U64>", PSR_E_PARSE, "<U64>");
    EXPECT("<C>65536</C>", PSR_E_PARSE, "<C>");
    EXPECT("<I64></I64>", PSR_E_PARSE, "<I64> holds \"\"");
    EXPECT("<Db>0x10</Db>", PSR_E_PARSE, "not a floating-point number");
    EXPECT("<Db>inf</Db>", PSR_E_PARSE, "not a floating-point number");
    EXPECT("<B>yes</B>", PSR_E_PARSE, "not a boolean");
    EXPECT("<BA>!!!!</BA>", PSR_E_PARSE, "not base64");
    EXPECT("<PR><AV>a</AV><AI>x</AI></PR>", PSR_E_PARSE, "<AI> in <PR> is not an Int32");
}

static void test_references(void)
{
    EXPECT("<Obj RefId=\"0\"><MS><Ref N=\"a\" RefId=\"7\" /></MS></Obj>", PSR_E_PARSE,
           "<Ref RefId=\"7\"> names no earlier object");
    /* A reference to an enclosing object would make a cycle. */
    EXPECT("<Obj RefId=\"0\"><MS><Ref N=\"self\" RefId=\"0\" /></MS></Obj>", PSR_E_PARSE,
           "refers to an enclosing object");
    EXPECT("<Obj RefId=\"0\"><TNRef RefId=\"3\" /></Obj>", PSR_E_PARSE, "<TNRef RefId=\"3\"> names no earlier <TN>");
    EXPECT("<Obj><MS><Ref N=\"a\" /></MS></Obj>", PSR_E_PARSE, "<Ref> without RefId");
}

/* Each level references the previous object twice: shared, so memory and
 * time stay linear (a copying deserializer would need 2^40 objects). */
static void test_reference_bomb_shares(void)
{
    psr_buf doc = { 0 };
    psr_buf_puts(&doc, "<Obj RefId=\"x\"><LST><Obj RefId=\"0\"><MS><S N=\"leaf\">v</S></MS></Obj>");
    for (int i = 1; i <= 40; i++)
        psr_buf_printf(&doc, "<Obj RefId=\"%d\"><LST><Ref RefId=\"%d\" /><Ref RefId=\"%d\" /></LST></Obj>", i, i - 1,
                       i - 1);
    psr_buf_puts(&doc, "</LST></Obj>");
    psrp_value *v = parse_text(doc.data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->u.obj.n_items, 41);
    psrp_value *top = v->u.obj.items[40];
    CU_ASSERT_PTR_EQUAL(top->u.obj.items[0], top->u.obj.items[1]);
    /* The serializer writes the sharing back as Ref, not as copies. */
    char *text = serialize(v);
    CU_ASSERT_TRUE(strlen(text) < 2 * doc.len);
    free(text);
    psrp_value_free(v);
    psr_buf_free(&doc);
}

static void test_unclosed_and_truncated(void)
{
    EXPECT("<Obj RefId=\"0\"><MS><S N=\"a\">x</S></MS>", PSR_E_PARSE, "the input ends inside <Obj>");
    EXPECT("<S>unclosed", PSR_E_PARSE, "the input ends inside <S>");
    EXPECT("<Obj><MS></Obj>", PSR_E_PARSE, "malformed XML");
    EXPECT("<S>a</S><S>b</S>", PSR_E_PARSE, "more than one value");
    EXPECT("", PSR_E_PARSE, "no value");
    EXPECT("   ", PSR_E_PARSE, "no value");
}

static void test_dtd_and_entities(void)
{
    EXPECT("<?xml version=\"1.0\"?><!DOCTYPE S [<!ENTITY big \"aaaaaaaa\">]><S>&big;</S>", PSR_E_PARSE,
           "document type declaration (DTD) is not allowed");
    EXPECT("<!DOCTYPE S SYSTEM \"http://127.0.0.1:1/x.dtd\"><S>x</S>", PSR_E_PARSE, "DTD");
    EXPECT("<S>&undefined;</S>", PSR_E_PARSE, "malformed XML");
    /* Character references and the five predefined entities are fine. */
    psrp_value *v = parse_text("<Obj><MS><S N=\"a&amp;b&#60;\">&lt;&#x41;&amp;</S></MS></Obj>");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v, "a&b<"), "<A&");
    psrp_value_free(v);
}

static void test_depth_limit(void)
{
    psr_buf doc = { 0 };
    for (int i = 0; i < 300; i++)
        psr_buf_puts(&doc, "<Obj><LST>");
    EXPECT(doc.data, PSR_E_LIMIT, "nested deeper than max_depth 256");
    psrp_clixml_limits lim;
    psrp_clixml_limits_default(&lim);
    lim.max_depth = 10;
    expect_error(doc.data, doc.len, &lim, PSR_E_LIMIT, "max_depth 10 (at <Obj>)");
    psr_buf_free(&doc);
}

static void test_size_limits(void)
{
    psrp_clixml_limits lim;
    psrp_clixml_limits_default(&lim);
    lim.max_string_bytes = 8;
    expect_error("<S>0123456789</S>", 17, &lim, PSR_E_LIMIT, "text of <S> longer than max_string_bytes 8");

    /* max_object_bytes holds per top-level value, to within 16 KiB. */
    psr_buf doc = { 0 };
    psr_buf_puts(&doc, "<Obj><LST>");
    while (doc.len < 200000)
        psr_buf_puts(&doc, "<I32>1</I32>");
    psr_buf_puts(&doc, "</LST></Obj>");
    psrp_clixml_limits_default(&lim);
    lim.max_object_bytes = 50000;
    expect_error(doc.data, doc.len, &lim, PSR_E_LIMIT, "larger than max_object_bytes 50000 (it began at byte");
    lim.max_object_bytes = 300000;
    psrp_value *v = NULL;
    psr_error err = { 0 };
    CU_ASSERT_EQUAL(psrp_clixml_parse(doc.data, doc.len, &lim, &v, &err), 0);
    psrp_value_free(v);
    lim.max_total_bytes = 1000;
    expect_error(doc.data, doc.len, &lim, PSR_E_LIMIT, "larger than max_total_bytes 1000");
    psr_buf_free(&doc);

    /* Many small values pass a per-value limit that their sum exceeds. */
    psrp_clixml_reader *r;
    psrp_clixml_limits_default(&lim);
    lim.max_object_bytes = 64;
    r = psrp_clixml_reader_new(&lim, NULL, NULL);
    for (int i = 0; i < 5000; i++)
        CU_ASSERT_EQUAL_FATAL(psrp_clixml_reader_feed(r, "<S>abc</S>", 10, &err), 0);
    CU_ASSERT_EQUAL(psrp_clixml_reader_finish(r, &err), 0);
    CU_ASSERT_EQUAL(psrp_clixml_reader_count(r), 5000);
    psrp_clixml_reader_free(r);
}

/* The offset in a message points at the problem in the caller's bytes. */
static void test_error_offset(void)
{
    psr_buf doc = { 0 };
    psr_buf_puts(&doc, "<Obj><LST>");
    for (int i = 0; i < 2000; i++)
        psr_buf_puts(&doc, "<I32>1</I32>");
    size_t bad = doc.len;
    psr_buf_puts(&doc, "<I32>oops</I32></LST></Obj>");
    psrp_value *v = NULL;
    psr_error err = { 0 };
    CU_ASSERT_EQUAL(psrp_clixml_parse(doc.data, doc.len, NULL, &v, &err), PSR_E_PARSE);
    const char *at = strstr(err.message, "(at byte ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    unsigned long off = strtoul(at + 9, NULL, 10);
    CU_ASSERT_TRUE(off >= bad && off <= bad + 16);
    psr_buf_free(&doc);
}

/* After an error the reader stays failed and says the same thing. */
static void test_reader_stays_failed(void)
{
    psr_error err = { 0 };
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, NULL, NULL);
    CU_ASSERT_EQUAL(psrp_clixml_reader_feed(r, "<Bad/>", 6, &err), PSR_E_PARSE);
    char first[sizeof(err.message)];
    strcpy(first, err.message);
    CU_ASSERT_EQUAL(psrp_clixml_reader_feed(r, "<S>x</S>", 8, &err), PSR_E_PARSE);
    CU_ASSERT_STRING_EQUAL(err.message, first);
    CU_ASSERT_EQUAL(psrp_clixml_reader_finish(r, &err), PSR_E_PARSE);
    psrp_clixml_reader_free(r);
}

static const psr_unit_test tests[] = {
    { "unknown element", test_unknown_element },
    { "misplaced elements", test_misplaced_elements },
    { "bad numbers", test_bad_numbers },
    { "references", test_references },
    { "reference bomb is shared", test_reference_bomb_shares },
    { "unclosed and truncated", test_unclosed_and_truncated },
    { "DTD and entities", test_dtd_and_entities },
    { "depth limit", test_depth_limit },
    { "size limits", test_size_limits },
    { "error offset", test_error_offset },
    { "reader stays failed", test_reader_stays_failed },
    { NULL, NULL },
};

PSR_UNIT_MAIN("clixml errors", tests)
