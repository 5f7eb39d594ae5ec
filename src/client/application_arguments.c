/* application_arguments.c: JSON to PSPrimitiveDictionary (see
 * application_arguments.h). JSON parsing is jansson's. */
#include "src/client/application_arguments.h"

#include <jansson.h>
#include <stdint.h>

static const char *const dictionary_types[] = {
    "System.Management.Automation.PSPrimitiveDictionary", "System.Collections.Hashtable",
    "System.Object", NULL};
static const char *const array_types[] = {"System.Object[]", "System.Array", "System.Object",
                                          NULL};

static psrp_value *convert(json_t *j, const char *key, psr_error *err);

static psrp_value *convert_object(json_t *j, psr_error *err)
{
    psrp_value *dict = psrp_value_new_collection(PSRP_COLL_DICT, dictionary_types);
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        psrp_value *item = convert(v, k, err);
        if (!item || !dict || psrp_dict_add(dict, psrp_value_new_string(k), item) != 0) {
            if (item && dict)
                psr_error_set(err, PSR_E_NOMEM, "out of memory");
            psrp_value_free(dict);
            return NULL;
        }
    }
    if (!dict)
        psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return dict;
}

static psrp_value *convert(json_t *j, const char *key, psr_error *err)
{
    psrp_value *v = NULL;
    switch (json_typeof(j)) {
    case JSON_OBJECT: return convert_object(j, err);
    case JSON_STRING: v = psrp_value_new_stringn(json_string_value(j), json_string_length(j)); break;
    case JSON_INTEGER: {
        json_int_t n = json_integer_value(j);
        v = n >= INT32_MIN && n <= INT32_MAX ? psrp_value_new_i32((int32_t)n)
                                             : psrp_value_new_i64((int64_t)n);
        break;
    }
    case JSON_REAL: v = psrp_value_new_double(json_real_value(j)); break;
    case JSON_TRUE: v = psrp_value_new_bool(1); break;
    case JSON_FALSE: v = psrp_value_new_bool(0); break;
    case JSON_NULL: v = psrp_value_new_nil(); break;
    case JSON_ARRAY: {
        v = psrp_value_new_collection(PSRP_COLL_LIST, array_types);
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item)
        {
            if (json_is_object(item) || json_is_array(item)) {
                psrp_value_free(v);
                psr_error_set(err, PSR_E_INVALID,
                              "ApplicationArguments: '%s' holds an array of objects or arrays; "
                              "arrays may hold strings, numbers, booleans and null only",
                              key);
                return NULL;
            }
            if (v && psrp_list_append(v, convert(item, key, err)) != 0) {
                psrp_value_free(v);
                v = NULL;
            }
        }
        break;
    }
    }
    if (!v)
        psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return v;
}

int psr_application_arguments_parse(const char *text, psrp_value **out, psr_error *err)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return psr_error_set(err, PSR_E_INVALID,
                             "ApplicationArguments must be a JSON object such as "
                             "{\"Name\":\"value\",\"Count\":3}: %s (line %d, column %d)",
                             je.text, je.line, je.column);
    if (!json_is_object(root)) {
        json_decref(root);
        return psr_error_set(err, PSR_E_INVALID,
                             "ApplicationArguments must be a JSON object such as "
                             "{\"Name\":\"value\",\"Count\":3}, not another JSON value");
    }
    *out = convert_object(root, err);
    json_decref(root);
    return *out ? 0 : (err ? err->code : PSR_E_NOMEM);
}
