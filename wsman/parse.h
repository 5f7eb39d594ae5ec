/* parse.h: pieces shared by the request and response parsers.
 *
 * Internal to wsman/; not installed. */
#ifndef PSR_WSMAN_PARSE_H
#define PSR_WSMAN_PARSE_H

#include "wsman/wsman.h"

#include <libxml/tree.h>

/* Fills f (zeroed first) from an s:Fault element. Missing parts stay NULL / 0.
 * Returns 0 or PSR_E_NOMEM (f is then cleared). */
int wsman_fault_parse(const xmlNode *fault, wsman_fault *f);

/* Appends every rsp:Stream child of parent to *chunks / *n (Send and
 * ReceiveResponse bodies), base64-decoding the data. Returns 0, PSR_E_PARSE
 * (a Stream without Name, or data that is not base64) or PSR_E_NOMEM. */
int wsman_streams_parse(const xmlNode *parent, wsman_stream_chunk **chunks, size_t *n,
                        psr_error *err);
void wsman_streams_free(wsman_stream_chunk *chunks, size_t n);

/* Text of the first child (ns, name) of parent into *out (NULL if absent). */
int wsman_child_text(const xmlNode *parent, const char *ns, const char *name, char **out);

#endif
