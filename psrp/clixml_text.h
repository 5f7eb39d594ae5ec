/* clixml_text.h: text forms shared by the CLIXML writer and reader: the
 * _xHHHH_ string encoding of MS-PSRP 2.2.5.3.2 (both directions) and the
 * number formats. Internal to psrp/. */
#ifndef PSR_PSRP_CLIXML_TEXT_H
#define PSR_PSRP_CLIXML_TEXT_H

#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Appends the decoding of _xHHHH_ escapes (hex in either case; a high and
 * a low surrogate in a row become one code point; a lone surrogate stays in
 * its 3-byte generalized UTF-8 form). Other text is copied as is.
 * Returns 0 or PSR_E_NOMEM. */
int psrp_clixml_unescape(psr_buf *out, const char *s, size_t len);
/* 1 when s contains something psrp_clixml_unescape would change. */
int psrp_clixml_needs_unescape(const char *s, size_t len);

/* Appends s with _xHHHH_ escaping and XML escaping (quotes only when
 * in_attr). Invalid UTF-8 bytes are written as U+FFFD. */
int psrp_clixml_escape(psr_buf *out, const char *s, size_t len, int in_attr);

/* Shortest text that reads back to the same value; NaN, INF, -INF as
 * XmlConvert writes them. out must hold 32 bytes. */
void psrp_clixml_format_double(char out[32], double d);
void psrp_clixml_format_float(char out[32], float f);

/* Strict parsers of XML Schema number text (surrounding white space allowed,
 * as XmlConvert allows). Return 0, or -1 for bad text or out of range. */
int psrp_clixml_parse_i64(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out);
int psrp_clixml_parse_u64(const char *s, size_t len, uint64_t hi, uint64_t *out);
int psrp_clixml_parse_double(const char *s, size_t len, double *out);
int psrp_clixml_parse_bool(const char *s, size_t len, int *out);

#endif
