/* show.c: values and records as PowerShell's console shows them (see
 * show.h). Shared by psremote's renderer and the public API, so a library
 * user gets the same text the command prints. */
#include "psrp/show.h"

#include <inttypes.h>

static int show(psr_buf *out, const psrp_value *v)
{
    if (!v)
        return 0;
    switch (v->kind) {
    case PSRP_V_NIL: return 0;
    case PSRP_V_BOOL: return psr_buf_puts(out, v->u.b ? "True" : "False");
    case PSRP_V_CHAR:
        /* Only ASCII: a UTF-16 code unit alone may be half a character. */
        return v->u.u64 < 0x80 ? psr_buf_putc(out, (char)v->u.u64) : 0;
    case PSRP_V_U8: case PSRP_V_U16: case PSRP_V_U32: case PSRP_V_U64:
        return psr_buf_printf(out, "%" PRIu64, v->u.u64);
    case PSRP_V_I8: case PSRP_V_I16: case PSRP_V_I32: case PSRP_V_I64:
        return psr_buf_printf(out, "%" PRId64, v->u.i64);
    case PSRP_V_FLOAT: case PSRP_V_DOUBLE: return psr_buf_printf(out, "%.15g", v->u.f64);
    case PSRP_V_BYTES: {
        int rc = 0;
        for (size_t i = 0; i < v->u.bytes.len; i++)
            rc |= psr_buf_printf(out, "%s%u", i ? " " : "", v->u.bytes.ptr[i]);
        return rc;
    }
    case PSRP_V_PROGRESS: return psr_buf_puts(out, "System.Management.Automation.ProgressRecord");
    /* As PowerShell shows one: the type, never the contents. */
    case PSRP_V_SECURESTRING: return psr_buf_puts(out, "System.Security.SecureString");
    case PSRP_V_OBJECT: {
        const psrp_object *o = &v->u.obj;
        if (o->to_string)
            return psr_buf_puts(out, o->to_string);
        if (o->base)
            return show(out, o->base);
        if (o->n_items) {
            int rc = psr_buf_putc(out, '{');
            for (size_t i = 0; i < o->n_items; i++) {
                if (i)
                    rc |= psr_buf_puts(out, ", ");
                rc |= show(out, o->items[i]);
            }
            return rc | psr_buf_putc(out, '}');
        }
        const char *type = psrp_value_type_name(v, 0);
        return type ? psr_buf_puts(out, psrp_type_name_strip_deserialized(type)) : 0;
    }
    default: {
        const char *t = psrp_value_text(v);
        return t ? psr_buf_puts(out, t) : 0;
    }
    }
}

int psrp_value_show(psr_buf *out, const psrp_value *v)
{
    return show(out, v) ? PSR_E_NOMEM : 0;
}

int psrp_error_record_show(psr_buf *out, const psrp_error_record *rec, const char *computer_name)
{
    int rc = psr_buf_printf(out, "%s\n", rec->message ? rec->message : "(no message)");
    if (rec->position_message && *rec->position_message)
        rc |= psr_buf_printf(out, "%s\n", rec->position_message);
    if (rec->category_message)
        rc |= psr_buf_printf(out, "    + CategoryInfo          : %s\n", rec->category_message);
    if (rec->fully_qualified_error_id)
        rc |= psr_buf_printf(out, "    + FullyQualifiedErrorId : %s\n",
                             rec->fully_qualified_error_id);
    if (computer_name)
        rc |= psr_buf_printf(out, "    + PSComputerName        : %s\n", computer_name);
    return rc ? PSR_E_NOMEM : 0;
}

const char *psrp_record_prefix(psrp_pipeline_event_kind kind)
{
    switch (kind) {
    case PSRP_PIPELINE_EV_WARNING: return "WARNING: ";
    case PSRP_PIPELINE_EV_VERBOSE: return "VERBOSE: ";
    case PSRP_PIPELINE_EV_DEBUG: return "DEBUG: ";
    default: return "";
    }
}

int psrp_progress_show(psr_buf *out, const psrp_msg_progress *rec)
{
    int rc = psr_buf_printf(out, "%s: %s", rec->activity ? rec->activity : "",
                            rec->status_description ? rec->status_description : "");
    if (rec->percent_complete >= 0)
        rc |= psr_buf_printf(out, " [%d%%]", rec->percent_complete);
    return rc ? PSR_E_NOMEM : 0;
}
