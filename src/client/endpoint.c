/* endpoint.c: building the endpoint URL (see endpoint.h). URIs given by the
 * user are checked with libcurl's URL parser rather than by hand. */
#include "src/client/endpoint.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int check_connection_uri(const char *uri, psr_buf *out, psr_error *err)
{
    CURLU *u = curl_url();
    if (!u)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    int rc = 0;
    char *scheme = NULL, *port = NULL;
    if (curl_url_set(u, CURLUPART_URL, uri, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "connection URI '%s' is not a valid URL "
                           "(expected e.g. https://server.example.com:5986/wsman)", uri);
        goto done;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "connection URI '%s' must start with http:// or https://", uri);
        goto done;
    }
    /* A URI without a port uses the scheme's default, as PowerShell does. */
    if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        rc = psr_error_set(err, PSR_E_INVALID, "connection URI '%s' has no usable port", uri);
        goto done;
    }
    rc = psr_buf_puts(out, uri) ? psr_error_set(err, PSR_E_NOMEM, "out of memory") : 0;
done:
    curl_free(scheme);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

int psr_endpoint_url(const psr_connection_options *conn, psr_buf *out, psr_error *err)
{
    if (conn->connection_uri && conn->computer_name)
        return psr_error_set(err, PSR_E_INVALID,
                             "give either a computer name or a connection URI, not both");
    if (conn->connection_uri)
        return check_connection_uri(conn->connection_uri, out, err);

    const char *host = conn->computer_name ? conn->computer_name : "localhost";
    if (!*host || strpbrk(host, "/?#@ \t"))
        return psr_error_set(err, PSR_E_INVALID,
                             "'%s' is not a computer name (use --connection-uri for a URL)", host);
    int port = conn->port ? conn->port : (conn->use_ssl ? 5986 : 5985);
    if (port < 1 || port > 65535)
        return psr_error_set(err, PSR_E_INVALID, "port %d is out of range (1-65535)", port);
    const char *app = conn->application_name ? conn->application_name : "wsman";
    while (*app == '/')
        app++;
    /* An IPv6 literal needs brackets in a URL. */
    int v6 = strchr(host, ':') != NULL && host[0] != '[';
    if (psr_buf_printf(out, "%s://%s%s%s:%d/%s", conn->use_ssl ? "https" : "http",
                       v6 ? "[" : "", host, v6 ? "]" : "", port, app))
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

void psr_endpoint_host_name(const char *url_host, char *out, size_t cap)
{
    if (cap == 0)
        return;
    size_t len = strlen(url_host);
    if (len >= 2 && url_host[0] == '[' && url_host[len - 1] == ']') {
        url_host++;
        len -= 2;
    }
    snprintf(out, cap, "%.*s", (int)len, url_host);
}

void psr_endpoint_host(const char *url, char *out, size_t cap)
{
    if (cap == 0)
        return;
    CURLU *u = curl_url();
    char *host = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        psr_endpoint_host_name(host, out, cap);
    else
        snprintf(out, cap, "%s", url);
    curl_free(host);
    curl_url_cleanup(u);
}

int psr_endpoint_add_ps_version(psr_buf *url, psr_error *err)
{
    const char *query = strchr(url->data, '?');
    int rc;
    if (query) {
        rc = psr_buf_puts(url, ";PSVersion=" PSR_ENDPOINT_PS_VERSION);
    } else {
        while (url->len > 0 && url->data[url->len - 1] == '/')
            url->data[--url->len] = '\0';
        rc = psr_buf_puts(url, "?PSVersion=" PSR_ENDPOINT_PS_VERSION);
    }
    return rc ? psr_error_set(err, PSR_E_NOMEM, "out of memory") : 0;
}

int psr_endpoint_redirect_target(const char *base, const char *location, psr_buf *out,
                                 psr_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *full = NULL;
    int rc = 0;
    if (!u)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    /* Setting a relative URL on a handle holding base resolves it. */
    if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "%s redirects to '%s', which is not a valid URL", base, location);
        goto done;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "%s redirects to %s, which is not http:// or https://", base, full);
        goto done;
    }
    if (strncasecmp(base, "https:", 6) == 0 && strcasecmp(scheme, "http") == 0) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "%s redirects to %s, from HTTPS to plain HTTP; not followed "
                           "(credentials and data would leave TLS)", base, full);
        goto done;
    }
    psr_buf_reset(out);
    if (psr_buf_puts(out, full))
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
done:
    curl_free(scheme);
    curl_free(full);
    curl_url_cleanup(u);
    return rc;
}
