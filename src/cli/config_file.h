/* config_file.h: psremote's configuration file, in the style of
 * ssh_config(5).
 *
 *   # comment
 *   Authentication Negotiate          <- applies to every computer
 *   OperationTimeout 60000
 *
 *   Host web*.example.com 10.0.0.*    <- these lines apply to matching
 *       UseSSL true                      computers only
 *       Port 5986
 *
 * A line is a key and a value, separated by spaces or '='. "Host" starts a
 * section for the computers whose name matches one of its patterns (shell
 * wildcards, case-insensitive); lines before the first Host apply to all.
 * As in ssh_config, the first value found for a key wins, so specific
 * sections go before general ones. Pure: the caller supplies the text and
 * decides what keys mean. */
#ifndef PSR_CLI_CONFIG_FILE_H
#define PSR_CLI_CONFIG_FILE_H

#include "psremote/error.h"

#include <stddef.h>

/* Called once per key (the first value that applies to host); line is the
 * 1-based line number. Return 0 to go on, or an error status (with err
 * filled) to stop. */
typedef int (*psr_config_fn)(void *ctx, const char *key, const char *value, unsigned line,
                             psr_error *err);

/* A parsed file, to look up many computers without reading it again. */
typedef struct psr_config psr_config;

/* Parses text (a line without a value or a Host without a pattern is an
 * error naming the line; the caller adds the file). */
int psr_config_load(psr_config **out, const char *text, size_t len, psr_error *err);
/* Calls fn for each key that applies to host (its first value). Errors
 * from fn are prefixed with the line. */
int psr_config_apply(const psr_config *cfg, const char *host, psr_config_fn fn, void *ctx,
                     psr_error *err);
void psr_config_free(psr_config *cfg);

/* load + apply + free. */
int psr_config_parse(const char *text, size_t len, const char *host, psr_config_fn fn, void *ctx,
                     psr_error *err);

/* 1 when host matches one of the space-separated patterns. */
int psr_config_host_matches(const char *patterns, const char *host);

#endif
