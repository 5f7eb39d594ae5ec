/* test_wsman_request.c: client request builders, checked by parsing them back
 * with the server-side parser and against the MS-WSMV 4.7 examples and the
 * envelopes pywinrm really sends (fixtures/wsman/). */
#include "wsman/wsman.h"
#include "wsman/xml.h"
#include "unit.h"

#include <string.h>

#define SHELL "0A442A7F-4627-43AE-8751-900B509F0A1F"
#define CMDID "77DF7BB6-B5A0-4777-ABD9-9823C0774074"

static wsman_request_header winrs_header(const char *shell_id)
{
    wsman_request_header h = {
        .to = "http://localhost:80/wsman",
        .resource_uri = WSMAN_RESOURCE_CMD,
        .message_id = "uuid:AF6A2E07-BA33-496E-8AFA-E77D241A2F2F",
        .shell_id = shell_id,
    };
    return h;
}

static int parse_fixture_request(const char *name, wsman_request *r)
{
    size_t len = 0;
    char *xml = psr_unit_read_fixture(name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    psr_error err;
    int rc = wsman_parse_request(xml, len, r, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", name, err.message);
    free(xml);
    return rc;
}

static int parse_buf(const psr_buf *b, wsman_request *r)
{
    psr_error err;
    int rc = wsman_parse_request(b->data, b->len, r, &err);
    if (rc)
        fprintf(stderr, "parse: %s\n%s\n", err.message, b->data);
    return rc;
}

/* The fields both envelopes must agree on, whatever the prefixes and spacing. */
static void assert_same_common(const wsman_request *a, const wsman_request *b)
{
    CU_ASSERT_EQUAL(a->kind, b->kind);
    CU_ASSERT_STRING_EQUAL(a->action, b->action);
    CU_ASSERT_STRING_EQUAL(a->resource_uri, b->resource_uri);
    CU_ASSERT_STRING_EQUAL(a->reply_to, b->reply_to);
    CU_ASSERT_EQUAL(a->max_envelope_size, b->max_envelope_size);
    CU_ASSERT_STRING_EQUAL(a->locale, b->locale);
}

static void test_identify(void)
{
    psr_buf b = {0};
    CU_ASSERT_EQUAL(wsman_build_identify(&b), 0);
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_IDENTIFY);
    CU_ASSERT_PTR_NULL(r.action);
    /* winrm id sends no addressing headers at all */
    CU_ASSERT_PTR_NULL(strstr(b.data, "Action"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, WSMAN_NS_IDENTITY));
    wsman_request_clear(&r);
    psr_buf_free(&b);
}

static void test_header_fields(void)
{
    wsman_option opts[] = {{"protocolversion", "2.3", 1}};
    wsman_request_header h = winrs_header(SHELL);
    h.resource_uri = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell";
    h.options = opts;
    h.n_options = 1;
    h.max_envelope_size = 512000;
    h.locale = "de-DE";
    h.session_id = "uuid:11111111-2222-3333-4444-555555555555";
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_delete_shell(&b, &h), 0);
    /* The default OperationTimeout is PowerShell's, written the way it writes it. */
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:OperationTimeout>PT180.000S</w:OperationTimeout>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<a:Action s:mustUnderstand=\"true\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:ResourceURI s:mustUnderstand=\"true\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<a:Address s:mustUnderstand=\"true\">" WSMAN_ANONYMOUS));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:MaxEnvelopeSize s:mustUnderstand=\"true\">512000<"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:Locale xml:lang=\"de-DE\" s:mustUnderstand=\"false\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:Option Name=\"protocolversion\" MustComply=\"true\">2.3<"));
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_DELETE);
    CU_ASSERT_STRING_EQUAL(r.to, "http://localhost:80/wsman");
    CU_ASSERT_STRING_EQUAL(r.message_id, h.message_id);
    CU_ASSERT_STRING_EQUAL(r.reply_to, WSMAN_ANONYMOUS);
    CU_ASSERT_STRING_EQUAL(r.shell_id, SHELL);
    CU_ASSERT_EQUAL(r.max_envelope_size, 512000);
    CU_ASSERT_EQUAL(r.operation_timeout_ms, 180000);
    CU_ASSERT_STRING_EQUAL(r.locale, "de-DE");
    CU_ASSERT_STRING_EQUAL(r.data_locale, "de-DE");
    CU_ASSERT_STRING_EQUAL(r.session_id, h.session_id);
    CU_ASSERT_EQUAL_FATAL(r.n_options, 1);
    CU_ASSERT_TRUE(r.options[0].must_comply);
    CU_ASSERT_STRING_EQUAL(wsman_request_option(&r, "ProtocolVersion"), "2.3");
    CU_ASSERT_PTR_NULL(wsman_request_option(&r, "missing"));
    wsman_request_clear(&r);
    wsman_request_clear(&r); /* twice is harmless */
    psr_buf_free(&b);
}

/* MS-WSMV 4.7.1: WinRS Create with NOPROFILE and CODEPAGE options. */
static void test_create_winrs_matches_spec(void)
{
    wsman_option opts[] = {{"WINRS_NOPROFILE", "TRUE", 0}, {"WINRS_CODEPAGE", "437", 0}};
    wsman_env_var env[] = {{"test", "1"}};
    wsman_request_header h = winrs_header(NULL);
    h.options = opts;
    h.n_options = 2;
    h.operation_timeout_ms = 60000;
    wsman_shell_spec spec = {.input_streams = "stdin", .output_streams = "stdout stderr",
                             .working_directory = "d:\\windows", .env = env, .n_env = 1};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_create_shell(&b, &h, &spec), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:OperationTimeout>PT60.000S</w:OperationTimeout>"));
    wsman_request ours, spec_req;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/wsmv_4_7_1_create_request.xml", &spec_req), 0);
    assert_same_common(&ours, &spec_req);
    CU_ASSERT_EQUAL(ours.kind, WSMAN_REQ_CREATE);
    CU_ASSERT_STRING_EQUAL(ours.message_id, spec_req.message_id);
    CU_ASSERT_EQUAL(ours.operation_timeout_ms, spec_req.operation_timeout_ms);
    CU_ASSERT_PTR_NULL(ours.shell_id);
    CU_ASSERT_EQUAL_FATAL(ours.n_options, spec_req.n_options);
    for (size_t i = 0; i < ours.n_options; i++) {
        CU_ASSERT_STRING_EQUAL(ours.options[i].name, spec_req.options[i].name);
        CU_ASSERT_STRING_EQUAL(ours.options[i].value, spec_req.options[i].value);
    }
    CU_ASSERT_STRING_EQUAL(ours.input_streams, spec_req.input_streams);
    CU_ASSERT_STRING_EQUAL(ours.output_streams, spec_req.output_streams);
    CU_ASSERT_STRING_EQUAL(ours.working_directory, spec_req.working_directory);
    CU_ASSERT_EQUAL_FATAL(ours.n_env, 1);
    CU_ASSERT_EQUAL_FATAL(spec_req.n_env, 1);
    CU_ASSERT_STRING_EQUAL(ours.env[0].name, spec_req.env[0].name);
    CU_ASSERT_STRING_EQUAL(ours.env[0].value, spec_req.env[0].value);
    wsman_request_clear(&ours);
    wsman_request_clear(&spec_req);
    psr_buf_free(&b);
}

/* The WinRS client passes UTF-8 code page and no-profile options. */
static void test_create_winrs_options_utf8(void)
{
    wsman_option opts[] = {{"WINRS_NOPROFILE", "TRUE", 0}, {"WINRS_CODEPAGE", "65001", 0}};
    wsman_request_header h = winrs_header(NULL);
    h.options = opts;
    h.n_options = 2;
    wsman_shell_spec spec = {.input_streams = "stdin", .output_streams = "stdout stderr",
                             .idle_timeout_s = 7200};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_create_shell(&b, &h, &spec), 0);
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_STRING_EQUAL(wsman_request_option(&r, "WINRS_CODEPAGE"), "65001");
    CU_ASSERT_STRING_EQUAL(wsman_request_option(&r, "WINRS_NOPROFILE"), "TRUE");
    CU_ASSERT_FALSE(r.options[0].must_comply);
    CU_ASSERT_EQUAL(r.idle_timeout_ms, 7200000);
    CU_ASSERT_PTR_NULL(r.creation_xml);
    wsman_request_clear(&r);
    psr_buf_free(&b);
}

/* DESIGN.md step 1: PSRP Create carries the ShellId, streams "stdin pr" and creationXml. */
static void test_create_psrp(void)
{
    wsman_option opts[] = {{"protocolversion", "2.3", 1}};
    wsman_request_header h = winrs_header(NULL);
    h.resource_uri = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell";
    h.options = opts;
    h.n_options = 1;
    wsman_shell_spec spec = {.shell_id = "9A3C8C6E-58A5-4A5B-9C2B-43F0AE1D7E1F",
                             .name = "Runspace1", .input_streams = "stdin pr",
                             .output_streams = "stdout", .creation_xml_b64 = "AAAAAAAAAAEAAAA="};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_create_shell(&b, &h, &spec), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<creationXml xmlns=\"" WSMAN_NS_POWERSHELL "\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<w:OptionSet xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" s:mustUnderstand=\"true\">"));
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.requested_shell_id, spec.shell_id);
    CU_ASSERT_STRING_EQUAL(r.input_streams, "stdin pr");
    CU_ASSERT_STRING_EQUAL(r.output_streams, "stdout");
    CU_ASSERT_STRING_EQUAL(r.creation_xml, "AAAAAAAAAAEAAAA=");
    CU_ASSERT_STRING_EQUAL(r.resource_uri, h.resource_uri);
    wsman_request_clear(&r);
    psr_buf_free(&b);
}

/* MS-WSMV 4.7.2: Command "del /p d:\temp\out.txt" with the WinRS options. */
static void test_command_matches_spec(void)
{
    wsman_option opts[] = {{"WINRS_CONSOLEMODE_STDIN", "TRUE", 0},
                           {"WINRS_SKIP_CMD_SHELL", "FALSE", 0}};
    const char *args[] = {"/p", "d:\\temp\\out.txt"};
    wsman_request_header h = winrs_header(SHELL);
    h.options = opts;
    h.n_options = 2;
    wsman_command_spec spec = {.command = "del", .arguments = args, .n_arguments = 2};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_command(&b, &h, &spec), 0);
    wsman_request ours, spec_req;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/wsmv_4_7_2_command_request.xml", &spec_req), 0);
    assert_same_common(&ours, &spec_req);
    CU_ASSERT_STRING_EQUAL(spec_req.shell_id, "uuid:" SHELL);
    CU_ASSERT_STRING_EQUAL(ours.shell_id, SHELL);
    CU_ASSERT_STRING_EQUAL(ours.command, spec_req.command);
    CU_ASSERT_EQUAL_FATAL(ours.n_arguments, spec_req.n_arguments);
    for (size_t i = 0; i < ours.n_arguments; i++)
        CU_ASSERT_STRING_EQUAL(ours.arguments[i], spec_req.arguments[i]);
    CU_ASSERT_STRING_EQUAL(wsman_request_option(&ours, "WINRS_SKIP_CMD_SHELL"),
                           wsman_request_option(&spec_req, "WINRS_SKIP_CMD_SHELL"));
    CU_ASSERT_STRING_EQUAL(wsman_request_option(&ours, "WINRS_CONSOLEMODE_STDIN"),
                           wsman_request_option(&spec_req, "WINRS_CONSOLEMODE_STDIN"));
    CU_ASSERT_PTR_NULL(ours.command_id);
    wsman_request_clear(&ours);
    wsman_request_clear(&spec_req);
    psr_buf_free(&b);
}

static void test_command_psrp(void)
{
    const char *args[] = {"AAAAAAAAAAMAAAAAAAAAAAMAAAAB"};
    wsman_request_header h = winrs_header(SHELL);
    wsman_command_spec spec = {.command_id = CMDID, .command = " ", .arguments = args,
                               .n_arguments = 1};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_command(&b, &h, &spec), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<rsp:CommandLine CommandId=\"" CMDID "\">"));
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_COMMAND);
    CU_ASSERT_STRING_EQUAL(r.command_id, CMDID);
    CU_ASSERT_EQUAL_FATAL(r.n_arguments, 1);
    CU_ASSERT_STRING_EQUAL(r.arguments[0], args[0]);
    wsman_request_clear(&r);
    psr_buf_free(&b);
}

/* MS-WSMV 4.7.4: Send "y\r\n" (eQ0K) on stdin. */
static void test_send_matches_spec(void)
{
    wsman_request_header h = winrs_header(SHELL);
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_send(&b, &h, CMDID, "stdin", "y\r\n", 3, 0), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, ">eQ0K</rsp:Stream>"));
    wsman_request ours, spec_req;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/wsmv_4_7_4_send_request.xml", &spec_req), 0);
    assert_same_common(&ours, &spec_req);
    CU_ASSERT_EQUAL_FATAL(ours.n_streams, 1);
    CU_ASSERT_EQUAL_FATAL(spec_req.n_streams, 1);
    CU_ASSERT_STRING_EQUAL(ours.streams[0].name, spec_req.streams[0].name);
    CU_ASSERT_EQUAL(ours.streams[0].data.len, spec_req.streams[0].data.len);
    CU_ASSERT_EQUAL(memcmp(ours.streams[0].data.data, spec_req.streams[0].data.data, 3), 0);
    CU_ASSERT_EQUAL(memcmp(spec_req.streams[0].data.data, "y\r\n", 3), 0);
    CU_ASSERT_STRING_EQUAL(spec_req.command_id, "77df7bb6-b5a0-4777-abd9-9823c0774074");
    CU_ASSERT_STRING_EQUAL(ours.command_id, CMDID);
    CU_ASSERT_FALSE(ours.streams[0].end);
    wsman_request_clear(&ours);
    wsman_request_clear(&spec_req);
    psr_buf_free(&b);
}

static void test_send_end_and_binary(void)
{
    unsigned char data[256];
    for (int i = 0; i < 256; i++)
        data[i] = (unsigned char)i;
    wsman_request_header h = winrs_header(SHELL);
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_send(&b, &h, NULL, "pr", data, sizeof(data), 1), 0);
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_EQUAL_FATAL(r.n_streams, 1);
    CU_ASSERT_TRUE(r.streams[0].end);
    CU_ASSERT_PTR_NULL(r.streams[0].command_id);
    CU_ASSERT_STRING_EQUAL(r.streams[0].name, "pr");
    CU_ASSERT_EQUAL(r.streams[0].data.len, sizeof(data));
    CU_ASSERT_EQUAL(memcmp(r.streams[0].data.data, data, sizeof(data)), 0);
    wsman_request_clear(&r);
    psr_buf_free(&b);
}

/* MS-WSMV 4.7.3: Receive stdout and stderr of a command. */
static void test_receive_matches_spec(void)
{
    wsman_request_header h = winrs_header(SHELL);
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_receive(&b, &h, CMDID, "stdout stderr"), 0);
    wsman_request ours, spec_req;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/wsmv_4_7_3_receive_request.xml", &spec_req), 0);
    assert_same_common(&ours, &spec_req);
    CU_ASSERT_STRING_EQUAL(ours.desired_streams, spec_req.desired_streams);
    CU_ASSERT_STRING_EQUAL(ours.desired_streams, "stdout stderr");
    CU_ASSERT_STRING_EQUAL(ours.command_id, CMDID);
    CU_ASSERT_STRING_EQUAL(spec_req.command_id, "77df7bb6-b5a0-4777-abd9-9823c0774074");
    wsman_request_clear(&ours);
    wsman_request_clear(&spec_req);
    /* shell-level Receive (PSRP runspace pool) has no CommandId */
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(wsman_build_receive(&b, &h, NULL, "stdout"), 0);
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_PTR_NULL(ours.command_id);
    wsman_request_clear(&ours);
    psr_buf_free(&b);
}

/* MS-WSMV 4.7.5: Signal ctrl_c; and PowerShell's own stop code, spelt as it spells it. */
static void test_signal_matches_spec(void)
{
    wsman_request_header h = winrs_header(SHELL);
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_signal(&b, &h, CMDID, WSMAN_SIGNAL_CTRL_C), 0);
    wsman_request ours, spec_req;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/wsmv_4_7_5_signal_request.xml", &spec_req), 0);
    assert_same_common(&ours, &spec_req);
    CU_ASSERT_STRING_EQUAL(ours.signal_code, spec_req.signal_code);
    CU_ASSERT_STRING_EQUAL(spec_req.command_id, "3cb05d74-af20-4ff1-b318-2c6cc0f99045");
    wsman_request_clear(&ours);
    wsman_request_clear(&spec_req);
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(wsman_build_signal(&b, &h, CMDID, WSMAN_SIGNAL_PS_CTRL_C), 0);
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_STRING_EQUAL(ours.signal_code, "powershell/signal/crtl_c");
    wsman_request_clear(&ours);
    psr_buf_free(&b);
}

/* MS-WSMV 4.7.8: Delete has an empty body and the ShellId selector. */
static void test_delete_matches_spec(void)
{
    wsman_request_header h = winrs_header(SHELL);
    h.operation_timeout_ms = 60000;
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_delete_shell(&b, &h), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<s:Body></s:Body>"));
    wsman_request ours, spec_req;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &ours), 0);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/wsmv_4_7_8_delete_request.xml", &spec_req), 0);
    assert_same_common(&ours, &spec_req);
    CU_ASSERT_EQUAL(ours.operation_timeout_ms, spec_req.operation_timeout_ms);
    CU_ASSERT_STRING_EQUAL(spec_req.shell_id, "uuid:1C5CCAB0-F418-44D8-9C43-E42AA1D5150C");
    wsman_request_clear(&ours);
    wsman_request_clear(&spec_req);
    psr_buf_free(&b);
}

/* pywinrm 0.3.0's real requests (unprefixed mustUnderstand, env: prefix, PT20S). */
static void test_pywinrm_requests(void)
{
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/pywinrm_create_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_CREATE);
    CU_ASSERT_EQUAL(r.operation_timeout_ms, 20000);
    CU_ASSERT_STRING_EQUAL(r.working_directory, "C:\\Users");
    CU_ASSERT_STRING_EQUAL(wsman_request_option(&r, "WINRS_CODEPAGE"), "437");
    CU_ASSERT_EQUAL_FATAL(r.n_env, 1);
    CU_ASSERT_STRING_EQUAL(r.env[0].name, "PATH");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/pywinrm_command_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_COMMAND);
    CU_ASSERT_STRING_EQUAL(r.command, "ipconfig");
    CU_ASSERT_EQUAL_FATAL(r.n_arguments, 1);
    CU_ASSERT_STRING_EQUAL(r.arguments[0], "/all");
    CU_ASSERT_STRING_EQUAL(r.shell_id, "67A74734-DD32-4F10-89DE-49A060483810");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/pywinrm_receive_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_RECEIVE);
    CU_ASSERT_STRING_EQUAL(r.command_id, "1A6DEE6B-EC68-4DD6-87E9-030C0048ECC4");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/pywinrm_signal_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_SIGNAL);
    /* pywinrm writes terminate in lower case; Windows accepts it */
    CU_ASSERT_STRING_EQUAL(r.signal_code,
                           "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/pywinrm_delete_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_DELETE);
    wsman_request_clear(&r);
}

/* masterzen/winrm's real requests (PT60S, CDATA command lines, End="true"). */
static void test_masterzen_requests(void)
{
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/masterzen_create_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_CREATE);
    CU_ASSERT_EQUAL(r.operation_timeout_ms, 60000);
    CU_ASSERT_STRING_EQUAL(r.input_streams, "stdin");
    CU_ASSERT_STRING_EQUAL(r.output_streams, "stdout stderr");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/masterzen_command_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_COMMAND);
    CU_ASSERT_STRING_EQUAL(r.command, "ipconfig");
    CU_ASSERT_EQUAL_FATAL(r.n_arguments, 1);
    CU_ASSERT_STRING_EQUAL(r.arguments[0], "/all");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/masterzen_send_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_SEND);
    CU_ASSERT_EQUAL_FATAL(r.n_streams, 1);
    CU_ASSERT_TRUE(r.streams[0].end);
    CU_ASSERT_EQUAL(r.streams[0].data.len, 3);
    CU_ASSERT_EQUAL(memcmp(r.streams[0].data.data, "y\r\n", 3), 0);
    CU_ASSERT_STRING_EQUAL(r.command_id, "1A6DEE6B-EC68-4DD6-87E9-030C0048ECC4");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/masterzen_receive_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_RECEIVE);
    CU_ASSERT_STRING_EQUAL(r.desired_streams, "stdout stderr");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/masterzen_signal_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_SIGNAL);
    CU_ASSERT_STRING_EQUAL(r.shell_id, "67A74734-DD32-4F10-89DE-49A060483810");
    wsman_request_clear(&r);
    CU_ASSERT_EQUAL_FATAL(parse_fixture_request("wsman/masterzen_delete_request.xml", &r), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_DELETE);
    wsman_request_clear(&r);
}

static void test_builder_errors_leave_buffer(void)
{
    psr_buf b = {0};
    psr_buf_puts(&b, "keep");
    wsman_request_header h = winrs_header(SHELL);
    const char *bad_args[] = {"a\001b"};
    wsman_command_spec bad = {.command = "x", .arguments = bad_args, .n_arguments = 1};
    CU_ASSERT_EQUAL(wsman_build_command(&b, &h, &bad), PSR_E_INVALID);
    CU_ASSERT_STRING_EQUAL(b.data, "keep");
    wsman_command_spec bad_utf8 = {.command = "\xc3\x28"};
    CU_ASSERT_EQUAL(wsman_build_command(&b, &h, &bad_utf8), PSR_E_INVALID);
    CU_ASSERT_EQUAL(b.len, 4);
    wsman_request_header no_shell = winrs_header(NULL);
    CU_ASSERT_EQUAL(wsman_build_receive(&b, &no_shell, NULL, "stdout"), PSR_E_INVALID);
    wsman_shell_spec no_streams = {.input_streams = "stdin"};
    CU_ASSERT_EQUAL(wsman_build_create_shell(&b, &h, &no_streams), PSR_E_INVALID);
    CU_ASSERT_STRING_EQUAL(b.data, "keep");
    psr_buf_free(&b);
}

/* Markup and line breaks in values come back exactly. */
static void test_escaping_round_trip(void)
{
    const char *args[] = {"<a href=\"x\">&amp;</a>", "line1\r\nline2\ttab"};
    wsman_env_var env[] = {{"X\"Y", "v<&>\"'"}};
    wsman_request_header h = winrs_header(SHELL);
    wsman_command_spec spec = {.command = "echo 'it'", .arguments = args, .n_arguments = 2};
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_command(&b, &h, &spec), 0);
    wsman_request r;
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.command, "echo 'it'");
    CU_ASSERT_STRING_EQUAL(r.arguments[0], args[0]);
    CU_ASSERT_STRING_EQUAL(r.arguments[1], args[1]);
    wsman_request_clear(&r);
    psr_buf_reset(&b);
    wsman_shell_spec sh = {.input_streams = "stdin", .output_streams = "stdout", .env = env,
                           .n_env = 1};
    CU_ASSERT_EQUAL_FATAL(wsman_build_create_shell(&b, &h, &sh), 0);
    CU_ASSERT_EQUAL_FATAL(parse_buf(&b, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.env[0].name, "X\"Y");
    CU_ASSERT_STRING_EQUAL(r.env[0].value, "v<&>\"'");
    wsman_request_clear(&r);
    psr_buf_free(&b);
}

/* The escaper's exact output: markup always replaced, CR always, tab, LF
 * and quote only in attributes; UTF-8 kept; control characters and bad
 * UTF-8 refused with the buffer as it was, even after text was written. */
static void test_escaper_bytes(void)
{
    psr_buf b = {0};
    psr_buf_puts(&b, "k");
    CU_ASSERT_EQUAL(wsman_put_text(&b, "a&b<c>d\"e\tf\ng\rh \xc3\xa9 \xe2\x82\xac"), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "ka&amp;b&lt;c&gt;d\"e\tf\ng&#13;h \xc3\xa9 \xe2\x82\xac");
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(wsman_put_attr(&b, "N", "q\"t\tl\nr\r&"), 0);
    CU_ASSERT_STRING_EQUAL(b.data, " N=\"q&quot;t&#9;l&#10;r&#13;&amp;\"");
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(wsman_put_text(&b, ""), 0);
    CU_ASSERT_EQUAL(b.len, 0);
    psr_buf_puts(&b, "keep");
    CU_ASSERT_EQUAL(wsman_put_text(&b, "x&y\x01"), PSR_E_INVALID);
    CU_ASSERT_STRING_EQUAL(b.data, "keep");
    CU_ASSERT_EQUAL(wsman_put_text(&b, "&&& \xc3\xa9 \xc3"), PSR_E_INVALID);
    CU_ASSERT_STRING_EQUAL(b.data, "keep");
    CU_ASSERT_EQUAL(wsman_put_text(&b, "\xff"), PSR_E_INVALID);
    CU_ASSERT_EQUAL(b.len, 4);
    for (int c = 1; c < 0x20; c++) {
        char one[2] = {(char)c, 0};
        int expect = c == '\t' || c == '\n' || c == '\r' ? 0 : PSR_E_INVALID;
        CU_ASSERT_EQUAL(wsman_put_text(&b, one), expect);
    }
    /* every special at every offset of a block, so the 16-byte scan and
     * the byte-at-a-time finish both see each of them */
    const char *specials = "&<>\"\r\x01\xc3";
    for (const char *sp = specials; *sp; sp++) {
        for (size_t at = 0; at < 40; at++) {
            char in[48];
            memset(in, 'A', sizeof(in));
            in[sizeof(in) - 1] = '\0';
            in[at] = *sp;
            if (*sp == '\xc3')
                in[at + 1] = '\xa9'; /* a whole two-byte sequence */
            psr_buf got = {0}, expect = {0};
            int rc = wsman_put_text(&got, in);
            if (*sp == '\x01') {
                CU_ASSERT_EQUAL(rc, PSR_E_INVALID);
                CU_ASSERT_EQUAL(got.len, 0);
                psr_buf_free(&got);
                continue;
            }
            const char *rep = *sp == '&'    ? "&amp;"
                              : *sp == '<'  ? "&lt;"
                              : *sp == '>'  ? "&gt;"
                              : *sp == '\r' ? "&#13;"
                                            : NULL;
            psr_buf_append(&expect, in, at);
            if (rep)
                psr_buf_puts(&expect, rep);
            else
                psr_buf_putc(&expect, in[at]);
            psr_buf_puts(&expect, in + at + 1);
            CU_ASSERT_EQUAL(rc, 0);
            CU_ASSERT_STRING_EQUAL(got.data, expect.data);
            psr_buf_free(&got);
            psr_buf_free(&expect);
        }
    }
    /* a long run of plain text between specials, as base64 arguments are */
    psr_buf big = {0}, want = {0};
    for (int i = 0; i < 5000; i++) {
        psr_buf_puts(&big, "QUJD+/=");
        psr_buf_puts(&want, "QUJD+/=");
    }
    psr_buf_puts(&big, "<");
    psr_buf_puts(&want, "&lt;");
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(wsman_put_text(&b, big.data), 0);
    CU_ASSERT_EQUAL(b.len, want.len);
    CU_ASSERT_STRING_EQUAL(b.data, want.data);
    psr_buf_free(&big);
    psr_buf_free(&want);
    psr_buf_free(&b);
}

static void test_unknown_action(void)
{
    const char *xml =
        "<s:Envelope xmlns:s=\"" WSMAN_NS_SOAP "\" xmlns:a=\"" WSMAN_NS_ADDRESSING "\">"
        "<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate"
        "</a:Action><a:MessageID>uuid:1</a:MessageID></s:Header><s:Body/></s:Envelope>";
    wsman_request r;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(wsman_parse_request(xml, strlen(xml), &r, &err), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_REQ_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(r.message_id, "uuid:1");
    wsman_request_clear(&r);
}

static void test_duration(void)
{
    uint32_t ms = 0;
    CU_ASSERT_EQUAL(wsman_duration_parse("PT180.000S", &ms), 0);
    CU_ASSERT_EQUAL(ms, 180000);
    CU_ASSERT_EQUAL(wsman_duration_parse("PT20S", &ms), 0);
    CU_ASSERT_EQUAL(ms, 20000);
    CU_ASSERT_EQUAL(wsman_duration_parse("P0DT0H0M1S", &ms), 0);
    CU_ASSERT_EQUAL(ms, 1000);
    CU_ASSERT_EQUAL(wsman_duration_parse("PT1M0.5S", &ms), 0);
    CU_ASSERT_EQUAL(ms, 60500);
    CU_ASSERT_EQUAL(wsman_duration_parse("P1D", &ms), 0);
    CU_ASSERT_EQUAL(ms, 86400000);
    CU_ASSERT_EQUAL(wsman_duration_parse("P1Y", &ms), -1);
    CU_ASSERT_EQUAL(wsman_duration_parse("PT", &ms), -1);
    CU_ASSERT_EQUAL(wsman_duration_parse("180", &ms), -1);
    CU_ASSERT_EQUAL(wsman_duration_parse("PT99999999999S", &ms), -1);
    psr_buf b = {0};
    CU_ASSERT_EQUAL(wsman_duration_format(&b, 1500), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "PT1.500S");
    psr_buf_free(&b);
}

static const psr_unit_test tests[] = {
    {"identify", test_identify},
    {"header fields", test_header_fields},
    {"create WinRS = MS-WSMV 4.7.1", test_create_winrs_matches_spec},
    {"create WinRS UTF-8 options", test_create_winrs_options_utf8},
    {"create PSRP", test_create_psrp},
    {"command = MS-WSMV 4.7.2", test_command_matches_spec},
    {"command PSRP", test_command_psrp},
    {"send = MS-WSMV 4.7.4", test_send_matches_spec},
    {"send end and binary", test_send_end_and_binary},
    {"receive = MS-WSMV 4.7.3", test_receive_matches_spec},
    {"signal = MS-WSMV 4.7.5", test_signal_matches_spec},
    {"delete = MS-WSMV 4.7.8", test_delete_matches_spec},
    {"pywinrm requests", test_pywinrm_requests},
    {"masterzen/winrm requests", test_masterzen_requests},
    {"builder errors", test_builder_errors_leave_buffer},
    {"escaping round trip", test_escaping_round_trip},
    {"escaper bytes", test_escaper_bytes},
    {"unknown action", test_unknown_action},
    {"xs:duration", test_duration},
    {NULL, NULL},
};

PSR_UNIT_MAIN("wsman requests", tests)
