/* test_clixml_json.c: the JSON view of CLIXML values (mapping documented
 * at the top of psrp/json.c). */
#include "psrp/json.h"
#include "test_clixml_util.h"

/* JSON text of the value parsed from xml (compact), caller frees. */
static char *json_of(const char *xml)
{
    psrp_value *v = parse_text(xml);
    psr_buf out = { 0 };
    psr_error err = { 0 };
    if (!v || psrp_value_to_json_text(&out, v, 0, &err) != 0) {
        fprintf(stderr, "json failed: %s\n", err.message);
        psrp_value_free(v);
        psr_buf_free(&out);
        return NULL;
    }
    psrp_value_free(v);
    return psr_buf_detach(&out, NULL);
}

#define EXPECT_JSON(xml, want)                     \
    do {                                           \
        char *got_ = json_of(xml);                 \
        CU_ASSERT_PTR_NOT_NULL_FATAL(got_);        \
        if (strcmp(got_, (want)) != 0)             \
            fprintf(stderr, "json: %s\n", got_);   \
        CU_ASSERT_STRING_EQUAL(got_, (want));      \
        free(got_);                                \
    } while (0)

static void test_scalars(void)
{
    EXPECT_JSON("<S>a_x000A_b</S>", "\"a\\nb\"");
    EXPECT_JSON("<Nil />", "null");
    EXPECT_JSON("<B>true</B>", "true");
    EXPECT_JSON("<I64>-9223372036854775808</I64>", "-9223372036854775808");
    EXPECT_JSON("<U64>9223372036854775807</U64>", "9223372036854775807");
    EXPECT_JSON("<U64>18446744073709551615</U64>", "\"18446744073709551615\"");
    EXPECT_JSON("<Db>0.5</Db>", "0.5");
    EXPECT_JSON("<Db>NaN</Db>", "\"NaN\"");
    EXPECT_JSON("<Sg>-INF</Sg>", "\"-Infinity\"");
    EXPECT_JSON("<D>79228162514264337593543950335</D>", "\"79228162514264337593543950335\"");
    EXPECT_JSON("<DT>2008-04-11T10:42:32.2731993-07:00</DT>", "\"2008-04-11T10:42:32.2731993-07:00\"");
    EXPECT_JSON("<TS>PT9.0269047S</TS>", "\"PT9.0269047S\"");
    EXPECT_JSON("<BA>AQIDBA==</BA>", "\"AQIDBA==\"");
    EXPECT_JSON("<C>97</C>", "\"a\"");
    EXPECT_JSON("<SS>AAEC</SS>", "{\"SecureString\": \"AAEC\"}");
    /* A lone surrogate cannot be JSON text: U+FFFD instead. */
    EXPECT_JSON("<S>x_xD800_y</S>", "\"x\xef\xbf\xbdy\"");
}

static void test_objects(void)
{
    EXPECT_JSON("<Obj RefId=\"0\"><TN RefId=\"0\"><T>System.ConsoleColor</T><T>System.Enum</T></TN>"
                "<ToString>Blue</ToString><I32>9</I32></Obj>",
                "{\"TypeNames\": [\"System.ConsoleColor\", \"System.Enum\"], \"ToString\": \"Blue\", \"Value\": 9}");
    EXPECT_JSON("<Obj><LST><I32>1</I32><S>two</S></LST></Obj>",
                "{\"Collection\": \"List\", \"Items\": [1, \"two\"]}");
    EXPECT_JSON("<Obj><DCT><En><I32 N=\"Key\">1</I32><S N=\"Value\">one</S></En></DCT></Obj>",
                "{\"Collection\": \"Dictionary\", \"Entries\": [{\"Key\": 1, \"Value\": \"one\"}]}");
    EXPECT_JSON("<Obj><Props><S N=\"Name\">a</S></Props><MS><I32 N=\"Extra\">2</I32><S N=\"Name\">b</S></MS></Obj>",
                "{\"Properties\": {\"Name\": \"b\", \"Extra\": 2}}");
    EXPECT_JSON("<Obj RefId=\"0\"><LST><Obj RefId=\"1\"><MS><B N=\"x\">false</B></MS></Obj><Ref RefId=\"1\" /></LST></Obj>",
                "{\"Collection\": \"List\", \"Items\": [{\"Properties\": {\"x\": false}}, {\"Properties\": {\"x\": false}}]}");
    EXPECT_JSON("<PR><AV>a</AV><AI>1</AI><Nil /><PI>-1</PI><PC>5</PC><T>Completed</T><SR>-1</SR><SD>d</SD></PR>",
                "{\"Activity\": \"a\", \"ActivityId\": 1, \"StatusDescription\": \"d\", \"CurrentOperation\": null, "
                "\"ParentActivityId\": -1, \"PercentComplete\": 5, \"SecondsRemaining\": -1, \"RecordType\": \"Completed\"}");
}

/* Shared objects expand on output; a budget stops an exponential blow-up. */
static void test_ref_expansion_budget(void)
{
    psr_buf doc = { 0 };
    psr_buf_puts(&doc, "<Obj RefId=\"x\"><LST><Obj RefId=\"0\"><MS><S N=\"leaf\">v</S></MS></Obj>");
    for (int i = 1; i <= 30; i++)
        psr_buf_printf(&doc, "<Obj RefId=\"%d\"><LST><Ref RefId=\"%d\" /><Ref RefId=\"%d\" /></LST></Obj>", i, i - 1,
                       i - 1);
    psr_buf_puts(&doc, "</LST></Obj>");
    psrp_value *v = parse_text(doc.data);
    psr_error err = { 0 };
    CU_ASSERT_PTR_NULL(psrp_value_to_json(v, &err));
    CU_ASSERT_EQUAL(err.code, PSR_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "more than 1000000 JSON nodes"));
    psrp_value_free(v);
    psr_buf_free(&doc);
}

static void test_indented(void)
{
    psrp_value *v = parse_text("<Obj><MS><S N=\"a\">b</S></MS></Obj>");
    psr_buf out = { 0 };
    CU_ASSERT_EQUAL(psrp_value_to_json_text(&out, v, 1, NULL), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "{\n  \"Properties\": {\n    \"a\": \"b\"\n  }\n}");
    psr_buf_free(&out);
    psrp_value_free(v);
}

static const psr_unit_test tests[] = {
    { "scalars", test_scalars },
    { "objects", test_objects },
    { "Ref expansion budget", test_ref_expansion_budget },
    { "indented", test_indented },
    { NULL, NULL },
};

PSR_UNIT_MAIN("clixml json", tests)
