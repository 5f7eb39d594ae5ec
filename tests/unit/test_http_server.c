/* test_http_server.c: the libmicrohttpd test server (see test_http_server.h).
 *
 * Replies are queued only after the whole request body was read, so
 * libmicrohttpd keeps the connection alive across them (a 401 included). */
#include "test_http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The longest a hanging handler waits to be released: a bound, not a delay
 * any test relies on. */
#define HANG_LIMIT_MS 20000

static void copy_header(struct MHD_Connection *c, const char *name, char *out, size_t cap)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, cap, "%s", v ? v : "");
}

static void record(test_server *s, struct MHD_Connection *c, const char *url,
                   const char *method, const psr_buf *body)
{
    pthread_mutex_lock(&s->lock);
    snprintf(s->method, sizeof(s->method), "%s", method);
    snprintf(s->target, sizeof(s->target), "%s", url);
    copy_header(c, "Content-Type", s->content_type, sizeof(s->content_type));
    copy_header(c, "Accept-Encoding", s->accept_encoding, sizeof(s->accept_encoding));
    copy_header(c, "Authorization", s->authorization, sizeof(s->authorization));
    copy_header(c, "User-Agent", s->user_agent, sizeof(s->user_agent));
    s->has_expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Expect") != NULL;
    s->has_accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept") != NULL;
    s->has_authorization =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization") != NULL;
    psr_buf_reset(&s->body);
    psr_buf_append(&s->body, body->data ? body->data : "", body->len);
    s->requests++;
    pthread_mutex_unlock(&s->lock);
}

static enum MHD_Result queue_reply(test_server *s, struct MHD_Connection *c)
{
    const char *text = s->reply_body ? s->reply_body : "";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (s->reply_content_type)
        MHD_add_response_header(r, "Content-Type", s->reply_content_type);
    for (int i = 0; i < 4 && s->challenges[i]; i++)
        MHD_add_response_header(r, "WWW-Authenticate", s->challenges[i]);
    if (s->location)
        MHD_add_response_header(r, "Location", s->location);
    if (s->close_after_reply)
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ok = MHD_queue_response(c, s->status ? s->status : 200, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_ctx)
{
    test_server *s = cls;
    (void)version;
    if (!*req_ctx) {
        psr_buf *b = calloc(1, sizeof(*b));
        if (!b)
            return MHD_NO;
        *req_ctx = b;
        return MHD_YES;
    }
    psr_buf *body = *req_ctx;
    if (*upload_size) {
        psr_buf_append(body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    record(s, c, url, method, body);
    if (s->mode == TEST_REPLY_CLOSE)
        return MHD_NO;
    if (s->mode == TEST_REPLY_HANG) {
        struct pollfd p = {.fd = s->release_fd[0], .events = POLLIN};
        poll(&p, 1, HANG_LIMIT_MS);
        return MHD_NO;
    }
    return queue_reply(s, c);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    psr_buf *b = *req_ctx;
    if (b) {
        psr_buf_free(b);
        free(b);
        *req_ctx = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
    test_server *s = cls;
    (void)c, (void)socket_ctx;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&s->lock);
        s->connections++;
        pthread_mutex_unlock(&s->lock);
    }
}

int test_server_start(test_server *s, const char *cert_pem, const char *key_pem)
{
    pthread_mutex_init(&s->lock, NULL);
    if (pipe(s->release_fd) != 0)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* A thread per connection, so a hanging handler blocks nothing else.
     * Without a certificate the option list ends before the TLS options. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (cert_pem)
        flags |= MHD_USE_TLS;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, s, cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert_pem,
        MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
    if (!s->daemon) {
        close(s->release_fd[0]);
        close(s->release_fd[1]);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%u/wsman", cert_pem ? "https" : "http",
             s->port);
    return s->port ? 0 : -1;
}

void test_server_stop(test_server *s)
{
    if (!s->daemon)
        return;
    if (write(s->release_fd[1], "x", 1) != 1)
        perror("test server release");
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    close(s->release_fd[0]);
    close(s->release_fd[1]);
    psr_buf_free(&s->body);
    pthread_mutex_destroy(&s->lock);
}

static int loopback_socket(unsigned *port, int listen_backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        (listen_backlog > 0 && listen(fd, listen_backlog) != 0) ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

int test_refusing_socket(unsigned *port)
{
    return loopback_socket(port, 0);
}

int test_silent_socket(unsigned *port)
{
    return loopback_socket(port, 8);
}

/* Reads one request: headers up to the blank line, then Content-Length bytes. */
static void read_request(int fd)
{
    char buf[8192];
    size_t have = 0;
    char *body = NULL;
    while (!body && have < sizeof(buf) - 1) {
        ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
        if (n <= 0)
            return;
        have += (size_t)n;
        buf[have] = '\0';
        body = strstr(buf, "\r\n\r\n");
    }
    if (!body)
        return;
    body += 4;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
    size_t got = have - (size_t)(body - buf);
    while (got < want) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            return;
        got += (size_t)n;
    }
}

static void *serve_canned(void *arg)
{
    test_canned_server *c = arg;
    int fd = accept(c->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    /* Bounds, so a client that never sends cannot block the test. */
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    read_request(fd);
    size_t len = strlen(c->response), off = 0;
    while (off < len) {
        ssize_t n = write(fd, c->response + off, len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(fd);
    return NULL;
}

int test_canned_server_start(test_canned_server *c, const char *response)
{
    c->response = response;
    c->listen_fd = loopback_socket(&c->port, 8);
    if (c->listen_fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = 10};
    setsockopt(c->listen_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)); /* bounds accept */
    snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%u/wsman", c->port);
    if (pthread_create(&c->thread, NULL, serve_canned, c) != 0) {
        close(c->listen_fd);
        return -1;
    }
    return 0;
}

void test_canned_server_stop(test_canned_server *c)
{
    pthread_join(c->thread, NULL);
    close(c->listen_fd);
}
