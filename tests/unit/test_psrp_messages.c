/* test_psrp_messages.c: builders and parsers of the PSRP message data
 * (MS-PSRP 2.2.2.x). Parsers read server messages written like Windows
 * writes them (fixtures/psrp/messages/); builders are checked against the
 * exact XML the spec's layout gives, and every message round-trips. */
#include "psrp/clixml.h"
#include "psrp/message.h"
#include "psrp/messages.h"
#include "test_psrp_util.h"

#include <string.h>

static char *fixture(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "psrp/messages/%s", name);
    char *d = psr_unit_read_fixture(path, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

static void test_session_capability(void)
{
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_msg_session_capability_build(&b, "2.3", "2.0", "1.1.0.1", NULL), 0);
    /* 2.2.2.1: three Version properties; PowerShell writes RefId 0, no TN. */
    CU_ASSERT_STRING_EQUAL(b.data, "<Obj RefId=\"0\"><MS><Version N=\"protocolversion\">2.3</Version>"
                                   "<Version N=\"PSVersion\">2.0</Version>"
                                   "<Version N=\"SerializationVersion\">1.1.0.1</Version></MS></Obj>");
    size_t len = 0;
    char *d = fixture("session_capability_server.xml", &len);
    psrp_msg_session_capability m;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_session_capability_parse(NULL, &m, d, len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(m.protocol_version, "2.3");
    CU_ASSERT_STRING_EQUAL(m.ps_version, "2.0");
    CU_ASSERT_STRING_EQUAL(m.serialization_version, "1.1.0.1");
    CU_ASSERT_PTR_NULL(m.time_zone);
    psrp_msg_session_capability_clear(&m);
    psrp_msg_session_capability_clear(&m); /* twice is harmless */
    psr_error err;
    const char *bad = "<Obj RefId=\"0\"><MS><Version N=\"PSVersion\">2.0</Version></MS></Obj>";
    CU_ASSERT_EQUAL(psrp_msg_session_capability_parse(NULL, &m, bad, strlen(bad), &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "protocolversion is missing") != NULL);
    const char *notobj = "<S>2.3</S>";
    CU_ASSERT_EQUAL(psrp_msg_session_capability_parse(NULL, &m, notobj, strlen(notobj), &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "expected an <Obj>") != NULL);
    CU_ASSERT_NOT_EQUAL(psrp_msg_session_capability_parse(NULL, &m, "<Obj", 4, &err), 0);
    free(d);
    psr_buf_free(&b);
}

static void test_init_runspacepool(void)
{
    psrp_msg_init_pool in = {
        .min_runspaces = 1,
        .max_runspaces = 4,
        .thread_options = PSRP_THREAD_DEFAULT,
        .apartment_state = PSRP_APARTMENT_UNKNOWN,
    };
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_msg_init_pool_build(&b, &in, NULL), 0);
    /* 2.2.2.2 with 2.2.3.6 PSThreadOptions, 2.2.3.7 ApartmentState (enums as
     * PowerShell serializes them) and 2.2.3.14 HostInfo for "no host". */
    const char *want =
        "<Obj RefId=\"0\"><MS><I32 N=\"MinRunspaces\">1</I32><I32 N=\"MaxRunspaces\">4</I32>"
        "<Obj N=\"PSThreadOptions\" RefId=\"1\"><TN RefId=\"0\"><T>System.Management.Automation.Runspaces.PSThreadOptions</T>"
        "<T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>Default</ToString><I32>0</I32></Obj>"
        "<Obj N=\"ApartmentState\" RefId=\"2\"><TN RefId=\"1\"><T>System.Threading.ApartmentState</T>"
        "<T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>Unknown</ToString><I32>2</I32></Obj>"
        "<Obj N=\"HostInfo\" RefId=\"3\"><MS><B N=\"_isHostNull\">true</B><B N=\"_isHostUINull\">true</B>"
        "<B N=\"_isHostRawUINull\">true</B><B N=\"_useRunspaceHost\">true</B></MS></Obj>"
        "<Nil N=\"ApplicationArguments\" /></MS></Obj>";
    if (strcmp(b.data, want) != 0)
        fprintf(stderr, "\n got: %s\n", b.data);
    CU_ASSERT_STRING_EQUAL(b.data, want);
    psrp_msg_init_pool out;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_init_pool_parse(NULL, &out, b.data, b.len, NULL), 0);
    CU_ASSERT_EQUAL(out.min_runspaces, 1);
    CU_ASSERT_EQUAL(out.max_runspaces, 4);
    CU_ASSERT_EQUAL(out.apartment_state, PSRP_APARTMENT_UNKNOWN);
    CU_ASSERT_EQUAL(out.host_info.has_host, 0);
    CU_ASSERT_EQUAL(out.host_info.use_runspace_host, 1);
    CU_ASSERT_PTR_NULL(out.application_arguments);
    psrp_msg_init_pool_clear(&out);
    psr_buf_free(&b);
}

static void test_key_messages(void)
{
    uint8_t blob[40];
    for (int i = 0; i < 40; i++)
        blob[i] = (uint8_t)(i * 3);
    psr_buf b = {0};
    psrp_msg_key_blob k;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_public_key_build(&b, blob, sizeof(blob), NULL), 0);
    CU_ASSERT(strstr(b.data, "<S N=\"PublicKey\">AAMGCQwP") != NULL);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_public_key_parse(NULL, &k, b.data, b.len, NULL), 0);
    CU_ASSERT(k.blob.len == 40 && memcmp(k.blob.data, blob, 40) == 0);
    psrp_msg_key_blob_clear(&k);
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_encrypted_session_key_build(&b, blob, 12, NULL), 0);
    CU_ASSERT(strstr(b.data, "<S N=\"EncryptedSessionKey\">") != NULL);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_encrypted_session_key_parse(NULL, &k, b.data, b.len, NULL), 0);
    CU_ASSERT_EQUAL(k.blob.len, 12);
    psrp_msg_key_blob_clear(&k);
    psr_error err;
    const char *bad = "<Obj RefId=\"0\"><MS><S N=\"EncryptedSessionKey\">!!!</S></MS></Obj>";
    CU_ASSERT_EQUAL(psrp_msg_encrypted_session_key_parse(NULL, &k, bad, strlen(bad), &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "not valid base64") != NULL);
    /* 2.2.2.5: PUBLIC_KEY_REQUEST is an empty string. */
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_public_key_request_build(&b, NULL), 0);
    CU_ASSERT_EQUAL(psrp_msg_public_key_request_parse(NULL, b.data, b.len, NULL), 0);
    CU_ASSERT_EQUAL(psrp_msg_public_key_request_parse(NULL, "<S></S>", 7, NULL), 0);
    CU_ASSERT_EQUAL(psrp_msg_public_key_request_parse(NULL, "<I32>1</I32>", 12, &err), PSR_E_PROTOCOL);
    psr_buf_free(&b);
}

static void test_small_pool_messages(void)
{
    psr_buf b = {0};
    psrp_msg_pool_numbers n;
    /* 2.2.2.6 example: MaxRunspaces 3, ci 1. */
    CU_ASSERT_EQUAL(psrp_msg_set_max_runspaces_build(&b, 3, 1, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "<Obj RefId=\"0\"><MS><I32 N=\"MaxRunspaces\">3</I32><I64 N=\"ci\">1</I64></MS></Obj>");
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pool_numbers_parse(NULL, &n, b.data, b.len, NULL), 0);
    CU_ASSERT(n.max_runspaces == 3 && n.ci == 1 && n.min_runspaces == -1);
    psrp_msg_pool_numbers_clear(&n);
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_set_min_runspaces_build(&b, 2, 2, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "<Obj RefId=\"0\"><MS><I32 N=\"MinRunspaces\">2</I32><I64 N=\"ci\">2</I64></MS></Obj>");
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_get_available_runspaces_build(&b, 7, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "<Obj RefId=\"0\"><MS><I64 N=\"ci\">7</I64></MS></Obj>");
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_reset_runspace_state_build(&b, 9, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "<Obj RefId=\"0\"><MS><I64 N=\"ci\">9</I64></MS></Obj>");
    psr_buf_reset(&b);
    /* 2.2.2.30 example: MinRunspaces 1, MaxRunspaces 1. */
    CU_ASSERT_EQUAL(psrp_msg_pool_init_data_build(&b, 1, 1, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.data,
                           "<Obj RefId=\"0\"><MS><I32 N=\"MinRunspaces\">1</I32><I32 N=\"MaxRunspaces\">1</I32></MS></Obj>");
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_connect_pool_build(&b, -1, 5, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pool_numbers_parse(NULL, &n, b.data, b.len, NULL), 0);
    CU_ASSERT(n.min_runspaces == -1 && n.max_runspaces == 5 && n.ci == -1);
    psrp_msg_pool_numbers_clear(&n);

    psrp_msg_runspace_availability a;
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_runspace_availability_build_bool(&b, 4, 1, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_runspace_availability_parse(NULL, &a, b.data, b.len, NULL), 0);
    CU_ASSERT(a.is_bool && a.ok && a.ci == 4);
    psrp_msg_runspace_availability_clear(&a);
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_runspace_availability_build_count(&b, 5, 3, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_runspace_availability_parse(NULL, &a, b.data, b.len, NULL), 0);
    CU_ASSERT(!a.is_bool && a.available == 3 && a.ci == 5);
    psrp_msg_runspace_availability_clear(&a);
    psr_error err;
    const char *bad = "<Obj RefId=\"0\"><MS><S N=\"SetMinMaxRunspacesResponse\">x</S><I64 N=\"ci\">1</I64></MS></Obj>";
    CU_ASSERT_EQUAL(psrp_msg_runspace_availability_parse(NULL, &a, bad, strlen(bad), &err), PSR_E_PROTOCOL);
    psr_buf_free(&b);
}

static void test_pool_state_fixtures(void)
{
    size_t len = 0;
    char *d = fixture("runspacepool_state_opened.xml", &len);
    psrp_msg_pool_state s;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pool_state_parse(NULL, &s, d, len, NULL), 0);
    CU_ASSERT_EQUAL(s.state, PSRP_POOL_OPENED);
    CU_ASSERT_FALSE(s.has_error);
    psrp_msg_pool_state_clear(&s);
    free(d);
    d = fixture("runspacepool_state_broken.xml", &len);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pool_state_parse(NULL, &s, d, len, NULL), 0);
    CU_ASSERT_EQUAL(s.state, PSRP_POOL_BROKEN);
    CU_ASSERT_TRUE_FATAL(s.has_error);
    CU_ASSERT_STRING_EQUAL(s.error.message, "The maximum number of concurrent shells for this user has been exceeded.");
    CU_ASSERT_STRING_EQUAL(s.error.exception_type, "System.Management.Automation.Remoting.PSRemotingTransportException");
    CU_ASSERT_STRING_EQUAL(s.error.fully_qualified_error_id, "PSSessionStateBroken");
    CU_ASSERT_PTR_NULL(s.error.position_message);
    psrp_msg_pool_state_clear(&s);
    free(d);

    /* Round trip of the server-side builder. */
    psr_buf b = {0};
    psrp_error_record_spec spec = {.message = "no more shells", .fully_qualified_error_id = "PSSessionStateBroken",
                                   .category = 29};
    CU_ASSERT_EQUAL(psrp_msg_pool_state_build(&b, PSRP_POOL_BROKEN, &spec, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pool_state_parse(NULL, &s, b.data, b.len, NULL), 0);
    CU_ASSERT_EQUAL(s.state, PSRP_POOL_BROKEN);
    CU_ASSERT_STRING_EQUAL(s.error.message, "no more shells");
    CU_ASSERT_STRING_EQUAL(s.error.exception_type, "System.Management.Automation.RuntimeException");
    CU_ASSERT_STRING_EQUAL(s.error.category_message, "LimitsExceeded: (:) [], ");
    psrp_msg_pool_state_clear(&s);
    psr_buf_free(&b);
    psr_error err;
    const char *bad = "<Obj RefId=\"0\"><MS><S N=\"RunspaceState\">Opened</S></MS></Obj>";
    CU_ASSERT_EQUAL(psrp_msg_pool_state_parse(NULL, &s, bad, strlen(bad), &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "RunspaceState is <S>") != NULL);
}

static void test_application_private_data(void)
{
    size_t len = 0;
    char *d = fixture("application_private_data.xml", &len);
    psrp_msg_app_private_data m;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_app_private_data_parse(NULL, &m, d, len, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(m.data);
    CU_ASSERT_STRING_EQUAL(m.ps_version, "5.1.17763.1");
    CU_ASSERT_STRING_EQUAL(m.protocol_version, "2.3");
    psrp_msg_app_private_data_clear(&m);
    free(d);
    psr_buf b = {0};
    CU_ASSERT_EQUAL(psrp_msg_app_private_data_build(&b, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_app_private_data_parse(NULL, &m, b.data, b.len, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(m.data);
    CU_ASSERT_PTR_NULL(m.ps_version);
    psrp_msg_app_private_data_clear(&m);
    psr_buf_free(&b);
}

static void test_create_pipeline(void)
{
    psrp_value *path = psrp_value_new_string("C:\\temp");
    psrp_command_arg args[] = {{"Path", path}, {NULL, NULL}};
    psrp_command cmds[] = {
        {.cmd = "Get-ChildItem", .use_local_scope = -1, .args = args, .n_args = 2},
        {.cmd = "Select-Object", .use_local_scope = -1, .end_of_statement = 1,
         .merge_my_result = PSRP_RESULT_ERROR, .merge_to_result = PSRP_RESULT_OUTPUT},
        {.cmd = "$x = 1; $x", .is_script = 1, .use_local_scope = 1, .merge_information = PSRP_RESULT_OUTPUT},
    };
    psrp_msg_create_pipeline spec = {
        .commands = cmds, .n_commands = 3, .no_input = 1, .apartment_state = PSRP_APARTMENT_UNKNOWN,
        .remote_stream_options = PSRP_STREAM_OPT_ADD_INVOCATION_INFO, .add_to_history = 1,
    };
    psr_buf b = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_msg_create_pipeline_build(&b, &spec, "2.3", NULL), 0);
    /* The Command layout of 2.2.3.12 as PowerShell writes it. */
    CU_ASSERT(strstr(b.data, "<S N=\"Cmd\">Get-ChildItem</S><B N=\"IsScript\">false</B><Nil N=\"UseLocalScope\" />") !=
              NULL);
    CU_ASSERT(strstr(b.data, "<ToString>AddInvocationInfo</ToString><I32>15</I32>") != NULL);
    CU_ASSERT(strstr(b.data, "<Obj N=\"MergeInformation\"") != NULL);
    CU_ASSERT(strstr(b.data, "<S N=\"N\">Path</S><S N=\"V\">C:\\temp</S>") != NULL);
    CU_ASSERT(strstr(b.data, "<Nil N=\"N\" /><Nil N=\"V\" />") != NULL);

    psrp_parsed_pipeline p;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_create_pipeline_parse(NULL, &p, b.data, b.len, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(p.p.n_commands, 3);
    CU_ASSERT_STRING_EQUAL(p.p.commands[0].cmd, "Get-ChildItem");
    CU_ASSERT_EQUAL(p.p.commands[0].n_args, 2);
    CU_ASSERT_STRING_EQUAL(p.p.commands[0].args[0].name, "Path");
    CU_ASSERT_STRING_EQUAL(psrp_value_text(p.p.commands[0].args[0].value), "C:\\temp");
    CU_ASSERT_PTR_NULL(p.p.commands[0].args[1].name);
    CU_ASSERT_FALSE(p.p.commands[0].end_of_statement);
    CU_ASSERT_TRUE(p.p.commands[1].end_of_statement);
    CU_ASSERT_EQUAL(p.p.commands[1].merge_my_result, PSRP_RESULT_ERROR);
    CU_ASSERT_EQUAL(p.p.commands[1].merge_to_result, PSRP_RESULT_OUTPUT);
    CU_ASSERT_TRUE(p.p.commands[2].is_script);
    CU_ASSERT_EQUAL(p.p.commands[2].use_local_scope, 1);
    CU_ASSERT_EQUAL(p.p.commands[2].merge_information, PSRP_RESULT_OUTPUT);
    CU_ASSERT_TRUE(p.p.no_input);
    CU_ASSERT_TRUE(p.p.add_to_history);
    CU_ASSERT_EQUAL(p.p.remote_stream_options, 15);
    psrp_parsed_pipeline_clear(&p);

    /* Protocol 2.1: one statement and no stream merges. */
    psr_error err;
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_create_pipeline_build(&b, &spec, "2.1", &err), PSR_E_INVALID);
    spec.n_commands = 2;
    cmds[1].end_of_statement = 0;
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_create_pipeline_build(&b, &spec, "2.1", NULL), 0);
    CU_ASSERT(strstr(b.data, "MergeError") == NULL);
    CU_ASSERT(strstr(b.data, "<Nil N=\"ExtraCmds\" />") != NULL);
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_create_pipeline_build(&b, &spec, "2.2", NULL), 0);
    CU_ASSERT(strstr(b.data, "MergeError") != NULL);
    CU_ASSERT(strstr(b.data, "MergeInformation") == NULL);
    spec.n_commands = 0;
    CU_ASSERT_EQUAL(psrp_msg_create_pipeline_build(&b, &spec, "2.3", &err), PSR_E_INVALID);
    const char *nops = "<Obj RefId=\"0\"><MS><B N=\"NoInput\">true</B></MS></Obj>";
    CU_ASSERT_EQUAL(psrp_msg_create_pipeline_parse(NULL, &p, nops, strlen(nops), &err), PSR_E_PROTOCOL);
    psrp_value_free(path);
    psr_buf_free(&b);
}

static void test_pipeline_state_failed_fixture(void)
{
    size_t len = 0;
    char *d = fixture("pipeline_state_failed.xml", &len);
    psrp_msg_pipeline_state s;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pipeline_state_parse(NULL, &s, d, len, NULL), 0);
    CU_ASSERT_EQUAL(s.state, PSRP_PIPELINE_FAILED);
    CU_ASSERT_TRUE_FATAL(s.has_error);
    CU_ASSERT_STRING_EQUAL(s.error.message, "boom");
    CU_ASSERT_EQUAL(s.error.category, 14);
    CU_ASSERT_STRING_EQUAL(s.error.category_message, "OperationStopped: (boom:String) [], RuntimeException");
    CU_ASSERT_STRING_EQUAL(s.error.position_message, "At line:1 char:1\r\n+ throw \"boom\"\r\n+ ~~~~~~~~~~~~");
    CU_ASSERT_EQUAL(s.error.script_line_number, 1);
    CU_ASSERT_EQUAL(s.error.offset_in_line, 1);
    CU_ASSERT_STRING_EQUAL(s.error.line, "throw \"boom\"");
    CU_ASSERT_STRING_EQUAL(s.error.script_stack_trace, "at <ScriptBlock>, <No file>: line 1");
    psrp_msg_pipeline_state_clear(&s);
    free(d);

    psr_buf b = {0};
    CU_ASSERT_EQUAL(psrp_msg_pipeline_state_build(&b, PSRP_PIPELINE_COMPLETED, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "<Obj RefId=\"0\"><MS><I32 N=\"PipelineState\">4</I32></MS></Obj>");
    psrp_error_record_spec spec = {.message = "bad", .exception_type = "System.Exception",
                                   .fully_qualified_error_id = "Bad,Thing", .position_message = "At line:2 char:3",
                                   .script_line_number = 2, .offset_in_line = 3};
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_pipeline_state_build(&b, PSRP_PIPELINE_FAILED, &spec, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pipeline_state_parse(NULL, &s, b.data, b.len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(s.error.exception_type, "System.Exception");
    CU_ASSERT_STRING_EQUAL(s.error.position_message, "At line:2 char:3");
    CU_ASSERT_EQUAL(s.error.script_line_number, 2);
    CU_ASSERT_EQUAL(s.error.offset_in_line, 3);
    psrp_msg_pipeline_state_clear(&s);
    psr_buf_free(&b);
}

static void test_error_record(void)
{
    size_t len = 0;
    char *d = fixture("error_record_write_error.xml", &len);
    psrp_error_record r;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_error_record_parse(NULL, &r, d, len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(r.message, "disk almost full");
    CU_ASSERT_STRING_EQUAL(r.exception_type, "Microsoft.PowerShell.Commands.WriteErrorException");
    CU_ASSERT_STRING_EQUAL(r.category_message, "NotSpecified: (:) [Write-Error], WriteErrorException");
    CU_ASSERT_STRING_EQUAL(r.category_activity, "Write-Error");
    /* SerializeExtendedInfo: InvocationInfo_* flattened into the record. */
    CU_ASSERT_STRING_EQUAL(r.position_message, "At line:3 char:5");
    CU_ASSERT_EQUAL(r.script_line_number, 3);
    psrp_error_record_clear(&r);
    free(d);
    /* The server-side builder gives the category text PowerShell gives. */
    psrp_error_record_spec spec = {.message = "disk almost full",
                                   .exception_type = "Microsoft.PowerShell.Commands.WriteErrorException",
                                   .fully_qualified_error_id = "Microsoft.PowerShell.Commands.WriteErrorException",
                                   .category_activity = "Write-Error", .category_reason = "WriteErrorException"};
    psr_buf b = {0};
    CU_ASSERT_EQUAL(psrp_msg_error_record_build(&b, &spec, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_error_record_parse(NULL, &r, b.data, b.len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(r.category_message, "NotSpecified: (:) [Write-Error], WriteErrorException");
    CU_ASSERT_STRING_EQUAL(r.fully_qualified_error_id, "Microsoft.PowerShell.Commands.WriteErrorException");
    psrp_error_record_clear(&r);
    psr_error err;
    const char *empty = "<Obj RefId=\"0\"><MS></MS></Obj>";
    CU_ASSERT_EQUAL(psrp_msg_error_record_parse(NULL, &r, empty, strlen(empty), &err), PSR_E_PROTOCOL);
    psr_buf_free(&b);
}

static void test_records(void)
{
    size_t len = 0;
    char *d = fixture("warning_record.xml", &len);
    psrp_msg_informational w;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_informational_parse(NULL, &w, d, len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(w.message, "low disk");
    psrp_msg_informational_clear(&w);
    free(d);
    psr_buf b = {0};
    CU_ASSERT_EQUAL(psrp_msg_informational_build(&b, PSRP_VERBOSE_RECORD, "step 1", NULL), 0);
    CU_ASSERT(strstr(b.data, "<T>System.Management.Automation.VerboseRecord</T>") != NULL);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_informational_parse(NULL, &w, b.data, b.len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(w.message, "step 1");
    psrp_msg_informational_clear(&w);
    psr_error err;
    CU_ASSERT_EQUAL(psrp_msg_informational_build(&b, PSRP_ERROR_RECORD, "x", &err), PSR_E_INVALID);

    d = fixture("information_record_write_host.xml", &len);
    psrp_msg_information info;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_information_parse(NULL, &info, d, len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(info.text, "hello host");
    CU_ASSERT_TRUE(info.no_new_line);
    CU_ASSERT_STRING_EQUAL(info.source, "Write-Host");
    CU_ASSERT_STRING_EQUAL(info.computer, "server01");
    CU_ASSERT_EQUAL(info.process_id, 4242);
    CU_ASSERT_PTR_NOT_NULL(info.tags);
    psrp_msg_information_clear(&info);
    free(d);
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_information_build(&b, "plain", "Write-Information", "2024-01-01T00:00:00Z", NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_information_parse(NULL, &info, b.data, b.len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(info.text, "plain");
    CU_ASSERT_STRING_EQUAL(info.time_generated, "2024-01-01T00:00:00Z");
    psrp_msg_information_clear(&info);

    d = fixture("progress_record.xml", &len);
    psrp_msg_progress pr;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_progress_parse(NULL, &pr, d, len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(pr.activity, "Copying");
    CU_ASSERT_STRING_EQUAL(pr.status_description, "file 3 of 10");
    CU_ASSERT_PTR_NULL(pr.current_operation);
    CU_ASSERT_EQUAL(pr.percent_complete, 30);
    CU_ASSERT_EQUAL(pr.parent_activity_id, -1);
    CU_ASSERT_EQUAL(pr.record_type, 0);
    psrp_msg_progress_clear(&pr);
    free(d);
    psrp_msg_progress in = {.activity = "Copying", .activity_id = 2, .status_description = "done",
                            .parent_activity_id = -1, .percent_complete = 100, .record_type = 1,
                            .seconds_remaining = 0};
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_progress_build(&b, &in, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_progress_parse(NULL, &pr, b.data, b.len, NULL), 0);
    CU_ASSERT(pr.activity_id == 2 && pr.percent_complete == 100 && pr.record_type == 1);
    psrp_msg_progress_clear(&pr);
    psr_buf_free(&b);
}

static void test_host_calls(void)
{
    size_t len = 0;
    char *d = fixture("pipeline_host_call_readline.xml", &len);
    psrp_msg_host_call c;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_host_call_parse(NULL, &c, d, len, NULL), 0);
    CU_ASSERT_EQUAL(c.ci, 1);
    CU_ASSERT_EQUAL(c.method_id, 11);
    CU_ASSERT_STRING_EQUAL(c.method_name, "ReadLine");
    CU_ASSERT_EQUAL(c.params->u.obj.n_items, 0);
    psrp_msg_host_call_clear(&c);
    free(d);
    d = fixture("pipeline_host_call_write2.xml", &len);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_host_call_parse(NULL, &c, d, len, NULL), 0);
    CU_ASSERT_EQUAL(c.ci, PSRP_HOST_CALL_VOID_CI);
    CU_ASSERT_STRING_EQUAL(c.method_name, "Write2");
    CU_ASSERT_EQUAL_FATAL(c.params->u.obj.n_items, 3);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(c.params->u.obj.items[2]), "colored text");
    psrp_msg_host_call_clear(&c);
    free(d);

    /* A response as the client sends it: ci, mi, mr. */
    psr_buf b = {0};
    psrp_value *line = psrp_value_new_string("typed answer");
    CU_ASSERT_EQUAL(psrp_msg_host_response_build(&b, 1, 11, line, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(
        b.data, "<Obj RefId=\"0\"><MS><I64 N=\"ci\">1</I64><Obj N=\"mi\" RefId=\"1\"><TN RefId=\"0\">"
                "<T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T>"
                "<T>System.ValueType</T><T>System.Object</T></TN><ToString>ReadLine</ToString><I32>11</I32></Obj>"
                "<S N=\"mr\">typed answer</S></MS></Obj>");
    psrp_msg_host_response r;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_host_response_parse(NULL, &r, b.data, b.len, NULL), 0);
    CU_ASSERT(r.ci == 1 && r.method_id == 11 && !r.has_error);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(r.result), "typed answer");
    psrp_msg_host_response_clear(&r);
    psrp_error_record_spec e = {.message = "no console", .fully_qualified_error_id = "HostFailure"};
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_host_response_build(&b, 2, 23, NULL, &e, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_host_response_parse(NULL, &r, b.data, b.len, NULL), 0);
    CU_ASSERT_TRUE(r.has_error);
    CU_ASSERT_PTR_NULL(r.result);
    CU_ASSERT_STRING_EQUAL(r.error.message, "no console");
    psrp_msg_host_response_clear(&r);
    /* Host call builder (server side) round trip. */
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_host_call_build(&b, 5, 26, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_host_call_parse(NULL, &c, b.data, b.len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(c.method_name, "PromptForChoice");
    psrp_msg_host_call_clear(&c);
    psr_error err;
    const char *bad = "<Obj RefId=\"0\"><MS><I64 N=\"ci\">1</I64></MS></Obj>";
    CU_ASSERT_EQUAL(psrp_msg_host_call_parse(NULL, &c, bad, strlen(bad), &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "mi is missing") != NULL);
    psrp_value_free(line);
    psr_buf_free(&b);
}

static void test_objects_and_user_event(void)
{
    psr_buf b = {0};
    psrp_value *v = psrp_value_new_i32(42);
    CU_ASSERT_EQUAL(psrp_msg_object_build(&b, v, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "<I32>42</I32>");
    psrp_value *back = NULL;
    CU_ASSERT_EQUAL(psrp_msg_object_parse(NULL, &back, b.data, b.len, NULL), 0);
    int32_t n = 0;
    CU_ASSERT_EQUAL(psrp_value_get_i32(back, &n), 0);
    CU_ASSERT_EQUAL(n, 42);
    psrp_value_free(back);
    psrp_value_free(v);
    const char *ev = "<Obj RefId=\"0\"><MS><I32 N=\"PSEventArgs.EventIdentifier\">7</I32>"
                     "<S N=\"PSEventArgs.SourceIdentifier\">Timer</S><S N=\"PSEventArgs.ComputerName\">srv</S>"
                     "<Nil N=\"PSEventArgs.Sender\" /><S N=\"PSEventArgs.MessageData\">tick</S></MS></Obj>";
    psrp_msg_user_event u;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_user_event_parse(NULL, &u, ev, strlen(ev), NULL), 0);
    CU_ASSERT_EQUAL(u.event_identifier, 7);
    CU_ASSERT_STRING_EQUAL(u.source_identifier, "Timer");
    CU_ASSERT_PTR_NULL(u.sender);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(u.message_data), "tick");
    psrp_msg_user_event_clear(&u);
    const char *names[] = {"Get-*", NULL};
    psrp_msg_command_metadata md = {.names = names, .command_type = 0x1FF};
    psr_buf_reset(&b);
    CU_ASSERT_EQUAL(psrp_msg_command_metadata_build(&b, &md, NULL), 0);
    CU_ASSERT(strstr(b.data, "<LST><S>Get-*</S></LST>") != NULL);
    CU_ASSERT(strstr(b.data, "<ToString>All</ToString><I32>511</I32>") != NULL);
    psr_buf_free(&b);
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(psrp_pool_state_name(PSRP_POOL_BROKEN), "Broken");
    CU_ASSERT_STRING_EQUAL(psrp_pipeline_state_name(PSRP_PIPELINE_STOPPED), "Stopped");
    CU_ASSERT_STRING_EQUAL(psrp_host_method_name(1), "GetName");
    CU_ASSERT_STRING_EQUAL(psrp_host_method_name(56), "PromptForChoiceMultipleSelection");
    CU_ASSERT_PTR_NULL(psrp_host_method_name(57));
    CU_ASSERT_EQUAL(psrp_version_code("2.3"), 203);
    CU_ASSERT_EQUAL(psrp_version_code("2.10"), 210);
    CU_ASSERT_EQUAL(psrp_version_code("1.1.0.1"), 101);
    CU_ASSERT_EQUAL(psrp_version_code("x"), -1);
    CU_ASSERT_EQUAL(psrp_version_code("2"), -1);
}

/* ---- one reader for every message ---------------------------------------- */

/* Parses with one parser and gives the serialized tree (NULL on failure). */
typedef int (*parse_run)(psrp_clixml_reader *rd, const char *d, size_t n, char **text, psr_error *err);

static char *tree_text(const psrp_value *v)
{
    psr_buf b = {0};
    if (psrp_clixml_serialize(&b, v, NULL) != 0) {
        psr_buf_free(&b);
        return strdup("(cannot serialize)");
    }
    return psr_buf_detach(&b, NULL);
}

#define RUNNER(fn, type, parse, clear)                                                              \
    static int fn(psrp_clixml_reader *rd, const char *d, size_t n, char **text, psr_error *err)     \
    {                                                                                               \
        type m;                                                                                     \
        int rc = parse(rd, &m, d, n, err);                                                          \
        *text = rc ? NULL : tree_text(m.value);                                                     \
        if (!rc)                                                                                    \
            clear(&m);                                                                              \
        return rc;                                                                                  \
    }
RUNNER(run_cap, psrp_msg_session_capability, psrp_msg_session_capability_parse, psrp_msg_session_capability_clear)
RUNNER(run_init, psrp_msg_init_pool, psrp_msg_init_pool_parse, psrp_msg_init_pool_clear)
RUNNER(run_key, psrp_msg_key_blob, psrp_msg_public_key_parse, psrp_msg_key_blob_clear)
RUNNER(run_session_key, psrp_msg_key_blob, psrp_msg_encrypted_session_key_parse, psrp_msg_key_blob_clear)
RUNNER(run_numbers, psrp_msg_pool_numbers, psrp_msg_pool_numbers_parse, psrp_msg_pool_numbers_clear)
RUNNER(run_avail, psrp_msg_runspace_availability, psrp_msg_runspace_availability_parse,
       psrp_msg_runspace_availability_clear)
RUNNER(run_pool_state, psrp_msg_pool_state, psrp_msg_pool_state_parse, psrp_msg_pool_state_clear)
RUNNER(run_user_event, psrp_msg_user_event, psrp_msg_user_event_parse, psrp_msg_user_event_clear)
RUNNER(run_private, psrp_msg_app_private_data, psrp_msg_app_private_data_parse, psrp_msg_app_private_data_clear)
RUNNER(run_host_call, psrp_msg_host_call, psrp_msg_host_call_parse, psrp_msg_host_call_clear)
RUNNER(run_host_response, psrp_msg_host_response, psrp_msg_host_response_parse, psrp_msg_host_response_clear)
RUNNER(run_create, psrp_parsed_pipeline, psrp_msg_create_pipeline_parse, psrp_parsed_pipeline_clear)
RUNNER(run_pipeline_state, psrp_msg_pipeline_state, psrp_msg_pipeline_state_parse, psrp_msg_pipeline_state_clear)
RUNNER(run_error, psrp_error_record, psrp_msg_error_record_parse, psrp_error_record_clear)
RUNNER(run_informational, psrp_msg_informational, psrp_msg_informational_parse, psrp_msg_informational_clear)
RUNNER(run_information, psrp_msg_information, psrp_msg_information_parse, psrp_msg_information_clear)
RUNNER(run_progress, psrp_msg_progress, psrp_msg_progress_parse, psrp_msg_progress_clear)
#undef RUNNER

static int run_object(psrp_clixml_reader *rd, const char *d, size_t n, char **text, psr_error *err)
{
    psrp_value *v = NULL;
    int rc = psrp_msg_object_parse(rd, &v, d, n, err);
    *text = rc ? NULL : tree_text(v);
    psrp_value_free(v);
    return rc;
}

static int run_key_request(psrp_clixml_reader *rd, const char *d, size_t n, char **text, psr_error *err)
{
    *text = NULL;
    return psrp_msg_public_key_request_parse(rd, d, n, err);
}

/* Every parser on every message (the right one and all the wrong ones),
 * through the one reader the runspace pool shares with its pipelines and
 * through a reader of its own each time: the same trees, the same errors. */
static void test_one_reader_for_all(void)
{
    static const parse_run runs[] = {
        run_cap, run_init, run_key, run_session_key, run_key_request, run_numbers, run_avail, run_pool_state,
        run_user_event, run_private, run_host_call, run_host_response, run_create, run_object,
        run_pipeline_state, run_error, run_informational, run_information, run_progress,
    };
    static const char *const files[] = {
        "application_private_data.xml", "error_record_write_error.xml", "information_record_write_host.xml",
        "pipeline_host_call_readline.xml", "pipeline_host_call_write2.xml", "pipeline_state_failed.xml",
        "progress_record.xml", "runspacepool_state_broken.xml", "runspacepool_state_opened.xml",
        "session_capability_server.xml", "warning_record.xml",
    };
    enum { N_FILES = sizeof(files) / sizeof(files[0]) };
    static const char *const inline_msgs[] = {
        "<S></S>", "<Obj RefId=\"0\"><MS><I64 N=\"ci\">3</I64><B N=\"SetMinMaxRunspacesResponse\">true</B></MS></Obj>",
        "<Obj RefId=\"0\"><MS><S N=\"PublicKey\">AQID</S><S N=\"EncryptedSessionKey\">!!</S></MS></Obj>",
        "<Obj RefId=\"0\"><TNRef RefId=\"0\"/></Obj>", "<Ref RefId=\"0\"/>", "<Obj RefId=\"0\"><MS>", "",
        "<S>x</S><S>y</S>",
    };
    enum { N_INLINE = sizeof(inline_msgs) / sizeof(inline_msgs[0]) };
    char *data[N_FILES + N_INLINE];
    size_t lens[N_FILES + N_INLINE];
    for (size_t i = 0; i < N_FILES; i++)
        data[i] = fixture(files[i], &lens[i]);
    for (size_t i = 0; i < N_INLINE; i++) {
        data[N_FILES + i] = strdup(inline_msgs[i]);
        lens[N_FILES + i] = strlen(inline_msgs[i]);
    }
    psrp_clixml_reader *rd = psrp_clixml_reader_new(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
    int differ = 0, parsed = 0;
    for (int round = 0; round < 2; round++) {
        for (size_t k = 0; k < N_FILES + N_INLINE; k++) {
            size_t i = round ? N_FILES + N_INLINE - 1 - k : k;
            for (size_t f = 0; f < sizeof(runs) / sizeof(runs[0]); f++) {
                char *ta = NULL, *tb = NULL;
                psr_error ea, eb;
                memset(&ea, 0, sizeof(ea));
                memset(&eb, 0, sizeof(eb));
                int ra = runs[f](NULL, data[i], lens[i], &ta, &ea);
                int rb = runs[f](rd, data[i], lens[i], &tb, &eb);
                int same = ra == rb && memcmp(&ea, &eb, sizeof(ea)) == 0 &&
                           ((!ta && !tb) || (ta && tb && strcmp(ta, tb) == 0));
                if (!same)
                    fprintf(stderr, "parser %zu on message %zu: %d %s / %d %s\n", f, i, ra, ea.message, rb,
                            eb.message);
                differ += !same;
                parsed += ra == 0;
                free(ta);
                free(tb);
            }
        }
    }
    CU_ASSERT_EQUAL(differ, 0);
    CU_ASSERT(parsed >= 2 * (int)N_FILES); /* each message read by its own parser at least */
    psrp_clixml_reader_free(rd);
    for (size_t i = 0; i < N_FILES + N_INLINE; i++)
        free(data[i]);
}

static const psr_unit_test tests[] = {
    {"SESSION_CAPABILITY (2.2.2.1)", test_session_capability},
    {"INIT_RUNSPACEPOOL (2.2.2.2)", test_init_runspacepool},
    {"PUBLIC_KEY, ENCRYPTED_SESSION_KEY, PUBLIC_KEY_REQUEST", test_key_messages},
    {"SET_MAX/MIN, GET_AVAILABLE, INIT_DATA, CONNECT, RESET, AVAILABILITY", test_small_pool_messages},
    {"RUNSPACEPOOL_STATE Opened and Broken", test_pool_state_fixtures},
    {"APPLICATION_PRIVATE_DATA", test_application_private_data},
    {"CREATE_PIPELINE build, parse, protocol versions", test_create_pipeline},
    {"PIPELINE_STATE Failed with ErrorRecord", test_pipeline_state_failed_fixture},
    {"ERROR_RECORD", test_error_record},
    {"WARNING / VERBOSE, INFORMATION, PROGRESS records", test_records},
    {"host calls and responses", test_host_calls},
    {"PIPELINE_OUTPUT objects, USER_EVENT, GET_COMMAND_METADATA", test_objects_and_user_event},
    {"state, method and version names", test_names},
    {"one reader for every message, as a fresh one", test_one_reader_for_all},
    {NULL, NULL},
};

PSR_UNIT_MAIN("psrp messages", tests)
