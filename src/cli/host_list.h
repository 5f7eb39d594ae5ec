/* host_list.h: the computers -c names: repeated, comma-separated, @FILE
 * (one or more per line, '#' comments, blank lines ignored) or '-' (the
 * same from standard input). Pure apart from reading the file. */
#ifndef PSR_CLI_HOST_LIST_H
#define PSR_CLI_HOST_LIST_H

#include "psremote/error.h"

#include <stddef.h>
#include <stdio.h>

typedef struct psr_host_list {
    char **names;
    size_t n;
} psr_host_list;

/* Adds the names in one -c value. Empty names are an error. */
int psr_host_list_add(psr_host_list *l, const char *value, psr_error *err);
/* Adds the names in text read from f (what @FILE and '-' give). */
int psr_host_list_read(psr_host_list *l, FILE *f, const char *what, psr_error *err);
void psr_host_list_free(psr_host_list *l);

#endif
