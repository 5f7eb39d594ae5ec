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

/* Strings given as option values are copied into a store owned by the
 * caller, which must outlive conn's use; start it zeroed. */
typedef struct psr_session_option_store {
    char **strings;
    int n;
} psr_session_option_store;

/* Applies one "Name=Value" string. Returns 0 or PSR_E_INVALID saying the
 * valid names or the type and range the option takes. */
int psr_session_option_apply(psr_connection_options *conn, psr_session_option_store *store,
                             const char *name_equals_value, psr_error *err);
/* The same with name and value apart (name need not be NUL-terminated). */
int psr_session_option_set(psr_connection_options *conn, psr_session_option_store *store,
                           const char *name, size_t name_len, const char *value, psr_error *err);
/* Applies "Name=Value;Name=Value" (the PSREMOTE_SESSION_OPTIONS form); a ';'
 * inside braces or double quotes (a JSON ApplicationArguments) does not
 * split. */
int psr_session_option_apply_list(psr_connection_options *conn, psr_session_option_store *store,
                                  const char *list, psr_error *err);
/* 1 when name (len bytes) is a session option name. */
int psr_session_option_known(const char *name, size_t len);
void psr_session_option_store_free(psr_session_option_store *store);

/* The names accepted, comma-separated, for help and error texts. */
const char *psr_session_option_names(void);

#ifdef __cplusplus
}
#endif
#endif
