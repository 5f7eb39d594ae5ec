/* powershell_object.c: objects in the public PowerShell API (see
 * psremote/powershell.h). Thin readers over the CLIXML value model
 * (psrp/value.h), its JSON form (psrp/json.h) and PowerShell's text view
 * (psrp/show.h), so the library and `psremote invoke` agree on both. */
#include "src/client/powershell_impl.h"

#include "psrp/json.h"
#include "psrp/show.h"

#include <stdlib.h>
#include <string.h>

int psr_ps_object_to_json(const psr_ps_object *obj, unsigned flags, char **out, psr_error *err)
{
    const psrp_value *v = psr_ps_value_of(obj);
    if (!v) { /* no object (a property that is not there) is JSON's null */
        *out = strdup("null");
        return *out ? 0 : psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    *out = NULL;
    psr_error local;
    json_t *j = psrp_value_to_json_flags(v, PSRP_JSON_HIDE_SECURE_STRINGS, &local);
    if (!j) {
        if (err)
            *err = local;
        return local.code;
    }
    size_t jflags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
                    ((flags & PSR_PS_JSON_INDENT) ? JSON_INDENT(2) : JSON_COMPACT);
    *out = json_dumps(j, jflags);
    json_decref(j);
    return *out ? 0 : psr_error_set(err, PSR_E_NOMEM, "out of memory writing JSON");
}

int psr_ps_object_to_text(const psr_ps_object *obj, char **out, psr_error *err)
{
    psr_buf text = {0};
    int rc = psr_buf_puts(&text, "") | psrp_value_show(&text, psr_ps_value_of(obj));
    if (rc) {
        psr_buf_free(&text);
        *out = NULL;
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    *out = psr_buf_detach(&text, NULL);
    return 0;
}

const char *psr_ps_object_type_name(const psr_ps_object *obj, size_t i)
{
    return obj ? psrp_value_type_name(psr_ps_value_of(obj), i) : NULL;
}

int psr_ps_object_is_type(const psr_ps_object *obj, const char *type_name)
{
    return obj && type_name && psrp_value_is_type(psr_ps_value_of(obj), type_name);
}

const psr_ps_object *psr_ps_object_property(const psr_ps_object *obj, const char *name)
{
    return obj && name ? psr_ps_object_of(psrp_object_get(psr_ps_value_of(obj), name)) : NULL;
}

size_t psr_ps_object_item_count(const psr_ps_object *obj)
{
    const psrp_value *v = psr_ps_value_of(obj);
    return v && v->kind == PSRP_V_OBJECT ? v->u.obj.n_items : 0;
}

const psr_ps_object *psr_ps_object_item(const psr_ps_object *obj, size_t i)
{
    return i < psr_ps_object_item_count(obj) ? psr_ps_object_of(psr_ps_value_of(obj)->u.obj.items[i])
                                             : NULL;
}

int psr_ps_object_is_null(const psr_ps_object *obj)
{
    return psrp_value_is_nil(psr_ps_value_of(obj));
}

/* What the primitive readers read: v itself, or the primitive an object
 * wraps (PowerShell wraps a string in a PSObject to give it note
 * properties, and an enum is an object around its number). */
static const psrp_value *primitive(const psr_ps_object *obj)
{
    const psrp_value *v = psr_ps_value_of(obj);
    if (v && v->kind == PSRP_V_OBJECT && v->u.obj.base && v->u.obj.base->kind != PSRP_V_OBJECT)
        return v->u.obj.base;
    return v;
}

const char *psr_ps_object_string(const psr_ps_object *obj)
{
    const psrp_value *v = primitive(obj);
    /* A SecureString's text is its ciphertext: not a string to show. */
    return v && v->kind != PSRP_V_SECURESTRING ? psrp_value_text(v) : NULL;
}

int psr_ps_object_int64(const psr_ps_object *obj, int64_t *out)
{
    const psrp_value *v = primitive(obj);
    /* psrp_value_get_i64 also reads a CHAR as its code: a character is not
     * an integer to the caller. */
    if (!v || v->kind == PSRP_V_CHAR || psrp_value_get_i64(v, out) != 0)
        return PSR_E_INVALID;
    return 0;
}

int psr_ps_object_bool(const psr_ps_object *obj, int *out)
{
    const psrp_value *v = primitive(obj);
    return v && psrp_value_get_bool(v, out) == 0 ? 0 : PSR_E_INVALID;
}
