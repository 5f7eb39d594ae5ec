/* psremote/session_option.h: New-PSSessionOption settings by name.
 *
 * Applies "Name=Value" pairs (PowerShell's option names, matched
 * case-insensitively) to a psr_connection_options, with type checks and
 * errors that list the valid names or say what type is expected. */
#ifndef PSREMOTE_SESSION_OPTION_H
#define PSREMOTE_SESSION_OPTION_H

#include "psremote/connection.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Applies one "Name=Value" string. Strings in the value are copied into
 * storage owned by the caller's psr_session_option_store, which must outlive
 * conn's use. Returns 0 or PSR_E_INVALID. */
typedef struct psr_session_option_store {
    char *strings[16];
    int n;
} psr_session_option_store;

int psr_session_option_apply(psr_connection_options *conn, psr_session_option_store *store,
                             const char *name_equals_value, psr_error *err);
void psr_session_option_store_free(psr_session_option_store *store);

/* The names accepted, comma-separated, for help and error texts. */
const char *psr_session_option_names(void);

#ifdef __cplusplus
}
#endif
#endif
