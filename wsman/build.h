/* build.h: envelope pieces shared by the wsman request and response builders.
 *
 * Internal to wsman/; not installed. */
#ifndef PSR_WSMAN_BUILD_H
#define PSR_WSMAN_BUILD_H

#include "common/buf.h"
#include "wsman/wsman.h"

/* Appends "<s:Envelope ...><s:Header>...</s:Header><s:Body>" for a request
 * with the given action, declaring the prefixes s, a, w, p and rsp. Returns 0,
 * PSR_E_INVALID (required header field missing or not representable) or
 * PSR_E_NOMEM. */
int wsman_put_request_head(psr_buf *out, const wsman_request_header *h, const char *action);
/* Appends the same opening for a response shaped like WinRM's: xml:lang,
 * prefixes s, a, x, w, rsp, p, and Action, MessageID, To (anonymous),
 * RelatesTo in that order; relates_to may be NULL. */
int wsman_put_response_head(psr_buf *out, const wsman_response_header *h);
/* Appends "</s:Body></s:Envelope>". */
int wsman_put_tail(psr_buf *out);

/* Builders append or leave out unchanged: call with the length before. */
int wsman_build_fail(psr_buf *out, size_t mark, int rc);

#endif
