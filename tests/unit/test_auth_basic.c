/* test_auth_basic.c: the Basic Authorization value (RFC 7617) and the
 * refusal to send it in clear text. Expected values are RFC 7617's. */
#include "src/auth/basic.h"
#include "unit.h"

#include <string.h>

static void test_rfc7617_example_over_tls(void)
{
    psr_buf out = {0};
    psr_error err;
    /* RFC 7617 section 2. */
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "Aladdin", "open sesame", 1, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    psr_buf_free(&out);
}

static void test_refused_over_http(void)
{
    psr_buf out = {0};
    psr_buf_puts(&out, "stale");
    psr_error err;
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "Aladdin", "open sesame", 0, 0, &err),
                    PSR_E_INVALID);
    CU_ASSERT_EQUAL(err.code, PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--allow-unencrypted"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "clear text"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "open sesame"));
    CU_ASSERT_EQUAL(out.len, 0);
    psr_buf_free(&out);
}

static void test_allowed_over_http_with_flag(void)
{
    psr_buf out = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "Aladdin", "open sesame", 0, 1, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    /* The contents are replaced, not appended to. */
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "Aladdin", "open sesame", 1, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    psr_buf_free(&out);
}

static void test_colon_in_user_refused(void)
{
    psr_buf out = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "dom:user", "pw", 1, 0, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "':'"));
    CU_ASSERT_EQUAL(out.len, 0);
    /* A ':' in the password is fine: only the first one separates. */
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "u", "a:b", 1, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "Basic dTphOmI=");
    psr_buf_free(&out);
}

static void test_utf8_password(void)
{
    psr_buf out = {0};
    psr_error err;
    /* RFC 7617 section 2.1: "test" / "123" U+00A3, charset UTF-8. */
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "test", "123\xC2\xA3", 1, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "Basic dGVzdDoxMjPCow==");
    psr_buf_free(&out);
}

static void test_bad_input(void)
{
    psr_buf out = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "", "pw", 1, 0, &err), PSR_E_INVALID);
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, NULL, "pw", 1, 0, &err), PSR_E_INVALID);
    /* RFC 7617 section 2: no control characters. */
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "u", "p\nw", 1, 0, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "password"));
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "u\x01", "pw", 1, 0, &err), PSR_E_INVALID);
    /* No password is an empty one. */
    CU_ASSERT_EQUAL(psr_basic_authorization(&out, "u", NULL, 1, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "Basic dTo=");
    psr_buf_free(&out);
}

static const psr_unit_test tests[] = {
    {"RFC 7617 example over TLS", test_rfc7617_example_over_tls},
    {"refused over plain HTTP, names --allow-unencrypted", test_refused_over_http},
    {"allowed over plain HTTP with the flag", test_allowed_over_http_with_flag},
    {"':' in the user name is refused", test_colon_in_user_refused},
    {"UTF-8 password (RFC 7617 2.1)", test_utf8_password},
    {"empty user, control characters, no password", test_bad_input},
    {NULL, NULL},
};

PSR_UNIT_MAIN("auth_basic", tests)
