/* test_psrp_session_key.c: PUBLIC_KEY / ENCRYPTED_SESSION_KEY blobs (MS-PSRP
 * 2.2.2.3, 2.2.2.4) and SecureString AES (2.2.5.1.24). The known answers in
 * fixtures/psrp/ were made with the openssl command line, not with this code. */
#include "psrp/session_key.h"
#include "test_psrp_util.h"

#include <ctype.h>
#include <string.h>

static psrp_rsa_key *load_test_key(void)
{
    size_t len = 0;
    char *pem = psr_unit_read_fixture("psrp/rsa2048_test_key.pem", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
    psrp_rsa_key *k = NULL;
    CU_ASSERT_EQUAL(psrp_rsa_key_from_pem(&k, pem, len, NULL), 0);
    free(pem);
    return k;
}

static void test_public_blob_layout(void)
{
    psrp_rsa_key *k = load_test_key();
    psr_buf blob = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_rsa_key_public_blob(k, &blob, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(blob.len, PSRP_PUBLIC_KEY_BLOB_LEN);
    /* 2.2.2.3: 06 02 00 00 | 00 A4 00 00 | 'RSA1' | 00 08 00 00 | exponent */
    static const uint8_t head[20] = {0x06, 0x02, 0x00, 0x00, 0x00, 0xA4, 0x00, 0x00, 0x52, 0x53,
                                     0x41, 0x31, 0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00};
    PSRP_ASSERT_BYTES(blob.data, 20, head, 20);
    /* The modulus is little-endian: compare with `openssl rsa -modulus`. */
    size_t mlen;
    char *hex = psr_unit_read_fixture("psrp/rsa2048_test_key.modulus", &mlen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hex);
    CU_ASSERT(mlen >= 512);
    int same = 1;
    for (size_t i = 0; i < 256; i++) {
        unsigned v;
        char two[3] = {hex[i * 2], hex[i * 2 + 1], 0};
        sscanf(two, "%2x", &v);
        if ((uint8_t)blob.data[20 + 255 - i] != v)
            same = 0;
    }
    CU_ASSERT(same);
    free(hex);
    psr_buf_free(&blob);
    psrp_rsa_key_free(k);
}

static void test_decrypt_openssl_simpleblob(void)
{
    psrp_rsa_key *k = load_test_key();
    psr_buf blob = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_test_read_hex("psrp/encrypted_session_key_simpleblob.hex", &blob), 0);
    uint8_t key[32];
    psr_error err;
    CU_ASSERT_EQUAL(psrp_session_key_decrypt(k, blob.data, blob.len, key, &err), 0);
    for (int i = 0; i < 32; i++)
        CU_ASSERT_EQUAL(key[i], i);

    /* Malformed blobs. */
    blob.data[4] = 0x0e; /* AES-128 */
    CU_ASSERT_EQUAL(psrp_session_key_decrypt(k, blob.data, blob.len, key, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "0x0000660e is not AES-256") != NULL);
    blob.data[4] = 0x10;
    blob.data[0] = 0x07;
    CU_ASSERT_EQUAL(psrp_session_key_decrypt(k, blob.data, blob.len, key, &err), PSR_E_PARSE);
    blob.data[0] = 0x01;
    CU_ASSERT_EQUAL(psrp_session_key_decrypt(k, blob.data, blob.len - 1, key, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "expected 268") != NULL);
    blob.data[100] ^= 0x55; /* ciphertext damaged */
    CU_ASSERT_EQUAL(psrp_session_key_decrypt(k, blob.data, blob.len, key, &err), PSR_E_AUTH);
    psr_buf_free(&blob);
    psrp_rsa_key_free(k);
}

static void test_exchange_round_trip(void)
{
    psrp_rsa_key *client = NULL;
    CU_ASSERT_EQUAL_FATAL(psrp_rsa_key_generate(&client, NULL), 0);
    psr_buf pub = {0}, enc = {0};
    CU_ASSERT_EQUAL(psrp_rsa_key_public_blob(client, &pub, NULL), 0);
    uint8_t key[32], got[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(0xA0 + i);
    CU_ASSERT_EQUAL(psrp_session_key_encrypt(pub.data, pub.len, key, &enc, NULL), 0);
    CU_ASSERT_EQUAL(enc.len, 12 + 256);
    static const uint8_t head[12] = {0x01, 0x02, 0x00, 0x00, 0x10, 0x66, 0x00, 0x00, 0x00, 0xA4, 0x00, 0x00};
    PSRP_ASSERT_BYTES(enc.data, 12, head, 12);
    CU_ASSERT_EQUAL(psrp_session_key_decrypt(client, enc.data, enc.len, got, NULL), 0);
    CU_ASSERT_EQUAL(memcmp(key, got, 32), 0);

    psr_error err;
    psr_buf_reset(&enc);
    pub.data[8] = 'X'; /* not 'RSA1' */
    CU_ASSERT_EQUAL(psrp_session_key_encrypt(pub.data, pub.len, key, &enc, &err), PSR_E_PARSE);
    pub.data[8] = 'R';
    CU_ASSERT_EQUAL(psrp_session_key_encrypt(pub.data, pub.len - 1, key, &enc, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "bit length 2048") != NULL);
    psr_buf_free(&pub);
    psr_buf_free(&enc);
    psrp_rsa_key_free(client);
    psrp_rsa_key_free(NULL);
}

static const uint8_t ss_key[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                   16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
static const char ss_text[] = "Pa$$w0rd \xe2\x82\xac \xf0\x9f\x98\x80";

static void test_securestring_known_answer(void)
{
    psr_buf want = {0}, got = {0}, plain = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_test_read_hex("psrp/securestring_aes256cbc.hex", &want), 0);
    CU_ASSERT_EQUAL(psrp_securestring_encrypt(ss_key, ss_text, strlen(ss_text), &got, NULL), 0);
    PSRP_ASSERT_BYTES(got.data, got.len, want.data, want.len);
    CU_ASSERT_EQUAL(psrp_securestring_decrypt(ss_key, want.data, want.len, &plain, NULL), 0);
    CU_ASSERT_STRING_EQUAL(plain.data, ss_text);

    psr_error err;
    psr_buf_reset(&plain);
    CU_ASSERT_EQUAL(psrp_securestring_decrypt(ss_key, want.data, 31, &plain, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "whole number of AES blocks") != NULL);
    uint8_t other[32] = {1};
    CU_ASSERT_EQUAL(psrp_securestring_decrypt(other, want.data, want.len, &plain, &err), PSR_E_PARSE);
    psr_buf_reset(&got);
    CU_ASSERT_EQUAL(psrp_securestring_encrypt(ss_key, "\xff", 1, &got, &err), PSR_E_PARSE);
    /* Empty string: one block of padding. */
    psr_buf_reset(&got);
    CU_ASSERT_EQUAL(psrp_securestring_encrypt(ss_key, "", 0, &got, NULL), 0);
    CU_ASSERT_EQUAL(got.len, 16);
    psr_buf_free(&want);
    psr_buf_free(&got);
    psr_buf_free(&plain);
}

static const psr_unit_test tests[] = {
    {"PUBLIC_KEY blob layout (2.2.2.3)", test_public_blob_layout},
    {"ENCRYPTED_SESSION_KEY from openssl decrypts (2.2.2.4)", test_decrypt_openssl_simpleblob},
    {"key exchange round trip", test_exchange_round_trip},
    {"SecureString AES-256-CBC known answer", test_securestring_known_answer},
    {NULL, NULL},
};

PSR_UNIT_MAIN("psrp session key", tests)
