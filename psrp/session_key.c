/* session_key.c: PSRP RSA key exchange blobs and SecureString AES (see
 * session_key.h). OpenSSL 3 does all the cryptography; this file only lays
 * out the CAPI blob formats MS-PSRP 2.2.2.3 and 2.2.2.4 prescribe. */
#include "psrp/session_key.h"

#include "psrp/utf16.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct psrp_rsa_key {
    EVP_PKEY *pkey;
};

/* PUBLICKEYSTRUC for a PUBLICKEYBLOB with CALG_RSA_KEYX, then the "RSA1" magic. */
static const uint8_t public_blob_header[12] = {0x06, 0x02, 0x00, 0x00, 0x00, 0xA4, 0x00, 0x00, 'R', 'S', 'A', '1'};
/* SIMPLEBLOB: PUBLICKEYSTRUC with CALG_AES_256 (0x6610), then the ALG_ID of
 * the key that encrypted it, CALG_RSA_KEYX (0xA400). */
static const uint8_t simple_blob_header[12] = {0x01, 0x02, 0x00, 0x00, 0x10, 0x66, 0x00, 0x00, 0x00, 0xA4, 0x00, 0x00};

static int ssl_fail(psr_error *err, const char *what)
{
    return psr_error_set(err, PSR_E_IO, "PSRP session key: OpenSSL failed to %s", what);
}

static void reverse(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int psrp_rsa_key_generate(psrp_rsa_key **out, psr_error *err)
{
    *out = NULL;
    psrp_rsa_key *k = calloc(1, sizeof(*k));
    if (!k)
        return psr_error_set(err, PSR_E_NOMEM, "PSRP session key: out of memory");
    k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!k->pkey) {
        free(k);
        return ssl_fail(err, "generate an RSA-2048 key");
    }
    *out = k;
    return 0;
}

int psrp_rsa_key_from_pem(psrp_rsa_key **out, const char *pem, size_t len, psr_error *err)
{
    *out = NULL;
    if (len > INT_MAX)
        return psr_error_set(err, PSR_E_INVALID, "PSRP session key: PEM too large");
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return psr_error_set(err, PSR_E_NOMEM, "PSRP session key: out of memory");
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!pkey || !EVP_PKEY_is_a(pkey, "RSA")) {
        EVP_PKEY_free(pkey);
        return psr_error_set(err, PSR_E_PARSE, "PSRP session key: the PEM text holds no RSA private key");
    }
    psrp_rsa_key *k = calloc(1, sizeof(*k));
    if (!k) {
        EVP_PKEY_free(pkey);
        return psr_error_set(err, PSR_E_NOMEM, "PSRP session key: out of memory");
    }
    k->pkey = pkey;
    *out = k;
    return 0;
}

void psrp_rsa_key_free(psrp_rsa_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

int psrp_rsa_key_public_blob(const psrp_rsa_key *k, psr_buf *out, psr_error *err)
{
    BIGNUM *n = NULL, *e = NULL;
    if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
        !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &e)) {
        BN_free(n);
        BN_free(e);
        return ssl_fail(err, "read the RSA public key");
    }
    int rc = 0;
    int bits = BN_num_bits(n);
    size_t mod_len = ((size_t)bits + 7) / 8;
    if (BN_num_bits(e) > 32 || mod_len > 2048) {
        rc = psr_error_set(err, PSR_E_INVALID, "PSRP session key: RSA key does not fit a PUBLICKEYBLOB");
        goto done;
    }
    uint8_t fixed[20];
    memcpy(fixed, public_blob_header, 12);
    put_le32(fixed + 12, (uint32_t)(mod_len * 8));
    put_le32(fixed + 16, (uint32_t)BN_get_word(e));
    uint8_t mod[2048];
    if (BN_bn2lebinpad(n, mod, (int)mod_len) < 0) {
        rc = ssl_fail(err, "encode the RSA modulus");
        goto done;
    }
    if (psr_buf_append(out, fixed, sizeof(fixed)) || psr_buf_append(out, mod, mod_len))
        rc = psr_error_set(err, PSR_E_NOMEM, "PSRP session key: out of memory");
done:
    BN_free(n);
    BN_free(e);
    return rc;
}

/* Builds an RSA public key from a PUBLICKEYBLOB after checking its layout. */
static int import_public_blob(EVP_PKEY **out, const uint8_t *b, size_t len, psr_error *err)
{
    *out = NULL;
    if (len < 20 || memcmp(b, public_blob_header, sizeof(public_blob_header)) != 0)
        return psr_error_set(err, PSR_E_PARSE,
                             "PSRP PUBLIC_KEY: not a PUBLICKEYBLOB (expected 06 02 00 00 00 A4 00 00 'RSA1')");
    uint32_t bitlen = get_le32(b + 12);
    uint32_t exponent = get_le32(b + 16);
    if (bitlen < 1024 || bitlen > 16384 || bitlen % 8 || len != 20 + bitlen / 8)
        return psr_error_set(err, PSR_E_PARSE,
                             "PSRP PUBLIC_KEY: bit length %u does not match the %zu-byte blob", bitlen, len);
    if (exponent < 3 || !(exponent & 1))
        return psr_error_set(err, PSR_E_PARSE, "PSRP PUBLIC_KEY: invalid public exponent %u", exponent);
    int rc = 0;
    BIGNUM *n = BN_lebin2bn(b + 20, (int)(bitlen / 8), NULL);
    BIGNUM *e = BN_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    if (!n || !e || !bld || !BN_set_word(e, exponent) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
        !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        rc = ssl_fail(err, "import the client's RSA public key");
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return rc;
}

int psrp_session_key_encrypt(const void *public_blob, size_t blob_len, const uint8_t aes_key[PSRP_SESSION_KEY_LEN],
                             psr_buf *out, psr_error *err)
{
    EVP_PKEY *pkey;
    int rc = import_public_blob(&pkey, public_blob, blob_len, err);
    if (rc)
        return rc;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    uint8_t cipher[2048];
    size_t clen = sizeof(cipher);
    if (!ctx || EVP_PKEY_encrypt_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_encrypt(ctx, cipher, &clen, aes_key, PSRP_SESSION_KEY_LEN) <= 0) {
        rc = ssl_fail(err, "encrypt the session key");
    } else {
        /* CAPI blobs hold the RSA output least significant byte first. */
        reverse(cipher, clen);
        if (psr_buf_append(out, simple_blob_header, sizeof(simple_blob_header)) || psr_buf_append(out, cipher, clen))
            rc = psr_error_set(err, PSR_E_NOMEM, "PSRP session key: out of memory");
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}

int psrp_session_key_decrypt(const psrp_rsa_key *k, const void *simple_blob, size_t blob_len,
                             uint8_t aes_key[PSRP_SESSION_KEY_LEN], psr_error *err)
{
    const uint8_t *b = simple_blob;
    size_t want = 12 + (size_t)EVP_PKEY_get_size(k->pkey);
    if (blob_len < 12 || memcmp(b, simple_blob_header, 4) != 0 || memcmp(b + 8, simple_blob_header + 8, 4) != 0)
        return psr_error_set(err, PSR_E_PARSE,
                             "PSRP ENCRYPTED_SESSION_KEY: not a SIMPLEBLOB wrapped with RSA key exchange");
    if (memcmp(b + 4, simple_blob_header + 4, 4) != 0)
        return psr_error_set(err, PSR_E_PARSE,
                             "PSRP ENCRYPTED_SESSION_KEY: session key algorithm 0x%08x is not AES-256 (0x00006610)",
                             get_le32(b + 4));
    if (blob_len != want)
        return psr_error_set(err, PSR_E_PARSE, "PSRP ENCRYPTED_SESSION_KEY: %zu bytes, expected %zu for this RSA key",
                             blob_len, want);
    uint8_t cipher[2048], plain[2048];
    size_t clen = blob_len - 12, plen = sizeof(plain);
    memcpy(cipher, b + 12, clen);
    reverse(cipher, clen);
    int rc = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    if (!ctx || EVP_PKEY_decrypt_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_decrypt(ctx, plain, &plen, cipher, clen) <= 0 || plen != PSRP_SESSION_KEY_LEN)
        /* OpenSSL 3.2+ answers bad padding with a random (implicit rejection)
         * result, usually of another length: both end here. */
        rc = psr_error_set(err, PSR_E_AUTH,
                           "PSRP ENCRYPTED_SESSION_KEY: the session key does not decrypt with our RSA key");
    else
        memcpy(aes_key, plain, PSRP_SESSION_KEY_LEN);
    OPENSSL_cleanse(plain, sizeof(plain));
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* One AES-256-CBC pass with a zero IV (MS-PSRP uses no IV) and PKCS#7. */
static int aes_cbc(int enc, const uint8_t key[PSRP_SESSION_KEY_LEN], const uint8_t *in, size_t len, psr_buf *out,
                   psr_error *err)
{
    static const uint8_t zero_iv[16];
    if (len > INT_MAX - 32)
        return psr_error_set(err, PSR_E_LIMIT, "PSRP SecureString: value too large");
    if (psr_buf_reserve(out, len + 32))
        return psr_error_set(err, PSR_E_NOMEM, "PSRP SecureString: out of memory");
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0, rc = 0;
    uint8_t *dst = (uint8_t *)out->data + out->len;
    if (!ctx || !EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, zero_iv, enc) ||
        !EVP_CipherUpdate(ctx, dst, &n1, in, (int)len) || !EVP_CipherFinal_ex(ctx, dst + n1, &n2)) {
        rc = enc ? ssl_fail(err, "encrypt a SecureString")
                 : psr_error_set(err, PSR_E_PARSE,
                                 "PSRP SecureString: does not decrypt with the session key (bad length or padding)");
        OPENSSL_cleanse(dst, len + 32);
    } else {
        out->len += (size_t)n1 + (size_t)n2;
        out->data[out->len] = '\0';
    }
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int psrp_securestring_encrypt(const uint8_t key[PSRP_SESSION_KEY_LEN], const char *utf8, size_t len, psr_buf *out,
                              psr_error *err)
{
    psr_buf plain = {0};
    int rc = psrp_utf8_to_utf16le(&plain, utf8, len);
    if (rc)
        rc = psr_error_set(err, rc, "PSRP SecureString: the text is not valid UTF-8");
    else
        rc = aes_cbc(1, key, (const uint8_t *)plain.data, plain.len, out, err);
    if (plain.data)
        OPENSSL_cleanse(plain.data, plain.cap);
    psr_buf_free(&plain);
    return rc;
}

int psrp_securestring_decrypt(const uint8_t key[PSRP_SESSION_KEY_LEN], const void *cipher, size_t len, psr_buf *out,
                              psr_error *err)
{
    if (len == 0 || len % 16)
        return psr_error_set(err, PSR_E_PARSE, "PSRP SecureString: %zu bytes is not a whole number of AES blocks", len);
    psr_buf plain = {0};
    int rc = aes_cbc(0, key, cipher, len, &plain, err);
    if (!rc && psrp_utf16le_to_utf8(out, plain.data, plain.len))
        rc = psr_error_set(err, PSR_E_PARSE, "PSRP SecureString: the decrypted value is not valid UTF-16");
    if (plain.data)
        OPENSSL_cleanse(plain.data, plain.cap);
    psr_buf_free(&plain);
    return rc;
}
