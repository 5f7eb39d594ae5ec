/* base64_simd.c: the wide path of the base64 decoder (see base64.c): 16
 * characters at a time with SSSE3 on x86, for the bulk of a Receive.
 *
 * Each character is classified by its high and low nibble with two table
 * lookups (pshufb): the high nibble picks a class bit (0x2_: '+' '/';
 * 0x3_: digits; 0x4_/0x6_: letters from 1; 0x5_/0x7_: letters up to 0xA;
 * others: never valid) and the low nibble the classes it is invalid in, so
 * one AND says whether the block is plain base64. A third lookup by the
 * high nibble gives the offset from the character to its 6-bit value ('/'
 * is told from '+' by comparing). Two multiply-adds pack four values into
 * 24 bits and a shuffle puts the 12 bytes in order. Anything else in a
 * block (white space, '=', a bad character) leaves it to the scalar path,
 * which reports errors.
 *
 * The encoder goes the other way, 12 bytes to 16 characters: a shuffle puts
 * each 3-byte group in a 32-bit lane (middle byte twice), two multiplies
 * move its four 6-bit fields into the lane's four bytes, and each field
 * becomes its character by adding an offset picked by its range (A-Z, a-z,
 * 0-9, '+', '/') with one more lookup. The last bytes (under 16, and the
 * '=' padding) are left to OpenSSL. */
#include "common/base64_simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>

__attribute__((target("ssse3"))) static size_t blocks_ssse3(const unsigned char *in, size_t len,
                                                            unsigned char **dst)
{
    const __m128i nibble = _mm_set1_epi8(0x0f);
    const __m128i slash = _mm_set1_epi8('/');
    /* class bit of each high nibble; 0x10: never valid */
    const __m128i class_of_hi = _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                                              0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    /* the classes in which each low nibble is invalid */
    const __m128i invalid_lo = _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                             0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
    /* value = character + offset, by high nibble ('/' moved to index 1) */
    const __m128i offset = _mm_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i pairs = _mm_set1_epi32(0x01400140);  /* v0 * 64 + v1 */
    const __m128i quads = _mm_set1_epi32(0x00011000);  /* w0 * 4096 + w1 */
    const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    size_t done = 0;
    unsigned char *out = *dst;
    while (len - done >= 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(in + done));
        __m128i hi = _mm_and_si128(_mm_srli_epi32(c, 4), nibble);
        __m128i lo = _mm_and_si128(c, nibble);
        __m128i bad = _mm_and_si128(_mm_shuffle_epi8(class_of_hi, hi),
                                    _mm_shuffle_epi8(invalid_lo, lo));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) != 0xffff)
            break;
        __m128i index = _mm_add_epi8(hi, _mm_cmpeq_epi8(c, slash)); /* '/' : 2 - 1 */
        __m128i v = _mm_add_epi8(c, _mm_shuffle_epi8(offset, index));
        __m128i packed = _mm_madd_epi16(_mm_maddubs_epi16(v, pairs), quads);
        _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(packed, order));
        out += 12;
        done += 16;
    }
    *dst = out;
    return done;
}

size_t psr_base64_decode_blocks(const unsigned char *in, size_t len, unsigned char **dst)
{
    if (!__builtin_cpu_supports("ssse3"))
        return 0;
    return blocks_ssse3(in, len, dst);
}

__attribute__((target("ssse3"))) static size_t encode_ssse3(const unsigned char *in, size_t len,
                                                            char *out)
{
    /* lane i (bytes a b c of group i): b a c b */
    const __m128i spread = _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
    const __m128i fields_ac = _mm_set1_epi32(0x0fc0fc00); /* a's top six, and c's... */
    const __m128i shift_ac = _mm_set1_epi32(0x04000040);  /* ...brought down (high half) */
    const __m128i fields_bd = _mm_set1_epi32(0x003f03f0);
    const __m128i shift_bd = _mm_set1_epi32(0x01000010);  /* ...moved up (low half) */
    /* character = field + offset[range]: 0 for 52..61 after the saturating
     * subtract is 1..10, 11 '+', 12 '/', 13 A-Z (set below), 0 a-z */
    const __m128i offset = _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                         '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                         '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
    size_t done = 0;
    while (len - done >= 16) {
        __m128i groups =
            _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(in + done)), spread);
        __m128i v = _mm_or_si128(_mm_mulhi_epu16(_mm_and_si128(groups, fields_ac), shift_ac),
                                 _mm_mullo_epi16(_mm_and_si128(groups, fields_bd), shift_bd));
        __m128i range = _mm_subs_epu8(v, _mm_set1_epi8(51));
        __m128i upper = _mm_cmpgt_epi8(_mm_set1_epi8(26), v);
        range = _mm_or_si128(range, _mm_and_si128(upper, _mm_set1_epi8(13)));
        __m128i chars = _mm_add_epi8(v, _mm_shuffle_epi8(offset, range));
        _mm_storeu_si128((__m128i *)(void *)out, chars);
        out += 16;
        done += 12;
    }
    return done;
}

size_t psr_base64_encode_blocks(const unsigned char *in, size_t len, char *out)
{
    if (!__builtin_cpu_supports("ssse3"))
        return 0;
    return encode_ssse3(in, len, out);
}

#else

size_t psr_base64_decode_blocks(const unsigned char *in, size_t len, unsigned char **dst)
{
    (void)in;
    (void)len;
    (void)dst;
    return 0;
}

size_t psr_base64_encode_blocks(const unsigned char *in, size_t len, char *out)
{
    (void)in;
    (void)len;
    (void)out;
    return 0;
}

#endif
