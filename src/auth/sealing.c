/* sealing.c: building and strictly parsing the multipart body of WinRM
 * message encryption (MS-WSMV 2.2.9.1; layout in sealing.h). Pure: no
 * GSSAPI here, only bytes. */
#include "src/auth/sealing.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define OCTET_STREAM_LINE "\tContent-Type: application/octet-stream\r\n"
#define MAX_BOUNDARY 70 /* RFC 2046 */

static const char *const protocols[] = {PSR_SEALING_SPNEGO, PSR_SEALING_KERBEROS,
                                        PSR_SEALING_CREDSSP};

int psr_sealing_content_type(psr_buf *out, const char *protocol, int multi)
{
    psr_buf_reset(out);
    return psr_buf_printf(out, "%s;protocol=\"%s\";boundary=\"" PSR_SEALING_BOUNDARY "\"",
                          multi ? "multipart/x-multi-encrypted" : "multipart/encrypted",
                          protocol);
}

int psr_sealing_append_part(psr_buf *body, const char *protocol, size_t original_length,
                            const void *header, size_t header_len, const void *sealed,
                            size_t sealed_len)
{
    if (header_len > 0x7fffffffu)
        return PSR_E_LIMIT;
    unsigned char le[4] = {(unsigned char)header_len, (unsigned char)(header_len >> 8),
                           (unsigned char)(header_len >> 16), (unsigned char)(header_len >> 24)};
    int rc = psr_buf_printf(body,
                            "--" PSR_SEALING_BOUNDARY "\r\n"
                            "\tContent-Type: %s\r\n"
                            "\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%zu\r\n"
                            "--" PSR_SEALING_BOUNDARY "\r\n" OCTET_STREAM_LINE,
                            protocol, original_length);
    if (rc == 0)
        rc = psr_buf_append(body, le, 4);
    if (rc == 0)
        rc = psr_buf_append(body, header, header_len);
    if (rc == 0)
        rc = psr_buf_append(body, sealed, sealed_len);
    return rc;
}

int psr_sealing_finish(psr_buf *body)
{
    return psr_buf_puts(body, "--" PSR_SEALING_BOUNDARY "--\r\n");
}

/* ---- Content-Type ---- */

typedef struct media {
    const char *protocol;       /* one of protocols[] */
    char boundary[MAX_BOUNDARY + 1];
} media;

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Reads one parameter value (quoted-string or token) into out. */
static const char *param_value(const char *p, char *out, size_t cap, int *ok)
{
    size_t n = 0;
    *ok = 1;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (n + 1 >= cap)
                *ok = 0;
            else
                out[n++] = *p;
        }
        if (*p != '"')
            *ok = 0;
        else
            p++;
    } else {
        for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
            if (n + 1 >= cap)
                *ok = 0;
            else
                out[n++] = *p;
        }
    }
    out[n] = '\0';
    return p;
}

static int parse_media(const char *ct, media *m, psr_error *err)
{
    memset(m, 0, sizeof(*m));
    if (!ct)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: no Content-Type");
    const char *p = skip_ows(ct);
    const char *semi = strchr(p, ';');
    size_t tlen = semi ? (size_t)(semi - p) : strlen(p);
    while (tlen && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
        tlen--;
    /* multipart/x-multi-encrypted (CredSSP chunks) parses the same way */
    if (!(tlen == 19 && strncasecmp(p, "multipart/encrypted", 19) == 0) &&
        !(tlen == 27 && strncasecmp(p, "multipart/x-multi-encrypted", 27) == 0))
        return psr_error_set(err, PSR_E_PARSE,
                             "encrypted message: Content-Type \"%.*s\" is not multipart/encrypted",
                             (int)(tlen > 100 ? 100 : tlen), p);
    char protocol[128] = "";
    for (p = semi; p && *p == ';';) {
        p = skip_ows(p + 1);
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        if (*p != '=')
            return psr_error_set(err, PSR_E_PARSE, "encrypted message: bad Content-Type parameter");
        size_t nlen = (size_t)(p - name);
        char value[128];
        int ok;
        p = skip_ows(param_value(p + 1, value, sizeof(value), &ok));
        if (!ok)
            return psr_error_set(err, PSR_E_PARSE,
                                 "encrypted message: bad or too long Content-Type parameter");
        if (nlen == 8 && strncasecmp(name, "protocol", 8) == 0)
            memcpy(protocol, value, sizeof(protocol));
        else if (nlen == 8 && strncasecmp(name, "boundary", 8) == 0) {
            if (strlen(value) > MAX_BOUNDARY)
                return psr_error_set(err, PSR_E_PARSE, "encrypted message: boundary too long");
            memcpy(m->boundary, value, strlen(value) + 1);
        }
        if (*p && *p != ';')
            return psr_error_set(err, PSR_E_PARSE, "encrypted message: bad Content-Type parameter");
    }
    for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
        if (strcasecmp(protocol, protocols[i]) == 0)
            m->protocol = protocols[i];
    if (!m->protocol)
        return psr_error_set(err, PSR_E_PARSE,
                             "encrypted message: unknown or missing protocol \"%s\"", protocol);
    if (!m->boundary[0])
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: no boundary in Content-Type");
    return 0;
}

int psr_sealing_is_encrypted(const char *content_type)
{
    media m;
    return parse_media(content_type, &m, NULL) == 0;
}

/* ---- body ---- */

typedef struct cursor {
    const char *p;
    const char *end;
    const char *start;
} cursor;

static int expect(cursor *c, const char *lit, size_t n, const char *what, psr_error *err)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: expected %s at byte %zu", what,
                             (size_t)(c->p - c->start));
    c->p += n;
    return 0;
}

static int expect_boundary(cursor *c, const media *m, psr_error *err)
{
    size_t blen = strlen(m->boundary);
    if (expect(c, "--", 2, "a boundary", err) < 0 ||
        expect(c, m->boundary, blen, "the boundary", err) < 0 ||
        expect(c, "\r\n", 2, "CRLF after the boundary", err) < 0)
        return PSR_E_PARSE;
    return 0;
}

/* "\tOriginalContent: type=...;Length=N\r\n" */
static int original_content(cursor *c, psr_sealing_part *part, psr_error *err)
{
    static const char prefix[] = "\tOriginalContent: type=";
    if (expect(c, prefix, sizeof(prefix) - 1, "the OriginalContent header", err) < 0)
        return PSR_E_PARSE;
    const char *eol = memmem(c->p, (size_t)(c->end - c->p), "\r\n", 2);
    if (!eol || eol - c->p > 256)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: OriginalContent line too long "
                                               "or unterminated");
    const char *len_at = NULL;
    for (const char *q = c->p; q + 8 <= eol; q++)
        if (strncasecmp(q, ";Length=", 8) == 0)
            len_at = q;
    if (!len_at || len_at + 8 == eol || eol - (len_at + 8) > 12)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: OriginalContent has no valid "
                                               "Length");
    size_t n = 0;
    for (const char *q = len_at + 8; q < eol; q++) {
        if (*q < '0' || *q > '9')
            return psr_error_set(err, PSR_E_PARSE, "encrypted message: OriginalContent Length "
                                                   "is not a number");
        n = n * 10 + (size_t)(*q - '0');
    }
    part->original_type = c->p;
    part->original_type_len = (size_t)(len_at - c->p);
    part->original_length = n;
    c->p = eol + 2;
    return 0;
}

static int parse_part(cursor *c, const media *m, const char *final, psr_sealing_part *part,
                      psr_error *err)
{
    memset(part, 0, sizeof(*part));
    size_t plen = strlen(m->protocol);
    if (expect_boundary(c, m, err) < 0 ||
        expect(c, "\tContent-Type: ", 15, "the part's Content-Type", err) < 0)
        return PSR_E_PARSE;
    if ((size_t)(c->end - c->p) < plen || strncasecmp(c->p, m->protocol, plen) != 0)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: part at byte %zu does not "
                                               "announce %s", (size_t)(c->p - c->start),
                             m->protocol);
    c->p += plen;
    if (expect(c, "\r\n", 2, "CRLF after the part's Content-Type", err) < 0 ||
        original_content(c, part, err) < 0 || expect_boundary(c, m, err) < 0 ||
        expect(c, OCTET_STREAM_LINE, sizeof(OCTET_STREAM_LINE) - 1,
               "the application/octet-stream header", err) < 0)
        return PSR_E_PARSE;
    if (final - c->p < 4)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: part truncated before its "
                                               "header length");
    const unsigned char *u = (const unsigned char *)c->p;
    size_t hlen = (size_t)u[0] | (size_t)u[1] << 8 | (size_t)u[2] << 16 | (size_t)u[3] << 24;
    c->p += 4;
    if (hlen > (size_t)(final - c->p))
        return psr_error_set(err, PSR_E_PARSE, "encrypted message: header length %zu exceeds "
                                               "the part", hlen);
    /* The part ends where the next part begins (its boundary followed by
     * its Content-Type line), or at the closing boundary. */
    char next[MAX_BOUNDARY + 32];
    int nlen = snprintf(next, sizeof(next), "--%s\r\n\tContent-Type: ", m->boundary);
    const char *data = c->p + hlen;
    const char *stop = memmem(data, (size_t)(final - data), next, (size_t)nlen);
    part->header = c->p;
    part->header_len = hlen;
    part->sealed = data;
    part->sealed_len = (size_t)((stop ? stop : final) - data);
    c->p = stop ? stop : final;
    return 0;
}

int psr_sealing_parse(const char *content_type, const void *body, size_t len,
                      const char *expected_protocol, psr_sealing_part_fn fn, void *user,
                      const char **protocol_out, psr_error *err)
{
    media m;
    int rc = parse_media(content_type, &m, err);
    if (rc < 0)
        return rc;
    if (expected_protocol && strcasecmp(expected_protocol, m.protocol) != 0)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message uses %s, expected %s",
                             m.protocol, expected_protocol);
    if (protocol_out)
        *protocol_out = m.protocol;
    char closing[MAX_BOUNDARY + 8];
    int clen = snprintf(closing, sizeof(closing), "--%s--\r\n", m.boundary);
    cursor c = {body, (const char *)body + len, body};
    if (len < (size_t)clen || memcmp(c.end - clen, closing, (size_t)clen) != 0)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message does not end with the closing "
                                               "boundary (truncated?)");
    const char *final = c.end - clen;
    int parts = 0;
    while (c.p < final) {
        psr_sealing_part part;
        rc = parse_part(&c, &m, final, &part, err);
        if (rc == 0 && fn)
            rc = fn(user, &part, err);
        if (rc < 0)
            return rc;
        parts++;
    }
    if (parts == 0)
        return psr_error_set(err, PSR_E_PARSE, "encrypted message has no parts");
    return 0;
}
