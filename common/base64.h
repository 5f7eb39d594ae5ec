/* base64.h: standard base64 (RFC 4648, with padding), as WS-Man streams use it. */
#ifndef PSR_COMMON_BASE64_H
#define PSR_COMMON_BASE64_H

#include "common/buf.h"

/* Appends the encoding of data to out. Returns 0 or PSR_E_NOMEM. */
int psr_base64_encode(psr_buf *out, const void *data, size_t len);
/* Appends the decoded bytes of text to out. White space is skipped (servers wrap
 * long lines). Returns 0, PSR_E_PARSE for bad input, or PSR_E_NOMEM. */
int psr_base64_decode(psr_buf *out, const char *text, size_t len);

/* The same, fed in pieces split anywhere (as an XML parser hands over the
 * text of one element): init, feed each piece, finish. feed and finish
 * append to out and return 0, PSR_E_PARSE (the input so far cannot be
 * base64: a bad character, '=' before the end, data after the padding; once
 * failed, a decoder stays failed) or PSR_E_NOMEM. finish also fails when
 * the text stopped inside a group of four. */
typedef struct psr_base64_decoder {
    unsigned char group[4]; /* values of a partial group of four */
    unsigned n;             /* how many are held */
    unsigned padding;       /* '=' seen in the last group */
    int ended;              /* the padded group is complete: only space may follow */
    int failed;
} psr_base64_decoder;

void psr_base64_decoder_init(psr_base64_decoder *d);
int psr_base64_decoder_feed(psr_base64_decoder *d, psr_buf *out, const char *text, size_t len);
int psr_base64_decoder_finish(psr_base64_decoder *d, psr_buf *out);

#endif
