/* config_file.c: the ssh_config-style configuration file (see
 * config_file.h). */
#include "src/cli/config_file.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int psr_config_host_matches(const char *patterns, const char *host)
{
    char *copy = strdup(patterns), *save = NULL;
    int match = 0;
    for (char *p = copy ? strtok_r(copy, " \t", &save) : NULL; p && !match;
         p = strtok_r(NULL, " \t", &save))
        match = fnmatch(p, host, FNM_CASEFOLD) == 0;
    free(copy);
    return match;
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

int psr_config_parse(const char *text, size_t len, const char *host, psr_config_fn fn, void *ctx,
                     psr_error *err)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    key_set seen = {0};
    int applies = 1, rc = 0;
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = copy; line && !rc; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
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
            rc = psr_error_set(err, PSR_E_INVALID, "line %u: '%s' has no value", lineno, key);
            break;
        }
        if (strcasecmp(key, "Host") == 0) {
            applies = psr_config_host_matches(value, host);
            continue;
        }
        if (!applies)
            continue;
        int dup = seen_before(&seen, key);
        if (dup < 0)
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
        else if (!dup && (rc = fn(ctx, key, value, lineno, err)) != 0)
            psr_error_prefix(err, "line %u", lineno);
    }
    for (size_t i = 0; i < seen.n; i++)
        free(seen.keys[i]);
    free(seen.keys);
    free(copy);
    return rc;
}
