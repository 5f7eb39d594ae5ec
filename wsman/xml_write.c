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

static int put_escaped(psr_buf *b, const char *s, int attr)
{
    /* Invalid UTF-8 would make the whole envelope malformed for the peer. */
    if (!xmlCheckUTF8((const unsigned char *)s))
        return PSR_E_INVALID;
    size_t start = 0, i;
    for (i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        case '\r': rep = "&#13;"; break;
        case '\n': rep = attr ? "&#10;" : NULL; break;
        case '\t': rep = attr ? "&#9;" : NULL; break;
        default:
            if (c < 0x20)
                return PSR_E_INVALID;
            rep = NULL;
        }
        if (!rep)
            continue;
        if (psr_buf_append(b, s + start, i - start) || psr_buf_puts(b, rep))
            return PSR_E_NOMEM;
        start = i + 1;
    }
    return psr_buf_append(b, s + start, i - start);
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
