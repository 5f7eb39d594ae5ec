/* http_challenge.c: reading WWW-Authenticate values (RFC 7235 section 4.1).
 *
 * A value is a comma-separated list of elements. An element that starts with
 * a token not followed by '=' begins a new challenge (the scheme, optionally
 * followed by a token68 or its first auth-param); an element of the form
 * name=value is one more auth-param of the challenge before it. Commas inside
 * quoted strings do not separate elements. Servers usually send one challenge
 * per header (WinRM: "Negotiate", "Kerberos", "Basic realm=..."), but proxies
 * and other servers fold them into one. */
#include "src/http/http_internal.h"

#include <string.h>
#include <strings.h>

static int is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Finds the end of the element starting at p: the next comma outside a
 * quoted string, or the end of the value. */
static const char *element_end(const char *p)
{
    int quoted = 0;
    for (; *p; p++) {
        if (quoted && *p == '\\' && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            break;
    }
    return p;
}

/* The challenge being collected: scheme, and the span of its parameters. */
typedef struct pending {
    const char *scheme;
    size_t scheme_len;
    const char *params;
    const char *params_end;
} pending;

static int flush(pending *c, psr_http_challenge_fn fn, void *ud)
{
    if (!c->scheme)
        return 0;
    int rc = fn(c->scheme, c->scheme_len, c->params, (size_t)(c->params_end - c->params), ud);
    c->scheme = NULL;
    return rc;
}

static int value_each(const char *value, psr_http_challenge_fn fn, void *ud)
{
    pending c = {0};
    const char *p = value;
    while (*p) {
        while (is_ows(*p) || *p == ',')
            p++;
        if (!*p)
            break;
        const char *end = element_end(p);
        const char *last = end;
        while (last > p && is_ows(last[-1]))
            last--;
        const char *tok_end = p;
        while (is_tchar(*tok_end))
            tok_end++;
        const char *after = tok_end;
        while (after < last && is_ows(*after))
            after++;
        int is_param = tok_end > p && after < last && *after == '=';
        if (!is_param && tok_end > p) {
            int rc = flush(&c, fn, ud);
            if (rc)
                return rc;
            c.scheme = p;
            c.scheme_len = (size_t)(tok_end - p);
            c.params = after;
            c.params_end = last > after ? last : after;
        } else if (c.scheme) {
            /* One more auth-param of the current challenge. */
            if (c.params == c.params_end)
                c.params = p;
            c.params_end = last;
        }
        p = end;
    }
    return flush(&c, fn, ud);
}

int psr_http_challenges_each(const psr_http_response *r, psr_http_challenge_fn fn, void *ud)
{
    for (size_t i = 0; i < r->n_www_authenticate; i++) {
        int rc = value_each(r->www_authenticate[i], fn, ud);
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct find_ctx {
    const char *scheme;
    psr_buf *params;
} find_ctx;

static int match_scheme(const char *scheme, size_t scheme_len, const char *params,
                        size_t params_len, void *ud)
{
    find_ctx *f = ud;
    if (strlen(f->scheme) != scheme_len || strncasecmp(f->scheme, scheme, scheme_len) != 0)
        return 0;
    if (f->params) {
        psr_buf_reset(f->params);
        if (psr_buf_append(f->params, params, params_len))
            return PSR_E_NOMEM;
    }
    return 1;
}

int psr_http_find_challenge(const psr_http_response *r, const char *scheme, psr_buf *params)
{
    find_ctx f = {scheme, params};
    return psr_http_challenges_each(r, match_scheme, &f);
}
