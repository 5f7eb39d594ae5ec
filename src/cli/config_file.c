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

struct psr_config {
    entry *entries;
    size_t n;
    char *text;       /* the keys and values point into this copy */
};

void psr_config_free(psr_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->entries);
    free(cfg->text);
    free(cfg);
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
        entry *grown = realloc(cfg->entries, (cfg->n + 1) * sizeof(*grown));
        if (!grown) {
            psr_config_free(cfg);
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        }
        cfg->entries = grown;
        entry e = {lineno, strcasecmp(key, "Host") == 0, 0, 0, key, value};
        if (e.is_host && !value[strcspn(value, " \t*?[")]) {
            e.one_name = 1;
            e.name_hash = name_hash(value);
        }
        cfg->entries[cfg->n++] = e;
    }
    *out = cfg;
    return 0;
}

int psr_config_apply(const psr_config *cfg, const char *host, psr_config_fn fn, void *ctx,
                     psr_error *err)
{
    key_set seen = {0};
    int applies = 1, rc = 0;
    uint32_t host_hash = name_hash(host);
    for (size_t i = 0; i < cfg->n && !rc; i++) {
        const entry *e = &cfg->entries[i];
        if (e->is_host) {
            applies = e->one_name ? e->name_hash == host_hash && strcasecmp(e->value, host) == 0
                                  : psr_config_host_matches(e->value, host);
            continue;
        }
        if (!applies)
            continue;
        int dup = seen_before(&seen, e->key);
        if (dup < 0)
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
        else if (!dup && (rc = fn(ctx, e->key, e->value, e->line, err)) != 0)
            psr_error_prefix(err, "line %u", e->line);
    }
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
