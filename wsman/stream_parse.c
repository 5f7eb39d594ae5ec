/* stream_parse.c: rsp:Stream elements (Send requests, Receive responses).
 *
 * A ReceiveResponse may hold hundreds of kilobytes of base64 in many
 * streams; each was decoded once, during the parse (xml.c), so the cost
 * stays linear and the text is never copied. Order matters: stdout and
 * stderr chunks interleave as the command wrote them. */
#include "wsman/parse.h"

#include "wsman/xml.h"

#include <stdlib.h>
#include <string.h>

void wsman_streams_free(wsman_stream_chunk *chunks, size_t n)
{
    for (size_t i = 0; chunks && i < n; i++) {
        free(chunks[i].name);
        free(chunks[i].command_id);
        psr_buf_free(&chunks[i].data);
    }
    free(chunks);
}

int wsman_child_text(const xmlNode *parent, const char *ns, const char *name, char **out)
{
    return wsman_xml_text(wsman_xml_child(parent, ns, name), out);
}

static int decode_stream(const xmlNode *node, wsman_stream_chunk *c, psr_error *err)
{
    int rc;
    char *end = NULL;
    if ((rc = wsman_xml_attr(node, "Name", &c->name)) ||
        (rc = wsman_xml_attr(node, "CommandId", &c->command_id)) ||
        (rc = wsman_xml_attr(node, "End", &end)))
        return psr_error_set(err, rc, "out of memory reading rsp:Stream");
    c->end = wsman_xml_bool(end);
    free(end);
    if (!c->name || !*c->name)
        return psr_error_set(err, PSR_E_PARSE, "rsp:Stream element has no Name attribute");
    rc = wsman_xml_stream_data(node, &c->data);
    if (rc == PSR_E_PARSE)
        return psr_error_set(err, rc, "rsp:Stream '%s' does not hold valid base64 data", c->name);
    if (rc == PSR_E_STATE)
        return psr_error_set(err, rc, "rsp:Stream '%s' was read twice", c->name);
    if (rc)
        return psr_error_set(err, rc, "out of memory decoding rsp:Stream '%s'", c->name);
    /* a zero-length decode leaves data.data NULL; callers may use it as a string */
    if (!c->data.data && psr_buf_append(&c->data, "", 0))
        return psr_error_set(err, PSR_E_NOMEM, "out of memory decoding rsp:Stream");
    return 0;
}

int wsman_streams_parse(const xmlNode *parent, wsman_stream_chunk **chunks, size_t *n,
                        psr_error *err)
{
    size_t count = 0;
    for (xmlNodePtr s = wsman_xml_child(parent, WSMAN_NS_SHELL, "Stream"); s;
         s = wsman_xml_next(s, WSMAN_NS_SHELL, "Stream"))
        count++;
    if (count == 0)
        return 0;
    wsman_stream_chunk *arr = realloc(*chunks, (*n + count) * sizeof(*arr));
    if (!arr)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory reading rsp:Stream elements");
    *chunks = arr;
    for (xmlNodePtr s = wsman_xml_child(parent, WSMAN_NS_SHELL, "Stream"); s;
         s = wsman_xml_next(s, WSMAN_NS_SHELL, "Stream")) {
        wsman_stream_chunk *c = &arr[*n];
        memset(c, 0, sizeof(*c));
        (*n)++; /* counted before decoding so the owner frees partial chunks */
        int rc = decode_stream(s, c, err);
        if (rc)
            return rc;
    }
    return 0;
}
