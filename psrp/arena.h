/* arena.h: the region allocator behind the CLIXML deserializer's values.
 * Internal to psrp/.
 *
 * Why: a top-level value of a typical stream (one Get-Process object) is
 * some 40 small allocations (values, member arrays, strings) that are all
 * made in document order and all die together after the reader's callback.
 * malloc and free for each of them cost more than libxml2's own parsing of
 * the bytes, and scatter a value over the heap. An arena hands out memory
 * by bumping a pointer through a few large blocks and frees the blocks at
 * once.
 *
 * Values stay individually reference counted (value.h), so a caller may
 * keep any of them: each value allocated in an arena counts as live, and
 * the arena is freed when its last live value is freed and its holder (the
 * reader that fills it) has let go. The parts of a value (member arrays,
 * ToString, inline text and bytes) live in the value's arena and are never
 * freed on their own.
 *
 * The reader uses one arena per top-level value; when the values of the
 * previous one are all gone (the common case once the callback returns) it
 * rewinds the same blocks instead of making new ones, so a long stream
 * runs in the same few warm blocks. */
#ifndef PSR_PSRP_ARENA_H
#define PSR_PSRP_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* Every allocation is rounded and aligned to this: enough for the fields of
 * a psrp_value and of the arrays hung off it. */
typedef union psrp_arena_align {
    void *p;
    uint64_t u;
    double d;
    size_t z;
} psrp_arena_align;
#define PSRP_ARENA_ALIGN (sizeof(psrp_arena_align))

typedef struct psrp_arena_block psrp_arena_block;

typedef struct psrp_arena {
    char *ptr;                /* free space of the current block: ptr.. */
    size_t left;              /* ..ptr + left (no pointer arithmetic on NULL) */
    psrp_arena_block *blocks; /* the current block first */
    size_t bytes;             /* sum of the blocks' sizes */
    size_t big;               /* of which blocks of single large allocations */
    size_t next_block;        /* size of the next block to make */
    unsigned live;            /* values allocated here and not freed yet */
    int held;                 /* the reader still fills (or may rewind) it */
    /* For the reader's RefId table, which keeps earlier objects referable:
     * how many of its entries are values of this arena, and the bytes this
     * arena counts against max_ref_bytes while it has such entries. */
    unsigned pins;
    size_t pinned_bytes;
} psrp_arena;

/* A held arena whose first block will hold first_block bytes (rounded up
 * to a minimum). NULL on no memory. */
psrp_arena *psrp_arena_new(size_t first_block);
/* Not inline: makes a block. */
void *psrp_arena_alloc_slow(psrp_arena *a, size_t n);

/* n bytes (n > 0), aligned to PSRP_ARENA_ALIGN; NULL on no memory. */
static inline void *psrp_arena_alloc(psrp_arena *a, size_t n)
{
    n = (n + PSRP_ARENA_ALIGN - 1) & ~(PSRP_ARENA_ALIGN - 1);
    if (n <= a->left) {
        void *p = a->ptr;
        a->ptr += n;
        a->left -= n;
        return p;
    }
    return psrp_arena_alloc_slow(a, n);
}

/* A value was freed: frees the arena with the last one unless it is held. */
void psrp_arena_value_gone(psrp_arena *a);
/* The holder lets go: frees the arena now if no value of it is live, else
 * when the last one is freed. NULL is a no-op. */
void psrp_arena_release(psrp_arena *a);
/* Only with no live value: makes all the arena's memory free again, keeping
 * the current block (unless it is oversized) for the next value. */
void psrp_arena_rewind(psrp_arena *a);
/* Bytes handed out from the regular blocks (not those of single large
 * allocations): what the first block of an arena for a similar value wants. */
size_t psrp_arena_used(const psrp_arena *a);

#endif
