/* faults.c: the SOAP faults psremote-harness sends, shaped like WinRM's.
 *
 * Codes and texts come from what Windows sends (captured in clients' test
 * fixtures: masterzen/winrm's OperationTimeout fixture, pypsrp's and
 * WinRb/WinRM's reports of the unknown-ShellId and unknown-CommandId
 * faults, microsoft/omi's capture of the unknown-resource fault, pywinrm's
 * captures of cmd-plugin faults, node-soap's of the invalid-XML fault) and from
 * the ERROR_WSMAN_* table of the Windows SDK (wsmerror.h:
 * code, SOAP subcode, message). */
#include "src/harness/harness.h"

#include "common/uuid.h"
#include "wsman/wsman.h"

#include <stdio.h>
#include <string.h>

/* WSManFault codes (decimal, as the Code attribute carries them) that
 * wsman/wsman.h does not name. */
#define CODE_RESOURCE_NOT_FOUND 2150858752u       /* 0x80338000, sent with DestinationUnreachable */
#define CODE_INVALID_XML 2150858819u              /* 0x80338043 */
#define CODE_DIRECTORY_INVALID 2147942667u        /* HRESULT_FROM_WIN32(ERROR_DIRECTORY) */
#define CODE_E_FAIL 2147500037u                   /* 0x80004005 */
#define CODE_INVALID_PARAMETER 87u                /* ERROR_INVALID_PARAMETER, from the cmd plugin */
#define CODE_ACCESS_DENIED 5u                     /* ERROR_ACCESS_DENIED */

/* Windows' texts end with a space (two after OperationTimeout.); kept so a
 * client that compares whole texts sees what it sees from Windows. */
#define REASON_INVALID_SELECTORS \
    "The WS-Management service cannot process the request because the request " \
    "contained invalid selectors for the resource. "
#define TEXT_TIMED_OUT \
    "The WS-Management service cannot complete the operation within the time " \
    "specified in OperationTimeout.  "
#define TEXT_ENCODING_LIMIT \
    "The WS-Management service cannot process the request because the encoding " \
    "of the request exceeds an internal encoding limit. Reconfigure the client " \
    "to send messages which fit the encoding limits of the service. "

typedef struct fault_def {
    int http_status;
    const char *action;
    const char *code, *subcode;
    uint32_t wsman_code;
    const char *reason;
    const char *message_fmt; /* %s = detail; NULL = same as reason */
} fault_def;

static const fault_def *fault_def_for(harness_fault_kind kind)
{
    static const fault_def defs[] = {
        [HARNESS_FAULT_TIMED_OUT] = {500, WSMAN_ACTION_FAULT, "s:Receiver", "w:TimedOut",
                                     WSMAN_CODE_TIMED_OUT, TEXT_TIMED_OUT, NULL},
        [HARNESS_FAULT_SHELL_NOT_FOUND] = {
            500, WSMAN_ACTION_FAULT, "s:Sender", "w:InvalidSelectors",
            WSMAN_CODE_SHELL_NOT_FOUND, REASON_INVALID_SELECTORS,
            "The request for the Windows Remote Shell with ShellId %s failed because the "
            "shell was not found on the server. Possible causes are: the specified ShellId "
            "is incorrect or the shell no longer exists on the server. Provide the correct "
            "ShellId or create a new shell and retry the operation. "},
        [HARNESS_FAULT_COMMAND_NOT_FOUND] = {
            500, WSMAN_ACTION_FAULT, "s:Sender", "w:InvalidSelectors",
            WSMAN_CODE_SHELL_NOT_FOUND, REASON_INVALID_SELECTORS,
            "The Windows Remote Shell received a request to perform an operation on a "
            "command identifier that does not exist. Either the command has completed "
            "execution or the client specified an invalid command identifier. %.0s"},
        /* Windows answers an over-size request with HTTP 413 (its client maps
         * that to ERROR_WSMAN_HTTP_REQUEST_TOO_LARGE_STATUS); the fault body
         * says the same thing to a reader. */
        [HARNESS_FAULT_ENCODING_LIMIT] = {413, WSMAN_ACTION_FAULT, "s:Sender", "w:EncodingLimit",
                                          WSMAN_CODE_ENCODING_LIMIT, TEXT_ENCODING_LIMIT,
                                          TEXT_ENCODING_LIMIT "%s"},
        [HARNESS_FAULT_ACTION_NOT_SUPPORTED] = {
            500, WSMAN_ACTION_ADDRESSING_FAULT, "s:Sender", "a:ActionNotSupported",
            WSMAN_CODE_UNSUPPORTED_ACTION,
            "The WS-Management service does not support the action specified in the request. ",
            "The WS-Management service does not support the action specified in the "
            "request: %s "},
        /* As Windows answers a resource it has no provider for (a capture
         * kept in microsoft/omi's tests). */
        [HARNESS_FAULT_DESTINATION_UNREACHABLE] = {
            500, WSMAN_ACTION_ADDRESSING_FAULT, "s:Sender", "a:DestinationUnreachable",
            CODE_RESOURCE_NOT_FOUND,
            "The WS-Management service cannot process the request. The service cannot find "
            "the resource identified by the resource URI and selectors. ",
            "The WS-Management service cannot process the request. The service cannot find "
            "the resource identified by the resource URI and selectors. Resource URI: %s "},
        [HARNESS_FAULT_SHELLID_REQUIRED] = {
            500, WSMAN_ACTION_FAULT, "s:Sender", "w:InvalidSelectors",
            WSMAN_CODE_SHELL_NOT_FOUND, REASON_INVALID_SELECTORS,
            "The Windows Remote Shell cannot process the request because it requires the "
            "following selector: ShellId. Retry with the correct selector. %.0s"},
        /* Windows answers XML it cannot read with Sender / w:InternalError. */
        [HARNESS_FAULT_INVALID_XML] = {
            500, WSMAN_ACTION_FAULT, "s:Sender", "w:InternalError", CODE_INVALID_XML,
            "The WS-Management service cannot process the request because the XML is invalid. ",
            "The WS-Management service cannot process the request because the XML is "
            "invalid: %s "},
        /* What the cmd shell plugin answers for a value it cannot use (an
         * empty Command, for one). */
        [HARNESS_FAULT_INVALID_PARAMETER] = {500, WSMAN_ACTION_FAULT, "s:Sender",
                                             "w:InvalidParameter", CODE_INVALID_PARAMETER,
                                             "The parameter is incorrect. ",
                                             "The parameter is incorrect: %s "},
        [HARNESS_FAULT_BAD_DIRECTORY] = {500, WSMAN_ACTION_FAULT, "s:Receiver",
                                         "w:InternalError", CODE_DIRECTORY_INVALID,
                                         "The directory name is invalid. ",
                                         "The directory name is invalid: %s "},
        [HARNESS_FAULT_INTERNAL] = {500, WSMAN_ACTION_FAULT, "s:Receiver", "w:InternalError",
                                    CODE_E_FAIL, "The WS-Management service failed internally. ",
                                    "The WS-Management service failed internally: %s "},
        /* WinRM with AllowUnencrypted=false answers an unsealed body on
         * HTTP with status 500 (reported by pywinrm and winrm4j users,
         * diyan/pywinrm#129, cloudsoft/winrm4j#151); the fault text is
         * ours, saying what the service policy is. */
        [HARNESS_FAULT_UNENCRYPTED] = {
            500, WSMAN_ACTION_FAULT, "s:Sender", "w:AccessDenied", CODE_ACCESS_DENIED,
            "Access is denied. ",
            "Access is denied: unencrypted traffic is disabled in the service configuration "
            "(AllowUnencrypted=false); seal the message or use HTTPS. %s"},
    };
    if ((unsigned)kind >= sizeof(defs) / sizeof(defs[0]))
        kind = HARNESS_FAULT_INTERNAL;
    return &defs[kind];
}

int harness_fault_build(psr_buf *out, harness_fault_kind kind, const char *relates_to,
                        const char *machine, const char *detail)
{
    const fault_def *d = fault_def_for(kind);
    char message[2048];
    if (d->message_fmt) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(message, sizeof(message), d->message_fmt, detail ? detail : "");
#pragma GCC diagnostic pop
    } else {
        snprintf(message, sizeof(message), "%s", d->reason);
    }
    psr_uuid u;
    char id[PSR_UUID_STRLEN], message_id[PSR_UUID_STRLEN + 5];
    if (psr_uuid_generate(&u) < 0)
        memset(&u, 0, sizeof(u));
    psr_uuid_format(&u, 1, id);
    snprintf(message_id, sizeof(message_id), "uuid:%s", id);
    wsman_response_header h = {d->action, message_id, relates_to};
    wsman_fault_spec f = {d->code, d->subcode, d->reason, d->wsman_code,
                          machine ? machine : "localhost", message};
    if (wsman_build_fault(out, &h, &f) < 0)
        return 500; /* out of memory: an empty 500 is all that can be said */
    return d->http_status;
}
