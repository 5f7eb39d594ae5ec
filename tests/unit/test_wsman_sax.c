/* test_wsman_sax.c: the SAX path for responses against the DOM path.
 *
 * Hand-made replies in the shapes a server may choose (white space,
 * prefixes, default namespaces, CDATA, streams interleaved, exit codes at
 * the edges) and in shapes the SAX path must leave to the DOM path
 * (faults, errors, namespace oddities). Each is read every way through
 * psr_wsman_diff (wsman_diff.h), which must find no difference; each case
 * also says whether the SAX path must take it, so that a SAX path that
 * declined everything would fail here. The fixtures and the envelopes of
 * test_wsman_response.c and test_wsman_hostile.c go through the same
 * check there. */
#include "wsman/parse.h"
#include "unit.h"
#include "wsman_diff.h"

#include <string.h>

#define NS_S "http://www.w3.org/2003/05/soap-envelope"
#define NS_A "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define NS_RSP "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
#define NS_W "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define NS_X "http://schemas.xmlsoap.org/ws/2004/09/transfer"

#define OPEN "<s:Envelope xmlns:s=\"" NS_S "\" xmlns:a=\"" NS_A "\" xmlns:rsp=\"" NS_RSP \
             "\" xmlns:w=\"" NS_W "\" xmlns:x=\"" NS_X "\">"
#define HEAD(action) "<s:Header><a:Action>" action "</a:Action>" \
                     "<a:RelatesTo>uuid:0FEE3021-8ADF-4E22-851C-F2E93A78E03D</a:RelatesTo></s:Header>"
#define ENV(action, body) OPEN HEAD(action) "<s:Body>" body "</s:Body></s:Envelope>"
#define RECEIVE(body) ENV(WSMAN_ACTION_RECEIVE_RESPONSE, "<rsp:ReceiveResponse>" body "</rsp:ReceiveResponse>")
#define CREATE(body) ENV(WSMAN_ACTION_CREATE_RESPONSE, body)
#define CREATED(selectors) "<x:ResourceCreated><a:Address>http://h:5985/wsman</a:Address>" \
    "<a:ReferenceParameters><w:ResourceURI>" WSMAN_RESOURCE_CMD "</w:ResourceURI>"     \
    "<w:SelectorSet>" selectors "</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>"
#define DONE "\"" WSMAN_STATE_DONE "\""

/* 4096 characters of base64 (3072 bytes) */
#define B64_64 "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2"
#define B64_256 B64_64 B64_64 B64_64 B64_64
#define B64_4K B64_256 B64_256 B64_256 B64_256 B64_256 B64_256 B64_256 B64_256 \
    B64_256 B64_256 B64_256 B64_256 B64_256 B64_256 B64_256 B64_256

enum { TAKEN, DECLINED, EITHER };

typedef struct sax_case {
    const char *name;
    int expect;
    const char *xml;
} sax_case;

static const sax_case cases[] = {
    /* ReceiveResponse */
    {"streams interleaved", TAKEN,
     RECEIVE("<rsp:Stream Name=\"stdout\" CommandId=\"C1\">b3V0MQ==</rsp:Stream>"
             "<rsp:Stream Name=\"stderr\" CommandId=\"C1\">ZXJyMQ==</rsp:Stream>"
             "<rsp:Stream Name=\"stdout\" CommandId=\"C1\">b3V0Mg==</rsp:Stream>"
             "<rsp:Stream Name=\"stderr\" CommandId=\"C1\" End=\"true\"></rsp:Stream>"
             "<rsp:Stream Name=\"stdout\" CommandId=\"C1\" End=\"true\"/>"
             "<rsp:CommandState CommandId=\"C1\" State=" DONE "><rsp:ExitCode>0</rsp:ExitCode>"
             "</rsp:CommandState>")},
    {"CDATA, comments and character references in a Stream", TAKEN,
     RECEIVE("<rsp:Stream Name=\"stdout\"><![CDATA[aGVs]]><!-- x -->bG8&#61;</rsp:Stream>"
             "<rsp:Stream Name=\"stdout\"><?pi x?><![CDATA[]]></rsp:Stream>")},
    {"base64 on wrapped lines", TAKEN,
     RECEIVE("<rsp:Stream Name=\"stdout\">\r\n  aGVs\r\n  bG8gd29y\n\tbGQ=  \n</rsp:Stream>")},
    {"empty and blank Streams", TAKEN,
     RECEIVE("<rsp:Stream Name=\"stdout\"/><rsp:Stream Name=\"stdout\"> \n </rsp:Stream>")},
    {"End spellings", TAKEN,
     RECEIVE("<rsp:Stream Name=\"a\" End=\"TRUE\"/><rsp:Stream Name=\"b\" End=\" 1 \"/>"
             "<rsp:Stream Name=\"c\" End=\"false\"/><rsp:Stream Name=\"d\" End=\"yes\"/>"
             "<rsp:Stream Name=\"e\" End=\"\"/>")},
    {"white space around text and attributes", TAKEN,
     OPEN "<s:Header>\n  <a:Action>\n   " WSMAN_ACTION_RECEIVE_RESPONSE "  \n</a:Action>\n"
     "<a:RelatesTo>\t uuid:1 \r\n</a:RelatesTo></s:Header>\n<s:Body>\n<rsp:ReceiveResponse>\n"
     "<rsp:Stream Name=\"  stdout \" CommandId=\" C1 \" End=\" true\">aGk=</rsp:Stream>\n"
     "<rsp:CommandState CommandId=\" C1\" State=\"  " WSMAN_STATE_DONE " \">\n"
     "<rsp:ExitCode>\n 7 \n</rsp:ExitCode></rsp:CommandState>\n</rsp:ReceiveResponse>\n"
     "</s:Body>\n</s:Envelope>\n"},
    {"CommandState without ExitCode", TAKEN,
     RECEIVE("<rsp:CommandState CommandId=\"C1\" State=\"" WSMAN_STATE_RUNNING "\"/>")},
    {"CommandState before the Streams", TAKEN,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>1</rsp:ExitCode></rsp:CommandState>"
             "<rsp:Stream Name=\"stdout\">aGk=</rsp:Stream>")},
    {"ExitCode 4294967295", TAKEN,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>4294967295</rsp:ExitCode></rsp:CommandState>")},
    {"ExitCode -2147483648", TAKEN,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>-2147483648</rsp:ExitCode></rsp:CommandState>")},
    {"ExitCode 3221225786 (NTSTATUS)", TAKEN,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>3221225786</rsp:ExitCode></rsp:CommandState>")},
    {"ExitCode 4294967296", DECLINED,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>4294967296</rsp:ExitCode></rsp:CommandState>")},
    {"ExitCode -2147483649", DECLINED,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>-2147483649</rsp:ExitCode></rsp:CommandState>")},
    {"ExitCode not a number", DECLINED,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>12x</rsp:ExitCode></rsp:CommandState>")},
    {"ExitCode empty", DECLINED,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode> </rsp:ExitCode></rsp:CommandState>")},
    {"ExitCode with an element inside", DECLINED,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>1<b/>2</rsp:ExitCode></rsp:CommandState>")},
    {"second ExitCode and CommandState ignored", TAKEN,
     RECEIVE("<rsp:CommandState State=" DONE "><rsp:ExitCode>3</rsp:ExitCode><rsp:ExitCode>x</rsp:ExitCode>"
             "</rsp:CommandState><rsp:CommandState State=\"other\"><rsp:ExitCode>y</rsp:ExitCode>"
             "</rsp:CommandState>")},
    {"CommandState without State", DECLINED,
     RECEIVE("<rsp:CommandState CommandId=\"C1\"/>")},
    {"Stream without Name", DECLINED, RECEIVE("<rsp:Stream>aGk=</rsp:Stream>")},
    {"Stream with an empty Name", DECLINED, RECEIVE("<rsp:Stream Name=\" \">aGk=</rsp:Stream>")},
    {"Stream with a namespaced Name only", DECLINED,
     RECEIVE("<rsp:Stream rsp:Name=\"stdout\">aGk=</rsp:Stream>")},
    {"Stream not base64", DECLINED, RECEIVE("<rsp:Stream Name=\"stdout\">a*Gk=</rsp:Stream>")},
    {"Stream cut inside a group", DECLINED, RECEIVE("<rsp:Stream Name=\"stdout\">aGk</rsp:Stream>")},
    {"Stream with data after the padding", DECLINED,
     RECEIVE("<rsp:Stream Name=\"stdout\">aGk=aGk=</rsp:Stream>")},
    {"Stream with an element inside", DECLINED,
     RECEIVE("<rsp:Stream Name=\"stdout\">aG<rsp:Stream Name=\"x\">k=</rsp:Stream></rsp:Stream>")},
    {"Stream attribute with an entity", DECLINED,
     RECEIVE("<rsp:Stream Name=\"std&amp;out\">aGk=</rsp:Stream>")},
    {"Stream attribute with a character reference", DECLINED,
     RECEIVE("<rsp:Stream Name=\"stdout\" CommandId=\"&#38;\">aGk=</rsp:Stream>")},
    {"Stream attribute with other character references", TAKEN,
     RECEIVE("<rsp:Stream Name=\"std&#111;ut&#9;\" CommandId=\"&lt;C&gt;\">aGk=</rsp:Stream>")},
    {"no ReceiveResponse", DECLINED, ENV(WSMAN_ACTION_RECEIVE_RESPONSE, "")},
    {"second ReceiveResponse ignored", TAKEN,
     ENV(WSMAN_ACTION_RECEIVE_RESPONSE,
         "<rsp:ReceiveResponse><rsp:Stream Name=\"a\">aGk=</rsp:Stream></rsp:ReceiveResponse>"
         "<rsp:ReceiveResponse><rsp:Stream Name=\"b\">!!</rsp:Stream><rsp:Stream/></rsp:ReceiveResponse>")},
    {"Streams elsewhere ignored", TAKEN,
     OPEN "<s:Header><a:Action>" WSMAN_ACTION_RECEIVE_RESPONSE "</a:Action>"
     "<rsp:Stream Name=\"h\">!!</rsp:Stream></s:Header><s:Body><rsp:Stream>!!</rsp:Stream>"
     "<rsp:ReceiveResponse><x:Other><rsp:Stream Name=\"deep\">!!</rsp:Stream></x:Other>"
     "<rsp:Stream Name=\"stdout\">aGk=</rsp:Stream></rsp:ReceiveResponse></s:Body></s:Envelope>"},
    {"a longer Stream", TAKEN,
     RECEIVE("<rsp:Stream Name=\"stdout\">" B64_4K "</rsp:Stream><rsp:Stream Name=\"stdout\">"
             B64_4K B64_4K "</rsp:Stream>")},
    /* Namespaces */
    {"other prefixes", TAKEN,
     "<env:Envelope xmlns:env=\"" NS_S "\" xmlns:wsa=\"" NS_A "\" xmlns:shell=\"" NS_RSP "\">"
     "<env:Header><wsa:Action>" WSMAN_ACTION_RECEIVE_RESPONSE "</wsa:Action>"
     "<wsa:RelatesTo>uuid:2</wsa:RelatesTo></env:Header><env:Body><shell:ReceiveResponse>"
     "<shell:Stream Name=\"stdout\">aGk=</shell:Stream><shell:CommandState State=" DONE ">"
     "<shell:ExitCode>5</shell:ExitCode></shell:CommandState></shell:ReceiveResponse></env:Body>"
     "</env:Envelope>"},
    {"default namespaces", TAKEN,
     "<Envelope xmlns=\"" NS_S "\"><Header><Action xmlns=\"" NS_A "\">" WSMAN_ACTION_RECEIVE_RESPONSE
     "</Action><RelatesTo xmlns=\"" NS_A "\">uuid:3</RelatesTo></Header><Body>"
     "<ReceiveResponse xmlns=\"" NS_RSP "\"><Stream Name=\"stdout\">aGk=</Stream>"
     "<CommandState State=" DONE "><ExitCode>2</ExitCode></CommandState></ReceiveResponse></Body>"
     "</Envelope>"},
    {"declarations on the elements themselves", TAKEN,
     "<e:Envelope xmlns:e=\"" NS_S "\"><e:Header><q:Action xmlns:q=\"" NS_A "\">"
     WSMAN_ACTION_COMMAND_RESPONSE "</q:Action></e:Header><e:Body>"
     "<c:CommandResponse xmlns:c=\"" NS_RSP "\"><c:CommandId>ID</c:CommandId></c:CommandResponse>"
     "</e:Body></e:Envelope>"},
    {"a prefix bound again inside", TAKEN,
     RECEIVE("<rsp:Stream xmlns:rsp=\"urn:other\" Name=\"x\">!!</rsp:Stream>"
             "<rsp:Stream Name=\"stdout\">aGk=</rsp:Stream>"
             "<z:Wrap xmlns:z=\"urn:z\" xmlns:rsp=\"urn:z\"><rsp:Stream Name=\"y\">!!</rsp:Stream></z:Wrap>")},
    {"xmlns=\"\" undeclares the default", TAKEN,
     ENV(WSMAN_ACTION_RECEIVE_RESPONSE,
         "<ReceiveResponse xmlns=\"" NS_RSP "\"><Stream xmlns=\"\" Name=\"x\">!!</Stream>"
         "<Stream Name=\"stdout\">aGk=</Stream></ReceiveResponse>")},
    {"the same URI under two prefixes", TAKEN,
     "<s:Envelope xmlns:s=\"" NS_S "\" xmlns:a=\"" NS_A "\" xmlns:b=\"" NS_A "\"><s:Header>"
     "<b:Action>" WSMAN_ACTION_SIGNAL_RESPONSE "</b:Action><a:RelatesTo>uuid:4</a:RelatesTo>"
     "</s:Header><s:Body/></s:Envelope>"},
    {"names in the wrong namespace or case", DECLINED,
     ENV(WSMAN_ACTION_COMMAND_RESPONSE,
         "<rsp:commandresponse><rsp:CommandId>X</rsp:CommandId></rsp:commandresponse>"
         "<a:CommandResponse><a:CommandId>Y</a:CommandId></a:CommandResponse>")},
    {"an undeclared prefix", DECLINED, ENV(WSMAN_ACTION_SEND_RESPONSE, "<zz:Thing/>")},
    {"a name with two colons", DECLINED, ENV(WSMAN_ACTION_SEND_RESPONSE, "<rsp:a:b/>")},
    {"a local name that is not an NCName", DECLINED, ENV(WSMAN_ACTION_SEND_RESPONSE, "<rsp:-b/>")},
    {"the xml prefix declared", DECLINED,
     ENV(WSMAN_ACTION_SEND_RESPONSE, "<t xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>")},
    {"a prefix bound to the XML namespace", DECLINED,
     ENV(WSMAN_ACTION_SEND_RESPONSE, "<q:t xmlns:q=\"http://www.w3.org/XML/1998/namespace\"/>")},
    {"the default namespace bound to xmlns's", DECLINED,
     ENV(WSMAN_ACTION_SEND_RESPONSE, "<t xmlns=\"http://www.w3.org/2000/xmlns/\"/>")},
    {"an empty prefixed declaration", DECLINED, ENV(WSMAN_ACTION_SEND_RESPONSE, "<t xmlns:q=\"\"/>")},
    {"an xml: attribute", TAKEN, ENV(WSMAN_ACTION_SEND_RESPONSE, "<rsp:SendResponse xml:lang=\"en\"/>")},
    /* CreateResponse */
    {"ShellId from the selector", TAKEN,
     CREATE(CREATED("<w:Selector Name=\"ShellId\">SEL</w:Selector>")
            "<rsp:Shell><rsp:ShellId>SHELL</rsp:ShellId><rsp:ResourceUri>urn:r</rsp:ResourceUri></rsp:Shell>")},
    {"ShellId from rsp:Shell", TAKEN,
     CREATE(CREATED("<w:Selector Name=\"Other\">O</w:Selector>")
            "<rsp:Shell><rsp:ShellId> SHELL </rsp:ShellId></rsp:Shell>")},
    {"rsp:Shell before ResourceCreated", TAKEN,
     CREATE("<rsp:Shell><rsp:ShellId>SHELL</rsp:ShellId><rsp:ResourceUri>urn:r</rsp:ResourceUri></rsp:Shell>"
            "<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet>"
            "<w:Selector Name=\"ShellId\">SEL</w:Selector></w:SelectorSet></a:ReferenceParameters>"
            "</x:ResourceCreated>")},
    {"ResourceUri from rsp:Shell", TAKEN,
     CREATE("<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet>"
            "<w:Selector Name=\" ShellId \">SEL</w:Selector></w:SelectorSet></a:ReferenceParameters>"
            "</x:ResourceCreated><rsp:Shell><rsp:ResourceUri> urn:r </rsp:ResourceUri></rsp:Shell>")},
    {"the first ShellId selector wins", TAKEN,
     CREATE(CREATED("<w:Selector Name=\"Other\">O</w:Selector><w:Selector Name=\"ShellId\">ONE</w:Selector>"
                    "<w:Selector Name=\"ShellId\">TWO</w:Selector>"))},
    {"an empty ShellId selector wins too", DECLINED,
     CREATE(CREATED("<w:Selector Name=\"ShellId\"> </w:Selector>")
            "<rsp:Shell><rsp:ShellId>SHELL</rsp:ShellId></rsp:Shell>")},
    {"only the first ResourceCreated counts", TAKEN,
     CREATE("<x:ResourceCreated/>" CREATED("<w:Selector Name=\"ShellId\">SEL</w:Selector>")
            "<rsp:Shell><rsp:ShellId>SHELL</rsp:ShellId></rsp:Shell>")},
    {"no ShellId", DECLINED, CREATE(CREATED("") "<rsp:Shell/>")},
    {"a ShellId with an element inside", DECLINED,
     CREATE(CREATED("<w:Selector Name=\"ShellId\">A<w:B/></w:Selector>"))},
    /* CommandResponse */
    {"CommandId with white space", TAKEN,
     ENV(WSMAN_ACTION_COMMAND_RESPONSE, "<rsp:CommandResponse><rsp:CommandId>\n ID \n</rsp:CommandId>"
                                        "<rsp:CommandId>TWO</rsp:CommandId></rsp:CommandResponse>")},
    {"no CommandId", DECLINED, ENV(WSMAN_ACTION_COMMAND_RESPONSE, "<rsp:CommandResponse/>")},
    {"an empty CommandId", DECLINED,
     ENV(WSMAN_ACTION_COMMAND_RESPONSE, "<rsp:CommandResponse><rsp:CommandId/></rsp:CommandResponse>")},
    /* Send, Signal, Delete */
    {"SendResponse", TAKEN, ENV(WSMAN_ACTION_SEND_RESPONSE, "<rsp:SendResponse/>")},
    {"SignalResponse", TAKEN, ENV(WSMAN_ACTION_SIGNAL_RESPONSE, "<rsp:SignalResponse/>")},
    {"DeleteResponse", TAKEN, ENV(WSMAN_ACTION_DELETE_RESPONSE, "")},
    {"a Body the reply does not read", TAKEN,
     ENV(WSMAN_ACTION_DELETE_RESPONSE, "<rsp:Stream>!!</rsp:Stream><x:Any a=\"&amp;\">t&amp;</x:Any>")},
    {"no RelatesTo", TAKEN,
     OPEN "<s:Header><a:Action>" WSMAN_ACTION_SEND_RESPONSE "</a:Action></s:Header><s:Body/></s:Envelope>"},
    {"RelatesTo with references", TAKEN,
     OPEN "<s:Header><a:Action>" WSMAN_ACTION_SEND_RESPONSE "</a:Action><a:RelatesTo>uuid:&#65;&amp;"
     "<![CDATA[<c>]]><!-- c --></a:RelatesTo><a:RelatesTo>second</a:RelatesTo></s:Header>"
     "<s:Body/></s:Envelope>"},
    {"Action with an element inside", DECLINED,
     OPEN "<s:Header><a:Action>" WSMAN_ACTION_SEND_RESPONSE "<x:y/></a:Action></s:Header><s:Body/></s:Envelope>"},
    {"other elements around", TAKEN,
     OPEN "<x:Before/><s:Header><x:Other>t</x:Other><a:MessageID>uuid:5</a:MessageID><a:Action>"
     WSMAN_ACTION_SEND_RESPONSE "</a:Action><a:Action>second</a:Action></s:Header><s:Body/>"
     "<s:Header><a:Action>third</a:Action></s:Header><s:Body><s:Fault/></s:Body></s:Envelope>"},
    /* Left to the DOM path */
    {"Fault", DECLINED, ENV(WSMAN_ACTION_FAULT, "<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code></s:Fault>")},
    {"Fault after the reply", DECLINED,
     ENV(WSMAN_ACTION_RECEIVE_RESPONSE, "<rsp:ReceiveResponse/><s:Fault/>")},
    {"IdentifyResponse", DECLINED,
     "<s:Envelope xmlns:s=\"" NS_S "\"><s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid=\""
     WSMAN_NS_IDENTITY "\"><wsmid:ProtocolVersion>" WSMAN_NS_WSMAN "</wsmid:ProtocolVersion>"
     "</wsmid:IdentifyResponse></s:Body></s:Envelope>"},
    {"an unknown Action", DECLINED, ENV("urn:unknown", "")},
    {"no Action", DECLINED, OPEN "<s:Header/><s:Body/></s:Envelope>"},
    {"Body before Header", DECLINED,
     OPEN "<s:Body/><s:Header><a:Action>" WSMAN_ACTION_SEND_RESPONSE "</a:Action></s:Header></s:Envelope>"},
    {"no Body", DECLINED, OPEN HEAD(WSMAN_ACTION_SEND_RESPONSE) "</s:Envelope>"},
    {"not an Envelope", DECLINED, "<s:Body xmlns:s=\"" NS_S "\"/>"},
    {"an XML declaration", TAKEN,
     "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- c --><?pi?>" ENV(WSMAN_ACTION_SEND_RESPONSE, "")},
    {"another encoding declared", DECLINED,
     "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" ENV(WSMAN_ACTION_SEND_RESPONSE, "")},
    {"a byte order mark", EITHER, "\xEF\xBB\xBF" ENV(WSMAN_ACTION_SEND_RESPONSE, "")},
    {"a DTD", DECLINED, "<!DOCTYPE s:Envelope>" ENV(WSMAN_ACTION_SEND_RESPONSE, "")},
    {"an undeclared entity", DECLINED, ENV(WSMAN_ACTION_SEND_RESPONSE, "&x;")},
    {"text after the root", DECLINED, ENV(WSMAN_ACTION_SEND_RESPONSE, "") "x"},
    {"truncated", DECLINED, OPEN HEAD(WSMAN_ACTION_SEND_RESPONSE) "<s:Body>"},
};

/* 1 when the SAX path takes xml (the result is dropped). */
static int taken(wsman_reader *reader, const char *xml)
{
    wsman_response r;
    int ok = wsman_response_sax(reader, xml, strlen(xml), &r);
    wsman_response_clear(&r);
    return ok;
}

static void test_cases(void)
{
    wsman_reader *reader = wsman_reader_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(reader);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int handled = 0;
        const char *why = psr_wsman_diff(reader, cases[i].xml, strlen(cases[i].xml), &handled);
        int expected = cases[i].expect == EITHER || handled == (cases[i].expect == TAKEN);
        if (why || !expected)
            fprintf(stderr, "%s: %s\n", cases[i].name,
                    why ? why : handled ? "taken by the SAX path" : "declined by the SAX path");
        CU_ASSERT_PTR_NULL(why);
        CU_ASSERT_TRUE(expected);
    }
    wsman_reader_free(reader);
}

/* A few readings spelled out, beyond agreeing with the DOM path. */
static void test_values(void)
{
    wsman_response r;
    const char *xml = cases[0].xml;
    CU_ASSERT_EQUAL_FATAL(wsman_response_sax(NULL, xml, strlen(xml), &r), 1);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_RECEIVE);
    CU_ASSERT_EQUAL_FATAL(r.n_streams, 5);
    CU_ASSERT_STRING_EQUAL(r.streams[0].data.data, "out1");
    CU_ASSERT_STRING_EQUAL(r.streams[1].name, "stderr");
    CU_ASSERT_STRING_EQUAL(r.streams[1].data.data, "err1");
    CU_ASSERT_STRING_EQUAL(r.streams[2].data.data, "out2");
    CU_ASSERT_TRUE(r.streams[3].end && r.streams[4].end && !r.streams[2].end);
    CU_ASSERT_EQUAL(r.streams[4].data.len, 0);
    CU_ASSERT_PTR_NOT_NULL(r.streams[4].data.data);
    CU_ASSERT_TRUE(r.has_exit_code);
    CU_ASSERT_STRING_EQUAL(r.command_state_id, "C1");
    wsman_response_clear(&r);
    xml = cases[1].xml;
    CU_ASSERT_EQUAL_FATAL(wsman_response_sax(NULL, xml, strlen(xml), &r), 1);
    CU_ASSERT_STRING_EQUAL(r.streams[0].data.data, "hello");
    wsman_response_clear(&r);
    xml = cases[8].xml; /* 4294967295 */
    CU_ASSERT_EQUAL_FATAL(wsman_response_sax(NULL, xml, strlen(xml), &r), 1);
    CU_ASSERT_EQUAL(r.exit_code, -1);
    wsman_response_clear(&r);
}

/* Replies the size a large MaxEnvelopeSize allows go to the DOM path. */
static void test_size_limit(void)
{
    size_t n = (1u << 20) / 4 * 3 + 3; /* base64: just over 1 MiB */
    unsigned char *data = calloc(1, n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    wsman_out_stream s = {"stdout", "C1", data, n, 1};
    wsman_response_header h = {WSMAN_ACTION_RECEIVE_RESPONSE, "uuid:1", "uuid:2"};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_receive_response(&b, &h, &s, 1, "C1", WSMAN_STATE_DONE, 0), 0);
    CU_ASSERT_TRUE(b.len > (1u << 20));
    int handled = 1;
    CU_ASSERT_PTR_NULL(psr_wsman_diff(NULL, b.data, b.len, &handled));
    CU_ASSERT_FALSE(handled);
    wsman_response r;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(wsman_parse_response(b.data, b.len, &r, &err), 0);
    CU_ASSERT_EQUAL(r.streams[0].data.len, n);
    wsman_response_clear(&r);
    psr_buf_free(&b);
    free(data);
}

/* A server that sends new element names forever: the parser a reader keeps
 * must not keep them all. */
static void test_reader_names_bounded(void)
{
    wsman_reader *reader = wsman_reader_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(reader);
    const char *plain = ENV(WSMAN_ACTION_SEND_RESPONSE, "");
    CU_ASSERT_TRUE(taken(reader, plain));
    size_t usual = wsman_reader_kept_names(reader);
    CU_ASSERT_TRUE(usual > 0 && usual <= 64 * 1024);
    size_t most = 0;
    for (unsigned round = 0; round < 40; round++) {
        psr_buf b = {0};
        psr_buf_puts(&b, OPEN HEAD(WSMAN_ACTION_SEND_RESPONSE) "<s:Body>");
        for (unsigned i = 0; i < 200; i++)
            psr_buf_printf(&b, "<x:name_%u_%u_padding_padding_padding/>", round, i);
        psr_buf_puts(&b, "</s:Body></s:Envelope>");
        int handled = 0;
        const char *why = psr_wsman_diff(reader, b.data, b.len, &handled);
        CU_ASSERT_PTR_NULL(why);
        CU_ASSERT_TRUE(handled);
        size_t kept = wsman_reader_kept_names(reader);
        most = kept > most ? kept : most;
        psr_buf_free(&b);
    }
    CU_ASSERT_TRUE(most <= 64 * 1024);
    /* and a failed parse leaves nothing behind to reuse */
    const char *bad = "<!DOCTYPE x>" ENV(WSMAN_ACTION_SEND_RESPONSE, "");
    CU_ASSERT_FALSE(taken(reader, bad));
    CU_ASSERT_EQUAL(wsman_reader_kept_names(reader), 0);
    CU_ASSERT_TRUE(taken(reader, plain));
    wsman_reader_free(reader);
    wsman_reader_free(NULL);
}

static const psr_unit_test tests[] = {
    {"hand-made replies, both ways", test_cases},
    {"values read by the SAX path", test_values},
    {"replies over 1 MiB go to the DOM path", test_size_limit},
    {"reader keeps a bounded dictionary", test_reader_names_bounded},
    {NULL, NULL},
};

PSR_UNIT_MAIN("wsman responses, SAX path", tests)
