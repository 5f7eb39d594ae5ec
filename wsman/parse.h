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

/* ---- The two ways of reading a response (wsman_reader_parse uses both) ---- */

/* The reply a client request gets (Create ... Signal) that action names,
 * or WSMAN_RESP_UNKNOWN. */
wsman_response_kind wsman_response_kind_of_action(const char *action);
/* rsp:ExitCode text (trimmed) as a 32-bit code: a decimal from INT32_MIN to
 * UINT32_MAX, unsigned values wrapping to negative. 0, or -1 if it is not. */
int wsman_exit_code_parse(const char *text, int *code);

/* The DOM path (response_parse.c): a libxml2 tree, walked. Reads every
 * reply and reports every error; the contract of wsman_parse_response. */
int wsman_parse_response_dom(const char *xml, size_t len, wsman_response *out, psr_error *err);

/* The SAX path (response_sax.c): returns 1 when it filled out exactly as
 * wsman_parse_response_dom would, 0 when it declined the reply (out is
 * then zeroed) because it is not one of the six common replies in a shape
 * it follows, or is malformed in any way. reader may be NULL. */
int wsman_response_sax(wsman_reader *reader, const char *xml, size_t len, wsman_response *out);
/* Bytes of names in the dictionary of the parser reader keeps (0: none kept);
 * stays at most 64 KiB whatever the replies were. */
size_t wsman_reader_kept_names(const wsman_reader *reader);

#endif
