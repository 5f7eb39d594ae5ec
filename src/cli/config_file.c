/* config_file.c: the ssh_config-style configuration file (see
 * config_file.h). */
#include "src/cli/config_file.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int psr_config_host_matches(const char *patterns, const char *host)
{
    char one[256];
    for (const char *p = patterns; *p;) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t");
        if (!n)
            break;
        /* a plain name needs no pattern matching: the common case of
         * many Host sections, one per computer */
        if (!memchr(p, '*', n) && !memchr(p, '?', n) && !memchr(p, '[', n)) {
            if (strlen(host) == n && strncasecmp(p, host, n) == 0)
                return 1;
        } else if (n < sizeof(one)) {
            memcpy(one, p, n);
            one[n] = '\0';
            if (fnmatch(one, host, FNM_CASEFOLD) == 0)
                return 1;
        }
        p += n;
    }
    return 0;
}

/* The keys already given a value (first wins), compared case-insensitively. */
typedef struct key_set {
    char **keys;
    size_t n;
} key_set;

/* 1 if key was seen before; otherwise remembers it and returns 0 (or -1
 * when out of memory). */
static int seen_before(key_set *set, const char *key)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcasecmp(set->keys[i], key) == 0)
            return 1;
    char **grown = realloc(set->keys, (set->n + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    set->keys = grown;
    if (!(set->keys[set->n] = strdup(key)))
        return -1;
    set->n++;
    return 0;
}

typedef struct entry {
    unsigned line;
    int is_host;      /* a Host line: value holds the patterns */
    int one_name;     /* Host with one plain name (no wildcard): name_hash */
    uint32_t name_hash;
    char *key, *value;
} entry;

/* FNV-1a over the lower-cased name: a file with a Host section per
 * computer is then looked up with one integer compare per section. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (uint32_t)tolower((unsigned char)*s);
        h *= 16777619u;
    }
    return h;
}

/* A Host line and the lines under it: entries [host, end). */
typedef struct section {
    size_t host, end;
} section;

/* Lookups are indexed so that a file with a Host section for each of
 * thousands of computers costs each computer a hash probe, not a walk
 * over every section: one-name sections sit in an open-addressing table
 * by name hash; sections with patterns are few and are all tried. */
struct psr_config {
    entry *entries;
    size_t n, cap;
    size_t n_global;  /* entries before the first Host line */
    section *sections;
    size_t n_sections;
    size_t *patterned; /* sections whose Host has a wildcard or several names */
    size_t n_patterned;
    size_t *by_name;  /* one-name sections: section index + 1, 0 = free slot */
    size_t name_slots; /* a power of two, at least twice their number */
    char *text;       /* the keys and values point into this copy */
};

void psr_config_free(psr_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->entries);
    free(cfg->sections);
    free(cfg->patterned);
    free(cfg->by_name);
    free(cfg->text);
    free(cfg);
}

/* Builds the section lists and the name table from the entries. */
static int index_sections(psr_config *cfg)
{
    size_t n_hosts = 0, n_one = 0;
    for (size_t i = 0; i < cfg->n; i++) {
        n_hosts += cfg->entries[i].is_host;
        n_one += cfg->entries[i].one_name;
    }
    cfg->n_global = cfg->n;
    if (!n_hosts)
        return 0;
    cfg->sections = calloc(n_hosts, sizeof(*cfg->sections));
    cfg->patterned = calloc(n_hosts - n_one ? n_hosts - n_one : 1, sizeof(*cfg->patterned));
    cfg->name_slots = 1;
    while (cfg->name_slots < 2 * n_one)
        cfg->name_slots *= 2;
    cfg->by_name = calloc(cfg->name_slots, sizeof(*cfg->by_name));
    if (!cfg->sections || !cfg->patterned || !cfg->by_name)
        return PSR_E_NOMEM;
    for (size_t i = 0; i < cfg->n; i++) {
        const entry *e = &cfg->entries[i];
        if (!e->is_host)
            continue;
        if (!cfg->n_sections)
            cfg->n_global = i;
        else
            cfg->sections[cfg->n_sections - 1].end = i;
        size_t k = cfg->n_sections++;
        cfg->sections[k].host = i;
        cfg->sections[k].end = cfg->n;
        if (!e->one_name) {
            cfg->patterned[cfg->n_patterned++] = k;
            continue;
        }
        size_t slot = e->name_hash & (cfg->name_slots - 1);
        while (cfg->by_name[slot])
            slot = (slot + 1) & (cfg->name_slots - 1);
        cfg->by_name[slot] = k + 1;
    }
    return 0;
}

int psr_config_load(psr_config **out, const char *text, size_t len, psr_error *err)
{
    *out = NULL;
    psr_config *cfg = calloc(1, sizeof(*cfg));
    if (!cfg || !(cfg->text = malloc(len + 1))) {
        free(cfg);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    memcpy(cfg->text, text, len);
    cfg->text[len] = '\0';
    unsigned lineno = 0;
    char *next = NULL;
    for (char *line = cfg->text; line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *key = line;
        while (isspace((unsigned char)*key))
            key++;
        char *end = key + strlen(key);
        while (end > key && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (!*key)
            continue;
        char *value = key + strcspn(key, " \t=");
        if (*value) {
            *value++ = '\0';
            value += strspn(value, " \t=");
        }
        if (!*value) {
            /* the message quotes the key, which lives in cfg: free after */
            int rc = psr_error_set(err, PSR_E_INVALID, "line %u: '%s' has no value", lineno, key);
            psr_config_free(cfg);
            return rc;
        }
        if (cfg->n == cfg->cap) {
            size_t cap = cfg->cap ? 2 * cfg->cap : 16;
            entry *grown = realloc(cfg->entries, cap * sizeof(*grown));
            if (!grown) {
                psr_config_free(cfg);
                return psr_error_set(err, PSR_E_NOMEM, "out of memory");
            }
            cfg->entries = grown;
            cfg->cap = cap;
        }
        entry e = {lineno, strcasecmp(key, "Host") == 0, 0, 0, key, value};
        if (e.is_host && !value[strcspn(value, " \t*?[")]) {
            e.one_name = 1;
            e.name_hash = name_hash(value);
        }
        cfg->entries[cfg->n++] = e;
    }
    if (index_sections(cfg) != 0) {
        psr_config_free(cfg);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    *out = cfg;
    return 0;
}

/* Calls fn for entries [from, to) whose key has no value yet. */
static int apply_entries(const psr_config *cfg, size_t from, size_t to, key_set *seen,
                         psr_config_fn fn, void *ctx, psr_error *err)
{
    for (size_t i = from; i < to; i++) {
        const entry *e = &cfg->entries[i];
        int dup = seen_before(seen, e->key);
        if (dup < 0)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        int rc = dup ? 0 : fn(ctx, e->key, e->value, e->line, err);
        if (rc) {
            psr_error_prefix(err, "line %u", e->line);
            return rc;
        }
    }
    return 0;
}

static int by_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The sections that apply to host, in file order (first value wins). */
static size_t matching_sections(const psr_config *cfg, const char *host, size_t *out)
{
    size_t n = 0;
    if (cfg->name_slots && cfg->n_sections > cfg->n_patterned) {
        uint32_t h = name_hash(host);
        for (size_t slot = h & (cfg->name_slots - 1); cfg->by_name[slot];
             slot = (slot + 1) & (cfg->name_slots - 1)) {
            size_t k = cfg->by_name[slot] - 1;
            const entry *e = &cfg->entries[cfg->sections[k].host];
            if (e->name_hash == h && strcasecmp(e->value, host) == 0)
                out[n++] = k;
        }
    }
    for (size_t i = 0; i < cfg->n_patterned; i++) {
        size_t k = cfg->patterned[i];
        if (psr_config_host_matches(cfg->entries[cfg->sections[k].host].value, host))
            out[n++] = k;
    }
    qsort(out, n, sizeof(*out), by_index);
    return n;
}

int psr_config_apply(const psr_config *cfg, const char *host, psr_config_fn fn, void *ctx,
                     psr_error *err)
{
    key_set seen = {0};
    size_t *matches = cfg->n_sections ? malloc(cfg->n_sections * sizeof(*matches)) : NULL;
    int rc = cfg->n_sections && !matches ? psr_error_set(err, PSR_E_NOMEM, "out of memory") : 0;
    if (!rc)
        rc = apply_entries(cfg, 0, cfg->n_global, &seen, fn, ctx, err);
    size_t n = rc ? 0 : matching_sections(cfg, host, matches);
    for (size_t i = 0; i < n && !rc; i++) {
        const section *sec = &cfg->sections[matches[i]];
        rc = apply_entries(cfg, sec->host + 1, sec->end, &seen, fn, ctx, err);
    }
    free(matches);
    for (size_t i = 0; i < seen.n; i++)
        free(seen.keys[i]);
    free(seen.keys);
    return rc;
}

int psr_config_parse(const char *text, size_t len, const char *host, psr_config_fn fn, void *ctx,
                     psr_error *err)
{
    psr_config *cfg;
    int rc = psr_config_load(&cfg, text, len, err);
    if (rc)
        return rc;
    rc = psr_config_apply(cfg, host, fn, ctx, err);
    psr_config_free(cfg);
    return rc;
}
