/* xml.c: hardened libxml2 parsing of SOAP envelopes and namespace-aware lookups.
 *
 * Hostile peers may send DTDs (billion laughs, external entities), deeply
 * nested or huge documents. The parser therefore runs with XML_PARSE_NONET and
 * never with NOENT or DTDLOAD, and two SAX hooks stop it early: one at any
 * <!DOCTYPE (a SOAP envelope never carries a DTD, so there is nothing to
 * expand or fetch), one when elements nest deeper than WSMAN_MAX_DEPTH.
 *
 * A third hook keeps the text of rsp:Stream elements out of the tree: it is
 * base64-decoded as the parser hands it over, so the bulk of a Receive is
 * never copied into a text node and out again (see wsman_xml_stream_data). */
#include "wsman/xml.h"

#include "common/base64.h"
#include "wsman/wsman.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The decoded text of one rsp:Stream element; the element's _private
 * points here, and the envelope owns the list. */
struct wsman_stream_text {
    psr_base64_decoder decoder;
    psr_buf data;
    int status;                    /* 0, PSR_E_PARSE or PSR_E_NOMEM */
    struct wsman_stream_text *next;
};

static void stream_texts_free(wsman_stream_text *t)
{
    while (t) {
        wsman_stream_text *next = t->next;
        psr_buf_free(&t->data);
        free(t);
        t = next;
    }
}

/* State of one parse, reached from the SAX hooks through ctxt->_private. */
typedef struct parse_guard {
    int depth;
    int too_deep;
    int has_dtd;
    int nomem;
    wsman_stream_text *streams, **tail; /* in document order */
    wsman_stream_text *current;         /* the rsp:Stream being read */
    int current_depth;
} parse_guard;

static void guard_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                                  const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlParserCtxtPtr ctxt = ctx;
    ((parse_guard *)ctxt->_private)->has_dtd = 1;
    xmlStopParser(ctxt);
}

static void guard_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                        const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                        int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_guard *g = ctxt->_private;
    if (++g->depth > WSMAN_MAX_DEPTH) {
        g->too_deep = 1;
        xmlStopParser(ctxt);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
    if (g->current || !ctxt->node || !uri || strcmp((const char *)localname, "Stream") != 0 ||
        strcmp((const char *)uri, WSMAN_NS_SHELL) != 0)
        return;
    wsman_stream_text *t = calloc(1, sizeof(*t));
    if (!t) {
        g->nomem = 1;
        xmlStopParser(ctxt);
        return;
    }
    psr_base64_decoder_init(&t->decoder);
    *g->tail = t;
    g->tail = &t->next;
    ctxt->node->_private = t;
    g->current = t;
    g->current_depth = g->depth;
}

static void guard_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                      const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_guard *g = ctxt->_private;
    if (g->current && g->depth == g->current_depth) {
        wsman_stream_text *t = g->current;
        if (t->status == 0)
            t->status = psr_base64_decoder_finish(&t->decoder, &t->data);
        g->current = NULL;
    }
    g->depth--;
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

/* Text inside an rsp:Stream (at any depth, as its content would be) goes to
 * its decoder; all other text into the tree. */
static void guard_characters(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    wsman_stream_text *t = ((parse_guard *)ctxt->_private)->current;
    if (!t) {
        xmlSAX2Characters(ctx, ch, len);
        return;
    }
    if (t->status == 0 && len > 0)
        t->status = psr_base64_decoder_feed(&t->decoder, &t->data, (const char *)ch, (size_t)len);
}

static void guard_cdata(void *ctx, const xmlChar *value, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (((parse_guard *)ctxt->_private)->current)
        guard_characters(ctx, value, len);
    else
        xmlSAX2CDataBlock(ctx, value, len);
}

static int parse_document(const char *xml, size_t len, const char *what, xmlDocPtr *out,
                          wsman_stream_text **streams, psr_error *err)
{
    *out = NULL;
    *streams = NULL;
    if (len > WSMAN_MAX_DOCUMENT_SIZE)
        return psr_error_set(err, PSR_E_LIMIT,
                             "WS-Management %s of %zu bytes is larger than the %u byte limit",
                             what, len, (unsigned)WSMAN_MAX_DOCUMENT_SIZE);
    if (len == 0 || xml == NULL)
        return psr_error_set(err, PSR_E_PARSE, "WS-Management %s is empty", what);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory parsing WS-Management %s", what);
    parse_guard guard = {0};
    guard.tail = &guard.streams;
    ctxt->_private = &guard;
    ctxt->sax->internalSubset = guard_internal_subset;
    ctxt->sax->startElementNs = guard_start;
    ctxt->sax->endElementNs = guard_end;
    ctxt->sax->characters = guard_characters;
    ctxt->sax->ignorableWhitespace = guard_characters;
    ctxt->sax->cdataBlock = guard_cdata;
    /* No NOENT, no DTDLOAD/DTDATTR, no HUGE; errors go to the psr_error, not
     * stderr. COMPACT keeps short texts inside their nodes (the tree is only
     * read afterwards, never changed). */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, options);
    int rc = 0;
    if (guard.nomem) {
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory parsing WS-Management %s", what);
    } else if (guard.has_dtd) {
        rc = psr_error_set(err, PSR_E_PARSE,
                           "WS-Management %s carries a DTD (<!DOCTYPE>); refused, since SOAP "
                           "forbids DTDs and they can hide entity bombs",
                           what);
    } else if (guard.too_deep) {
        rc = psr_error_set(err, PSR_E_LIMIT,
                           "WS-Management %s nests elements deeper than %d levels; refused",
                           what, WSMAN_MAX_DEPTH);
    } else if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        if (e && e->code == XML_ERR_NO_MEMORY) {
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory parsing WS-Management %s", what);
        } else {
            char msg[256] = "not well-formed";
            if (e && e->message) {
                snprintf(msg, sizeof(msg), "%s", e->message);
                size_t n = strlen(msg);
                while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
                    msg[--n] = '\0';
            }
            rc = psr_error_set(err, PSR_E_PARSE,
                               "WS-Management %s is not valid XML (line %d): %s", what,
                               e ? e->line : 0, msg);
        }
    } else if (doc->intSubset || doc->extSubset) {
        rc = psr_error_set(err, PSR_E_PARSE, "WS-Management %s carries a DTD; refused", what);
    }
    xmlFreeParserCtxt(ctxt);
    if (rc) {
        xmlFreeDoc(doc);
        stream_texts_free(guard.streams);
        return rc;
    }
    *out = doc;
    *streams = guard.streams;
    return 0;
}

int wsman_envelope_parse(const char *xml, size_t len, const char *what, wsman_envelope *env,
                         psr_error *err)
{
    memset(env, 0, sizeof(*env));
    int rc = parse_document(xml, len, what, &env->doc, &env->streams, err);
    if (rc)
        return rc;
    xmlNodePtr root = xmlDocGetRootElement(env->doc);
    if (!wsman_xml_is(root, WSMAN_NS_SOAP, "Envelope")) {
        const char *ns = root && root->ns && root->ns->href ? (const char *)root->ns->href : "";
        rc = psr_error_set(err, PSR_E_PARSE,
                           "WS-Management %s is not a SOAP 1.2 envelope: root element is "
                           "'%s' in namespace '%s', expected 'Envelope' in '%s'",
                           what, root ? (const char *)root->name : "(none)", ns, WSMAN_NS_SOAP);
        wsman_envelope_free(env);
        return rc;
    }
    env->envelope = root;
    env->header = wsman_xml_child(root, WSMAN_NS_SOAP, "Header");
    env->body = wsman_xml_child(root, WSMAN_NS_SOAP, "Body");
    if (!env->header || !env->body) {
        rc = psr_error_set(err, PSR_E_PARSE,
                           "WS-Management %s has no SOAP %s element (s:Envelope must contain "
                           "s:Header and s:Body)",
                           what, env->header ? "Body" : "Header");
        wsman_envelope_free(env);
        return rc;
    }
    return 0;
}

void wsman_envelope_free(wsman_envelope *env)
{
    if (!env)
        return;
    xmlFreeDoc(env->doc);
    stream_texts_free(env->streams);
    memset(env, 0, sizeof(*env));
}

int wsman_xml_stream_data(const xmlNode *stream, psr_buf *out)
{
    wsman_stream_text *t = stream ? stream->_private : NULL;
    if (!t)
        return PSR_E_STATE;
    if (t->status)
        return t->status;
    psr_buf_free(out);
    *out = t->data; /* moved, not copied */
    memset(&t->data, 0, sizeof(t->data));
    t->status = PSR_E_STATE;
    return 0;
}

int wsman_xml_is(const xmlNode *node, const char *ns, const char *name)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return 0;
    if (name && strcmp((const char *)node->name, name) != 0)
        return 0;
    const char *href = node->ns && node->ns->href ? (const char *)node->ns->href : NULL;
    if (!ns)
        return href == NULL;
    return href && strcmp(href, ns) == 0;
}

static xmlNodePtr match_from(xmlNodePtr n, const char *ns, const char *name)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (!name || wsman_xml_is(n, ns, name))
            return n;
    }
    return NULL;
}

xmlNodePtr wsman_xml_child(const xmlNode *parent, const char *ns, const char *name)
{
    return parent ? match_from(parent->children, ns, name) : NULL;
}

xmlNodePtr wsman_xml_next(const xmlNode *node, const char *ns, const char *name)
{
    return node ? match_from(node->next, ns, name) : NULL;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copies s trimmed (and folded) into a new string; frees nothing. */
static int dup_trimmed(const char *s, size_t len, int fold, char **out)
{
    while (len > 0 && is_space(s[len - 1]))
        len--;
    while (len > 0 && is_space(*s)) {
        s++;
        len--;
    }
    char *d = malloc(len + 1);
    if (!d)
        return PSR_E_NOMEM;
    if (!fold) {
        memcpy(d, s, len);
        d[len] = '\0';
        *out = d;
        return 0;
    }
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (is_space(s[i])) {
            if (j > 0 && d[j - 1] == ' ')
                continue;
            d[j++] = ' ';
        } else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    *out = d;
    return 0;
}

static int node_text(const xmlNode *node, int fold, char **out)
{
    *out = NULL;
    if (!node)
        return 0;
    xmlChar *content = xmlNodeGetContent(node);
    if (!content)
        return PSR_E_NOMEM;
    int rc = dup_trimmed((const char *)content, strlen((const char *)content), fold, out);
    xmlFree(content);
    return rc;
}

int wsman_xml_trimmed(const char *s, size_t len, char **out)
{
    return dup_trimmed(s, len, 0, out);
}

int wsman_xml_text(const xmlNode *node, char **out)
{
    return node_text(node, 0, out);
}

int wsman_xml_text_folded(const xmlNode *node, char **out)
{
    return node_text(node, 1, out);
}

int wsman_xml_attr(const xmlNode *node, const char *name, char **out)
{
    *out = NULL;
    if (!node || node->type != XML_ELEMENT_NODE)
        return 0;
    /* xmlGetNoNsProp: the attribute as written without a prefix, as WS-Man uses them. */
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    if (!v)
        return xmlHasNsProp(node, (const xmlChar *)name, NULL) ? PSR_E_NOMEM : 0;
    int rc = dup_trimmed((const char *)v, strlen((const char *)v), 0, out);
    xmlFree(v);
    return rc;
}

int wsman_parse_u32(const char *text, uint32_t *out)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    uint64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int wsman_xml_bool(const char *text)
{
    /* Lenient about case: some peers write "TRUE". */
    return text && (strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0);
}
