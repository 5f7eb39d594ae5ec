/* response_parse.c: the client reading WinRM's replies into a wsman_response.
 *
 * This is the DOM path, which reads any reply: the envelope becomes a
 * libxml2 tree (xml.c) that is walked afterwards. The common replies take
 * the SAX path first (response_sax.c), which must give exactly what this
 * file gives or leave the reply to it.
 *
 * The kind comes from the s:Fault element if there is one, else from
 * wsa:Action, else (Identify has no addressing headers) from the body
 * element. Elements are matched by namespace URI and local name, never by
 * prefix: Windows writes s:/a:/rsp:, the MS-WSMV examples wsa:/wsman:. */
#include "wsman/parse.h"

#include "wsman/xml.h"

#include <stdlib.h>
#include <string.h>

void wsman_response_clear(wsman_response *r)
{
    if (!r)
        return;
    free(r->action);
    free(r->relates_to);
    wsman_fault_clear(&r->fault);
    free(r->protocol_version);
    free(r->product_vendor);
    free(r->product_version);
    free(r->shell_id);
    free(r->shell_resource_uri);
    free(r->command_id);
    wsman_streams_free(r->streams, r->n_streams);
    free(r->command_state);
    free(r->command_state_id);
    memset(r, 0, sizeof(*r));
}

static const struct {
    const char *action;
    wsman_response_kind kind;
} response_actions[] = {
    {WSMAN_ACTION_CREATE_RESPONSE, WSMAN_RESP_CREATE},
    {WSMAN_ACTION_DELETE_RESPONSE, WSMAN_RESP_DELETE},
    {WSMAN_ACTION_COMMAND_RESPONSE, WSMAN_RESP_COMMAND},
    {WSMAN_ACTION_SEND_RESPONSE, WSMAN_RESP_SEND},
    {WSMAN_ACTION_RECEIVE_RESPONSE, WSMAN_RESP_RECEIVE},
    {WSMAN_ACTION_SIGNAL_RESPONSE, WSMAN_RESP_SIGNAL},
};

wsman_response_kind wsman_response_kind_of_action(const char *action)
{
    for (size_t i = 0; action && i < sizeof(response_actions) / sizeof(response_actions[0]); i++) {
        if (strcmp(action, response_actions[i].action) == 0)
            return response_actions[i].kind;
    }
    return WSMAN_RESP_UNKNOWN;
}

static wsman_response_kind kind_of(const char *action, const xmlNode *first)
{
    wsman_response_kind kind = wsman_response_kind_of_action(action);
    if (kind == WSMAN_RESP_UNKNOWN && wsman_xml_is(first, WSMAN_NS_IDENTITY, "IdentifyResponse"))
        return WSMAN_RESP_IDENTIFY;
    return kind;
}

int wsman_exit_code_parse(const char *text, int *code)
{
    /* Windows exit codes are 32-bit; NTSTATUS values arrive as large unsigned numbers. */
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || v < INT32_MIN || v > UINT32_MAX)
        return -1;
    *code = (int)(int32_t)(uint32_t)v;
    return 0;
}

static int oom(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory reading WS-Management response");
}

static int parse_identify(const xmlNode *body, wsman_response *r, psr_error *err)
{
    const xmlNode *id = wsman_xml_child(body, WSMAN_NS_IDENTITY, "IdentifyResponse");
    if (wsman_child_text(id, WSMAN_NS_IDENTITY, "ProtocolVersion", &r->protocol_version) ||
        wsman_child_text(id, WSMAN_NS_IDENTITY, "ProductVendor", &r->product_vendor) ||
        wsman_child_text(id, WSMAN_NS_IDENTITY, "ProductVersion", &r->product_version))
        return oom(err);
    return 0;
}

/* ShellId: the ResourceCreated selector (all Windows versions) or rsp:Shell/ShellId. */
static int parse_create(const xmlNode *body, wsman_response *r, psr_error *err)
{
    const xmlNode *created = wsman_xml_child(body, WSMAN_NS_TRANSFER, "ResourceCreated");
    const xmlNode *refs = wsman_xml_child(created, WSMAN_NS_ADDRESSING, "ReferenceParameters");
    const xmlNode *selectors = wsman_xml_child(refs, WSMAN_NS_WSMAN, "SelectorSet");
    const xmlNode *shell = wsman_xml_child(body, WSMAN_NS_SHELL, "Shell");
    for (xmlNodePtr s = wsman_xml_child(selectors, WSMAN_NS_WSMAN, "Selector"); s && !r->shell_id;
         s = wsman_xml_next(s, WSMAN_NS_WSMAN, "Selector")) {
        char *name = NULL;
        if (wsman_xml_attr(s, "Name", &name))
            return oom(err);
        int is_shell = name && strcmp(name, "ShellId") == 0;
        free(name);
        if (is_shell && wsman_xml_text(s, &r->shell_id))
            return oom(err);
    }
    if (!r->shell_id && wsman_child_text(shell, WSMAN_NS_SHELL, "ShellId", &r->shell_id))
        return oom(err);
    if (wsman_child_text(refs, WSMAN_NS_WSMAN, "ResourceURI", &r->shell_resource_uri))
        return oom(err);
    if (!r->shell_resource_uri &&
        wsman_child_text(shell, WSMAN_NS_SHELL, "ResourceUri", &r->shell_resource_uri))
        return oom(err);
    if (!r->shell_id || !*r->shell_id)
        return psr_error_set(err, PSR_E_PARSE,
                             "CreateResponse carries no ShellId (neither a ShellId selector in "
                             "x:ResourceCreated nor rsp:Shell/rsp:ShellId)");
    return 0;
}

static int parse_command(const xmlNode *body, wsman_response *r, psr_error *err)
{
    const xmlNode *resp = wsman_xml_child(body, WSMAN_NS_SHELL, "CommandResponse");
    if (wsman_child_text(resp, WSMAN_NS_SHELL, "CommandId", &r->command_id))
        return oom(err);
    if (!r->command_id || !*r->command_id)
        return psr_error_set(err, PSR_E_PARSE,
                             "CommandResponse has no rsp:CommandResponse/rsp:CommandId");
    return 0;
}

static int parse_receive(const xmlNode *body, wsman_response *r, psr_error *err)
{
    const xmlNode *resp = wsman_xml_child(body, WSMAN_NS_SHELL, "ReceiveResponse");
    if (!resp)
        return psr_error_set(err, PSR_E_PARSE, "ReceiveResponse has no rsp:ReceiveResponse in its Body");
    int rc = wsman_streams_parse(resp, &r->streams, &r->n_streams, err);
    if (rc)
        return rc;
    const xmlNode *state = wsman_xml_child(resp, WSMAN_NS_SHELL, "CommandState");
    if (!state)
        return 0;
    r->has_command_state = 1;
    if (wsman_xml_attr(state, "State", &r->command_state) ||
        wsman_xml_attr(state, "CommandId", &r->command_state_id))
        return oom(err);
    if (!r->command_state)
        return psr_error_set(err, PSR_E_PARSE, "rsp:CommandState has no State attribute");
    char *code = NULL;
    if (wsman_child_text(state, WSMAN_NS_SHELL, "ExitCode", &code))
        return oom(err);
    if (code) {
        int bad = wsman_exit_code_parse(code, &r->exit_code) != 0;
        free(code);
        if (bad)
            return psr_error_set(err, PSR_E_PARSE, "rsp:ExitCode is not a 32-bit number");
        r->has_exit_code = 1;
    }
    return 0;
}

static int parse_body(const wsman_envelope *env, wsman_response *r, psr_error *err)
{
    xmlNodePtr first = wsman_xml_child(env->body, NULL, NULL);
    const xmlNode *fault = wsman_xml_child(env->body, WSMAN_NS_SOAP, "Fault");
    if (fault) {
        r->kind = WSMAN_RESP_FAULT;
        return wsman_fault_parse(fault, &r->fault) ? oom(err) : 0;
    }
    r->kind = kind_of(r->action, first);
    switch (r->kind) {
    case WSMAN_RESP_IDENTIFY: return parse_identify(env->body, r, err);
    case WSMAN_RESP_CREATE: return parse_create(env->body, r, err);
    case WSMAN_RESP_COMMAND: return parse_command(env->body, r, err);
    case WSMAN_RESP_RECEIVE: return parse_receive(env->body, r, err);
    default: return 0;
    }
}

int wsman_parse_response_dom(const char *xml, size_t len, wsman_response *out, psr_error *err)
{
    memset(out, 0, sizeof(*out));
    wsman_envelope env;
    int rc = wsman_envelope_parse(xml, len, "response", &env, err);
    if (rc)
        return rc;
    if (wsman_child_text(env.header, WSMAN_NS_ADDRESSING, "Action", &out->action) ||
        wsman_child_text(env.header, WSMAN_NS_ADDRESSING, "RelatesTo", &out->relates_to))
        rc = oom(err);
    if (!rc)
        rc = parse_body(&env, out, err);
    wsman_envelope_free(&env);
    if (rc)
        wsman_response_clear(out);
    return rc;
}

/* Most replies are read by the SAX path; it declines whatever it does not
 * follow exactly (faults, Identify, errors, unusual shapes), and those are
 * read again here from the same bytes. */
int wsman_reader_parse(wsman_reader *reader, const char *xml, size_t len, wsman_response *out,
                       psr_error *err)
{
    if (wsman_response_sax(reader, xml, len, out))
        return 0;
    return wsman_parse_response_dom(xml, len, out, err);
}

int wsman_parse_response(const char *xml, size_t len, wsman_response *out, psr_error *err)
{
    return wsman_reader_parse(NULL, xml, len, out, err);
}
