/* test_http.c: the HTTP transport over plain HTTP, against a libmicrohttpd
 * server started inside the test on a free loopback port. Checks what
 * reaches the server, keep-alive, status handling and the errors a user
 * sees when the server misbehaves or is not there. */
#include "src/http/http.h"
#include "test_http_server.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SOAP_TYPE "application/soap+xml;charset=UTF-8"

static psr_http *open_http(const char *url)
{
    psr_http_options o = {.url = url, .proxy = "", .request_timeout_ms = 10000};
    psr_http *h = NULL;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    return h;
}

static int contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle)) {
        fprintf(stderr, "\n  expected \"%s\" in: %s\n", needle, haystack);
        return 0;
    }
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_post_headers_and_body(void)
{
    test_server s = {.reply_content_type = SOAP_TYPE, .reply_body = "<s:Envelope/>"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    CU_ASSERT_FALSE(psr_http_is_tls(h));
    CU_ASSERT_STRING_EQUAL(psr_http_url(h), s.url);

    const char *req = "<s:Envelope>request</s:Envelope>";
    psr_http_response r = {0};
    psr_error err;
    /* RFC 7617 section 2's example credentials. */
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", req,
                                  strlen(req), &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.content_type, SOAP_TYPE);
    CU_ASSERT_STRING_EQUAL(r.body.data, "<s:Envelope/>");
    CU_ASSERT_EQUAL(r.n_www_authenticate, 0);
    CU_ASSERT_EQUAL(psr_http_status_error(&r, s.url, &err), 0);

    CU_ASSERT_STRING_EQUAL(s.method, "POST");
    CU_ASSERT_STRING_EQUAL(s.target, "/wsman");
    CU_ASSERT_STRING_EQUAL(s.content_type, SOAP_TYPE);
    CU_ASSERT_STRING_EQUAL(s.accept_encoding, "identity");
    CU_ASSERT_STRING_EQUAL(s.authorization, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    CU_ASSERT_EQUAL(strncmp(s.user_agent, "psremote/", 9), 0);
    CU_ASSERT_FALSE(s.has_expect);
    CU_ASSERT_EQUAL(s.body.len, strlen(req));
    CU_ASSERT_STRING_EQUAL(s.body.data, req);

    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

/* A large body must go out at once: no "Expect: 100-continue" wait. */
static void test_post_custom_type_no_auth_large_body(void)
{
    test_server s = {0};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    size_t len = 1536 * 1024; /* libcurl adds "Expect: 100-continue" above 1 MiB */
    char *big = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    for (size_t i = 0; i < len; i++)
        big[i] = (char)('a' + i % 26);
    const char *type = "multipart/encrypted;protocol=\"application/HTTP-SPNEGO-session-"
                       "encrypted\";boundary=\"Encrypted Boundary\"";
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, type, NULL, big, len, &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NULL(r.content_type);
    CU_ASSERT_EQUAL(r.body.len, 0);
    CU_ASSERT_STRING_EQUAL(s.content_type, type);
    CU_ASSERT_FALSE(s.has_authorization);
    CU_ASSERT_FALSE(s.has_expect);
    CU_ASSERT_FALSE(s.has_accept);
    CU_ASSERT_EQUAL(s.body.len, len);
    CU_ASSERT(s.body.len == len && memcmp(s.body.data, big, len) == 0);

    /* An empty body (a Negotiate probe) is a POST with Content-Length 0. */
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, NULL, 0, &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(s.method, "POST");
    CU_ASSERT_EQUAL(s.body.len, 0);
    free(big);
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

/* A one-byte POST that succeeds, on a new connection or a kept one. */
static void post_expecting(psr_http *h, psr_http_response *r, const char *body, int new_connection)
{
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, body, 1, r, &err), 0);
    CU_ASSERT_EQUAL(psr_http_last_connection_was_new(h), new_connection);
}

static void test_keep_alive_and_reset(void)
{
    test_server s = {.reply_body = "ok"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, "Basic YTpi", "a", 1, &r, &err), 0);
    CU_ASSERT_EQUAL(psr_http_last_connection_was_new(h), 1);
    CU_ASSERT_TRUE(s.has_authorization);
    /* The next request's lines are its own: no Authorization left over, and
     * the fixed lines (User-Agent) again. */
    s.user_agent[0] = '\0';
    CU_ASSERT_EQUAL(psr_http_post(h, "text/plain", NULL, "b", 1, &r, &err), 0);
    CU_ASSERT_EQUAL(psr_http_last_connection_was_new(h), 0); /* CURLINFO_NUM_CONNECTS 0 */
    CU_ASSERT_FALSE(s.has_authorization);
    CU_ASSERT_STRING_EQUAL(s.content_type, "text/plain");
    CU_ASSERT_EQUAL(strncmp(s.user_agent, "psremote/", 9), 0);
    CU_ASSERT_FALSE(s.has_accept);
    CU_ASSERT_EQUAL(s.requests, 2);
    CU_ASSERT_EQUAL(s.connections, 1);
    CU_ASSERT_STRING_EQUAL(r.body.data, "ok");

    psr_http_reset_connection(h);
    post_expecting(h, &r, "c", 1);
    post_expecting(h, &r, "d", 0);
    CU_ASSERT_EQUAL(s.requests, 4);
    CU_ASSERT_EQUAL(s.connections, 2);
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

/* close_after_next: that one request's connection is closed after its
 * reply; the request before it and the one after it keep theirs. */
static void test_close_after_next(void)
{
    test_server s = {.reply_body = "ok"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    psr_http_response r = {0};
    post_expecting(h, &r, "a", 1);
    psr_http_close_after_next(h);
    post_expecting(h, &r, "b", 0); /* b still used a's connection */
    CU_ASSERT_STRING_EQUAL(r.body.data, "ok");
    CU_ASSERT_EQUAL(s.connections, 1);
    post_expecting(h, &r, "c", 1);
    post_expecting(h, &r, "d", 0);
    CU_ASSERT_EQUAL(s.requests, 4);
    CU_ASSERT_EQUAL(s.connections, 2);
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

/* A server that ends the connection after a reply: the next request opens a
 * new one by itself, and says so. */
static void test_server_closes_after_reply(void)
{
    test_server s = {.reply_body = "bye", .close_after_reply = 1};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "a", 1, &r, &err), 0);
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "b", 1, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(r.body.data, "bye");
    CU_ASSERT_EQUAL(psr_http_last_connection_was_new(h), 1);
    CU_ASSERT_EQUAL(s.connections, 2);
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

/* What Windows sends for a rejected request: one WWW-Authenticate per scheme. */
static void test_401_lists_offered_schemes(void)
{
    test_server s = {.status = 401,
                     .challenges = {"Negotiate", "Kerberos", "Basic realm=\"WSMAN\""}};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, "Basic eDp5", "<x/>", 4, &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, 401);
    CU_ASSERT_EQUAL_FATAL(r.n_www_authenticate, 3);
    CU_ASSERT_STRING_EQUAL(r.www_authenticate[0], "Negotiate");
    CU_ASSERT_STRING_EQUAL(r.www_authenticate[1], "Kerberos");
    CU_ASSERT_STRING_EQUAL(r.www_authenticate[2], "Basic realm=\"WSMAN\"");
    CU_ASSERT_EQUAL(psr_http_status_error(&r, s.url, &err), PSR_E_AUTH);
    CU_ASSERT_EQUAL(err.code, PSR_E_AUTH);
    CU_ASSERT(contains(err.message, "HTTP 401"));
    CU_ASSERT(contains(err.message, "it offers: Negotiate, Kerberos, Basic"));

    psr_buf params = {0};
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "negotiate", &params), 1);
    CU_ASSERT_STRING_EQUAL(params.data, "");
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "Basic", &params), 1);
    CU_ASSERT_STRING_EQUAL(params.data, "realm=\"WSMAN\"");
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "NTLM", NULL), 0);
    psr_buf_free(&params);

    /* The connection survives the 401 (NTLM and Negotiate depend on it). */
    s.status = 200;
    s.challenges[0] = "Negotiate oYGXMIGUoAMKAQA=";
    s.challenges[1] = NULL;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, "Negotiate YII=", "<x/>", 4, &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(s.connections, 1);
    CU_ASSERT_EQUAL_FATAL(r.n_www_authenticate, 1);
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "Negotiate", &params), 1);
    CU_ASSERT_STRING_EQUAL(params.data, "oYGXMIGUoAMKAQA=");
    psr_buf_free(&params);
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

static void test_401_without_challenge(void)
{
    psr_http_response r = {.status = 401};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_status_error(&r, "http://h:5985/wsman", &err), PSR_E_AUTH);
    CU_ASSERT(contains(err.message, "offered no authentication method"));
}

/* RFC 7235 section 4.1: several challenges in one header, commas inside a
 * quoted string, auth-params spread over list elements. */
static void test_challenges_in_one_header(void)
{
    char *values[] = {"Digest realm=\"a, b\", nonce=\"n\", Negotiate, Basic realm=\"WSMAN\""};
    psr_http_response r = {.status = 401, .www_authenticate = values, .n_www_authenticate = 1};
    psr_buf p = {0};
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "Digest", &p), 1);
    CU_ASSERT_STRING_EQUAL(p.data, "realm=\"a, b\", nonce=\"n\"");
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "Negotiate", &p), 1);
    CU_ASSERT_STRING_EQUAL(p.data, "");
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "basic", &p), 1);
    CU_ASSERT_STRING_EQUAL(p.data, "realm=\"WSMAN\"");
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "realm", &p), 0);
    CU_ASSERT_EQUAL(psr_http_find_challenge(&r, "nonce", &p), 0);
    psr_buf_free(&p);
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_status_error(&r, "http://h:5985/wsman", &err), PSR_E_AUTH);
    CU_ASSERT(contains(err.message, "it offers: Digest, Negotiate, Basic."));
}

/* Interim 1xx headers are not the final response's; folded header lines
 * (obs-fold) continue the challenge; header names are case-insensitive. */
static void test_interim_and_folded_headers(void)
{
    test_canned_server c;
    CU_ASSERT_EQUAL_FATAL(test_canned_server_start(&c,
        "HTTP/1.1 100 Continue\r\n"
        "WWW-Authenticate: Interim\r\n"
        "\r\n"
        "HTTP/1.1 401 Unauthorized\r\n"
        "www-authenticate: Negotiate\r\n"
        "WWW-Authenticate: Basic\r\n"
        "   realm=\"WSMAN\"  \r\n"
        "Location:  /elsewhere \r\n"
        "Content-Type: text/plain\r\n"
        "Content-Length: 4\r\n"
        "Connection: close\r\n"
        "\r\n"
        "nope"), 0);
    psr_http *h = open_http(c.url);
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, 401);
    CU_ASSERT_EQUAL_FATAL(r.n_www_authenticate, 2);
    CU_ASSERT_STRING_EQUAL(r.www_authenticate[0], "Negotiate");
    CU_ASSERT_STRING_EQUAL(r.www_authenticate[1], "Basic realm=\"WSMAN\"");
    CU_ASSERT_STRING_EQUAL(r.location, "/elsewhere");
    CU_ASSERT_STRING_EQUAL(r.content_type, "text/plain");
    CU_ASSERT_STRING_EQUAL(r.body.data, "nope");
    CU_ASSERT_EQUAL(psr_http_status_error(&r, c.url, &err), PSR_E_AUTH);
    CU_ASSERT(contains(err.message, "it offers: Negotiate, Basic."));
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_canned_server_stop(&c);
}

static void expect_status(test_server *s, psr_http *h, unsigned status, const char *needle)
{
    s->status = status;
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), 0);
    CU_ASSERT_EQUAL(r.status, status);
    CU_ASSERT_EQUAL(psr_http_status_error(&r, s->url, &err), PSR_E_HTTP);
    CU_ASSERT_EQUAL(err.code, PSR_E_HTTP);
    CU_ASSERT(contains(err.message, needle));
    psr_http_response_clear(&r);
}

static void test_status_messages(void)
{
    test_server s = {.reply_body = "<html>error</html>", .reply_content_type = "text/html"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    expect_status(&s, h, 413, "MaxEnvelopeSize");
    expect_status(&s, h, 404, "/wsman");
    expect_status(&s, h, 404, "--application-name");
    expect_status(&s, h, 500, "HTTP 500");
    expect_status(&s, h, 500, "no WS-Management fault");
    expect_status(&s, h, 503, "retry later");
    expect_status(&s, h, 403, "HTTP 403");
    expect_status(&s, h, 418, "HTTP 418");
    s.location = "https://other:5986/wsman";
    expect_status(&s, h, 307, "https://other:5986/wsman");
    psr_http_free(h);
    test_server_stop(&s);
}

static void test_server_closes_without_answer(void)
{
    test_server s = {.mode = TEST_REPLY_CLOSE};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    psr_http_response r = {0};
    psr_error err;
    double t0 = now_s();
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), PSR_E_NETWORK);
    CU_ASSERT(now_s() - t0 < 5.0); /* it did not wait for the 10 s bound */
    CU_ASSERT(contains(err.message, "closed by the server before a response arrived"));
    CU_ASSERT(contains(err.message, "127.0.0.1"));
    CU_ASSERT_EQUAL(r.status, 0);
    psr_http_free(h);
    test_server_stop(&s);
}

static void test_connection_refused(void)
{
    unsigned port = 0;
    int fd = test_refusing_socket(&port);
    CU_ASSERT_FATAL(fd >= 0);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/wsman", port);
    psr_http *h = open_http(url);
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), PSR_E_NETWORK);
    char want[64];
    snprintf(want, sizeof(want), "connection to 127.0.0.1:%u refused", port);
    CU_ASSERT(contains(err.message, want));
    CU_ASSERT(contains(err.message, "winrm quickconfig"));
    psr_http_free(h);
    close(fd);
}

static void test_request_timeout(void)
{
    test_server s = {.mode = TEST_REPLY_HANG};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http *h = open_http(s.url);
    psr_http_set_request_timeout(h, 300);
    psr_http_response r = {0};
    psr_error err;
    double t0 = now_s();
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), PSR_E_TIMEOUT);
    double took = now_s() - t0;
    CU_ASSERT(took >= 0.29 && took < 5.0);
    CU_ASSERT(contains(err.message, "no response from 127.0.0.1"));
    CU_ASSERT(contains(err.message, "300 ms"));
    CU_ASSERT(contains(err.message, "OperationTimeout"));
    CU_ASSERT_EQUAL(s.requests, 1); /* the request did arrive */
    psr_http_free(h);
    test_server_stop(&s);
}

static void test_response_size_limit(void)
{
    test_server s = {.reply_body = "0123456789abcdefghijklmnopqrstuvwxyz"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&s, NULL, NULL), 0);
    psr_http_options o = {.url = s.url, .proxy = "", .max_response_bytes = 16};
    psr_http *h = NULL;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    psr_http_response r = {0};
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), PSR_E_LIMIT);
    CU_ASSERT(contains(err.message, "larger than 16 bytes"));
    CU_ASSERT_EQUAL(r.body.len, 0);
    psr_http_response_clear(&r);
    psr_http_free(h);
    test_server_stop(&s);
}

static void test_cannot_resolve(void)
{
    /* RFC 6761: names under .invalid never resolve. */
    psr_http *h = open_http("http://no-such-host.invalid:5985/wsman");
    psr_http_response r = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), PSR_E_NETWORK);
    CU_ASSERT(contains(err.message, "cannot resolve host 'no-such-host.invalid'"));
    CU_ASSERT(contains(err.message, "DNS"));
    psr_http_free(h);
}

static void test_invalid_options(void)
{
    psr_http *h = NULL;
    psr_error err;
    psr_http_options o = {.url = "ftp://h/wsman"};
    CU_ASSERT_EQUAL(psr_http_new(&h, &o, &err), PSR_E_INVALID);
    CU_ASSERT(contains(err.message, "unsupported URL scheme 'ftp'"));
    CU_ASSERT_PTR_NULL(h);
    o.url = "http://";
    CU_ASSERT_EQUAL(psr_http_new(&h, &o, &err), PSR_E_INVALID);
    CU_ASSERT(contains(err.message, "not a valid URL"));
    o.url = "http://admin:secret@h:5985/wsman";
    CU_ASSERT_EQUAL(psr_http_new(&h, &o, &err), PSR_E_INVALID);
    CU_ASSERT(contains(err.message, "--user"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "secret"));
    o.url = NULL;
    CU_ASSERT_EQUAL(psr_http_new(&h, &o, &err), PSR_E_INVALID);
    o.url = "https://h:5986/wsman";
    o.client_key = "/k.pem";
    CU_ASSERT_EQUAL(psr_http_new(&h, &o, &err), PSR_E_INVALID);

    /* Header values cannot smuggle extra headers. */
    h = open_http("http://127.0.0.1:1/wsman");
    psr_http_response r = {0};
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, "Basic x\r\nX-Evil: 1", "", 0, &r, &err),
                    PSR_E_INVALID);
    CU_ASSERT_EQUAL(psr_http_post(h, "text/xml\nX-Evil: 1", NULL, "", 0, &r, &err),
                    PSR_E_INVALID);
    psr_http_free(h);
    psr_http_free(NULL);
    psr_http_response_clear(NULL);
}

/* proxy "" ignores the environment; an explicit proxy gets the request in
 * absolute form; NULL takes the proxy from http_proxy. */
static void test_proxy_settings(void)
{
    test_server target = {.reply_body = "direct"};
    test_server proxy = {.reply_body = "via proxy"};
    CU_ASSERT_EQUAL_FATAL(test_server_start(&target, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(test_server_start(&proxy, NULL, NULL), 0);
    char proxy_url[64];
    snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%u", proxy.port);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    setenv("http_proxy", proxy_url, 1);

    psr_http_response r = {0};
    psr_error err;
    psr_http *h = open_http(target.url); /* proxy = "" */
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(r.body.data, "direct");
    CU_ASSERT_EQUAL(proxy.requests, 0);
    psr_http_free(h);

    psr_http_options o = {.url = target.url, .proxy = NULL};
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(r.body.data, "via proxy");
    CU_ASSERT_STRING_EQUAL(proxy.target, target.url);
    psr_http_free(h);
    unsetenv("http_proxy");

    /* all_proxy too; with no variable set, NULL goes direct. */
    setenv("all_proxy", proxy_url, 1);
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(r.body.data, "via proxy");
    psr_http_free(h);
    unsetenv("all_proxy");
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(r.body.data, "direct");
    psr_http_free(h);

    o.proxy = proxy_url;
    CU_ASSERT_EQUAL_FATAL(psr_http_new(&h, &o, &err), 0);
    CU_ASSERT_EQUAL(psr_http_post(h, NULL, NULL, "<x/>", 4, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(r.body.data, "via proxy");
    CU_ASSERT_EQUAL(proxy.requests, 3);
    CU_ASSERT_EQUAL(target.requests, 2);
    psr_http_free(h);

    psr_http_response_clear(&r);
    test_server_stop(&proxy);
    test_server_stop(&target);
}

static const psr_unit_test tests[] = {
    {"POST carries body, Content-Type, Accept-Encoding, Authorization", test_post_headers_and_body},
    {"custom Content-Type, no Authorization, large and empty bodies", test_post_custom_type_no_auth_large_body},
    {"keep-alive: two posts share one connection; reset opens a new one", test_keep_alive_and_reset},
    {"close_after_next closes one request's connection, after its reply", test_close_after_next},
    {"server closes after a reply: next request reconnects", test_server_closes_after_reply},
    {"401 lists every WWW-Authenticate scheme; connection survives", test_401_lists_offered_schemes},
    {"401 without WWW-Authenticate", test_401_without_challenge},
    {"interim 1xx, folded and lower-case headers", test_interim_and_folded_headers},
    {"several challenges in one WWW-Authenticate header", test_challenges_in_one_header},
    {"413, 404, 500, 503, 403, 418, 307 messages", test_status_messages},
    {"server closes without answering: PSR_E_NETWORK, no hang", test_server_closes_without_answer},
    {"refused port", test_connection_refused},
    {"request timeout", test_request_timeout},
    {"response size limit", test_response_size_limit},
    {"unresolvable host", test_cannot_resolve},
    {"invalid URL, options and header values", test_invalid_options},
    {"proxy: none, from environment, explicit", test_proxy_settings},
    {NULL, NULL},
};

PSR_UNIT_MAIN("http", tests)
