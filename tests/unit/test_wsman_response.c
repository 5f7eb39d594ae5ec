/* test_wsman_response.c: responses and faults. The client parser reads the
 * MS-WSMV 4.7 examples and real WinRM replies (fixtures/wsman/); the server
 * builders' output is read back by the client parser; faults become errors
 * that keep WinRM's code, machine and message. */
#include "wsman/wsman.h"
#include "unit.h"
#include "wsman_diff.h"

#include <string.h>

#define CMDID "1A6DEE6B-EC68-4DD6-87E9-030C0048ECC4"

/* Every envelope here is also read both ways, which must agree. */
static void check_both_paths(const char *xml, size_t len)
{
    const char *why = psr_wsman_diff(psr_wsman_shared_reader(), xml, len, NULL);
    if (why)
        fprintf(stderr, "%s\n%.*s\n", why, (int)len, xml);
    CU_ASSERT_PTR_NULL(why);
}

static int parse_fixture(const char *name, wsman_response *r)
{
    size_t len = 0;
    char *xml = psr_unit_read_fixture(name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    check_both_paths(xml, len);
    psr_error err;
    int rc = wsman_parse_response(xml, len, r, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", name, err.message);
    free(xml);
    return rc;
}

static int parse_buf(const psr_buf *b, wsman_response *r)
{
    check_both_paths(b->data, b->len);
    psr_error err;
    int rc = wsman_parse_response(b->data, b->len, r, &err);
    if (rc)
        fprintf(stderr, "parse: %s\n%s\n", err.message, b->data);
    return rc;
}

static void test_spec_create_response(void)
{
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/wsmv_4_7_1_create_response.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_CREATE);
    CU_ASSERT_STRING_EQUAL(r.shell_id, "uuid:C443F44F-28E4-486F-A5A1-12745F90CF5A");
    CU_ASSERT_STRING_EQUAL(r.shell_resource_uri, WSMAN_RESOURCE_CMD);
    CU_ASSERT_STRING_EQUAL(r.relates_to, "uuid:AF6A2E07-BA33-496E-8AFA-E77D241A2F2F");
    wsman_response_clear(&r);
    wsman_response_clear(&r);
}

static void test_spec_command_response(void)
{
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/wsmv_4_7_2_command_response.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_COMMAND);
    CU_ASSERT_STRING_EQUAL(r.command_id, "77df7bb6-b5a0-4777-abd9-9823c0774074");
    wsman_response_clear(&r);
}

static void test_spec_receive_response(void)
{
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/wsmv_4_7_3_receive_response.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_RECEIVE);
    CU_ASSERT_EQUAL_FATAL(r.n_streams, 1);
    CU_ASSERT_STRING_EQUAL(r.streams[0].name, "stdout");
    const char *prompt = "d:\\temp\\out.txt, Delete (Y/N)? ";
    CU_ASSERT_EQUAL(r.streams[0].data.len, strlen(prompt));
    CU_ASSERT_STRING_EQUAL(r.streams[0].data.data, prompt);
    CU_ASSERT_TRUE(r.has_command_state);
    CU_ASSERT_STRING_EQUAL(r.command_state, WSMAN_STATE_RUNNING);
    CU_ASSERT_STRING_EQUAL(r.command_state_id, "77df7bb6-b5a0-4777-abd9-9823c0774074");
    wsman_response_clear(&r);
}

static void test_spec_empty_responses(void)
{
    static const struct {
        const char *file;
        wsman_response_kind kind;
    } cases[] = {
        {"wsman/wsmv_4_7_4_send_response.xml", WSMAN_RESP_SEND},
        {"wsman/wsmv_4_7_5_signal_response.xml", WSMAN_RESP_SIGNAL},
        {"wsman/wsmv_4_7_8_delete_response.xml", WSMAN_RESP_DELETE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wsman_response r;
        CU_ASSERT_EQUAL_FATAL(parse_fixture(cases[i].file, &r), 0);
        CU_ASSERT_EQUAL(r.kind, cases[i].kind);
        CU_ASSERT_PTR_NOT_NULL(r.relates_to);
        wsman_response_clear(&r);
    }
}

/* Real Windows replies, as captured in masterzen/winrm's test fixtures. */
static void test_real_winrm_responses(void)
{
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/winrm_create_response.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_CREATE);
    CU_ASSERT_STRING_EQUAL(r.shell_id, "67A74734-DD32-4F10-89DE-49A060483810");
    wsman_response_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/winrm_command_response.xml", &r), 0);
    CU_ASSERT_STRING_EQUAL(r.command_id, CMDID);
    wsman_response_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/winrm_receive_running_response.xml", &r), 0);
    CU_ASSERT_EQUAL_FATAL(r.n_streams, 2);
    CU_ASSERT_STRING_EQUAL(r.streams[0].data.data, "That's all folks!!!");
    CU_ASSERT_STRING_EQUAL(r.streams[1].name, "stderr");
    CU_ASSERT_STRING_EQUAL(r.streams[1].data.data, "This is stderr, I'm pretty sure!");
    CU_ASSERT_STRING_EQUAL(r.streams[1].command_id, CMDID);
    CU_ASSERT_FALSE(r.has_exit_code);
    wsman_response_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/winrm_receive_done_response.xml", &r), 0);
    CU_ASSERT_EQUAL(r.n_streams, 0);
    CU_ASSERT_STRING_EQUAL(r.command_state, WSMAN_STATE_DONE);
    CU_ASSERT_TRUE(r.has_exit_code);
    CU_ASSERT_EQUAL(r.exit_code, 123);
    wsman_response_clear(&r);
}

static void test_identify_round_trip(void)
{
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_identify_response(&b, "Microsoft Corporation",
                                                        "OS: 0.0.0 SP: 0.0 Stack: 3.0"), 0);
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_IDENTIFY);
    CU_ASSERT_STRING_EQUAL(r.protocol_version, WSMAN_NS_WSMAN);
    CU_ASSERT_STRING_EQUAL(r.product_vendor, "Microsoft Corporation");
    CU_ASSERT_STRING_EQUAL(r.product_version, "OS: 0.0.0 SP: 0.0 Stack: 3.0");
    wsman_response_clear(&r);
    psr_buf_free(&b);
}

static const wsman_response_header hdr = {
    .action = WSMAN_ACTION_CREATE_RESPONSE,
    .message_id = "uuid:195078CF-804B-41F7-A246-9CB3C1A41A9A",
    .relates_to = "uuid:D00059E8-57D6-4035-AD8D-3EDC495DA163",
};

static void test_create_round_trip(void)
{
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_create_response(&b, &hdr, "http://127.0.0.1:5985/wsman",
                                                      WSMAN_RESOURCE_CMD,
                                                      "67A74734-DD32-4F10-89DE-49A060483810",
                                                      "stdin", "stdout stderr"), 0);
    /* Windows' layout: what masterzen/winrm's XPath //w:Selector[@Name='ShellId'] finds */
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<s:Envelope xml:lang=\"en-US\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:Selector Name=\"ShellId\">67A74734-"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<a:To>" WSMAN_ANONYMOUS "</a:To>"));
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_CREATE);
    CU_ASSERT_STRING_EQUAL(r.action, WSMAN_ACTION_CREATE_RESPONSE);
    CU_ASSERT_STRING_EQUAL(r.relates_to, hdr.relates_to);
    CU_ASSERT_STRING_EQUAL(r.shell_id, "67A74734-DD32-4F10-89DE-49A060483810");
    CU_ASSERT_STRING_EQUAL(r.shell_resource_uri, WSMAN_RESOURCE_CMD);
    wsman_response_clear(&r);
    psr_buf_free(&b);
}

static void test_command_round_trip(void)
{
    wsman_response_header h = hdr;
    h.action = WSMAN_ACTION_COMMAND_RESPONSE;
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_command_response(&b, &h, CMDID), 0);
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_COMMAND);
    CU_ASSERT_STRING_EQUAL(r.command_id, CMDID);
    wsman_response_clear(&r);
    psr_buf_free(&b);
}

static void test_empty_round_trips(void)
{
    static const struct {
        const char *action;
        wsman_response_kind kind;
        const char *body;
    } cases[] = {
        {WSMAN_ACTION_SEND_RESPONSE, WSMAN_RESP_SEND, "<rsp:SendResponse/>"},
        {WSMAN_ACTION_SIGNAL_RESPONSE, WSMAN_RESP_SIGNAL, "<rsp:SignalResponse/>"},
        {WSMAN_ACTION_DELETE_RESPONSE, WSMAN_RESP_DELETE, "<s:Body></s:Body>"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wsman_response_header h = hdr;
        h.action = cases[i].action;
        psr_buf b = {0};
        CU_ASSERT_EQUAL_FATAL(wsman_build_empty_response(&b, &h), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, cases[i].body));
        wsman_response r;
        CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
        CU_ASSERT_EQUAL(r.kind, cases[i].kind);
        CU_ASSERT_STRING_EQUAL(r.relates_to, hdr.relates_to);
        wsman_response_clear(&r);
        psr_buf_free(&b);
    }
}

static void test_receive_round_trip(void)
{
    wsman_response_header h = hdr;
    h.action = WSMAN_ACTION_RECEIVE_RESPONSE;
    wsman_out_stream s[] = {
        {"stdout", CMDID, "hello\n", 6, 0},
        {"stderr", CMDID, "oops", 4, 0},
        {"stdout", CMDID, NULL, 0, 1},
    };
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_receive_response(&b, &h, s, 3, CMDID, WSMAN_STATE_DONE, 7), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<rsp:ExitCode>7</rsp:ExitCode>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "End=\"true\""));
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_RECEIVE);
    CU_ASSERT_EQUAL_FATAL(r.n_streams, 3);
    CU_ASSERT_STRING_EQUAL(r.streams[0].name, "stdout");
    CU_ASSERT_STRING_EQUAL(r.streams[0].data.data, "hello\n");
    CU_ASSERT_STRING_EQUAL(r.streams[1].data.data, "oops");
    CU_ASSERT_EQUAL(r.streams[2].data.len, 0);
    CU_ASSERT_TRUE(r.streams[2].end);
    CU_ASSERT_FALSE(r.streams[0].end);
    CU_ASSERT_STRING_EQUAL(r.command_state, WSMAN_STATE_DONE);
    CU_ASSERT_STRING_EQUAL(r.command_state_id, CMDID);
    CU_ASSERT_TRUE(r.has_exit_code);
    CU_ASSERT_EQUAL(r.exit_code, 7);
    wsman_response_clear(&r);
    /* Running, no exit code; Done with exit_code < 0 has none either */
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(wsman_build_receive_response(&b, &h, s, 1, CMDID, WSMAN_STATE_RUNNING, 0), 0);
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_FALSE(r.has_exit_code);
    CU_ASSERT_STRING_EQUAL(r.command_state, WSMAN_STATE_RUNNING);
    wsman_response_clear(&r);
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(wsman_build_receive_response(&b, &h, NULL, 0, NULL, NULL, -1), 0);
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_FALSE(r.has_command_state);
    CU_ASSERT_EQUAL(r.n_streams, 0);
    wsman_response_clear(&r);
    psr_buf_free(&b);
}

/* ~500 KB of output in one ReceiveResponse, decoded in order. */
static void test_large_receive(void)
{
    size_t chunk = 24 * 1024, n = 20;
    unsigned char *data = malloc(chunk);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    wsman_out_stream *s = calloc(n, sizeof(*s));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (size_t i = 0; i < chunk; i++)
        data[i] = (unsigned char)(i * 7);
    for (size_t i = 0; i < n; i++)
        s[i] = (wsman_out_stream){"stdout", CMDID, data, chunk, i == n - 1};
    wsman_response_header h = hdr;
    h.action = WSMAN_ACTION_RECEIVE_RESPONSE;
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_receive_response(&b, &h, s, n, CMDID, WSMAN_STATE_DONE, 0), 0);
    CU_ASSERT_TRUE(b.len > 600000);
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL_FATAL(r.n_streams, n);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(r.streams[i].data.len, chunk);
        CU_ASSERT_EQUAL(memcmp(r.streams[i].data.data, data, chunk), 0);
    }
    CU_ASSERT_TRUE(r.streams[n - 1].end);
    wsman_response_clear(&r);
    psr_buf_free(&b);
    free(s);
    free(data);
}

/* The real TimedOut fault (masterzen/winrm fixture) is a kind, not an error. */
static void test_fault_timed_out(void)
{
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/winrm_fault_timed_out.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_FAULT);
    CU_ASSERT_STRING_EQUAL(r.action, WSMAN_ACTION_FAULT);
    CU_ASSERT_STRING_EQUAL(r.fault.code, "Receiver");
    CU_ASSERT_STRING_EQUAL(r.fault.subcode, "TimedOut");
    CU_ASSERT_EQUAL(r.fault.wsman_code, WSMAN_CODE_TIMED_OUT);
    CU_ASSERT_STRING_EQUAL(r.fault.machine, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(r.fault.message, WSMAN_TEXT_TIMED_OUT);
    psr_error err;
    CU_ASSERT_EQUAL(wsman_fault_to_error(&r.fault, &err), PSR_E_FAULT);
    CU_ASSERT_EQUAL(err.code, PSR_E_FAULT);
    CU_ASSERT_EQUAL(err.wsman_code, 2150858793u);
    CU_ASSERT_STRING_EQUAL(err.fault_subcode, "TimedOut");
    CU_ASSERT_STRING_EQUAL(err.machine, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(err.message,
                           "server fault from 127.0.0.1: " WSMAN_TEXT_TIMED_OUT
                           " (WSManFault 2150858793, TimedOut)");
    wsman_response_clear(&r);
}

static void test_fault_fixtures(void)
{
    static const struct {
        const char *file, *code, *subcode;
        uint32_t wsman_code;
        const char *message_start;
    } cases[] = {
        {"wsman/winrm_fault_invalid_selectors.xml", "Sender", "InvalidSelectors",
         WSMAN_CODE_SHELL_NOT_FOUND, "The request for the Windows Remote Shell with ShellId "},
        {"wsman/winrm_fault_access_denied.xml", "Sender", "AccessDenied",
         WSMAN_CODE_ACCESS_DENIED, WSMAN_TEXT_ACCESS_DENIED},
        {"wsman/winrm_fault_encoding_limit.xml", "Sender", "EncodingLimit",
         WSMAN_CODE_ENCODING_LIMIT, WSMAN_TEXT_ENCODING_LIMIT},
        {"wsman/winrm_fault_schema_validation.xml", "Sender", "SchemaValidationError",
         WSMAN_CODE_SCHEMA_VALIDATION, "The Windows Remote Shell cannot process the request."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wsman_response r;
        CU_ASSERT_EQUAL_FATAL(parse_fixture(cases[i].file, &r), 0);
        CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_FAULT);
        CU_ASSERT_STRING_EQUAL(r.fault.code, cases[i].code);
        CU_ASSERT_STRING_EQUAL(r.fault.subcode, cases[i].subcode);
        CU_ASSERT_EQUAL(r.fault.wsman_code, cases[i].wsman_code);
        CU_ASSERT_EQUAL(strncmp(r.fault.message, cases[i].message_start,
                                strlen(cases[i].message_start)), 0);
        psr_error err;
        wsman_fault_to_error(&r.fault, &err);
        char tail[128];
        snprintf(tail, sizeof(tail), "(WSManFault %u, %s)", (unsigned)cases[i].wsman_code,
                 cases[i].subcode);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, tail));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, r.fault.message));
        CU_ASSERT_EQUAL(err.wsman_code, cases[i].wsman_code);
        wsman_response_clear(&r);
    }
}

/* MS-WSMV 4.10: the message sits in a ProviderFault inside the WSManFault. */
static void test_fault_provider(void)
{
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture("wsman/wsmv_4_10_fault_response.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_FAULT);
    CU_ASSERT_STRING_EQUAL(r.action, WSMAN_ACTION_ADDRESSING_FAULT);
    CU_ASSERT_STRING_EQUAL(r.fault.subcode, "DestinationUnreachable");
    CU_ASSERT_EQUAL(r.fault.wsman_code, 32768);
    CU_ASSERT_STRING_EQUAL(r.fault.machine, "http://localhost:80/wsman");
    const char *text = "The WS-Management service cannot process the request. The service "
                       "cannot find the resource identified by the resource URI and selectors.";
    CU_ASSERT_STRING_EQUAL(r.fault.provider_fault, text);
    CU_ASSERT_STRING_EQUAL(r.fault.message, text);
    CU_ASSERT_STRING_EQUAL(r.fault.reason, text);
    wsman_response_clear(&r);
}

static void test_fault_round_trip(void)
{
    wsman_response_header h = {.message_id = "uuid:D6232298-AF04-4853-AFC5-FEEB5732B81D",
                               .relates_to = "uuid:E54190B3-E060-4B5C-4779-B63AB4963BAC"};
    wsman_fault_spec f = {"s:Receiver", "w:TimedOut", WSMAN_TEXT_TIMED_OUT,
                          WSMAN_CODE_TIMED_OUT, "harness.local", NULL};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_fault(&b, &h, &f), 0);
    /* the real TimedOut fault's layout: masterzen/winrm matches on "OperationTimeout" */
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "Code=\"2150858793\" Machine=\"harness.local\""));
    wsman_response r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_FAULT);
    CU_ASSERT_STRING_EQUAL(r.action, WSMAN_ACTION_FAULT);
    CU_ASSERT_STRING_EQUAL(r.relates_to, h.relates_to);
    CU_ASSERT_STRING_EQUAL(r.fault.code, "Receiver");
    CU_ASSERT_STRING_EQUAL(r.fault.subcode, "TimedOut");
    CU_ASSERT_STRING_EQUAL(r.fault.reason, WSMAN_TEXT_TIMED_OUT);
    CU_ASSERT_STRING_EQUAL(r.fault.message, WSMAN_TEXT_TIMED_OUT);
    CU_ASSERT_EQUAL(r.fault.wsman_code, WSMAN_CODE_TIMED_OUT);
    wsman_response_clear(&r);
    /* ActionNotSupported uses the WS-Addressing prefix and fault action */
    psr_buf_reset(&b);
    h.action = WSMAN_ACTION_ADDRESSING_FAULT;
    wsman_fault_spec ans = {"s:Sender", "a:ActionNotSupported", WSMAN_TEXT_UNSUPPORTED_ACTION,
                            WSMAN_CODE_UNSUPPORTED_ACTION, "harness.local", NULL};
    CU_ASSERT_EQUAL_FATAL(wsman_build_fault(&b, &h, &ans), 0);
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.fault.subcode, "ActionNotSupported");
    CU_ASSERT_STRING_EQUAL(r.action, WSMAN_ACTION_ADDRESSING_FAULT);
    wsman_response_clear(&r);
    /* an undeclared prefix would make the fault unreadable: refused */
    wsman_fault_spec bad = {"s:Sender", "zz:Nope", "x", 1, NULL, NULL};
    size_t before = b.len;
    CU_ASSERT_EQUAL(wsman_build_fault(&b, &h, &bad), PSR_E_INVALID);
    CU_ASSERT_EQUAL(b.len, before);
    psr_buf_free(&b);
}

static void test_fault_to_error_fallbacks(void)
{
    wsman_fault f = {0};
    f.code = strdup("Sender");
    f.reason = strdup("Bad thing.");
    psr_error err;
    CU_ASSERT_EQUAL(wsman_fault_to_error(&f, &err), PSR_E_FAULT);
    CU_ASSERT_STRING_EQUAL(err.message, "server fault: Bad thing. (Sender)");
    CU_ASSERT_EQUAL(err.wsman_code, 0);
    CU_ASSERT_EQUAL(wsman_fault_to_error(&f, NULL), PSR_E_FAULT);
    wsman_fault_clear(&f);
    wsman_fault_clear(&f);
}

static void test_response_errors(void)
{
    const char *no_shell =
        "<s:Envelope xmlns:s=\"" WSMAN_NS_SOAP "\" xmlns:a=\"" WSMAN_NS_ADDRESSING "\"><s:Header>"
        "<a:Action>" WSMAN_ACTION_CREATE_RESPONSE "</a:Action></s:Header><s:Body/></s:Envelope>";
    wsman_response r;
    psr_error err;
    check_both_paths(no_shell, strlen(no_shell));
    CU_ASSERT_EQUAL(wsman_parse_response(no_shell, strlen(no_shell), &r, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "ShellId"));
    CU_ASSERT_PTR_NULL(r.action); /* cleared on error */
    const char *bad_exit =
        "<s:Envelope xmlns:s=\"" WSMAN_NS_SOAP "\" xmlns:a=\"" WSMAN_NS_ADDRESSING "\" xmlns:rsp=\""
        WSMAN_NS_SHELL "\"><s:Header><a:Action>" WSMAN_ACTION_RECEIVE_RESPONSE "</a:Action>"
        "</s:Header><s:Body><rsp:ReceiveResponse><rsp:CommandState State=\"" WSMAN_STATE_DONE
        "\"><rsp:ExitCode>12x</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body>"
        "</s:Envelope>";
    check_both_paths(bad_exit, strlen(bad_exit));
    CU_ASSERT_EQUAL(wsman_parse_response(bad_exit, strlen(bad_exit), &r, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "ExitCode"));
}

static const psr_unit_test tests[] = {
    {"MS-WSMV 4.7.1 create response", test_spec_create_response},
    {"MS-WSMV 4.7.2 command response", test_spec_command_response},
    {"MS-WSMV 4.7.3 receive response", test_spec_receive_response},
    {"MS-WSMV empty responses", test_spec_empty_responses},
    {"real WinRM responses", test_real_winrm_responses},
    {"identify round trip", test_identify_round_trip},
    {"create round trip", test_create_round_trip},
    {"command round trip", test_command_round_trip},
    {"empty responses round trip", test_empty_round_trips},
    {"receive round trip", test_receive_round_trip},
    {"large receive", test_large_receive},
    {"fault TimedOut", test_fault_timed_out},
    {"faults InvalidSelectors AccessDenied EncodingLimit SchemaValidation", test_fault_fixtures},
    {"fault MS-WSMV 4.10 ProviderFault", test_fault_provider},
    {"fault round trip", test_fault_round_trip},
    {"fault to error fallbacks", test_fault_to_error_fallbacks},
    {"response errors", test_response_errors},
    {NULL, NULL},
};

PSR_UNIT_MAIN("wsman responses", tests)
