/* lru.c: the bounded-by-its-owner map of RefIds (see lru.h). */
#include "psrp/lru.h"

#include "psremote/error.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_key(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static const char *entry_key(const lru_entry *e)
{
    return e->long_key ? e->long_key : e->key;
}

void lru_init(lru *l, void (*drop)(void *ctx, void *val), void *ctx)
{
    memset(l, 0, sizeof(*l));
    l->drop = drop;
    l->ctx = ctx;
}

/* Index position of key, or of the empty slot where it would go. */
static uint32_t find_slot(const lru *l, const void *key, size_t klen, uint64_t h)
{
    uint32_t mask = l->index_cap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint32_t n = l->index[i];
        if (n == 0)
            return i;
        const lru_entry *e = &l->e[n - 1];
        if (e->hash == h && e->klen == klen && memcmp(entry_key(e), key, klen) == 0)
            return i;
    }
}

static void unlink_entry(lru *l, uint32_t num)
{
    lru_entry *e = &l->e[num - 1];
    if (e->prev)
        l->e[e->prev - 1].next = e->next;
    else
        l->newest = e->next;
    if (e->next)
        l->e[e->next - 1].prev = e->prev;
    else
        l->oldest = e->prev;
    e->prev = e->next = 0;
}

static void link_newest(lru *l, uint32_t num)
{
    lru_entry *e = &l->e[num - 1];
    e->prev = 0;
    e->next = l->newest;
    if (l->newest)
        l->e[l->newest - 1].prev = num;
    l->newest = num;
    if (!l->oldest)
        l->oldest = num;
}

void *lru_get(lru *l, const void *key, size_t klen, uint64_t *aux)
{
    if (!l->n)
        return NULL;
    uint32_t num = l->index[find_slot(l, key, klen, hash_key(key, klen))];
    if (!num)
        return NULL;
    if (l->newest != num) {
        unlink_entry(l, num);
        link_newest(l, num);
    }
    if (aux)
        *aux = l->e[num - 1].aux;
    return l->e[num - 1].val;
}

static int grow_index(lru *l)
{
    uint32_t ncap = l->index_cap ? l->index_cap * 2 : 16;
    if (ncap < l->index_cap) /* 2^32 slots: no more room */
        return PSR_E_NOMEM;
    uint32_t *ni = calloc(ncap, sizeof(uint32_t));
    if (!ni)
        return PSR_E_NOMEM;
    free(l->index);
    l->index = ni;
    l->index_cap = ncap;
    for (uint32_t k = 0; k < l->n; k++) {
        lru_entry *e = &l->e[k];
        uint32_t s = find_slot(l, entry_key(e), e->klen, e->hash);
        l->index[s] = k + 1;
        e->slot = s;
    }
    return 0;
}

int lru_put(lru *l, const void *key, size_t klen, void *val, uint64_t aux)
{
    uint64_t h = hash_key(key, klen);
    /* Grow first, so that one probe finds either the key or its new slot. */
    if ((uint64_t)(l->n + 1) * 2 > l->index_cap && grow_index(l) != 0)
        goto nomem;
    uint32_t slot = find_slot(l, key, klen, h);
    uint32_t num = l->index[slot];
    if (num) {
        lru_entry *e = &l->e[num - 1];
        void *old = e->val;
        e->val = val;
        e->aux = aux;
        if (l->newest != num) {
            unlink_entry(l, num);
            link_newest(l, num);
        }
        if (old != val)
            l->drop(l->ctx, old);
        return 0;
    }
    if (l->n == UINT32_MAX - 1 || klen > UINT32_MAX)
        goto nomem;
    if (l->n == l->cap) {
        uint32_t ncap = l->cap ? (l->cap > UINT32_MAX / 2 ? UINT32_MAX - 1 : l->cap * 2) : 16;
        lru_entry *ne = realloc(l->e, (size_t)ncap * sizeof(lru_entry));
        if (!ne)
            goto nomem;
        l->e = ne;
        l->cap = ncap;
    }
    lru_entry *e = &l->e[l->n];
    e->long_key = NULL;
    if (klen > LRU_INLINE_KEY && !(e->long_key = malloc(klen)))
        goto nomem;
    memcpy(e->long_key ? e->long_key : e->key, key, klen);
    e->klen = (uint32_t)klen;
    e->hash = h;
    e->val = val;
    e->aux = aux;
    e->slot = slot;
    l->index[slot] = ++l->n;
    link_newest(l, l->n);
    return 0;
nomem:
    l->drop(l->ctx, val);
    return PSR_E_NOMEM;
}

/* Empties index slot i, moving later entries of the probe run back so
 * that every entry stays reachable from its home slot. */
static void index_delete(lru *l, uint32_t i)
{
    uint32_t mask = l->index_cap - 1;
    l->index[i] = 0;
    for (uint32_t j = (i + 1) & mask; l->index[j]; j = (j + 1) & mask) {
        lru_entry *e = &l->e[l->index[j] - 1];
        uint32_t home = (uint32_t)e->hash & mask;
        /* Leave it when its home lies cyclically in (i, j]. */
        int stays = i < j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        l->index[i] = l->index[j];
        e->slot = i;
        l->index[j] = 0;
        i = j;
    }
}

int lru_drop_oldest(lru *l)
{
    if (!l->oldest)
        return 0;
    uint32_t num = l->oldest;
    lru_entry *e = &l->e[num - 1];
    void *val = e->val;
    unlink_entry(l, num);
    index_delete(l, e->slot);
    free(e->long_key);
    /* Keep the entries dense: the last one takes the freed place. */
    uint32_t last = l->n;
    if (num != last) {
        *e = l->e[last - 1];
        l->index[e->slot] = num;
        if (e->prev)
            l->e[e->prev - 1].next = num;
        else
            l->newest = num;
        if (e->next)
            l->e[e->next - 1].prev = num;
        else
            l->oldest = num;
    }
    l->n--;
    l->drop(l->ctx, val);
    return 1;
}

void lru_clear(lru *l, int release)
{
    /* Unhook everything first: a drop may free values that hold others. */
    uint32_t n = l->n;
    lru_entry *e = l->e;
    l->n = 0;
    l->newest = l->oldest = 0;
    if (l->index)
        memset(l->index, 0, (size_t)l->index_cap * sizeof(uint32_t));
    for (uint32_t k = 0; k < n; k++) {
        free(e[k].long_key);
        l->drop(l->ctx, e[k].val);
    }
    /* A big value may have grown the map: don't keep it oversized. */
    if (release || l->index_cap > 4096) {
        free(l->index);
        free(l->e);
        l->index = NULL;
        l->e = NULL;
        l->index_cap = 0;
        l->cap = 0;
    }
}
