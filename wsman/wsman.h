/* wsman.h: WS-Management and WinRS messages, built and parsed without I/O.
 *
 * This layer turns structs into SOAP envelopes and envelopes back into structs,
 * for both sides: the client (requests out, responses in) and psremote-harness
 * (requests in, responses out). It never touches sockets, clocks or random
 * numbers: message IDs and shell IDs are passed in by the caller, so every
 * envelope can be checked byte for byte.
 *
 * Ownership: builders append to a caller-owned psr_buf. Parsers fill a
 * caller-owned struct whose strings and arrays are heap memory owned by that
 * struct and released by its *_clear function (which also accepts a zeroed
 * struct, and may be called twice).
 *
 * XML is parsed by libxml2 with no network, no DTD loading and no entity
 * expansion, and with limits on size and depth (WSMAN_MAX_* below). */
#ifndef PSR_WSMAN_H
#define PSR_WSMAN_H

#include "common/buf.h"
#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>

/* ---- Namespaces and well-known URIs ---------------------------------- */
#define WSMAN_NS_SOAP "http://www.w3.org/2003/05/soap-envelope"
#define WSMAN_NS_ADDRESSING "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define WSMAN_NS_WSMAN "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define WSMAN_NS_MSWSMAN "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
#define WSMAN_NS_SHELL "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
#define WSMAN_NS_TRANSFER "http://schemas.xmlsoap.org/ws/2004/09/transfer"
#define WSMAN_NS_IDENTITY "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
#define WSMAN_NS_FAULT "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
#define WSMAN_NS_POWERSHELL "http://schemas.microsoft.com/powershell"
#define WSMAN_ANONYMOUS "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

#define WSMAN_RESOURCE_CMD "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
#define WSMAN_RESOURCE_POWERSHELL_PREFIX "http://schemas.microsoft.com/powershell/"

#define WSMAN_ACTION_CREATE "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
#define WSMAN_ACTION_CREATE_RESPONSE "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse"
#define WSMAN_ACTION_DELETE "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
#define WSMAN_ACTION_DELETE_RESPONSE "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse"
#define WSMAN_ACTION_COMMAND "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
#define WSMAN_ACTION_COMMAND_RESPONSE "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse"
#define WSMAN_ACTION_SEND "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"
#define WSMAN_ACTION_SEND_RESPONSE "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse"
#define WSMAN_ACTION_RECEIVE "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
#define WSMAN_ACTION_RECEIVE_RESPONSE "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse"
#define WSMAN_ACTION_SIGNAL "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
#define WSMAN_ACTION_SIGNAL_RESPONSE "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse"
#define WSMAN_ACTION_FAULT "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
#define WSMAN_ACTION_ADDRESSING_FAULT "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"

#define WSMAN_SIGNAL_CTRL_C "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c"
#define WSMAN_SIGNAL_TERMINATE "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/Terminate"
#define WSMAN_SIGNAL_PS_CTRL_C "powershell/signal/crtl_c" /* PowerShell's own spelling */

#define WSMAN_STATE_DONE "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
#define WSMAN_STATE_RUNNING "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
#define WSMAN_STATE_PENDING "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Pending"

/* WSManFault codes used by WinRM (decimal, as the Code attribute carries them).
 * Values are the HRESULTs of the Windows SDK's wsmerror.h (facility 0x33), or
 * Win32 error codes; the subcode WinRM pairs each with is noted. */
#define WSMAN_CODE_TIMED_OUT 2150858793u          /* 0x80338029 ERROR_WSMAN_OPERATION_TIMEDOUT,
                                                     w:TimedOut: Receive had no output in time */
#define WSMAN_CODE_SHELL_NOT_FOUND 2150858843u    /* 0x8033805B ERROR_WSMAN_UNEXPECTED_SELECTORS,
                                                     w:InvalidSelectors: unknown ShellId */
#define WSMAN_CODE_INVALID_SELECTORS 2150858813u  /* 0x8033803D ERROR_WSMAN_INVALID_SELECTORS */
#define WSMAN_CODE_ACCESS_DENIED 5u               /* ERROR_ACCESS_DENIED, w:AccessDenied */
#define WSMAN_CODE_ENCODING_LIMIT 2150858805u     /* 0x80338035 ERROR_WSMAN_ENCODING_LIMIT,
                                                     w:EncodingLimit: request too large */
#define WSMAN_CODE_MAX_ENVELOPE_EXCEEDED 2150858824u /* 0x80338048: reply would exceed the
                                                        request's MaxEnvelopeSize */
#define WSMAN_CODE_SCHEMA_VALIDATION 2150858817u  /* 0x80338041 ERROR_WSMAN_SCHEMA_VALIDATION_ERROR,
                                                     w:SchemaValidationError: malformed body */
#define WSMAN_CODE_UNSUPPORTED_ACTION 2150858771u /* 0x80338013 ERROR_WSMAN_ACTION_NOT_SUPPORTED,
                                                     a:ActionNotSupported */

/* Windows' texts for those faults (en-US), for servers that imitate it. */
#define WSMAN_TEXT_TIMED_OUT \
    "The WS-Management service cannot complete the operation within the time specified in " \
    "OperationTimeout."
#define WSMAN_TEXT_INVALID_SELECTORS \
    "The WS-Management service cannot process the request because the request contained " \
    "invalid selectors for the resource."
#define WSMAN_TEXT_SHELL_NOT_FOUND_FMT \
    "The request for the Windows Remote Shell with ShellId %s failed because the shell was " \
    "not found on the server. Possible causes are: the specified ShellId is incorrect or the " \
    "shell no longer exists on the server. Provide the correct ShellId or create a new shell " \
    "and retry the operation."
#define WSMAN_TEXT_ACCESS_DENIED "Access is denied."
#define WSMAN_TEXT_ENCODING_LIMIT \
    "The WS-Management service cannot process the request because the encoding of the " \
    "request exceeds an internal encoding limit. Reconfigure the client to send messages " \
    "which fit the encoding limits of the service."
#define WSMAN_TEXT_MAX_ENVELOPE_EXCEEDED \
    "The response that the WS-Management service computed exceeds the maximum envelope size " \
    "in the request."
#define WSMAN_TEXT_UNSUPPORTED_ACTION \
    "The WS-Management service does not support the action specified in the request."

/* ---- Limits ---------------------------------------------------------- */
#define WSMAN_MAX_DOCUMENT_SIZE (64u * 1024u * 1024u) /* refuse larger envelopes */
#define WSMAN_MAX_DEPTH 64                            /* element nesting */
#define WSMAN_DEFAULT_MAX_ENVELOPE 153600u            /* 150 KB */
#define WSMAN_DEFAULT_OPERATION_TIMEOUT_MS 180000u    /* PowerShell: 3 min */

/* xs:duration as WS-Man uses it for timeouts: format appends "PT180.000S" for
 * 180000 ms; parse reads PnDTnHnMn.nnnS forms ("PT20S", "P0DT0H0M1S") into
 * milliseconds and returns 0, or -1 for anything else or values above 2^32-1. */
int wsman_duration_format(psr_buf *out, uint32_t ms);
int wsman_duration_parse(const char *text, uint32_t *ms);

/* ---- Common header fields (requests) --------------------------------- */
typedef struct wsman_option {
    const char *name;
    const char *value;
    int must_comply; /* adds MustComply="true" */
} wsman_option;

typedef struct wsman_env_var {
    const char *name;
    const char *value;
} wsman_env_var;

/* What every request carries in its SOAP header. Strings are borrowed. */
typedef struct wsman_request_header {
    const char *to;            /* endpoint URL, e.g. http://host:5985/wsman */
    const char *resource_uri;  /* WSMAN_RESOURCE_CMD or a PowerShell configuration URI */
    const char *message_id;    /* "uuid:..." (caller generates) */
    const char *shell_id;      /* SelectorSet ShellId, or NULL */
    const wsman_option *options; /* OptionSet entries, or NULL */
    size_t n_options;
    uint32_t max_envelope_size;   /* bytes; 0 = WSMAN_DEFAULT_MAX_ENVELOPE */
    uint32_t operation_timeout_ms; /* 0 = WSMAN_DEFAULT_OPERATION_TIMEOUT_MS */
    const char *locale;        /* e.g. "en-US"; NULL = "en-US" */
    const char *data_locale;   /* NULL = same as locale */
    const char *session_id;    /* optional p:SessionId "uuid:..." (PowerShell sends it) */
} wsman_request_header;

/* ---- Client side: request builders (append one envelope to out) ------- */
/* All builders return 0, PSR_E_INVALID (a required field is NULL, every verb
 * after Create needs h->shell_id, or a value is not valid UTF-8 / holds a
 * control character XML cannot carry) or PSR_E_NOMEM; on error out is left
 * as it was. The same holds for the server-side response builders below. */

/* Identify (no WS-Addressing headers, as winrm id sends it). */
int wsman_build_identify(psr_buf *out);

/* rsp:Shell body of a Create. All fields optional except the streams. */
typedef struct wsman_shell_spec {
    const char *shell_id;          /* PSRP: the client picks the ShellId; NULL for WinRS */
    const char *name;              /* optional Name attribute */
    const char *input_streams;     /* "stdin" for WinRS, "stdin pr" for PSRP */
    const char *output_streams;    /* "stdout stderr" for WinRS, "stdout" for PSRP */
    const char *working_directory; /* WinRS only */
    const wsman_env_var *env;      /* WinRS only */
    size_t n_env;
    uint32_t idle_timeout_s;       /* 0 = omit */
    const char *creation_xml_b64;  /* PSRP: base64 creationXml, or NULL */
} wsman_shell_spec;

/* Points a built request at another endpoint: replaces the text of its
 * first a:To element with to (escaped), in place. For a redirect, when the
 * same request is sent again to the new URL. PSR_E_PARSE when the envelope
 * has no a:To. */
int wsman_request_retarget(psr_buf *envelope, const char *to);

int wsman_build_create_shell(psr_buf *out, const wsman_request_header *h,
                             const wsman_shell_spec *shell);
int wsman_build_delete_shell(psr_buf *out, const wsman_request_header *h);

/* rsp:CommandLine. WinRS: command and arguments as text. PSRP: command_id set,
 * command " " or NULL, and one argument holding base64 fragments. */
typedef struct wsman_command_spec {
    const char *command_id; /* optional CommandId attribute (PSRP pipeline GUID) */
    const char *command;
    const char *const *arguments;
    size_t n_arguments;
} wsman_command_spec;

int wsman_build_command(psr_buf *out, const wsman_request_header *h,
                        const wsman_command_spec *cmd);
/* rsp:Send of raw bytes (base64-encoded here) on one stream; end adds End="true". */
int wsman_build_send(psr_buf *out, const wsman_request_header *h, const char *command_id,
                     const char *stream, const void *data, size_t len, int end);
/* rsp:Receive of the given streams ("stdout stderr"), for a command or (NULL) the shell. */
int wsman_build_receive(psr_buf *out, const wsman_request_header *h, const char *command_id,
                        const char *streams);
/* rsp:Signal with a code (WSMAN_SIGNAL_*). */
int wsman_build_signal(psr_buf *out, const wsman_request_header *h, const char *command_id,
                       const char *code);

/* ---- Faults ---------------------------------------------------------- */
typedef struct wsman_fault {
    char *code;        /* SOAP Code value local name, e.g. "Receiver" / "Sender" */
    char *subcode;     /* SOAP Subcode local name, e.g. "TimedOut", "InvalidSelectors" */
    char *reason;      /* SOAP Reason text */
    uint32_t wsman_code; /* WSManFault Code attribute, 0 if absent */
    char *machine;     /* WSManFault Machine attribute */
    char *message;     /* WSManFault Message text (including ProviderFault text) */
    char *provider_fault; /* ProviderFault text when present */
} wsman_fault;

void wsman_fault_clear(wsman_fault *f);
/* Fills err with code PSR_E_FAULT, wsman_code, fault_subcode, machine and a
 * message such as "server fault from HOST: <message> (WSManFault 2150858793,
 * TimedOut)"; the message is the WSManFault Message, else the SOAP Reason.
 * Returns PSR_E_FAULT. */
int wsman_fault_to_error(const wsman_fault *f, psr_error *err);

/* ---- Client side: parsing responses ---------------------------------- */
typedef enum wsman_response_kind {
    WSMAN_RESP_UNKNOWN = 0,
    WSMAN_RESP_FAULT,
    WSMAN_RESP_IDENTIFY,
    WSMAN_RESP_CREATE,
    WSMAN_RESP_DELETE,
    WSMAN_RESP_COMMAND,
    WSMAN_RESP_SEND,
    WSMAN_RESP_RECEIVE,
    WSMAN_RESP_SIGNAL
} wsman_response_kind;

typedef struct wsman_stream_chunk {
    char *name;        /* "stdout", "stderr", "pr", ... */
    char *command_id;  /* CommandId attribute or NULL */
    psr_buf data;      /* decoded bytes */
    int end;           /* End="true" */
} wsman_stream_chunk;

typedef struct wsman_response {
    wsman_response_kind kind;
    char *action;
    char *relates_to;
    wsman_fault fault;             /* kind == WSMAN_RESP_FAULT */
    /* Identify */
    char *protocol_version, *product_vendor, *product_version;
    /* Create: ShellId from the SelectorSet of ResourceCreated or from rsp:Shell */
    char *shell_id;
    char *shell_resource_uri;
    /* Command */
    char *command_id;
    /* Receive */
    wsman_stream_chunk *streams;
    size_t n_streams;
    int has_command_state;
    char *command_state;           /* WSMAN_STATE_* URI */
    char *command_state_id;        /* CommandId of the state element */
    int has_exit_code;
    int exit_code;
} wsman_response;

/* Parses one response envelope. Returns 0 (out->kind tells what it was; a
 * fault is returned as kind WSMAN_RESP_FAULT, not as an error) or PSR_E_PARSE /
 * PSR_E_LIMIT / PSR_E_NOMEM with err filled. */
int wsman_parse_response(const char *xml, size_t len, wsman_response *out, psr_error *err);
void wsman_response_clear(wsman_response *r);

/* A reader keeps one XML parser (and its table of element names) from
 * response to response, which makes reading each one cheaper; a client
 * that reads many replies owns one. It holds no reply data between calls
 * and is used by one thread at a time. wsman_reader_new returns NULL when
 * out of memory; wsman_reader_free(NULL) does nothing. */
typedef struct wsman_reader wsman_reader;
wsman_reader *wsman_reader_new(void);
void wsman_reader_free(wsman_reader *r);
/* wsman_parse_response through reader (NULL: a parser of its own). */
int wsman_reader_parse(wsman_reader *reader, const char *xml, size_t len, wsman_response *out,
                       psr_error *err);

/* ---- Server side (psremote-harness): parsing requests ---------------- */
typedef enum wsman_request_kind {
    WSMAN_REQ_UNKNOWN = 0,
    WSMAN_REQ_IDENTIFY,
    WSMAN_REQ_CREATE,
    WSMAN_REQ_DELETE,
    WSMAN_REQ_COMMAND,
    WSMAN_REQ_SEND,
    WSMAN_REQ_RECEIVE,
    WSMAN_REQ_SIGNAL
} wsman_request_kind;

typedef struct wsman_parsed_option {
    char *name;
    char *value;
    int must_comply;
} wsman_parsed_option;

typedef struct wsman_parsed_env {
    char *name;
    char *value;
} wsman_parsed_env;

typedef struct wsman_request {
    wsman_request_kind kind;
    char *action;
    char *to;
    char *message_id;
    char *reply_to;
    char *resource_uri;
    char *shell_id;              /* from the SelectorSet */
    wsman_parsed_option *options;
    size_t n_options;
    uint32_t max_envelope_size;  /* 0 if absent */
    uint32_t operation_timeout_ms; /* 0 if absent */
    char *locale;                /* xml:lang of w:Locale */
    char *data_locale;           /* xml:lang of p:DataLocale */
    char *session_id;            /* p:SessionId */
    /* Create */
    char *requested_shell_id;    /* ShellId attribute of rsp:Shell (PSRP) */
    char *input_streams, *output_streams;
    char *working_directory;
    uint32_t idle_timeout_ms;    /* rsp:IdleTimeOut, 0 if absent */
    wsman_parsed_env *env;
    size_t n_env;
    char *creation_xml;          /* text of <creationXml> (base64), or NULL */
    /* Command */
    char *command_id;            /* CommandId attribute (Command), or of Send/Receive/Signal */
    char *command;
    char **arguments;
    size_t n_arguments;
    /* Send */
    wsman_stream_chunk *streams;
    size_t n_streams;
    /* Receive */
    char *desired_streams;
    /* Signal */
    char *signal_code;
} wsman_request;

/* Parses one request envelope. An action this layer does not know returns 0
 * with kind WSMAN_REQ_UNKNOWN (answer it with an ActionNotSupported fault).
 * Errors: PSR_E_PARSE (malformed XML, a DTD, not a SOAP 1.2 envelope, Header or
 * Body missing, no Action on a non-Identify request, the verb's body element
 * missing, bad base64, unreadable MaxEnvelopeSize/OperationTimeout),
 * PSR_E_LIMIT (size/depth) or PSR_E_NOMEM; out is then cleared. */
int wsman_parse_request(const char *xml, size_t len, wsman_request *out, psr_error *err);
void wsman_request_clear(wsman_request *r);
/* Value of an OptionSet entry by name (case-insensitive), or NULL. */
const char *wsman_request_option(const wsman_request *r, const char *name);

/* ---- Server side: response builders ---------------------------------- */
/* Every response carries Action, MessageID (server-generated, passed in) and
 * RelatesTo = the request's MessageID. */
typedef struct wsman_response_header {
    const char *action;        /* WSMAN_ACTION_*_RESPONSE */
    const char *message_id;    /* "uuid:..." */
    const char *relates_to;    /* request MessageID */
} wsman_response_header;

int wsman_build_identify_response(psr_buf *out, const char *product_vendor,
                                  const char *product_version);
/* CreateResponse with ResourceCreated (address + ShellId selector) and rsp:Shell. */
int wsman_build_create_response(psr_buf *out, const wsman_response_header *h,
                                const char *address, const char *resource_uri,
                                const char *shell_id, const char *input_streams,
                                const char *output_streams);
int wsman_build_command_response(psr_buf *out, const wsman_response_header *h,
                                 const char *command_id);
/* Send / Signal / Delete responses have empty bodies (Send has rsp:SendResponse). */
int wsman_build_empty_response(psr_buf *out, const wsman_response_header *h);

typedef struct wsman_out_stream {
    const char *name;
    const char *command_id;
    const void *data;
    size_t len;
    int end;
} wsman_out_stream;

/* ReceiveResponse with streams; state (WSMAN_STATE_*) and exit code optional
 * (state NULL = no CommandState; exit_code < 0 with DONE = no ExitCode). */
int wsman_build_receive_response(psr_buf *out, const wsman_response_header *h,
                                 const wsman_out_stream *streams, size_t n_streams,
                                 const char *command_id, const char *state, int exit_code);

/* A SOAP fault shaped like WinRM's: Code Sender/Receiver, Subcode
 * (e.g. "w:TimedOut", "w:InvalidSelectors", "w:AccessDenied",
 * "w:EncodingLimit"), Reason text, and a WSManFault detail with Code, Machine
 * and Message. relates_to may be NULL. */
typedef struct wsman_fault_spec {
    const char *code;           /* "s:Sender" or "s:Receiver" */
    const char *subcode;        /* qualified, e.g. "w:TimedOut" */
    const char *reason;
    uint32_t wsman_code;
    const char *machine;
    const char *message;
} wsman_fault_spec;

int wsman_build_fault(psr_buf *out, const wsman_response_header *h, const wsman_fault_spec *f);

#endif
