/* messages_pool.c: session and runspace-pool messages (MS-PSRP 2.2.2.1 to
 * 2.2.2.16 without host calls, 2.2.2.29 to 2.2.2.31): builders and parsers, see messages.h. */
#include "psrp/messages_util.h"

#include "common/base64.h"

#include <stdio.h>
#include <string.h>

/* ---- SESSION_CAPABILITY (2.2.2.1) ---- */

int psrp_msg_session_capability_build(psr_buf *out, const char *protocol_version, const char *ps_version,
                                      const char *serialization_version, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "protocolversion", psrp_value_new_version(protocol_version ? protocol_version : "2.3"));
    rc |= psrp_object_add(v, "PSVersion", psrp_value_new_version(ps_version ? ps_version : "2.0"));
    rc |= psrp_object_add(v, "SerializationVersion",
                          psrp_value_new_version(serialization_version ? serialization_version : "1.1.0.1"));
    return msg_finish(out, v, rc, "SESSION_CAPABILITY", err);
}

int psrp_msg_session_capability_parse(psrp_clixml_reader *rd, psrp_msg_session_capability *m, const char *data,
                                      size_t len, psr_error *err)
{
    static const char what[] = "SESSION_CAPABILITY";
    memset(m, 0, sizeof(*m));
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (!rc)
        rc = msg_req_text(m->value, what, "protocolversion", &m->protocol_version, err);
    if (!rc)
        rc = msg_req_text(m->value, what, "PSVersion", &m->ps_version, err);
    if (!rc)
        rc = msg_req_text(m->value, what, "SerializationVersion", &m->serialization_version, err);
    if (!rc && psrp_version_code(m->protocol_version) < 0)
        rc = psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: protocolversion \"%s\" is not a version", what,
                           m->protocol_version);
    if (rc) {
        psrp_msg_session_capability_clear(m);
        return rc;
    }
    m->time_zone = msg_opt_value(m->value, "TimeZone");
    return 0;
}

void psrp_msg_session_capability_clear(psrp_msg_session_capability *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- INIT_RUNSPACEPOOL (2.2.2.2) ---- */

int psrp_msg_init_pool_build(psr_buf *out, const psrp_msg_init_pool *m, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "MinRunspaces", psrp_value_new_i32(m->min_runspaces));
    rc |= psrp_object_add(v, "MaxRunspaces", psrp_value_new_i32(m->max_runspaces));
    rc |= psrp_object_add(v, "PSThreadOptions", msg_enum_thread_options(m->thread_options));
    rc |= psrp_object_add(v, "ApartmentState", msg_enum_apartment_state(m->apartment_state));
    rc |= psrp_object_add(v, "HostInfo", msg_host_info_value(&m->host_info));
    rc |= psrp_object_add(v, "ApplicationArguments",
                          m->application_arguments ? psrp_value_ref(m->application_arguments) : psrp_value_new_nil());
    return msg_finish(out, v, rc, "INIT_RUNSPACEPOOL", err);
}

int psrp_msg_init_pool_parse(psrp_clixml_reader *rd, psrp_msg_init_pool *m, const char *data, size_t len,
                             psr_error *err)
{
    static const char what[] = "INIT_RUNSPACEPOOL";
    memset(m, 0, sizeof(*m));
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (!rc)
        rc = msg_req_i32(m->value, what, "MinRunspaces", &m->min_runspaces, err);
    if (!rc)
        rc = msg_req_i32(m->value, what, "MaxRunspaces", &m->max_runspaces, err);
    if (rc) {
        psrp_msg_init_pool_clear(m);
        return rc;
    }
    m->thread_options = PSRP_THREAD_DEFAULT;
    m->apartment_state = PSRP_APARTMENT_UNKNOWN;
    msg_opt_i32(m->value, "PSThreadOptions", &m->thread_options);
    msg_opt_i32(m->value, "ApartmentState", &m->apartment_state);
    msg_host_info_read(psrp_object_get(m->value, "HostInfo"), &m->host_info);
    m->application_arguments = msg_opt_value(m->value, "ApplicationArguments");
    return 0;
}

void psrp_msg_init_pool_clear(psrp_msg_init_pool *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- PUBLIC_KEY (2.2.2.3), ENCRYPTED_SESSION_KEY (2.2.2.4) ---- */

static int key_blob_build(psr_buf *out, const char *what, const char *prop, const void *blob, size_t len,
                          psr_error *err)
{
    psr_buf b64 = {0};
    if (psr_base64_encode(&b64, blob, len))
        return psr_error_set(err, PSR_E_NOMEM, "PSRP %s: out of memory", what);
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, prop, psrp_value_new_stringn(b64.data ? b64.data : "", b64.len));
    psr_buf_free(&b64);
    return msg_finish(out, v, rc, what, err);
}

static int key_blob_parse(psrp_clixml_reader *rd, psrp_msg_key_blob *m, const char *what, const char *prop,
                          const char *data, size_t len, psr_error *err)
{
    memset(m, 0, sizeof(*m));
    const char *text = NULL;
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (!rc)
        rc = msg_req_text(m->value, what, prop, &text, err);
    if (!rc && psr_base64_decode(&m->blob, text, strlen(text)))
        rc = psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: %s is not valid base64", what, prop);
    if (rc)
        psrp_msg_key_blob_clear(m);
    return rc;
}

int psrp_msg_public_key_build(psr_buf *out, const void *blob, size_t len, psr_error *err)
{
    return key_blob_build(out, "PUBLIC_KEY", "PublicKey", blob, len, err);
}

int psrp_msg_public_key_parse(psrp_clixml_reader *rd, psrp_msg_key_blob *m, const char *data, size_t len,
                              psr_error *err)
{
    return key_blob_parse(rd, m, "PUBLIC_KEY", "PublicKey", data, len, err);
}

int psrp_msg_encrypted_session_key_build(psr_buf *out, const void *blob, size_t len, psr_error *err)
{
    return key_blob_build(out, "ENCRYPTED_SESSION_KEY", "EncryptedSessionKey", blob, len, err);
}

int psrp_msg_encrypted_session_key_parse(psrp_clixml_reader *rd, psrp_msg_key_blob *m, const char *data, size_t len,
                                         psr_error *err)
{
    return key_blob_parse(rd, m, "ENCRYPTED_SESSION_KEY", "EncryptedSessionKey", data, len, err);
}

void psrp_msg_key_blob_clear(psrp_msg_key_blob *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    psr_buf_free(&m->blob);
    memset(m, 0, sizeof(*m));
}

/* ---- PUBLIC_KEY_REQUEST (2.2.2.5) ---- */

int psrp_msg_public_key_request_build(psr_buf *out, psr_error *err)
{
    return msg_finish(out, psrp_value_new_string(""), 0, "PUBLIC_KEY_REQUEST", err);
}

int psrp_msg_public_key_request_parse(psrp_clixml_reader *rd, const char *data, size_t len, psr_error *err)
{
    psrp_value *v;
    int rc = msg_parse_value(rd, "PUBLIC_KEY_REQUEST", data, len, &v, err);
    if (rc)
        return rc;
    /* Only the kind matters; servers send <S></S>. */
    if (v->kind != PSRP_V_STRING)
        rc = psr_error_set(err, PSR_E_PROTOCOL, "PSRP PUBLIC_KEY_REQUEST: expected <S>, got <%s>",
                           psrp_value_kind_tag(v->kind));
    psrp_value_free(v);
    return rc;
}

/* ---- small runspace-pool messages ---- */

static int numbers_build(psr_buf *out, const char *what, const char *n1, int32_t v1, const char *n2, int32_t v2,
                         int64_t ci)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = 0;
    if (n1 && v1 >= 0)
        rc |= psrp_object_add(v, n1, psrp_value_new_i32(v1));
    if (n2 && v2 >= 0)
        rc |= psrp_object_add(v, n2, psrp_value_new_i32(v2));
    if (ci >= 0)
        rc |= psrp_object_add(v, "ci", psrp_value_new_i64(ci));
    return msg_finish(out, v, rc, what, NULL);
}

static int numbers_result(int rc, const char *what, psr_error *err)
{
    return rc ? psr_error_set(err, rc, "PSRP %s: cannot build the message (out of memory)", what) : 0;
}

int psrp_msg_set_max_runspaces_build(psr_buf *out, int32_t max, int64_t ci, psr_error *err)
{
    return numbers_result(numbers_build(out, "SET_MAX_RUNSPACES", "MaxRunspaces", max, NULL, 0, ci),
                          "SET_MAX_RUNSPACES", err);
}

int psrp_msg_set_min_runspaces_build(psr_buf *out, int32_t min, int64_t ci, psr_error *err)
{
    return numbers_result(numbers_build(out, "SET_MIN_RUNSPACES", "MinRunspaces", min, NULL, 0, ci),
                          "SET_MIN_RUNSPACES", err);
}

int psrp_msg_get_available_runspaces_build(psr_buf *out, int64_t ci, psr_error *err)
{
    return numbers_result(numbers_build(out, "GET_AVAILABLE_RUNSPACES", NULL, 0, NULL, 0, ci),
                          "GET_AVAILABLE_RUNSPACES", err);
}

int psrp_msg_reset_runspace_state_build(psr_buf *out, int64_t ci, psr_error *err)
{
    return numbers_result(numbers_build(out, "RESET_RUNSPACE_STATE", NULL, 0, NULL, 0, ci), "RESET_RUNSPACE_STATE",
                          err);
}

int psrp_msg_pool_init_data_build(psr_buf *out, int32_t min, int32_t max, psr_error *err)
{
    return numbers_result(numbers_build(out, "RUNSPACEPOOL_INIT_DATA", "MinRunspaces", min, "MaxRunspaces", max, -1),
                          "RUNSPACEPOOL_INIT_DATA", err);
}

int psrp_msg_connect_pool_build(psr_buf *out, int32_t min, int32_t max, psr_error *err)
{
    return numbers_result(numbers_build(out, "CONNECT_RUNSPACEPOOL", "MinRunspaces", min, "MaxRunspaces", max, -1),
                          "CONNECT_RUNSPACEPOOL", err);
}

int psrp_msg_pool_numbers_parse(psrp_clixml_reader *rd, psrp_msg_pool_numbers *m, const char *data, size_t len,
                                psr_error *err)
{
    memset(m, 0, sizeof(*m));
    m->ci = -1;
    m->min_runspaces = m->max_runspaces = -1;
    int rc = msg_parse_value(rd, "runspace pool message", data, len, &m->value, err);
    if (rc)
        return rc;
    if (m->value->kind != PSRP_V_OBJECT) {
        psrp_msg_pool_numbers_clear(m);
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP runspace pool message: expected an <Obj>");
    }
    msg_opt_i64(m->value, "ci", &m->ci);
    msg_opt_i32(m->value, "MinRunspaces", &m->min_runspaces);
    msg_opt_i32(m->value, "MaxRunspaces", &m->max_runspaces);
    return 0;
}

void psrp_msg_pool_numbers_clear(psrp_msg_pool_numbers *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- RUNSPACE_AVAILABILITY (2.2.2.8) ---- */

static int availability_build(psr_buf *out, int64_t ci, psrp_value *answer, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "SetMinMaxRunspacesResponse", answer);
    rc |= psrp_object_add(v, "ci", psrp_value_new_i64(ci));
    return msg_finish(out, v, rc, "RUNSPACE_AVAILABILITY", err);
}

int psrp_msg_runspace_availability_build_bool(psr_buf *out, int64_t ci, int ok, psr_error *err)
{
    return availability_build(out, ci, psrp_value_new_bool(ok), err);
}

int psrp_msg_runspace_availability_build_count(psr_buf *out, int64_t ci, int64_t available, psr_error *err)
{
    return availability_build(out, ci, psrp_value_new_i64(available), err);
}

int psrp_msg_runspace_availability_parse(psrp_clixml_reader *rd, psrp_msg_runspace_availability *m, const char *data,
                                         size_t len, psr_error *err)
{
    static const char what[] = "RUNSPACE_AVAILABILITY";
    memset(m, 0, sizeof(*m));
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (!rc)
        rc = msg_req_i64(m->value, what, "ci", &m->ci, err);
    if (rc) {
        psrp_msg_runspace_availability_clear(m);
        return rc;
    }
    const psrp_value *a = psrp_object_get(m->value, "SetMinMaxRunspacesResponse");
    if (psrp_value_get_bool(a, &m->ok) == 0)
        m->is_bool = 1;
    else if (psrp_value_get_i64(a, &m->available) != 0) {
        psrp_msg_runspace_availability_clear(m);
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: SetMinMaxRunspacesResponse is neither B nor I64", what);
    }
    return 0;
}

void psrp_msg_runspace_availability_clear(psrp_msg_runspace_availability *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- RUNSPACEPOOL_STATE (2.2.2.9) ---- */

int psrp_msg_pool_state_build(psr_buf *out, int32_t state, const psrp_error_record_spec *error, psr_error *err)
{
    return msg_state_build(out, "RUNSPACEPOOL_STATE", "RunspaceState", state, error, err);
}

int psrp_msg_pool_state_parse(psrp_clixml_reader *rd, psrp_msg_pool_state *m, const char *data, size_t len,
                              psr_error *err)
{
    memset(m, 0, sizeof(*m));
    psrp_error_record_clear(&m->error);
    int rc = msg_state_parse(rd, "RUNSPACEPOOL_STATE", "RunspaceState", data, len, &m->value,
                             &m->state, &m->error, &m->has_error, err);
    if (rc)
        psrp_msg_pool_state_clear(m);
    return rc;
}

void psrp_msg_pool_state_clear(psrp_msg_pool_state *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    psrp_error_record_clear(&m->error);
    m->value = NULL;
    m->has_error = 0;
    m->state = 0;
}

/* ---- USER_EVENT (2.2.2.12) ---- */

int psrp_msg_user_event_parse(psrp_clixml_reader *rd, psrp_msg_user_event *m, const char *data, size_t len,
                              psr_error *err)
{
    memset(m, 0, sizeof(*m));
    m->event_identifier = -1;
    int rc = msg_parse_object(rd, "USER_EVENT", data, len, &m->value, err);
    if (rc)
        return rc;
    msg_opt_i32(m->value, "PSEventArgs.EventIdentifier", &m->event_identifier);
    m->source_identifier = msg_opt_text(m->value, "PSEventArgs.SourceIdentifier");
    m->time_generated = msg_opt_text(m->value, "PSEventArgs.TimeGenerated");
    m->computer_name = msg_opt_text(m->value, "PSEventArgs.ComputerName");
    m->runspace_id = msg_opt_text(m->value, "PSEventArgs.RunspaceId");
    m->sender = msg_opt_value(m->value, "PSEventArgs.Sender");
    m->source_args = msg_opt_value(m->value, "PSEventArgs.SourceArgs");
    m->message_data = msg_opt_value(m->value, "PSEventArgs.MessageData");
    return 0;
}

void psrp_msg_user_event_clear(psrp_msg_user_event *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- APPLICATION_PRIVATE_DATA (2.2.2.13) ---- */

static const char *const primitive_dict_types[] = {"System.Management.Automation.PSPrimitiveDictionary",
                                                   "System.Collections.Hashtable", "System.Object", NULL};

int psrp_msg_app_private_data_build(psr_buf *out, psrp_value *data, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    psrp_value *d = data ? psrp_value_ref(data) : psrp_value_new_collection(PSRP_COLL_DICT, primitive_dict_types);
    int rc = psrp_object_add(v, "ApplicationPrivateData", d);
    return msg_finish(out, v, rc, "APPLICATION_PRIVATE_DATA", err);
}

int psrp_msg_app_private_data_parse(psrp_clixml_reader *rd, psrp_msg_app_private_data *m, const char *data,
                                    size_t len, psr_error *err)
{
    memset(m, 0, sizeof(*m));
    int rc = msg_parse_object(rd, "APPLICATION_PRIVATE_DATA", data, len, &m->value, err);
    if (rc)
        return rc;
    m->data = msg_opt_value(m->value, "ApplicationPrivateData");
    const psrp_value *table = psrp_dict_get(m->data, "PSVersionTable");
    m->ps_version = psrp_value_text(psrp_dict_get(table, "PSVersion"));
    m->protocol_version = psrp_value_text(psrp_dict_get(table, "PSRemotingProtocolVersion"));
    return 0;
}

void psrp_msg_app_private_data_clear(psrp_msg_app_private_data *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

/* ---- GET_COMMAND_METADATA (2.2.2.14) ---- */

static psrp_value *string_list(const char *const *items)
{
    static const char *const types[] = {"System.String[]", "System.Array", "System.Object", NULL};
    if (!items)
        return psrp_value_new_nil();
    psrp_value *l = psrp_value_new_collection(PSRP_COLL_LIST, types);
    int rc = 0;
    for (size_t i = 0; items[i]; i++)
        rc |= psrp_list_append(l, psrp_value_new_string(items[i]));
    if (rc) {
        psrp_value_free(l);
        return NULL;
    }
    return l;
}

int psrp_msg_command_metadata_build(psr_buf *out, const psrp_msg_command_metadata *m, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "Name", string_list(m->names));
    char num[16];
    snprintf(num, sizeof(num), "%d", (int)m->command_type);
    rc |= psrp_object_add(v, "CommandType", psrp_value_new_enum("System.Management.Automation.CommandTypes",
                                                                m->command_type == 0x1FF ? "All" : num,
                                                                m->command_type));
    rc |= psrp_object_add(v, "Namespace", string_list(m->namespaces));
    rc |= psrp_object_add(v, "ArgumentList", psrp_value_new_nil());
    return msg_finish(out, v, rc, "GET_COMMAND_METADATA", err);
}
