/* json.h: CLIXML values as JSON (jansson), for `psremote decode` and
 * `psremote invoke --output json`. The mapping is described at the top of
 * psrp/json.c. */
#ifndef PSR_PSRP_JSON_H
#define PSR_PSRP_JSON_H

#include "common/buf.h"
#include "psremote/error.h"
#include "psrp/value.h"

#include <jansson.h>

/* A new JSON value for v (release with json_decref), or NULL with err
 * filled: PSR_E_NOMEM, or PSR_E_LIMIT when shared objects (<Ref>) would
 * expand to more than a million JSON nodes. */
json_t *psrp_value_to_json(const psrp_value *v, psr_error *err);

/* Flags of psrp_value_to_json_flags. */
enum {
    /* A SecureString becomes {"TypeNames": ["System.Security.SecureString",
     * "System.Object"], "ToString": "System.Security.SecureString"}, as an
     * object whose contents are not shown (invoke's output), instead of
     * carrying its ciphertext. */
    PSRP_JSON_HIDE_SECURE_STRINGS = 1
};
json_t *psrp_value_to_json_flags(const psrp_value *v, unsigned flags, psr_error *err);

/* Appends v as JSON text to out: indented by two spaces when indent is set,
 * else on one line (", " and ": " separators); no trailing newline.
 * Returns 0 or as above. */
int psrp_value_to_json_text(psr_buf *out, const psrp_value *v, int indent, psr_error *err);

#endif
