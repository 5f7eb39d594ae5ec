/* response_build.c: the server's replies, shaped like Windows WinRM's.
 *
 * Windows answers with xml:lang="en-US" on the envelope, the prefixes s, a,
 * x, w, rsp, p declared there, and a header of Action, MessageID, To
 * (anonymous) and RelatesTo. Third-party clients search these replies loosely
 * (pywinrm takes the first element named *CommandId, masterzen/winrm looks for
 * w:Selector[@Name='ShellId'] and rsp:ExitCode), so the layout matters. */
#include "wsman/build.h"

#include "common/base64.h"
#include "wsman/xml.h"

#include <string.h>

static const char response_namespaces[] =
    " xmlns:s=\"" WSMAN_NS_SOAP "\""
    " xmlns:a=\"" WSMAN_NS_ADDRESSING "\""
    " xmlns:x=\"" WSMAN_NS_TRANSFER "\""
    " xmlns:w=\"" WSMAN_NS_WSMAN "\""
    " xmlns:rsp=\"" WSMAN_NS_SHELL "\""
    " xmlns:p=\"" WSMAN_NS_MSWSMAN "\"";

int wsman_put_response_head(psr_buf *out, const wsman_response_header *h)
{
    if (!h || !h->action || !h->message_id)
        return PSR_E_INVALID;
    int rc;
    if ((rc = psr_buf_printf(out, "<s:Envelope xml:lang=\"en-US\"%s><s:Header>",
                             response_namespaces)) ||
        (rc = wsman_put_element(out, "a:Action", h->action)) ||
        (rc = wsman_put_element(out, "a:MessageID", h->message_id)) ||
        (rc = psr_buf_puts(out, "<a:To>" WSMAN_ANONYMOUS "</a:To>")) ||
        (h->relates_to && (rc = wsman_put_element(out, "a:RelatesTo", h->relates_to))))
        return rc;
    return psr_buf_puts(out, "</s:Header><s:Body>");
}

int wsman_build_identify_response(psr_buf *out, const char *product_vendor,
                                  const char *product_version)
{
    if (!product_vendor || !product_version)
        return PSR_E_INVALID;
    size_t mark = out->len;
    int rc;
    if ((rc = psr_buf_puts(out, "<s:Envelope xml:lang=\"en-US\" xmlns:s=\"" WSMAN_NS_SOAP "\">"
                                "<s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid=\""
                                WSMAN_NS_IDENTITY "\"><wsmid:ProtocolVersion>" WSMAN_NS_WSMAN
                                "</wsmid:ProtocolVersion>")) ||
        (rc = wsman_put_element(out, "wsmid:ProductVendor", product_vendor)) ||
        (rc = wsman_put_element(out, "wsmid:ProductVersion", product_version)) ||
        (rc = psr_buf_puts(out, "</wsmid:IdentifyResponse>")) || (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

static int put_created(psr_buf *out, const char *address, const char *resource_uri,
                       const char *shell_id, const char *input_streams,
                       const char *output_streams)
{
    int rc;
    if ((rc = psr_buf_puts(out, "<x:ResourceCreated>")) ||
        (rc = wsman_put_element(out, "a:Address", address)) ||
        (rc = psr_buf_puts(out, "<a:ReferenceParameters>")) ||
        (rc = wsman_put_element(out, "w:ResourceURI", resource_uri)) ||
        (rc = psr_buf_puts(out, "<w:SelectorSet><w:Selector Name=\"ShellId\">")) ||
        (rc = wsman_put_text(out, shell_id)) ||
        (rc = psr_buf_puts(out, "</w:Selector></w:SelectorSet></a:ReferenceParameters>"
                                "</x:ResourceCreated><rsp:Shell xmlns:rsp=\"" WSMAN_NS_SHELL
                                "\">")) ||
        (rc = wsman_put_element(out, "rsp:ShellId", shell_id)) ||
        (rc = wsman_put_element(out, "rsp:ResourceUri", resource_uri)))
        return rc;
    if (input_streams && (rc = wsman_put_element(out, "rsp:InputStreams", input_streams)))
        return rc;
    if (output_streams && (rc = wsman_put_element(out, "rsp:OutputStreams", output_streams)))
        return rc;
    return psr_buf_puts(out, "</rsp:Shell>");
}

int wsman_build_create_response(psr_buf *out, const wsman_response_header *h,
                                const char *address, const char *resource_uri,
                                const char *shell_id, const char *input_streams,
                                const char *output_streams)
{
    if (!address || !resource_uri || !shell_id)
        return PSR_E_INVALID;
    size_t mark = out->len;
    int rc;
    if ((rc = wsman_put_response_head(out, h)) ||
        (rc = put_created(out, address, resource_uri, shell_id, input_streams, output_streams)) ||
        (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

int wsman_build_command_response(psr_buf *out, const wsman_response_header *h,
                                 const char *command_id)
{
    if (!command_id)
        return PSR_E_INVALID;
    size_t mark = out->len;
    int rc;
    if ((rc = wsman_put_response_head(out, h)) ||
        (rc = psr_buf_puts(out, "<rsp:CommandResponse>")) ||
        (rc = wsman_put_element(out, "rsp:CommandId", command_id)) ||
        (rc = psr_buf_puts(out, "</rsp:CommandResponse>")) || (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

int wsman_build_empty_response(psr_buf *out, const wsman_response_header *h)
{
    size_t mark = out->len;
    /* Windows sends rsp:SendResponse and rsp:SignalResponse elements, and a
     * DeleteResponse with an empty s:Body. */
    const char *body = "";
    if (h && h->action && strcmp(h->action, WSMAN_ACTION_SEND_RESPONSE) == 0)
        body = "<rsp:SendResponse/>";
    else if (h && h->action && strcmp(h->action, WSMAN_ACTION_SIGNAL_RESPONSE) == 0)
        body = "<rsp:SignalResponse/>";
    int rc;
    if ((rc = wsman_put_response_head(out, h)) || (rc = psr_buf_puts(out, body)) ||
        (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

static int put_stream(psr_buf *out, const wsman_out_stream *s)
{
    int rc;
    if (!s->name || (s->len > 0 && !s->data))
        return PSR_E_INVALID;
    if ((rc = psr_buf_puts(out, "<rsp:Stream")) || (rc = wsman_put_attr(out, "Name", s->name)))
        return rc;
    if (s->command_id && (rc = wsman_put_attr(out, "CommandId", s->command_id)))
        return rc;
    if (s->end && (rc = psr_buf_puts(out, " End=\"true\"")))
        return rc;
    if ((rc = psr_buf_putc(out, '>')) || (s->len > 0 && (rc = psr_base64_encode(out, s->data, s->len))))
        return rc;
    return psr_buf_puts(out, "</rsp:Stream>");
}

static int put_command_state(psr_buf *out, const char *command_id, const char *state,
                             int exit_code)
{
    int rc;
    if ((rc = psr_buf_puts(out, "<rsp:CommandState")))
        return rc;
    if (command_id && (rc = wsman_put_attr(out, "CommandId", command_id)))
        return rc;
    if ((rc = wsman_put_attr(out, "State", state)))
        return rc;
    /* pywinrm reads rsp:ExitCode whenever the state is Done. */
    if (exit_code >= 0 && strcmp(state, WSMAN_STATE_DONE) == 0)
        return psr_buf_printf(out, "><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState>",
                              exit_code);
    return psr_buf_puts(out, "></rsp:CommandState>");
}

int wsman_build_receive_response(psr_buf *out, const wsman_response_header *h,
                                 const wsman_out_stream *streams, size_t n_streams,
                                 const char *command_id, const char *state, int exit_code)
{
    if (n_streams > 0 && !streams)
        return PSR_E_INVALID;
    size_t mark = out->len;
    int rc;
    if ((rc = wsman_put_response_head(out, h)) || (rc = psr_buf_puts(out, "<rsp:ReceiveResponse>")))
        return wsman_build_fail(out, mark, rc);
    for (size_t i = 0; i < n_streams; i++) {
        if ((rc = put_stream(out, &streams[i])))
            return wsman_build_fail(out, mark, rc);
    }
    if ((state && (rc = put_command_state(out, command_id, state, exit_code))) ||
        (rc = psr_buf_puts(out, "</rsp:ReceiveResponse>")) || (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}
