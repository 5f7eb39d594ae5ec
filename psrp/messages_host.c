/* messages_host.c: host method calls and their answers (MS-PSRP 2.2.2.15,
 * 2.2.2.16 for the runspace pool, 2.2.2.27, 2.2.2.28 for a pipeline: the same
 * data). A call names its method by RemoteHostMethodId (2.2.3.17); calls
 * with ci -100 are for void methods and want no answer. */
#include "psrp/messages_util.h"

#include <string.h>

static psrp_value *method_id_value(int32_t id)
{
    const char *name = psrp_host_method_name(id);
    return psrp_value_new_enum("System.Management.Automation.Remoting.RemoteHostMethodId", name ? name : "Unknown",
                               id);
}

int psrp_msg_host_call_build(psr_buf *out, int64_t ci, int32_t method_id, psrp_value *params, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "ci", psrp_value_new_i64(ci));
    rc |= psrp_object_add(v, "mi", method_id_value(method_id));
    rc |= psrp_object_add(v, "mp", params ? psrp_value_ref(params) : msg_new_array_list());
    return msg_finish(out, v, rc, "host call", err);
}

int psrp_msg_host_call_parse(psrp_clixml_reader *rd, psrp_msg_host_call *m, const char *data, size_t len,
                             psr_error *err)
{
    static const char what[] = "host call";
    memset(m, 0, sizeof(*m));
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (!rc)
        rc = msg_req_i64(m->value, what, "ci", &m->ci, err);
    if (!rc)
        rc = msg_req_i32(m->value, what, "mi", &m->method_id, err);
    if (rc) {
        psrp_msg_host_call_clear(m);
        return rc;
    }
    m->method_name = psrp_host_method_name(m->method_id);
    const psrp_value *mi = psrp_object_get(m->value, "mi");
    if (!m->method_name && mi->kind == PSRP_V_OBJECT)
        m->method_name = mi->u.obj.to_string;
    if (!m->method_name)
        m->method_name = "Unknown";
    m->params = msg_opt_value(m->value, "mp");
    return 0;
}

void psrp_msg_host_call_clear(psrp_msg_host_call *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    memset(m, 0, sizeof(*m));
}

int psrp_msg_host_response_build(psr_buf *out, int64_t ci, int32_t method_id, psrp_value *result,
                                 const psrp_error_record_spec *error, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "ci", psrp_value_new_i64(ci));
    rc |= psrp_object_add(v, "mi", method_id_value(method_id));
    if (result)
        rc |= psrp_object_add(v, "mr", psrp_value_ref(result));
    if (error)
        rc |= psrp_object_add(v, "me", psrp_error_record_build(error));
    return msg_finish(out, v, rc, "host response", err);
}

int psrp_msg_host_response_parse(psrp_clixml_reader *rd, psrp_msg_host_response *m, const char *data, size_t len,
                                 psr_error *err)
{
    static const char what[] = "host response";
    memset(m, 0, sizeof(*m));
    psrp_error_record_clear(&m->error);
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (!rc)
        rc = msg_req_i64(m->value, what, "ci", &m->ci, err);
    if (!rc)
        rc = msg_req_i32(m->value, what, "mi", &m->method_id, err);
    if (!rc) {
        m->result = psrp_object_get(m->value, "mr");
        psrp_value *me = msg_opt_value(m->value, "me");
        if (me) {
            rc = psrp_error_record_from_value(&m->error, me, err);
            m->has_error = rc == 0;
        }
    }
    if (rc)
        psrp_msg_host_response_clear(m);
    return rc;
}

void psrp_msg_host_response_clear(psrp_msg_host_response *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    psrp_error_record_clear(&m->error);
    m->value = m->result = NULL;
    m->has_error = 0;
}
