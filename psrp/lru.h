/* lru.h: a map from short byte keys to owned pointers that knows which
 * entry was used least recently. Internal to psrp/.
 *
 * Why: PowerShell's serializer keeps RefIds for a whole Export-Clixml
 * stream, so a <Ref> may name an object of any earlier top-level value.
 * The reader (RefId -> object) and the writer (object address -> RefId)
 * must therefore remember objects across values, but only a bounded number
 * of them: the owner drops least recently used entries (lru_drop_oldest)
 * to stay within its limits, and a lookup makes an entry the most recent,
 * so an object that later values keep naming (a PSDrive every FileInfo
 * points to) stays while one-off objects age out.
 *
 * Open addressing with linear probing over entry numbers, backward-shift
 * deletion (no tombstones), a doubly linked recency list through the
 * entries. Keys up to LRU_INLINE_KEY bytes are stored in the entry. */
#ifndef PSR_PSRP_LRU_H
#define PSR_PSRP_LRU_H

#include <stddef.h>
#include <stdint.h>

#define LRU_INLINE_KEY 24

typedef struct lru_entry {
    uint64_t hash;
    void *val;      /* owned: given to drop when the entry goes */
    uint64_t aux;   /* a number the owner keeps with the entry */
    uint32_t prev;  /* towards the most recent; entry number + 1, 0 = none */
    uint32_t next;  /* towards the least recent */
    uint32_t slot;  /* where the index points at this entry */
    uint32_t klen;
    char *long_key; /* malloc'd when klen > LRU_INLINE_KEY */
    char key[LRU_INLINE_KEY];
} lru_entry;

typedef struct lru {
    lru_entry *e;
    uint32_t n, cap;      /* entries in use / allocated */
    uint32_t *index;      /* entry number + 1, 0 = empty */
    uint32_t index_cap;   /* a power of two, at least twice n */
    uint32_t newest, oldest; /* entry number + 1, 0 = none */
    void (*drop)(void *ctx, void *val);
    void *ctx;
} lru;

/* An empty map; drop(ctx, val) is called for every value the map lets go. */
void lru_init(lru *l, void (*drop)(void *ctx, void *val), void *ctx);
/* The value under key (made the most recent) or NULL; *aux gets its number
 * when aux is not NULL. */
void *lru_get(lru *l, const void *key, size_t klen, uint64_t *aux);
/* Stores val under key as the most recent entry, dropping a value the key
 * had. Takes val, also on failure (then it is dropped). 0 or PSR_E_NOMEM. */
int lru_put(lru *l, const void *key, size_t klen, void *val, uint64_t aux);
/* Drops the least recently used entry; 0 when the map was empty. */
int lru_drop_oldest(lru *l);
/* Drops every entry; release also frees the map's own memory. */
void lru_clear(lru *l, int release);

#endif
