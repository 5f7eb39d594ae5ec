/* uuid.h: random (version 4) UUIDs and their text forms.
 *
 * WS-Man wants "uuid:XXXXXXXX-..." message IDs and upper-case shell and
 * command IDs; PSRP carries the same GUIDs in binary (see psrp/). */
#ifndef PSR_COMMON_UUID_H
#define PSR_COMMON_UUID_H

#include <stdint.h>

typedef struct psr_uuid {
    uint8_t b[16]; /* RFC 4122 byte order (as printed) */
} psr_uuid;

#define PSR_UUID_STRLEN 37 /* 36 characters and the NUL */

/* Fills u with 122 random bits (OpenSSL RAND_bytes, drawn in batches; safe
 * across threads and fork). Returns 0 or PSR_E_IO. */
int psr_uuid_generate(psr_uuid *u);
/* Writes "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", upper or lower case. */
void psr_uuid_format(const psr_uuid *u, int upper, char out[PSR_UUID_STRLEN]);
/* Parses the 36-character form (either case, optional braces). 0 or PSR_E_PARSE. */
int psr_uuid_parse(psr_uuid *u, const char *text);

#endif
