/* messages_util.c: shared reading and writing helpers of the PSRP message
 * builders and parsers (see messages_util.h). */
#include "psrp/messages_util.h"

#include "psrp/clixml.h"

#include <stdio.h>
#include <string.h>

int msg_parse_value(psrp_clixml_reader *rd, const char *what, const char *data, size_t len, psrp_value **out,
                    psr_error *err)
{
    *out = NULL;
    /* The defragmenter already bounded the message (MaximumReceivedObjectSize);
     * the parser's own size limits must not be tighter than that. Depth and
     * the other limits stay. */
    psrp_clixml_limits limits;
    psrp_clixml_limits_default(&limits);
    if (len >= limits.max_object_bytes)
        limits.max_object_bytes = len + 1;
    if (len >= limits.max_string_bytes)
        limits.max_string_bytes = len + 1;
    int rc = psrp_clixml_parse_with(rd, data, len, &limits, out, err);
    if (rc)
        return psr_error_prefix(err, "PSRP %s", what);
    return 0;
}

int msg_parse_object(psrp_clixml_reader *rd, const char *what, const char *data, size_t len, psrp_value **out,
                     psr_error *err)
{
    int rc = msg_parse_value(rd, what, data, len, out, err);
    if (rc)
        return rc;
    if ((*out)->kind != PSRP_V_OBJECT) {
        rc = psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: expected an <Obj>, got <%s>", what,
                           psrp_value_kind_tag((*out)->kind));
        psrp_value_free(*out);
        *out = NULL;
    }
    return rc;
}

int msg_finish(psr_buf *out, psrp_value *v, int rc, const char *what, psr_error *err)
{
    if (!v || rc == PSR_E_NOMEM) {
        psrp_value_free(v);
        return psr_error_set(err, PSR_E_NOMEM, "PSRP %s: out of memory building the message", what);
    }
    if (rc) {
        psrp_value_free(v);
        return psr_error_set(err, rc, "PSRP %s: cannot build the message", what);
    }
    rc = psrp_clixml_serialize(out, v, err);
    psrp_value_free(v);
    return rc ? psr_error_prefix(err, "PSRP %s", what) : 0;
}

static int missing(const char *what, const char *name, const psrp_value *p, psr_error *err)
{
    if (!p)
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: required property %s is missing", what, name);
    return psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: property %s is <%s>, not the expected kind", what, name,
                         psrp_value_kind_tag(p->kind));
}

int msg_req_i32(const psrp_value *obj, const char *what, const char *name, int32_t *out, psr_error *err)
{
    const psrp_value *p = psrp_object_get(obj, name);
    return psrp_value_get_i32(p, out) ? missing(what, name, p, err) : 0;
}

int msg_req_i64(const psrp_value *obj, const char *what, const char *name, int64_t *out, psr_error *err)
{
    const psrp_value *p = psrp_object_get(obj, name);
    return psrp_value_get_i64(p, out) ? missing(what, name, p, err) : 0;
}

int msg_req_text(const psrp_value *obj, const char *what, const char *name, const char **out, psr_error *err)
{
    const psrp_value *p = psrp_object_get(obj, name);
    *out = psrp_value_text(p);
    return *out ? 0 : missing(what, name, p, err);
}

void msg_opt_i32(const psrp_value *obj, const char *name, int32_t *out)
{
    int32_t v;
    if (psrp_value_get_i32(psrp_object_get(obj, name), &v) == 0)
        *out = v;
}

void msg_opt_i64(const psrp_value *obj, const char *name, int64_t *out)
{
    int64_t v;
    if (psrp_value_get_i64(psrp_object_get(obj, name), &v) == 0)
        *out = v;
}

void msg_opt_bool(const psrp_value *obj, const char *name, int *out)
{
    int v;
    if (psrp_value_get_bool(psrp_object_get(obj, name), &v) == 0)
        *out = v;
}

const char *msg_opt_text(const psrp_value *obj, const char *name)
{
    return psrp_value_text(psrp_object_get(obj, name));
}

int msg_state_build(psr_buf *out, const char *what, const char *state_name, int32_t state,
                    const psrp_error_record_spec *error, psr_error *err)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, state_name, psrp_value_new_i32(state));
    if (error)
        rc |= psrp_object_add(v, "ExceptionAsErrorRecord", psrp_error_record_build(error));
    return msg_finish(out, v, rc, what, err);
}

int msg_state_parse(psrp_clixml_reader *rd, const char *what, const char *state_name, const char *data, size_t len,
                    psrp_value **value, int32_t *state, psrp_error_record *error, int *has_error, psr_error *err)
{
    int rc = msg_parse_object(rd, what, data, len, value, err);
    if (!rc)
        rc = msg_req_i32(*value, what, state_name, state, err);
    psrp_value *rec = rc ? NULL : msg_opt_value(*value, "ExceptionAsErrorRecord");
    if (rec) {
        rc = psrp_error_record_from_value(error, rec, err);
        *has_error = rc == 0;
    }
    return rc;
}

psrp_value *msg_opt_value(const psrp_value *obj, const char *name)
{
    psrp_value *p = psrp_object_get(obj, name);
    return psrp_value_is_nil(p) ? NULL : p;
}

psrp_value *msg_host_info_value(const psrp_host_info *h)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = 0;
    if (h->has_host && h->default_data)
        rc |= psrp_object_add(v, "_hostDefaultData", psrp_value_ref(h->default_data));
    rc |= psrp_object_add(v, "_isHostNull", psrp_value_new_bool(!h->has_host));
    rc |= psrp_object_add(v, "_isHostUINull", psrp_value_new_bool(!h->has_host || !h->has_ui));
    rc |= psrp_object_add(v, "_isHostRawUINull", psrp_value_new_bool(!h->has_host || !h->has_raw_ui));
    /* Without a host of our own the server must use its runspace host. */
    rc |= psrp_object_add(v, "_useRunspaceHost", psrp_value_new_bool(!h->has_host || h->use_runspace_host));
    if (rc) {
        psrp_value_free(v);
        return NULL;
    }
    return v;
}

void msg_host_info_read(const psrp_value *v, psrp_host_info *h)
{
    memset(h, 0, sizeof(*h));
    int host_null = 1, ui_null = 1, raw_null = 1, use_rs = 1;
    msg_opt_bool(v, "_isHostNull", &host_null);
    msg_opt_bool(v, "_isHostUINull", &ui_null);
    msg_opt_bool(v, "_isHostRawUINull", &raw_null);
    msg_opt_bool(v, "_useRunspaceHost", &use_rs);
    h->has_host = !host_null;
    h->has_ui = !ui_null;
    h->has_raw_ui = !raw_null;
    h->use_runspace_host = use_rs;
    h->default_data = msg_opt_value(v, "_hostDefaultData");
}

static psrp_value *enum_from_table(const char *type, const char *const *names, int32_t count, int32_t n)
{
    char num[16];
    const char *name = n >= 0 && n < count ? names[n] : NULL;
    if (!name) {
        snprintf(num, sizeof(num), "%d", (int)n);
        name = num;
    }
    return psrp_value_new_enum(type, name, n);
}

psrp_value *msg_enum_thread_options(int32_t n)
{
    static const char *const names[] = {"Default", "UseNewThread", "ReuseThread", "UseCurrentThread"};
    return enum_from_table("System.Management.Automation.Runspaces.PSThreadOptions", names, 4, n);
}

psrp_value *msg_enum_apartment_state(int32_t n)
{
    static const char *const names[] = {"STA", "MTA", "Unknown"};
    return enum_from_table("System.Threading.ApartmentState", names, 3, n);
}

psrp_value *msg_enum_remote_stream_options(int32_t n)
{
    static const char *const bits[] = {"AddInvocationInfoToErrorRecord", "AddInvocationInfoToWarningRecord",
                                       "AddInvocationInfoToDebugRecord", "AddInvocationInfoToVerboseRecord"};
    static const char type[] = "System.Management.Automation.RemoteStreamOptions";
    if (n == 0)
        return psrp_value_new_enum(type, "None", 0);
    if (n == 15)
        return psrp_value_new_enum(type, "AddInvocationInfo", 15);
    /* A flags enum prints as its names joined with ", " (as .NET does). */
    char text[160] = "";
    for (int i = 0; i < 4; i++) {
        if (n & (1 << i)) {
            if (text[0])
                strcat(text, ", ");
            strcat(text, bits[i]);
        }
    }
    return psrp_value_new_enum(type, text[0] ? text : "None", n);
}

psrp_value *msg_enum_pipeline_result_types(int32_t n)
{
    static const char *const names[] = {"None",    "Output", "Error",       "Warning", "Verbose",
                                        "Debug",   "Information", "All", "Null"};
    return enum_from_table("System.Management.Automation.Runspaces.PipelineResultTypes", names, 9, n);
}

psrp_value *msg_new_array_list(void)
{
    static const char *const types[] = {"System.Collections.ArrayList", "System.Object", NULL};
    return psrp_value_new_collection(PSRP_COLL_LIST, types);
}
