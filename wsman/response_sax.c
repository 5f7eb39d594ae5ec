/* response_sax.c: the replies every request gets, read without a tree.
 *
 * Why: reading replies was a quarter of the client's instructions in a
 * fan-out over many hosts. The DOM path (response_parse.c) has libxml2
 * build a tree of each reply, in a parser context made for it, and then
 * walks the tree for a handful of strings. The six replies a client sees
 * on every request (CreateResponse, CommandResponse, ReceiveResponse,
 * SendResponse, SignalResponse, DeleteResponse) have a fixed shape, so this
 * file fills the wsman_response straight from the parser's events.
 *
 * The contract (parse.h): fill the response exactly as the DOM path would,
 * or decline, and the DOM path reads the same bytes again. Declined are
 * faults, Identify, unknown actions, every error (so each message comes
 * from one place), and shapes not followed here: text with elements
 * inside, a Body before the Header, an encoding other than UTF-8, replies
 * over 1 MiB. The second read costs one more parse of a rare reply. The
 * differential unit test and fuzz target hold both paths to the contract.
 *
 * The DOM path's rules: elements match by namespace URI and local name,
 * the first child of that name counts; text is the element's whole text,
 * trimmed; attributes are those written without a prefix (xmlGetNoNsProp).
 * rsp:Stream text goes to a base64 decoder piece by piece, never copied.
 * Its protections: no network, entities not substituted, a DTD stops the
 * parse at <!DOCTYPE, WSMAN_MAX_DEPTH, errors not printed. Declining only
 * ever hands the bytes to the DOM path, which checks them all again.
 *
 * How, and why that way:
 * - libxml2's push parser: given the whole reply, it skips the pull
 *   parser's checks for more input at every step near the end of a buffer.
 * - SAX1 events (element names as written), with namespaces resolved here:
 *   libxml2 2.9 parses every xmlns value as a URI when it resolves them,
 *   which made its SAX2 events cost half as much again as the whole rest of
 *   the parse for WinRM's envelopes (six declarations each). What libxml2
 *   would resolve differently from the plain namespace rule is declined: an
 *   undeclared prefix, a name that is not a QName, a declaration of the
 *   xml or xmlns prefix or of their URIs, an empty prefixed declaration.
 * - Attribute values holding '&' are declined: libxml2 hands them over
 *   still escaped, for the tree builder to decode.
 * - 1 MiB keeps both paths far from libxml2's 10 MB limits (text node,
 *   names, look-ahead), where each might stop at a different point.
 * - Context reuse: a wsman_reader (wsman.h) keeps one parser context, and
 *   xmlCtxtResetPush keeps its dictionary, so a reply's names are found
 *   rather than added and no context is built per reply. The caller owns
 *   it (no global or thread-local state): each thread or session has its
 *   own. A context is kept only after a parse that ran cleanly to the end,
 *   and only while its dictionary holds under 64 KiB of names, since a
 *   hostile server can send new names forever; its copy of the reply is
 *   released after each parse. */
#include "wsman/parse.h"

#include "common/base64.h"
#include "wsman/xml.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#define SAX_MAX_DOCUMENT (1u << 20)
#define READER_MAX_NAMES (64u * 1024u) /* dictionary bytes a kept context may hold */
#define MAX_BINDINGS 64                /* xmlns declarations in scope at once */
#define MAX_PREFIX 15

/* The namespaces the replies use; any other URI is NS_OTHER. */
typedef enum ns_id { NS_NONE, NS_OTHER, NS_SOAP, NS_ADDRESSING, NS_WSMAN, NS_TRANSFER, NS_SHELL } ns_id;

static const struct {
    const char *uri;
    size_t len;
} ns_uris[] = {
#define NS_URI(id, uri) [id] = {uri, sizeof(uri) - 1}
    NS_URI(NS_SOAP, WSMAN_NS_SOAP),       NS_URI(NS_ADDRESSING, WSMAN_NS_ADDRESSING),
    NS_URI(NS_WSMAN, WSMAN_NS_WSMAN),     NS_URI(NS_TRANSFER, WSMAN_NS_TRANSFER),
    NS_URI(NS_SHELL, WSMAN_NS_SHELL),
#undef NS_URI
};
/* The two namespaces XML reserves (libxml2's XML_XML_NAMESPACE is a pointer). */
#define XML_NAMESPACE "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NAMESPACE "http://www.w3.org/2000/xmlns/"

/* What an open element is to the reply. */
typedef enum role {
    R_SKIP, /* nothing in it is read */
    R_ENVELOPE,
    R_HEADER,
    R_BODY,
    R_TEXT, /* its trimmed text goes to walk.text_to */
    R_CREATED,
    R_REFS,
    R_SELECTORS,
    R_SHELL,
    R_COMMAND_RESPONSE,
    R_RECEIVE_RESPONSE,
    R_STREAM,
    R_COMMAND_STATE
} role;

/* The elements of which only the first counts, once found. */
enum {
    SEEN_HEADER = 1 << 0,
    SEEN_BODY = 1 << 1,
    SEEN_ACTION = 1 << 2,
    SEEN_RELATES_TO = 1 << 3,
    SEEN_CREATED = 1 << 4,
    SEEN_REFS = 1 << 5,
    SEEN_SELECTORS = 1 << 6,
    SEEN_SELECTOR_SHELL_ID = 1 << 7,
    SEEN_REFS_URI = 1 << 8,
    SEEN_SHELL = 1 << 9,
    SEEN_SHELL_ID = 1 << 10,
    SEEN_SHELL_URI = 1 << 11,
    SEEN_COMMAND_RESPONSE = 1 << 12,
    SEEN_COMMAND_ID = 1 << 13,
    SEEN_RECEIVE_RESPONSE = 1 << 14,
    SEEN_COMMAND_STATE = 1 << 15,
    SEEN_EXIT_CODE = 1 << 16,
};

/* An xmlns declaration in scope; its prefix is copied, as libxml2's
 * attribute strings last only for the event. len 0: the default one. */
typedef struct ns_binding {
    char prefix[MAX_PREFIX];
    unsigned char len;
    unsigned char ns;
    int depth; /* of the element that declared it */
} ns_binding;

/* An element as its start event gives it, resolved. */
typedef struct elem {
    ns_id ns;
    const char *local;
    const xmlChar **atts; /* name, value, ..., NULL (or NULL) */
} elem;

/* The state of one parse, reached from the events through ctxt->_private. */
typedef struct walk {
    xmlParserCtxtPtr ctxt;
    int declined;
    int root_ended;
    int depth;
    unsigned char roles[WSMAN_MAX_DEPTH + 1]; /* of the open elements; [0]: outside */
    unsigned seen;
    ns_binding ns[MAX_BINDINGS];
    size_t n_ns;
    psr_buf text;     /* of the R_TEXT element open now */
    char **text_to;
    psr_base64_decoder decoder; /* of the R_STREAM element open now, the last chunk */
    size_t cap_streams;
    wsman_response r;
    /* the second choices of a CreateResponse, and the ExitCode before it is read */
    char *shell_id, *shell_uri, *exit_code;
} walk;

static void decline(walk *w)
{
    if (!w->declined) {
        w->declined = 1;
        xmlStopParser(w->ctxt);
    }
}

/* decline, for the functions that give an element its role */
static role refuse(walk *w)
{
    decline(w);
    return R_SKIP;
}

/* ---- Namespaces ---- */

static ns_id ns_of(const char *uri, size_t len)
{
    if (len == 0)
        return NS_NONE; /* xmlns="" undeclares the default namespace */
    for (size_t i = 0; i < sizeof(ns_uris) / sizeof(ns_uris[0]); i++) {
        if (ns_uris[i].len == len && memcmp(uri, ns_uris[i].uri, len) == 0)
            return (ns_id)i;
    }
    return NS_OTHER;
}

/* How libxml2's namespace-aware parser would start a prefix or local name
 * (an NCName; the parser has checked the rest of the characters). */
static int ncname_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int bind(walk *w, const char *prefix, size_t len, const char *uri)
{
    size_t n = strlen(uri);
    if (w->n_ns == MAX_BINDINGS || len > MAX_PREFIX ||
        (n == sizeof(XML_NAMESPACE) - 1 && memcmp(uri, XML_NAMESPACE, n) == 0) ||
        (n == sizeof(XMLNS_NAMESPACE) - 1 && memcmp(uri, XMLNS_NAMESPACE, n) == 0))
        return -1;
    ns_binding *b = &w->ns[w->n_ns++];
    memcpy(b->prefix, prefix, len);
    b->len = (unsigned char)len;
    b->ns = (unsigned char)ns_of(uri, n);
    b->depth = w->depth;
    return 0;
}

/* The element's xmlns attributes, in scope for its own name already. */
static int declare(walk *w, const xmlChar **atts)
{
    for (size_t i = 0; atts && atts[i]; i += 2) {
        const char *name = (const char *)atts[i], *uri = (const char *)atts[i + 1];
        if (strncmp(name, "xmlns", 5) != 0 || (name[5] != '\0' && name[5] != ':'))
            continue;
        const char *prefix = name[5] ? name + 6 : "";
        if (name[5] && (!ncname_start(*prefix) || strchr(prefix, ':') || !*uri ||
                        strcmp(prefix, "xml") == 0 || strcmp(prefix, "xmlns") == 0))
            return -1;
        size_t len = strlen(prefix);
        if (bind(w, prefix, len, uri) != 0)
            return -1;
    }
    return 0;
}

/* The element's namespace and local name, from its name as written;
 * -1 for an undeclared prefix or a name not split the same way. */
static int resolve(const walk *w, const char *qname, elem *e)
{
    const char *colon = strchr(qname, ':');
    size_t len = colon ? (size_t)(colon - qname) : 0;
    e->local = colon ? colon + 1 : qname;
    if (colon && (!ncname_start(*qname) || !ncname_start(*e->local) || strchr(e->local, ':')))
        return -1;
    for (size_t i = w->n_ns; i-- > 0;) {
        const ns_binding *b = &w->ns[i];
        if (b->len == len && memcmp(b->prefix, qname, len) == 0) {
            e->ns = (ns_id)b->ns;
            return 0;
        }
    }
    e->ns = NS_NONE;
    return colon ? -1 : 0;
}

static void undeclare(walk *w)
{
    while (w->n_ns > 0 && w->ns[w->n_ns - 1].depth == w->depth)
        w->n_ns--;
}

/* ---- The elements of the replies ---- */

static int is(const elem *e, ns_id ns, const char *local)
{
    return e->ns == ns && strcmp(e->local, local) == 0;
}

/* The attribute written as name (no prefix), trimmed, into *out (NULL when
 * absent). -1 to decline: the value holds '&', or no memory. */
static int attr(const elem *e, const char *name, char **out)
{
    *out = NULL;
    for (size_t i = 0; e->atts && e->atts[i]; i += 2) {
        if (strcmp((const char *)e->atts[i], name) != 0)
            continue;
        const char *v = (const char *)e->atts[i + 1];
        if (strchr(v, '&'))
            return -1;
        return wsman_xml_trimmed(v, strlen(v), out) ? -1 : 0;
    }
    return 0;
}

/* 1 the first time an element of that kind is met where it counts. */
static int first(walk *w, unsigned bit)
{
    if (w->seen & bit)
        return 0;
    w->seen |= bit;
    return 1;
}

static role text_into(walk *w, char **to)
{
    psr_buf_reset(&w->text);
    w->text_to = to;
    return R_TEXT;
}

/* The Header, if it came first, is read: the DOM path may find one later,
 * but by then there is no Action here and the reply is declined. */
static role begin_body(walk *w)
{
    w->r.kind = wsman_response_kind_of_action(w->r.action);
    return w->r.kind == WSMAN_RESP_UNKNOWN ? refuse(w) : R_BODY;
}

static role begin_stream(walk *w, const elem *e)
{
    wsman_response *r = &w->r;
    if (r->n_streams == w->cap_streams) {
        size_t cap = w->cap_streams ? 2 * w->cap_streams : 4;
        wsman_stream_chunk *grown = realloc(r->streams, cap * sizeof(*grown));
        if (!grown)
            return refuse(w);
        r->streams = grown;
        w->cap_streams = cap;
    }
    wsman_stream_chunk *c = &r->streams[r->n_streams++];
    memset(c, 0, sizeof(*c));
    char *end = NULL;
    int bad = attr(e, "Name", &c->name) || attr(e, "CommandId", &c->command_id) ||
              attr(e, "End", &end) || !c->name || !*c->name;
    c->end = wsman_xml_bool(end);
    free(end);
    if (bad)
        return refuse(w);
    psr_base64_decoder_init(&w->decoder);
    return R_STREAM;
}

static role begin_state(walk *w, const elem *e)
{
    w->r.has_command_state = 1;
    if (attr(e, "State", &w->r.command_state) || attr(e, "CommandId", &w->r.command_state_id) ||
        !w->r.command_state)
        return refuse(w);
    return R_COMMAND_STATE;
}

/* The first Selector named ShellId holds the ShellId, even an empty one. */
static role selector(walk *w, const elem *e)
{
    char *name = NULL;
    if (attr(e, "Name", &name))
        return refuse(w);
    int shell_id = name && strcmp(name, "ShellId") == 0;
    free(name);
    return shell_id && first(w, SEEN_SELECTOR_SHELL_ID) ? text_into(w, &w->r.shell_id) : R_SKIP;
}

/* The Body's children that a reply of this kind reads. A fault is for the
 * DOM path, whatever the Action said. */
static role body_child(walk *w, const elem *e)
{
    if (is(e, NS_SOAP, "Fault"))
        return refuse(w);
    switch (w->r.kind) {
    case WSMAN_RESP_CREATE:
        if (is(e, NS_TRANSFER, "ResourceCreated") && first(w, SEEN_CREATED))
            return R_CREATED;
        return is(e, NS_SHELL, "Shell") && first(w, SEEN_SHELL) ? R_SHELL : R_SKIP;
    case WSMAN_RESP_COMMAND:
        return is(e, NS_SHELL, "CommandResponse") && first(w, SEEN_COMMAND_RESPONSE)
                   ? R_COMMAND_RESPONSE
                   : R_SKIP;
    case WSMAN_RESP_RECEIVE:
        return is(e, NS_SHELL, "ReceiveResponse") && first(w, SEEN_RECEIVE_RESPONSE)
                   ? R_RECEIVE_RESPONSE
                   : R_SKIP;
    default:
        return R_SKIP; /* Send, Signal, Delete: nothing in the Body is read */
    }
}

static role child_role(walk *w, role parent, const elem *e)
{
    switch (parent) {
    case R_ENVELOPE:
        if (is(e, NS_SOAP, "Header") && first(w, SEEN_HEADER))
            return R_HEADER;
        return is(e, NS_SOAP, "Body") && first(w, SEEN_BODY) ? begin_body(w) : R_SKIP;
    case R_HEADER:
        if (is(e, NS_ADDRESSING, "Action") && first(w, SEEN_ACTION))
            return text_into(w, &w->r.action);
        if (is(e, NS_ADDRESSING, "RelatesTo") && first(w, SEEN_RELATES_TO))
            return text_into(w, &w->r.relates_to);
        return R_SKIP;
    case R_BODY:
        return body_child(w, e);
    case R_CREATED:
        return is(e, NS_ADDRESSING, "ReferenceParameters") && first(w, SEEN_REFS) ? R_REFS : R_SKIP;
    case R_REFS:
        if (is(e, NS_WSMAN, "SelectorSet") && first(w, SEEN_SELECTORS))
            return R_SELECTORS;
        if (is(e, NS_WSMAN, "ResourceURI") && first(w, SEEN_REFS_URI))
            return text_into(w, &w->r.shell_resource_uri);
        return R_SKIP;
    case R_SELECTORS:
        return is(e, NS_WSMAN, "Selector") ? selector(w, e) : R_SKIP;
    case R_SHELL:
        if (is(e, NS_SHELL, "ShellId") && first(w, SEEN_SHELL_ID))
            return text_into(w, &w->shell_id);
        if (is(e, NS_SHELL, "ResourceUri") && first(w, SEEN_SHELL_URI))
            return text_into(w, &w->shell_uri);
        return R_SKIP;
    case R_COMMAND_RESPONSE:
        if (is(e, NS_SHELL, "CommandId") && first(w, SEEN_COMMAND_ID))
            return text_into(w, &w->r.command_id);
        return R_SKIP;
    case R_RECEIVE_RESPONSE:
        if (is(e, NS_SHELL, "Stream"))
            return begin_stream(w, e);
        if (is(e, NS_SHELL, "CommandState") && first(w, SEEN_COMMAND_STATE))
            return begin_state(w, e);
        return R_SKIP;
    case R_COMMAND_STATE:
        if (is(e, NS_SHELL, "ExitCode") && first(w, SEEN_EXIT_CODE))
            return text_into(w, &w->exit_code);
        return R_SKIP;
    case R_TEXT:
    case R_STREAM:
        /* The DOM path reads the text of the whole element, and keeps a
         * nested Stream's text out of it: not followed here. */
        return refuse(w);
    default:
        return R_SKIP;
    }
}

/* ---- The parser's events ---- */

static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    walk *w = ((xmlParserCtxtPtr)ctx)->_private;
    if (w->declined)
        return;
    /* too deep: the DOM path stops at the same element and says so */
    elem e = {.atts = atts};
    if (++w->depth > WSMAN_MAX_DEPTH || declare(w, atts) != 0 ||
        resolve(w, (const char *)name, &e) != 0) {
        decline(w);
        return;
    }
    role r;
    if (w->depth > 1)
        r = child_role(w, (role)w->roles[w->depth - 1], &e);
    else
        r = is(&e, NS_SOAP, "Envelope") ? R_ENVELOPE : refuse(w);
    w->roles[w->depth] = (unsigned char)r;
}

static void on_end(void *ctx, const xmlChar *name)
{
    (void)name; /* the parser has checked it against the start tag */
    walk *w = ((xmlParserCtxtPtr)ctx)->_private;
    if (w->declined)
        return;
    role r = (role)w->roles[w->depth];
    if (r == R_TEXT && wsman_xml_trimmed(w->text.data ? w->text.data : "", w->text.len,
                                         w->text_to) != 0)
        decline(w);
    if (r == R_STREAM &&
        psr_base64_decoder_finish(&w->decoder, &w->r.streams[w->r.n_streams - 1].data) != 0)
        decline(w); /* not base64: the DOM path says which stream */
    undeclare(w);
    if (w->depth == 1)
        w->root_ended = 1;
    w->depth--;
}

/* Character data and CDATA alike, as the DOM path reads both. */
static void on_text(void *ctx, const xmlChar *ch, int len)
{
    walk *w = ((xmlParserCtxtPtr)ctx)->_private;
    if (w->declined)
        return;
    role r = (role)w->roles[w->depth];
    if (r == R_TEXT && psr_buf_append(&w->text, ch, (size_t)len) != 0)
        decline(w);
    if (r == R_STREAM && len > 0 &&
        psr_base64_decoder_feed(&w->decoder, &w->r.streams[w->r.n_streams - 1].data,
                                (const char *)ch, (size_t)len) != 0)
        decline(w);
}

/* Any <!DOCTYPE: a SOAP envelope never has one. */
static void on_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
                   const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    decline(((xmlParserCtxtPtr)ctx)->_private);
}

/* After the XML declaration: one naming an encoding other than UTF-8 (the
 * one WinRM writes) is left to the DOM path. */
static void on_document(void *ctx)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (ctxt->encoding && xmlStrcasecmp(ctxt->encoding, BAD_CAST "UTF-8") != 0)
        decline(ctxt->_private);
}

static xmlParserCtxtPtr context_new(void)
{
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    /* A SAX1 handler (initialized, but not with XML_SAX2_MAGIC, which some
     * libxml2 versions take as a request for SAX2 events whatever is set):
     * element names come as written, namespaces are left to us. A libxml2
     * built without SAX1 sends no element events: every reply is declined. */
    sax.initialized = 1;
    sax.startDocument = on_document;
    sax.internalSubset = on_dtd;
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_text;
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL);
    /* no NOENT, no DTDLOAD, no HUGE; errors go nowhere */
    if (ctxt)
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    return ctxt;
}

/* ---- Putting the reply together ---- */

/* After the parse: the second choices and checks of response_parse.c. */
static int finish(walk *w)
{
    wsman_response *r = &w->r;
    if (!w->root_ended || !(w->seen & SEEN_BODY))
        return -1;
    if (r->kind == WSMAN_RESP_CREATE) {
        if (!r->shell_id) {
            r->shell_id = w->shell_id;
            w->shell_id = NULL;
        }
        if (!r->shell_resource_uri) {
            r->shell_resource_uri = w->shell_uri;
            w->shell_uri = NULL;
        }
        return r->shell_id && *r->shell_id ? 0 : -1;
    }
    if (r->kind == WSMAN_RESP_COMMAND)
        return r->command_id && *r->command_id ? 0 : -1;
    if (r->kind == WSMAN_RESP_RECEIVE) {
        if (!(w->seen & SEEN_RECEIVE_RESPONSE))
            return -1;
        if (w->exit_code && wsman_exit_code_parse(w->exit_code, &r->exit_code) != 0)
            return -1;
        r->has_exit_code = w->exit_code != NULL;
    }
    return 0;
}

/* Runs one parse on ctxt; 0 when it ran cleanly to the end. */
static int parse(xmlParserCtxtPtr ctxt, walk *w, const char *xml, size_t len)
{
    if (xmlCtxtResetPush(ctxt, NULL, 0, NULL, NULL) != 0)
        return -1;
    w->ctxt = ctxt;
    ctxt->_private = w;
    int rc = xmlParseChunk(ctxt, xml, (int)len, 1);
    ctxt->_private = NULL;
    if (rc != 0 || !ctxt->wellFormed || ctxt->errNo != XML_ERR_OK || w->declined)
        return -1;
    xmlCtxtReset(ctxt); /* releases the parser's copy of the reply */
    return 0;
}

struct wsman_reader {
    xmlParserCtxtPtr ctxt; /* NULL until needed, or after a parse that did not end cleanly */
};

wsman_reader *wsman_reader_new(void)
{
    return calloc(1, sizeof(wsman_reader));
}

void wsman_reader_free(wsman_reader *r)
{
    if (!r)
        return;
    if (r->ctxt)
        xmlFreeParserCtxt(r->ctxt);
    free(r);
}

size_t wsman_reader_kept_names(const wsman_reader *reader)
{
    return reader && reader->ctxt ? xmlDictGetUsage(reader->ctxt->dict) : 0;
}

int wsman_response_sax(wsman_reader *reader, const char *xml, size_t len, wsman_response *out)
{
    memset(out, 0, sizeof(*out));
    if (!xml || len == 0 || len > SAX_MAX_DOCUMENT)
        return 0;
    xmlParserCtxtPtr ctxt = reader && reader->ctxt ? reader->ctxt : context_new();
    if (reader)
        reader->ctxt = NULL; /* given back below if it may be kept */
    if (!ctxt)
        return 0;
    walk w = {0};
    int ok = parse(ctxt, &w, xml, len) == 0 && finish(&w) == 0;
    if (ok && reader && xmlDictGetUsage(ctxt->dict) <= READER_MAX_NAMES)
        reader->ctxt = ctxt;
    else
        xmlFreeParserCtxt(ctxt);
    if (ok)
        *out = w.r;
    else
        wsman_response_clear(&w.r);
    psr_buf_free(&w.text);
    free(w.shell_id);
    free(w.shell_uri);
    free(w.exit_code);
    return ok;
}
