/* buf.c: growable byte buffer (see buf.h). */
#include "common/buf.h"

#include "psremote/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void psr_buf_free(psr_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void psr_buf_reset(psr_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int psr_buf_reserve(psr_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return PSR_E_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return PSR_E_NOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int psr_buf_append(psr_buf *b, const void *data, size_t len)
{
    if (psr_buf_reserve(b, len))
        return PSR_E_NOMEM;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int psr_buf_puts(psr_buf *b, const char *s)
{
    return psr_buf_append(b, s, strlen(s));
}

int psr_buf_putc(psr_buf *b, char c)
{
    return psr_buf_append(b, &c, 1);
}

int psr_buf_put_u32(psr_buf *b, uint32_t v, unsigned min_digits)
{
    char digits[10];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n < min_digits && n < sizeof(digits))
        digits[n++] = '0';
    char text[10];
    for (unsigned i = 0; i < n; i++)
        text[i] = digits[n - 1 - i];
    return psr_buf_append(b, text, n);
}

int psr_buf_vprintf(psr_buf *b, const char *fmt, va_list ap)
{
    /* Format straight into the spare room; only when the text does not fit
     * is the room grown and the text formatted a second time. Envelope and
     * CLIXML builders call this for every element, so one pass matters. */
    if (psr_buf_reserve(b, 64))
        return PSR_E_NOMEM;
    size_t room = b->cap - b->len;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(b->data + b->len, room, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->data[b->len] = '\0';
        return PSR_E_INVALID;
    }
    if ((size_t)n >= room) {
        if (psr_buf_reserve(b, (size_t)n))
            return PSR_E_NOMEM;
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
    return 0;
}

int psr_buf_printf(psr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = psr_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int psr_buf_put_xml_escaped(psr_buf *b, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: continue;
        }
        if (psr_buf_append(b, s + start, i - start) || psr_buf_puts(b, rep))
            return PSR_E_NOMEM;
        start = i + 1;
    }
    return psr_buf_append(b, s + start, len - start);
}

void psr_buf_consume(psr_buf *b, size_t n)
{
    if (n >= b->len) {
        psr_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

char *psr_buf_detach(psr_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
