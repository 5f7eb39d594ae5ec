/* base64.c: base64 with OpenSSL's block coder; padding and white space are
 * handled here because EVP_DecodeBlock neither skips space nor trims padding. */
#include "common/base64.h"

#include "psremote/error.h"

#include <openssl/evp.h>

int psr_base64_encode(psr_buf *out, const void *data, size_t len)
{
    /* EVP_EncodeBlock takes an int length: encode in bounded chunks that are a
     * multiple of 3 bytes so the output concatenates correctly. */
    const unsigned char *p = data;
    const size_t chunk = 3 * 1024 * 1024;
    while (len > 0) {
        size_t n = len < chunk ? len : chunk;
        if (psr_buf_reserve(out, 4 * ((n + 2) / 3)))
            return PSR_E_NOMEM;
        int w = EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)n);
        out->len += (size_t)w;
        out->data[out->len] = '\0';
        p += n;
        len -= n;
    }
    if (out->data == NULL)
        return psr_buf_append(out, "", 0);
    return 0;
}

static int is_b64_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int psr_base64_decode(psr_buf *out, const char *text, size_t len)
{
    unsigned char quad[4];
    size_t q = 0;
    size_t pad = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (is_b64_space(c))
            continue;
        int valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
        if (!valid)
            return PSR_E_PARSE;
        if (c == '=')
            pad++;
        else if (pad)
            return PSR_E_PARSE; /* data after padding */
        quad[q++] = (unsigned char)c;
        if (q == 4) {
            unsigned char bytes[3];
            if (EVP_DecodeBlock(bytes, quad, 4) != 3)
                return PSR_E_PARSE;
            if (pad > 2)
                return PSR_E_PARSE;
            if (psr_buf_append(out, bytes, 3 - pad))
                return PSR_E_NOMEM;
            q = 0;
            if (pad)
                pad = 3; /* anything after a padded quad is an error */
        }
    }
    if (q != 0)
        return PSR_E_PARSE;
    if (out->data == NULL)
        return psr_buf_append(out, "", 0);
    return 0;
}
