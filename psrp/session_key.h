/* session_key.h: the PSRP session-key exchange and SecureString encryption
 * (MS-PSRP 2.2.2.3, 2.2.2.4, 2.2.5.1.24, 3.1.5.4.4), on OpenSSL 3.
 *
 * Client: psrp_rsa_key_generate makes an RSA-2048 key pair (the one place
 * randomness enters: the caller does it, outside the state machines);
 * psrp_rsa_key_public_blob gives the PUBLIC_KEY blob (a CAPI PUBLICKEYBLOB):
 *   06 02 00 00 | 00 A4 00 00 (CALG_RSA_KEYX) | "RSA1" | bitlen u32 LE |
 *   public exponent u32 LE | modulus little-endian (bitlen/8 bytes)
 * which goes base64-encoded into the PublicKey property.
 * Server: psrp_session_key_encrypt wraps a 32-byte AES key with RSAES-PKCS1-v1_5
 * under that public key into the ENCRYPTED_SESSION_KEY blob (a CAPI SIMPLEBLOB):
 *   01 02 00 00 | 10 66 00 00 (CALG_AES_256) | 00 A4 00 00 | ciphertext
 *   little-endian (byte-reversed RSA output)
 * Client: psrp_session_key_decrypt recovers the AES key.
 * SecureString (<SS>): AES-256-CBC, IV all zero, PKCS#7 padding, over the
 * UTF-16LE bytes of the string; the element text is base64 of the result.
 *
 * Ownership: psrp_rsa_key is opaque; free it with psrp_rsa_key_free (NULL is
 * fine). Callers should wipe AES keys they hold when done (OPENSSL_cleanse). */
#ifndef PSR_PSRP_SESSION_KEY_H
#define PSR_PSRP_SESSION_KEY_H

#include "common/buf.h"
#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>

#define PSRP_SESSION_KEY_LEN 32
#define PSRP_PUBLIC_KEY_BLOB_LEN (20 + 256) /* for RSA-2048 */

typedef struct psrp_rsa_key psrp_rsa_key;

/* RSA-2048, exponent 65537. PSR_E_IO when OpenSSL fails. */
int psrp_rsa_key_generate(psrp_rsa_key **out, psr_error *err);
/* Loads a private key from PEM (PKCS#1 or PKCS#8), e.g. to reuse one key. */
int psrp_rsa_key_from_pem(psrp_rsa_key **out, const char *pem, size_t len, psr_error *err);
void psrp_rsa_key_free(psrp_rsa_key *k);

/* Appends the PUBLICKEYBLOB bytes (not base64) to out. */
int psrp_rsa_key_public_blob(const psrp_rsa_key *k, psr_buf *out, psr_error *err);

/* Server side: checks the PUBLICKEYBLOB and appends the SIMPLEBLOB holding
 * aes_key encrypted to it. PSR_E_PARSE for a malformed public key blob. */
int psrp_session_key_encrypt(const void *public_blob, size_t blob_len, const uint8_t aes_key[PSRP_SESSION_KEY_LEN],
                             psr_buf *out, psr_error *err);

/* Client side: checks the SIMPLEBLOB (AES-256, RSA key exchange, length) and
 * writes the 32-byte AES key. PSR_E_PARSE for a malformed blob, PSR_E_AUTH
 * when it does not decrypt under k. */
int psrp_session_key_decrypt(const psrp_rsa_key *k, const void *simple_blob, size_t blob_len,
                             uint8_t aes_key[PSRP_SESSION_KEY_LEN], psr_error *err);

/* SecureString value: UTF-8 text in, ciphertext bytes (not base64) out. */
int psrp_securestring_encrypt(const uint8_t key[PSRP_SESSION_KEY_LEN], const char *utf8, size_t len, psr_buf *out,
                              psr_error *err);
/* Ciphertext bytes in, UTF-8 text out (appended). PSR_E_PARSE for a bad
 * length, bad padding or text that is not valid UTF-16. */
int psrp_securestring_decrypt(const uint8_t key[PSRP_SESSION_KEY_LEN], const void *cipher, size_t len, psr_buf *out,
                              psr_error *err);

#endif
