/* sealing_gss.c: WinRM message encryption with a GSSAPI context: seals a
 * SOAP message into the multipart body (one part, as Windows and pypsrp
 * send for Negotiate and Kerberos) and unseals every part of a received
 * body, checking each part's OriginalContent Length. */
#include "src/auth/sealing.h"

#include <string.h>

#define DEFAULT_MAX_PLAIN (64u * 1024 * 1024)

int psr_sealing_seal(psr_gss_ctx *ctx, const void *plain, size_t len, psr_buf *body,
                     psr_buf *content_type, psr_error *err)
{
    psr_buf header = {0}, sealed = {0};
    size_t padding = 0;
    const char *protocol = psr_gss_sealing_protocol(ctx);
    int rc = psr_gss_wrap_winrm(ctx, plain, len, &header, &sealed, &padding, err);
    if (rc == 0) {
        psr_buf_reset(body);
        /* MS-WSMV: Length counts the padding Kerberos added (RC4/DES). */
        rc = psr_sealing_append_part(body, protocol, len + padding, header.data, header.len,
                                     sealed.data, sealed.len);
        if (rc == 0)
            rc = psr_sealing_finish(body);
        if (rc == 0)
            rc = psr_sealing_content_type(content_type, protocol, 0);
        if (rc < 0)
            rc = psr_error_set(err, rc, "out of memory while sealing a message");
    }
    psr_buf_free(&header);
    psr_buf_free(&sealed);
    return rc;
}

typedef struct unseal_state {
    psr_gss_ctx *ctx;
    psr_buf *plain;
    psr_buf part;
    size_t max_len;
    unsigned index;
} unseal_state;

static int unseal_part(void *user, const psr_sealing_part *p, psr_error *err)
{
    unseal_state *s = user;
    s->index++;
    int rc = psr_gss_unwrap_winrm(s->ctx, p->header, p->header_len, p->sealed, p->sealed_len,
                                  &s->part, err);
    if (rc < 0)
        return psr_error_prefix(err, "encrypted message part %u", s->index);
    if (s->part.len != p->original_length)
        return psr_error_set(err, PSR_E_PROTOCOL,
                             "encrypted message part %u decrypted to %zu bytes but announced "
                             "Length=%zu (tampered with or truncated)",
                             s->index, s->part.len, p->original_length);
    if (s->plain->len + s->part.len > s->max_len)
        return psr_error_set(err, PSR_E_LIMIT, "the decrypted message exceeds %zu bytes",
                             s->max_len);
    if (psr_buf_append(s->plain, s->part.data, s->part.len) < 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

int psr_sealing_unseal(psr_gss_ctx *ctx, const char *content_type, const void *body, size_t len,
                       size_t max_len, psr_buf *plain, psr_error *err)
{
    unseal_state s = {ctx, plain, {0}, max_len ? max_len : DEFAULT_MAX_PLAIN, 0};
    psr_buf_reset(plain);
    int rc = psr_sealing_parse(content_type, body, len, psr_gss_sealing_protocol(ctx),
                               unseal_part, &s, NULL, err);
    psr_buf_free(&s.part);
    if (rc < 0)
        psr_buf_reset(plain);
    return rc;
}
