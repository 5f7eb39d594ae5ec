/* test_wsman_hostile.c: what a malicious or broken peer may send. Entity
 * bombs and external entities, too deep, too large, truncated, wrong
 * namespace, missing parts and bad base64 must all be refused with a clear
 * error, by both the request and the response parser. */
#include "wsman/wsman.h"
#include "unit.h"
#include "wsman_diff.h"

#include <string.h>

#define ENV_OPEN "<s:Envelope xmlns:s=\"" WSMAN_NS_SOAP "\" xmlns:a=\"" WSMAN_NS_ADDRESSING "\" " \
                 "xmlns:rsp=\"" WSMAN_NS_SHELL "\">"

/* Both ways of reading a response must agree on it (wsman_diff.h). */
static void check_both_paths(const char *xml, size_t len)
{
    const char *why = psr_wsman_diff(psr_wsman_shared_reader(), xml, len, NULL);
    if (why)
        fprintf(stderr, "%s\n", why);
    CU_ASSERT_PTR_NULL(why);
}

/* Runs both parsers on xml and checks each fails with want. */
static void expect_both(const char *xml, size_t len, int want, const char *needle)
{
    check_both_paths(xml, len);
    wsman_request req;
    wsman_response resp;
    psr_error err;
    CU_ASSERT_EQUAL(wsman_parse_request(xml, len, &req, &err), want);
    if (needle && !strstr(err.message, needle))
        fprintf(stderr, "request error lacks '%s': %s\n", needle, err.message);
    CU_ASSERT_TRUE(!needle || strstr(err.message, needle) != NULL);
    CU_ASSERT_EQUAL(err.code, want);
    CU_ASSERT_EQUAL(wsman_parse_response(xml, len, &resp, &err), want);
    CU_ASSERT_TRUE(!needle || strstr(err.message, needle) != NULL);
    CU_ASSERT_EQUAL(req.kind, WSMAN_REQ_UNKNOWN);
    CU_ASSERT_EQUAL(resp.kind, WSMAN_RESP_UNKNOWN);
}

static void test_billion_laughs(void)
{
    const char *xml =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>"
        ENV_OPEN "<s:Header/><s:Body><rsp:Stream Name=\"stdout\">&lol4;</rsp:Stream></s:Body>"
        "</s:Envelope>";
    expect_both(xml, strlen(xml), PSR_E_PARSE, "DTD");
}

static void test_external_entity(void)
{
    const char *xml =
        "<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" ENV_OPEN
        "<s:Header><a:Action>&xxe;</a:Action></s:Header><s:Body/></s:Envelope>";
    expect_both(xml, strlen(xml), PSR_E_PARSE, "DTD");
    const char *ext = "<!DOCTYPE s:Envelope SYSTEM \"http://127.0.0.1:1/evil.dtd\">" ENV_OPEN
                      "<s:Header/><s:Body/></s:Envelope>";
    expect_both(ext, strlen(ext), PSR_E_PARSE, "DTD");
}

/* An entity reference without a DTD is simply malformed. */
static void test_undeclared_entity(void)
{
    const char *xml = ENV_OPEN "<s:Header><a:Action>&xxe;</a:Action></s:Header><s:Body/></s:Envelope>";
    expect_both(xml, strlen(xml), PSR_E_PARSE, "not valid XML");
}

static char *nested(int depth, size_t *len)
{
    psr_buf b = {0};
    psr_buf_puts(&b, ENV_OPEN "<s:Header/><s:Body>");
    for (int i = 0; i < depth; i++)
        psr_buf_puts(&b, "<x>");
    for (int i = 0; i < depth; i++)
        psr_buf_puts(&b, "</x>");
    psr_buf_puts(&b, "</s:Body></s:Envelope>");
    return psr_buf_detach(&b, len);
}

static void test_too_deep(void)
{
    size_t len;
    char *xml = nested(WSMAN_MAX_DEPTH, &len); /* Envelope + Body + 64 > limit */
    expect_both(xml, len, PSR_E_LIMIT, "deeper");
    free(xml);
    xml = nested(100000, &len);
    expect_both(xml, len, PSR_E_LIMIT, "deeper");
    free(xml);
    /* within the limit is fine */
    xml = nested(WSMAN_MAX_DEPTH - 2, &len);
    check_both_paths(xml, len);
    wsman_response r;
    psr_error err;
    CU_ASSERT_EQUAL(wsman_parse_response(xml, len, &r, &err), 0);
    wsman_response_clear(&r);
    free(xml);
}

static void test_too_large(void)
{
    /* The size check comes before any parsing, so the bytes need not be valid. */
    size_t len = (size_t)WSMAN_MAX_DOCUMENT_SIZE + 1;
    char *big = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', len);
    expect_both(big, len, PSR_E_LIMIT, "larger than");
    free(big);
}

static void test_truncated_and_garbage(void)
{
    const char *full = ENV_OPEN "<s:Header><a:Action>" WSMAN_ACTION_SEND_RESPONSE
                       "</a:Action></s:Header><s:Body><rsp:SendResponse/></s:Body></s:Envelope>";
    size_t len = strlen(full);
    for (size_t cut = 0; cut < len; cut += 7)
        expect_both(full, cut, PSR_E_PARSE, NULL);
    expect_both("HTTP/1.1 500", 12, PSR_E_PARSE, "not valid XML");
    expect_both("", 0, PSR_E_PARSE, "empty");
    expect_both(NULL, 0, PSR_E_PARSE, "empty");
    const char nul[] = ENV_OPEN "<s:Header/>\0<s:Body/></s:Envelope>";
    expect_both(nul, sizeof(nul) - 1, PSR_E_PARSE, NULL);
}

static void test_wrong_namespace(void)
{
    /* SOAP 1.1 envelope: WinRM speaks SOAP 1.2 only */
    const char *soap11 = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                         "<s:Header/><s:Body/></s:Envelope>";
    expect_both(soap11, strlen(soap11), PSR_E_PARSE, "SOAP 1.2");
    const char *plain = "<Envelope><Header/><Body/></Envelope>";
    expect_both(plain, strlen(plain), PSR_E_PARSE, "SOAP 1.2");
    /* right names in the wrong case do not match: SOAP names are case-sensitive */
    const char *lower = "<s:envelope xmlns:s=\"" WSMAN_NS_SOAP "\"><s:Header/><s:Body/></s:envelope>";
    expect_both(lower, strlen(lower), PSR_E_PARSE, "SOAP 1.2");
}

static void test_missing_parts(void)
{
    const char *no_body = ENV_OPEN "<s:Header/></s:Envelope>";
    expect_both(no_body, strlen(no_body), PSR_E_PARSE, "no SOAP Body");
    const char *no_header = ENV_OPEN "<s:Body/></s:Envelope>";
    expect_both(no_header, strlen(no_header), PSR_E_PARSE, "no SOAP Header");
    /* a Body in another namespace is not the SOAP Body */
    const char *foreign = ENV_OPEN "<s:Header/><rsp:Body/></s:Envelope>";
    expect_both(foreign, strlen(foreign), PSR_E_PARSE, "no SOAP Body");
    /* request bodies missing their element */
    const char *cmd = ENV_OPEN "<s:Header><a:Action>" WSMAN_ACTION_COMMAND "</a:Action></s:Header>"
                      "<s:Body/></s:Envelope>";
    wsman_request r;
    psr_error err;
    CU_ASSERT_EQUAL(wsman_parse_request(cmd, strlen(cmd), &r, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rsp:CommandLine"));
    const char *no_action = ENV_OPEN "<s:Header/><s:Body/></s:Envelope>";
    CU_ASSERT_EQUAL(wsman_parse_request(no_action, strlen(no_action), &r, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Action"));
    const char *bad_timeout = ENV_OPEN "<s:Header><a:Action>" WSMAN_ACTION_DELETE "</a:Action>"
                              "<w:OperationTimeout xmlns:w=\"" WSMAN_NS_WSMAN "\">soon"
                              "</w:OperationTimeout></s:Header><s:Body/></s:Envelope>";
    CU_ASSERT_EQUAL(wsman_parse_request(bad_timeout, strlen(bad_timeout), &r, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "OperationTimeout"));
}

static void test_bad_base64(void)
{
    const char *resp = ENV_OPEN "<s:Header><a:Action>" WSMAN_ACTION_RECEIVE_RESPONSE
                       "</a:Action></s:Header><s:Body><rsp:ReceiveResponse>"
                       "<rsp:Stream Name=\"stdout\">aGk=</rsp:Stream>"
                       "<rsp:Stream Name=\"stdout\">not*base64!</rsp:Stream>"
                       "</rsp:ReceiveResponse></s:Body></s:Envelope>";
    wsman_response r;
    psr_error err;
    check_both_paths(resp, strlen(resp));
    CU_ASSERT_EQUAL(wsman_parse_response(resp, strlen(resp), &r, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "base64"));
    CU_ASSERT_EQUAL(r.n_streams, 0);
    CU_ASSERT_PTR_NULL(r.streams);
    const char *req = ENV_OPEN "<s:Header><a:Action>" WSMAN_ACTION_SEND "</a:Action></s:Header>"
                      "<s:Body><rsp:Send><rsp:Stream Name=\"stdin\">eQ0</rsp:Stream></rsp:Send>"
                      "</s:Body></s:Envelope>";
    wsman_request q;
    CU_ASSERT_EQUAL(wsman_parse_request(req, strlen(req), &q, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "base64"));
    const char *noname = ENV_OPEN "<s:Header><a:Action>" WSMAN_ACTION_SEND "</a:Action></s:Header>"
                         "<s:Body><rsp:Send><rsp:Stream>eQ0K</rsp:Stream></rsp:Send></s:Body>"
                         "</s:Envelope>";
    CU_ASSERT_EQUAL(wsman_parse_request(noname, strlen(noname), &q, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Name"));
}

/* Prefixes are the sender's choice; element names are matched exactly. */
static void test_any_prefix_exact_names(void)
{
    const char *odd = "<e:Envelope xmlns:e=\"" WSMAN_NS_SOAP "\" xmlns:z=\"" WSMAN_NS_ADDRESSING
                      "\" xmlns=\"" WSMAN_NS_SHELL "\"><e:Header>  <z:Action>\n  "
                      WSMAN_ACTION_COMMAND_RESPONSE "\n</z:Action></e:Header><e:Body>"
                      "<CommandResponse><CommandId> ABC </CommandId></CommandResponse></e:Body>"
                      "</e:Envelope>";
    wsman_response r;
    psr_error err;
    check_both_paths(odd, strlen(odd));
    CU_ASSERT_EQUAL_FATAL(wsman_parse_response(odd, strlen(odd), &r, &err), 0);
    CU_ASSERT_EQUAL(r.kind, WSMAN_RESP_COMMAND);
    CU_ASSERT_STRING_EQUAL(r.command_id, "ABC");
    wsman_response_clear(&r);
    const char *wrong_case = ENV_OPEN "<s:Header><a:Action>" WSMAN_ACTION_COMMAND_RESPONSE
                             "</a:Action></s:Header><s:Body><rsp:commandresponse><rsp:commandid>"
                             "X</rsp:commandid></rsp:commandresponse></s:Body></s:Envelope>";
    check_both_paths(wrong_case, strlen(wrong_case));
    CU_ASSERT_EQUAL(wsman_parse_response(wrong_case, strlen(wrong_case), &r, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "CommandId"));
}

static const psr_unit_test tests[] = {
    {"billion laughs refused", test_billion_laughs},
    {"external entity refused", test_external_entity},
    {"undeclared entity", test_undeclared_entity},
    {"too deep refused", test_too_deep},
    {"too large refused", test_too_large},
    {"truncated and garbage", test_truncated_and_garbage},
    {"wrong namespace", test_wrong_namespace},
    {"missing parts", test_missing_parts},
    {"bad base64", test_bad_base64},
    {"any prefix, exact names", test_any_prefix_exact_names},
    {NULL, NULL},
};

PSR_UNIT_MAIN("wsman hostile input", tests)
