/* server.c: the HTTP side of psremote-harness: one libmicrohttpd daemon per
 * listener, request bodies, the credential check and the size limit.
 *
 * Threading design: each daemon runs in MHD_USE_INTERNAL_POLLING_THREAD |
 * MHD_USE_THREAD_PER_CONNECTION mode, so every client connection has its
 * own thread and a Receive may simply block in it (long-poll) while other
 * connections go on. Shared state is the WinRS table (winrs.c), guarded by
 * its own mutex; the options are read-only once the daemons run. This is
 * simpler than an event-driven design with suspend/resume and scales to
 * the few hundred concurrent connections a test needs.
 *
 * Every reply is queued only after the whole request body was read: then
 * libmicrohttpd keeps the connection open across a 401 or a fault, as
 * WinRM does. A body past the size limit is read and dropped (it is never
 * stored), then refused with 413. */
#include "src/harness/server.h"
#include "src/auth/credssp.h"
#include "src/harness/auth.h"
#include "src/auth/sealing.h"
#include "src/harness/ps_server.h"

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Past this many bytes a body is not even read to the end: the reply goes
 * out at once and the connection is closed. */
#define HARD_BODY_LIMIT (64u * 1024u * 1024u)
#define IDLE_TIMEOUT_S 120u

typedef struct listener {
    struct MHD_Daemon *daemon;
    int tls;
    const psr_buf *cert_der; /* the server certificate, for channel binding */
    char url[128];
    struct harness_server *server;
} listener;

struct harness_server {
    const harness_options *opts;
    harness_dispatch_ctx dispatch;
    char machine[256];
    listener *listeners;
    size_t n_listeners;
    char *cert_pem, *key_pem;
    char *client_ca_pem;   /* --client-ca: trusted issuers of client certificates */
    psr_buf cert_der;
    psr_credssp_server *credssp;  /* CredSSP's TLS identity, when offered */
    /* Counters for --stats-file: shells open now and at most, requests. */
    pthread_mutex_t stats_lock;
    harness_stats stats;
};

/* A shell (WinRS or PowerShell) was created or deleted: counts what a
 * fan-out test asks, how many shells were open at once. */
static void count_request(harness_server *s, const char *verb, unsigned status)
{
    pthread_mutex_lock(&s->stats_lock);
    s->stats.requests++;
    if (status == MHD_HTTP_OK && strcmp(verb, "Create") == 0) {
        s->stats.shells_created++;
        if (++s->stats.shells_open > s->stats.max_shells_open)
            s->stats.max_shells_open = s->stats.shells_open;
    } else if (status == MHD_HTTP_OK && strcmp(verb, "Delete") == 0 && s->stats.shells_open) {
        s->stats.shells_open--;
    }
    pthread_mutex_unlock(&s->stats_lock);
}

void harness_server_stats(harness_server *s, harness_stats *out)
{
    pthread_mutex_lock(&s->stats_lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->stats_lock);
}

typedef struct request_state {
    psr_buf body;
    size_t total; /* bytes received, including dropped ones */
    struct timespec start;
} request_state;

/* ---- Replies ------------------------------------------------------------- */

/* What goes into a reply besides status and body. */
typedef struct reply_extra {
    int close;                         /* close the connection afterwards */
    const char *location;              /* Location of a redirect */
    const char *content_type;          /* NULL: SOAP when there is a body */
    const harness_auth_outcome *auth;  /* WWW-Authenticate values, or NULL */
} reply_extra;

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, const psr_buf *body,
                             const reply_extra *x)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body ? body->len : 0, body && body->data ? body->data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    /* The same header values WinRM sends (HTTP.sys). */
    MHD_add_response_header(r, MHD_HTTP_HEADER_SERVER, "Microsoft-HTTPAPI/2.0");
    if (x->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, x->content_type);
    else if (body && body->len)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/soap+xml;charset=UTF-8");
    if (x->close)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (x->location)
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, x->location);
    for (size_t i = 0; x->auth && i < x->auth->n_www; i++)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, x->auth->www[i].data);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void log_request(const harness_server *s, struct MHD_Connection *c, const char *method,
                        const char *url, const char *verb, const char *user,
                        const request_state *st, unsigned status, size_t reply_len,
                        const char *why)
{
    if (!s->opts->verbose)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (long)((now.tv_sec - st->start.tv_sec) * 1000 + (now.tv_nsec - st->start.tv_nsec) / 1000000);
    /* PowerShell clients name their version in the query (?PSVersion=). */
    const char *ps_version = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "PSVersion");
    /* The client's port tells connections apart: authentication belongs to one. */
    unsigned port = 0;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
        else if (sa->sa_family == AF_INET6)
            port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    }
    fprintf(stderr,
            "psremote-harness: %s %s%s%s %s user=%s body=%zu -> %u (%zu bytes, %ld ms, "
            "client port %u)%s%s\n",
            method, url, ps_version ? "?PSVersion=" : "", ps_version ? ps_version : "", verb,
            user ? user : "-", st->total, status, reply_len, ms, port, why ? ": " : "",
            why ? why : "");
}

/* The envelope in a request, unsealed when the connection seals. Returns
 * 0, or an HTTP status to answer with (the fault, if any, in reply). */
static unsigned read_envelope(harness_server *s, listener *l, harness_conn_auth *ca,
                              const harness_auth_outcome *who, const char *type,
                              request_state *st, psr_buf *plain, int *sealed, psr_buf *reply)
{
    *sealed = 0;
    if (who->gss && !l->tls && type && psr_sealing_is_encrypted(type)) {
        psr_error err;
        if (harness_auth_unseal(ca, type, st->body.data ? st->body.data : "", st->body.len,
                                plain, &err) != 0)
            return (unsigned)harness_fault_build(reply, HARNESS_FAULT_INVALID_XML, NULL,
                                                 s->machine, err.message);
        *sealed = 1;
        return 0;
    }
    if (who->gss && !l->tls && !s->opts->allow_unencrypted)
        return (unsigned)harness_fault_build(reply, HARNESS_FAULT_UNENCRYPTED, NULL, s->machine,
                                             "");
    /* WinRM answers another media type (a client that forgot the header)
     * with a bare 415. */
    if (!type || strncasecmp(type, "application/soap+xml", 20) != 0)
        return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
    if (psr_buf_append(plain, st->body.data ? st->body.data : "", st->body.len))
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    return 0;
}

static enum MHD_Result handle(listener *l, struct MHD_Connection *c, const char *url,
                              const char *method, request_state *st)
{
    harness_server *s = l->server;
    psr_buf reply = {0}, plain = {0}, sealed_reply = {0}, sealed_type = {0};
    harness_auth_outcome who = {0};
    reply_extra x = {0};
    unsigned status;
    const char *verb = "-";
    int auth_leg = 0;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    harness_conn_auth *ca = ci ? ci->socket_context : NULL;

    if ((x.location = harness_redirect_find(s->opts, url)) != NULL) {
        status = MHD_HTTP_FOUND; /* before authentication, as a front end would */
    } else if (strcasecmp(url, "/wsman") != 0) {
        status = MHD_HTTP_NOT_FOUND;
    } else if (strcmp(method, "POST") != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
    } else {
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        const char *ident = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "WSMANIDENTIFY");
        const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        int anonymous = !auth && ident && strcasecmp(ident, "unauthenticated") == 0;
        int sealed = 0;
        int auth_failed = 0;
        if (l->tls && harness_auth_is_certificate(auth))
            auth_failed = harness_auth_certificate(c, s->opts, &who) != 0;
        else if (!anonymous)
            auth_failed = harness_auth_check(ca, s->opts, l->tls,
                                             l->cert_der ? l->cert_der->data : NULL,
                                             l->cert_der ? l->cert_der->len : 0, auth, &who) != 0;
        if (auth_failed) {
            status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        } else if (!anonymous && who.status) {
            status = who.status;
            x.auth = &who;
        } else if (who.gss && auth && st->total == 0) {
            /* The last leg of an exchange with an empty body (clients
             * authenticate first, then send sealed messages): 200 and the
             * server's final token. */
            status = MHD_HTTP_OK;
            x.auth = &who;
            auth_leg = 1;
        } else if (st->total > s->opts->max_envelope_size) {
            char detail[128];
            snprintf(detail, sizeof(detail), "(request of %zu bytes, MaxEnvelopeSize %u bytes)",
                     st->total, (unsigned)s->opts->max_envelope_size);
            status = (unsigned)harness_fault_build(&reply, HARNESS_FAULT_ENCODING_LIMIT, NULL,
                                                   s->machine, detail);
        } else if ((status = read_envelope(s, l, ca, &who, type, st, &plain, &sealed, &reply)) ==
                   0) {
            x.auth = who.n_www ? &who : NULL;
            status = (unsigned)harness_dispatch(&s->dispatch, plain.data ? plain.data : "",
                                                plain.len, anonymous, &reply, &verb);
            if (status == MHD_HTTP_UNAUTHORIZED) {
                harness_auth_challenge(s->opts, &who);
                x.auth = &who;
                psr_buf_reset(&reply);
            }
        }
        /* On a sealing connection replies are sealed too, faults included. */
        psr_error serr;
        if (sealed && reply.len) {
            if (harness_auth_seal(ca, reply.data, reply.len, &sealed_reply, &sealed_type, &serr) == 0) {
                psr_buf_reset(&reply);
                psr_buf_append(&reply, sealed_reply.data, sealed_reply.len);
                x.content_type = sealed_type.data;
            } else {
                status = MHD_HTTP_INTERNAL_SERVER_ERROR;
                psr_buf_reset(&reply);
            }
        }
    }
    count_request(s, verb, status);
    log_request(s, c, method, url, verb, who.user[0] ? who.user : NULL, st, status, reply.len,
                who.status ? who.why : NULL);
    /* Closing during a handshake would make it impossible: the connection
     * goes after each answered envelope, as a server dropping idle
     * connections between requests. */
    x.close = s->opts->close_connections && status != MHD_HTTP_UNAUTHORIZED && !auth_leg;
    enum MHD_Result ret = queue(c, status, &reply, &x);
    psr_buf_free(&reply);
    psr_buf_free(&plain);
    psr_buf_free(&sealed_reply);
    psr_buf_free(&sealed_type);
    harness_auth_outcome_clear(&who);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    listener *l = cls;
    request_state *st = *con_cls;
    if (!st) { /* headers only so far */
        st = calloc(1, sizeof(*st));
        if (!st)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st->total + n <= l->server->opts->max_envelope_size) {
            if (psr_buf_append(&st->body, upload_data, n) < 0)
                return MHD_NO;
        } else {
            psr_buf_free(&st->body); /* over the limit: keep counting, stop storing */
        }
        st->total += n;
        if (st->total > HARD_BODY_LIMIT)
            return handle(l, c, url, method, st);
        return MHD_YES;
    }
    return handle(l, c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request_state *st = *con_cls;
    if (st) {
        psr_buf_free(&st->body);
        free(st);
        *con_cls = NULL;
    }
}

/* Each TCP connection carries its own authentication (auth.h). */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    listener *l = cls;
    (void)c;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = harness_conn_auth_new(l->server->credssp);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        harness_conn_auth_free(*socket_context);
        *socket_context = NULL;
    }
}

/* ---- Listeners ----------------------------------------------------------- */

static int open_listen_socket(const harness_listen *spec, char *url, size_t url_size, int tls,
                              psr_error *err)
{
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char port[8];
    snprintf(port, sizeof(port), "%u", (unsigned)spec->port);
    int gai = getaddrinfo(spec->host, port, &hints, &ai);
    if (gai != 0)
        return psr_error_set(err, PSR_E_NETWORK, "listen address %s: %s", spec->host, gai_strerror(gai));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        int family = ai->ai_family;
        freeaddrinfo(ai);
        return psr_error_set(err, PSR_E_NETWORK, "cannot listen on %s%s%s:%u: %s",
                             family == AF_INET6 ? "[" : "", spec->host,
                             family == AF_INET6 ? "]" : "", (unsigned)spec->port, strerror(e));
    }
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    unsigned bound_port = spec->port;
    if (getsockname(fd, (struct sockaddr *)&bound, &blen) == 0)
        bound_port = ntohs(bound.ss_family == AF_INET6
                               ? ((struct sockaddr_in6 *)&bound)->sin6_port
                               : ((struct sockaddr_in *)&bound)->sin_port);
    int v6 = ai->ai_family == AF_INET6 && strchr(spec->host, ':');
    snprintf(url, url_size, "%s://%s%s%s:%u/wsman", tls ? "https" : "http", v6 ? "[" : "",
             spec->host, v6 ? "]" : "", bound_port);
    freeaddrinfo(ai);
    return fd;
}

static char *read_file(const char *path, psr_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        psr_error_set(err, PSR_E_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    psr_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        psr_buf_append(&b, chunk, n);
    fclose(f);
    if (!b.data)
        psr_error_set(err, PSR_E_IO, "%s is empty", path);
    return b.data;
}

/* Loads the PEM files and checks with OpenSSL that the key fits the
 * certificate, so a mistake is reported at start, not at the first client. */
static int load_tls(harness_server *s, psr_error *err)
{
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return psr_error_set(err, PSR_E_TLS, "this libmicrohttpd was built without TLS support");
    s->cert_pem = read_file(s->opts->tls_cert, err);
    s->key_pem = s->cert_pem ? read_file(s->opts->tls_key, err) : NULL;
    if (!s->key_pem)
        return PSR_E_IO;
    int rc = 0;
    BIO *cb = BIO_new_mem_buf(s->cert_pem, -1), *kb = BIO_new_mem_buf(s->key_pem, -1);
    X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    if (!cert)
        rc = psr_error_set(err, PSR_E_TLS, "--tls-cert %s: no PEM certificate found", s->opts->tls_cert);
    else if (!key)
        rc = psr_error_set(err, PSR_E_TLS, "--tls-key %s: no unencrypted PEM private key found",
                           s->opts->tls_key);
    else if (X509_check_private_key(cert, key) != 1)
        rc = psr_error_set(err, PSR_E_TLS, "--tls-key %s does not belong to --tls-cert %s",
                           s->opts->tls_key, s->opts->tls_cert);
    int der_len = cert ? i2d_X509(cert, NULL) : -1;
    if (rc == 0 && der_len > 0 && psr_buf_reserve(&s->cert_der, (size_t)der_len) == 0) {
        unsigned char *p = (unsigned char *)s->cert_der.data;
        i2d_X509(cert, &p);
        s->cert_der.len = (size_t)der_len;
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    return rc;
}

int harness_server_start(harness_server **out, const harness_options *opts, harness_winrs *winrs,
                         psr_error *err)
{
    harness_server *s = calloc(1, sizeof(*s));
    if (!s)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    *out = s;
    s->opts = opts;
    pthread_mutex_init(&s->stats_lock, NULL);
    if (gethostname(s->machine, sizeof(s->machine) - 1) < 0)
        snprintf(s->machine, sizeof(s->machine), "localhost");
    s->dispatch = (harness_dispatch_ctx){winrs, opts, s->machine, harness_ps_new()};
    if (!s->dispatch.ps)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    s->listeners = calloc(opts->n_listens, sizeof(*s->listeners));
    if (!s->listeners)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    int any_tls = 0;
    for (size_t i = 0; i < opts->n_listens; i++)
        any_tls |= opts->listens[i].tls;
    int rc;
    if (any_tls && (rc = load_tls(s, err)) < 0)
        return rc;
    if (opts->client_ca && !(s->client_ca_pem = read_file(opts->client_ca, err)))
        return PSR_E_IO;
    /* CredSSP's inner TLS uses the HTTPS certificate when there is one, else
     * a self-signed one made now, as WinRM makes one for HTTP listeners. */
    if ((opts->auth_schemes & HARNESS_AUTH_CREDSSP) &&
        (rc = psr_credssp_server_new(&s->credssp, opts->tls_cert, opts->tls_key, err)) < 0)
        return psr_error_prefix(err, "CredSSP");

    for (size_t i = 0; i < opts->n_listens; i++) {
        listener *l = &s->listeners[i];
        l->server = s;
        l->tls = opts->listens[i].tls;
        l->cert_der = l->tls ? &s->cert_der : NULL;
        int fd = open_listen_socket(&opts->listens[i], l->url, sizeof(l->url), l->tls, err);
        if (fd < 0)
            return fd;
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                         MHD_USE_POLL | MHD_USE_ERROR_LOG;
        if (l->tls)
            flags |= MHD_USE_TLS;
        l->daemon = l->tls
            ? MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
                               MHD_OPTION_LISTEN_SOCKET, fd,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
                               MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
                               MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S,
                               MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem,
                               MHD_OPTION_HTTPS_MEM_KEY, s->key_pem,
                               /* asks for (does not require) a client certificate */
                               s->client_ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END,
                               s->client_ca_pem, MHD_OPTION_END)
            : MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
                               MHD_OPTION_LISTEN_SOCKET, fd,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
                               MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
                               MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S, MHD_OPTION_END);
        if (!l->daemon) {
            close(fd);
            return psr_error_set(err, PSR_E_NETWORK, "cannot start the HTTP%s server on %s",
                                 l->tls ? "S" : "", l->url);
        }
        s->n_listeners++;
    }
    return 0;
}

size_t harness_server_count(const harness_server *s)
{
    return s ? s->n_listeners : 0;
}

const char *harness_server_url(const harness_server *s, size_t i)
{
    return i < s->n_listeners ? s->listeners[i].url : NULL;
}

void harness_server_stop(harness_server *s)
{
    if (!s)
        return;
    harness_ps_shutdown(s->dispatch.ps); /* ends waiting PowerShell Receives */
    for (size_t i = 0; i < s->n_listeners; i++)
        MHD_stop_daemon(s->listeners[i].daemon);
    harness_ps_free(s->dispatch.ps);
    free(s->listeners);
    if (s->key_pem)
        OPENSSL_cleanse(s->key_pem, strlen(s->key_pem));
    free(s->key_pem);
    free(s->cert_pem);
    free(s->client_ca_pem);
    psr_buf_free(&s->cert_der);
    psr_credssp_server_free(s->credssp);
    pthread_mutex_destroy(&s->stats_lock);
    free(s);
}
