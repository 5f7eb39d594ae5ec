/* utf16.h: UTF-8 <-> UTF-16LE, for SecureString plaintext (MS-PSRP 2.2.5.1.24
 * encrypts the UTF-16LE bytes of the string). Strict: invalid UTF-8,
 * overlong forms, encoded surrogates and unpaired UTF-16 surrogates are
 * rejected with PSR_E_PARSE; results are appended to out. */
#ifndef PSR_PSRP_UTF16_H
#define PSR_PSRP_UTF16_H

#include "common/buf.h"

#include <stddef.h>

int psrp_utf8_to_utf16le(psr_buf *out, const char *utf8, size_t len);
int psrp_utf16le_to_utf8(psr_buf *out, const void *utf16, size_t len);

#endif
