/* application_arguments.h: the ApplicationArguments session option, a JSON
 * object turned into the PSPrimitiveDictionary PowerShell sends in
 * INIT_RUNSPACEPOOL (MS-PSRP 2.2.2.2; the session configuration reads it
 * as $PSSenderInfo.ApplicationArguments). */
#ifndef PSR_CLIENT_APPLICATION_ARGUMENTS_H
#define PSR_CLIENT_APPLICATION_ARGUMENTS_H

#include "psremote/error.h"
#include "psrp/value.h"

/* Parses text, a JSON object whose values are strings, numbers, booleans,
 * null, arrays of those, or nested objects (which become nested
 * dictionaries). *out receives a new dictionary value. PSR_E_INVALID with
 * the position of a JSON error or the offending member otherwise. */
int psr_application_arguments_parse(const char *text, psrp_value **out, psr_error *err);

#endif
