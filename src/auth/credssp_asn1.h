/* credssp_asn1.h: the CredSSP messages (MS-CSSP 2.2.1) in DER.
 *
 *   TSRequest ::= SEQUENCE {
 *       version     [0] INTEGER,
 *       negoTokens  [1] NegoData OPTIONAL,     -- SEQUENCE OF SEQUENCE {
 *                                              --   negoToken [0] OCTET STRING }
 *       authInfo    [2] OCTET STRING OPTIONAL, -- sealed TSCredentials
 *       pubKeyAuth  [3] OCTET STRING OPTIONAL, -- sealed public-key binding
 *       errorCode   [4] INTEGER OPTIONAL,      -- NTSTATUS (version 3+)
 *       clientNonce [5] OCTET STRING OPTIONAL  -- 32 bytes (version 5+)
 *   }
 *   TSCredentials ::= SEQUENCE { credType [0] INTEGER, credentials [1] OCTET STRING }
 *   TSPasswordCreds ::= SEQUENCE { domainName [0] OCTET STRING,
 *                                  userName [1] OCTET STRING,
 *                                  password [2] OCTET STRING }   -- UTF-16LE
 *
 * Encoding and decoding go through OpenSSL's ASN.1 templates, so no DER is
 * parsed by hand. Only one negoToken is carried (WinRM never sends more);
 * a TSRequest with several keeps the first. Pure: no I/O.
 *
 * Ownership: a psr_tsrequest's pointers point into the decoded buffer
 * given to psr_tsrequest_decode (it must outlive the struct) or, for
 * encoding, at the caller's memory. */
#ifndef PSR_AUTH_CREDSSP_ASN1_H
#define PSR_AUTH_CREDSSP_ASN1_H

#include "common/buf.h"
#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>

/* Bytes of an optional field; data == NULL when the field is absent. */
typedef struct psr_asn1_bytes {
    const unsigned char *data;
    size_t len;
} psr_asn1_bytes;

typedef struct psr_tsrequest {
    long version;
    psr_asn1_bytes nego_token;
    psr_asn1_bytes auth_info;
    psr_asn1_bytes pub_key_auth;
    int has_error_code;
    uint32_t error_code;         /* NTSTATUS, e.g. 0xC000006D */
    psr_asn1_bytes client_nonce;
} psr_tsrequest;

/* Appends the DER of r to out. 0, PSR_E_NOMEM or PSR_E_INVALID. */
int psr_tsrequest_encode(const psr_tsrequest *r, psr_buf *out, psr_error *err);

/* Decodes one TSRequest that fills der/len exactly. The decoded fields are
 * copied into storage (replaced), which r's pointers then point into.
 * PSR_E_PARSE for anything that is not a well-formed TSRequest (trailing
 * bytes, a missing version, a wrong type). */
int psr_tsrequest_decode(psr_tsrequest *r, const void *der, size_t len, psr_buf *storage,
                         psr_error *err);

/* TSCredentials with TSPasswordCreds (credType 1). The strings are UTF-8
 * here and UTF-16LE on the wire. Appends to out; PSR_E_INVALID for text
 * that is not UTF-8. */
int psr_tscredentials_encode_password(const char *domain, const char *user, const char *password,
                                      psr_buf *out, psr_error *err);

/* Decodes TSCredentials carrying TSPasswordCreds into three UTF-8 strings
 * (each replaced; the password buffer should be wiped by the caller).
 * PSR_E_PARSE for bad DER or text; PSR_E_INVALID for another credType
 * (smart card, Remote Guard), named in the message. */
int psr_tscredentials_decode_password(const void *der, size_t len, psr_buf *domain,
                                      psr_buf *user, psr_buf *password, psr_error *err);

#endif
