/* endpoint.h: the endpoint URL of a connection, from psr_connection_options.
 *
 * PowerShell's rules: with -ComputerName the URL is
 * http[s]://NAME:PORT/APPLICATION (5985 or 5986, application "wsman"); with
 * -ConnectionUri the URI is used as given, and a URI without a port gets the
 * scheme's default (80 or 443), not WinRM's. */
#ifndef PSR_CLIENT_ENDPOINT_H
#define PSR_CLIENT_ENDPOINT_H

#include "common/buf.h"
#include "psremote/connection.h"

/* Appends the URL to out. Returns 0 or PSR_E_INVALID (bad URI, bad port,
 * both a computer name and a connection URI) with err filled. */
int psr_endpoint_url(const psr_connection_options *conn, psr_buf *out, psr_error *err);

/* The host part of a URL (without brackets or port) for messages; writes at
 * most cap bytes. */
void psr_endpoint_host(const char *url, char *out, size_t cap);
/* The same for a host already taken out of a URL (psr_http_host): an IPv6
 * literal loses its brackets. */
void psr_endpoint_host_name(const char *url_host, char *out, size_t cap);

/* PowerShell's rule for the URL of a PowerShell session (WSManTransport-
 * Manager.Initialize): the client's version goes into the query, so that
 * endpoints such as Exchange's can tell client versions apart and redirect
 * old ones. Without a query: trailing '/' trimmed, "?PSVersion=V" added;
 * with one: ";PSVersion=V" appended. */
#define PSR_ENDPOINT_PS_VERSION "5.1"
int psr_endpoint_add_ps_version(psr_buf *url, psr_error *err);

/* Resolves a redirect's Location (absolute, or relative to base) into out
 * (replaced). Refuses what is not http(s), and https to http (the request
 * would leave TLS): PSR_E_INVALID naming both URLs. */
int psr_endpoint_redirect_target(const char *base, const char *location, psr_buf *out,
                                 psr_error *err);

#endif
