/* delegation.h (harness): checks the credentials a CredSSP client
 * delegated (see delegation.c). */
#ifndef PSR_HARNESS_DELEGATION_H
#define PSR_HARNESS_DELEGATION_H

#include "src/harness/harness.h"

#include <stddef.h>

/* peer is who SPNEGO authenticated (kerberos: a Kerberos principal, else
 * an NTLM DOMAIN\user); domain/user/password what was delegated. Returns 1
 * when they belong together and the password is right, else 0; why says
 * which, for --verbose. */
int harness_verify_delegated(const harness_options *opts, const char *peer, int kerberos,
                             const char *domain, const char *user, const char *password,
                             char *why, size_t why_len);

#endif
