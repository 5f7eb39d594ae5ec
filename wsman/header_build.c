/* header_build.c: the SOAP header every client request carries.
 *
 * Element order, prefixes and mustUnderstand flags follow what PowerShell
 * and the MS-WSMV 4.7 examples send: To, ResourceURI, ReplyTo, Action,
 * MaxEnvelopeSize, MessageID, Locale, DataLocale, SessionId, SelectorSet,
 * OptionSet, OperationTimeout. The header is built in full here so every verb
 * gets the same one. */
#include "wsman/build.h"

#include "wsman/xml.h"

#include <string.h>

static const char request_namespaces[] =
    " xmlns:s=\"" WSMAN_NS_SOAP "\""
    " xmlns:a=\"" WSMAN_NS_ADDRESSING "\""
    " xmlns:w=\"" WSMAN_NS_WSMAN "\""
    " xmlns:p=\"" WSMAN_NS_MSWSMAN "\""
    " xmlns:rsp=\"" WSMAN_NS_SHELL "\"";

int wsman_build_fail(psr_buf *out, size_t mark, int rc)
{
    if (out->data && mark <= out->len) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    return rc;
}

static int put_option_set(psr_buf *out, const wsman_request_header *h)
{
    int any_must = 0, rc;
    for (size_t i = 0; i < h->n_options; i++)
        any_must |= h->options[i].must_comply != 0;
    /* PowerShell marks the whole set mustUnderstand when an option must be
     * complied with (protocolversion), so a server that cannot honour it fails. */
    if ((rc = psr_buf_puts(out, "<w:OptionSet xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")))
        return rc;
    if (any_must && (rc = psr_buf_puts(out, " s:mustUnderstand=\"true\"")))
        return rc;
    if ((rc = psr_buf_putc(out, '>')))
        return rc;
    for (size_t i = 0; i < h->n_options; i++) {
        const wsman_option *o = &h->options[i];
        if (!o->name || !o->value)
            return PSR_E_INVALID;
        if ((rc = psr_buf_puts(out, "<w:Option")) || (rc = wsman_put_attr(out, "Name", o->name)))
            return rc;
        if (o->must_comply && (rc = psr_buf_puts(out, " MustComply=\"true\"")))
            return rc;
        if ((rc = psr_buf_putc(out, '>')) || (rc = wsman_put_text(out, o->value)) ||
            (rc = psr_buf_puts(out, "</w:Option>")))
            return rc;
    }
    return psr_buf_puts(out, "</w:OptionSet>");
}

static int put_header_fields(psr_buf *out, const wsman_request_header *h, const char *action)
{
    int rc;
    const char *locale = h->locale ? h->locale : "en-US";
    const char *data_locale = h->data_locale ? h->data_locale : locale;
    uint32_t max_env = h->max_envelope_size ? h->max_envelope_size : WSMAN_DEFAULT_MAX_ENVELOPE;
    uint32_t timeout = h->operation_timeout_ms ? h->operation_timeout_ms
                                               : WSMAN_DEFAULT_OPERATION_TIMEOUT_MS;
    if ((rc = wsman_put_element(out, "a:To", h->to)) ||
        (rc = psr_buf_puts(out, "<w:ResourceURI s:mustUnderstand=\"true\">")) ||
        (rc = wsman_put_text(out, h->resource_uri)) ||
        (rc = psr_buf_puts(out, "</w:ResourceURI><a:ReplyTo><a:Address s:mustUnderstand=\"true\">"
                                WSMAN_ANONYMOUS "</a:Address></a:ReplyTo>"
                                "<a:Action s:mustUnderstand=\"true\">")) ||
        (rc = wsman_put_text(out, action)) ||
        (rc = psr_buf_puts(out, "</a:Action><w:MaxEnvelopeSize s:mustUnderstand=\"true\">")) ||
        (rc = psr_buf_put_u32(out, max_env, 1)) ||
        (rc = psr_buf_puts(out, "</w:MaxEnvelopeSize>")) ||
        (rc = wsman_put_element(out, "a:MessageID", h->message_id)) ||
        (rc = psr_buf_puts(out, "<w:Locale")) || (rc = wsman_put_attr(out, "xml:lang", locale)) ||
        (rc = psr_buf_puts(out, " s:mustUnderstand=\"false\"/><p:DataLocale")) ||
        (rc = wsman_put_attr(out, "xml:lang", data_locale)) ||
        (rc = psr_buf_puts(out, " s:mustUnderstand=\"false\"/>")))
        return rc;
    if (h->session_id &&
        ((rc = psr_buf_puts(out, "<p:SessionId s:mustUnderstand=\"false\">")) ||
         (rc = wsman_put_text(out, h->session_id)) || (rc = psr_buf_puts(out, "</p:SessionId>"))))
        return rc;
    if (h->shell_id &&
        ((rc = psr_buf_puts(out, "<w:SelectorSet><w:Selector Name=\"ShellId\">")) ||
         (rc = wsman_put_text(out, h->shell_id)) ||
         (rc = psr_buf_puts(out, "</w:Selector></w:SelectorSet>"))))
        return rc;
    if (h->n_options > 0 && (rc = put_option_set(out, h)))
        return rc;
    if ((rc = psr_buf_puts(out, "<w:OperationTimeout>")) ||
        (rc = wsman_duration_format(out, timeout)))
        return rc;
    return psr_buf_puts(out, "</w:OperationTimeout>");
}

int wsman_put_request_head(psr_buf *out, const wsman_request_header *h, const char *action)
{
    if (!h || !h->to || !h->resource_uri || !h->message_id || !action ||
        (h->n_options > 0 && !h->options))
        return PSR_E_INVALID;
    int rc;
    if ((rc = psr_buf_puts(out, "<s:Envelope")) || (rc = psr_buf_puts(out, request_namespaces)) ||
        (rc = psr_buf_puts(out, "><s:Header>")) ||
        (rc = put_header_fields(out, h, action)))
        return rc;
    return psr_buf_puts(out, "</s:Header><s:Body>");
}

int wsman_put_tail(psr_buf *out)
{
    return psr_buf_puts(out, "</s:Body></s:Envelope>");
}

int wsman_request_retarget(psr_buf *envelope, const char *to)
{
    static const char open_tag[] = "<a:To>", close_tag[] = "</a:To>";
    if (!envelope->data)
        return PSR_E_PARSE;
    char *start = strstr(envelope->data, open_tag);
    char *end = start ? strstr(start, close_tag) : NULL;
    if (!end)
        return PSR_E_PARSE;
    size_t head = (size_t)(start - envelope->data) + sizeof(open_tag) - 1;
    size_t tail_at = (size_t)(end - envelope->data);
    psr_buf out = {0};
    int rc = psr_buf_append(&out, envelope->data, head);
    if (!rc)
        rc = wsman_put_text(&out, to);
    if (!rc)
        rc = psr_buf_append(&out, envelope->data + tail_at, envelope->len - tail_at);
    if (rc) {
        psr_buf_free(&out);
        return rc;
    }
    psr_buf_free(envelope);
    *envelope = out;
    return 0;
}
