/* test_clixml.c: CLIXML values, serializer and deserializer against the
 * serialization examples of MS-PSRP 2.2.5 (fixtures/clixml/) and edge
 * values of every type. Malformed input and limits: test_clixml_errors.c. */
#include "test_clixml_util.h"

#include <float.h>
#include <stdint.h>

/* MS-PSRP 2.2.5.1: each primitive example parses to the documented value
 * and serializes back to exactly the bytes the spec shows. */
typedef struct prim_case {
    const char *file;
    psrp_value_kind kind;
} prim_case;

static void test_spec_primitives_exact(void)
{
    static const prim_case cases[] = {
        { "prim_string.xml", PSRP_V_STRING },     { "prim_char.xml", PSRP_V_CHAR },
        { "prim_bool.xml", PSRP_V_BOOL },         { "prim_datetime.xml", PSRP_V_DATETIME },
        { "prim_timespan.xml", PSRP_V_TIMESPAN }, { "prim_ubyte.xml", PSRP_V_U8 },
        { "prim_sbyte.xml", PSRP_V_I8 },          { "prim_u16.xml", PSRP_V_U16 },
        { "prim_i16.xml", PSRP_V_I16 },           { "prim_u32.xml", PSRP_V_U32 },
        { "prim_i32.xml", PSRP_V_I32 },           { "prim_u64.xml", PSRP_V_U64 },
        { "prim_i64.xml", PSRP_V_I64 },           { "prim_float.xml", PSRP_V_FLOAT },
        { "prim_double.xml", PSRP_V_DOUBLE },     { "prim_decimal.xml", PSRP_V_DECIMAL },
        { "prim_bytes.xml", PSRP_V_BYTES },       { "prim_guid.xml", PSRP_V_GUID },
        { "prim_uri.xml", PSRP_V_URI },           { "prim_nil.xml", PSRP_V_NIL },
        { "prim_version.xml", PSRP_V_VERSION },   { "prim_xml.xml", PSRP_V_XML },
        { "prim_scriptblock.xml", PSRP_V_SCRIPTBLOCK },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = NULL;
        psrp_value *v = parse_fixture(cases[i].file, &text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_EQUAL(v->kind, cases[i].kind);
        char *again = serialize(v);
        CU_ASSERT_PTR_NOT_NULL_FATAL(again);
        if (strcmp(again, text) != 0)
            fprintf(stderr, "%s: wrote %s\n", cases[i].file, again);
        CU_ASSERT_STRING_EQUAL(again, text);
        free(again);
        free(text);
        psrp_value_free(v);
    }
}

static void test_spec_primitive_values(void)
{
    psrp_value *v = parse_fixture("prim_char.xml", NULL);
    CU_ASSERT_EQUAL(v->u.u64, 'a');
    psrp_value_free(v);
    v = parse_fixture("prim_u64.xml", NULL);
    CU_ASSERT_EQUAL(v->u.u64, UINT64_MAX);
    psrp_value_free(v);
    v = parse_fixture("prim_i64.xml", NULL);
    CU_ASSERT_EQUAL(v->u.i64, INT64_MIN);
    psrp_value_free(v);
    v = parse_fixture("prim_bytes.xml", NULL);
    CU_ASSERT_EQUAL(v->u.bytes.len, 4);
    CU_ASSERT_EQUAL(memcmp(v->u.bytes.ptr, "\x01\x02\x03\x04", 4), 0);
    psrp_value_free(v);
    v = parse_fixture("prim_xml.xml", NULL);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(v), "<item><name>laptop</name></item>");
    psrp_value_free(v);
    v = parse_fixture("prim_bool.xml", NULL);
    int b = 0;
    CU_ASSERT_EQUAL(psrp_value_get_bool(v, &b), 0);
    CU_ASSERT_EQUAL(b, 1);
    psrp_value_free(v);
    /* 2.2.5.3.2: "Order\nDetails" is encoded as Order_x000A_Details. */
    v = parse_fixture("string_encoded.xml", NULL);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(v), "Order\nDetails");
    psrp_value_free(v);
}

/* 2.2.5.2.4 (ToString, Props) */
static void test_spec_tostring_props(void)
{
    psrp_value *v = parse_fixture("obj_tostring.xml", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(v, 0), "System.Drawing.Point");
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(v, 2), "System.Object");
    CU_ASSERT_PTR_NULL(psrp_value_type_name(v, 3));
    CU_ASSERT_STRING_EQUAL(v->u.obj.to_string, "{X=12,Y=34}");
    int32_t x = 0, y = 0;
    int empty = 1;
    /* Property names match case-insensitively, as in PowerShell. */
    CU_ASSERT_EQUAL(psrp_value_get_i32(psrp_object_get(v, "x"), &x), 0);
    CU_ASSERT_EQUAL(psrp_value_get_i32(psrp_object_get(v, "Y"), &y), 0);
    CU_ASSERT_EQUAL(psrp_value_get_bool(psrp_object_get(v, "ISEMPTY"), &empty), 0);
    CU_ASSERT_EQUAL(x, 12);
    CU_ASSERT_EQUAL(y, 34);
    CU_ASSERT_EQUAL(empty, 0);
    CU_ASSERT_PTR_NULL(psrp_object_get(v, "Z"));
    CU_ASSERT_TRUE(round_trips(v));
    psrp_value_free(v);
}

/* 2.2.5.2.5: a string with a note property. */
static void test_spec_extended_primitive(void)
{
    psrp_value *v = parse_fixture("obj_extended_primitive.xml", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->kind, PSRP_V_OBJECT);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(v->u.obj.base), "This is a string");
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v, "Note1"), "My note");
    CU_ASSERT_TRUE(round_trips(v));
    psrp_value_free(v);
}

/* 2.2.5.2.3: the second object names its types with TNRef; both share one list. */
static void test_spec_type_names(void)
{
    psrp_value *v = parse_fixture("obj_typenames.xml", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(v->u.obj.n_items, 2);
    psrp_value *a = v->u.obj.items[0], *b = v->u.obj.items[1];
    CU_ASSERT_PTR_EQUAL(a->u.obj.types, b->u.obj.types);
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(b, 0), "System.Drawing.Point");
    CU_ASSERT_STRING_EQUAL(b->u.obj.to_string, "{X=30,Y=40}");
    /* Re-serialized, the list is written once and referenced after. */
    char *text = serialize(v);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<TN RefId=\"0\"><T>System.Drawing.Point</T>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<TNRef RefId=\"0\" />"));
    CU_ASSERT_PTR_NULL(strstr(text, "<TN RefId=\"1\""));
    free(text);
    CU_ASSERT_TRUE(round_trips(v));
    psrp_value_free(v);
}

/* 2.2.5.2.6: stack, queue, list and dictionary. */
static void test_spec_containers(void)
{
    psrp_value *v = parse_fixture("obj_stack.xml", NULL);
    CU_ASSERT_EQUAL(v->u.obj.coll, PSRP_COLL_STACK);
    CU_ASSERT_EQUAL(v->u.obj.n_items, 2);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(v->u.obj.items[0]), "World");
    CU_ASSERT_TRUE(round_trips(v));
    psrp_value_free(v);

    v = parse_fixture("obj_queue.xml", NULL);
    CU_ASSERT_EQUAL(v->u.obj.coll, PSRP_COLL_QUEUE);
    CU_ASSERT_EQUAL(v->u.obj.n_items, 3);
    CU_ASSERT_TRUE(round_trips(v));
    psrp_value_free(v);

    v = parse_fixture("obj_list.xml", NULL);
    CU_ASSERT_EQUAL(v->u.obj.coll, PSRP_COLL_LIST);
    int64_t n = 0;
    CU_ASSERT_EQUAL(psrp_value_get_i64(v->u.obj.items[2], &n), 0);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_TRUE(psrp_value_is_type(v, "System.Object[]"));
    CU_ASSERT_TRUE(round_trips(v));
    psrp_value_free(v);

    v = parse_fixture("obj_dictionary.xml", NULL);
    CU_ASSERT_EQUAL(v->u.obj.coll, PSRP_COLL_DICT);
    CU_ASSERT_EQUAL(v->u.obj.n_entries, 1);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(psrp_dict_get(v, "SAMPLE KEY")), "sample value");
    CU_ASSERT_PTR_NULL(psrp_dict_get(v, "other"));
    CU_ASSERT_TRUE(round_trips(v));
    psrp_value_free(v);
}

/* Enums: type name, System.Enum..., ToString and the I32. */
static void test_spec_enum(void)
{
    psrp_value *v = parse_fixture("obj_enum.xml", NULL);
    int32_t n = 0;
    CU_ASSERT_EQUAL(psrp_value_get_i32(v, &n), 0);
    CU_ASSERT_EQUAL(n, 9);
    CU_ASSERT_STRING_EQUAL(v->u.obj.to_string, "Blue");
    CU_ASSERT_TRUE(psrp_value_is_type(v, "System.ConsoleColor"));
    CU_ASSERT_TRUE(psrp_value_is_type(v, "Deserialized.System.ConsoleColor"));
    CU_ASSERT_FALSE(psrp_value_is_type(v, "System.String"));
    /* The builder makes the same thing. */
    psrp_value *built = psrp_value_new_enum("System.ConsoleColor", "Blue", 9);
    CU_ASSERT_TRUE(values_equal(v, built));
    psrp_value_free(built);
    psrp_value_free(v);
}

/* Ref shares the earlier object: same pointer, no copy. */
static void test_spec_ref(void)
{
    psrp_value *v = parse_fixture("obj_ref.xml", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(v->u.obj.n_items, 2);
    CU_ASSERT_PTR_EQUAL(v->u.obj.items[0], v->u.obj.items[1]);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(v->u.obj.items[1], "name"), "shared");
    char *text = serialize(v);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<Obj RefId=\"1\"><MS><S N=\"Name\">shared</S></MS></Obj><Ref RefId=\"1\" />"));
    free(text);
    psrp_value_free(v);
}

static void test_session_capability_exact(void)
{
    char *expected = NULL;
    psrp_value *parsed = parse_fixture("session_capability.xml", &expected);
    psrp_value *cap = psrp_value_new_object(NULL);
    int rc = psrp_object_add(cap, "protocolversion", psrp_value_new_version("2.3"));
    rc |= psrp_object_add(cap, "PSVersion", psrp_value_new_version("2.0"));
    rc |= psrp_object_add(cap, "SerializationVersion", psrp_value_new_version("1.1.0.1"));
    CU_ASSERT_EQUAL(rc, 0);
    char *text = serialize(cap);
    CU_ASSERT_STRING_EQUAL(text, expected);
    CU_ASSERT_TRUE(values_equal(cap, parsed));
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(parsed, "PROTOCOLVERSION"), "2.3");
    free(text);
    free(expected);
    psrp_value_free(cap);
    psrp_value_free(parsed);
}

/* A CREATE_PIPELINE-shaped message: nested objects with type names, a
 * list, enums and Nil; then read back by (case-insensitive) name. */
static void test_build_nested_pipeline(void)
{
    static const char *const ps_types[] = { "System.Management.Automation.PowerShell", "System.Object", NULL };
    static const char *const list_types[] = { "System.Collections.Generic.List`1[[System.Management.Automation.PSObject, System.Management.Automation]]",
                                              "System.Object", NULL };
    psrp_value *msg = psrp_value_new_object(NULL);
    psrp_value *ps = psrp_value_new_object(ps_types);
    psrp_value *cmds = psrp_value_new_collection(PSRP_COLL_LIST, list_types);
    psrp_value *cmd = psrp_value_new_object(NULL);
    int rc = psrp_object_add(cmd, "Cmd", psrp_value_new_string("Get-Process"));
    rc |= psrp_object_add(cmd, "IsScript", psrp_value_new_bool(0));
    rc |= psrp_object_add(cmd, "UseLocalScope", psrp_value_new_nil());
    rc |= psrp_object_add(cmd, "MergeMyResult",
                          psrp_value_new_enum("System.Management.Automation.Runspaces.PipelineResultTypes", "None", 0));
    rc |= psrp_object_add(cmd, "Args", psrp_value_new_collection(PSRP_COLL_LIST, list_types));
    rc |= psrp_list_append(cmds, cmd);
    rc |= psrp_object_add(ps, "Cmds", cmds);
    rc |= psrp_object_add(ps, "IsNested", psrp_value_new_bool(0));
    rc |= psrp_object_add(msg, "NoInput", psrp_value_new_bool(1));
    rc |= psrp_object_add(msg, "ApartmentState",
                          psrp_value_new_enum("System.Threading.ApartmentState", "Unknown", 2));
    rc |= psrp_object_add(msg, "PowerShell", ps);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    char *text = serialize(msg);
    /* The enum's TN with its System.Enum chain is written once; the second
     * List`1 list is a TNRef. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<T>System.Enum</T><T>System.ValueType</T><T>System.Object</T>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<Nil N=\"UseLocalScope\" />"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<Obj N=\"Args\" RefId=\"6\"><TNRef RefId=\"2\" /><LST></LST></Obj>"));
    psrp_value *back = parse_text(text);
    CU_ASSERT_TRUE(values_equal(msg, back));
    psrp_value *p = psrp_object_get(back, "powershell");
    psrp_value *c = psrp_object_get(p, "cmds")->u.obj.items[0];
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(c, "CMD"), "Get-Process");
    CU_ASSERT_TRUE(psrp_value_is_nil(psrp_object_get(c, "uselocalscope")));
    int32_t n = -1;
    CU_ASSERT_EQUAL(psrp_value_get_i32(psrp_object_get(back, "apartmentstate"), &n), 0);
    CU_ASSERT_EQUAL(n, 2);
    free(text);
    psrp_value_free(back);
    psrp_value_free(msg);
}

/* Every type with edge values survives serialize + parse. */
static void test_round_trip_edges(void)
{
    psrp_value *o = psrp_value_new_object(NULL);
    int rc = 0;
    rc |= psrp_object_add(o, "empty", psrp_value_new_string(""));
    rc |= psrp_object_add(o, "controls", psrp_value_new_stringn("\x00\x01\t\n\r\x1f\x7f end", 11));
    rc |= psrp_object_add(o, "escape-like", psrp_value_new_string("_x0041_ and _X and _x"));
    rc |= psrp_object_add(o, "xml", psrp_value_new_string("<a href=\"x\">&amp;</a> '"));
    rc |= psrp_object_add(o, "c1", psrp_value_new_string("\xc2\x85 next line"));
    rc |= psrp_object_add(o, "pair", psrp_value_new_string("smile \xf0\x9f\x98\x80!"));
    rc |= psrp_object_add(o, "lone high", psrp_value_new_string("a\xed\xa0\x80z"));
    rc |= psrp_object_add(o, "lone low", psrp_value_new_string("\xed\xb0\x80"));
    rc |= psrp_object_add(o, "nonchar", psrp_value_new_string("\xef\xbf\xbe"));
    rc |= psrp_object_add(o, "name with _x0020_ and \x01", psrp_value_new_i32(1));
    rc |= psrp_object_add(o, "i8min", psrp_value_new_int(PSRP_V_I8, INT8_MIN));
    rc |= psrp_object_add(o, "i8max", psrp_value_new_int(PSRP_V_I8, INT8_MAX));
    rc |= psrp_object_add(o, "u8max", psrp_value_new_uint(PSRP_V_U8, UINT8_MAX));
    rc |= psrp_object_add(o, "i16min", psrp_value_new_int(PSRP_V_I16, INT16_MIN));
    rc |= psrp_object_add(o, "u16max", psrp_value_new_uint(PSRP_V_U16, UINT16_MAX));
    rc |= psrp_object_add(o, "i32min", psrp_value_new_i32(INT32_MIN));
    rc |= psrp_object_add(o, "i32max", psrp_value_new_i32(INT32_MAX));
    rc |= psrp_object_add(o, "u32max", psrp_value_new_u32(UINT32_MAX));
    rc |= psrp_object_add(o, "i64min", psrp_value_new_i64(INT64_MIN));
    rc |= psrp_object_add(o, "i64max", psrp_value_new_i64(INT64_MAX));
    rc |= psrp_object_add(o, "u64max", psrp_value_new_u64(UINT64_MAX));
    rc |= psrp_object_add(o, "char0", psrp_value_new_char(0));
    rc |= psrp_object_add(o, "charmax", psrp_value_new_char(0xFFFF));
    rc |= psrp_object_add(o, "nan", psrp_value_new_double(NAN));
    rc |= psrp_object_add(o, "inf", psrp_value_new_double(INFINITY));
    rc |= psrp_object_add(o, "-inf", psrp_value_new_double(-INFINITY));
    rc |= psrp_object_add(o, "dblmax", psrp_value_new_double(DBL_MAX));
    rc |= psrp_object_add(o, "dblmin", psrp_value_new_double(DBL_MIN));
    rc |= psrp_object_add(o, "tenth", psrp_value_new_double(0.1));
    rc |= psrp_object_add(o, "negzero", psrp_value_new_double(-0.0));
    rc |= psrp_object_add(o, "fltmax", psrp_value_new_float(FLT_MAX));
    rc |= psrp_object_add(o, "fltnan", psrp_value_new_float(NAN));
    rc |= psrp_object_add(o, "fltinf", psrp_value_new_float(-INFINITY));
    rc |= psrp_object_add(o, "decimal", psrp_value_new_text(PSRP_V_DECIMAL, "79228162514264337593543950335", 29));
    rc |= psrp_object_add(o, "bytes", psrp_value_new_bytes("\0\xff\0", 3));
    rc |= psrp_object_add(o, "nobytes", psrp_value_new_bytes(NULL, 0));
    rc |= psrp_object_add(o, "dt", psrp_value_new_text(PSRP_V_DATETIME, "2008-04-11T10:42:32.2731993-07:00", 33));
    rc |= psrp_object_add(o, "ts", psrp_value_new_text(PSRP_V_TIMESPAN, "-P10675199DT2H48M5.4775808S", 27));
    rc |= psrp_object_add(o, "guid", psrp_value_new_guid("00000000-0000-0000-0000-000000000000"));
    rc |= psrp_object_add(o, "uri", psrp_value_new_text(PSRP_V_URI, "http://h/?a=1&b=_x", 18));
    rc |= psrp_object_add(o, "sbk", psrp_value_new_text(PSRP_V_SCRIPTBLOCK, "{ $a -lt 1 }\r\n", 14));
    rc |= psrp_object_add(o, "ss", psrp_value_new_text(PSRP_V_SECURESTRING, "AAECAw==", 8));
    rc |= psrp_object_add(o, "xd", psrp_value_new_text(PSRP_V_XML, "<a/>", 4));
    rc |= psrp_object_add(o, "false", psrp_value_new_bool(0));
    rc |= psrp_object_add_adapted(o, "adapted", psrp_value_new_nil());
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_TRUE(round_trips(o));
    char *text = serialize(o);
    /* What PowerShell writes for these (2.2.5.3.2, XmlConvert). */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<S N=\"empty\" />"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ">_x0000__x0001__x0009__x000A__x000D__x001F__x007F_ end</S>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ">_x005F_x0041_ and _x005F_X and _x005F_x</S>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ">_x0085_ next line</S>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ">smile _xD83D__xDE00_!</S>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ">a_xD800_z</S>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "N=\"name with _x005F_x0020_ and _x0001_\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<Db N=\"nan\">NaN</Db><Db N=\"inf\">INF</Db><Db N=\"-inf\">-INF</Db>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<Db N=\"dblmax\">1.7976931348623157E+308</Db>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<Db N=\"tenth\">0.1</Db>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<U64 N=\"u64max\">18446744073709551615</U64>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<BA N=\"bytes\">AP8A</BA>"));
    free(text);
    /* The pair decodes to one code point; the lone surrogate stays. */
    psrp_value *pair = parse_text("<S>_xD83D__xDE00_ _xd800_</S>");
    CU_ASSERT_STRING_EQUAL(psrp_value_text(pair), "\xf0\x9f\x98\x80 \xed\xa0\x80");
    psrp_value_free(pair);
    psrp_value_free(o);
}

/* How PowerShell spells numbers and booleans it writes, and what XML
 * Schema allows around them. */
static void test_number_spellings(void)
{
    static const char *const ok[] = { "<Db>INF</Db>", "<Db>-INF</Db>", "<Db>NaN</Db>", "<Db>1E+20</Db>",
                                      "<Db>-1.5e-7</Db>", "<Sg>3.402823E+38</Sg>", "<I32> 42 </I32>",
                                      "<I32>+7</I32>", "<B>false</B>", "<B>1</B>", "<B> true </B>",
                                      "<U64>0</U64>", NULL };
    for (int i = 0; ok[i]; i++) {
        psrp_value *v = parse_text(ok[i]);
        CU_ASSERT_PTR_NOT_NULL(v);
        psrp_value_free(v);
    }
    psrp_value *v = parse_text("<Db>1E+20</Db>");
    CU_ASSERT_EQUAL(v->u.f64, 1e20);
    psrp_value_free(v);
    v = parse_text("<Sg>-INF</Sg>");
    CU_ASSERT_TRUE(isinf(v->u.f64) && v->u.f64 < 0);
    psrp_value_free(v);
}

/* Doubles the reader computes itself (short decimals, the common case) are
 * the very doubles libc's strtod gives, bit for bit, for decimals of every
 * shape: signs, leading and trailing zeros, dots anywhere, exponents, more
 * digits than a double holds. The strtod results are the reference. */
typedef struct double_check {
    char (*texts)[40];
    size_t n, seen, wrong;
} double_check;

static int check_double(void *ctx, psrp_value *v, psr_error *err)
{
    (void)err;
    double_check *c = ctx;
    double want = strtod(c->texts[c->seen++], NULL);
    if (v->kind != PSRP_V_DOUBLE || memcmp(&v->u.f64, &want, sizeof(want)) != 0) {
        if (c->wrong++ < 5)
            fprintf(stderr, "<Db>%s</Db>: got %.17g, strtod %.17g\n", c->texts[c->seen - 1], v->u.f64, want);
    }
    return 0;
}

static void test_doubles_match_strtod(void)
{
    enum { N = 60000 };
    double_check c = { calloc(N, sizeof(*c.texts)), N, 0, 0 };
    CU_ASSERT_PTR_NOT_NULL_FATAL(c.texts);
    static const char *const fixed[] = { "0", "-0", "1.5", "-0.015625", "1E+30", "9007199254740992",
                                         "9007199254740993", "0.1", "1e22", "1e23", "1e-22", "1e-23",
                                         "123456789012345678", "1234567890123456789", "0.000001", ".5", "5.",
                                         "+2", "4.9406564584124654E-324", "1.7976931348623157E+308" };
    size_t nf = sizeof(fixed) / sizeof(fixed[0]);
    uint64_t x = 0x9E3779B97F4A7C15u;
    psr_buf doc = { 0 };
    for (size_t i = 0; i < N; i++) {
        char *t = c.texts[i];
        if (i < nf) {
            snprintf(t, 40, "%s", fixed[i]);
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: a fixed, varied sequence */
            int ndig = 1 + (int)(x % 20), dot = (int)((x >> 8) % (uint64_t)(ndig + 2)) - 1;
            size_t k = 0;
            if ((x >> 16) & 1)
                t[k++] = '-';
            for (int d = 0; d < ndig; d++) {
                if (d == dot)
                    t[k++] = '.';
                t[k++] = (char)('0' + (int)((x >> (20 + d * 2)) % 10 + (d * 7) % 10) % 10);
            }
            if ((x >> 62) & 1)
                k += (size_t)snprintf(t + k, 40 - k, "E%+d", (int)((x >> 40) % 61) - 30);
            t[k] = '\0';
        }
        psr_buf_printf(&doc, "<Db>%s</Db>", t);
    }
    psr_error err = { 0 };
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, check_double, &c);
    CU_ASSERT_EQUAL(psrp_clixml_reader_feed(r, doc.data, doc.len, &err), 0);
    CU_ASSERT_EQUAL(psrp_clixml_reader_finish(r, &err), 0);
    psrp_clixml_reader_free(r);
    CU_ASSERT_EQUAL(c.seen, N);
    CU_ASSERT_EQUAL(c.wrong, 0);
    psr_buf_free(&doc);
    free(c.texts);
}

static void test_progress_record(void)
{
    char *text = NULL;
    psrp_value *v = parse_fixture("progress_record.xml", &text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->kind, PSRP_V_PROGRESS);
    CU_ASSERT_STRING_EQUAL(v->u.progress.activity, "Preparing\nfiles");
    CU_ASSERT_PTR_NULL(v->u.progress.current_operation);
    CU_ASSERT_EQUAL(v->u.progress.parent_activity_id, -1);
    CU_ASSERT_EQUAL(v->u.progress.percent_complete, 50);
    CU_ASSERT_STRING_EQUAL(v->u.progress.record_type, "Processing");
    /* Written back as a named property, exactly as read. */
    psrp_value *o = psrp_value_new_object(NULL);
    CU_ASSERT_EQUAL(psrp_object_add(o, "Record", psrp_value_ref(v)), 0);
    char *again = serialize(o);
    CU_ASSERT_PTR_NOT_NULL(strstr(again, text));
    free(again);
    free(text);
    psrp_value_free(o);
    psrp_value_free(v);
}

typedef struct collected {
    psrp_value *v[8];
    int n;
} collected;

static int collect(void *ctx, psrp_value *v, psr_error *err)
{
    (void)err;
    collected *c = ctx;
    if (c->n < 8)
        c->v[c->n++] = psrp_value_ref(v);
    return 0;
}

static void collected_free(collected *c)
{
    for (int i = 0; i < c->n; i++)
        psrp_value_free(c->v[i]);
    c->n = 0;
}

/* An Export-Clixml document fed one byte at a time: three values, the
 * second naming its types with a TNRef to the first. */
static void test_push_document_bytewise(void)
{
    size_t len = 0;
    char *doc = psr_unit_read_fixture("clixml/objs_document.xml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    collected c = { { 0 }, 0 };
    psr_error err = { 0 };
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, collect, &c);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < len; i++)
        rc = psrp_clixml_reader_feed(r, doc + i, 1, &err);
    if (rc == 0)
        rc = psrp_clixml_reader_finish(r, &err);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(psrp_clixml_reader_count(r), 3);
    CU_ASSERT_EQUAL_FATAL(c.n, 3);
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(c.v[1], 0), "System.Diagnostics.Process");
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(c.v[1], "name"), "svchost");
    CU_ASSERT_STRING_EQUAL(psrp_value_text(c.v[2]), "a string\r\non two lines");
    psrp_clixml_reader_free(r);
    collected_free(&c);
    free(doc);
}

/* Message bodies one after another, each counting RefIds from 0 again. */
static void test_push_concatenated_bodies(void)
{
    static const char *const parts[] = {
        "\xEF\xBB\xBF<Obj RefId=\"0\"><TN RefId=\"0\"><T>A</T></TN><MS><S N=\"x\">1</S></MS></Obj>",
        "<Obj RefId=\"0\"><TN RefId=\"0\"><T>B</T></TN><MS><Obj N=\"in\" RefId=\"1\"><TNRef RefId=\"0\" /></Obj>"
        "<Ref N=\"again\" RefId=\"1\" /></MS></Obj>\n",
        "<S>tail</S>",
    };
    collected c = { { 0 }, 0 };
    psr_error err = { 0 };
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, collect, &c);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(psrp_clixml_reader_feed(r, parts[i], strlen(parts[i]), &err), 0);
    CU_ASSERT_EQUAL(psrp_clixml_reader_finish(r, &err), 0);
    CU_ASSERT_EQUAL_FATAL(c.n, 3);
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(c.v[0], 0), "A");
    psrp_value *in = psrp_object_get(c.v[1], "in");
    CU_ASSERT_STRING_EQUAL(psrp_value_type_name(in, 0), "B");
    CU_ASSERT_PTR_EQUAL(in, psrp_object_get(c.v[1], "again"));
    CU_ASSERT_STRING_EQUAL(psrp_value_text(c.v[2]), "tail");
    psrp_clixml_reader_free(r);
    collected_free(&c);
}

/* A callback's error stops the reader and comes back from feed. */
static int refuse(void *ctx, psrp_value *v, psr_error *err)
{
    (void)ctx;
    (void)v;
    return psr_error_set(err, PSR_E_CANCELLED, "enough");
}

static void test_push_callback_stops(void)
{
    psr_error err = { 0 };
    psrp_clixml_reader *r = psrp_clixml_reader_new(NULL, refuse, NULL);
    const char *in = "<S>a</S><S>b</S>";
    CU_ASSERT_EQUAL(psrp_clixml_reader_feed(r, in, strlen(in), &err), PSR_E_CANCELLED);
    CU_ASSERT_STRING_EQUAL(err.message, "enough");
    CU_ASSERT_EQUAL(psrp_clixml_reader_count(r), 1);
    CU_ASSERT_EQUAL(psrp_clixml_reader_finish(r, &err), PSR_E_CANCELLED);
    psrp_clixml_reader_free(r);
}

static void test_pretty(void)
{
    size_t len = 0;
    char *doc = psr_unit_read_fixture("clixml/obj_enum.xml", &len);
    psr_buf out = { 0 };
    psr_error err = { 0 };
    CU_ASSERT_EQUAL(psrp_clixml_pretty(&out, doc, len, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "<Obj RefId=\"0\">\n"
                                     "  <TN RefId=\"0\">\n"
                                     "    <T>System.ConsoleColor</T>\n"
                                     "    <T>System.Enum</T>\n"
                                     "    <T>System.ValueType</T>\n"
                                     "    <T>System.Object</T>\n"
                                     "  </TN>\n"
                                     "  <ToString>Blue</ToString>\n"
                                     "  <I32>9</I32>\n"
                                     "</Obj>\n");
    psr_buf_free(&out);
    free(doc);
    doc = psr_unit_read_fixture("clixml/objs_document.xml", &len);
    CU_ASSERT_EQUAL(psrp_clixml_pretty(&out, doc, len, &err), 0);
    CU_ASSERT_EQUAL(strncmp(out.data, "<Objs Version=\"1.1.0.1\"", 23), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "\n  <Obj RefId=\"1\">\n    <TNRef RefId=\"0\" />\n"));
    psr_buf_free(&out);
    free(doc);
}

static void test_type_name_helpers(void)
{
    CU_ASSERT_STRING_EQUAL(psrp_type_name_strip_deserialized("Deserialized.System.Diagnostics.Process"),
                           "System.Diagnostics.Process");
    CU_ASSERT_STRING_EQUAL(psrp_type_name_strip_deserialized("System.Object"), "System.Object");
    psr_buf b = { 0 };
    CU_ASSERT_EQUAL(psrp_type_name_add_deserialized(&b, "System.Object"), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "Deserialized.System.Object");
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_type_name_add_deserialized(&b, "Deserialized.X"), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "Deserialized.X");
    psr_buf_free(&b);
}

/* Builders refuse what the kind cannot hold, and add functions take
 * ownership even when they fail. */
static void test_builders_checks(void)
{
    CU_ASSERT_PTR_NULL(psrp_value_new_int(PSRP_V_I8, 128));
    CU_ASSERT_PTR_NULL(psrp_value_new_uint(PSRP_V_U16, 65536));
    CU_ASSERT_PTR_NULL(psrp_value_new_text(PSRP_V_BOOL, "x", 1));
    CU_ASSERT_EQUAL(psrp_object_add(NULL, "a", psrp_value_new_nil()), PSR_E_NOMEM);
    psrp_value *s = psrp_value_new_string("not an object");
    CU_ASSERT_EQUAL(psrp_object_add(s, "a", psrp_value_new_nil()), PSR_E_INVALID);
    CU_ASSERT_EQUAL(psrp_list_append(s, psrp_value_new_nil()), PSR_E_INVALID);
    psrp_value *o = psrp_value_new_object(NULL);
    CU_ASSERT_EQUAL(psrp_object_add(o, "x", NULL), PSR_E_NOMEM);
    CU_ASSERT_EQUAL(psrp_dict_add(o, psrp_value_new_string("k"), psrp_value_new_nil()), PSR_E_INVALID);
    psrp_value_free(o);
    psrp_value_free(s);
    psrp_value_free(NULL);
}

static const psr_unit_test tests[] = {
    { "spec primitives re-serialize exactly", test_spec_primitives_exact },
    { "spec primitive values", test_spec_primitive_values },
    { "spec ToString and Props", test_spec_tostring_props },
    { "spec extended primitive", test_spec_extended_primitive },
    { "spec type names and TNRef", test_spec_type_names },
    { "spec containers", test_spec_containers },
    { "spec enum", test_spec_enum },
    { "spec Ref shares the object", test_spec_ref },
    { "SESSION_CAPABILITY built exactly", test_session_capability_exact },
    { "nested CREATE_PIPELINE-like object", test_build_nested_pipeline },
    { "round trip of edge values", test_round_trip_edges },
    { "number and boolean spellings", test_number_spellings },
    { "doubles match strtod bit for bit", test_doubles_match_strtod },
    { "progress record", test_progress_record },
    { "push reader: document byte by byte", test_push_document_bytewise },
    { "push reader: concatenated bodies", test_push_concatenated_bodies },
    { "push reader: callback stops it", test_push_callback_stops },
    { "pretty printer", test_pretty },
    { "Deserialized. type names", test_type_name_helpers },
    { "builder checks", test_builders_checks },
    { NULL, NULL },
};

PSR_UNIT_MAIN("clixml", tests)
