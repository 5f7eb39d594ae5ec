/* clixml_text.c: the _xHHHH_ string encoding (MS-PSRP 2.2.5.3.2) and the
 * number text forms CLIXML uses (XML Schema / XmlConvert). */
#include "psrp/clixml_text.h"

#include "psremote/error.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The UTF-16 code unit of an escape "_xHHHH_" at s[0..6], or -1. */
static long escape_at(const char *s, size_t left)
{
    if (left < 7 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') || s[6] != '_')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

int psrp_clixml_needs_unescape(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while ((p = memchr(p, '_', (size_t)(end - p))) != NULL) {
        if (escape_at(p, (size_t)(end - p)) >= 0)
            return 1;
        p++;
    }
    return 0;
}

/* Appends code point cp (a lone surrogate too) as (generalized) UTF-8. */
static int put_utf8(psr_buf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return psr_buf_append(out, b, n);
}

int psrp_clixml_unescape(psr_buf *out, const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *u = memchr(p, '_', (size_t)(end - p));
        if (!u)
            return psr_buf_append(out, p, (size_t)(end - p));
        if (psr_buf_append(out, p, (size_t)(u - p)) != 0)
            return PSR_E_NOMEM;
        long cu = escape_at(u, (size_t)(end - u));
        if (cu < 0) {
            if (psr_buf_putc(out, '_') != 0)
                return PSR_E_NOMEM;
            p = u + 1;
            continue;
        }
        p = u + 7;
        uint32_t cp = (uint32_t)cu;
        if (cu >= 0xD800 && cu <= 0xDBFF) {
            long lo = escape_at(p, (size_t)(end - p));
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + (((uint32_t)cu - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                p += 7;
            }
        }
        if (put_utf8(out, cp) != 0)
            return PSR_E_NOMEM;
    }
    return 0;
}

static int put_escape(psr_buf *out, uint32_t cu)
{
    return psr_buf_printf(out, "_x%04" PRIX32 "_", cu);
}

/* Decodes one (generalized) UTF-8 sequence at s; returns its length and sets
 * *cp, or returns 0 for an invalid byte. Encoded surrogates are accepted
 * (that is how lone surrogates are kept). */
static size_t decode_utf8(const unsigned char *s, size_t left, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2; v = c & 0x1F; min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3; v = c & 0x0F; min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF)
        return 0;
    *cp = v;
    return n;
}

int psrp_clixml_escape(psr_buf *out, const char *s, size_t len, int in_attr)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    if (psr_buf_reserve(out, len) != 0)
        return PSR_E_NOMEM;
    while (p < end) {
        unsigned char c = *p;
        const char *rep = NULL;
        int escape_cu = -1;
        size_t n = 1;
        if (c >= 0x20 && c < 0x7F) {
            if (c == '<') rep = "&lt;";
            else if (c == '>') rep = "&gt;";
            else if (c == '&') rep = "&amp;";
            else if (c == '"' && in_attr) rep = "&quot;";
            else if (c == '_' && p + 1 < end && (p[1] == 'x' || p[1] == 'X')) escape_cu = '_';
            else { p++; continue; }
        } else if (c < 0x80) {
            escape_cu = c; /* C0 controls (CR, LF and tab too) and DEL */
        } else {
            uint32_t cp;
            n = decode_utf8(p, (size_t)(end - p), &cp);
            if (n == 0) {
                if (psr_buf_append(out, run, (size_t)(p - run)) != 0 || psr_buf_puts(out, "\xEF\xBF\xBD") != 0)
                    return PSR_E_NOMEM;
                run = ++p;
                continue;
            }
            if (cp >= 0x10000) {
                /* Written as its UTF-16 surrogate pair, as PowerShell does. */
                uint32_t v = cp - 0x10000;
                if (psr_buf_append(out, run, (size_t)(p - run)) != 0 ||
                    put_escape(out, 0xD800 + (v >> 10)) != 0 || put_escape(out, 0xDC00 + (v & 0x3FF)) != 0)
                    return PSR_E_NOMEM;
                p += n;
                run = p;
                continue;
            }
            if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
                escape_cu = (int)cp;
            else {
                p += n;
                continue;
            }
        }
        if (psr_buf_append(out, run, (size_t)(p - run)) != 0)
            return PSR_E_NOMEM;
        if (rep ? psr_buf_puts(out, rep) : put_escape(out, (uint32_t)escape_cu))
            return PSR_E_NOMEM;
        p += n;
        run = p;
    }
    return psr_buf_append(out, run, (size_t)(p - run));
}

/* printf and strtod follow LC_NUMERIC, which an application using the
 * library may have set (a comma in de_DE); CLIXML numbers always have a
 * dot. These two translate between the two spellings. */
static void to_c_decimal(char *s)
{
    const char *dp = localeconv()->decimal_point;
    if (!dp || strcmp(dp, ".") == 0)
        return;
    char *at = strstr(s, dp);
    if (!at)
        return;
    size_t n = strlen(dp);
    *at = '.';
    memmove(at + 1, at + n, strlen(at + n) + 1);
}

/* Returns buf (or s when nothing needs changing); 0 on overflow. */
static const char *from_c_decimal(const char *s, char *buf, size_t cap)
{
    const char *dp = localeconv()->decimal_point;
    const char *dot = strchr(s, '.');
    if (!dot || !dp || strcmp(dp, ".") == 0)
        return s;
    size_t head = (size_t)(dot - s), n = strlen(dp), tail = strlen(dot + 1);
    if (head + n + tail + 1 > cap)
        return NULL;
    memcpy(buf, s, head);
    memcpy(buf + head, dp, n);
    memcpy(buf + head + n, dot + 1, tail + 1);
    return buf;
}

/* "1e+20" -> "1E+20", as .NET writes exponents. */
static void upper_exponent(char *s)
{
    char *e = strchr(s, 'e');
    if (e)
        *e = 'E';
}

void psrp_clixml_format_double(char out[32], double d)
{
    if (isnan(d)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(out, d < 0 ? "-INF" : "INF");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, d);
        if (strtod(out, NULL) == d) /* in the same locale: a fair round trip */
            break;
    }
    to_c_decimal(out);
    upper_exponent(out);
}

void psrp_clixml_format_float(char out[32], float f)
{
    if (isnan(f) || isinf(f)) {
        psrp_clixml_format_double(out, f);
        return;
    }
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(out, 32, "%.*g", prec, (double)f);
        if (strtof(out, NULL) == f)
            break;
    }
    to_c_decimal(out);
    upper_exponent(out);
}

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trims XML white space and copies into a NUL-terminated scratch buffer. */
static int trimmed(const char *s, size_t len, char *buf, size_t cap)
{
    while (len && is_xml_space(*s)) {
        s++;
        len--;
    }
    while (len && is_xml_space(s[len - 1]))
        len--;
    if (len == 0 || len >= cap)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

int psrp_clixml_parse_i64(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out)
{
    /* Fast path for what PowerShell writes: [-]digits, at most 18 of them. */
    if (len > 0 && len < 19) {
        size_t i = s[0] == '-';
        uint64_t v = 0;
        if (i < len) {
            for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
                v = v * 10 + (uint64_t)(s[i] - '0');
            if (i == len) {
                int64_t n = s[0] == '-' ? -(int64_t)v : (int64_t)v;
                if (n < lo || n > hi)
                    return -1;
                *out = n;
                return 0;
            }
        }
    }
    char buf[40], *end;
    if (trimmed(s, len, buf, sizeof(buf)) != 0)
        return -1;
    const char *d = buf + (buf[0] == '-' || buf[0] == '+');
    if (*d < '0' || *d > '9')
        return -1;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int psrp_clixml_parse_u64(const char *s, size_t len, uint64_t hi, uint64_t *out)
{
    char buf[40], *end;
    if (trimmed(s, len, buf, sizeof(buf)) != 0)
        return -1;
    const char *d = buf + (buf[0] == '+');
    if (*d < '0' || *d > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno || *end || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* What PowerShell writes for most doubles ("1.5", "-0.015625", "1E+30"):
 * a decimal of at most 2^53 in its digits with a power of ten of at most 22
 * is exact in a double and so is the power, so one multiplication or
 * division rounds it correctly (Clinger's fast path), at a tenth of
 * strtod's cost. 0 when *out is the value; -1 sends the text to strtod,
 * which also judges whether it is a number at all. */
static int fast_double(const char *p, double *out)
{
#if FLT_EVAL_METHOD == 0 /* no extended intermediate precision */
    static const double pow10[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    int neg = 0, digits = 0, any = 0, exp10 = 0;
    uint64_t m = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, any = 1) {
        if (m == 0 && *p == '0')
            continue; /* leading zeros carry no digit */
        if (++digits > 19)
            return -1;
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
            exp10--;
            if (m == 0 && *p == '0')
                continue;
            if (++digits > 19)
                return -1;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    }
    if (!any)
        return -1;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0, e = 0;
        if (*++p == '-' || *p == '+')
            eneg = *p++ == '-';
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++)
            if ((e = e * 10 + (*p - '0')) > 1000)
                return -1;
        exp10 += eneg ? -e : e;
    }
    if (*p || m > (UINT64_C(1) << 53) || exp10 < -22 || exp10 > 22)
        return -1;
    double v = exp10 < 0 ? (double)m / pow10[-exp10] : (double)m * pow10[exp10];
    *out = neg ? -v : v;
    return 0;
#else
    (void)p;
    (void)out;
    return -1;
#endif
}

int psrp_clixml_parse_double(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    if (trimmed(s, len, buf, sizeof(buf)) != 0)
        return -1;
    if (fast_double(buf, out) == 0)
        return 0;
    if (strcmp(buf, "NaN") == 0) {
        *out = NAN;
        return 0;
    }
    if (strcmp(buf, "INF") == 0 || strcmp(buf, "Infinity") == 0) {
        *out = INFINITY;
        return 0;
    }
    if (strcmp(buf, "-INF") == 0 || strcmp(buf, "-Infinity") == 0) {
        *out = -INFINITY;
        return 0;
    }
    /* XML Schema numbers: digits, one dot, exponent; no hex, no "inf"/"nan"
     * spellings of strtod. */
    for (const char *c = buf; *c; c++)
        if (!((*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' || *c == '-' || *c == '+'))
            return -1;
    char local[96];
    const char *text = from_c_decimal(buf, local, sizeof(local));
    if (!text)
        return -1;
    errno = 0;
    double v = strtod(text, &end);
    if (*end || end == text)
        return -1;
    *out = v; /* overflow gives +-HUGE_VAL = +-INF, as .NET Core does */
    return 0;
}

int psrp_clixml_parse_bool(const char *s, size_t len, int *out)
{
    char buf[8];
    if (trimmed(s, len, buf, sizeof(buf)) != 0)
        return -1;
    if (strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0)
        *out = 1;
    else if (strcmp(buf, "false") == 0 || strcmp(buf, "0") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}
