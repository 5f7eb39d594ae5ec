/* json_input.h: JSON values as PowerShell objects, for `invoke --input-json`.
 * Strings, numbers, booleans and null become the matching primitives
 * (integers as Int32 when they fit, else Int64), arrays become object[]
 * lists, and objects become PSCustomObjects whose note properties keep the
 * JSON member order (what ConvertFrom-Json gives on Windows). */
#ifndef PSR_CLI_JSON_INPUT_H
#define PSR_CLI_JSON_INPUT_H

#include "psrp/value.h"

#include <jansson.h>

/* A new value (one reference), or NULL when out of memory. */
psrp_value *psr_json_to_value(const json_t *j);

/* Reads JSON input: one array (each element is an input object) or a series
 * of values (JSON lines). Appends new references to *values. 0, or -1 with
 * a message in err (what and where). */
int psr_json_input_read(const char *text, size_t len, psrp_value ***values, size_t *n,
                        char *err, size_t err_size);

#endif
