/* server.h: the HTTP listeners of psremote-harness (see server.c for the
 * threading design). The server borrows opts and winrs, which must outlive
 * it. */
#ifndef PSR_HARNESS_SERVER_H
#define PSR_HARNESS_SERVER_H

#include "src/harness/harness.h"

typedef struct harness_server harness_server;

/* Opens every listener of opts and starts serving. On failure *out may hold
 * a partly started server: stop it with harness_server_stop. */
int harness_server_start(harness_server **out, const harness_options *opts, harness_winrs *winrs,
                         psr_error *err);
size_t harness_server_count(const harness_server *s);
/* "http://127.0.0.1:40123/wsman" for listener i (the real port when 0 was asked). */
const char *harness_server_url(const harness_server *s, size_t i);
/* What --stats-file reports. */
typedef struct harness_stats {
    unsigned long requests;
    unsigned long shells_created;
    unsigned long shells_open;
    unsigned long max_shells_open; /* the most shells open at one time */
} harness_stats;
void harness_server_stats(harness_server *s, harness_stats *out);

/* Stops the daemons (waiting for their connection threads) and frees s. */
void harness_server_stop(harness_server *s);

#endif
