/* test_auth_gss_http.c: the parts of src/auth/gss.h that need no KDC:
 * RFC 5929 channel-binding data (against hashes computed by the openssl
 * command line, fixtures/auth/cbt_hashes.txt) and the HTTP header syntax
 * (RFC 7235 challenge lists as Windows and proxies send them). */
#include "src/auth/gss.h"
#include "src/auth/gss_internal.h"
#include "unit.h"

#include <krb5/krb5.h>
#include <string.h>

static void hex(char *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

static void test_cbt_hashes_match_openssl(void)
{
    char *list = psr_unit_read_fixture("auth/cbt_hashes.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    int checked = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char name[128], expected[160];
        if (sscanf(line, "%127s %159s", name, expected) != 2)
            continue;
        char path[200];
        snprintf(path, sizeof(path), "auth/%s", name);
        size_t len = 0;
        char *der = psr_unit_read_fixture(path, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(der);
        psr_buf out = {0};
        psr_error err;
        CU_ASSERT_EQUAL_FATAL(psr_gss_cbt_app_data(&out, der, len, &err), 0);
        static const char prefix[] = "tls-server-end-point:";
        CU_ASSERT_EQUAL(memcmp(out.data, prefix, sizeof(prefix) - 1), 0);
        char got[200];
        size_t hlen = out.len - (sizeof(prefix) - 1);
        CU_ASSERT_FATAL(hlen * 2 < sizeof(got));
        hex(got, (const unsigned char *)out.data + sizeof(prefix) - 1, hlen);
        if (strcmp(got, expected) != 0)
            fprintf(stderr, "%s: got %s, expected %s\n", name, got, expected);
        CU_ASSERT_STRING_EQUAL(got, expected);
        checked++;
        psr_buf_free(&out);
        free(der);
    }
    CU_ASSERT_EQUAL(checked, 5); /* SHA-256, ECDSA SHA-384, SHA-1, SHA-512, RSA-PSS SHA-384 */
    free(list);
}

static void test_cbt_rejects_non_certificates(void)
{
    psr_buf out = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_gss_cbt_app_data(&out, "not a cert", 10, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "channel binding"));
    size_t len = 0;
    char *der = psr_unit_read_fixture("auth/cert_rsa_sha256.der", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(der);
    /* trailing bytes after the certificate are refused, so are cut ones */
    char *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    CU_ASSERT_EQUAL(psr_gss_cbt_app_data(&out, longer, len + 1, &err), PSR_E_PARSE);
    CU_ASSERT_EQUAL(psr_gss_cbt_app_data(&out, der, len - 1, &err), PSR_E_PARSE);
    free(longer);
    free(der);
    psr_buf_free(&out);
}

static void test_find_token_in_challenge_lists(void)
{
    psr_buf tok = {0};
    psr_error err;
    /* Windows sends one scheme per header; proxies join them with commas */
    char *v1[] = {"Negotiate", "Kerberos", "Basic realm=\"WSMAN\""};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v1, 3, &tok, &err), 0);
    CU_ASSERT_EQUAL(psr_gss_find_token("NTLM", v1, 3, &tok, &err), 0);
    char *v2[] = {"Basic realm=\"WSMAN, Negotiate Zm9v\", Negotiate YWJj"};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v2, 1, &tok, &err), 1);
    CU_ASSERT_EQUAL(tok.len, 3);
    CU_ASSERT_STRING_EQUAL(tok.data, "abc");
    char *v3[] = {"negotiate   YWJjZA==  ", "Kerberos Zm9vYg=="};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v3, 2, &tok, &err), 1);
    CU_ASSERT_STRING_EQUAL(tok.data, "abcd");
    CU_ASSERT_EQUAL(psr_gss_find_token("Kerberos", v3, 2, &tok, &err), 1);
    CU_ASSERT_STRING_EQUAL(tok.data, "foob");
    /* a scheme whose name starts like ours is not ours */
    char *v4[] = {"NegotiateX YWJj", "Digest realm=\"x\", qop=\"auth\", Negotiate YQ=="};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v4, 2, &tok, &err), 1);
    CU_ASSERT_STRING_EQUAL(tok.data, "a");
    /* an auth-param is not a token */
    char *v5[] = {"Negotiate realm=abc"};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v5, 1, &tok, &err), 0);
    char *v6[] = {"Negotiate ab!c"};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v6, 1, &tok, &err), 0);
    char *v7[] = {"Negotiate YW=J"};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v7, 1, &tok, &err), 0);
    char *v8[] = {"Negotiate Y"};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v8, 1, &tok, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "base64"));
    char *v9[] = {NULL, ""};
    CU_ASSERT_EQUAL(psr_gss_find_token("Negotiate", v9, 2, &tok, &err), 0);
    psr_buf_free(&tok);
}

static void test_authorization_round_trip(void)
{
    psr_buf h = {0}, scheme = {0}, tok = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_gss_format_header(&h, "Negotiate", "\x60\x82\x01", 3), 0);
    CU_ASSERT_STRING_EQUAL(h.data, "Negotiate YIIB");
    CU_ASSERT_EQUAL(psr_gss_parse_authorization(h.data, &scheme, &tok, &err), 0);
    CU_ASSERT_STRING_EQUAL(scheme.data, "Negotiate");
    CU_ASSERT_EQUAL(tok.len, 3);
    CU_ASSERT_EQUAL(memcmp(tok.data, "\x60\x82\x01", 3), 0);
    CU_ASSERT_EQUAL(psr_gss_format_header(&h, "Negotiate", NULL, 0), 0);
    CU_ASSERT_STRING_EQUAL(h.data, "Negotiate");
    CU_ASSERT_EQUAL(psr_gss_parse_authorization("Negotiate", &scheme, &tok, &err), PSR_E_PARSE);
    CU_ASSERT_EQUAL(psr_gss_parse_authorization("Kerberos YII= extra", &scheme, &tok, &err),
                    PSR_E_PARSE);
    CU_ASSERT_EQUAL(psr_gss_parse_authorization("", &scheme, &tok, &err), PSR_E_PARSE);
    CU_ASSERT_EQUAL(psr_gss_parse_authorization("Kerberos Y", &scheme, &tok, &err), PSR_E_PARSE);
    CU_ASSERT_EQUAL(psr_gss_parse_authorization("  Kerberos YWJj ", &scheme, &tok, &err), 0);
    CU_ASSERT_STRING_EQUAL(scheme.data, "Kerberos");
    CU_ASSERT_STRING_EQUAL(tok.data, "abc");
    psr_buf_free(&h);
    psr_buf_free(&scheme);
    psr_buf_free(&tok);
}

/* Each GSSAPI failure a user meets maps to advice naming the fix; the
 * library's own text follows. Codes from MIT krb5's krb5.h. */
static void test_error_advice(void)
{
    static const struct {
        OM_uint32 major;
        long minor;
        const char *advice;
    } cases[] = {
        {GSS_S_FAILURE, KRB5KDC_ERR_PREAUTH_FAILED, "password is wrong"},
        {GSS_S_NO_CRED, KRB5KRB_AP_ERR_BAD_INTEGRITY, "password is wrong"},
        {GSS_S_FAILURE, KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, "IncludePortInSPN"},
        {GSS_S_FAILURE, KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN, "does not know this user"},
        {GSS_S_FAILURE, KRB5KRB_AP_ERR_SKEW, "clocks"},
        {GSS_S_NO_CRED, KRB5_FCC_NOFILE, "kinit"},
        {GSS_S_NO_CRED, KRB5_CC_NOTFOUND, "kinit"},
        {GSS_S_FAILURE, KRB5_KDC_UNREACH, "no KDC could be reached"},
        {GSS_S_FAILURE, KRB5KDC_ERR_KEY_EXP, "expired"},
        {GSS_S_FAILURE, KRB5KRB_AP_ERR_MODIFIED, "keytab"},
        {GSS_S_BAD_BINDINGS, 0, "channel binding"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psr_error err;
        CU_ASSERT_EQUAL(psr_gss_error(&err, NULL, "testing", cases[i].major,
                                      (OM_uint32)cases[i].minor, &psr_gss_oid_krb5), PSR_E_AUTH);
        if (!strstr(err.message, cases[i].advice))
            fprintf(stderr, "case %zu: %s\n", i, err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cases[i].advice));
        CU_ASSERT_EQUAL(strncmp(err.message, "testing: ", 9), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "(GSSAPI: "));
    }
    /* an unknown minor code still shows up */
    psr_error err;
    psr_gss_error(&err, NULL, "testing", GSS_S_FAILURE, 123456789u, &psr_gss_oid_ntlm);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "123456789"));
}

static const psr_unit_test tests[] = {
    {"error advice for known failures", test_error_advice},
    {"channel binding hashes equal openssl's", test_cbt_hashes_match_openssl},
    {"channel binding refuses non-certificates", test_cbt_rejects_non_certificates},
    {"token found among challenges", test_find_token_in_challenge_lists},
    {"Authorization format and parse", test_authorization_round_trip},
    {NULL, NULL},
};

PSR_UNIT_MAIN("auth: GSSAPI HTTP glue and channel binding", tests)
