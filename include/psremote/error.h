/* psremote/error.h: the error object every fallible libpsremote call fills.
 *
 * Convention (libgit2 style): a call returns 0 on success or a negative
 * psr_status on failure, and writes a message a user can act on into the
 * caller-provided psr_error. The caller owns the psr_error; it holds no
 * heap memory, so there is nothing to free. Passing NULL for the error is
 * allowed and simply drops the details. */
#ifndef PSREMOTE_ERROR_H
#define PSREMOTE_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum psr_status {
    PSR_OK = 0,
    PSR_E_NOMEM = -1,      /* out of memory */
    PSR_E_INVALID = -2,    /* bad argument or option given by the caller */
    PSR_E_PARSE = -3,      /* malformed data received or read */
    PSR_E_LIMIT = -4,      /* a size, depth or count limit was exceeded */
    PSR_E_NETWORK = -5,    /* DNS, connect, send or receive failed */
    PSR_E_TLS = -6,        /* TLS handshake or certificate verification failed */
    PSR_E_AUTH = -7,       /* authentication failed or was refused */
    PSR_E_FAULT = -8,      /* the server answered with a WS-Management fault */
    PSR_E_TIMEOUT = -9,    /* a client-side deadline passed */
    PSR_E_HTTP = -10,      /* unexpected HTTP status */
    PSR_E_PROTOCOL = -11,  /* the peer broke the protocol (unexpected message) */
    PSR_E_CANCELLED = -12, /* stopped by the user (Ctrl+C) */
    PSR_E_IO = -13,        /* local file or process I/O failed */
    PSR_E_STATE = -14      /* call not valid in the current state */
} psr_status;

typedef struct psr_error {
    psr_status code;
    /* WS-Management fault details when code == PSR_E_FAULT, else 0 / "". */
    uint32_t wsman_code;   /* WSManFault Code, e.g. 2150858793 for TimedOut */
    char fault_subcode[64]; /* SOAP subcode local name, e.g. "TimedOut" */
    char machine[256];     /* WSManFault Machine */
    char message[1024];    /* full human-readable message */
} psr_error;

/* Resets err to "no error". NULL is allowed. */
void psr_error_clear(psr_error *err);

/* Formats a message into err (if not NULL) and returns code. */
int psr_error_set(psr_error *err, psr_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prepends "context: " to the message already in err. Returns err->code. */
int psr_error_prefix(psr_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A short name for a status ("network error", "authentication failed", ...). */
const char *psr_status_name(psr_status code);

#ifdef __cplusplus
}
#endif
#endif
