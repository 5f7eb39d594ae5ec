/* test_sealing.c: the multipart/encrypted framing of WinRM message
 * encryption (src/auth/sealing.h), byte for byte against bodies produced by
 * pywinrm 0.3.0 and pypsrp (fixtures/auth/sealing/README.md says how), and the
 * parser's strictness. No GSSAPI here: test_auth_gss covers real sealing. */
#include "src/auth/sealing.h"
#include "unit.h"

#include <string.h>

static const char MSG[] =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body/></s:Envelope>";

static void xor5a(psr_buf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    psr_buf_reset(out);
    for (size_t i = 0; i < len; i++)
        psr_buf_putc(out, (char)(p[i] ^ 0x5a));
}

static char *fixture(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "auth/sealing/%s", name);
    char *data = psr_unit_read_fixture(path, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    return data;
}

static void check_content_type(const char *name, const char *protocol, int multi)
{
    char *expected = fixture(name, NULL);
    psr_buf ct = {0};
    CU_ASSERT_EQUAL(psr_sealing_content_type(&ct, protocol, multi), 0);
    CU_ASSERT_STRING_EQUAL(ct.data, expected);
    CU_ASSERT(psr_sealing_is_encrypted(expected));
    psr_buf_free(&ct);
    free(expected);
}

/* Builds a body the way the fixtures' fake sessions did and compares. */
static void check_build(const char *name, const char *protocol, const unsigned char *hdr,
                        size_t hdr_len)
{
    size_t len = 0;
    char *expected = fixture(name, &len);
    psr_buf sealed = {0}, body = {0};
    xor5a(&sealed, MSG, strlen(MSG));
    CU_ASSERT_EQUAL(psr_sealing_append_part(&body, protocol, strlen(MSG), hdr, hdr_len,
                                            sealed.data, sealed.len), 0);
    CU_ASSERT_EQUAL(psr_sealing_finish(&body), 0);
    CU_ASSERT_EQUAL(body.len, len);
    CU_ASSERT(body.len == len && memcmp(body.data, expected, len) == 0);
    psr_buf_free(&sealed);
    psr_buf_free(&body);
    free(expected);
}

static void test_build_matches_pywinrm_ntlm(void)
{
    unsigned char sig[16];
    for (int i = 0; i < 16; i++)
        sig[i] = (unsigned char)(0xa0 + i);
    check_build("pywinrm_ntlm.bin", PSR_SEALING_SPNEGO, sig, 16);
    check_content_type("pywinrm_ntlm.content-type", PSR_SEALING_SPNEGO, 0);
}

static void test_build_matches_pypsrp_kerberos(void)
{
    unsigned char hdr[60];
    for (int i = 0; i < 60; i++)
        hdr[i] = (unsigned char)(0xc0 + i);
    check_build("pypsrp_kerberos.bin", PSR_SEALING_KERBEROS, hdr, 60);
    check_content_type("pypsrp_kerberos.content-type", PSR_SEALING_KERBEROS, 0);
}

/* pywinrm's CredSSP: 16 KiB chunks, each part's u32 the TLS trailer length
 * (16 for an AES-GCM suite), the "TLS records" following it. */
static void test_build_matches_pywinrm_credssp_chunks(void)
{
    size_t len = 0;
    char *expected = fixture("pywinrm_credssp_multi.bin", &len);
    psr_buf body = {0}, sealed = {0};
    unsigned char plain[40000];
    for (size_t i = 0; i < sizeof(plain); i++)
        plain[i] = (unsigned char)((i * 7 + 3) & 0xff);
    for (size_t off = 0; off < sizeof(plain); off += PSR_SEALING_CREDSSP_CHUNK) {
        size_t n = sizeof(plain) - off < PSR_SEALING_CREDSSP_CHUNK ? sizeof(plain) - off
                                                                    : PSR_SEALING_CREDSSP_CHUNK;
        xor5a(&sealed, plain + off, n);
        /* header_len 16 with the first 16 record bytes as "header" */
        CU_ASSERT_EQUAL(psr_sealing_append_part(&body, PSR_SEALING_CREDSSP, n, sealed.data, 16,
                                                sealed.data + 16, n - 16), 0);
    }
    psr_sealing_finish(&body);
    CU_ASSERT_EQUAL(body.len, len);
    CU_ASSERT(body.len == len && memcmp(body.data, expected, len) == 0);
    check_content_type("pywinrm_credssp_multi.content-type", PSR_SEALING_CREDSSP, 1);
    check_content_type("pywinrm_credssp_single.content-type", PSR_SEALING_CREDSSP, 0);
    psr_buf_free(&body);
    psr_buf_free(&sealed);
    free(expected);
}

/* ---- parsing ---- */

typedef struct collected {
    int parts;
    psr_buf plain;          /* header+sealed un-XORed (CredSSP), or sealed un-XORed */
    size_t header_len[8];
    size_t original[8];
    int whole_record;       /* CredSSP: header and sealed are one TLS record run */
} collected;

static int collect(void *user, const psr_sealing_part *p, psr_error *err)
{
    collected *c = user;
    if (c->parts < 8) {
        c->header_len[c->parts] = p->header_len;
        c->original[c->parts] = p->original_length;
    }
    c->parts++;
    CU_ASSERT_EQUAL(p->original_type_len, strlen("application/soap+xml;charset=UTF-8"));
    CU_ASSERT_EQUAL(strncmp(p->original_type, "application/soap+xml;charset=UTF-8",
                            p->original_type_len), 0);
    psr_buf tmp = {0};
    if (c->whole_record) {
        xor5a(&tmp, p->header, p->header_len + p->sealed_len);
    } else {
        xor5a(&tmp, p->sealed, p->sealed_len);
    }
    psr_buf_append(&c->plain, tmp.data, tmp.len);
    psr_buf_free(&tmp);
    return 0;
}

static int parse_fixture(const char *base, const char *expected_protocol, collected *c,
                         psr_error *err)
{
    char name[128];
    size_t len = 0;
    snprintf(name, sizeof(name), "%s.content-type", base);
    char *ct = fixture(name, NULL);
    snprintf(name, sizeof(name), "%s.bin", base);
    char *body = fixture(name, &len);
    const char *proto = NULL;
    int rc = psr_sealing_parse(ct, body, len, expected_protocol, collect, c, &proto, err);
    if (rc == 0)
        CU_ASSERT_PTR_NOT_NULL(proto);
    free(ct);
    free(body);
    return rc;
}

static void test_parse_pywinrm_and_pypsrp(void)
{
    psr_error err;
    collected c = {0};
    CU_ASSERT_EQUAL(parse_fixture("pywinrm_ntlm", PSR_SEALING_SPNEGO, &c, &err), 0);
    CU_ASSERT_EQUAL(c.parts, 1);
    CU_ASSERT_EQUAL(c.header_len[0], 16);
    CU_ASSERT_EQUAL(c.original[0], strlen(MSG));
    CU_ASSERT_STRING_EQUAL(c.plain.data, MSG);
    psr_buf_free(&c.plain);

    memset(&c, 0, sizeof(c));
    CU_ASSERT_EQUAL(parse_fixture("pypsrp_kerberos", PSR_SEALING_KERBEROS, &c, &err), 0);
    CU_ASSERT_EQUAL(c.parts, 1);
    CU_ASSERT_EQUAL(c.header_len[0], 60);
    CU_ASSERT_STRING_EQUAL(c.plain.data, MSG);
    psr_buf_free(&c.plain);

    memset(&c, 0, sizeof(c));
    c.whole_record = 1;
    CU_ASSERT_EQUAL(parse_fixture("pywinrm_credssp_multi", NULL, &c, &err), 0);
    CU_ASSERT_EQUAL(c.parts, 3);
    CU_ASSERT_EQUAL(c.original[0], 16384);
    CU_ASSERT_EQUAL(c.original[1], 16384);
    CU_ASSERT_EQUAL(c.original[2], 40000 - 2 * 16384);
    CU_ASSERT_EQUAL(c.header_len[2], 16);
    CU_ASSERT_EQUAL(c.plain.len, 40000);
    int same = c.plain.len == 40000;
    for (size_t i = 0; same && i < 40000; i++)
        same = (unsigned char)c.plain.data[i] == ((i * 7 + 3) & 0xff);
    CU_ASSERT(same);
    psr_buf_free(&c.plain);

    /* the protocol must be the one expected */
    memset(&c, 0, sizeof(c));
    CU_ASSERT_EQUAL(parse_fixture("pywinrm_ntlm", PSR_SEALING_KERBEROS, &c, &err), PSR_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "expected"));
    psr_buf_free(&c.plain);
}

/* A valid single-part body to break in different ways. */
static void valid_body(psr_buf *body)
{
    unsigned char sig[16] = {0};
    psr_buf_reset(body);
    psr_sealing_append_part(body, PSR_SEALING_SPNEGO, 5, sig, 16, "abcde", 5);
    psr_sealing_finish(body);
}

static int parse_text(const char *ct, const char *body, size_t len, psr_error *err)
{
    collected c = {0};
    int rc = psr_sealing_parse(ct, body, len, NULL, collect, &c, NULL, err);
    psr_buf_free(&c.plain);
    return rc;
}

static const char CT[] =
    "multipart/encrypted;protocol=\"application/HTTP-SPNEGO-session-encrypted\";"
    "boundary=\"Encrypted Boundary\"";

static void expect_parse_error(const char *ct, const psr_buf *body, const char *text)
{
    psr_error err;
    psr_error_clear(&err);
    int rc = parse_text(ct, body->data, body->len, &err);
    CU_ASSERT_EQUAL(rc, PSR_E_PARSE);
    if (!strstr(err.message, text))
        fprintf(stderr, "expected \"%s\" in: %s\n", text, err.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, text));
}

static void replace(psr_buf *b, const char *from, const char *to)
{
    char *at = memmem(b->data, b->len, from, strlen(from));
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    psr_buf out = {0};
    psr_buf_append(&out, b->data, (size_t)(at - b->data));
    psr_buf_puts(&out, to);
    size_t tail = (size_t)(at - b->data) + strlen(from);
    psr_buf_append(&out, b->data + tail, b->len - tail);
    psr_buf_free(b);
    *b = out;
}

static void test_parser_is_strict(void)
{
    psr_buf b = {0};
    psr_error err;
    valid_body(&b);
    CU_ASSERT_EQUAL(parse_text(CT, b.data, b.len, &err), 0);
    /* Content-Type problems */
    expect_parse_error("application/soap+xml", &b, "not multipart/encrypted");
    expect_parse_error("multipart/encrypted;boundary=\"Encrypted Boundary\"", &b, "protocol");
    expect_parse_error("multipart/encrypted;protocol=\"application/HTTP-Foo\";boundary=x", &b,
                       "protocol");
    expect_parse_error("multipart/encrypted;protocol=\"application/HTTP-SPNEGO-session-encrypted\"",
                       &b, "no boundary");
    expect_parse_error("multipart/encrypted;protocol=\"application/HTTP-SPNEGO-session-encrypted\""
                       ";boundary=\"Other\"", &b, "closing boundary");
    expect_parse_error(NULL, &b, "no Content-Type");
    /* truncated: no closing boundary */
    psr_buf t = {0};
    psr_buf_append(&t, b.data, b.len - 3);
    expect_parse_error(CT, &t, "closing boundary");
    /* trailing junk after the closing boundary */
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    psr_buf_puts(&t, "x");
    expect_parse_error(CT, &t, "closing boundary");
    /* Length not a number, missing, or too long */
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "Length=5", "Length=5x");
    expect_parse_error(CT, &t, "not a number");
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, ";Length=5", "");
    expect_parse_error(CT, &t, "no valid Length");
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "Length=5", "Length=1234567890123");
    expect_parse_error(CT, &t, "no valid Length");
    /* header length larger than the part */
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "stream\r\n\x10", "stream\r\n\x16");
    expect_parse_error(CT, &t, "exceeds the part");
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "stream\r\n\x10\x00\x00\x00", "stream\r\n\xff\xff\xff\xff");
    expect_parse_error(CT, &t, "exceeds the part");
    /* wrong part headers */
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "\tContent-Type: application/octet-stream", "\tContent-Type: text/plain");
    expect_parse_error(CT, &t, "application/octet-stream");
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "\tOriginalContent:", "\tOriginal:");
    expect_parse_error(CT, &t, "OriginalContent");
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "\tContent-Type: application/HTTP-SPNEGO",
            "\tContent-Type: application/HTTP-Kerberos");
    expect_parse_error(CT, &t, "does not announce");
    /* Exchange's "-- Encrypted Boundary" spacing is not accepted */
    psr_buf_reset(&t);
    psr_buf_append(&t, b.data, b.len);
    replace(&t, "--Encrypted Boundary\r\n", "-- Encrypted Boundary\r\n");
    expect_parse_error(CT, &t, "boundary");
    /* only the closing boundary: no parts */
    psr_buf_reset(&t);
    psr_buf_puts(&t, "--Encrypted Boundary--\r\n");
    expect_parse_error(CT, &t, "no parts");
    /* a part cut before its header length */
    psr_buf_reset(&t);
    char *cut = memmem(b.data, b.len, "stream\r\n", 8);
    psr_buf_append(&t, b.data, (size_t)(cut - b.data) + 10);
    psr_sealing_finish(&t);
    expect_parse_error(CT, &t, "truncated");
    psr_buf_free(&t);
    psr_buf_free(&b);
}

static void test_parser_accepts_header_variants(void)
{
    /* media type and parameter names are case-insensitive, parameters may
     * be unquoted and separated by white space */
    psr_buf b = {0};
    psr_error err;
    valid_body(&b);
    CU_ASSERT_EQUAL(parse_text("Multipart/Encrypted; Protocol=\"application/http-spnego-session-"
                               "encrypted\"; boundary=\"Encrypted Boundary\"",
                               b.data, b.len, &err), 0);
    CU_ASSERT(!psr_sealing_is_encrypted("application/soap+xml;charset=UTF-8"));
    CU_ASSERT(!psr_sealing_is_encrypted(NULL));
    psr_buf_free(&b);
}

static int stop_at_second(void *user, const psr_sealing_part *p, psr_error *err)
{
    int *n = user;
    return ++*n == 2 ? psr_error_set(err, PSR_E_LIMIT, "stop") : 0;
}

static void test_multi_part_and_callback_stop(void)
{
    psr_buf b = {0};
    unsigned char sig[16] = {1};
    /* a sealed part containing boundary-like bytes that are not a part start */
    const char tricky[] = "--Encrypted Boundary\r\nnot a header";
    for (int i = 0; i < 3; i++)
        psr_sealing_append_part(&b, PSR_SEALING_SPNEGO, sizeof(tricky) - 1, sig, 16, tricky,
                                sizeof(tricky) - 1);
    psr_sealing_finish(&b);
    psr_error err;
    collected c = {0};
    CU_ASSERT_EQUAL(psr_sealing_parse(CT, b.data, b.len, PSR_SEALING_SPNEGO, collect, &c, NULL,
                                      &err), 0);
    CU_ASSERT_EQUAL(c.parts, 3);
    CU_ASSERT_EQUAL(c.plain.len, 3 * (sizeof(tricky) - 1));
    psr_buf_free(&c.plain);
    int n = 0;
    CU_ASSERT_EQUAL(psr_sealing_parse(CT, b.data, b.len, NULL, stop_at_second, &n, NULL, &err),
                    PSR_E_LIMIT);
    CU_ASSERT_EQUAL(n, 2);
    psr_buf_free(&b);
}

static const psr_unit_test tests[] = {
    {"build: NTLM/SPNEGO body equals pywinrm's", test_build_matches_pywinrm_ntlm},
    {"build: Kerberos body equals pypsrp's", test_build_matches_pypsrp_kerberos},
    {"build: CredSSP 16 KiB chunks equal pywinrm's", test_build_matches_pywinrm_credssp_chunks},
    {"parse: pywinrm and pypsrp bodies", test_parse_pywinrm_and_pypsrp},
    {"parse: strict about framing", test_parser_is_strict},
    {"parse: header spelling variants", test_parser_accepts_header_variants},
    {"parse: several parts; callback stops", test_multi_part_and_callback_stop},
    {NULL, NULL},
};

PSR_UNIT_MAIN("auth: message sealing framing", tests)
