/* messages_records.c: the record streams of a pipeline: DEBUG, VERBOSE and
 * WARNING_RECORD (MS-PSRP 2.2.2.22-24, InformationalRecord 2.2.3.16),
 * PROGRESS_RECORD (2.2.2.25) and INFORMATION_RECORD (2.2.2.26). */
#include "psrp/messages_util.h"

#include "psrp/message.h"

#include <string.h>

/* ---- DEBUG / VERBOSE / WARNING ---- */

int psrp_msg_informational_build(psr_buf *out, uint32_t type, const char *message, psr_error *err)
{
    const char *rec = type == PSRP_DEBUG_RECORD     ? "System.Management.Automation.DebugRecord"
                      : type == PSRP_VERBOSE_RECORD ? "System.Management.Automation.VerboseRecord"
                      : type == PSRP_WARNING_RECORD ? "System.Management.Automation.WarningRecord"
                                                    : NULL;
    if (!rec)
        return psr_error_set(err, PSR_E_INVALID, "PSRP informational record: message type 0x%08x is not "
                             "DEBUG_RECORD, VERBOSE_RECORD or WARNING_RECORD", type);
    const char *types[] = {rec, "System.Management.Automation.InformationalRecord", "System.Object", NULL};
    const char *text = message ? message : "";
    psrp_value *v = psrp_value_new_object(types);
    int rc = psrp_object_set_to_string(v, text);
    rc |= psrp_object_add(v, "InformationalRecord_Message", psrp_value_new_string(text));
    rc |= psrp_object_add(v, "InformationalRecord_SerializeInvocationInfo", psrp_value_new_bool(0));
    return msg_finish(out, v, rc, psrp_message_type_name(type), err);
}

int psrp_msg_informational_parse(psrp_clixml_reader *rd, psrp_msg_informational *m, const char *data, size_t len,
                                 psr_error *err)
{
    memset(m, 0, sizeof(*m));
    int rc = msg_parse_value(rd, "informational record", data, len, &m->value, err);
    if (rc)
        return rc;
    /* Records normally arrive as objects; a bare string is accepted too. */
    m->message = psrp_value_text(m->value);
    if (!m->message && m->value->kind == PSRP_V_OBJECT) {
        m->message = msg_opt_text(m->value, "InformationalRecord_Message");
        if (!m->message)
            m->message = m->value->u.obj.to_string;
        m->position_message = msg_opt_text(m->value, "InvocationInfo_PositionMessage");
    }
    if (!m->message) {
        psrp_msg_informational_clear(m);
        return psr_error_set(err, PSR_E_PROTOCOL,
                             "PSRP informational record: InformationalRecord_Message is missing");
    }
    return 0;
}

void psrp_msg_informational_clear(psrp_msg_informational *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- INFORMATION_RECORD ---- */

int psrp_msg_information_build(psr_buf *out, const char *message, const char *source, const char *time_generated,
                               psr_error *err)
{
    static const char *const types[] = {"System.Management.Automation.InformationRecord", "System.Object", NULL};
    static const char *const tag_types[] = {
        "System.Collections.Generic.List`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, "
        "PublicKeyToken=b77a5c561934e089]]",
        "System.Object", NULL};
    const char *text = message ? message : "";
    psrp_value *v = psrp_value_new_object(types);
    int rc = psrp_object_set_to_string(v, text);
    rc |= psrp_object_add(v, "MessageData", psrp_value_new_string(text));
    rc |= psrp_object_add(v, "Source", source ? psrp_value_new_string(source) : psrp_value_new_nil());
    if (time_generated)
        rc |= psrp_object_add(v, "TimeGenerated",
                              psrp_value_new_text(PSRP_V_DATETIME, time_generated, strlen(time_generated)));
    rc |= psrp_object_add(v, "Tags", psrp_value_new_collection(PSRP_COLL_LIST, tag_types));
    return msg_finish(out, v, rc, "INFORMATION_RECORD", err);
}

int psrp_msg_information_parse(psrp_clixml_reader *rd, psrp_msg_information *m, const char *data, size_t len,
                               psr_error *err)
{
    memset(m, 0, sizeof(*m));
    m->process_id = -1;
    int rc = msg_parse_object(rd, "INFORMATION_RECORD", data, len, &m->value, err);
    if (rc)
        return rc;
    m->message_data = msg_opt_value(m->value, "MessageData");
    /* Write-Host sends a HostInformationMessage object with a Message. */
    m->text = psrp_value_text(m->message_data);
    if (!m->text) {
        m->text = msg_opt_text(m->message_data, "Message");
        msg_opt_bool(m->message_data, "NoNewLine", &m->no_new_line);
    }
    if (!m->text && m->message_data && m->message_data->kind == PSRP_V_OBJECT)
        m->text = m->message_data->u.obj.to_string;
    if (!m->text)
        m->text = m->value->u.obj.to_string;
    if (!m->text)
        m->text = "";
    m->source = msg_opt_text(m->value, "Source");
    m->time_generated = msg_opt_text(m->value, "TimeGenerated");
    m->user = msg_opt_text(m->value, "User");
    m->computer = msg_opt_text(m->value, "Computer");
    m->tags = msg_opt_value(m->value, "Tags");
    msg_opt_i64(m->value, "ProcessId", &m->process_id);
    return 0;
}

void psrp_msg_information_clear(psrp_msg_information *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- PROGRESS_RECORD ---- */

int psrp_msg_progress_build(psr_buf *out, const psrp_msg_progress *m, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "Activity", psrp_value_new_string(m->activity ? m->activity : ""));
    rc |= psrp_object_add(v, "ActivityId", psrp_value_new_i32(m->activity_id));
    rc |= psrp_object_add(v, "StatusDescription",
                          psrp_value_new_string(m->status_description ? m->status_description : ""));
    rc |= psrp_object_add(v, "CurrentOperation",
                          m->current_operation ? psrp_value_new_string(m->current_operation) : psrp_value_new_nil());
    rc |= psrp_object_add(v, "ParentActivityId", psrp_value_new_i32(m->parent_activity_id));
    rc |= psrp_object_add(v, "PercentComplete", psrp_value_new_i32(m->percent_complete));
    rc |= psrp_object_add(v, "Type", psrp_value_new_enum("System.Management.Automation.ProgressRecordType",
                                                         m->record_type == 1 ? "Completed" : "Processing",
                                                         m->record_type));
    rc |= psrp_object_add(v, "SecondsRemaining", psrp_value_new_i32(m->seconds_remaining));
    return msg_finish(out, v, rc, "PROGRESS_RECORD", err);
}

int psrp_msg_progress_parse(psrp_clixml_reader *rd, psrp_msg_progress *m, const char *data, size_t len,
                            psr_error *err)
{
    static const char what[] = "PROGRESS_RECORD";
    memset(m, 0, sizeof(*m));
    m->parent_activity_id = m->percent_complete = m->seconds_remaining = -1;
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (!rc)
        rc = msg_req_text(m->value, what, "Activity", &m->activity, err);
    if (rc) {
        psrp_msg_progress_clear(m);
        return rc;
    }
    m->status_description = msg_opt_text(m->value, "StatusDescription");
    m->current_operation = msg_opt_text(m->value, "CurrentOperation");
    msg_opt_i32(m->value, "ActivityId", &m->activity_id);
    msg_opt_i32(m->value, "ParentActivityId", &m->parent_activity_id);
    msg_opt_i32(m->value, "PercentComplete", &m->percent_complete);
    msg_opt_i32(m->value, "SecondsRemaining", &m->seconds_remaining);
    msg_opt_i32(m->value, "Type", &m->record_type);
    return 0;
}

void psrp_msg_progress_clear(psrp_msg_progress *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}
