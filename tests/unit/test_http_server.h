/* test_http_server.h: a small libmicrohttpd server for the HTTP transport
 * tests. It listens on 127.0.0.1 on a port the kernel picks, answers every
 * request with the reply configured in the struct, and records what the last
 * request carried (headers, body) and how many connections and requests it
 * saw, so a test can check what psr_http really put on the wire. */
#ifndef PSR_TEST_HTTP_SERVER_H
#define PSR_TEST_HTTP_SERVER_H

#include "common/buf.h"

#include <pthread.h>

typedef enum test_reply_mode {
    TEST_REPLY_NORMAL = 0, /* send status, headers and body below */
    TEST_REPLY_CLOSE,      /* read the request, close without a response */
    TEST_REPLY_HANG        /* read the request, answer nothing until released */
} test_reply_mode;

typedef struct test_server {
    /* Reply (set before the request). */
    test_reply_mode mode;
    unsigned status;               /* 0 = 200 */
    const char *reply_content_type; /* NULL = none */
    const char *reply_body;        /* NULL = empty */
    const char *challenges[4];     /* WWW-Authenticate values, NULL-terminated */
    const char *location;
    int close_after_reply;         /* send "Connection: close" */

    /* Filled by test_server_start. */
    unsigned port;
    char url[128];                 /* http[s]://127.0.0.1:PORT/wsman */

    /* Recorded from the last request (read after the client call returned). */
    pthread_mutex_t lock;
    char method[16];
    char target[512];              /* request target as received */
    char content_type[256];
    char accept_encoding[64];
    char authorization[256];
    char user_agent[128];
    int has_expect;
    int has_accept;
    int has_authorization;
    psr_buf body;
    unsigned requests;
    unsigned connections;

    /* Internal. */
    struct MHD_Daemon *daemon;
    int release_fd[2];             /* a byte on [1] releases TEST_REPLY_HANG */
} test_server;

/* Starts the server; with cert_pem/key_pem (PEM text) it speaks HTTPS.
 * Returns 0, or -1 (then nothing needs stopping). */
int test_server_start(test_server *s, const char *cert_pem, const char *key_pem);
/* Releases hanging handlers, stops the server and frees what it recorded. */
void test_server_stop(test_server *s);

/* A TCP port on 127.0.0.1 that refuses connections: a bound socket that does
 * not listen. Returns the socket (close it when done) and sets *port. */
int test_refusing_socket(unsigned *port);
/* A listening socket that never accepts nor answers (the kernel completes
 * the TCP handshake, then nothing). Returns the socket and sets *port. */
int test_silent_socket(unsigned *port);

/* A one-shot server for byte-exact replies libmicrohttpd would not send
 * (folded headers, interim 1xx responses): it accepts one connection on
 * 127.0.0.1, reads one request, writes response as given and closes. */
typedef struct test_canned_server {
    const char *response;
    unsigned port;
    char url[128];
    int listen_fd;
    pthread_t thread;
} test_canned_server;

int test_canned_server_start(test_canned_server *c, const char *response);
/* Waits for the serving thread (bounded by the socket timeouts) and closes. */
void test_canned_server_stop(test_canned_server *c);

#endif
