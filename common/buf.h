/* buf.h: a growable byte buffer, the one container the layers pass bytes in.
 *
 * data is always NUL-terminated (not counted in len) so text can be used as a
 * C string. A zeroed psr_buf is a valid empty buffer; psr_buf_free releases
 * the memory and leaves an empty buffer behind. */
#ifndef PSR_COMMON_BUF_H
#define PSR_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct psr_buf {
    char *data;
    size_t len;
    size_t cap;
} psr_buf;

void psr_buf_free(psr_buf *b);
/* Empties the buffer but keeps its memory for reuse. */
void psr_buf_reset(psr_buf *b);
/* All of these return 0 or PSR_E_NOMEM. */
int psr_buf_reserve(psr_buf *b, size_t extra);
int psr_buf_append(psr_buf *b, const void *data, size_t len);
int psr_buf_puts(psr_buf *b, const char *s);
int psr_buf_putc(psr_buf *b, char c);
/* Appends v in decimal, at least min_digits long (zero-padded): the
 * envelope builders' numbers, without a printf per request. */
int psr_buf_put_u32(psr_buf *b, uint32_t v, unsigned min_digits);
int psr_buf_printf(psr_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int psr_buf_vprintf(psr_buf *b, const char *fmt, va_list ap);
/* Appends s with the five XML special characters escaped (text and attributes). */
int psr_buf_put_xml_escaped(psr_buf *b, const char *s, size_t len);
/* Removes the first n bytes. */
void psr_buf_consume(psr_buf *b, size_t n);
/* Hands the memory to the caller (who frees it with free()); b becomes empty. */
char *psr_buf_detach(psr_buf *b, size_t *len);

#endif
