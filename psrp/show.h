/* show.h: values and records as text, the way PowerShell's console shows
 * them, for `psremote invoke` and the public API's *_to_text calls. Pure:
 * each function appends to a psr_buf and returns 0 or PSR_E_NOMEM. */
#ifndef PSR_PSRP_SHOW_H
#define PSR_PSRP_SHOW_H

#include "common/buf.h"
#include "psrp/messages.h"
#include "psrp/pipeline.h"
#include "psrp/value.h"

/* A value as PowerShell shows it in one table cell or line: primitives as
 * themselves (True/False, numbers, text), an object by its ToString, else
 * its wrapped primitive, else its items as {a, b}, else its type name
 * without "Deserialized."; a SecureString as its type, never its contents;
 * Nil as nothing. */
int psrp_value_show(psr_buf *out, const psrp_value *v);

/* An error record as Windows PowerShell 5.1's ErrorView writes it: the
 * message, the position, "    + CategoryInfo          : ...",
 * "    + FullyQualifiedErrorId : ..." and, when computer_name is not NULL,
 * "    + PSComputerName        : ..." as Invoke-Command adds; every line
 * ends in a newline (no blank line after). */
int psrp_error_record_show(psr_buf *out, const psrp_error_record *rec, const char *computer_name);

/* "WARNING: ", "VERBOSE: " or "DEBUG: " for those event kinds, else "". */
const char *psrp_record_prefix(psrp_pipeline_event_kind kind);

/* A progress record as one status line: "Activity: Status", then
 * " [N%]" when the percentage is known. */
int psrp_progress_show(psr_buf *out, const psrp_msg_progress *rec);

#endif
