/* redact.h: SecureString contents taken out of PSRP fragments, so a trace
 * (psremote --trace) can be kept and shared. Pure: bytes in, bytes out.
 *
 * The text of every <SS> element (the base64 of the AES ciphertext) is
 * overwritten in place with PSRP_SS_REDACTED_BYTE, byte for byte. Lengths
 * stay, so fragment headers and BlobLengths stay true and the payload is
 * still valid PSRP that `psremote decode` reads; only the ciphertext's
 * length (about the secret's length, in steps of 8 characters) remains.
 * A message split over fragments, payloads and envelopes is followed with
 * per-object scanner state, so an <SS> cut in two is still found.
 *
 * Ownership: the redactor owns its state; psrp_redactor_free(NULL) is a
 * no-op. */
#ifndef PSR_PSRP_REDACT_H
#define PSR_PSRP_REDACT_H

#include "psrp/value.h"

#include <stddef.h>
#include <stdint.h>

/* Never a base64 character, so a redacted value cannot be mistaken for a
 * real one. */
#define PSRP_SS_REDACTED_BYTE '*'

typedef struct psrp_redactor psrp_redactor;

psrp_redactor *psrp_redactor_new(void);
void psrp_redactor_free(psrp_redactor *r);

/* Redacts one payload in place: the decoded bytes of one WS-Man stream
 * element, creationXml or Command Arguments, i.e. whole fragments. channel
 * names the sender and stream (the fragments of one object all travel on
 * one channel). Bytes that do not parse as fragments are scanned as message
 * text, so nothing that looks like an <SS> passes. Returns how many bytes
 * were changed (0 for a payload redacted already). */
size_t psrp_redact_payload(psrp_redactor *r, const char *channel, uint8_t *data, size_t len);

/* 1 when v is a SecureString whose contents a trace redacted. */
int psrp_securestring_is_redacted(const psrp_value *v);

#endif
