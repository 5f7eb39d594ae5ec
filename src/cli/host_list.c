/* host_list.c: the computers -c names (see host_list.h). */
#include "src/cli/host_list.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int push(psr_host_list *l, const char *name, size_t len, psr_error *err)
{
    char **grown = realloc(l->names, (l->n + 1) * sizeof(*grown));
    if (!grown)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    l->names = grown;
    if (!(l->names[l->n] = strndup(name, len)))
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    l->n++;
    return 0;
}

/* Names separated by commas or white space; empty ones are skipped when
 * lenient (a file's blank entries), an error otherwise. */
static int add_names(psr_host_list *l, const char *text, int lenient, psr_error *err)
{
    const char *p = text;
    for (;;) {
        size_t n = strcspn(p, ", \t\r\n");
        if (n) {
            int rc = push(l, p, n, err);
            if (rc)
                return rc;
        } else if (!lenient && (*p == ',' || *p == '\0')) {
            return psr_error_set(err, PSR_E_INVALID,
                                 "-c '%s' has an empty computer name (a stray comma?)", text);
        }
        p += n;
        if (!*p)
            return 0;
        p++;
    }
}

int psr_host_list_read(psr_host_list *l, FILE *f, const char *what, psr_error *err)
{
    char *line = NULL;
    size_t cap = 0;
    size_t before = l->n;
    int rc = 0;
    while (!rc && getline(&line, &cap, f) >= 0) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        rc = add_names(l, line, 1, err);
    }
    free(line);
    if (!rc && ferror(f))
        rc = psr_error_set(err, PSR_E_IO, "reading %s: %s", what, strerror(errno));
    if (!rc && l->n == before)
        rc = psr_error_set(err, PSR_E_INVALID, "%s names no computer", what);
    return rc;
}

int psr_host_list_add(psr_host_list *l, const char *value, psr_error *err)
{
    if (strcmp(value, "-") == 0)
        return psr_host_list_read(l, stdin, "standard input (-c -)", err);
    if (value[0] == '@') {
        FILE *f = fopen(value + 1, "r");
        if (!f)
            return psr_error_set(err, PSR_E_IO, "-c %s: cannot read %s: %s", value, value + 1,
                                 strerror(errno));
        int rc = psr_host_list_read(l, f, value + 1, err);
        fclose(f);
        return rc;
    }
    if (!*value)
        return psr_error_set(err, PSR_E_INVALID, "-c needs a computer name");
    return add_names(l, value, 0, err);
}

void psr_host_list_free(psr_host_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->n = 0;
}
