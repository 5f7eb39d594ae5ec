/* request_parse.c: psremote-harness reading a client's request.
 *
 * Clients differ in prefixes (PowerShell s:/a:/w:, pywinrm env:/a:/w:, the
 * MS-WSMV examples wsa:/wsman:) and in white space around values; elements are
 * matched by namespace URI and exact local name and values are trimmed. An
 * unknown action is not an error here: the request is returned with kind
 * WSMAN_REQ_UNKNOWN so the server can answer with a proper fault. */
#include "wsman/parse.h"

#include "wsman/xml.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void wsman_request_clear(wsman_request *r)
{
    if (!r)
        return;
    free(r->action);
    free(r->to);
    free(r->message_id);
    free(r->reply_to);
    free(r->resource_uri);
    free(r->shell_id);
    for (size_t i = 0; r->options && i < r->n_options; i++) {
        free(r->options[i].name);
        free(r->options[i].value);
    }
    free(r->options);
    free(r->locale);
    free(r->data_locale);
    free(r->session_id);
    free(r->requested_shell_id);
    free(r->input_streams);
    free(r->output_streams);
    free(r->working_directory);
    for (size_t i = 0; r->env && i < r->n_env; i++) {
        free(r->env[i].name);
        free(r->env[i].value);
    }
    free(r->env);
    free(r->creation_xml);
    free(r->command_id);
    free(r->command);
    for (size_t i = 0; r->arguments && i < r->n_arguments; i++)
        free(r->arguments[i]);
    free(r->arguments);
    wsman_streams_free(r->streams, r->n_streams);
    free(r->desired_streams);
    free(r->signal_code);
    memset(r, 0, sizeof(*r));
}

const char *wsman_request_option(const wsman_request *r, const char *name)
{
    for (size_t i = 0; r && name && i < r->n_options; i++) {
        if (r->options[i].name && strcasecmp(r->options[i].name, name) == 0)
            return r->options[i].value;
    }
    return NULL;
}

static int oom(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory reading WS-Management request");
}

static size_t count_children(const xmlNode *parent, const char *ns, const char *name)
{
    size_t n = 0;
    for (xmlNodePtr c = wsman_xml_child(parent, ns, name); c; c = wsman_xml_next(c, ns, name))
        n++;
    return n;
}

static int parse_options(const xmlNode *set, wsman_request *r, psr_error *err)
{
    size_t n = count_children(set, WSMAN_NS_WSMAN, "Option");
    if (n == 0)
        return 0;
    r->options = calloc(n, sizeof(*r->options));
    if (!r->options)
        return oom(err);
    for (xmlNodePtr o = wsman_xml_child(set, WSMAN_NS_WSMAN, "Option"); o;
         o = wsman_xml_next(o, WSMAN_NS_WSMAN, "Option")) {
        wsman_parsed_option *po = &r->options[r->n_options++];
        char *must = NULL;
        if (wsman_xml_attr(o, "Name", &po->name) || wsman_xml_attr(o, "MustComply", &must) ||
            wsman_xml_text(o, &po->value)) {
            free(must);
            return oom(err);
        }
        po->must_comply = wsman_xml_bool(must);
        free(must);
        if (!po->name)
            return psr_error_set(err, PSR_E_PARSE, "w:Option element has no Name attribute");
    }
    return 0;
}

static int parse_shell_selector(const xmlNode *header, wsman_request *r, psr_error *err)
{
    const xmlNode *set = wsman_xml_child(header, WSMAN_NS_WSMAN, "SelectorSet");
    for (xmlNodePtr s = wsman_xml_child(set, WSMAN_NS_WSMAN, "Selector"); s;
         s = wsman_xml_next(s, WSMAN_NS_WSMAN, "Selector")) {
        char *name = NULL;
        if (wsman_xml_attr(s, "Name", &name))
            return oom(err);
        int is_shell = name && strcmp(name, "ShellId") == 0;
        free(name);
        if (is_shell)
            return wsman_xml_text(s, &r->shell_id) ? oom(err) : 0;
    }
    return 0;
}

/* A number element (MaxEnvelopeSize) or duration (OperationTimeout) that is
 * present but unreadable is the client's error, reported as such. */
static int parse_limits(const xmlNode *header, wsman_request *r, psr_error *err)
{
    char *max_env = NULL, *timeout = NULL;
    int rc = 0;
    if (wsman_child_text(header, WSMAN_NS_WSMAN, "MaxEnvelopeSize", &max_env) ||
        wsman_child_text(header, WSMAN_NS_WSMAN, "OperationTimeout", &timeout))
        rc = oom(err);
    else if (max_env && wsman_parse_u32(max_env, &r->max_envelope_size) != 0)
        rc = psr_error_set(err, PSR_E_PARSE, "w:MaxEnvelopeSize '%.40s' is not a number", max_env);
    else if (timeout && wsman_duration_parse(timeout, &r->operation_timeout_ms) != 0)
        rc = psr_error_set(err, PSR_E_PARSE, "w:OperationTimeout '%.40s' is not an xs:duration",
                           timeout);
    free(max_env);
    free(timeout);
    return rc;
}

static int parse_header(const xmlNode *h, wsman_request *r, psr_error *err)
{
    const xmlNode *reply = wsman_xml_child(h, WSMAN_NS_ADDRESSING, "ReplyTo");
    if (wsman_child_text(h, WSMAN_NS_ADDRESSING, "Action", &r->action) ||
        wsman_child_text(h, WSMAN_NS_ADDRESSING, "To", &r->to) ||
        wsman_child_text(h, WSMAN_NS_ADDRESSING, "MessageID", &r->message_id) ||
        wsman_child_text(reply, WSMAN_NS_ADDRESSING, "Address", &r->reply_to) ||
        wsman_child_text(h, WSMAN_NS_WSMAN, "ResourceURI", &r->resource_uri) ||
        wsman_child_text(h, WSMAN_NS_MSWSMAN, "SessionId", &r->session_id))
        return oom(err);
    const xmlNode *locale = wsman_xml_child(h, WSMAN_NS_WSMAN, "Locale");
    const xmlNode *data_locale = wsman_xml_child(h, WSMAN_NS_MSWSMAN, "DataLocale");
    xmlChar *lang = locale ? xmlNodeGetLang(locale) : NULL;
    xmlChar *data_lang = data_locale ? xmlNodeGetLang(data_locale) : NULL;
    r->locale = lang ? strdup((const char *)lang) : NULL;
    r->data_locale = data_lang ? strdup((const char *)data_lang) : NULL;
    int lost = (lang && !r->locale) || (data_lang && !r->data_locale);
    xmlFree(lang);
    xmlFree(data_lang);
    if (lost)
        return oom(err);
    int rc;
    if ((rc = parse_shell_selector(h, r, err)) ||
        (rc = parse_options(wsman_xml_child(h, WSMAN_NS_WSMAN, "OptionSet"), r, err)))
        return rc;
    return parse_limits(h, r, err);
}

static int parse_env(const xmlNode *envnode, wsman_request *r, psr_error *err)
{
    size_t n = count_children(envnode, WSMAN_NS_SHELL, "Variable");
    if (n == 0)
        return 0;
    r->env = calloc(n, sizeof(*r->env));
    if (!r->env)
        return oom(err);
    for (xmlNodePtr v = wsman_xml_child(envnode, WSMAN_NS_SHELL, "Variable"); v;
         v = wsman_xml_next(v, WSMAN_NS_SHELL, "Variable")) {
        wsman_parsed_env *e = &r->env[r->n_env++];
        if (wsman_xml_attr(v, "Name", &e->name) || wsman_xml_text(v, &e->value))
            return oom(err);
        if (!e->name)
            return psr_error_set(err, PSR_E_PARSE, "rsp:Variable element has no Name attribute");
    }
    return 0;
}

static int parse_create(const xmlNode *body, wsman_request *r, psr_error *err)
{
    const xmlNode *shell = wsman_xml_child(body, WSMAN_NS_SHELL, "Shell");
    if (!shell)
        return psr_error_set(err, PSR_E_PARSE, "Create request has no rsp:Shell in its Body");
    char *idle = NULL;
    if (wsman_xml_attr(shell, "ShellId", &r->requested_shell_id) ||
        wsman_child_text(shell, WSMAN_NS_SHELL, "InputStreams", &r->input_streams) ||
        wsman_child_text(shell, WSMAN_NS_SHELL, "OutputStreams", &r->output_streams) ||
        wsman_child_text(shell, WSMAN_NS_SHELL, "WorkingDirectory", &r->working_directory) ||
        wsman_child_text(shell, WSMAN_NS_SHELL, "IdleTimeOut", &idle) ||
        wsman_child_text(shell, WSMAN_NS_POWERSHELL, "creationXml", &r->creation_xml))
        return oom(err);
    int bad_idle = idle && wsman_duration_parse(idle, &r->idle_timeout_ms) != 0;
    free(idle);
    if (bad_idle)
        return psr_error_set(err, PSR_E_PARSE, "rsp:IdleTimeOut is not an xs:duration");
    return parse_env(wsman_xml_child(shell, WSMAN_NS_SHELL, "Environment"), r, err);
}

static int parse_command(const xmlNode *body, wsman_request *r, psr_error *err)
{
    const xmlNode *line = wsman_xml_child(body, WSMAN_NS_SHELL, "CommandLine");
    if (!line)
        return psr_error_set(err, PSR_E_PARSE, "Command request has no rsp:CommandLine in its Body");
    if (wsman_xml_attr(line, "CommandId", &r->command_id) ||
        wsman_child_text(line, WSMAN_NS_SHELL, "Command", &r->command))
        return oom(err);
    size_t n = count_children(line, WSMAN_NS_SHELL, "Arguments");
    if (n == 0)
        return 0;
    r->arguments = calloc(n, sizeof(*r->arguments));
    if (!r->arguments)
        return oom(err);
    for (xmlNodePtr a = wsman_xml_child(line, WSMAN_NS_SHELL, "Arguments"); a;
         a = wsman_xml_next(a, WSMAN_NS_SHELL, "Arguments")) {
        if (wsman_xml_text(a, &r->arguments[r->n_arguments]))
            return oom(err);
        r->n_arguments++;
    }
    return 0;
}

static int parse_send(const xmlNode *body, wsman_request *r, psr_error *err)
{
    const xmlNode *send = wsman_xml_child(body, WSMAN_NS_SHELL, "Send");
    if (!send)
        return psr_error_set(err, PSR_E_PARSE, "Send request has no rsp:Send in its Body");
    int rc = wsman_streams_parse(send, &r->streams, &r->n_streams, err);
    if (rc)
        return rc;
    if (r->n_streams == 0)
        return psr_error_set(err, PSR_E_PARSE, "Send request has no rsp:Stream in rsp:Send");
    if (r->streams[0].command_id && !(r->command_id = strdup(r->streams[0].command_id)))
        return oom(err);
    return 0;
}

static int parse_receive(const xmlNode *body, wsman_request *r, psr_error *err)
{
    const xmlNode *recv = wsman_xml_child(body, WSMAN_NS_SHELL, "Receive");
    const xmlNode *desired = wsman_xml_child(recv, WSMAN_NS_SHELL, "DesiredStream");
    if (!desired)
        return psr_error_set(err, PSR_E_PARSE,
                             "Receive request has no rsp:Receive/rsp:DesiredStream in its Body");
    if (wsman_xml_attr(desired, "CommandId", &r->command_id) ||
        wsman_xml_text(desired, &r->desired_streams))
        return oom(err);
    return 0;
}

static int parse_signal(const xmlNode *body, wsman_request *r, psr_error *err)
{
    const xmlNode *sig = wsman_xml_child(body, WSMAN_NS_SHELL, "Signal");
    if (!sig)
        return psr_error_set(err, PSR_E_PARSE, "Signal request has no rsp:Signal in its Body");
    if (wsman_xml_attr(sig, "CommandId", &r->command_id) ||
        wsman_child_text(sig, WSMAN_NS_SHELL, "Code", &r->signal_code))
        return oom(err);
    if (!r->signal_code || !*r->signal_code)
        return psr_error_set(err, PSR_E_PARSE, "Signal request has no rsp:Code");
    return 0;
}

static const struct {
    const char *action;
    wsman_request_kind kind;
    int (*parse)(const xmlNode *body, wsman_request *r, psr_error *err);
} request_actions[] = {
    {WSMAN_ACTION_CREATE, WSMAN_REQ_CREATE, parse_create},
    {WSMAN_ACTION_DELETE, WSMAN_REQ_DELETE, NULL},
    {WSMAN_ACTION_COMMAND, WSMAN_REQ_COMMAND, parse_command},
    {WSMAN_ACTION_SEND, WSMAN_REQ_SEND, parse_send},
    {WSMAN_ACTION_RECEIVE, WSMAN_REQ_RECEIVE, parse_receive},
    {WSMAN_ACTION_SIGNAL, WSMAN_REQ_SIGNAL, parse_signal},
};

static int parse_body(const wsman_envelope *env, wsman_request *r, psr_error *err)
{
    if (!r->action) {
        /* Identify is the one request without addressing headers. */
        if (wsman_xml_child(env->body, WSMAN_NS_IDENTITY, "Identify")) {
            r->kind = WSMAN_REQ_IDENTIFY;
            return 0;
        }
        return psr_error_set(err, PSR_E_PARSE,
                             "WS-Management request has no wsa:Action header and is not an "
                             "Identify request");
    }
    for (size_t i = 0; i < sizeof(request_actions) / sizeof(request_actions[0]); i++) {
        if (strcmp(r->action, request_actions[i].action) == 0) {
            r->kind = request_actions[i].kind;
            return request_actions[i].parse ? request_actions[i].parse(env->body, r, err) : 0;
        }
    }
    r->kind = WSMAN_REQ_UNKNOWN;
    return 0;
}

int wsman_parse_request(const char *xml, size_t len, wsman_request *out, psr_error *err)
{
    memset(out, 0, sizeof(*out));
    wsman_envelope env;
    int rc = wsman_envelope_parse(xml, len, "request", &env, err);
    if (rc)
        return rc;
    rc = parse_header(env.header, out, err);
    if (!rc)
        rc = parse_body(&env, out, err);
    wsman_envelope_free(&env);
    if (rc)
        wsman_request_clear(out);
    return rc;
}
