/* fuzz_credssp.c: the CredSSP decoders a hostile peer feeds once the TLS
 * channel is up: TSRequest (both sides read it) and, on the acceptor,
 * TSCredentials with TSPasswordCreds.
 *
 * Input: the first byte picks the decoder (even: TSRequest, odd:
 * TSCredentials), the rest is the DER. A TSRequest that decodes must
 * encode again and decode to the same fields. */
#include "src/auth/credssp_asn1.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_bytes(psr_asn1_bytes a, psr_asn1_bytes b)
{
    if (!a.data || !b.data)
        return !a.data && !b.data;
    return a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
}

static void tsrequest(const uint8_t *der, size_t len)
{
    psr_tsrequest r, again;
    psr_buf storage = {0}, storage2 = {0}, out = {0};
    psr_error err;
    if (psr_tsrequest_decode(&r, der, len, &storage, &err) == 0) {
        if (psr_tsrequest_encode(&r, &out, &err) != 0 ||
            psr_tsrequest_decode(&again, out.data, out.len, &storage2, &err) != 0)
            abort();
        if (again.version != r.version || again.has_error_code != r.has_error_code ||
            again.error_code != r.error_code || !same_bytes(again.nego_token, r.nego_token) ||
            !same_bytes(again.auth_info, r.auth_info) ||
            !same_bytes(again.pub_key_auth, r.pub_key_auth) ||
            !same_bytes(again.client_nonce, r.client_nonce))
            abort();
    }
    psr_buf_free(&storage);
    psr_buf_free(&storage2);
    psr_buf_free(&out);
}

static void tscredentials(const uint8_t *der, size_t len)
{
    psr_buf domain = {0}, user = {0}, password = {0};
    psr_error err;
    if (psr_tscredentials_decode_password(der, len, &domain, &user, &password, &err) == 0 &&
        (!domain.data || !user.data || !password.data || strlen(user.data) != user.len))
        abort();
    psr_buf_free(&domain);
    psr_buf_free(&user);
    psr_buf_free(&password);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        tscredentials(data + 1, size - 1);
    else
        tsrequest(data + 1, size - 1);
    return 0;
}
