/* trace.h: what --trace writes of an envelope: the envelope itself, with
 * the contents of every SecureString in its PSRP payloads redacted
 * (psrp/redact.h), so a trace can be read with `psremote decode` and shared
 * without the secrets typed into, or sent by, the remote session. HTTP
 * headers (Authorization) never reach the trace at all. */
#ifndef PSR_CLIENT_TRACE_H
#define PSR_CLIENT_TRACE_H

#include "common/buf.h"
#include "psrp/redact.h"

#include <stddef.h>

/* Looks for the PSRP payloads of an envelope (rsp:Stream, rsp:Arguments,
 * creationXml, connectXml, connectResponseXml: base64 of fragments) and
 * redacts them with r, which follows messages across envelopes (one
 * redactor per connection). response: the envelope came from the server.
 * Returns 1 with the redacted envelope appended to out, 0 when nothing
 * needed redacting (out untouched), or PSR_E_NOMEM. */
int psr_trace_redact(psrp_redactor *r, int response, const char *xml, size_t len, psr_buf *out);

#endif
