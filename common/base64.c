/* base64.c: base64 encoding (16 characters at a time where the CPU can,
 * OpenSSL's block coder for the rest), and a table-driven
 * decoder (the hot path of every Receive) that also skips the white space
 * servers put into long lines. */
#include "common/base64.h"

#include "common/base64_simd.h"

#include "psremote/error.h"

#include <openssl/evp.h>
#include <string.h>

int psr_base64_encode(psr_buf *out, const void *data, size_t len)
{
    /* EVP_EncodeBlock takes an int length: encode in bounded chunks that are a
     * multiple of 3 bytes so the output concatenates correctly. */
    const unsigned char *p = data;
    if (len >= 16) { /* the wide path first, then OpenSSL for the rest */
        if (psr_buf_reserve(out, 4 * ((len + 2) / 3)))
            return PSR_E_NOMEM;
        size_t wide = psr_base64_encode_blocks(p, len, out->data + out->len);
        out->len += wide / 3 * 4;
        out->data[out->len] = '\0';
        p += wide;
        len -= wide;
    }
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
 * four times faster than OpenSSL's EVP_DecodeBlock, and it can be fed in
 * pieces so the XML parser's text never has to be copied first. Encoding
 * stays with OpenSSL. */
#define B64_BAD 0xff
/* The value of a base64 character, as a constant expression so the tables
 * below are built by the compiler. */
#define B64V(c)                                                                                    \
    ((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'                                                       \
     : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26                                                  \
     : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52                                                  \
     : (c) == '+'               ? 62                                                              \
     : (c) == '/'               ? 63                                                              \
                                : B64_BAD)
#define R4(f, c, s) f(c, s), f((c) + 1, s), f((c) + 2, s), f((c) + 3, s)
#define R16(f, c, s) R4(f, c, s), R4(f, (c) + 4, s), R4(f, (c) + 8, s), R4(f, (c) + 12, s)
#define R64(f, c, s) R16(f, c, s), R16(f, (c) + 16, s), R16(f, (c) + 32, s), R16(f, (c) + 48, s)
#define R256(f, s) R64(f, 0, s), R64(f, 64, s), R64(f, 128, s), R64(f, 192, s)

#define VALUE(c, s) ((unsigned char)B64V(c))
static const unsigned char b64_value[256] = {R256(VALUE, 0)};

/* For the hot loop: each character's 6 bits already in place for its
 * position in a group of four (bits 31..8, first character highest), and
 * bit 7 set for anything that is not a base64 character, so one OR gives
 * both the 24 bits and the verdict. */
#define PLACED(c, s) (B64V(c) == B64_BAD ? 0x80u : (uint32_t)B64V(c) << (s))
static const uint32_t b64_at0[256] = {R256(PLACED, 26)};
static const uint32_t b64_at1[256] = {R256(PLACED, 20)};
static const uint32_t b64_at2[256] = {R256(PLACED, 14)};
static const uint32_t b64_at3[256] = {R256(PLACED, 8)};

/* Appends the bytes of the group of four (or, padded, two or three) held. */
static void flush_group(psr_base64_decoder *d, unsigned char **dst)
{
    const unsigned char *g = d->group;
    uint32_t v = (uint32_t)g[0] << 18 | (uint32_t)g[1] << 12 | (uint32_t)g[2] << 6 | g[3];
    unsigned bytes = d->n == 4 ? 3 : d->n - 1; /* 2 values: 1 byte, 3 values: 2 */
    (*dst)[0] = (unsigned char)(v >> 16);
    if (bytes > 1)
        (*dst)[1] = (unsigned char)(v >> 8);
    if (bytes > 2)
        (*dst)[2] = (unsigned char)v;
    *dst += bytes;
    memset(d->group, 0, sizeof(d->group));
    d->n = 0;
}

/* One character the fast loop could not take: white space, padding, a
 * group split between two pieces, or something that is not base64. */
static int take_char(psr_base64_decoder *d, unsigned char ch, unsigned char **dst)
{
    if (is_b64_space((char)ch))
        return 0;
    if (d->ended)
        return PSR_E_PARSE; /* data after the padded group */
    if (ch == '=') {
        /* only as the third or fourth character, and a third needs a fourth */
        if (d->n + d->padding < 2)
            return PSR_E_PARSE;
        d->padding++;
        if (d->n + d->padding == 4) {
            flush_group(d, dst);
            d->ended = 1;
        }
        return 0;
    }
    if (d->padding || b64_value[ch] == B64_BAD)
        return PSR_E_PARSE;
    d->group[d->n++] = b64_value[ch];
    if (d->n == 4)
        flush_group(d, dst);
    return 0;
}

void psr_base64_decoder_init(psr_base64_decoder *d)
{
    memset(d, 0, sizeof(*d));
}

int psr_base64_decoder_feed(psr_base64_decoder *d, psr_buf *out, const char *text, size_t len)
{
    if (d->failed)
        return PSR_E_PARSE;
    /* at most 3 bytes per 4 characters, plus one group carried over and
     * slack for the wide stores below (4 bytes past the output) */
    if (psr_buf_reserve(out, len / 4 * 3 + 16))
        return PSR_E_NOMEM;
    const unsigned char *in = (const unsigned char *)text;
    unsigned char *dst = (unsigned char *)out->data + out->len;
    size_t i = 0;
    while (i < len) {
        /* The hot loop: whole groups of four, one table lookup per
         * character; anything unusual drops to take_char. */
        if (d->n == 0 && !d->ended) {
            i += psr_base64_decode_blocks(in + i, len - i, &dst);
            while (len - i >= 4) {
                uint32_t v = b64_at0[in[i]] | b64_at1[in[i + 1]] | b64_at2[in[i + 2]] |
                             b64_at3[in[i + 3]];
                if (v & 0x80)
                    break; /* white space, '=', or an error */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                v = __builtin_bswap32(v); /* the three bytes first, in order */
#endif
                memcpy(dst, &v, 4); /* one store; the fourth byte is overwritten next */
                dst += 3;
                i += 4;
            }
            if (i == len)
                break;
        }
        if (take_char(d, in[i++], &dst)) {
            d->failed = 1;
            break;
        }
    }
    out->len = (size_t)((char *)dst - out->data);
    out->data[out->len] = '\0';
    return d->failed ? PSR_E_PARSE : 0;
}

int psr_base64_decoder_finish(psr_base64_decoder *d, psr_buf *out)
{
    if (d->failed || d->n != 0) { /* a partial group, padded or not */
        d->failed = 1;
        return PSR_E_PARSE;
    }
    /* a decode of nothing still leaves a string behind */
    return out->data ? 0 : psr_buf_append(out, "", 0);
}

int psr_base64_decode(psr_buf *out, const char *text, size_t len)
{
    psr_base64_decoder d;
    psr_base64_decoder_init(&d);
    int rc = psr_base64_decoder_feed(&d, out, text, len);
    return rc ? rc : psr_base64_decoder_finish(&d, out);
}
