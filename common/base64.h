/* base64.h: standard base64 (RFC 4648, with padding), as WS-Man streams use it. */
#ifndef PSR_COMMON_BASE64_H
#define PSR_COMMON_BASE64_H

#include "common/buf.h"

/* Appends the encoding of data to out. Returns 0 or PSR_E_NOMEM. */
int psr_base64_encode(psr_buf *out, const void *data, size_t len);
/* Appends the decoded bytes of text to out. White space is skipped (servers wrap
 * long lines). Returns 0, PSR_E_PARSE for bad input, or PSR_E_NOMEM. */
int psr_base64_decode(psr_buf *out, const char *text, size_t len);

#endif
