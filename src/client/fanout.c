/* fanout.c: the event loop that runs one protocol's jobs on many hosts
 * from one thread (see fanout_engine.h): libcurl's multi interface in its
 * socket form over epoll, so each wake-up touches only the connections
 * that have something to do. For each envelope the connection
 * authenticator says what to POST (authentication legs first, sealing on
 * HTTP); libcurl's multi interface carries the POST; the reply goes back
 * through the authenticator, then wsman/ reads it and the protocol picks
 * the next step. */
#include "src/client/fanout_engine.h"

#include "common/uuid.h"
#include "src/client/endpoint.h"
#include "src/client/transport.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_THROTTLE 32u
/* Requests one envelope may take: authentication legs and a restart. */
#define MAX_REQUESTS_PER_ENVELOPE 12

typedef struct loop {
    fanout f;
    CURLM *multi;
    int epfd;            /* the sockets libcurl asks to watch, and Ctrl+C */
    long long deadline_ms; /* when libcurl's timer fires (monotonic); -1 none */
    host_job *jobs;
    size_t n, next, running, done, failed;
    /* Jobs whose turn came while a twin ran (fanout_twins.c), queued to
     * start when it ends; each is queued at most once. */
    size_t *ready, ready_head, ready_tail;
    unsigned throttle;
    wsman_reader *reader; /* reads every host's replies; NULL (no memory) works too */
} loop;

static void progress(loop *l)
{
    if (l->f.cb->on_progress)
        l->f.cb->on_progress(l->f.ctx, l->done, l->running, l->failed, l->n);
}

static void release(loop *l, host_job *j)
{
    if (j->in_flight)
        curl_multi_remove_handle(l->multi, psr_http_easy_handle(j->http));
    j->in_flight = 0;
    if (l->f.proto->release)
        l->f.proto->release(j);
    psr_http_free(j->http);
    j->http = NULL;
    psr_auth_free(j->auth);
    j->auth = NULL;
    psr_http_response_clear(&j->reply);
    psr_buf_free(&j->envelope);
    psr_buf_free(&j->peer_cert);
    psr_buf_free(&j->url);
    free(j->shell_id);
    j->shell_id = NULL;
}

static void finish(loop *l, host_job *j)
{
    j->step = FANOUT_DONE;
    l->running--;
    l->done++;
    if (j->twin_next != FANOUT_NO_TWIN && l->jobs[j->twin_next].waiting_for_twin) {
        l->jobs[j->twin_next].waiting_for_twin = 0;
        l->ready[l->ready_tail++] = j->twin_next;
    }
    if (j->failed)
        l->failed++;
    if (l->f.cb->on_done)
        l->f.cb->on_done(l->f.ctx, j->index, j->exit_code, j->failed ? &j->err : NULL);
    release(l, j);
    progress(l);
}

void fanout_header(host_job *j, wsman_request_header *h, char msgid[PSR_MESSAGE_ID_LEN])
{
    psr_uuid id;
    char text[PSR_UUID_STRLEN];
    if (psr_uuid_generate(&id) != 0)
        memset(&id, 0, sizeof(id));
    psr_uuid_format(&id, 1, text);
    memcpy(msgid, "uuid:", 5);
    memcpy(msgid + 5, text, PSR_UUID_STRLEN);
    memset(h, 0, sizeof(*h));
    h->to = j->url.data;
    h->resource_uri = j->resource_uri;
    h->message_id = msgid;
    h->shell_id = j->shell_id;
    h->max_envelope_size = j->max_envelope_size;
    h->operation_timeout_ms = j->conn->operation_timeout_ms;
    h->locale = j->conn->ui_culture;
    h->data_locale = j->conn->culture;
}

static int send_request(loop *l, host_job *j)
{
    if (++j->requests > MAX_REQUESTS_PER_ENVELOPE) {
        j->failed = 1;
        return psr_error_set(&j->err, PSR_E_AUTH,
                             "%s: authentication did not settle after %d requests", j->host,
                             MAX_REQUESTS_PER_ENVELOPE);
    }
    psr_auth_request req;
    int rc = psr_auth_next_request(j->auth, j->envelope.data, j->envelope.len, &req, &j->err);
    if (!rc) {
        j->wants_cert = psr_auth_wants_peer_cert(j->auth);
        /* Not on an authentication leg (no body): its connection must
         * stay open for the next leg. */
        if (j->last_envelope && req.len > 0)
            psr_http_close_after_next(j->http);
        rc = psr_http_start(j->http, req.content_type, req.authorization, req.body, req.len,
                            &j->reply, &j->err);
    }
    if (!rc) {
        CURL *easy = psr_http_easy_handle(j->http);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, j);
        if (curl_multi_add_handle(l->multi, easy) != CURLM_OK)
            rc = psr_error_set(&j->err, PSR_E_NOMEM, "cannot add a transfer to the event loop");
        else
            j->in_flight = 1;
    }
    if (rc)
        j->failed = 1;
    return rc;
}

/* Takes step next: builds its envelope and sends it; FANOUT_DONE ends the job. */
static void advance(loop *l, host_job *j, int next)
{
    j->step = next;
    if (next == FANOUT_DONE) {
        finish(l, j);
        return;
    }
    j->requests = 0;
    j->waiting = 0;
    j->last_envelope = 0;
    psr_error err;
    if (l->f.proto->build(&l->f, j, &err) != 0) {
        if (!j->failed)
            j->err = err;
        j->failed = 1;
        finish(l, j);
        return;
    }
    if (send_request(l, j) != 0)
        finish(l, j);
}

/* The (unsealed) reply to the current envelope. */
static void on_envelope_reply(loop *l, host_job *j, const void *body, size_t len)
{
    wsman_response r = {0};
    psr_error err;
    int rc = psr_transport_read_reply(l->reader, j->host, j->url.data, &j->reply, body, len, &r,
                                      &err);
    int next = l->f.proto->on_reply(&l->f, j, rc, &err, rc ? NULL : &r);
    wsman_response_clear(&r);
    advance(l, j, next);
}

/* A transfer failed at the HTTP level: the protocol decides what is left
 * to do (a shell to delete), as for any failed reply. */
static void on_failure(loop *l, host_job *j, const psr_error *err)
{
    int next = l->f.proto->on_reply(&l->f, j, err->code ? err->code : PSR_E_NETWORK, err, NULL);
    advance(l, j, next);
}

static void on_transfer_done(loop *l, host_job *j, CURLcode code)
{
    curl_multi_remove_handle(l->multi, psr_http_easy_handle(j->http));
    j->in_flight = 0;
    psr_error err;
    if (psr_http_finish(j->http, (int)code, &err) != 0) {
        on_failure(l, j, &err);
        return;
    }
    psr_auth_reply reply = {
        .status = j->reply.status,
        .content_type = j->reply.content_type,
        .www_authenticate = j->reply.www_authenticate,
        .n_www_authenticate = j->reply.n_www_authenticate,
        .body = j->reply.body.data,
        .len = j->reply.body.len,
        .new_connection = psr_http_last_connection_was_new(j->http),
    };
    if (j->wants_cert && psr_http_peer_cert_der(j->http, &j->peer_cert, NULL) == 0) {
        reply.peer_cert_der = j->peer_cert.data;
        reply.peer_cert_der_len = j->peer_cert.len;
    }
    psr_auth_outcome outcome;
    const void *body;
    size_t len;
    if (psr_auth_on_reply(j->auth, &reply, &outcome, &body, &len, &err) != 0) {
        if (!err.machine[0])
            psr_error_prefix(&err, "%s", j->host);
        on_failure(l, j, &err);
        return;
    }
    if (outcome == PSR_AUTH_SEND_AGAIN) {
        if (send_request(l, j) != 0)
            finish(l, j);
        return;
    }
    on_envelope_reply(l, j, body, len);
}

/* Opens a host's connection and sends its first envelope. */
static void start_host(loop *l, host_job *j)
{
    j->started = 1;
    l->running++;
    progress(l);
    psr_error err;
    j->max_envelope_size = j->conn->max_envelope_size;
    int rc = psr_endpoint_url(j->conn, &j->url, &err);
    if (!rc)
        rc = l->f.proto->start(&l->f, j, &err); /* may add to the URL */
    if (!rc) {
        psr_http_options ho;
        psr_transport_http_options(j->conn, j->url.data, &ho);
        rc = psr_http_new(&j->http, &ho, &err);
    }
    if (!rc) { /* the URL as the HTTP handle parsed it, not parsed again */
        psr_endpoint_host_name(psr_http_host(j->http), j->host, sizeof(j->host));
        rc = psr_auth_new(&j->auth, j->conn, j->host, psr_http_port(j->http),
                          psr_http_is_tls(j->http), &err);
    }
    if (rc) {
        if (!j->host[0] && j->url.data)
            psr_endpoint_host(j->url.data, j->host, sizeof(j->host));
        j->err = err;
        j->failed = 1;
        finish(l, j);
        return;
    }
    advance(l, j, j->step);
}

/* A job that started has ended (every job's step is FANOUT_DONE before it
 * starts and after it ends). */
static int job_over(const host_job *j)
{
    return j->started && j->step == FANOUT_DONE;
}

/* Starts jobs up to the throttle: first those a twin held back, then the
 * next in list order; one whose twin still runs waits for it to end. */
static void start_more(loop *l)
{
    while (!l->f.stopping && l->running < l->throttle) {
        host_job *j;
        if (l->ready_head < l->ready_tail)
            j = &l->jobs[l->ready[l->ready_head++]];
        else if (l->next < l->n)
            j = &l->jobs[l->next++];
        else
            break;
        if (j->twin_prev != FANOUT_NO_TWIN && !job_over(&l->jobs[j->twin_prev])) {
            j->waiting_for_twin = 1;
            continue;
        }
        start_host(l, j);
    }
}

/* Ctrl+C: hosts not started are stopped; the protocol says where each
 * running one goes. A long poll waiting on the server is abandoned (its
 * connection dropped) so the next request need not wait for it. */
static void stop_all(loop *l)
{
    l->f.stopping = 1;
    for (size_t i = 0; i < l->n; i++) {
        host_job *j = &l->jobs[i];
        if (j->started)
            continue;
        j->waiting_for_twin = 0;
        j->failed = 1;
        psr_error_set(&j->err, PSR_E_CANCELLED, "not started: stopped by the user");
        l->running++;
        finish(l, j);
    }
    l->next = l->n;
    l->ready_head = l->ready_tail;
    for (size_t i = 0; i < l->n; i++) {
        host_job *j = &l->jobs[i];
        if (j->step == FANOUT_DONE || !j->waiting || !j->in_flight)
            continue;
        curl_multi_remove_handle(l->multi, psr_http_easy_handle(j->http));
        j->in_flight = 0;
        psr_http_finish(j->http, CURLE_ABORTED_BY_CALLBACK, NULL);
        psr_http_reset_connection(j->http);
        if (!j->failed) {
            j->failed = 1;
            psr_error_set(&j->err, PSR_E_CANCELLED, "%s: stopped by the user", j->host);
        }
        advance(l, j, l->f.proto->on_stop(&l->f, j));
    }
}

/* libcurl says which sockets to watch for what. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    loop *l = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
        curl_multi_assign(l->multi, fd, NULL);
        return 0;
    }
    struct epoll_event ev = {
        .events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0),
        .data.fd = fd,
    };
    /* socketp marks a socket already added */
    if (socketp) {
        epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
    } else {
        epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
        curl_multi_assign(l->multi, fd, l);
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    ((loop *)userp)->deadline_ms = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    return 0;
}

/* Hands every finished transfer to its job. */
static void collect_done(loop *l)
{
    CURLMsg *m;
    int queued;
    while ((m = curl_multi_info_read(l->multi, &queued)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        host_job *j = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        if (j)
            on_transfer_done(l, j, m->data.result);
    }
}

int fanout_run(const fanout_protocol *proto, const void *work,
               const psr_connection_options *conns, size_t n, unsigned throttle,
               const psr_fanout_callbacks *cb, void *ctx, int interrupt_fd, psr_error *err)
{
    loop l = {.f = {.proto = proto, .work = work, .cb = cb, .ctx = ctx},
              .n = n,
              .throttle = throttle ? throttle : DEFAULT_THROTTLE};
    l.jobs = calloc(n ? n : 1, sizeof(*l.jobs));
    l.ready = calloc(n ? n : 1, sizeof(*l.ready));
    l.multi = curl_multi_init();
    l.epfd = epoll_create1(EPOLL_CLOEXEC);
    l.deadline_ms = -1;
    for (size_t i = 0; l.jobs && i < n; i++) {
        l.jobs[i].index = i;
        l.jobs[i].conn = &conns[i];
        l.jobs[i].step = FANOUT_DONE;
    }
    if (!l.jobs || !l.ready || !l.multi || l.epfd < 0 || fanout_link_twins(l.jobs, n) != 0) {
        free(l.jobs);
        free(l.ready);
        if (l.multi)
            curl_multi_cleanup(l.multi);
        if (l.epfd >= 0)
            close(l.epfd);
        return psr_error_set(err, PSR_E_NOMEM, "cannot set up the event loop");
    }
    curl_multi_setopt(l.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(l.multi, CURLMOPT_SOCKETDATA, &l);
    curl_multi_setopt(l.multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(l.multi, CURLMOPT_TIMERDATA, &l);
    if (interrupt_fd >= 0) {
        struct epoll_event ie = {.events = EPOLLIN, .data.fd = interrupt_fd};
        epoll_ctl(l.epfd, EPOLL_CTL_ADD, interrupt_fd, &ie);
    }
    l.reader = wsman_reader_new();
    int aborted = 0;
    while (l.done < l.n) {
        start_more(&l);
        if (l.done >= l.n)
            break;
        /* Only the sockets with something to do are handed to libcurl:
         * the cost of a round trip does not grow with the number of hosts
         * waiting. */
        struct epoll_event ev[64];
        long long wait = l.deadline_ms < 0 ? 1000 : l.deadline_ms - now_ms();
        int nev = epoll_wait(l.epfd, ev, 64, wait < 0 ? 0 : wait > 1000 ? 1000 : (int)wait);
        int running = 0, interrupted = 0;
        for (int i = 0; i < nev; i++) {
            if (ev[i].data.fd == interrupt_fd) {
                interrupted = 1;
                continue;
            }
            int flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(l.multi, ev[i].data.fd, flags, &running);
        }
        if (l.deadline_ms >= 0 && now_ms() >= l.deadline_ms) {
            l.deadline_ms = -1;
            curl_multi_socket_action(l.multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        collect_done(&l);
        if (interrupted) {
            char byte;
            if (read(interrupt_fd, &byte, 1) < 0)
                byte = 0;
            if (l.f.stopping) { /* a second Ctrl+C: give up at once */
                aborted = 1;
                break;
            }
            stop_all(&l);
        }
    }
    for (size_t i = 0; i < l.n; i++) /* only running ones left after an abort */
        if (l.jobs[i].step != FANOUT_DONE)
            release(&l, &l.jobs[i]);
    curl_multi_cleanup(l.multi);
    close(l.epfd);
    free(l.jobs);
    free(l.ready);
    wsman_reader_free(l.reader);
    if (aborted)
        return psr_error_set(err, PSR_E_CANCELLED,
                             "stopped without waiting (second Ctrl+C); shells may be left on "
                             "the computers that were running");
    return 0;
}
