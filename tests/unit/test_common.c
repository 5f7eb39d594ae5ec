/* test_common.c: buffers, base64, UUIDs and error objects. */
#include "common/base64.h"
#include "common/buf.h"
#include "common/uuid.h"
#include "psremote/error.h"
#include "unit.h"

#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_buf_append_printf(void)
{
    psr_buf b = {0};
    CU_ASSERT_EQUAL(psr_buf_puts(&b, "ab"), 0);
    CU_ASSERT_EQUAL(psr_buf_printf(&b, "%d-%s", 42, "x"), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "ab42-x");
    CU_ASSERT_EQUAL(b.len, 6);
    psr_buf_consume(&b, 2);
    CU_ASSERT_STRING_EQUAL(b.data, "42-x");
    for (int i = 0; i < 10000; i++)
        psr_buf_putc(&b, 'z');
    CU_ASSERT_EQUAL(b.len, 10004);
    psr_buf_free(&b);
    CU_ASSERT_PTR_NULL(b.data);
    psr_buf_free(&b); /* twice is harmless */
}

static void test_buf_xml_escape(void)
{
    psr_buf b = {0};
    const char *in = "a<b>&\"c'";
    psr_buf_put_xml_escaped(&b, in, strlen(in));
    CU_ASSERT_STRING_EQUAL(b.data, "a&lt;b&gt;&amp;&quot;c&apos;");
    psr_buf_free(&b);
}

static void test_base64_rfc4648_vectors(void)
{
    /* RFC 4648 section 10 test vectors. */
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        psr_buf e = {0}, d = {0};
        CU_ASSERT_EQUAL(psr_base64_encode(&e, plain[i], strlen(plain[i])), 0);
        CU_ASSERT_STRING_EQUAL(e.data, enc[i]);
        CU_ASSERT_EQUAL(psr_base64_decode(&d, enc[i], strlen(enc[i])), 0);
        CU_ASSERT_EQUAL(d.len, strlen(plain[i]));
        CU_ASSERT_EQUAL(memcmp(d.data, plain[i], d.len), 0);
        psr_buf_free(&e);
        psr_buf_free(&d);
    }
}

/* The wide encoder against OpenSSL's, for every length up to a few
 * blocks and every byte value (each of the 64 characters from every lane
 * position), appended after text already in the buffer. */
static void test_base64_encode_matches_openssl(void)
{
    unsigned char data[400];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof(data); i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = (unsigned char)(i < 256 ? i * 7 : seed >> 16);
    }
    unsigned char want[4 * sizeof(data) / 3 + 8];
    int bad = 0;
    for (size_t len = 0; len <= sizeof(data); len++) {
        for (size_t off = 0; off < 3 && off + len <= sizeof(data); off++) {
            psr_buf e = {0};
            psr_buf_puts(&e, "x:");
            CU_ASSERT_EQUAL(psr_base64_encode(&e, data + off, len), 0);
            int n = EVP_EncodeBlock(want, data + off, (int)len);
            if (e.len != (size_t)n + 2 || memcmp(e.data + 2, want, (size_t)n) != 0 ||
                e.data[e.len] != '\0')
                bad++;
            psr_buf d = {0};
            if (psr_base64_decode(&d, e.data + 2, e.len - 2) != 0 || d.len != len ||
                (len && memcmp(d.data, data + off, len) != 0))
                bad++;
            psr_buf_free(&d);
            psr_buf_free(&e);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_base64_whitespace_and_errors(void)
{
    psr_buf d = {0};
    CU_ASSERT_EQUAL(psr_base64_decode(&d, "Zm9v\r\nYmFy\n", 11), 0);
    CU_ASSERT_STRING_EQUAL(d.data, "foobar");
    psr_buf_reset(&d);
    CU_ASSERT_EQUAL(psr_base64_decode(&d, "Zm9", 3), PSR_E_PARSE);
    psr_buf_reset(&d);
    CU_ASSERT_EQUAL(psr_base64_decode(&d, "Zm=v", 4), PSR_E_PARSE);
    psr_buf_reset(&d);
    CU_ASSERT_EQUAL(psr_base64_decode(&d, "Zg==Zm9v", 8), PSR_E_PARSE);
    psr_buf_reset(&d);
    CU_ASSERT_EQUAL(psr_base64_decode(&d, "Z!9v", 4), PSR_E_PARSE);
    psr_buf_free(&d);
}

static void test_base64_binary_roundtrip(void)
{
    unsigned char bytes[1000];
    for (int i = 0; i < 1000; i++)
        bytes[i] = (unsigned char)(i * 7 + 3);
    psr_buf e = {0}, d = {0};
    psr_base64_encode(&e, bytes, sizeof(bytes));
    CU_ASSERT_EQUAL(e.len, 4 * ((1000 + 2) / 3));
    CU_ASSERT_EQUAL(psr_base64_decode(&d, e.data, e.len), 0);
    CU_ASSERT_EQUAL(d.len, sizeof(bytes));
    CU_ASSERT_EQUAL(memcmp(d.data, bytes, sizeof(bytes)), 0);
    psr_buf_free(&e);
    psr_buf_free(&d);
}

/* Every length from 0 to 300 with every byte value: our decoder against
 * OpenSSL's encoder, so neither side's expectations come from our own code. */
static void test_base64_against_openssl(void)
{
    unsigned char bytes[300];
    for (int i = 0; i < 300; i++)
        bytes[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n <= sizeof(bytes); n++) {
        unsigned char enc[404];
        int el = EVP_EncodeBlock(enc, bytes, (int)n);
        psr_buf d = {0};
        CU_ASSERT_EQUAL_FATAL(psr_base64_decode(&d, (const char *)enc, (size_t)el), 0);
        CU_ASSERT_EQUAL(d.len, n);
        CU_ASSERT_EQUAL(memcmp(d.data, bytes, n), 0);
        psr_buf_free(&d);
    }
}

/* The streaming decoder gives the same bytes however the text is split,
 * with white space inserted anywhere (OpenSSL encodes, so the expectation
 * is not our own), and the same verdicts on bad text. */
static void test_base64_decoder_pieces(void)
{
    unsigned char bytes[100];
    for (int i = 0; i < 100; i++)
        bytes[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof(bytes); n += 7) {
        unsigned char enc[140];
        int el = EVP_EncodeBlock(enc, bytes, (int)n);
        /* a line break after every 5th character */
        char spaced[200];
        size_t sl = 0;
        for (int i = 0; i < el; i++) {
            spaced[sl++] = (char)enc[i];
            if (i % 5 == 4)
                spaced[sl++] = '\n';
        }
        for (size_t cut1 = 0; cut1 <= sl; cut1 += 3) {
            for (size_t cut2 = cut1; cut2 <= sl; cut2 += 5) {
                psr_base64_decoder dec;
                psr_base64_decoder_init(&dec);
                psr_buf d = {0};
                CU_ASSERT_EQUAL_FATAL(psr_base64_decoder_feed(&dec, &d, spaced, cut1), 0);
                CU_ASSERT_EQUAL_FATAL(psr_base64_decoder_feed(&dec, &d, spaced + cut1,
                                                              cut2 - cut1), 0);
                CU_ASSERT_EQUAL_FATAL(psr_base64_decoder_feed(&dec, &d, spaced + cut2,
                                                              sl - cut2), 0);
                CU_ASSERT_EQUAL_FATAL(psr_base64_decoder_finish(&dec, &d), 0);
                CU_ASSERT_EQUAL(d.len, n);
                CU_ASSERT(n == 0 || memcmp(d.data, bytes, n) == 0);
                psr_buf_free(&d);
            }
        }
    }
    /* split bad text: '=' in the middle, data after padding, a short end */
    const char *bad[][2] = {{"Zm", "=v"}, {"Zg=", "=Zm9v"}, {"Zm9", ""}, {"Zg", "="},
                            {"Z", "!9v"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        psr_base64_decoder dec;
        psr_base64_decoder_init(&dec);
        psr_buf d = {0};
        int rc = psr_base64_decoder_feed(&dec, &d, bad[i][0], strlen(bad[i][0]));
        if (rc == 0)
            rc = psr_base64_decoder_feed(&dec, &d, bad[i][1], strlen(bad[i][1]));
        if (rc == 0)
            rc = psr_base64_decoder_finish(&dec, &d);
        CU_ASSERT_EQUAL(rc, PSR_E_PARSE);
        /* once failed, it stays failed */
        CU_ASSERT_EQUAL(psr_base64_decoder_feed(&dec, &d, "QUJD", 4), PSR_E_PARSE);
        psr_buf_free(&d);
    }
}

/* Long enough for the 16-character wide path: every byte value at every
 * position of a 32-character text, which must decode exactly when the byte
 * is base64 or white space (skipped); and random data of every length up
 * to 700 against OpenSSL's encoder. */
static void test_base64_wide_path(void)
{
    static const char text[] = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"; /* ABCDEFGHIJKLMNOPQRSTUVWX */
    for (int pos = 0; pos < 32; pos++) {
        for (int c = 0; c < 256; c++) {
            int b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '/';
            int space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
            char t[33];
            memcpy(t, text, 33);
            t[pos] = (char)c;
            psr_buf d = {0};
            int rc = psr_base64_decode(&d, t, 32);
            if (b64) {
                CU_ASSERT_EQUAL(rc, 0);
                CU_ASSERT_EQUAL(d.len, 24);
            } else if (c == '=' && pos == 31) { /* padding of the last group */
                CU_ASSERT_EQUAL(rc, 0);
                CU_ASSERT_EQUAL(d.len, 23);
            } else if (space) {
                CU_ASSERT_EQUAL(rc, PSR_E_PARSE); /* 31 characters left: not whole groups */
            } else {
                CU_ASSERT_EQUAL(rc, PSR_E_PARSE);
            }
            psr_buf_free(&d);
        }
    }
    /* the same with the space replacing a character inside a longer text,
     * and the text extended so the groups stay whole */
    char spaced[40];
    memcpy(spaced, "QUJD REVGR0hJSktMTU5PUFFSU1RVVldYWVo=", 38);
    psr_buf d = {0};
    CU_ASSERT_EQUAL(psr_base64_decode(&d, spaced, 37), 0);
    CU_ASSERT_EQUAL(d.len, 26);
    CU_ASSERT_EQUAL(memcmp(d.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26), 0);
    psr_buf_free(&d);

    unsigned char bytes[700], enc[940];
    unsigned seed = 12345;
    for (size_t n = 0; n <= sizeof(bytes); n += 1 + n / 16) {
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            bytes[i] = (unsigned char)(seed >> 16);
        }
        int el = EVP_EncodeBlock(enc, bytes, (int)n);
        psr_buf out = {0};
        CU_ASSERT_EQUAL_FATAL(psr_base64_decode(&out, (const char *)enc, (size_t)el), 0);
        CU_ASSERT(out.len == n && (n == 0 || memcmp(out.data, bytes, n) == 0));
        psr_buf_free(&out);
    }
}

static void test_base64_rejects_each_bad_character(void)
{
    for (int c = 0; c < 256; c++) {
        int valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
        char text[9] = "QUJD" "REVG";
        text[5] = (char)c;
        psr_buf d = {0};
        int rc = psr_base64_decode(&d, text, 8);
        if (valid && c != ' ' && c != '\t' && c != '\r' && c != '\n')
            CU_ASSERT_EQUAL(rc, 0);
        if (!valid)
            CU_ASSERT_EQUAL(rc, PSR_E_PARSE);
        psr_buf_free(&d);
    }
}

static void test_uuid_format_parse(void)
{
    psr_uuid u, v;
    CU_ASSERT_EQUAL(psr_uuid_generate(&u), 0);
    CU_ASSERT_EQUAL(u.b[6] >> 4, 4);
    CU_ASSERT_EQUAL(u.b[8] & 0xc0, 0x80);
    char s[PSR_UUID_STRLEN];
    psr_uuid_format(&u, 1, s);
    CU_ASSERT_EQUAL(strlen(s), 36);
    CU_ASSERT_EQUAL(s[8], '-');
    CU_ASSERT_EQUAL(psr_uuid_parse(&v, s), 0);
    CU_ASSERT_EQUAL(memcmp(u.b, v.b, 16), 0);
    CU_ASSERT_EQUAL(psr_uuid_parse(&v, "{0AB9B2D4-05AC-4B5E-A0B3-8D1C4A4F6B0E}"), 0);
    CU_ASSERT_EQUAL(v.b[0], 0x0a);
    CU_ASSERT_EQUAL(v.b[15], 0x0e);
    psr_uuid_format(&v, 0, s);
    CU_ASSERT_STRING_EQUAL(s, "0ab9b2d4-05ac-4b5e-a0b3-8d1c4a4f6b0e");
    CU_ASSERT_EQUAL(psr_uuid_parse(&v, "0AB9B2D4-05AC-4B5E-A0B3-8D1C4A4F6B0"), PSR_E_PARSE);
    CU_ASSERT_EQUAL(psr_uuid_parse(&v, "0AB9B2D4x05AC-4B5E-A0B3-8D1C4A4F6B0E"), PSR_E_PARSE);
}

static void test_buf_put_u32(void)
{
    psr_buf b = {0};
    CU_ASSERT_EQUAL(psr_buf_put_u32(&b, 0, 1), 0);
    CU_ASSERT_EQUAL(psr_buf_putc(&b, ' '), 0);
    CU_ASSERT_EQUAL(psr_buf_put_u32(&b, 7, 3), 0);
    CU_ASSERT_EQUAL(psr_buf_putc(&b, ' '), 0);
    CU_ASSERT_EQUAL(psr_buf_put_u32(&b, 1234, 3), 0);
    CU_ASSERT_EQUAL(psr_buf_putc(&b, ' '), 0);
    CU_ASSERT_EQUAL(psr_buf_put_u32(&b, UINT32_MAX, 0), 0);
    CU_ASSERT_EQUAL(psr_buf_putc(&b, ' '), 0);
    CU_ASSERT_EQUAL(psr_buf_put_u32(&b, 5, 99), 0); /* padding stops at ten digits */
    CU_ASSERT_STRING_EQUAL(b.data, "0 007 1234 4294967295 0000000005");
    psr_buf_free(&b);
}

static int uuid_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(psr_uuid));
}

/* UUIDs come from a per-thread pool refilled 32 at a time: many draws
 * across refills must all differ and all carry the version 4 bits. */
static void test_uuid_unique_across_refills(void)
{
    enum { N = 1000 };
    psr_uuid *u = calloc(N, sizeof(*u));
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    for (int i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(psr_uuid_generate(&u[i]), 0);
        CU_ASSERT_EQUAL(u[i].b[6] >> 4, 4);
        CU_ASSERT_EQUAL(u[i].b[8] & 0xc0, 0x80);
    }
    qsort(u, N, sizeof(*u), uuid_cmp);
    int dup = 0;
    for (int i = 1; i < N; i++)
        dup += memcmp(&u[i - 1], &u[i], sizeof(*u)) == 0;
    CU_ASSERT_EQUAL(dup, 0);
    free(u);
}

/* A forked child must not repeat the UUIDs its parent draws next from the
 * same pool. */
static void test_uuid_fork_differs(void)
{
    psr_uuid first, parent, child;
    CU_ASSERT_EQUAL_FATAL(psr_uuid_generate(&first), 0); /* the pool is filled now */
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        psr_uuid c;
        int ok = psr_uuid_generate(&c) == 0 && write(fds[1], &c, sizeof(c)) == sizeof(c);
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    CU_ASSERT_EQUAL(psr_uuid_generate(&parent), 0);
    CU_ASSERT_EQUAL(read(fds[0], &child, sizeof(child)), (ssize_t)sizeof(child));
    close(fds[0]);
    int status = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_NOT_EQUAL(memcmp(&parent, &child, sizeof(parent)), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(&first, &child, sizeof(first)), 0);
}

static void test_error_set_prefix(void)
{
    psr_error e;
    CU_ASSERT_EQUAL(psr_error_set(&e, PSR_E_NETWORK, "connect to %s failed", "h"), PSR_E_NETWORK);
    CU_ASSERT_EQUAL(psr_error_prefix(&e, "host %d", 1), PSR_E_NETWORK);
    CU_ASSERT_STRING_EQUAL(e.message, "host 1: connect to h failed");
    CU_ASSERT_EQUAL(psr_error_set(NULL, PSR_E_IO, "x"), PSR_E_IO);
    CU_ASSERT_STRING_EQUAL(psr_status_name(PSR_E_AUTH), "authentication failed");
}

static const psr_unit_test tests[] = {
    {"buf append/printf/consume", test_buf_append_printf},
    {"buf xml escape", test_buf_xml_escape},
    {"base64 RFC 4648 vectors", test_base64_rfc4648_vectors},
    {"base64 whitespace and errors", test_base64_whitespace_and_errors},
    {"base64 decoder fed in pieces", test_base64_decoder_pieces},
    {"base64 wide path: every byte at every position, random data", test_base64_wide_path},
    {"base64 binary round trip", test_base64_binary_roundtrip},
    {"base64 against OpenSSL's encoder", test_base64_against_openssl},
    {"base64 rejects each bad character", test_base64_rejects_each_bad_character},
    {"buf put_u32", test_buf_put_u32},
    {"base64 encoder = OpenSSL", test_base64_encode_matches_openssl},
    {"uuid format/parse", test_uuid_format_parse},
    {"uuid unique across pool refills", test_uuid_unique_across_refills},
    {"uuid differs in a forked child", test_uuid_fork_differs},
    {"error set/prefix", test_error_set_prefix},
    {NULL, NULL},
};
PSR_UNIT_MAIN("common", tests)
