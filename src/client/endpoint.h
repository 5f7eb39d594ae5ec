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

/* The port of a URL, the scheme's default when it names none (for the SPN
 * with IncludePortInSPN); 0 when the URL cannot be read. */
unsigned psr_endpoint_port(const char *url);

#endif
