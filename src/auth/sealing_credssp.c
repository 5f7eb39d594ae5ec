/* sealing_credssp.c: WinRM message encryption with a CredSSP context.
 *
 * The message is cut into 16 KiB chunks, each one TLS record of the
 * CredSSP channel and one part of the body; with more than one chunk the
 * body is multipart/x-multi-encrypted. Each part's u32 is the record's
 * trailer length (what SChannel calls the trailer) and is followed by the
 * whole record, as pywinrm and pypsrp send it and Windows reads it. */
#include "src/auth/sealing.h"

#include "src/auth/credssp.h"

#define DEFAULT_MAX_PLAIN (64u * 1024 * 1024)

int psr_sealing_seal_credssp(psr_credssp_ctx *ctx, const void *plain, size_t len, psr_buf *body,
                             psr_buf *content_type, psr_error *err)
{
    if (len == 0)
        return psr_error_set(err, PSR_E_INVALID, "an empty message cannot be sealed");
    psr_buf records = {0};
    const char *p = plain;
    int rc = 0;
    psr_buf_reset(body);
    for (size_t off = 0; off < len && rc == 0; off += PSR_SEALING_CREDSSP_CHUNK) {
        size_t n = len - off < PSR_SEALING_CREDSSP_CHUNK ? len - off : PSR_SEALING_CREDSSP_CHUNK;
        size_t trailer = 0;
        rc = psr_credssp_wrap(ctx, p + off, n, &records, &trailer, err);
        if (rc == 0 && trailer > records.len)
            rc = psr_error_set(err, PSR_E_TLS, "a CredSSP record is shorter than its trailer");
        if (rc == 0 && psr_sealing_append_part(body, PSR_SEALING_CREDSSP, n, records.data,
                                               trailer, records.data + trailer,
                                               records.len - trailer) < 0)
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory while sealing a message");
    }
    if (rc == 0 && (psr_sealing_finish(body) < 0 ||
                    psr_sealing_content_type(content_type, PSR_SEALING_CREDSSP,
                                             len > PSR_SEALING_CREDSSP_CHUNK) < 0))
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory while sealing a message");
    psr_buf_free(&records);
    return rc;
}

typedef struct unseal_state {
    psr_credssp_ctx *ctx;
    psr_buf *plain;
    size_t max_len;
    unsigned index;
} unseal_state;

static int unseal_part(void *user, const psr_sealing_part *p, psr_error *err)
{
    unseal_state *s = user;
    s->index++;
    if (p->original_length > s->max_len - s->plain->len)
        return psr_error_set(err, PSR_E_LIMIT, "the decrypted message exceeds %zu bytes",
                             s->max_len);
    size_t before = s->plain->len;
    /* The "header" is the start of the record: both halves go in, in order. */
    int rc = psr_credssp_unwrap(s->ctx, p->header, p->header_len, s->plain, err);
    if (rc == 0)
        rc = psr_credssp_unwrap(s->ctx, p->sealed, p->sealed_len, s->plain, err);
    if (rc < 0)
        return psr_error_prefix(err, "encrypted message part %u", s->index);
    if (s->plain->len - before != p->original_length)
        return psr_error_set(err, PSR_E_PROTOCOL,
                             "encrypted message part %u decrypted to %zu bytes but announced "
                             "Length=%zu (tampered with or truncated)",
                             s->index, s->plain->len - before, p->original_length);
    return 0;
}

int psr_sealing_unseal_credssp(psr_credssp_ctx *ctx, const char *content_type, const void *body,
                               size_t len, size_t max_len, psr_buf *plain, psr_error *err)
{
    unseal_state s = {ctx, plain, max_len ? max_len : DEFAULT_MAX_PLAIN, 0};
    psr_buf_reset(plain);
    int rc = psr_sealing_parse(content_type, body, len, PSR_SEALING_CREDSSP, unseal_part, &s,
                               NULL, err);
    if (rc < 0)
        psr_buf_reset(plain);
    return rc;
}
