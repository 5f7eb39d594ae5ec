/* psrp_host.c: host-call parameters, refusals and credentials (see
 * psrp_host.h). */
#include "src/client/psrp_host.h"

#include <stdio.h>

size_t psr_psrp_host_param_count(const psrp_msg_host_call *call)
{
    const psrp_value *p = call->params;
    return p && p->kind == PSRP_V_OBJECT ? p->u.obj.n_items : 0;
}

const psrp_value *psr_psrp_host_param(const psrp_msg_host_call *call, size_t i)
{
    return i < psr_psrp_host_param_count(call) ? call->params->u.obj.items[i] : NULL;
}

const char *psr_psrp_host_param_text(const psrp_msg_host_call *call, size_t i)
{
    const psrp_value *v = psr_psrp_host_param(call, i);
    if (!v)
        return "";
    const char *t = psrp_value_text(v);
    if (t)
        return t;
    if (v->kind == PSRP_V_OBJECT && v->u.obj.to_string)
        return v->u.obj.to_string;
    return "";
}

int psr_psrp_host_refuse(psrp_pipeline *pl, const psrp_msg_host_call *call, const char *why,
                         psr_error *err)
{
    char message[512];
    snprintf(message, sizeof(message), "psremote cannot answer the host call %s: %s",
             call->method_name ? call->method_name : "?", why);
    psrp_error_record_spec spec = {
        .message = message,
        .exception_type = "System.Management.Automation.Host.HostException",
        .fully_qualified_error_id = "HostFunctionNotImplemented",
        .category = 11, /* NotImplemented (16 would be SyntaxError) */
    };
    return psrp_pipeline_host_respond(pl, call->ci, call->method_id, NULL, &spec, err);
}

int psr_psrp_host_credential(psr_psrp_session *s, const char *user, const char *password,
                             psrp_value **out, psr_error *err)
{
    static const char *const types[] = {"System.Management.Automation.PSCredential",
                                        "System.Object", NULL};
    *out = NULL;
    psrp_value *secure = NULL;
    int rc = psr_psrp_session_secure_string(s, password, &secure, err);
    if (rc)
        return rc;
    psrp_value *cred = psrp_value_new_object(types);
    /* Each add takes its value, also on failure (and with cred NULL), so
     * one check after both will do. */
    rc = psrp_object_add_adapted(cred, "UserName", psrp_value_new_string(user));
    rc |= psrp_object_add_adapted(cred, "Password", secure);
    if (rc) {
        psrp_value_free(cred);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory building a credential");
    }
    *out = cred;
    return 0;
}
