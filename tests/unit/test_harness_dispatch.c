/* test_harness_dispatch.c: the harness's request dispatch in process, with
 * requests built by wsman/'s client builders and replies read back by its
 * response parser: the shapes Windows uses (RelatesTo, upper-case ShellId,
 * CommandState Done with ExitCode, the TimedOut and InvalidSelectors faults
 * with their WSManFault codes), and replies that fit the client's
 * MaxEnvelopeSize. */
#include "src/harness/harness.h"
#include "unit.h"
#include "wsman/wsman.h"

#include <string.h>

typedef struct fixture {
    harness_winrs *winrs;
    harness_options opts;
    harness_dispatch_ctx ctx;
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->winrs = harness_winrs_new();
    f->opts.operation_timeout_max_ms = 60000;
    f->opts.max_envelope_size = 153600;
    f->ctx = (harness_dispatch_ctx){f->winrs, &f->opts, "testhost", NULL};
}

static void teardown(fixture *f)
{
    harness_winrs_free(f->winrs);
}

static wsman_request_header hdr(const char *shell_id, const char *message_id)
{
    wsman_request_header h = {0};
    h.to = "http://127.0.0.1:5985/wsman";
    h.resource_uri = WSMAN_RESOURCE_CMD;
    h.message_id = message_id;
    h.shell_id = shell_id;
    return h;
}

/* Dispatches req and parses the reply into resp; returns the HTTP status. */
static int roundtrip(fixture *f, const psr_buf *req, wsman_response *resp, psr_buf *raw)
{
    psr_buf reply = {0};
    int status = harness_dispatch(&f->ctx, req->data, req->len, 0, &reply, NULL);
    psr_error err = {0};
    memset(resp, 0, sizeof(*resp));
    CU_ASSERT_EQUAL(wsman_parse_response(reply.data, reply.len, resp, &err), 0);
    if (raw) {
        psr_buf_reset(raw);
        psr_buf_append(raw, reply.data, reply.len);
    }
    psr_buf_free(&reply);
    return status;
}

static void create_shell(fixture *f, char *shell_id)
{
    psr_buf req = {0};
    wsman_request_header h = hdr(NULL, "uuid:00000000-0000-0000-0000-000000000001");
    wsman_env_var env[] = {{"PSR_VAR", "v a l"}};
    wsman_shell_spec spec = {0};
    spec.input_streams = "stdin";
    spec.output_streams = "stdout stderr";
    spec.working_directory = "/";
    spec.env = env;
    spec.n_env = 1;
    CU_ASSERT_EQUAL_FATAL(wsman_build_create_shell(&req, &h, &spec), 0);
    wsman_response resp;
    CU_ASSERT_EQUAL(roundtrip(f, &req, &resp, NULL), 200);
    CU_ASSERT_EQUAL(resp.kind, WSMAN_RESP_CREATE);
    CU_ASSERT_STRING_EQUAL(resp.relates_to, "uuid:00000000-0000-0000-0000-000000000001");
    CU_ASSERT_PTR_NOT_NULL_FATAL(resp.shell_id);
    CU_ASSERT_EQUAL(strlen(resp.shell_id), 36);
    for (const char *p = resp.shell_id; *p; p++)
        CU_ASSERT(!(*p >= 'a' && *p <= 'z'));
    strcpy(shell_id, resp.shell_id);
    wsman_response_clear(&resp);
    psr_buf_free(&req);
}

static void run_command(fixture *f, const char *shell_id, const char *command,
                        const char *const *args, size_t n_args, char *command_id)
{
    psr_buf req = {0};
    wsman_request_header h = hdr(shell_id, "uuid:00000000-0000-0000-0000-000000000002");
    wsman_command_spec c = {NULL, command, args, n_args};
    CU_ASSERT_EQUAL_FATAL(wsman_build_command(&req, &h, &c), 0);
    wsman_response resp;
    CU_ASSERT_EQUAL(roundtrip(f, &req, &resp, NULL), 200);
    CU_ASSERT_EQUAL(resp.kind, WSMAN_RESP_COMMAND);
    CU_ASSERT_PTR_NOT_NULL_FATAL(resp.command_id);
    strcpy(command_id, resp.command_id);
    wsman_response_clear(&resp);
    psr_buf_free(&req);
}

/* Receives until Done; collects stdout/stderr; returns the exit code. */
static int receive_all(fixture *f, const char *shell_id, const char *command_id,
                       uint32_t max_envelope, psr_buf *out, psr_buf *err, size_t *max_reply)
{
    for (int i = 0; i < 1000; i++) {
        psr_buf req = {0}, raw = {0};
        wsman_request_header h = hdr(shell_id, "uuid:00000000-0000-0000-0000-000000000003");
        h.max_envelope_size = max_envelope;
        h.operation_timeout_ms = 5000;
        CU_ASSERT_EQUAL_FATAL(wsman_build_receive(&req, &h, command_id, "stdout stderr"), 0);
        wsman_response resp;
        int status = roundtrip(f, &req, &resp, &raw);
        psr_buf_free(&req);
        if (max_reply && raw.len > *max_reply)
            *max_reply = raw.len;
        psr_buf_free(&raw);
        if (status != 200 || resp.kind != WSMAN_RESP_RECEIVE) {
            wsman_response_clear(&resp);
            return -1;
        }
        for (size_t s = 0; s < resp.n_streams; s++) {
            psr_buf *dst = strcmp(resp.streams[s].name, "stderr") == 0 ? err : out;
            psr_buf_append(dst, resp.streams[s].data.data ? resp.streams[s].data.data : "",
                           resp.streams[s].data.len);
        }
        int done = resp.command_state && strcmp(resp.command_state, WSMAN_STATE_DONE) == 0;
        int code = resp.has_exit_code ? resp.exit_code : -2;
        wsman_response_clear(&resp);
        if (done)
            return code;
    }
    return -3;
}

static void test_create_command_receive(void)
{
    fixture f;
    setup(&f);
    char shell[64], cmd[64];
    create_shell(&f, shell);
    const char *args[] = {"$PSR_VAR", "a  b"};
    run_command(&f, shell, "echo \"$PSR_VAR\" \"$(pwd)\"; printf '%s|' ", args, 2, cmd);
    psr_buf out = {0}, err = {0};
    CU_ASSERT_EQUAL(receive_all(&f, shell, cmd, 0, &out, &err, NULL), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "v a l /\n$PSR_VAR|a  b|");
    CU_ASSERT_EQUAL(err.len, 0);
    psr_buf_free(&out);
    psr_buf_free(&err);

    run_command(&f, shell, "echo e >&2; exit 42", NULL, 0, cmd);
    CU_ASSERT_EQUAL(receive_all(&f, shell, cmd, 0, &out, &err, NULL), 42);
    CU_ASSERT_STRING_EQUAL(err.data, "e\n");
    psr_buf_free(&out);
    psr_buf_free(&err);
    teardown(&f);
}

static void test_replies_fit_max_envelope_size(void)
{
    fixture f;
    setup(&f);
    char shell[64], cmd[64];
    create_shell(&f, shell);
    run_command(&f, shell, "head -c 50000 /dev/urandom", NULL, 0, cmd);
    psr_buf out = {0}, err = {0};
    size_t max_reply = 0;
    CU_ASSERT_EQUAL(receive_all(&f, shell, cmd, 8192, &out, &err, &max_reply), 0);
    CU_ASSERT_EQUAL(out.len, 50000);
    CU_ASSERT(max_reply <= 8192);
    psr_buf_free(&out);
    psr_buf_free(&err);
    teardown(&f);
}

static void expect_fault(fixture *f, const psr_buf *req, int http, const char *subcode, uint32_t code)
{
    wsman_response resp;
    CU_ASSERT_EQUAL(roundtrip(f, req, &resp, NULL), http);
    CU_ASSERT_EQUAL(resp.kind, WSMAN_RESP_FAULT);
    if (resp.fault.subcode)
        CU_ASSERT_STRING_EQUAL(resp.fault.subcode, subcode);
    CU_ASSERT_EQUAL(resp.fault.wsman_code, code);
    CU_ASSERT_STRING_EQUAL(resp.fault.machine ? resp.fault.machine : "", "testhost");
    wsman_response_clear(&resp);
}

static void test_faults(void)
{
    fixture f;
    setup(&f);
    char shell[64], cmd[64];
    create_shell(&f, shell);
    run_command(&f, shell, "sleep 5", NULL, 0, cmd);

    psr_buf req = {0};
    wsman_request_header h = hdr(shell, "uuid:00000000-0000-0000-0000-000000000004");
    h.operation_timeout_ms = 200;
    wsman_build_receive(&req, &h, cmd, "stdout stderr");
    expect_fault(&f, &req, 500, "TimedOut", 2150858793u);

    psr_buf_reset(&req);
    wsman_request_header other = hdr("00000000-0000-0000-0000-0000000000FF", "uuid:1");
    wsman_build_receive(&req, &other, cmd, "stdout stderr");
    expect_fault(&f, &req, 500, "InvalidSelectors", 2150858843u);

    psr_buf_reset(&req);
    wsman_build_signal(&req, &h, "00000000-0000-0000-0000-0000000000EE", WSMAN_SIGNAL_TERMINATE);
    expect_fault(&f, &req, 500, "InvalidSelectors", 2150858843u);

    /* Terminate (as Windows spells it) forgets the command. */
    psr_buf_reset(&req);
    wsman_build_signal(&req, &h, cmd, WSMAN_SIGNAL_TERMINATE);
    wsman_response resp;
    CU_ASSERT_EQUAL(roundtrip(&f, &req, &resp, NULL), 200);
    CU_ASSERT_EQUAL(resp.kind, WSMAN_RESP_SIGNAL);
    wsman_response_clear(&resp);
    psr_buf_reset(&req);
    wsman_build_receive(&req, &h, cmd, "stdout stderr");
    expect_fault(&f, &req, 500, "InvalidSelectors", 2150858843u);

    /* Another resource: the PowerShell endpoint is not served here. */
    psr_buf_reset(&req);
    wsman_request_header ps = hdr(shell, "uuid:2");
    ps.resource_uri = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell";
    wsman_build_delete_shell(&req, &ps);
    expect_fault(&f, &req, 500, "DestinationUnreachable", 2150858752u);

    psr_buf_reset(&req);
    psr_buf_puts(&req, "<not-xml");
    expect_fault(&f, &req, 500, "InternalError", 2150858819u);

    /* An empty Command: the cmd plugin's InvalidParameter (code 87). */
    psr_buf_reset(&req);
    wsman_command_spec empty = {NULL, "", NULL, 0};
    wsman_build_command(&req, &h, &empty);
    expect_fault(&f, &req, 500, "InvalidParameter", 87u);

    /* No ShellId selector at all (wsman/ will not build that: cut it out). */
    psr_buf_reset(&req);
    wsman_build_receive(&req, &h, cmd, "stdout stderr");
    char *sel = strstr(req.data, "<w:SelectorSet>");
    char *sel_end = sel ? strstr(sel, "</w:SelectorSet>") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(sel_end);
    sel_end += strlen("</w:SelectorSet>");
    memmove(sel, sel_end, strlen(sel_end) + 1);
    req.len = strlen(req.data);
    expect_fault(&f, &req, 500, "InvalidSelectors", 2150858843u);

    psr_buf_reset(&req);
    wsman_build_delete_shell(&req, &h);
    CU_ASSERT_EQUAL(roundtrip(&f, &req, &resp, NULL), 200);
    CU_ASSERT_EQUAL(resp.kind, WSMAN_RESP_DELETE);
    wsman_response_clear(&resp);
    psr_buf_free(&req);
    teardown(&f);
}

static void test_identify(void)
{
    fixture f;
    setup(&f);
    psr_buf req = {0}, reply = {0};
    const char *verb = NULL;
    wsman_build_identify(&req);
    CU_ASSERT_EQUAL(harness_dispatch(&f.ctx, req.data, req.len, 1, &reply, &verb), 200)
    CU_ASSERT_STRING_EQUAL(verb, "Identify");;
    wsman_response resp = {0};
    psr_error err = {0};
    CU_ASSERT_EQUAL(wsman_parse_response(reply.data, reply.len, &resp, &err), 0);
    CU_ASSERT_EQUAL(resp.kind, WSMAN_RESP_IDENTIFY);
    CU_ASSERT_STRING_EQUAL(resp.product_vendor, "Microsoft Corporation");
    CU_ASSERT_STRING_EQUAL(resp.product_version, "OS: 0.0.0 SP: 0.0 Stack: 3.0");
    wsman_response_clear(&resp);
    /* Anonymous callers get nothing but Identify. */
    psr_buf_reset(&req);
    psr_buf_reset(&reply);
    wsman_request_header h = hdr(NULL, "uuid:3");
    wsman_shell_spec spec = {0};
    spec.input_streams = "stdin";
    spec.output_streams = "stdout stderr";
    wsman_build_create_shell(&req, &h, &spec);
    CU_ASSERT_EQUAL(harness_dispatch(&f.ctx, req.data, req.len, 1, &reply, NULL), 401);
    psr_buf_free(&req);
    psr_buf_free(&reply);
    teardown(&f);
}

static const psr_unit_test tests[] = {
    {"create, command, receive", test_create_command_receive},
    {"replies fit MaxEnvelopeSize", test_replies_fit_max_envelope_size},
    {"faults", test_faults},
    {"identify", test_identify},
    {NULL, NULL}};

PSR_UNIT_MAIN("harness dispatch", tests)
