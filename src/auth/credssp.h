/* credssp.h: CredSSP (MS-CSSP) security contexts for WinRM, both sides.
 *
 * CredSSP authenticates with SPNEGO (Kerberos or NTLM, gss.h) inside a TLS
 * channel of its own, binds that to the TLS server's public key, and then
 * hands the user's password to the server, which can use it for a second
 * hop (a share or another server reached from the remote session). Over
 * HTTP, WinRM carries the TLS records base64-encoded in the Authorization
 * and WWW-Authenticate headers under the scheme "CredSSP", and afterwards
 * seals every message with the same TLS channel (sealing.h).
 *
 * The exchange, as Windows and this module run it (protocol version 6):
 *   1. TLS 1.2 handshake (the server's certificate is not verified here: the
 *      public-key binding in step 3 is what ties it to the authentication);
 *   2. TSRequest { negoTokens } back and forth until SPNEGO is done;
 *   3. the client's last token comes with pubKeyAuth = sealed SHA-256 of
 *      "CredSSP Client-To-Server Binding Hash\0" + clientNonce + the
 *      server's SubjectPublicKey, and the server answers with the
 *      Server-To-Client hash (versions 2-4, without a nonce: the public key
 *      itself, and the key with its first byte plus one);
 *   4. TSRequest { authInfo = sealed TSCredentials } with the password.
 * Each TSRequest travels as TLS application data (credssp_asn1.h).
 *
 * Nothing here does I/O: psr_credssp_step takes the peer's bytes (TLS
 * records) and gives the bytes to send, like psr_gss_step. Memory BIOs
 * stand in for the socket.
 *
 * Ownership: *_new allocate, *_free release (NULL is a no-op) and wipe the
 * secrets they hold; option strings are copied or used during the call.
 * A psr_credssp_server is shared by many acceptor contexts and must
 * outlive them. */
#ifndef PSR_AUTH_CREDSSP_H
#define PSR_AUTH_CREDSSP_H

#include "common/buf.h"
#include "psremote/error.h"
#include "src/auth/gss.h"

#include <stddef.h>
#include <stdint.h>

/* The highest CredSSP version this module speaks (MS-CSSP 2.2.1). */
#define PSR_CREDSSP_VERSION 6

typedef struct psr_credssp_ctx psr_credssp_ctx;
typedef struct psr_credssp_server psr_credssp_server;

typedef struct psr_credssp_initiator_options {
    /* The inner authentication: mech is PSR_GSS_NEGOTIATE (SPNEGO, as
     * Windows clients use), PSR_GSS_KERBEROS or PSR_GSS_NTLM; user and
     * password are required, since the password is what gets delegated. */
    psr_gss_initiator_options gss;
    /* Refuse servers below this version; 0 means 2 (every Windows version).
     * 5 or more refuses servers without the CVE-2018-0886 fix. */
    int min_version;
} psr_credssp_initiator_options;

/* The TLS identity of a CredSSP acceptor. With cert_file NULL a self-signed
 * RSA-2048 certificate is generated, as WinRM does for its HTTP listener;
 * else cert_file and key_file (PEM; key_file NULL: in cert_file) are used. */
int psr_credssp_server_new(psr_credssp_server **out, const char *cert_file, const char *key_file,
                           psr_error *err);
void psr_credssp_server_free(psr_credssp_server *s);

typedef struct psr_credssp_acceptor_options {
    psr_gss_acceptor_options gss;  /* the inner SPNEGO acceptor */
    const psr_credssp_server *server;
    /* The version this server announces (2..6; 0 means 6), for tests that
     * play an older Windows. */
    int version;
} psr_credssp_acceptor_options;

int psr_credssp_initiator_new(psr_credssp_ctx **out, const psr_credssp_initiator_options *o,
                              psr_error *err);
int psr_credssp_acceptor_new(psr_credssp_ctx **out, const psr_credssp_acceptor_options *o,
                             psr_error *err);
void psr_credssp_free(psr_credssp_ctx *c);

/* One leg: in/in_len is what the peer sent (TLS records; NULL/0 for the
 * initiator's first call); out is replaced with what to send back, which
 * is empty only when this side has nothing more to say. *done becomes 1
 * when this side is complete: for the initiator, after its credentials
 * are in out; for the acceptor, once it holds them (out is then empty).
 * Errors are PSR_E_AUTH (refused, wrong password, binding mismatch; the
 * NTSTATUS a server sent is named), PSR_E_TLS (the inner handshake) or
 * PSR_E_PARSE (a malformed TSRequest); the context is unusable after one.
 * An acceptor that fails may still have a TSRequest with errorCode in out
 * for the client (versions 3, 4 and 6 send one). */
int psr_credssp_step(psr_credssp_ctx *c, const void *in, size_t in_len, psr_buf *out, int *done,
                     psr_error *err);

int psr_credssp_is_complete(const psr_credssp_ctx *c);

/* After completion: the version both sides agreed on, and the mechanism
 * SPNEGO used (PSR_GSS_KERBEROS or PSR_GSS_NTLM). */
int psr_credssp_version(const psr_credssp_ctx *c);
psr_gss_mech psr_credssp_negotiated_mech(const psr_credssp_ctx *c);

/* The TLS protocol and cipher in use ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"). */
const char *psr_credssp_tls_version(const psr_credssp_ctx *c);
const char *psr_credssp_tls_cipher(const psr_credssp_ctx *c);

/* Acceptor, after completion: the user SPNEGO authenticated, and the
 * delegated credentials (domain may be ""). Pointers live as long as c. */
const char *psr_credssp_peer_name(const psr_credssp_ctx *c);
const char *psr_credssp_delegated_domain(const psr_credssp_ctx *c);
const char *psr_credssp_delegated_user(const psr_credssp_ctx *c);
const char *psr_credssp_delegated_password(const psr_credssp_ctx *c);

/* Initiator: the message for a 401 after the credentials were sent (the
 * server would not log the user on with them). Returns PSR_E_AUTH. */
int psr_credssp_rejected_error(const psr_credssp_ctx *c, psr_error *err);

/* ---- Message protection after completion (sealing.c frames it) ----
 *
 * psr_credssp_wrap encrypts len bytes (at most 16 KiB, one TLS record) and
 * replaces the contents of records with the TLS record; *trailer is the
 * length Windows expects in the frame's u32 (SecPkgContext_StreamSizes'
 * trailer: the AEAD tag, or the MAC and padding of a CBC suite).
 * psr_credssp_unwrap feeds TLS records in and appends every byte of
 * plaintext they complete to plain. */
int psr_credssp_wrap(psr_credssp_ctx *c, const void *data, size_t len, psr_buf *records,
                     size_t *trailer, psr_error *err);
int psr_credssp_unwrap(psr_credssp_ctx *c, const void *records, size_t len, psr_buf *plain,
                       psr_error *err);

#endif
