/* request_build.c: the bodies of the client's requests (MS-WSMV 3.1.4 and 4.7).
 *
 * Identify, Create (rsp:Shell), Delete, Command (rsp:CommandLine), Send,
 * Receive and Signal. Each builder appends one complete envelope, or on error
 * leaves out as it was. */
#include "wsman/build.h"

#include "common/base64.h"
#include "wsman/xml.h"

int wsman_build_identify(psr_buf *out)
{
    /* As `winrm id` sends it: no addressing headers, an empty s:Header. */
    return psr_buf_puts(out, "<s:Envelope xmlns:s=\"" WSMAN_NS_SOAP "\" xmlns:wsmid=\""
                             WSMAN_NS_IDENTITY "\"><s:Header/><s:Body><wsmid:Identify/>"
                             "</s:Body></s:Envelope>");
}

static int put_shell(psr_buf *out, const wsman_shell_spec *sh)
{
    int rc;
    if ((rc = psr_buf_puts(out, "<rsp:Shell")))
        return rc;
    if (sh->shell_id && (rc = wsman_put_attr(out, "ShellId", sh->shell_id)))
        return rc;
    if (sh->name && (rc = wsman_put_attr(out, "Name", sh->name)))
        return rc;
    if ((rc = psr_buf_putc(out, '>')))
        return rc;
    if (sh->n_env > 0) {
        if (!sh->env)
            return PSR_E_INVALID;
        if ((rc = psr_buf_puts(out, "<rsp:Environment>")))
            return rc;
        for (size_t i = 0; i < sh->n_env; i++) {
            if (!sh->env[i].name || !sh->env[i].value)
                return PSR_E_INVALID;
            if ((rc = psr_buf_puts(out, "<rsp:Variable")) ||
                (rc = wsman_put_attr(out, "Name", sh->env[i].name)) ||
                (rc = psr_buf_putc(out, '>')) || (rc = wsman_put_text(out, sh->env[i].value)) ||
                (rc = psr_buf_puts(out, "</rsp:Variable>")))
                return rc;
        }
        if ((rc = psr_buf_puts(out, "</rsp:Environment>")))
            return rc;
    }
    if (sh->working_directory &&
        (rc = wsman_put_element(out, "rsp:WorkingDirectory", sh->working_directory)))
        return rc;
    if (sh->idle_timeout_s) {
        uint64_t ms = (uint64_t)sh->idle_timeout_s * 1000u;
        if (ms > UINT32_MAX)
            return PSR_E_INVALID;
        if ((rc = psr_buf_puts(out, "<rsp:IdleTimeOut>")) ||
            (rc = wsman_duration_format(out, (uint32_t)ms)) ||
            (rc = psr_buf_puts(out, "</rsp:IdleTimeOut>")))
            return rc;
    }
    if ((rc = wsman_put_element(out, "rsp:InputStreams", sh->input_streams)) ||
        (rc = wsman_put_element(out, "rsp:OutputStreams", sh->output_streams)))
        return rc;
    if (sh->creation_xml_b64 &&
        ((rc = psr_buf_puts(out, "<creationXml xmlns=\"" WSMAN_NS_POWERSHELL "\">")) ||
         (rc = wsman_put_text(out, sh->creation_xml_b64)) ||
         (rc = psr_buf_puts(out, "</creationXml>"))))
        return rc;
    return psr_buf_puts(out, "</rsp:Shell>");
}

int wsman_build_create_shell(psr_buf *out, const wsman_request_header *h,
                             const wsman_shell_spec *shell)
{
    size_t mark = out->len;
    if (!shell || !shell->input_streams || !shell->output_streams)
        return PSR_E_INVALID;
    int rc;
    if ((rc = wsman_put_request_head(out, h, WSMAN_ACTION_CREATE)) || (rc = put_shell(out, shell)) ||
        (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

int wsman_build_delete_shell(psr_buf *out, const wsman_request_header *h)
{
    size_t mark = out->len;
    if (!h || !h->shell_id)
        return PSR_E_INVALID;
    int rc;
    if ((rc = wsman_put_request_head(out, h, WSMAN_ACTION_DELETE)) || (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

static int put_command_line(psr_buf *out, const wsman_command_spec *cmd)
{
    int rc;
    if ((rc = psr_buf_puts(out, "<rsp:CommandLine")))
        return rc;
    if (cmd->command_id && (rc = wsman_put_attr(out, "CommandId", cmd->command_id)))
        return rc;
    if ((rc = psr_buf_putc(out, '>')) ||
        (rc = wsman_put_element(out, "rsp:Command", cmd->command ? cmd->command : "")))
        return rc;
    if (cmd->n_arguments > 0 && !cmd->arguments)
        return PSR_E_INVALID;
    for (size_t i = 0; i < cmd->n_arguments; i++) {
        if (!cmd->arguments[i])
            return PSR_E_INVALID;
        if ((rc = wsman_put_element(out, "rsp:Arguments", cmd->arguments[i])))
            return rc;
    }
    return psr_buf_puts(out, "</rsp:CommandLine>");
}

int wsman_build_command(psr_buf *out, const wsman_request_header *h,
                        const wsman_command_spec *cmd)
{
    size_t mark = out->len;
    if (!cmd || !h || !h->shell_id)
        return PSR_E_INVALID;
    int rc;
    if ((rc = wsman_put_request_head(out, h, WSMAN_ACTION_COMMAND)) ||
        (rc = put_command_line(out, cmd)) || (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

static int put_send(psr_buf *out, const char *command_id, const char *stream, const void *data,
                    size_t len, int end)
{
    int rc;
    if ((rc = psr_buf_puts(out, "<rsp:Send><rsp:Stream")) ||
        (rc = wsman_put_attr(out, "Name", stream)))
        return rc;
    if (command_id && (rc = wsman_put_attr(out, "CommandId", command_id)))
        return rc;
    if (end && (rc = psr_buf_puts(out, " End=\"true\"")))
        return rc;
    if ((rc = psr_buf_putc(out, '>')) || (len > 0 && (rc = psr_base64_encode(out, data, len))))
        return rc;
    return psr_buf_puts(out, "</rsp:Stream></rsp:Send>");
}

int wsman_build_send(psr_buf *out, const wsman_request_header *h, const char *command_id,
                     const char *stream, const void *data, size_t len, int end)
{
    size_t mark = out->len;
    if (!stream || (len > 0 && !data) || !h || !h->shell_id)
        return PSR_E_INVALID;
    int rc;
    if ((rc = wsman_put_request_head(out, h, WSMAN_ACTION_SEND)) ||
        (rc = put_send(out, command_id, stream, data, len, end)) || (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

int wsman_build_receive(psr_buf *out, const wsman_request_header *h, const char *command_id,
                        const char *streams)
{
    size_t mark = out->len;
    if (!streams || !h || !h->shell_id)
        return PSR_E_INVALID;
    int rc;
    if ((rc = wsman_put_request_head(out, h, WSMAN_ACTION_RECEIVE)) ||
        (rc = psr_buf_puts(out, "<rsp:Receive><rsp:DesiredStream")) ||
        (command_id && (rc = wsman_put_attr(out, "CommandId", command_id))) ||
        (rc = psr_buf_putc(out, '>')) || (rc = wsman_put_text(out, streams)) ||
        (rc = psr_buf_puts(out, "</rsp:DesiredStream></rsp:Receive>")) ||
        (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}

int wsman_build_signal(psr_buf *out, const wsman_request_header *h, const char *command_id,
                       const char *code)
{
    size_t mark = out->len;
    if (!code || !h || !h->shell_id)
        return PSR_E_INVALID;
    int rc;
    if ((rc = wsman_put_request_head(out, h, WSMAN_ACTION_SIGNAL)) ||
        (rc = psr_buf_puts(out, "<rsp:Signal")) ||
        (command_id && (rc = wsman_put_attr(out, "CommandId", command_id))) ||
        (rc = psr_buf_putc(out, '>')) || (rc = wsman_put_element(out, "rsp:Code", code)) ||
        (rc = psr_buf_puts(out, "</rsp:Signal>")) || (rc = wsman_put_tail(out)))
        return wsman_build_fail(out, mark, rc);
    return 0;
}
