/* xml.h: the XML mechanics shared by the wsman builders and parsers.
 *
 * Reading: a hardened libxml2 parse (no network, no DTD, no entities, size
 * and depth limits) and lookups that match elements by namespace URI and
 * local name, whatever prefix the peer chose. Writing: escaping that keeps
 * every value intact through a parser, and the envelope boilerplate.
 *
 * Internal to wsman/; not installed. */
#ifndef PSR_WSMAN_XML_H
#define PSR_WSMAN_XML_H

#include "common/buf.h"
#include "psremote/error.h"

#include <libxml/tree.h>
#include <stddef.h>

typedef struct wsman_stream_text wsman_stream_text;

/* A parsed SOAP envelope. The node pointers point into doc. */
typedef struct wsman_envelope {
    xmlDocPtr doc;
    xmlNodePtr envelope, header, body;
    wsman_stream_text *streams; /* decoded rsp:Stream texts (xml.c) */
} wsman_envelope;

/* Parses xml and finds s:Envelope, s:Header and s:Body (SOAP 1.2). what
 * ("request", "response") starts error messages. Returns 0, PSR_E_PARSE
 * (malformed, DTD present, not an envelope, Header or Body missing),
 * PSR_E_LIMIT (too large or too deep) or PSR_E_NOMEM. */
int wsman_envelope_parse(const char *xml, size_t len, const char *what, wsman_envelope *env,
                         psr_error *err);
void wsman_envelope_free(wsman_envelope *env);

/* The base64-decoded content of an rsp:Stream element of a parsed
 * envelope (its text is decoded during the parse and is not in the tree),
 * moved into out (replaced); a second call gives PSR_E_STATE. Returns 0,
 * PSR_E_PARSE when the text is not base64, PSR_E_NOMEM, or PSR_E_STATE
 * for a node that is not such an element. */
int wsman_xml_stream_data(const xmlNode *stream, psr_buf *out);

/* 1 if node is an element named (ns, name); names compare case-sensitively. */
int wsman_xml_is(const xmlNode *node, const char *ns, const char *name);
/* First element child of parent named (ns, name); NULL for any name when name
 * is NULL. Returns NULL if none (or parent is NULL). */
xmlNodePtr wsman_xml_child(const xmlNode *parent, const char *ns, const char *name);
/* Next element sibling after node with the same rule. */
xmlNodePtr wsman_xml_next(const xmlNode *node, const char *ns, const char *name);

/* Text content of node with leading and trailing white space removed, as a
 * new heap string in *out (NULL node gives NULL). Returns 0 or PSR_E_NOMEM. */
int wsman_xml_text(const xmlNode *node, char **out);
/* The same rule for len bytes of text (or an attribute value) already at
 * hand: a copy without leading and trailing white space. */
int wsman_xml_trimmed(const char *s, size_t len, char **out);
/* Same with runs of white space inside folded to one space (fault texts). */
int wsman_xml_text_folded(const xmlNode *node, char **out);
/* Unqualified attribute name of node, trimmed, as a new heap string, or NULL
 * when absent. Returns 0 or PSR_E_NOMEM. */
int wsman_xml_attr(const xmlNode *node, const char *name, char **out);
/* Reads a decimal unsigned 32-bit number; 0 on success, -1 if not one. */
int wsman_parse_u32(const char *text, uint32_t *out);
/* 1 for "true" (any case) or "1" (xs:boolean), else 0. */
int wsman_xml_bool(const char *text);

/* ---- Writing ---- */
/* Appends s as element text / attribute value. Characters XML 1.0 cannot
 * carry (control characters other than tab, LF, CR) give PSR_E_INVALID;
 * CR (and in attributes tab and LF) become character references so a parser
 * gives back exactly s. Returns 0, PSR_E_INVALID or PSR_E_NOMEM. */
int wsman_put_text(psr_buf *b, const char *s);
int wsman_put_attr(psr_buf *b, const char *name, const char *value);
/* Appends <tag attrs>escaped text</tag>; tag is the qualified name. */
int wsman_put_element(psr_buf *b, const char *tag, const char *text);

#endif
