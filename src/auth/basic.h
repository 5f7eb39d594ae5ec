/* basic.h: HTTP Basic authentication (RFC 7617) for WinRM.
 *
 * WinRM accepts Basic only for local accounts and, on HTTP, only with
 * AllowUnencrypted=true; sending a password in clear text over plain HTTP is
 * therefore refused here unless the caller explicitly allows it. */
#ifndef PSR_AUTH_BASIC_H
#define PSR_AUTH_BASIC_H

#include "common/buf.h"
#include "psremote/error.h"

/* Writes "Basic base64(user:password)" into out (replacing its contents).
 * is_tls says whether the connection is HTTPS; over plain HTTP the call fails
 * with PSR_E_INVALID and a message naming --allow-unencrypted unless
 * allow_unencrypted is set. A user name containing ':' is refused. */
int psr_basic_authorization(psr_buf *out, const char *user, const char *password,
                            int is_tls, int allow_unencrypted, psr_error *err);

#endif
