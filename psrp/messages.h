/* messages.h: builders and parsers for the data of every PSRP message a
 * client sends or receives (MS-PSRP 2.2.2.x), on the CLIXML value model of
 * psrp/value.h.
 *
 * Builders take C structs and append the message's UTF-8 CLIXML to a psr_buf
 * (the data part only; psrp/message.h adds the 40-byte header). Parsers take
 * the data (as psrp_message_parse left it, BOM removed) and fill a C struct
 * with the fields a client needs plus `value`, the whole parsed tree.
 * Every parser's first argument `rd` is a CLIXML reader to parse with and
 * reuse (psrp_clixml_parse_with: the runspace pool keeps one for all the
 * messages of the pool and its pipelines), or NULL for a reader of its own;
 * the result and the errors are the same either way.
 *
 * Ownership of parsed structs: the struct holds one reference to `value`;
 * every `const char *` in it points into that tree (borrowed), every
 * `psrp_value *` other than `value` is borrowed from it too. Release with the
 * matching psrp_msg_*_clear (NULL-safe, idempotent). Builders never take
 * ownership of what the caller passes in (they add references as needed).
 *
 * Property names are matched case-insensitively (PowerShell does). Missing
 * optional properties leave fields at their "absent" value, documented per
 * field. A required property that is missing or of the wrong kind makes the
 * parser fail with PSR_E_PROTOCOL naming the message and property.
 *
 * Protocol versions matter to a few builders: MergeError/Warning/Verbose/
 * Debug exist from protocol 2.2 and MergeInformation from 2.3
 * (PowerShell's Command serializer omits them for older peers), and several
 * statements in one pipeline (ExtraCmds) need 2.2. Builders take the
 * negotiated version as "major.minor" text. */
#ifndef PSR_PSRP_MESSAGES_H
#define PSR_PSRP_MESSAGES_H

#include "common/buf.h"
#include "psremote/error.h"
#include "psrp/clixml.h"
#include "psrp/value.h"

#include <stddef.h>
#include <stdint.h>

/* ---- enumerations (MS-PSRP 2.2.3) ---------------------------------------- */

typedef enum psrp_pool_state { /* 2.2.3.4 RunspacePoolState */
    PSRP_POOL_BEFORE_OPEN = 0,
    PSRP_POOL_OPENING = 1,
    PSRP_POOL_OPENED = 2,
    PSRP_POOL_CLOSED = 3,
    PSRP_POOL_CLOSING = 4,
    PSRP_POOL_BROKEN = 5,
    PSRP_POOL_NEGOTIATION_SENT = 6,
    PSRP_POOL_NEGOTIATION_SUCCEEDED = 7,
    PSRP_POOL_CONNECTING = 8,
    PSRP_POOL_DISCONNECTED = 9,
} psrp_pool_state;

typedef enum psrp_pipeline_state { /* 2.2.3.5 PSInvocationState */
    PSRP_PIPELINE_NOT_STARTED = 0,
    PSRP_PIPELINE_RUNNING = 1,
    PSRP_PIPELINE_STOPPING = 2,
    PSRP_PIPELINE_STOPPED = 3,
    PSRP_PIPELINE_COMPLETED = 4,
    PSRP_PIPELINE_FAILED = 5,
    PSRP_PIPELINE_DISCONNECTED = 6,
} psrp_pipeline_state;

enum { /* 2.2.3.6 PSThreadOptions */
    PSRP_THREAD_DEFAULT = 0, PSRP_THREAD_USE_NEW = 1, PSRP_THREAD_REUSE = 2, PSRP_THREAD_USE_CURRENT = 3
};
enum { /* 2.2.3.7 ApartmentState */
    PSRP_APARTMENT_STA = 0, PSRP_APARTMENT_MTA = 1, PSRP_APARTMENT_UNKNOWN = 2
};
enum { /* 2.2.3.8 RemoteStreamOptions (flags) */
    PSRP_STREAM_OPT_NONE = 0, PSRP_STREAM_OPT_ADD_INVOCATION_INFO = 15
};
enum { /* 2.2.3.31 PipelineResultTypes */
    PSRP_RESULT_NONE = 0, PSRP_RESULT_OUTPUT = 1, PSRP_RESULT_ERROR = 2, PSRP_RESULT_WARNING = 3,
    PSRP_RESULT_VERBOSE = 4, PSRP_RESULT_DEBUG = 5, PSRP_RESULT_INFORMATION = 6, PSRP_RESULT_ALL = 7,
    PSRP_RESULT_NULL = 8
};

const char *psrp_pool_state_name(int32_t state);     /* "Opened", ...; "Unknown" */
const char *psrp_pipeline_state_name(int32_t state); /* "Completed", ...; "Unknown" */
/* RemoteHostMethodId (2.2.3.17) 1..56: "ReadLine", ...; NULL when unknown. */
const char *psrp_host_method_name(int32_t id);
/* Host calls with this call id expect no response (void methods). */
#define PSRP_HOST_CALL_VOID_CI (-100)

/* Protocol version helpers: "2.3" -> 203 (major * 100 + minor); -1 when bad. */
int psrp_version_code(const char *text);

/* ---- shared pieces -------------------------------------------------------- */

/* HostInfo (2.2.3.14). A zeroed struct means "no host" (all flags true). */
typedef struct psrp_host_info {
    int has_host;            /* 0: _isHostNull/_isHostUINull/_isHostRawUINull true */
    int has_ui, has_raw_ui;  /* meaningful when has_host */
    int use_runspace_host;   /* _useRunspaceHost */
    psrp_value *default_data; /* _hostDefaultData object or NULL (borrowed) */
} psrp_host_info;

/* ErrorRecord (2.2.3.15), flattened for display. Strings NULL when absent;
 * numbers -1 when absent. */
typedef struct psrp_error_record {
    psrp_value *value;                 /* owned reference to the record */
    const char *message;               /* Exception.Message, else the record's ToString */
    const char *exception_type;        /* Exception's first type name, "Deserialized." stripped */
    const char *fully_qualified_error_id;
    int32_t category;                  /* ErrorCategory_Category, 0 = NotSpecified */
    const char *category_activity, *category_reason, *category_target_name, *category_target_type;
    const char *category_message;      /* "NotSpecified: (:) [Write-Error], WriteErrorException" */
    const char *details_message;       /* ErrorDetails_Message */
    const char *recommended_action;    /* ErrorDetails_RecommendedAction */
    const char *script_stack_trace;    /* ErrorDetails_ScriptStackTrace */
    const char *position_message;      /* InvocationInfo PositionMessage */
    const char *script_name;
    const char *line;                  /* the script line */
    int32_t script_line_number, offset_in_line;
} psrp_error_record;

/* Reads an ErrorRecord object (takes a new reference to v). */
int psrp_error_record_from_value(psrp_error_record *r, psrp_value *v, psr_error *err);
void psrp_error_record_clear(psrp_error_record *r);

/* What a server (or a test) fills to build an ErrorRecord. */
typedef struct psrp_error_record_spec {
    const char *message;                 /* Exception.Message and ToString */
    const char *exception_type;          /* e.g. "System.Management.Automation.RuntimeException" */
    const char *fully_qualified_error_id;
    int32_t category;
    const char *category_activity, *category_reason, *category_target_name, *category_target_type;
    const char *category_message;        /* NULL: built as PowerShell does */
    const char *script_stack_trace;      /* NULL: omitted */
    const char *position_message;        /* NULL: no InvocationInfo */
    int32_t script_line_number, offset_in_line;
} psrp_error_record_spec;

/* New ErrorRecord value (one reference), or NULL on no memory. */
psrp_value *psrp_error_record_build(const psrp_error_record_spec *s);

/* ---- session and runspace pool messages ----------------------------------- */

typedef struct psrp_msg_session_capability { /* 2.2.2.1 */
    psrp_value *value;
    const char *protocol_version;      /* "2.3" */
    const char *ps_version;            /* "2.0" */
    const char *serialization_version; /* "1.1.0.1" */
    psrp_value *time_zone;             /* BA or NULL */
} psrp_msg_session_capability;
int psrp_msg_session_capability_build(psr_buf *out, const char *protocol_version, const char *ps_version,
                                      const char *serialization_version, psr_error *err);
int psrp_msg_session_capability_parse(psrp_clixml_reader *rd, psrp_msg_session_capability *m, const char *data,
                                      size_t len, psr_error *err);
void psrp_msg_session_capability_clear(psrp_msg_session_capability *m);

typedef struct psrp_msg_init_pool { /* 2.2.2.2 INIT_RUNSPACEPOOL */
    psrp_value *value;
    int32_t min_runspaces, max_runspaces;
    int32_t thread_options, apartment_state;
    psrp_host_info host_info;
    psrp_value *application_arguments; /* PSPrimitiveDictionary or NULL for Nil */
} psrp_msg_init_pool;
int psrp_msg_init_pool_build(psr_buf *out, const psrp_msg_init_pool *m, psr_error *err);
int psrp_msg_init_pool_parse(psrp_clixml_reader *rd, psrp_msg_init_pool *m, const char *data, size_t len,
                             psr_error *err);
void psrp_msg_init_pool_clear(psrp_msg_init_pool *m);

/* 2.2.2.3 PUBLIC_KEY and 2.2.2.4 ENCRYPTED_SESSION_KEY: one base64 string
 * property each. The builders base64-encode the blob; the parsers decode it
 * into `blob` (owned). */
typedef struct psrp_msg_key_blob {
    psrp_value *value;
    psr_buf blob;
} psrp_msg_key_blob;
int psrp_msg_public_key_build(psr_buf *out, const void *blob, size_t len, psr_error *err);
int psrp_msg_public_key_parse(psrp_clixml_reader *rd, psrp_msg_key_blob *m, const char *data, size_t len,
                              psr_error *err);
int psrp_msg_encrypted_session_key_build(psr_buf *out, const void *blob, size_t len, psr_error *err);
int psrp_msg_encrypted_session_key_parse(psrp_clixml_reader *rd, psrp_msg_key_blob *m, const char *data, size_t len,
                                         psr_error *err);
void psrp_msg_key_blob_clear(psrp_msg_key_blob *m);

/* 2.2.2.5 PUBLIC_KEY_REQUEST: an empty string <S></S>. */
int psrp_msg_public_key_request_build(psr_buf *out, psr_error *err);
int psrp_msg_public_key_request_parse(psrp_clixml_reader *rd, const char *data, size_t len, psr_error *err);

/* 2.2.2.6/7 SET_MAX/MIN_RUNSPACES, 2.2.2.11 GET_AVAILABLE_RUNSPACES,
 * 2.2.2.29 CONNECT_RUNSPACEPOOL, 2.2.2.30 RUNSPACEPOOL_INIT_DATA,
 * 2.2.2.31 RESET_RUNSPACE_STATE: small objects of counts and call ids. */
typedef struct psrp_msg_pool_numbers {
    psrp_value *value;
    int64_t ci;                        /* -1 when absent */
    int32_t min_runspaces, max_runspaces; /* -1 when absent */
} psrp_msg_pool_numbers;
int psrp_msg_set_max_runspaces_build(psr_buf *out, int32_t max, int64_t ci, psr_error *err);
int psrp_msg_set_min_runspaces_build(psr_buf *out, int32_t min, int64_t ci, psr_error *err);
int psrp_msg_get_available_runspaces_build(psr_buf *out, int64_t ci, psr_error *err);
int psrp_msg_reset_runspace_state_build(psr_buf *out, int64_t ci, psr_error *err);
int psrp_msg_pool_init_data_build(psr_buf *out, int32_t min, int32_t max, psr_error *err);
/* min/max < 0 leave the property out (2.2.2.29: both optional). */
int psrp_msg_connect_pool_build(psr_buf *out, int32_t min, int32_t max, psr_error *err);
int psrp_msg_pool_numbers_parse(psrp_clixml_reader *rd, psrp_msg_pool_numbers *m, const char *data, size_t len,
                                psr_error *err);
void psrp_msg_pool_numbers_clear(psrp_msg_pool_numbers *m);

typedef struct psrp_msg_runspace_availability { /* 2.2.2.8 */
    psrp_value *value;
    int64_t ci;
    int is_bool;        /* SetMinMaxRunspacesResponse was a B (answer to SET_MAX/MIN) */
    int ok;             /* the B, when is_bool */
    int64_t available;  /* the I64, answer to GET_AVAILABLE_RUNSPACES */
} psrp_msg_runspace_availability;
int psrp_msg_runspace_availability_build_bool(psr_buf *out, int64_t ci, int ok, psr_error *err);
int psrp_msg_runspace_availability_build_count(psr_buf *out, int64_t ci, int64_t available, psr_error *err);
int psrp_msg_runspace_availability_parse(psrp_clixml_reader *rd, psrp_msg_runspace_availability *m, const char *data,
                                         size_t len, psr_error *err);
void psrp_msg_runspace_availability_clear(psrp_msg_runspace_availability *m);

typedef struct psrp_msg_pool_state { /* 2.2.2.9 RUNSPACEPOOL_STATE */
    psrp_value *value;
    int32_t state;
    int has_error;
    psrp_error_record error; /* ExceptionAsErrorRecord, e.g. why it is Broken */
} psrp_msg_pool_state;
/* error NULL: no ExceptionAsErrorRecord. */
int psrp_msg_pool_state_build(psr_buf *out, int32_t state, const psrp_error_record_spec *error, psr_error *err);
int psrp_msg_pool_state_parse(psrp_clixml_reader *rd, psrp_msg_pool_state *m, const char *data, size_t len,
                              psr_error *err);
void psrp_msg_pool_state_clear(psrp_msg_pool_state *m);

typedef struct psrp_msg_user_event { /* 2.2.2.12 USER_EVENT */
    psrp_value *value;
    int32_t event_identifier;          /* -1 when absent */
    const char *source_identifier, *time_generated, *computer_name, *runspace_id;
    psrp_value *sender, *source_args, *message_data;
} psrp_msg_user_event;
int psrp_msg_user_event_parse(psrp_clixml_reader *rd, psrp_msg_user_event *m, const char *data, size_t len,
                              psr_error *err);
void psrp_msg_user_event_clear(psrp_msg_user_event *m);

typedef struct psrp_msg_app_private_data { /* 2.2.2.13 APPLICATION_PRIVATE_DATA */
    psrp_value *value;
    psrp_value *data;        /* the ApplicationPrivateData dictionary (may be NULL for Nil) */
    const char *ps_version;  /* PSVersionTable.PSVersion when present */
    const char *protocol_version; /* PSVersionTable.PSRemotingProtocolVersion */
} psrp_msg_app_private_data;
/* data: a dictionary value or NULL for an empty one. */
int psrp_msg_app_private_data_build(psr_buf *out, psrp_value *data, psr_error *err);
int psrp_msg_app_private_data_parse(psrp_clixml_reader *rd, psrp_msg_app_private_data *m, const char *data,
                                    size_t len, psr_error *err);
void psrp_msg_app_private_data_clear(psrp_msg_app_private_data *m);

typedef struct psrp_msg_command_metadata { /* 2.2.2.14 GET_COMMAND_METADATA */
    const char *const *names;     /* NULL-terminated wildcard patterns */
    int32_t command_type;         /* CommandTypes flags, e.g. 0x1FF (All) or 0x2F */
    const char *const *namespaces; /* NULL-terminated, or NULL */
} psrp_msg_command_metadata;
int psrp_msg_command_metadata_build(psr_buf *out, const psrp_msg_command_metadata *m, psr_error *err);

/* ---- host calls (2.2.2.15/16, 2.2.2.27/28) -------------------------------- */

typedef struct psrp_msg_host_call {
    psrp_value *value;
    int64_t ci;               /* PSRP_HOST_CALL_VOID_CI: no answer expected */
    int32_t method_id;
    const char *method_name;  /* from the spec's table, or the wire's ToString */
    psrp_value *params;       /* the mp list (borrowed) */
} psrp_msg_host_call;
/* params: a list value, or NULL for an empty list. */
int psrp_msg_host_call_build(psr_buf *out, int64_t ci, int32_t method_id, psrp_value *params, psr_error *err);
int psrp_msg_host_call_parse(psrp_clixml_reader *rd, psrp_msg_host_call *m, const char *data, size_t len,
                             psr_error *err);
void psrp_msg_host_call_clear(psrp_msg_host_call *m);

typedef struct psrp_msg_host_response {
    psrp_value *value;
    int64_t ci;
    int32_t method_id;
    psrp_value *result;       /* mr, or NULL */
    int has_error;
    psrp_error_record error;  /* me */
} psrp_msg_host_response;
/* result NULL: no mr (void); error NULL: no me. */
int psrp_msg_host_response_build(psr_buf *out, int64_t ci, int32_t method_id, psrp_value *result,
                                 const psrp_error_record_spec *error, psr_error *err);
int psrp_msg_host_response_parse(psrp_clixml_reader *rd, psrp_msg_host_response *m, const char *data, size_t len,
                                 psr_error *err);
void psrp_msg_host_response_clear(psrp_msg_host_response *m);

/* ---- pipelines ------------------------------------------------------------ */

typedef struct psrp_command_arg {
    const char *name;   /* NULL: a positional argument (N is Nil) */
    psrp_value *value;  /* NULL: Nil (a switch given as -Name:$null); borrowed */
} psrp_command_arg;

typedef struct psrp_command { /* 2.2.3.12 Command */
    const char *cmd;          /* command name or script text */
    int is_script;
    int use_local_scope;      /* -1: Nil, 0/1: B */
    int32_t merge_my_result, merge_to_result, merge_previous_results;
    int32_t merge_error, merge_warning, merge_verbose, merge_debug, merge_information;
    const psrp_command_arg *args;
    size_t n_args;
    int end_of_statement;     /* the next command starts a new statement */
} psrp_command;

typedef struct psrp_msg_create_pipeline { /* 2.2.2.10 CREATE_PIPELINE, 2.2.3.11 */
    const psrp_command *commands;
    size_t n_commands;
    int is_nested;
    const char *history;      /* NULL: Nil */
    int redirect_shell_error_output_pipe;
    int no_input;
    int32_t apartment_state;
    int32_t remote_stream_options;
    int add_to_history;
    psrp_host_info host_info;
} psrp_msg_create_pipeline;
/* protocol_version: the server's, "2.1" / "2.2" / "2.3" (NULL: "2.3"). */
int psrp_msg_create_pipeline_build(psr_buf *out, const psrp_msg_create_pipeline *m, const char *protocol_version,
                                   psr_error *err);

/* The parsed form (what a server receives). Commands are flattened over all
 * statements; strings and values borrowed from `value`. */
typedef struct psrp_parsed_pipeline {
    psrp_value *value;
    psrp_msg_create_pipeline p;
    psrp_command *commands;      /* owned array (p.commands points here) */
    psrp_command_arg *args;      /* owned array all commands' args point into */
} psrp_parsed_pipeline;
int psrp_msg_create_pipeline_parse(psrp_clixml_reader *rd, psrp_parsed_pipeline *m, const char *data, size_t len,
                                   psr_error *err);
void psrp_parsed_pipeline_clear(psrp_parsed_pipeline *m);

/* 2.2.2.17 PIPELINE_INPUT and 2.2.2.19 PIPELINE_OUTPUT carry one serialized
 * value; 2.2.2.18 END_OF_PIPELINE_INPUT carries nothing. */
int psrp_msg_object_build(psr_buf *out, const psrp_value *v, psr_error *err);
int psrp_msg_object_parse(psrp_clixml_reader *rd, psrp_value **out, const char *data, size_t len, psr_error *err);

typedef struct psrp_msg_pipeline_state { /* 2.2.2.21 PIPELINE_STATE */
    psrp_value *value;
    int32_t state;
    int has_error;
    psrp_error_record error; /* ExceptionAsErrorRecord (Failed) */
} psrp_msg_pipeline_state;
int psrp_msg_pipeline_state_build(psr_buf *out, int32_t state, const psrp_error_record_spec *error, psr_error *err);
int psrp_msg_pipeline_state_parse(psrp_clixml_reader *rd, psrp_msg_pipeline_state *m, const char *data, size_t len,
                                  psr_error *err);
void psrp_msg_pipeline_state_clear(psrp_msg_pipeline_state *m);

/* 2.2.2.20 ERROR_RECORD: the record itself is the data. */
int psrp_msg_error_record_build(psr_buf *out, const psrp_error_record_spec *s, psr_error *err);
int psrp_msg_error_record_parse(psrp_clixml_reader *rd, psrp_error_record *r, const char *data, size_t len,
                                psr_error *err);

/* 2.2.2.22-24 DEBUG/VERBOSE/WARNING_RECORD: InformationalRecord (2.2.3.16). */
typedef struct psrp_msg_informational {
    psrp_value *value;
    const char *message;       /* InformationalRecord_Message, else ToString */
    const char *position_message; /* InvocationInfo_PositionMessage when serialized */
} psrp_msg_informational;
/* type: PSRP_DEBUG_RECORD, PSRP_VERBOSE_RECORD or PSRP_WARNING_RECORD. */
int psrp_msg_informational_build(psr_buf *out, uint32_t type, const char *message, psr_error *err);
int psrp_msg_informational_parse(psrp_clixml_reader *rd, psrp_msg_informational *m, const char *data, size_t len,
                                 psr_error *err);
void psrp_msg_informational_clear(psrp_msg_informational *m);

typedef struct psrp_msg_information { /* 2.2.2.26 INFORMATION_RECORD */
    psrp_value *value;
    psrp_value *message_data;  /* as sent (Write-Host: a HostInformationMessage) */
    const char *text;          /* MessageData.Message, MessageData as text, or its ToString */
    int no_new_line;           /* HostInformationMessage.NoNewLine, else 0 */
    const char *source, *time_generated, *user, *computer;
    psrp_value *tags;
    int64_t process_id;        /* -1 when absent */
} psrp_msg_information;
/* A plain (Write-Information) record; time_generated (xs:dateTime text) and
 * source may be NULL (left out: psrp/ has no clock). */
int psrp_msg_information_build(psr_buf *out, const char *message, const char *source, const char *time_generated,
                               psr_error *err);
int psrp_msg_information_parse(psrp_clixml_reader *rd, psrp_msg_information *m, const char *data, size_t len,
                               psr_error *err);
void psrp_msg_information_clear(psrp_msg_information *m);

typedef struct psrp_msg_progress { /* 2.2.2.25 PROGRESS_RECORD */
    psrp_value *value;
    const char *activity, *status_description, *current_operation;
    int32_t activity_id, parent_activity_id, percent_complete, seconds_remaining;
    int32_t record_type; /* 0 Processing, 1 Completed */
} psrp_msg_progress;
int psrp_msg_progress_build(psr_buf *out, const psrp_msg_progress *m, psr_error *err);
int psrp_msg_progress_parse(psrp_clixml_reader *rd, psrp_msg_progress *m, const char *data, size_t len,
                            psr_error *err);
void psrp_msg_progress_clear(psrp_msg_progress *m);

#endif
