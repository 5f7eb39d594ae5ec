/* arena.c: blocks, bump allocation and the lifetime rule of the region
 * allocator behind deserialized values (see arena.h). */
#include "psrp/arena.h"

#include <stdlib.h>

struct psrp_arena_block {
    psrp_arena_block *next;
    size_t size; /* usable bytes after the header */
    psrp_arena_align data[];
};

/* Small first blocks keep the arenas that the RefId table holds on to
 * close to the size of their values; blocks double up to a cap so that a
 * big value needs few of them. */
#define MIN_BLOCK 1024u
#define MAX_BLOCK (256u * 1024u)
/* A rewound arena keeps its current block up to this size. */
#define KEEP_BLOCK (1024u * 1024u)

static size_t round_up(size_t n)
{
    return (n + PSRP_ARENA_ALIGN - 1) & ~(PSRP_ARENA_ALIGN - 1);
}

static psrp_arena_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(psrp_arena_block))
        return NULL;
    psrp_arena_block *b = malloc(sizeof(psrp_arena_block) + size);
    if (b) {
        b->next = NULL;
        b->size = size;
    }
    return b;
}

psrp_arena *psrp_arena_new(size_t first_block)
{
    psrp_arena *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->next_block = first_block < MIN_BLOCK ? MIN_BLOCK : first_block > MAX_BLOCK ? MAX_BLOCK : round_up(first_block);
    a->held = 1;
    return a;
}

void *psrp_arena_alloc_slow(psrp_arena *a, size_t n)
{
    /* A request that would waste much of a fresh block gets a block of its
     * own behind the current one, which stays in use. */
    if (a->blocks && n > a->next_block / 4) {
        psrp_arena_block *b = block_new(n);
        if (!b)
            return NULL;
        b->next = a->blocks->next;
        a->blocks->next = b;
        a->bytes += n;
        a->big += n;
        return b->data;
    }
    size_t size = n > a->next_block ? n : a->next_block;
    psrp_arena_block *b = block_new(size);
    if (!b)
        return NULL;
    b->next = a->blocks;
    a->blocks = b;
    a->bytes += size;
    a->ptr = (char *)b->data + n;
    a->left = size - n;
    if (a->next_block < MAX_BLOCK)
        a->next_block *= 2;
    return b->data;
}

static void arena_free(psrp_arena *a)
{
    psrp_arena_block *b = a->blocks;
    while (b) {
        psrp_arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void psrp_arena_value_gone(psrp_arena *a)
{
    if (--a->live == 0 && !a->held)
        arena_free(a);
}

void psrp_arena_release(psrp_arena *a)
{
    if (!a)
        return;
    a->held = 0;
    if (a->live == 0)
        arena_free(a);
}

void psrp_arena_rewind(psrp_arena *a)
{
    psrp_arena_block *keep = a->blocks && a->blocks->size <= KEEP_BLOCK ? a->blocks : NULL;
    psrp_arena_block *b = keep ? keep->next : a->blocks;
    while (b) {
        psrp_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->blocks = keep;
    a->bytes = keep ? keep->size : 0;
    a->big = 0;
    a->ptr = keep ? (char *)keep->data : NULL;
    a->left = keep ? keep->size : 0;
    if (keep)
        keep->next = NULL;
}

size_t psrp_arena_used(const psrp_arena *a)
{
    return a->bytes - a->big - a->left;
}
