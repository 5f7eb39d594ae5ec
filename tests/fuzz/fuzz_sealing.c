/* fuzz_sealing.c: the parsers of src/auth fed by a hostile peer: WinRM
 * encrypted bodies (sealing.h) and, with the same first line, the
 * WWW-Authenticate / Authorization token parsers (gss.h).
 *
 * Input: a header value (the Content-Type), a '\n', then the body. Every
 * part the parser reports must lie inside the body, and the header length
 * must not exceed what it points at. */
#include "src/auth/gss.h"
#include "src/auth/sealing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct bounds {
    const char *start;
    const char *end;
} bounds;

static int check_part(void *user, const psr_sealing_part *p, psr_error *err)
{
    const bounds *b = user;
    if (p->header < b->start || p->header + p->header_len > b->end || p->sealed < p->header ||
        p->sealed + p->sealed_len > b->end || p->original_type < b->start ||
        p->original_type + p->original_type_len > b->end)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t ct_len = (size_t)(nl - data);
    char *ct = malloc(ct_len + 1);
    size_t body_len = size - ct_len - 1;
    char *body = malloc(body_len ? body_len : 1);
    if (!ct || !body) {
        free(ct);
        free(body);
        return 0;
    }
    memcpy(ct, data, ct_len);
    ct[ct_len] = '\0';
    memcpy(body, nl + 1, body_len);
    bounds b = {body, body + body_len};
    psr_error err;
    const char *protocol;
    psr_sealing_parse(ct, body, body_len, NULL, check_part, &b, &protocol, &err);
    psr_sealing_is_encrypted(ct);
    char *values[] = {ct};
    psr_buf tok = {0}, scheme = {0};
    psr_gss_find_token("Negotiate", values, 1, &tok, &err);
    psr_gss_find_token("Kerberos", values, 1, &tok, &err);
    psr_gss_parse_authorization(ct, &scheme, &tok, &err);
    psr_buf_free(&tok);
    psr_buf_free(&scheme);
    free(ct);
    free(body);
    return 0;
}
