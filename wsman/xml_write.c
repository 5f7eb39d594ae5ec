/* xml_write.c: escaping values into envelopes so any parser returns them intact.
 *
 * psr_buf_put_xml_escaped covers the five markup characters; here we also
 * refuse invalid UTF-8 and characters XML 1.0 cannot carry at all (a peer's
 * parser would reject the whole envelope), and write CR, and in attributes
 * tab and LF, as character references, because parsers normalise them away
 * otherwise. */
#include "wsman/xml.h"

#include <libxml/xmlstring.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* What put_escaped must do with each byte: copy it (most of an envelope:
 * names, GUIDs, base64), check it as part of a UTF-8 sequence, replace it,
 * or refuse it. One table lookup per byte keeps the common case a tight
 * loop over long runs of plain text. */
enum { PLAIN, HIGH, SPECIAL, REFUSED, END };

static const unsigned char byte_class[256] = {
    [0] = END,
    [0x01 ... 0x08] = REFUSED,
    ['\t'] = SPECIAL,
    ['\n'] = SPECIAL,
    [0x0b ... 0x0c] = REFUSED,
    ['\r'] = SPECIAL,
    [0x0e ... 0x1f] = REFUSED,
    ['"'] = SPECIAL,
    ['&'] = SPECIAL,
    ['<'] = SPECIAL,
    ['>'] = SPECIAL,
    [0x80 ... 0xff] = HIGH,
};

static const char *replacement(unsigned char c, int attr)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\r': return "&#13;";
    case '"': return attr ? "&quot;" : NULL;
    case '\n': return attr ? "&#10;" : NULL;
    default: return attr ? "&#9;" : NULL; /* tab */
    }
}

/* The first byte at or after i (below len) that is not PLAIN, or where the
 * last 16 bytes before len begin: the table finishes from there. With
 * SSE2, 16 bytes are checked at once (every x86-64 CPU has it); base64
 * arguments of several kilobytes are the bulk of what is escaped. */
static size_t skip_plain(const unsigned char *u, size_t i, size_t len)
{
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi8(0x20), quot = _mm_set1_epi8('"'),
                  amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
        /* signed: bytes from 0x80 up are negative, so below 0x20 too */
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quot)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, amp),
                                                    _mm_or_si128(_mm_cmpeq_epi8(v, lt),
                                                                 _mm_cmpeq_epi8(v, gt))));
        int mask = _mm_movemask_epi8(special);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#else
    (void)len;
#endif
    return i;
}

static int put_escaped(psr_buf *b, const char *s, int attr)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t mark = b->len, start = 0, i = 0, len = strlen(s);
    int high = 0;
    for (;;) {
        i = skip_plain(u, i, len);
        while (byte_class[u[i]] == PLAIN)
            i++;
        unsigned char c = u[i];
        if (byte_class[c] == END)
            break;
        if (byte_class[c] == REFUSED)
            goto invalid;
        if (byte_class[c] == HIGH) {
            high = 1;
            i++;
            continue;
        }
        const char *rep = replacement(c, attr);
        if (rep && (psr_buf_append(b, s + start, i - start) || psr_buf_puts(b, rep)))
            goto nomem;
        i++;
        if (rep)
            start = i;
    }
    if (psr_buf_append(b, s + start, i - start))
        goto nomem;
    /* Invalid UTF-8 would make the whole envelope malformed for the peer. */
    if (high && !xmlCheckUTF8(u))
        goto invalid;
    return 0;
invalid:
    b->len = mark;
    if (b->data)
        b->data[mark] = '\0';
    return PSR_E_INVALID;
nomem:
    b->len = mark;
    if (b->data)
        b->data[mark] = '\0';
    return PSR_E_NOMEM;
}

int wsman_put_text(psr_buf *b, const char *s)
{
    return put_escaped(b, s ? s : "", 0);
}

int wsman_put_attr(psr_buf *b, const char *name, const char *value)
{
    int rc;
    if ((rc = psr_buf_putc(b, ' ')) || (rc = psr_buf_puts(b, name)) ||
        (rc = psr_buf_puts(b, "=\"")) || (rc = put_escaped(b, value ? value : "", 1)))
        return rc;
    return psr_buf_putc(b, '"');
}

int wsman_put_element(psr_buf *b, const char *tag, const char *text)
{
    int rc;
    if ((rc = psr_buf_putc(b, '<')) || (rc = psr_buf_puts(b, tag)) || (rc = psr_buf_putc(b, '>')) ||
        (rc = wsman_put_text(b, text)) || (rc = psr_buf_puts(b, "</")) ||
        (rc = psr_buf_puts(b, tag)))
        return rc;
    return psr_buf_putc(b, '>');
}
