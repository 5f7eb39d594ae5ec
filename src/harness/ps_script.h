/* ps_script.h: the harness's small simulated PowerShell.
 *
 * Enough of the language to exercise every stream a client must handle,
 * documented in psremote-harness(1). Statements are separated by ';' or new
 * lines:
 *   param($a, $b)                    binds the pipeline's arguments in order
 *   'text'  "text with $a"  42  1..5  $a  $args  $input
 *                                    output values
 *   Write-Output EXPR                output
 *   Write-Error EXPR                 a non-terminating error record
 *   Write-Warning / Write-Verbose / Write-Debug / Write-Information EXPR
 *   Write-Host EXPR                  a host write (information record, PSHOST)
 *   throw EXPR                       ends the pipeline Failed
 * Anything else is reported as PowerShell reports an unknown command
 * (CommandNotFoundException). Pure: no I/O; events go to the sink. */
#ifndef PSR_HARNESS_PS_SCRIPT_H
#define PSR_HARNESS_PS_SCRIPT_H

#include "psrp/value.h"

#include <stddef.h>

typedef enum ps_event_kind {
    PS_EV_OUTPUT,       /* value */
    PS_EV_ERROR,        /* text: Write-Error message */
    PS_EV_NOT_FOUND,    /* text: the unknown command's name */
    PS_EV_WARNING,      /* text */
    PS_EV_VERBOSE,      /* text */
    PS_EV_DEBUG,        /* text */
    PS_EV_INFORMATION,  /* text */
    PS_EV_HOST          /* text (Write-Host) */
} ps_event_kind;

/* Returns 0 to go on. value is borrowed for the call. */
typedef int (*ps_emit_fn)(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text);

/* Runs script. On `throw`, *failure receives the message (malloc'd) and the
 * run stops; 0 is returned either way unless the sink failed or memory ran
 * out (-1). */
int ps_script_run(const char *script, psrp_value *const *args, size_t n_args,
                  psrp_value *const *input, size_t n_input, ps_emit_fn emit, void *ctx,
                  char **failure);

#endif
