/* base64_simd.h: the wide paths of the base64 decoder and encoder (internal to
 * common/base64*.c). */
#ifndef PSR_COMMON_BASE64_SIMD_H
#define PSR_COMMON_BASE64_SIMD_H

#include <stddef.h>

/* Decodes whole blocks of 16 plain base64 characters (no white space, no
 * '=') from in, stopping at the first block that holds anything else or
 * when fewer than 16 remain; returns the characters consumed (a multiple
 * of 16) and advances *dst by 12 bytes a block. Writes up to 4 bytes past
 * the decoded output. Returns 0 where the CPU has no such instructions. */
size_t psr_base64_decode_blocks(const unsigned char *in, size_t len, unsigned char **dst);

/* Encodes whole groups of 12 bytes from in while at least 16 remain (the
 * loads are 16 bytes wide), writing 16 characters a group to out (no NUL);
 * returns the bytes consumed, a multiple of 12. Returns 0 where the CPU has
 * no such instructions. */
size_t psr_base64_encode_blocks(const unsigned char *in, size_t len, char *out);

#endif
