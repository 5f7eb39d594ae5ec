/* fanout_engine.h: the event loop behind fanout.h, shared by its two
 * protocols (fanout_winrs.c, fanout_psrp.c).
 *
 * The engine owns the connections: each host_job has an HTTP handle, a
 * connection authenticator and the envelope in flight; libcurl's multi
 * interface carries every POST. A protocol says what to send and what a
 * reply means, with no I/O: build() writes the envelope for j->step,
 * on_reply() reads the WS-Man reply and returns the next step. */
#ifndef PSR_CLIENT_FANOUT_ENGINE_H
#define PSR_CLIENT_FANOUT_ENGINE_H

#include "src/client/auth.h"
#include "src/client/fanout.h"
#include "src/client/transport.h"
#include "src/http/http.h"
#include "wsman/wsman.h"

#define FANOUT_DONE (-1) /* the step after the last: the job is over */

typedef struct fanout fanout;

#define FANOUT_NO_TWIN ((size_t)-1)

typedef struct host_job {
    size_t index;
    /* The jobs before and after this one with the same endpoint and a
     * connection-bound authentication (fanout_twins.c), or FANOUT_NO_TWIN:
     * this one starts only once twin_prev is over. */
    size_t twin_prev, twin_next;
    int started;         /* start_host ran for it */
    int waiting_for_twin; /* its turn came while twin_prev still ran */
    const psr_connection_options *conn;
    psr_buf url;
    char host[256];
    psr_http *http;
    psr_auth *auth;
    psr_http_response reply;
    psr_buf envelope;
    psr_buf peer_cert;
    int requests;        /* requests for the current envelope */
    int wants_cert;      /* the authenticator asked for the certificate */
    int in_flight;       /* the easy handle is in the multi handle */
    int step;            /* the protocol's, or FANOUT_DONE */
    int waiting;         /* the request in flight is a long poll (Receive) */
    int last_envelope;   /* set by build(): no envelope follows this one, so
                            its connection is closed after the reply */
    int failed;          /* err says why */
    int exit_code;
    psr_error err;
    /* Header fields the protocol sets. */
    const char *resource_uri;
    char *shell_id;      /* once the server created the shell */
    uint32_t max_envelope_size;
    void *proto;         /* the protocol's own state */
} host_job;

typedef struct fanout_protocol {
    /* Sets j->step (and j->proto) for the first envelope. */
    int (*start)(fanout *f, host_job *j, psr_error *err);
    /* Writes the envelope for j->step into j->envelope (replaced). */
    int (*build)(fanout *f, host_job *j, psr_error *err);
    /* The reply to j->step's envelope: rc and err from reading it (a fault,
     * an HTTP error), r when rc is 0. Returns the next step, or
     * FANOUT_DONE; a failure sets j->failed and j->err and returns the step
     * that cleans up (or FANOUT_DONE). */
    int (*on_reply)(fanout *f, host_job *j, int rc, const psr_error *err,
                    const wsman_response *r);
    /* Ctrl+C while j runs: the step to go to now (a waiting Receive is
     * abandoned first), or FANOUT_DONE. */
    int (*on_stop)(fanout *f, host_job *j);
    /* Frees j->proto; called once when the job ends. */
    void (*release)(host_job *j);
} fanout_protocol;

struct fanout {
    const fanout_protocol *proto;
    const void *work;    /* what to run: psr_fanout_command or the PSRP work */
    const psr_fanout_callbacks *cb;
    void *ctx;
    int stopping;
};

/* The header every request of j carries: To, a fresh MessageID, locale,
 * envelope size, OperationTimeout, j->resource_uri and j->shell_id. */
void fanout_header(host_job *j, wsman_request_header *h, char msgid[PSR_MESSAGE_ID_LEN]);

/* Sets twin_prev and twin_next of jobs[0..n) (their conn set). -1: no memory. */
int fanout_link_twins(host_job *jobs, size_t n);

/* Runs the jobs of conns[0..n) with proto, at most throttle at a time. */
int fanout_run(const fanout_protocol *proto, const void *work,
               const psr_connection_options *conns, size_t n, unsigned throttle,
               const psr_fanout_callbacks *cb, void *ctx, int interrupt_fd, psr_error *err);

#endif
