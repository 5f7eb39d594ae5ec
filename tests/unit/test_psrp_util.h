/* test_psrp_util.h: helpers the PSRP unit tests share: reading the hex
 * fixtures under fixtures/psrp/ (text, '#' starts a comment, white space is
 * ignored) and comparing byte strings with a readable diff offset. */
#ifndef PSR_TESTS_PSRP_UTIL_H
#define PSR_TESTS_PSRP_UTIL_H

#include "common/buf.h"
#include "unit.h"

#include <ctype.h>
#include <string.h>

/* Appends the bytes of a hex fixture to out; returns 0 or -1. */
static inline int psrp_test_read_hex(const char *rel, psr_buf *out)
{
    size_t len;
    char *text = psr_unit_read_fixture(rel, &len);
    if (!text)
        return -1;
    int hi = -1, rc = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '#') {
            while (i < len && text[i] != '\n')
                i++;
            continue;
        }
        if (isspace((unsigned char)c))
            continue;
        int v = isdigit((unsigned char)c) ? c - '0' : (isxdigit((unsigned char)c) ? (tolower(c) - 'a' + 10) : -1);
        if (v < 0) {
            rc = -1;
            break;
        }
        if (hi < 0) {
            hi = v;
        } else {
            char b = (char)(hi << 4 | v);
            psr_buf_append(out, &b, 1);
            hi = -1;
        }
    }
    free(text);
    return hi >= 0 ? -1 : rc;
}

/* Index of the first differing byte, or -1 when equal. */
static inline long psrp_test_diff(const void *a, size_t alen, const void *b, size_t blen)
{
    const unsigned char *x = a, *y = b;
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return (long)i;
    return alen == blen ? -1 : (long)n;
}

#define PSRP_ASSERT_BYTES(a, alen, b, blen)                                                        \
    do {                                                                                            \
        long d_ = psrp_test_diff((a), (alen), (b), (blen));                                         \
        if (d_ >= 0)                                                                                \
            fprintf(stderr, "\n  bytes differ at offset %ld (lengths %zu and %zu)\n", d_,          \
                    (size_t)(alen), (size_t)(blen));                                                 \
        CU_ASSERT_EQUAL(d_, -1);                                                                    \
    } while (0)

#endif
