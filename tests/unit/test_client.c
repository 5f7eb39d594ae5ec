/* test_client.c: endpoint URLs, authentication names and session options. */
#include "psremote/connection.h"
#include "psremote/session_option.h"
#include "src/client/endpoint.h"
#include "src/client/fanout_engine.h"
#include "src/http/http.h"
#include "wsman/wsman.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

static char *url_of(const psr_connection_options *o, int *rc, psr_error *err)
{
    static psr_buf b;
    psr_buf_free(&b);
    *rc = psr_endpoint_url(o, &b, err);
    return b.data;
}

static void test_endpoint_defaults(void)
{
    psr_connection_options o;
    psr_error err;
    int rc;
    psr_connection_options_init(&o);
    CU_ASSERT_STRING_EQUAL(url_of(&o, &rc, &err), "http://localhost:5985/wsman");
    o.computer_name = "srv1.example.com";
    o.use_ssl = 1;
    CU_ASSERT_STRING_EQUAL(url_of(&o, &rc, &err), "https://srv1.example.com:5986/wsman");
    o.port = 8443;
    o.application_name = "/custom";
    CU_ASSERT_STRING_EQUAL(url_of(&o, &rc, &err), "https://srv1.example.com:8443/custom");
    o.computer_name = "fe80::1";
    o.port = 0;
    o.application_name = NULL;
    CU_ASSERT_STRING_EQUAL(url_of(&o, &rc, &err), "https://[fe80::1]:5986/wsman");
}

static void test_endpoint_connection_uri(void)
{
    psr_connection_options o;
    psr_error err;
    int rc;
    psr_connection_options_init(&o);
    o.connection_uri = "https://mail.example.com/PowerShell";
    CU_ASSERT_STRING_EQUAL(url_of(&o, &rc, &err), "https://mail.example.com/PowerShell");
    CU_ASSERT_EQUAL(rc, 0);
    o.connection_uri = "ftp://x/wsman";
    url_of(&o, &rc, &err);
    CU_ASSERT_EQUAL(rc, PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "http://"));
    o.connection_uri = "http://ok:5985/wsman";
    o.computer_name = "other";
    url_of(&o, &rc, &err);
    CU_ASSERT_EQUAL(rc, PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not both"));
}

static void test_endpoint_bad_names(void)
{
    psr_connection_options o;
    psr_error err;
    int rc;
    psr_connection_options_init(&o);
    o.computer_name = "http://host/wsman";
    url_of(&o, &rc, &err);
    CU_ASSERT_EQUAL(rc, PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--connection-uri"));
    o.computer_name = "h";
    o.port = 70000;
    url_of(&o, &rc, &err);
    CU_ASSERT_EQUAL(rc, PSR_E_INVALID);
}

static void test_endpoint_host(void)
{
    char host[64];
    psr_endpoint_host("https://[::1]:5986/wsman", host, sizeof(host));
    CU_ASSERT_STRING_EQUAL(host, "::1");
    psr_endpoint_host("http://Server1:5985/wsman", host, sizeof(host));
    CU_ASSERT_STRING_EQUAL(host, "Server1");
    psr_endpoint_host_name("[fe80::1]", host, sizeof(host));
    CU_ASSERT_STRING_EQUAL(host, "fe80::1");
    psr_endpoint_host_name("mail.example.com", host, sizeof(host));
    CU_ASSERT_STRING_EQUAL(host, "mail.example.com");
    psr_endpoint_host_name("mail.example.com", host, 5);
    CU_ASSERT_STRING_EQUAL(host, "mail");

    /* The HTTP handle's host and port, as the authenticator gets them: the
     * scheme's default port when the URL names none (IncludePortInSPN). */
    static const struct {
        const char *url, *host;
        unsigned port;
    } cases[] = {
        {"https://mail.example.com/PowerShell", "mail.example.com", 443},
        {"http://Server1/wsman", "Server1", 80},
        {"https://[::1]:5986/wsman", "[::1]", 5986},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psr_http_options ho = {.url = cases[i].url, .proxy = ""};
        psr_http *h = NULL;
        psr_error err;
        CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &ho, &err), 0);
        CU_ASSERT_STRING_EQUAL(psr_http_host(h), cases[i].host);
        CU_ASSERT_EQUAL(psr_http_port(h), cases[i].port);
        psr_http_free(h);
    }
}

/* Computers that libcurl would give one connection: same scheme, host name
 * without case and port (default made explicit), with an authentication
 * bound to the connection. Linked in list order, as a chain. */
static void test_fanout_twins(void)
{
    enum { N = 7 };
    psr_connection_options c[N];
    for (int i = 0; i < N; i++) {
        psr_connection_options_init(&c[i]);
        c[i].auth = PSR_AUTH_NTLM;
    }
    c[0].computer_name = "srv1";
    c[1].computer_name = "other";
    c[2].computer_name = "SRV1";                                  /* twin of 0 */
    c[3].connection_uri = "http://srv1:5985/wsman";                /* twin of 2 */
    c[4].computer_name = "srv1";
    c[4].port = 5986;                                             /* another port */
    c[5].computer_name = "srv1";
    c[5].auth = PSR_AUTH_BASIC;                                   /* not bound */
    c[6].connection_uri = "https://mail.example.com/PowerShell";  /* alone */
    host_job jobs[N];
    memset(jobs, 0, sizeof(jobs));
    for (int i = 0; i < N; i++)
        jobs[i].conn = &c[i];
    CU_ASSERT_EQUAL_FATAL(fanout_link_twins(jobs, N), 0);
    CU_ASSERT_EQUAL(jobs[0].twin_prev, FANOUT_NO_TWIN);
    CU_ASSERT_EQUAL(jobs[0].twin_next, 2);
    CU_ASSERT_EQUAL(jobs[2].twin_prev, 0);
    CU_ASSERT_EQUAL(jobs[2].twin_next, 3);
    CU_ASSERT_EQUAL(jobs[3].twin_prev, 2);
    CU_ASSERT_EQUAL(jobs[3].twin_next, FANOUT_NO_TWIN);
    for (int i = 1; i < N; i += (i == 1 ? 3 : 1)) { /* 1, 4, 5, 6 */
        CU_ASSERT_EQUAL(jobs[i].twin_prev, FANOUT_NO_TWIN);
        CU_ASSERT_EQUAL(jobs[i].twin_next, FANOUT_NO_TWIN);
    }
    CU_ASSERT_EQUAL(fanout_link_twins(jobs, 0), 0);
}

static void test_auth_names(void)
{
    psr_auth_method m;
    psr_error err;
    CU_ASSERT_EQUAL(psr_auth_method_parse("basic", &m, &err), 0);
    CU_ASSERT_EQUAL(m, PSR_AUTH_BASIC);
    CU_ASSERT_EQUAL(psr_auth_method_parse("NEGOTIATEWITHIMPLICITCREDENTIAL", &m, &err), 0);
    CU_ASSERT_EQUAL(m, PSR_AUTH_NEGOTIATE_IMPLICIT);
    CU_ASSERT_EQUAL(psr_auth_method_parse("Kerbros", &m, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "CredSSP"));
    CU_ASSERT_STRING_EQUAL(psr_auth_method_name(PSR_AUTH_NTLM), "NTLM");
}

static void test_session_options(void)
{
    psr_connection_options o;
    psr_session_option_store st = {0};
    psr_error err;
    psr_connection_options_init(&o);
    CU_ASSERT_EQUAL(o.operation_timeout_ms, 180000);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "skipcacheck=true", &err), 0);
    CU_ASSERT_EQUAL(o.skip_ca_check, 1);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "SkipCNCheck=$true", &err), 0);
    CU_ASSERT_EQUAL(o.skip_cn_check, 1);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "OperationTimeout=1500", &err), 0);
    CU_ASSERT_EQUAL(o.operation_timeout_ms, 1500);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "OpenTimeout=2s", &err), 0);
    CU_ASSERT_EQUAL(o.open_timeout_ms, 2000);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "MaxEnvelopeSize=500KB", &err), 0);
    CU_ASSERT_EQUAL(o.max_envelope_size, 512000);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "Culture=de-DE", &err), 0);
    CU_ASSERT_STRING_EQUAL(o.culture, "de-DE");
    psr_session_option_store_free(&st);
}

static void test_session_option_errors(void)
{
    psr_connection_options o;
    psr_session_option_store st = {0};
    psr_error err;
    psr_connection_options_init(&o);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "SkipCACheck", &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Name=Value"));
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "SkipCaChek=1", &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "SkipCACheck"));
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "SkipCACheck=maybe", &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "true or false"));
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "OperationTimeout=-5", &err), PSR_E_INVALID);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "OperationTimeout=5h", &err), PSR_E_INVALID);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "MaxEnvelopeSize=100", &err), PSR_E_INVALID);
    CU_ASSERT_EQUAL(o.operation_timeout_ms, 180000);
    psr_session_option_store_free(&st);
}

/* Every New-PSSessionOption name: PowerShell's defaults, one good value
 * that lands in its field, and one value of the wrong type. */
static void test_every_session_option(void)
{
    psr_connection_options o;
    psr_session_option_store st = {0};
    psr_error err;
    psr_connection_options_init(&o);
    /* PowerShell's defaults (RunspaceConnectionInfo, PSSessionOption) */
    CU_ASSERT_EQUAL(o.maximum_redirection, 5);
    CU_ASSERT_EQUAL(o.max_connection_retry_count, 5);
    CU_ASSERT_EQUAL(o.idle_timeout_ms, -1);
    CU_ASSERT_EQUAL(o.open_timeout_ms, 180000);
    CU_ASSERT_EQUAL(o.cancel_timeout_ms, 60000);
    CU_ASSERT_EQUAL(o.proxy_auth, PSR_AUTH_NEGOTIATE);
    CU_ASSERT_EQUAL(o.proxy_access, PSR_PROXY_NONE);
    CU_ASSERT_EQUAL(o.output_buffering_mode, PSR_OUTPUT_BUFFERING_NONE);
    static const struct {
        const char *good, *bad;
    } cases[] = {
        {"ApplicationArguments={\"a\":1}", "ApplicationArguments=a=1"},
        {"CancelTimeout=30s", "CancelTimeout=soon"},
        {"Culture=fr-FR", NULL},
        {"IdleTimeout=10min", "IdleTimeout=59999"},
        {"IncludePortInSPN=true", "IncludePortInSPN=2"},
        {"MaxConnectionRetryCount=2", "MaxConnectionRetryCount=-1"},
        {"MaxEnvelopeSize=1MB", "MaxEnvelopeSize=8191"},
        {"MaximumReceivedDataSizePerCommand=50MB", "MaximumReceivedDataSizePerCommand=lots"},
        {"MaximumReceivedObjectSize=0", "MaximumReceivedObjectSize=1TB"},
        {"MaximumRedirection=0", "MaximumRedirection=x"},
        {"NoCompression=$true", "NoCompression=sure"},
        {"NoEncryption=yes", "NoEncryption=maybe"},
        {"NoMachineProfile=false", "NoMachineProfile=?"},
        {"OpenTimeout=1min", "OpenTimeout=1h"},
        {"OperationTimeout=0", "OperationTimeout="},
        {"OutputBufferingMode=drop", "OutputBufferingMode=Keep"},
        {"ProxyAccessType=NoProxyServer", "ProxyAccessType=Direct"},
        {"ProxyAuthentication=basic", "ProxyAuthentication=Kerberos"},
        {"ProxyCredential=CORP\\proxyuser", NULL},
        {"SkipCACheck=1", "SkipCACheck=01"},
        {"SkipCNCheck=on", "SkipCNCheck=no way"},
        {"SkipRevocationCheck=off", "SkipRevocationCheck=-"},
        {"UICulture=de-DE", NULL},
        {"UseUTF16=true", "UseUTF16=utf16"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = psr_session_option_apply(&o, &st, cases[i].good, &err);
        if (rc)
            fprintf(stderr, "%s: %s\n", cases[i].good, err.message);
        CU_ASSERT_EQUAL(rc, 0);
        if (cases[i].bad) {
            CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, cases[i].bad, &err), PSR_E_INVALID);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "takes") ? err.message
                                   : strstr(err.message, "JSON object"));
        }
    }
    CU_ASSERT_STRING_EQUAL(o.application_arguments, "{\"a\":1}");
    CU_ASSERT_EQUAL(o.cancel_timeout_ms, 30000);
    CU_ASSERT_STRING_EQUAL(o.culture, "fr-FR");
    CU_ASSERT_EQUAL(o.idle_timeout_ms, 600000);
    CU_ASSERT_EQUAL(o.include_port_in_spn, 1);
    CU_ASSERT_EQUAL(o.max_connection_retry_count, 2);
    CU_ASSERT_EQUAL(o.max_envelope_size, 1048576);
    CU_ASSERT_EQUAL(o.max_received_data_per_command, 50u * 1024 * 1024);
    CU_ASSERT_EQUAL(o.max_received_object_size, 0);
    CU_ASSERT_EQUAL(o.maximum_redirection, 0);
    CU_ASSERT_EQUAL(o.no_compression, 1);
    CU_ASSERT_EQUAL(o.no_encryption, 1);
    CU_ASSERT_EQUAL(o.no_machine_profile, 0);
    CU_ASSERT_EQUAL(o.open_timeout_ms, 60000);
    CU_ASSERT_EQUAL(o.operation_timeout_ms, 0);
    CU_ASSERT_EQUAL(o.output_buffering_mode, PSR_OUTPUT_BUFFERING_DROP);
    CU_ASSERT_EQUAL(o.proxy_access, PSR_PROXY_NO_PROXY_SERVER);
    CU_ASSERT_EQUAL(o.proxy_auth, PSR_AUTH_BASIC);
    CU_ASSERT_STRING_EQUAL(o.proxy_user, "CORP\\proxyuser");
    CU_ASSERT_EQUAL(o.skip_ca_check, 1);
    CU_ASSERT_EQUAL(o.skip_cn_check, 1);
    CU_ASSERT_EQUAL(o.skip_revocation_check, 0);
    CU_ASSERT_STRING_EQUAL(o.ui_culture, "de-DE");
    CU_ASSERT_EQUAL(o.use_utf16, 1);
    CU_ASSERT_EQUAL(psr_session_option_apply(&o, &st, "IdleTimeout=-1", &err), 0);
    CU_ASSERT_EQUAL(o.idle_timeout_ms, -1);
    psr_session_option_store_free(&st);
}

/* PSREMOTE_SESSION_OPTIONS: ';' separates, except inside a JSON value. */
static void test_session_option_list(void)
{
    psr_connection_options o;
    psr_session_option_store st = {0};
    psr_error err;
    psr_connection_options_init(&o);
    CU_ASSERT_EQUAL_FATAL(psr_session_option_apply_list(
                              &o, &st,
                              " SkipCACheck=true ;ApplicationArguments={\"k\":\"a;b\"};;OpenTimeout=5s",
                              &err),
                          0);
    CU_ASSERT_EQUAL(o.skip_ca_check, 1);
    CU_ASSERT_STRING_EQUAL(o.application_arguments, "{\"k\":\"a;b\"}");
    CU_ASSERT_EQUAL(o.open_timeout_ms, 5000);
    CU_ASSERT_EQUAL(psr_session_option_apply_list(&o, &st, "OpenTimeout=1s;Nope=1", &err),
                    PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'Nope'"));
    CU_ASSERT(psr_session_option_known("maximumredirection", 18));
    CU_ASSERT_FALSE(psr_session_option_known("Maximum", 7));
    psr_session_option_store_free(&st);
}

/* PowerShell's WSManTransportManager.Initialize: "?PSVersion=" after the
 * URI with trailing '/' trimmed, or ";PSVersion=" after an existing query. */
static void test_ps_version_query(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"http://h:5985/wsman", "http://h:5985/wsman?PSVersion=5.1"},
        {"https://mail.example.com/PowerShell/", "https://mail.example.com/PowerShell?PSVersion=5.1"},
        {"https://mail.example.com/PowerShell?serializationLevel=Full",
         "https://mail.example.com/PowerShell?serializationLevel=Full;PSVersion=5.1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psr_buf url = {0};
        psr_error err;
        psr_buf_puts(&url, cases[i].in);
        CU_ASSERT_EQUAL(psr_endpoint_add_ps_version(&url, &err), 0);
        CU_ASSERT_STRING_EQUAL(url.data, cases[i].out);
        psr_buf_free(&url);
    }
}

static void test_redirect_target(void)
{
    psr_buf out = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_endpoint_redirect_target("http://a:5985/PowerShell", "/wsman", &out, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "http://a:5985/wsman");
    CU_ASSERT_EQUAL(psr_endpoint_redirect_target("http://a/x", "https://b.example.com:5986/wsman",
                                                 &out, &err),
                    0);
    CU_ASSERT_STRING_EQUAL(out.data, "https://b.example.com:5986/wsman");
    CU_ASSERT_EQUAL(psr_endpoint_redirect_target("https://a/x", "http://b/wsman", &out, &err),
                    PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "from HTTPS to plain HTTP"));
    CU_ASSERT_EQUAL(psr_endpoint_redirect_target("http://a/x", "ftp://b/wsman", &out, &err),
                    PSR_E_INVALID);
    psr_buf_free(&out);
}

static void test_request_retarget(void)
{
    wsman_request_header h = {.to = "http://old:5985/wsman", .resource_uri = WSMAN_RESOURCE_CMD,
                              .message_id = "uuid:00000000-0000-0000-0000-000000000001",
                              .shell_id = "0A1B2C3D-0000-0000-0000-000000000002"};
    psr_buf env = {0};
    CU_ASSERT_EQUAL_FATAL(wsman_build_delete_shell(&env, &h), 0);
    CU_ASSERT_EQUAL(wsman_request_retarget(&env, "http://new:5985/wsman?a=1&b=2"), 0);
    /* the rewritten request parses, and its To is the new URL */
    wsman_request req;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(wsman_parse_request(env.data, env.len, &req, &err), 0);
    CU_ASSERT_STRING_EQUAL(req.to, "http://new:5985/wsman?a=1&b=2");
    CU_ASSERT_STRING_EQUAL(req.message_id, "uuid:00000000-0000-0000-0000-000000000001");
    wsman_request_clear(&req);
    psr_buf_free(&env);
    psr_buf none = {0};
    psr_buf_puts(&none, "<s:Envelope/>");
    CU_ASSERT_EQUAL(wsman_request_retarget(&none, "http://x/"), PSR_E_PARSE);
    psr_buf_free(&none);
}

static const psr_unit_test tests[] = {
    {"every session option: defaults, values, wrong types", test_every_session_option},
    {"session option lists", test_session_option_list},
    {"PSVersion in the URL of a PowerShell session", test_ps_version_query},
    {"redirect targets", test_redirect_target},
    {"pointing a built request at a new URL", test_request_retarget},
    {"endpoint defaults", test_endpoint_defaults},
    {"endpoint connection URI", test_endpoint_connection_uri},
    {"endpoint bad names", test_endpoint_bad_names},
    {"endpoint host", test_endpoint_host},
    {"fan-out: computers that would share a connection", test_fanout_twins},
    {"authentication names", test_auth_names},
    {"session options", test_session_options},
    {"session option errors", test_session_option_errors},
    {NULL, NULL},
};
PSR_UNIT_MAIN("client", tests)
