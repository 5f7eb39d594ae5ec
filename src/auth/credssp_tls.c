/* credssp_tls.c: CredSSP's inner TLS channel over memory BIOs (see
 * credssp_tls.h), and the acceptor's generated certificate. */
#include "src/auth/credssp_tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <string.h>

#define CREDSSP_TLS_OPTIONS                                                                        \
    (SSL_OP_NO_COMPRESSION | SSL_OP_NO_ENCRYPT_THEN_MAC | SSL_OP_NO_TICKET |                       \
     SSL_OP_NO_RENEGOTIATION)

/* OpenSSL's first queued error as text, after what failed. */
static int tls_error(psr_error *err, psr_status code, const char *what)
{
    unsigned long e = ERR_get_error();
    char text[256] = "no details from OpenSSL";
    if (e)
        ERR_error_string_n(e, text, sizeof(text));
    ERR_clear_error();
    return psr_error_set(err, code, "CredSSP TLS: %s: %s", what, text);
}

static int configure(SSL_CTX *ctx)
{
    SSL_CTX_set_options(ctx, CREDSSP_TLS_OPTIONS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
           SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
}

static int attach(psr_tls_channel *t, SSL_CTX *ctx, int server, psr_error *err)
{
    memset(t, 0, sizeof(*t));
    t->ssl = SSL_new(ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out) {
        BIO_free(t->in);
        BIO_free(t->out);
        SSL_free(t->ssl);
        memset(t, 0, sizeof(*t));
        return tls_error(err, PSR_E_NOMEM, "creating the channel");
    }
    /* An empty memory BIO means "no more data yet", not end of file. */
    BIO_set_mem_eof_return(t->in, -1);
    SSL_set_bio(t->ssl, t->in, t->out);
    if (server)
        SSL_set_accept_state(t->ssl);
    else
        SSL_set_connect_state(t->ssl);
    return 0;
}

int psr_tls_channel_client(psr_tls_channel *t, psr_error *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return tls_error(err, PSR_E_NOMEM, "creating the client context");
    /* Not verified on purpose (MS-CSSP 3.1.5 step 1): CredSSP servers use
     * self-signed certificates, and pubKeyAuth, sealed with the keys of the
     * authentication, proves the key belongs to the server we logged on
     * to. The password is sent only after that check. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    int rc = configure(ctx) ? attach(t, ctx, 0, err) : tls_error(err, PSR_E_TLS, "configuring");
    SSL_CTX_free(ctx); /* the SSL keeps its own reference */
    return rc;
}

int psr_tls_channel_server(psr_tls_channel *t, SSL_CTX *ctx, psr_error *err)
{
    return attach(t, ctx, 1, err);
}

void psr_tls_channel_close(psr_tls_channel *t)
{
    SSL_free(t->ssl); /* frees both BIOs */
    memset(t, 0, sizeof(*t));
}

SSL_CTX *psr_tls_server_ctx_new(X509 *cert, EVP_PKEY *key, psr_error *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        tls_error(err, PSR_E_NOMEM, "creating the server context");
        return NULL;
    }
    if (!configure(ctx) || SSL_CTX_use_certificate(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        tls_error(err, PSR_E_TLS, "loading the certificate and key");
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int drain(psr_tls_channel *t, psr_buf *out, psr_error *err)
{
    char chunk[16384];
    int n;
    while ((n = BIO_read(t->out, chunk, sizeof(chunk))) > 0)
        if (psr_buf_append(out, chunk, (size_t)n))
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

static int feed(psr_tls_channel *t, const void *in, size_t len, psr_error *err)
{
    if (len > INT_MAX)
        return psr_error_set(err, PSR_E_LIMIT, "CredSSP TLS: %zu bytes at once is too much", len);
    if (len && BIO_write(t->in, in, (int)len) != (int)len)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

int psr_tls_channel_handshake(psr_tls_channel *t, const void *in, size_t len, psr_buf *out,
                              int *finished, psr_error *err)
{
    *finished = 0;
    int rc = feed(t, in, len, err);
    if (rc)
        return rc;
    int r = SSL_do_handshake(t->ssl);
    if (r == 1)
        *finished = 1;
    else if (SSL_get_error(t->ssl, r) != SSL_ERROR_WANT_READ) {
        /* The alert for the peer is in out: drain it, then fail. */
        rc = tls_error(err, PSR_E_TLS, "the handshake failed");
        drain(t, out, NULL);
        return rc;
    }
    return drain(t, out, err);
}

int psr_tls_channel_write(psr_tls_channel *t, const void *data, size_t len, psr_buf *out,
                          psr_error *err)
{
    if (len > INT_MAX)
        return psr_error_set(err, PSR_E_LIMIT, "CredSSP TLS: %zu bytes at once is too much", len);
    if (len && SSL_write(t->ssl, data, (int)len) != (int)len)
        return tls_error(err, PSR_E_TLS, "encrypting");
    return drain(t, out, err);
}

int psr_tls_channel_read(psr_tls_channel *t, const void *in, size_t len, psr_buf *plain,
                         psr_error *err)
{
    int rc = feed(t, in, len, err);
    if (rc)
        return rc;
    for (;;) {
        if (psr_buf_reserve(plain, 16384))
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        int n = SSL_read(t->ssl, plain->data + plain->len, 16384);
        if (n > 0) {
            plain->len += (size_t)n;
            plain->data[plain->len] = '\0';
            continue;
        }
        int e = SSL_get_error(t->ssl, n);
        if (e == SSL_ERROR_WANT_READ)
            return 0;
        if (e == SSL_ERROR_ZERO_RETURN)
            return psr_error_set(err, PSR_E_PROTOCOL, "CredSSP TLS: the peer closed the channel");
        return tls_error(err, PSR_E_TLS, "decrypting");
    }
}

int psr_tls_channel_public_key(const psr_tls_channel *t, int peer, psr_buf *out, psr_error *err)
{
    X509 *cert = peer ? SSL_get0_peer_certificate(t->ssl) : SSL_get_certificate(t->ssl);
    if (!cert)
        return psr_error_set(err, PSR_E_TLS, "CredSSP TLS: no %s certificate",
                             peer ? "server" : "own");
    const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(cert);
    if (!bits || ASN1_STRING_length(bits) <= 0)
        return psr_error_set(err, PSR_E_TLS, "CredSSP TLS: the certificate has no public key");
    psr_buf_reset(out);
    if (psr_buf_append(out, ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits)))
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

size_t psr_tls_channel_trailer(const psr_tls_channel *t, size_t len)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
    if (!c)
        return 0;
    if (SSL_version(t->ssl) == TLS1_3_VERSION)
        return 17; /* tag and the inner content type byte */
    if (SSL_CIPHER_is_aead(c))
        return 16;
    const EVP_MD *md = EVP_get_digestbynid(SSL_CIPHER_get_digest_nid(c));
    const EVP_CIPHER *cipher = EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(c));
    size_t mac = md ? (size_t)EVP_MD_get_size(md) : 0;
    size_t block = cipher ? (size_t)EVP_CIPHER_get_block_size(cipher) : 1;
    if (block <= 1)
        return mac; /* a stream cipher: no padding */
    size_t pad = block - (len + mac) % block;
    return mac + pad;
}

int psr_tls_self_signed(X509 **cert, EVP_PKEY **key, const char *cn, psr_error *err)
{
    *cert = NULL;
    *key = EVP_RSA_gen(2048);
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    int ok = *key && x && name && RAND_bytes(serial, sizeof(serial)) == 1;
    if (ok) {
        serial[0] &= 0x7f; /* a positive serial */
        bn = BN_bin2bn(serial, sizeof(serial), NULL);
        ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
             X509_set_version(x, X509_VERSION_3) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
                                        -1, -1, 0) &&
             X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600) &&
             X509_set_pubkey(x, *key) && X509_sign(x, *key, EVP_sha256()) > 0;
    }
    BN_free(bn);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        EVP_PKEY_free(*key);
        *key = NULL;
        return tls_error(err, PSR_E_TLS, "generating a certificate");
    }
    *cert = x;
    return 0;
}
