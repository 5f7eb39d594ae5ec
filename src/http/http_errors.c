/* http_errors.c: what a failed transfer or an unexpected HTTP status means,
 * in words a user can act on.
 *
 * libcurl's own text (CURLOPT_ERRORBUFFER) is precise but speaks of sockets
 * and X509; each message here says what failed, where, and what to try, and
 * keeps libcurl's detail where it adds information. Proxy URLs are never
 * quoted (they may carry credentials). */
#include "src/http/http_internal.h"

#include <errno.h>
#include <openssl/x509_vfy.h>
#include <string.h>
#include <strings.h>

static const char *curl_detail(psr_http *h, CURLcode rc)
{
    return h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
}

static int connect_error(psr_http *h, CURLcode rc, psr_error *err)
{
    long os_errno = 0;
    curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno);
    if (h->via_proxy)
        return psr_error_set(err, PSR_E_NETWORK,
                             "cannot connect to the proxy: %s (check the proxy setting)",
                             curl_detail(h, rc));
    if (os_errno == ECONNREFUSED)
        return psr_error_set(err, PSR_E_NETWORK,
                             "connection to %s:%ld refused (is WinRM listening? run 'winrm "
                             "quickconfig' on the server, check the port: 5985 for HTTP, "
                             "5986 for HTTPS)", h->host, h->port);
    if (os_errno == EHOSTUNREACH || os_errno == ENETUNREACH)
        return psr_error_set(err, PSR_E_NETWORK,
                             "no route to %s:%ld (check the address, the network and any "
                             "firewall in between)", h->host, h->port);
    return psr_error_set(err, PSR_E_NETWORK,
                         "cannot connect to %s:%ld: %s (check the name, the port and any "
                         "firewall in between)", h->host, h->port, curl_detail(h, rc));
}

static int timeout_error(psr_http *h, psr_error *err)
{
    /* Pre-transfer time stays 0 until the connection (TLS included) is up. */
    curl_off_t pretransfer = 0;
    curl_easy_getinfo(h->curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    if (pretransfer == 0)
        return psr_error_set(err, PSR_E_TIMEOUT,
                             "connecting to %s:%ld timed out after %ld ms%s (is the host up "
                             "and the port open? a firewall that drops packets looks like "
                             "this)", h->host, h->port, h->connect_timeout_ms,
                             h->tls ? ", TLS handshake included" : "");
    return psr_error_set(err, PSR_E_TIMEOUT,
                         "no response from %s:%ld within %ld ms (the request timeout); the "
                         "server may be overloaded or the network stalled. If operations "
                         "legitimately take longer, raise OperationTimeout "
                         "(--session-option OperationTimeout=MS)",
                         h->host, h->port, h->request_timeout_ms);
}

/* Certificate verification failed: either the chain is not trusted (or not
 * valid now), or the chain is fine and the name does not match. The verify
 * result tells the two apart: libcurl checks the name itself after OpenSSL
 * verified the chain, and on a mismatch reports "not OK" without a reason
 * (libcurl 7.88 gives 1, X509_V_ERR_UNSPECIFIED); OpenSSL's own name-check
 * codes are accepted too in case a libcurl version delegates the check. */
static int name_mismatch(long verify)
{
    return verify == X509_V_OK || verify == X509_V_ERR_UNSPECIFIED ||
           verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH;
}

static int certificate_error(psr_http *h, CURLcode rc, psr_error *err)
{
    long verify = X509_V_OK;
    curl_easy_getinfo(h->curl, CURLINFO_SSL_VERIFYRESULT, &verify);
    const char *detail = curl_detail(h, rc);
    if (name_mismatch(verify))
        return psr_error_set(err, PSR_E_TLS,
                             "TLS certificate of %s does not match that name: %s; connect with "
                             "a name the certificate carries (its subject CN or "
                             "subjectAltName), or pass --session-option SkipCNCheck=true to "
                             "skip the name check (unsafe)", h->host, detail);
    if (verify == X509_V_ERR_CERT_HAS_EXPIRED || verify == X509_V_ERR_CERT_NOT_YET_VALID)
        return psr_error_set(err, PSR_E_TLS,
                             "TLS certificate of %s is not valid now: %s; renew the server's "
                             "certificate or check this machine's clock, or pass "
                             "--session-option SkipCACheck=true to skip the check (unsafe)",
                             h->host, detail);
    if (h->ca_file)
        return psr_error_set(err, PSR_E_TLS,
                             "TLS certificate of %s is not trusted by the CA file '%s': %s; "
                             "check that the file holds the CA that issued the server's "
                             "certificate (PEM), or pass --session-option SkipCACheck=true "
                             "to skip the check (unsafe)", h->host, h->ca_file, detail);
    return psr_error_set(err, PSR_E_TLS,
                         "TLS certificate of %s is not trusted: %s; pass --ca-file FILE with "
                         "the issuing CA, or --session-option SkipCACheck=true to skip the "
                         "check (unsafe)", h->host, detail);
}

static int tls_error(psr_http *h, CURLcode rc, psr_error *err)
{
    const char *detail = curl_detail(h, rc);
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION: /* also CURLE_SSL_CACERT */
        return certificate_error(h, rc, err);
    case CURLE_SSL_CONNECT_ERROR:
        return psr_error_set(err, PSR_E_TLS,
                             "TLS handshake with %s:%ld failed: %s (is this port HTTPS? "
                             "5986 is, 5985 is not. The server may also want a client "
                             "certificate, or a protocol older than TLS 1.2, which is not "
                             "offered)", h->host, h->port, detail);
    case CURLE_SSL_CERTPROBLEM:
        return psr_error_set(err, PSR_E_TLS,
                             "cannot use the client certificate '%s': %s (certificate and "
                             "key must be PEM files that belong together; encrypted keys "
                             "are not supported)", h->client_cert ? h->client_cert : "",
                             detail);
    case CURLE_SSL_CACERT_BADFILE:
        return psr_error_set(err, PSR_E_TLS,
                             "cannot read the CA file '%s': %s (it must be a readable PEM "
                             "file of CA certificates)", h->ca_file ? h->ca_file : "",
                             detail);
    default:
        return psr_error_set(err, PSR_E_TLS, "TLS error with %s:%ld: %s", h->host, h->port,
                             detail);
    }
}

int psr_http_curl_error(psr_http *h, CURLcode rc, psr_error *err)
{
    if (h->callback_oom || rc == CURLE_OUT_OF_MEMORY)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory reading the response");
    if (h->response_too_large)
        return psr_error_set(err, PSR_E_LIMIT,
                             "the response from %s:%ld is larger than %zu bytes; refusing to "
                             "read more (a misbehaving server or proxy?)",
                             h->host, h->port, h->max_response_bytes);
    const char *detail = curl_detail(h, rc);
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return psr_error_set(err, PSR_E_NETWORK,
                             "cannot resolve host '%s' (check the name or DNS)", h->host);
    case CURLE_COULDNT_RESOLVE_PROXY:
        return psr_error_set(err, PSR_E_NETWORK,
                             "cannot resolve the proxy's host name: %s (check the proxy "
                             "setting or the http_proxy/https_proxy environment variables)",
                             detail);
    case CURLE_COULDNT_CONNECT:
        return connect_error(h, rc, err);
    case CURLE_OPERATION_TIMEDOUT:
        return timeout_error(h, err);
    case CURLE_GOT_NOTHING:
        return psr_error_set(err, PSR_E_NETWORK,
                             "connection to %s:%ld closed by the server before a response "
                             "arrived (check that the URL scheme matches the port: http for "
                             "5985, https for 5986; the server's HTTP.sys log may say more)",
                             h->host, h->port);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return psr_error_set(err, PSR_E_NETWORK,
                             "connection to %s:%ld failed while %s: %s (the server, a proxy "
                             "or a firewall reset it; retry, and check what sits in between)",
                             h->host, h->port,
                             rc == CURLE_SEND_ERROR ? "sending" : "receiving", detail);
    case CURLE_PARTIAL_FILE:
        return psr_error_set(err, PSR_E_NETWORK,
                             "the response from %s:%ld was cut short: %s (the connection "
                             "closed early; retry)", h->host, h->port, detail);
    case CURLE_WEIRD_SERVER_REPLY:
        return psr_error_set(err, PSR_E_NETWORK,
                             "%s:%ld did not answer with HTTP: %s (is it an HTTPS port? use "
                             "https:// for 5986)", h->host, h->port, detail);
#if LIBCURL_VERSION_NUM >= 0x074900
    case CURLE_PROXY:
        return psr_error_set(err, PSR_E_NETWORK,
                             "the proxy failed to connect to %s:%ld: %s (check the proxy "
                             "setting, or bypass it with an empty proxy)",
                             h->host, h->port, detail);
#endif
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return psr_error_set(err, PSR_E_INVALID, "cannot use the URL or proxy given: %s",
                             detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return tls_error(h, rc, err);
    default:
        return psr_error_set(err, PSR_E_NETWORK, "request to %s:%ld failed: %s", h->host,
                             h->port, detail);
    }
}

/* ---- HTTP status ---------------------------------------------------------- */

typedef struct scheme_list {
    char text[512];
    size_t len;
} scheme_list;

/* Appends each scheme once (case-insensitively), comma-separated. */
static int add_scheme(const char *scheme, size_t scheme_len, const char *params,
                      size_t params_len, void *ud)
{
    scheme_list *l = ud;
    for (const char *p = l->text; *p;) {
        size_t n = strcspn(p, ",");
        if (n == scheme_len && strncasecmp(p, scheme, n) == 0)
            return 0;
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    if (l->len + scheme_len + 3 >= sizeof(l->text))
        return 0; /* a pathological list: keep what fits */
    if (l->len) {
        memcpy(l->text + l->len, ", ", 2);
        l->len += 2;
    }
    memcpy(l->text + l->len, scheme, scheme_len);
    l->len += scheme_len;
    l->text[l->len] = '\0';
    return 0;
}

static int unauthorized(const psr_http_response *r, const char *url, psr_error *err)
{
    scheme_list schemes = {{0}, 0};
    psr_http_challenges_each(r, add_scheme, &schemes);
    if (!schemes.len)
        return psr_error_set(err, PSR_E_AUTH,
                             "the server rejected the credentials (HTTP 401 from %s) and "
                             "offered no authentication method (no WWW-Authenticate header); "
                             "check the user name (DOMAIN\\user or user@domain) and password",
                             url);
    return psr_error_set(err, PSR_E_AUTH,
                         "the server rejected the credentials (HTTP 401 from %s); it offers: "
                         "%s. Check the user name (DOMAIN\\user or user@domain) and password, "
                         "and choose an offered method with --authentication (Basic works "
                         "only for local accounts and must be enabled on the server)",
                         url, schemes.text);
}

int psr_http_status_error(const psr_http_response *r, const char *url, psr_error *err)
{
    long s = r->status;
    if (s >= 200 && s < 300)
        return 0;
    switch (s) {
    case 401:
        return unauthorized(r, url, err);
    case 403:
        return psr_error_set(err, PSR_E_HTTP,
                             "access to %s is forbidden (HTTP 403): the account may not be "
                             "allowed to use WinRM (Administrators and Remote Management "
                             "Users are), or the listener wants HTTPS or a client certificate",
                             url);
    case 404:
        return psr_error_set(err, PSR_E_HTTP,
                             "no WinRM endpoint at %s (HTTP 404): check the URL path "
                             "(--application-name; WinRM listens on /wsman) and the port",
                             url);
    case 407:
        return psr_error_set(err, PSR_E_HTTP,
                             "the proxy wants authentication (HTTP 407): put its user and "
                             "password in the proxy URL (http://user:password@proxy:port), "
                             "or bypass the proxy");
    case 413:
        return psr_error_set(err, PSR_E_HTTP,
                             "the request was too large for %s (HTTP 413): lower "
                             "MaxEnvelopeSize (--session-option MaxEnvelopeSizeKB=N) or raise "
                             "the server's limit (winrm set winrm/config "
                             "@{MaxEnvelopeSizekb=\"N\"})", url);
    case 415:
        return psr_error_set(err, PSR_E_HTTP,
                             "%s does not accept the message format (HTTP 415, Content-Type); "
                             "the server may require encrypted messages: use HTTPS, or an "
                             "authentication method that encrypts (Negotiate, Kerberos, "
                             "CredSSP)", url);
    case 500:
        return psr_error_set(err, PSR_E_HTTP,
                             "%s failed with HTTP 500 and no WS-Management fault: an internal "
                             "error on the server; check its event log "
                             "(Microsoft-Windows-WinRM/Operational) and retry", url);
    case 502:
    case 504:
        return psr_error_set(err, PSR_E_HTTP,
                             "a proxy or gateway between here and %s failed (HTTP %ld); check "
                             "the proxy setting, or bypass the proxy", url, s);
    case 503:
        return psr_error_set(err, PSR_E_HTTP,
                             "%s is unavailable (HTTP 503): WinRM may be starting, stopping "
                             "or over a quota (MaxConcurrentOperationsPerUser, "
                             "MaxShellsPerUser); retry later", url);
    default:
        break;
    }
    if (s >= 300 && s < 400)
        return psr_error_set(err, PSR_E_HTTP,
                             "%s redirects to %s (HTTP %ld); redirects are not followed: "
                             "connect to that URL instead", url,
                             r->location ? r->location : "(no Location given)", s);
    if (s >= 500 && s < 600)
        return psr_error_set(err, PSR_E_HTTP,
                             "%s failed with HTTP %ld and no WS-Management fault; check the "
                             "server's event log (Microsoft-Windows-WinRM/Operational) and "
                             "retry", url, s);
    if (s >= 400 && s < 500)
        return psr_error_set(err, PSR_E_HTTP,
                             "%s rejected the request (HTTP %ld); check the URL (WinRM "
                             "listens on /wsman) and that the server is a WinRM endpoint",
                             url, s);
    return psr_error_set(err, PSR_E_HTTP, "unexpected HTTP status %ld from %s", s, url);
}
