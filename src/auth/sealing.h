/* sealing.h: WinRM HTTP message encryption (MS-WSMV 2.2.9.1).
 *
 * Over plain HTTP, WinRM encrypts each SOAP message with the authentication's
 * session keys and sends it as a MIME-like body:
 *
 *   Content-Type: multipart/encrypted;protocol="<protocol>";boundary="Encrypted Boundary"
 *
 *   --Encrypted Boundary\r\n
 *   \tContent-Type: <protocol>\r\n
 *   \tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plain length>\r\n
 *   --Encrypted Boundary\r\n
 *   \tContent-Type: application/octet-stream\r\n
 *   <u32 little-endian header length><header><sealed data>
 *   ...more parts of the same form...
 *   --Encrypted Boundary--\r\n
 *
 * protocol is application/HTTP-SPNEGO-session-encrypted (Negotiate, also
 * with NTLM), application/HTTP-Kerberos-session-encrypted ("Kerberos"
 * scheme) or application/HTTP-CredSSP-session-encrypted. CredSSP messages
 * over 16 KiB are sealed in 16 KiB chunks, one part each, under
 * multipart/x-multi-encrypted; its u32 is the TLS trailer length and the
 * "header" and "sealed" bytes together are the TLS records. (Byte layout
 * checked against pywinrm 0.3.0 and pypsrp.)
 *
 * The framing functions are pure; psr_sealing_seal/unseal add the GSSAPI
 * context (gss.h). */
#ifndef PSR_AUTH_SEALING_H
#define PSR_AUTH_SEALING_H

#include "common/buf.h"
#include "psremote/error.h"
#include "src/auth/gss.h"

typedef struct psr_credssp_ctx psr_credssp_ctx;

#include <stddef.h>

#define PSR_SEALING_SPNEGO "application/HTTP-SPNEGO-session-encrypted"
#define PSR_SEALING_KERBEROS "application/HTTP-Kerberos-session-encrypted"
#define PSR_SEALING_CREDSSP "application/HTTP-CredSSP-session-encrypted"
#define PSR_SEALING_BOUNDARY "Encrypted Boundary"
/* CredSSP's chunk size (and the threshold for multipart/x-multi-encrypted). */
#define PSR_SEALING_CREDSSP_CHUNK 16384

/* One part of an encrypted body, pointing into the parsed body. */
typedef struct psr_sealing_part {
    size_t original_length;     /* OriginalContent Length= */
    const char *original_type;  /* OriginalContent after "type=", up to ";Length=" */
    size_t original_type_len;
    const char *header;         /* the header (signature): header_len bytes */
    size_t header_len;          /* the u32 field (CredSSP: trailer length) */
    const char *sealed;         /* the rest of the part, up to the next boundary */
    size_t sealed_len;
} psr_sealing_part;

/* Writes the request Content-Type into out (replaced):
 * multipart/encrypted (or, when multi, multipart/x-multi-encrypted);
 * protocol="<protocol>";boundary="Encrypted Boundary". */
int psr_sealing_content_type(psr_buf *out, const char *protocol, int multi);

/* Appends one part (boundary, the two part headers, the u32, header and
 * sealed bytes) to body. original_length is the plain length (plus any
 * Kerberos padding). Returns 0 or PSR_E_NOMEM; PSR_E_LIMIT when header_len
 * does not fit in 32 bits. */
int psr_sealing_append_part(psr_buf *body, const char *protocol, size_t original_length,
                            const void *header, size_t header_len, const void *sealed,
                            size_t sealed_len);

/* Appends the closing "--Encrypted Boundary--\r\n". */
int psr_sealing_finish(psr_buf *body);

/* Called for each part, in order; a negative return stops the parse and is
 * returned by psr_sealing_parse. */
typedef int (*psr_sealing_part_fn)(void *user, const psr_sealing_part *part, psr_error *err);

/* Parses an encrypted body strictly: the Content-Type must be
 * multipart/encrypted or multipart/x-multi-encrypted with the protocol
 * expected_protocol (case-insensitive; NULL accepts any of the three) and a
 * boundary; every part must have exactly the headers above, a decimal
 * Length, and a header length no larger than the part; the body must end
 * with the closing boundary and nothing after it. *protocol_out (if not
 * NULL) points at a static string naming the protocol found. Returns 0,
 * PSR_E_PARSE (message says what is wrong and where), or what fn returned. */
int psr_sealing_parse(const char *content_type, const void *body, size_t len,
                      const char *expected_protocol, psr_sealing_part_fn fn, void *user,
                      const char **protocol_out, psr_error *err);

/* 1 if the Content-Type value is an encrypted WinRM body. */
int psr_sealing_is_encrypted(const char *content_type);

/* Seals a SOAP message (UTF-8) with a complete GSSAPI context: one part
 * with the context's protocol (psr_gss_sealing_protocol). The body replaces
 * the contents of body and the Content-Type value those of content_type. */
int psr_sealing_seal(psr_gss_ctx *ctx, const void *plain, size_t len, psr_buf *body,
                     psr_buf *content_type, psr_error *err);

/* Unseals an encrypted response (or request, on the acceptor) into plain
 * (replaced): parses with the context's protocol, unwraps every part, and
 * checks each part's Length against what it decrypted to. Fails with
 * PSR_E_PARSE for bad framing, PSR_E_AUTH/PSR_E_PROTOCOL when decryption
 * or the Length check fails; PSR_E_LIMIT past max_len (0: 64 MiB). */
int psr_sealing_unseal(psr_gss_ctx *ctx, const char *content_type, const void *body, size_t len,
                       size_t max_len, psr_buf *plain, psr_error *err);

/* The same with a complete CredSSP context (credssp.h): 16 KiB chunks, one
 * part each, multipart/x-multi-encrypted past one chunk. */
int psr_sealing_seal_credssp(psr_credssp_ctx *ctx, const void *plain, size_t len, psr_buf *body,
                             psr_buf *content_type, psr_error *err);
int psr_sealing_unseal_credssp(psr_credssp_ctx *ctx, const char *content_type, const void *body,
                               size_t len, size_t max_len, psr_buf *plain, psr_error *err);

#endif
