/* gss_http.c: the HTTP side of GSSAPI authentication (RFC 4559 as WinRM
 * uses it): scheme choice, Authorization / WWW-Authenticate values and
 * picking our scheme's token out of several challenges (RFC 7235 syntax: a
 * header value may hold several comma-separated challenges, each a scheme
 * followed by a token68 or by auth-params). */
#include "src/auth/gss_internal.h"

#include "common/base64.h"

#include <string.h>
#include <strings.h>

#define SCHEME_NEGOTIATE "Negotiate"
#define SCHEME_KERBEROS "Kerberos"

const char *psr_gss_http_scheme(const psr_gss_ctx *c)
{
    return c->scheme_kerberos ? SCHEME_KERBEROS : SCHEME_NEGOTIATE;
}

const char *psr_gss_sealing_protocol(const psr_gss_ctx *c)
{
    return c->scheme_kerberos ? "application/HTTP-Kerberos-session-encrypted"
                              : "application/HTTP-SPNEGO-session-encrypted";
}

int psr_gss_set_scheme(psr_gss_ctx *c, const char *scheme, psr_error *err)
{
    if (scheme && strcasecmp(scheme, SCHEME_NEGOTIATE) == 0)
        c->scheme_kerberos = 0;
    else if (scheme && strcasecmp(scheme, SCHEME_KERBEROS) == 0)
        c->scheme_kerberos = 1;
    else
        return psr_error_set(err, PSR_E_INVALID, "unsupported authentication scheme \"%s\"",
                             scheme ? scheme : "");
    return 0;
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int is_tchar(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static int is_token68_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '+' || ch == '/';
}

/* Length of a token68 at p (chars, then '=' padding) if it stands alone,
 * i.e. is followed by white space, a comma or the end; else 0. */
static size_t token68_len(const char *p)
{
    size_t n = 0;
    while (is_token68_char(p[n]))
        n++;
    if (n == 0)
        return 0;
    while (p[n] == '=')
        n++;
    size_t k = n;
    while (is_space(p[k]))
        k++;
    return (p[k] == '\0' || p[k] == ',') ? n : 0;
}

/* Skips an auth-param value: a quoted-string (with \ escapes) or a token. */
static const char *skip_param_value(const char *p)
{
    if (*p != '"') {
        while (*p && *p != ',' && !is_space(*p))
            p++;
        return p;
    }
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p == '"' ? p + 1 : p;
}

/* Looks for scheme in one header value. On a match sets *tok and *tok_len to
 * its token68 (length 0 when there is none) and returns 1. */
static int find_in_value(const char *p, const char *scheme, const char **tok, size_t *tok_len)
{
    size_t slen = strlen(scheme);
    while (*p) {
        while (is_space(*p) || *p == ',')
            p++;
        const char *word = p;
        while (is_tchar(*p))
            p++;
        size_t wlen = (size_t)(p - word);
        if (wlen == 0) {
            p = *p ? p + 1 : p; /* stray character: step over it */
            continue;
        }
        const char *after = p;
        while (is_space(*after))
            after++;
        if (*after == '=' && token68_len(word) == 0) {
            /* name=value: a parameter of the previous challenge */
            after++;
            while (is_space(*after))
                after++;
            p = skip_param_value(after);
            continue;
        }
        /* a scheme name, optionally followed by a token68 */
        size_t t = token68_len(after);
        if (wlen == slen && strncasecmp(word, scheme, slen) == 0) {
            *tok = after;
            *tok_len = t;
            return 1;
        }
        p = after + t;
    }
    return 0;
}

int psr_gss_find_token(const char *scheme, char *const *values, size_t n, psr_buf *token,
                       psr_error *err)
{
    psr_buf_reset(token);
    for (size_t i = 0; i < n; i++) {
        const char *tok;
        size_t len;
        if (!values[i] || !find_in_value(values[i], scheme, &tok, &len))
            continue;
        if (len == 0)
            return 0;
        int rc = psr_base64_decode(token, tok, len);
        if (rc == PSR_E_PARSE)
            return psr_error_set(err, PSR_E_PARSE,
                                 "the server's %s token is not valid base64", scheme);
        return rc < 0 ? psr_error_set(err, rc, "out of memory") : 1;
    }
    return 0;
}

int psr_http_scheme_offered(const char *scheme, char *const *values, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *tok;
        size_t len;
        if (values[i] && find_in_value(values[i], scheme, &tok, &len))
            return 1;
    }
    return 0;
}

int psr_http_not_offered(psr_error *err, const char *method, const char *how_to_enable,
                         char *const *values, size_t n)
{
    psr_buf list = {0};
    for (size_t i = 0; i < n; i++)
        psr_buf_printf(&list, "%s\"%s\"", list.len ? ", " : "", values[i] ? values[i] : "");
    psr_error_set(err, PSR_E_AUTH,
                  "the server does not offer %s authentication (it offers: %s); %s or choose "
                  "another authentication method",
                  method, list.len ? list.data : "nothing", how_to_enable);
    psr_buf_free(&list);
    return PSR_E_AUTH;
}

int psr_gss_scheme_offered(psr_gss_mech mech, char *const *values, size_t n, int *kerberos,
                           psr_error *err)
{
    if (mech == PSR_GSS_KERBEROS && psr_http_scheme_offered(SCHEME_KERBEROS, values, n)) {
        *kerberos = 1;
        return 0;
    }
    if (psr_http_scheme_offered(SCHEME_NEGOTIATE, values, n)) {
        *kerberos = 0;
        return 0;
    }
    return psr_http_not_offered(err, mech == PSR_GSS_KERBEROS ? "Kerberos or Negotiate"
                                                              : "Negotiate",
                                "enable it in the WinRM service configuration (winrm get "
                                "winrm/config/service/auth)",
                                values, n);
}

int psr_gss_select_scheme(psr_gss_ctx *c, char *const *values, size_t n, psr_error *err)
{
    int kerberos = 0;
    int rc = psr_gss_scheme_offered(c->mech, values, n, &kerberos, err);
    if (rc == 0)
        c->scheme_kerberos = kerberos;
    return rc;
}

int psr_gss_format_header(psr_buf *header, const char *scheme, const void *token, size_t len)
{
    psr_buf_reset(header);
    int rc = psr_buf_puts(header, scheme);
    if (rc == 0 && len) {
        rc = psr_buf_putc(header, ' ');
        if (rc == 0)
            rc = psr_base64_encode(header, token, len);
    }
    return rc;
}

int psr_gss_authorization(psr_gss_ctx *c, const void *in, size_t in_len, psr_buf *header,
                          int *done, psr_error *err)
{
    psr_buf token = {0};
    psr_buf_reset(header);
    int rc = psr_gss_step(c, in, in_len, &token, done, err);
    if (rc == 0 && token.len &&
        psr_gss_format_header(header, psr_gss_http_scheme(c), token.data, token.len) < 0)
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
    psr_buf_free(&token);
    return rc;
}

int psr_gss_parse_authorization(const char *value, psr_buf *scheme, psr_buf *token,
                                psr_error *err)
{
    psr_buf_reset(scheme);
    psr_buf_reset(token);
    const char *p = value;
    while (is_space(*p))
        p++;
    const char *word = p;
    while (is_tchar(*p))
        p++;
    if (p == word)
        return psr_error_set(err, PSR_E_PARSE, "the Authorization header has no scheme");
    if (psr_buf_append(scheme, word, (size_t)(p - word)) < 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    while (is_space(*p))
        p++;
    size_t len = token68_len(p);
    const char *end = p + len;
    while (is_space(*end))
        end++;
    if (len == 0 || *end != '\0')
        return psr_error_set(err, PSR_E_PARSE,
                             "the %s Authorization header carries no single base64 token",
                             scheme->data);
    int rc = psr_base64_decode(token, p, len);
    if (rc == PSR_E_PARSE)
        return psr_error_set(err, PSR_E_PARSE, "the %s token is not valid base64", scheme->data);
    return rc < 0 ? psr_error_set(err, rc, "out of memory") : 0;
}
