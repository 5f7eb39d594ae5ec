/* error.c: filling psr_error objects (see include/psremote/error.h). */
#include "psremote/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void psr_error_clear(psr_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

int psr_error_set(psr_error *err, psr_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    psr_error_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

int psr_error_prefix(psr_error *err, const char *fmt, ...)
{
    if (!err)
        return PSR_E_INVALID;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    char old[sizeof(err->message)];
    memcpy(old, err->message, sizeof(old));
    /* Truncation is acceptable: the start of the message says the most. */
    if (snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old) < 0)
        err->message[0] = '\0';
    return err->code;
}

const char *psr_status_name(psr_status code)
{
    switch (code) {
    case PSR_OK: return "success";
    case PSR_E_NOMEM: return "out of memory";
    case PSR_E_INVALID: return "invalid argument";
    case PSR_E_PARSE: return "malformed data";
    case PSR_E_LIMIT: return "limit exceeded";
    case PSR_E_NETWORK: return "network error";
    case PSR_E_TLS: return "TLS error";
    case PSR_E_AUTH: return "authentication failed";
    case PSR_E_FAULT: return "server fault";
    case PSR_E_TIMEOUT: return "timed out";
    case PSR_E_HTTP: return "HTTP error";
    case PSR_E_PROTOCOL: return "protocol error";
    case PSR_E_CANCELLED: return "cancelled";
    case PSR_E_IO: return "I/O error";
    case PSR_E_STATE: return "invalid state";
    }
    return "unknown error";
}
