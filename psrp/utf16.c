/* utf16.c: strict UTF-8 <-> UTF-16LE conversion (see utf16.h). */
#include "psrp/utf16.h"

#include "psremote/error.h"

#include <stdint.h>

/* Decodes one code point at s (n bytes left); returns its length or 0. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, min = 0x80, *cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, min = 0x800, *cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return len;
}

static int put_unit(psr_buf *out, uint32_t u)
{
    char b[2] = {(char)(u & 0xFF), (char)(u >> 8)};
    return psr_buf_append(out, b, 2);
}

int psrp_utf8_to_utf16le(psr_buf *out, const char *utf8, size_t len)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (!n)
            return PSR_E_PARSE;
        i += n;
        int rc;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            rc = put_unit(out, 0xD800 | (cp >> 10));
            if (!rc)
                rc = put_unit(out, 0xDC00 | (cp & 0x3FF));
        } else {
            rc = put_unit(out, cp);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int psrp_utf16le_to_utf8(psr_buf *out, const void *utf16, size_t len)
{
    const unsigned char *s = utf16;
    if (len % 2)
        return PSR_E_PARSE;
    for (size_t i = 0; i < len; i += 2) {
        uint32_t cp = s[i] | ((uint32_t)s[i + 1] << 8);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return PSR_E_PARSE;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i + 3 >= len)
                return PSR_E_PARSE;
            uint32_t lo = s[i + 2] | ((uint32_t)s[i + 3] << 8);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return PSR_E_PARSE;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 2;
        }
        char b[4];
        size_t n;
        if (cp < 0x80) {
            b[0] = (char)cp, n = 1;
        } else if (cp < 0x800) {
            b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
        } else if (cp < 0x10000) {
            b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
        } else {
            b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
        }
        if (psr_buf_append(out, b, n))
            return PSR_E_NOMEM;
    }
    return 0;
}
