/* fault.c: SOAP 1.2 faults with WinRM's WSManFault detail, read and written.
 *
 * Shape (MS-WSMV 2.2.4.43 and real WinRM replies): s:Fault/s:Code/s:Value
 * ("s:Receiver"), s:Code/s:Subcode/s:Value ("w:TimedOut"), s:Reason/s:Text,
 * s:Detail/f:WSManFault[@Code, @Machine]/f:Message, where the Message may hold
 * an f:ProviderFault with the plugin's own WSManFault inside. */
#include "wsman/parse.h"

#include "wsman/build.h"
#include "wsman/xml.h"

#include <stdlib.h>
#include <string.h>

void wsman_fault_clear(wsman_fault *f)
{
    if (!f)
        return;
    free(f->code);
    free(f->subcode);
    free(f->reason);
    free(f->machine);
    free(f->message);
    free(f->provider_fault);
    memset(f, 0, sizeof(*f));
}

/* s:Value holds a QName such as "w:TimedOut"; keep the local name. */
static int qname_local(const xmlNode *value, char **out)
{
    int rc = wsman_xml_text(value, out);
    if (rc || !*out)
        return rc;
    char *colon = strrchr(*out, ':');
    if (colon)
        memmove(*out, colon + 1, strlen(colon + 1) + 1);
    return 0;
}

int wsman_fault_parse(const xmlNode *fault, wsman_fault *f)
{
    memset(f, 0, sizeof(*f));
    const xmlNode *code = wsman_xml_child(fault, WSMAN_NS_SOAP, "Code");
    const xmlNode *subcode = wsman_xml_child(code, WSMAN_NS_SOAP, "Subcode");
    const xmlNode *reason = wsman_xml_child(fault, WSMAN_NS_SOAP, "Reason");
    const xmlNode *detail = wsman_xml_child(fault, WSMAN_NS_SOAP, "Detail");
    const xmlNode *wsf = wsman_xml_child(detail, WSMAN_NS_FAULT, "WSManFault");
    const xmlNode *msg = wsman_xml_child(wsf, WSMAN_NS_FAULT, "Message");
    const xmlNode *provider = wsman_xml_child(msg, WSMAN_NS_FAULT, "ProviderFault");
    char *code_text = NULL;
    int rc;
    if ((rc = qname_local(wsman_xml_child(code, WSMAN_NS_SOAP, "Value"), &f->code)) ||
        (rc = qname_local(wsman_xml_child(subcode, WSMAN_NS_SOAP, "Value"), &f->subcode)) ||
        (rc = wsman_xml_text_folded(wsman_xml_child(reason, WSMAN_NS_SOAP, "Text"), &f->reason)) ||
        (rc = wsman_xml_attr(wsf, "Code", &code_text)) ||
        (rc = wsman_xml_attr(wsf, "Machine", &f->machine)) ||
        (rc = wsman_xml_text_folded(msg, &f->message)) ||
        (rc = wsman_xml_text_folded(provider, &f->provider_fault))) {
        free(code_text);
        wsman_fault_clear(f);
        return rc;
    }
    if (code_text && wsman_parse_u32(code_text, &f->wsman_code) != 0)
        f->wsman_code = 0;
    free(code_text);
    return 0;
}

int wsman_fault_to_error(const wsman_fault *f, psr_error *err)
{
    if (!f)
        return psr_error_set(err, PSR_E_FAULT, "server fault (no details)");
    const char *text = f->message && *f->message   ? f->message
                       : f->reason && *f->reason   ? f->reason
                       : f->provider_fault && *f->provider_fault ? f->provider_fault
                                                  : "no message";
    const char *name = f->subcode && *f->subcode ? f->subcode
                       : f->code && *f->code     ? f->code
                                                 : "unknown";
    char where[300] = "";
    if (f->machine && *f->machine)
        snprintf(where, sizeof(where), " from %s", f->machine);
    if (f->wsman_code)
        psr_error_set(err, PSR_E_FAULT, "server fault%s: %s (WSManFault %u, %s)", where, text,
                      (unsigned)f->wsman_code, name);
    else
        psr_error_set(err, PSR_E_FAULT, "server fault%s: %s (%s)", where, text, name);
    if (err) {
        err->wsman_code = f->wsman_code;
        if (f->subcode)
            snprintf(err->fault_subcode, sizeof(err->fault_subcode), "%s", f->subcode);
        if (f->machine)
            snprintf(err->machine, sizeof(err->machine), "%s", f->machine);
    }
    return PSR_E_FAULT;
}

/* Only prefixes the fault envelope declares can appear in Code and Subcode. */
static int known_qname(const char *q)
{
    static const char *const prefixes[] = {"s:", "a:", "x:", "e:", "n:", "w:", "p:"};
    if (!q)
        return 0;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strncmp(q, prefixes[i], 2) == 0 && q[2] != '\0' && !strchr(q + 2, ':'))
            return 1;
    }
    return 0;
}

static const char fault_namespaces[] =
    " xmlns:s=\"" WSMAN_NS_SOAP "\""
    " xmlns:a=\"" WSMAN_NS_ADDRESSING "\""
    " xmlns:x=\"" WSMAN_NS_TRANSFER "\""
    " xmlns:e=\"http://schemas.xmlsoap.org/ws/2004/08/eventing\""
    " xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\""
    " xmlns:w=\"" WSMAN_NS_WSMAN "\""
    " xmlns:p=\"" WSMAN_NS_MSWSMAN "\"";

static int put_fault(psr_buf *out, const wsman_response_header *h, const wsman_fault_spec *f)
{
    int rc;
    if ((rc = psr_buf_printf(out, "<s:Envelope xml:lang=\"en-US\"%s><s:Header>",
                             fault_namespaces)) ||
        (rc = wsman_put_element(out, "a:Action", h->action ? h->action : WSMAN_ACTION_FAULT)) ||
        (rc = wsman_put_element(out, "a:MessageID", h->message_id)) ||
        (rc = psr_buf_puts(out, "<a:To>" WSMAN_ANONYMOUS "</a:To>")) ||
        (h->relates_to && (rc = wsman_put_element(out, "a:RelatesTo", h->relates_to))))
        return rc;
    if ((rc = psr_buf_puts(out, "</s:Header><s:Body><s:Fault><s:Code>")) ||
        (rc = wsman_put_element(out, "s:Value", f->code)))
        return rc;
    if (f->subcode && ((rc = psr_buf_puts(out, "<s:Subcode>")) ||
                       (rc = wsman_put_element(out, "s:Value", f->subcode)) ||
                       (rc = psr_buf_puts(out, "</s:Subcode>"))))
        return rc;
    if ((rc = psr_buf_puts(out, "</s:Code><s:Reason><s:Text xml:lang=\"en-US\">")) ||
        (rc = wsman_put_text(out, f->reason)) ||
        (rc = psr_buf_puts(out, "</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f=\"" WSMAN_NS_FAULT "\"")) ||
        (rc = psr_buf_printf(out, " Code=\"%u\"", (unsigned)f->wsman_code)) ||
        (rc = wsman_put_attr(out, "Machine", f->machine ? f->machine : "")) ||
        (rc = psr_buf_puts(out, "><f:Message>")) ||
        (rc = wsman_put_text(out, f->message ? f->message : f->reason)) ||
        (rc = psr_buf_puts(out, "</f:Message></f:WSManFault></s:Detail></s:Fault>")))
        return rc;
    return wsman_put_tail(out);
}

int wsman_build_fault(psr_buf *out, const wsman_response_header *h, const wsman_fault_spec *f)
{
    if (!h || !h->message_id || !f || !f->reason || !known_qname(f->code) ||
        (f->subcode && !known_qname(f->subcode)))
        return PSR_E_INVALID;
    size_t mark = out->len;
    int rc = put_fault(out, h, f);
    return rc ? wsman_build_fail(out, mark, rc) : 0;
}
