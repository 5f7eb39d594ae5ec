/* test_client.c: endpoint URLs, authentication names and session options. */
#include "psremote/connection.h"
#include "psremote/session_option.h"
#include "src/client/endpoint.h"
#include "unit.h"

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

static const psr_unit_test tests[] = {
    {"endpoint defaults", test_endpoint_defaults},
    {"endpoint connection URI", test_endpoint_connection_uri},
    {"endpoint bad names", test_endpoint_bad_names},
    {"endpoint host", test_endpoint_host},
    {"authentication names", test_auth_names},
    {"session options", test_session_options},
    {"session option errors", test_session_option_errors},
    {NULL, NULL},
};
PSR_UNIT_MAIN("client", tests)
