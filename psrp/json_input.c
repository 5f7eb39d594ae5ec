/* json_input.c: JSON text as PowerShell input objects and arguments (see
 * json_input.h); parsing is jansson's. */
#include "psrp/json_input.h"

#include <stdlib.h>
#include <string.h>

psrp_value *psrp_json_to_value(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_STRING: return psrp_value_new_stringn(json_string_value(j), json_string_length(j));
    case JSON_INTEGER: {
        json_int_t n = json_integer_value(j);
        return n >= INT32_MIN && n <= INT32_MAX ? psrp_value_new_i32((int32_t)n)
                                                : psrp_value_new_i64((int64_t)n);
    }
    case JSON_REAL: return psrp_value_new_double(json_real_value(j));
    case JSON_TRUE: return psrp_value_new_bool(1);
    case JSON_FALSE: return psrp_value_new_bool(0);
    case JSON_NULL: return psrp_value_new_nil();
    case JSON_ARRAY: {
        static const char *const types[] = {"System.Object[]", "System.Array", "System.Object",
                                            NULL};
        psrp_value *list = psrp_value_new_collection(PSRP_COLL_LIST, types);
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item)
        {
            if (psrp_list_append(list, psrp_json_to_value(item)) != 0) {
                psrp_value_free(list);
                return NULL;
            }
        }
        return list;
    }
    case JSON_OBJECT: {
        static const char *const types[] = {"System.Management.Automation.PSCustomObject",
                                            "System.Object", NULL};
        psrp_value *obj = psrp_value_new_object(types);
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)j, key, member)
        {
            if (psrp_object_add(obj, key, psrp_json_to_value(member)) != 0) {
                psrp_value_free(obj);
                return NULL;
            }
        }
        return obj;
    }
    }
    return NULL;
}

static int append(psrp_value ***values, size_t *n, psrp_value *v)
{
    psrp_value **grown = v ? realloc(*values, (*n + 1) * sizeof(*grown)) : NULL;
    if (!grown) {
        psrp_value_free(v);
        return -1;
    }
    *values = grown;
    (*values)[(*n)++] = v;
    return 0;
}

int psrp_json_input_read(const char *text, size_t len, psrp_value ***values, size_t *n,
                         psr_error *err)
{
    size_t off = 0;
    int first = 1;
    while (off < len) {
        while (off < len && strchr(" \t\r\n", text[off]))
            off++;
        if (off == len)
            break;
        json_error_t jerr;
        json_t *j = json_loadb(text + off, len - off,
                               JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!j) {
            return psr_error_set(err, PSR_E_PARSE, "JSON input at byte %zu: %s",
                                 off + (size_t)jerr.position, jerr.text);
        }
        int rc = 0;
        /* A lone top-level array is the list of input objects. */
        if (first && json_is_array(j)) {
            size_t i;
            json_t *item;
            json_array_foreach(j, i, item)
            {
                if (!rc)
                    rc = append(values, n, psrp_json_to_value(item));
            }
        } else {
            rc = append(values, n, psrp_json_to_value(j));
        }
        off += (size_t)jerr.position;
        json_decref(j);
        first = 0;
        if (rc)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory reading JSON input");
    }
    return 0;
}
