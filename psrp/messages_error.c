/* messages_error.c: ErrorRecord (MS-PSRP 2.2.3.15) reading and building, the
 * ERROR_RECORD message (2.2.2.20), and the name tables of the enumerations
 * messages carry (2.2.3.4, 2.2.3.5, 2.2.3.9, 2.2.3.17). */
#include "psrp/messages_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *psrp_pool_state_name(int32_t state)
{
    static const char *const names[] = {"BeforeOpen", "Opening",         "Opened",           "Closed",
                                        "Closing",    "Broken",          "NegotiationSent",  "NegotiationSucceeded",
                                        "Connecting", "Disconnected"};
    return state >= 0 && state < 10 ? names[state] : "Unknown";
}

const char *psrp_pipeline_state_name(int32_t state)
{
    static const char *const names[] = {"NotStarted", "Running", "Stopping",    "Stopped",
                                        "Completed",  "Failed",  "Disconnected"};
    return state >= 0 && state < 7 ? names[state] : "Unknown";
}

const char *psrp_host_method_name(int32_t id)
{
    static const char *const names[] = {
        NULL,
        "GetName", "GetVersion", "GetInstanceId", "GetCurrentCulture", "GetCurrentUICulture", "SetShouldExit",
        "EnterNestedPrompt", "ExitNestedPrompt", "NotifyBeginApplication", "NotifyEndApplication", "ReadLine",
        "ReadLineAsSecureString", "Write1", "Write2", "WriteLine1", "WriteLine2", "WriteLine3", "WriteErrorLine",
        "WriteDebugLine", "WriteProgress", "WriteVerboseLine", "WriteWarningLine", "Prompt", "PromptForCredential1",
        "PromptForCredential2", "PromptForChoice", "GetForegroundColor", "SetForegroundColor", "GetBackgroundColor",
        "SetBackgroundColor", "GetCursorPosition", "SetCursorPosition", "GetWindowPosition", "SetWindowPosition",
        "GetCursorSize", "SetCursorSize", "GetBufferSize", "SetBufferSize", "GetWindowSize", "SetWindowSize",
        "GetWindowTitle", "SetWindowTitle", "GetMaxWindowSize", "GetMaxPhysicalWindowSize", "GetKeyAvailable",
        "ReadKey", "FlushInputBuffer", "SetBufferContents1", "SetBufferContents2", "GetBufferContents",
        "ScrollBufferContents", "PushRunspace", "PopRunspace", "GetIsRunspacePushed", "GetRunspace",
        "PromptForChoiceMultipleSelection",
    };
    return id >= 1 && id <= 56 ? names[id] : NULL;
}

int psrp_version_code(const char *text)
{
    if (!text)
        return -1;
    char *end;
    long major = strtol(text, &end, 10);
    if (end == text || *end != '.' || major < 0 || major > 99)
        return -1;
    const char *p = end + 1;
    long minor = strtol(p, &end, 10);
    if (end == p || (*end != '\0' && *end != '.') || minor < 0 || minor > 99)
        return -1;
    return (int)(major * 100 + minor);
}

/* 2.2.3.9 ErrorCategory. */
static const char *category_name(int32_t c)
{
    static const char *const names[] = {
        "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument",
        "InvalidData", "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented",
        "NotInstalled", "ObjectNotFound", "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError",
        "PermissionDenied", "ResourceBusy", "ResourceExists", "ResourceUnavailable", "ReadError", "WriteError",
        "FromStdErr", "SecurityError", "ProtocolError", "ConnectionError", "AuthenticationError", "LimitsExceeded",
        "QuotaExceeded", "NotEnabled",
    };
    return c >= 0 && c < 32 ? names[c] : "NotSpecified";
}

void psrp_error_record_clear(psrp_error_record *r)
{
    if (!r)
        return;
    psrp_value_free(r->value);
    memset(r, 0, sizeof(*r));
    r->script_line_number = r->offset_in_line = -1;
}

/* InvocationInfo fields come flattened (InvocationInfo_X, when
 * SerializeExtendedInfo is true) or as an InvocationInfo object. */
static const char *invocation_text(const psrp_value *rec, const psrp_value *info, const char *name)
{
    char flat[64];
    snprintf(flat, sizeof(flat), "InvocationInfo_%s", name);
    const char *t = msg_opt_text(rec, flat);
    return t ? t : msg_opt_text(info, name);
}

static void invocation_i32(const psrp_value *rec, const psrp_value *info, const char *name, int32_t *out)
{
    char flat[64];
    snprintf(flat, sizeof(flat), "InvocationInfo_%s", name);
    msg_opt_i32(info, name, out);
    msg_opt_i32(rec, flat, out);
}

int psrp_error_record_from_value(psrp_error_record *r, psrp_value *v, psr_error *err)
{
    memset(r, 0, sizeof(*r));
    r->script_line_number = r->offset_in_line = -1;
    if (!v || v->kind != PSRP_V_OBJECT)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP ErrorRecord: expected an <Obj>, got <%s>",
                             v ? psrp_value_kind_tag(v->kind) : "nothing");
    r->value = psrp_value_ref(v);
    const psrp_value *ex = msg_opt_value(v, "Exception");
    r->message = msg_opt_text(ex, "Message");
    if (!r->message && ex && ex->kind == PSRP_V_OBJECT)
        r->message = ex->u.obj.to_string;
    if (!r->message)
        r->message = v->u.obj.to_string;
    const char *type = psrp_value_type_name(ex, 0);
    r->exception_type = type ? psrp_type_name_strip_deserialized(type) : NULL;
    r->fully_qualified_error_id = msg_opt_text(v, "FullyQualifiedErrorId");
    msg_opt_i32(v, "ErrorCategory_Category", &r->category);
    r->category_activity = msg_opt_text(v, "ErrorCategory_Activity");
    r->category_reason = msg_opt_text(v, "ErrorCategory_Reason");
    r->category_target_name = msg_opt_text(v, "ErrorCategory_TargetName");
    r->category_target_type = msg_opt_text(v, "ErrorCategory_TargetType");
    r->category_message = msg_opt_text(v, "ErrorCategory_Message");
    r->details_message = msg_opt_text(v, "ErrorDetails_Message");
    r->recommended_action = msg_opt_text(v, "ErrorDetails_RecommendedAction");
    r->script_stack_trace = msg_opt_text(v, "ErrorDetails_ScriptStackTrace");
    const psrp_value *info = msg_opt_value(v, "InvocationInfo");
    r->position_message = invocation_text(v, info, "PositionMessage");
    r->script_name = invocation_text(v, info, "ScriptName");
    r->line = invocation_text(v, info, "Line");
    invocation_i32(v, info, "ScriptLineNumber", &r->script_line_number);
    invocation_i32(v, info, "OffsetInLine", &r->offset_in_line);
    if (!r->message && !r->fully_qualified_error_id) {
        psrp_error_record_clear(r);
        return psr_error_set(err, PSR_E_PROTOCOL,
                             "PSRP ErrorRecord: neither an exception message nor a FullyQualifiedErrorId");
    }
    return 0;
}

static psrp_value *text_or_empty(const char *s)
{
    return psrp_value_new_string(s ? s : "");
}

psrp_value *psrp_error_record_build(const psrp_error_record_spec *s)
{
    static const char *const rec_types[] = {"System.Management.Automation.ErrorRecord", "System.Object", NULL};
    const char *ex_type = s->exception_type ? s->exception_type : "System.Management.Automation.RuntimeException";
    const char *ex_types[] = {ex_type, "System.Exception", "System.Object", NULL};
    if (strcmp(ex_type, "System.Exception") == 0)
        ex_types[1] = "System.Object", ex_types[2] = NULL;
    const char *msg = s->message ? s->message : "";
    psrp_value *rec = psrp_value_new_object(rec_types);
    psrp_value *ex = psrp_value_new_object(ex_types);
    psr_buf text = {0};
    int rc = psr_buf_printf(&text, "%s: %s", ex_type, msg);
    rc |= psrp_object_set_to_string(ex, text.data ? text.data : "");
    rc |= psrp_object_add_adapted(ex, "Message", psrp_value_new_string(msg));
    rc |= psrp_object_add_adapted(ex, "HResult", psrp_value_new_i32(-2146233087)); /* COR_E_EXCEPTION */
    rc |= psrp_object_set_to_string(rec, msg);
    rc |= psrp_object_add(rec, "Exception", ex);
    rc |= psrp_object_add(rec, "TargetObject", psrp_value_new_nil());
    rc |= psrp_object_add(rec, "FullyQualifiedErrorId", text_or_empty(s->fully_qualified_error_id));
    if (s->position_message) {
        static const char *const inv_types[] = {"System.Management.Automation.InvocationInfo", "System.Object", NULL};
        psrp_value *inv = psrp_value_new_object(inv_types);
        rc |= psrp_object_set_to_string(inv, "System.Management.Automation.InvocationInfo");
        rc |= psrp_object_add_adapted(inv, "ScriptLineNumber", psrp_value_new_i32(s->script_line_number));
        rc |= psrp_object_add_adapted(inv, "OffsetInLine", psrp_value_new_i32(s->offset_in_line));
        rc |= psrp_object_add_adapted(inv, "PositionMessage", psrp_value_new_string(s->position_message));
        rc |= psrp_object_add(rec, "InvocationInfo", inv);
    } else {
        rc |= psrp_object_add(rec, "InvocationInfo", psrp_value_new_nil());
    }
    const char *activity = s->category_activity ? s->category_activity : "";
    const char *reason = s->category_reason ? s->category_reason : "";
    const char *tname = s->category_target_name ? s->category_target_name : "";
    const char *ttype = s->category_target_type ? s->category_target_type : "";
    rc |= psrp_object_add(rec, "ErrorCategory_Category", psrp_value_new_i32(s->category));
    rc |= psrp_object_add(rec, "ErrorCategory_Activity", psrp_value_new_string(activity));
    rc |= psrp_object_add(rec, "ErrorCategory_Reason", psrp_value_new_string(reason));
    rc |= psrp_object_add(rec, "ErrorCategory_TargetName", psrp_value_new_string(tname));
    rc |= psrp_object_add(rec, "ErrorCategory_TargetType", psrp_value_new_string(ttype));
    psr_buf_reset(&text);
    if (s->category_message)
        rc |= psr_buf_puts(&text, s->category_message);
    else /* ErrorCategoryInfo.GetMessage: "Category: (TargetName:TargetType) [Activity], Reason" */
        rc |= psr_buf_printf(&text, "%s: (%s:%s) [%s], %s", category_name(s->category), tname, ttype, activity,
                             reason);
    rc |= psrp_object_add(rec, "ErrorCategory_Message", psrp_value_new_string(text.data ? text.data : ""));
    rc |= psrp_object_add(rec, "SerializeExtendedInfo", psrp_value_new_bool(0));
    if (s->script_stack_trace)
        rc |= psrp_object_add(rec, "ErrorDetails_ScriptStackTrace", psrp_value_new_string(s->script_stack_trace));
    psr_buf_free(&text);
    if (rc) {
        psrp_value_free(rec);
        return NULL;
    }
    return rec;
}

int psrp_msg_error_record_build(psr_buf *out, const psrp_error_record_spec *s, psr_error *err)
{
    psrp_value *rec = psrp_error_record_build(s);
    return msg_finish(out, rec, 0, "ERROR_RECORD", err);
}

int psrp_msg_error_record_parse(psrp_clixml_reader *rd, psrp_error_record *r, const char *data, size_t len,
                                psr_error *err)
{
    psrp_value *v;
    memset(r, 0, sizeof(*r));
    int rc = msg_parse_object(rd, "ERROR_RECORD", data, len, &v, err);
    if (rc)
        return rc;
    rc = psrp_error_record_from_value(r, v, err);
    psrp_value_free(v);
    return rc;
}
