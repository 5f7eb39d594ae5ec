/* credssp_tls.h: the TLS channel inside CredSSP, over OpenSSL memory BIOs
 * (internal to src/auth/credssp*.c).
 *
 * CredSSP's TLS never touches a socket: the records the peer sent are
 * written into one memory BIO and the records to send are drained from
 * another. Both sides run TLS 1.2 only, with the settings SChannel
 * interoperates with: no compression, no encrypt-then-MAC (SChannel does not
 * do it, and it would change the trailer length Windows expects), no
 * session tickets or resumption (MS-CSSP 3.1.5 forbids resumption), no
 * renegotiation. */
#ifndef PSR_AUTH_CREDSSP_TLS_H
#define PSR_AUTH_CREDSSP_TLS_H

#include "common/buf.h"
#include "psremote/error.h"

#include <openssl/ssl.h>
#include <stddef.h>

typedef struct psr_tls_channel {
    SSL *ssl;
    BIO *in;    /* records from the peer (owned by ssl) */
    BIO *out;   /* records for the peer (owned by ssl) */
} psr_tls_channel;

/* A client channel (with an SSL_CTX of its own) or a server channel on a
 * shared ctx (psr_tls_server_ctx_new; the channel takes a reference). */
int psr_tls_channel_client(psr_tls_channel *t, psr_error *err);
int psr_tls_channel_server(psr_tls_channel *t, SSL_CTX *ctx, psr_error *err);
void psr_tls_channel_close(psr_tls_channel *t);

/* A server SSL_CTX with the CredSSP settings and the given identity. */
SSL_CTX *psr_tls_server_ctx_new(X509 *cert, EVP_PKEY *key, psr_error *err);

/* Feeds in, advances the handshake and appends what to send to out.
 * *finished is 1 once the handshake is complete on this side. */
int psr_tls_channel_handshake(psr_tls_channel *t, const void *in, size_t len, psr_buf *out,
                              int *finished, psr_error *err);

/* Encrypts data into records appended to out. */
int psr_tls_channel_write(psr_tls_channel *t, const void *data, size_t len, psr_buf *out,
                          psr_error *err);

/* Feeds records in and appends the plaintext they complete to plain. */
int psr_tls_channel_read(psr_tls_channel *t, const void *in, size_t len, psr_buf *plain,
                         psr_error *err);

/* The SubjectPublicKey bits (for RSA, the PKCS#1 RSAPublicKey DER) of the
 * peer's certificate (client) or of ours (server), which CredSSP binds
 * to. Replaces the contents of out. */
int psr_tls_channel_public_key(const psr_tls_channel *t, int peer, psr_buf *out, psr_error *err);

/* The trailer length of a record carrying len bytes, as SChannel reports
 * it in SecPkgContext_StreamSizes: the AEAD tag (16) or, for CBC suites,
 * the MAC plus the padding (with its length byte). */
size_t psr_tls_channel_trailer(const psr_tls_channel *t, size_t len);

/* Generates a self-signed RSA-2048 certificate for subject CN cn. */
int psr_tls_self_signed(X509 **cert, EVP_PKEY **key, const char *cn, psr_error *err);

#endif
