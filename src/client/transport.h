/* transport.h: one WS-Man conversation with an endpoint.
 *
 * A psr_transport joins the pure wsman/ layer to src/http and src/auth: it
 * owns an HTTP connection and the authorization for it, fills the header
 * fields every request carries (To, a fresh MessageID, locale, envelope size,
 * operation timeout), posts envelopes, and turns whatever comes back (HTTP
 * errors, SOAP faults, malformed replies) into a parsed wsman_response or a
 * psr_error a user can act on, prefixed with the host name. */
#ifndef PSR_CLIENT_TRANSPORT_H
#define PSR_CLIENT_TRANSPORT_H

#include "common/uuid.h"
#include "psremote/connection.h"
#include "src/http/http.h"
#include "wsman/wsman.h"

typedef struct psr_transport psr_transport;

/* Message IDs are "uuid:" + 36 characters. */
#define PSR_MESSAGE_ID_LEN (5 + PSR_UUID_STRLEN)

/* Computes the URL, checks the authentication choice against it and opens
 * (lazily) an HTTP connection. conn is copied where needed. */
int psr_transport_new(psr_transport **out, const psr_connection_options *conn,
                      psr_error *err);
/* The same for a PowerShell session: the URL carries the client's
 * PSVersion in its query, as PowerShell sends it (endpoint.h). */
int psr_transport_new_powershell(psr_transport **out, const psr_connection_options *conn,
                                 psr_error *err);
/* A second transport to the endpoint model talks to now (after redirects),
 * with the same options: a control channel. */
int psr_transport_new_like(psr_transport **out, const psr_transport *model, psr_error *err);
void psr_transport_free(psr_transport *t);

const char *psr_transport_url(const psr_transport *t);
/* Host name for messages ("server1"). */
const char *psr_transport_host(const psr_transport *t);

/* Fills h with the common fields; msgid is the storage for the MessageID. */
void psr_transport_header(psr_transport *t, wsman_request_header *h,
                          const char *resource_uri, const char *shell_id,
                          char msgid[PSR_MESSAGE_ID_LEN]);

/* The MaxEnvelopeSize announced from now on (after protocol negotiation). */
void psr_transport_set_max_envelope_size(psr_transport *t, uint32_t bytes);
uint32_t psr_transport_max_envelope_size(const psr_transport *t);

/* Posts one envelope and parses the answer. A SOAP fault (HTTP 500 or 400
 * with a fault body) returns PSR_E_FAULT with the fault in err and resp.
 * An HTTP redirect is followed when the options allow it (the envelope is
 * sent again, pointed at the new URL, which the transport keeps using);
 * otherwise the error names the target and --allow-redirection. */
int psr_transport_call(psr_transport *t, const psr_buf *envelope, wsman_response *resp,
                       psr_error *err);

/* Shared with the event loop that drives many hosts (fanout.c): ---- */

/* The HTTP options a connection to url uses: TLS policy, proxy, client
 * certificate, timeouts. Strings point into conn. */
void psr_transport_http_options(const psr_connection_options *conn, const char *url,
                                psr_http_options *out);

/* Turns the (unsealed) reply to an envelope into resp, or into an error as
 * psr_transport_call reports it (fault, HTTP status, unreadable reply);
 * host and url name the endpoint. reader (NULL allowed) is the caller's
 * wsman_reader, which makes reading many replies cheaper. */
int psr_transport_read_reply(wsman_reader *reader, const char *host, const char *url,
                             const psr_http_response *hr, const void *body, size_t len,
                             wsman_response *resp, psr_error *err);

#endif
