/* json_input.h: JSON values as PowerShell objects, for input objects and
 * arguments given as JSON (`invoke --input-json`, the public API's
 * psr_ps_command_add_input_json). Strings, numbers, booleans and null become
 * the matching primitives (integers as Int32 when they fit, else Int64),
 * arrays become object[] lists, and objects become PSCustomObjects whose note
 * properties keep the JSON member order (what ConvertFrom-Json gives on
 * Windows). Parsing is jansson's. */
#ifndef PSR_PSRP_JSON_INPUT_H
#define PSR_PSRP_JSON_INPUT_H

#include "psremote/error.h"
#include "psrp/value.h"

#include <jansson.h>

/* A new value (one reference), or NULL when out of memory. */
psrp_value *psrp_json_to_value(const json_t *j);

/* Reads JSON input: one array (each element is an input object) or a series
 * of values (JSON lines). Appends new references to *values (the caller
 * frees them and the array, also after a failure). 0, or PSR_E_PARSE saying
 * what is wrong and at which byte, or PSR_E_NOMEM. */
int psrp_json_input_read(const char *text, size_t len, psrp_value ***values, size_t *n,
                         psr_error *err);

#endif
