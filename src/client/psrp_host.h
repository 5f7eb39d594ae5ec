/* psrp_host.h: pieces of answering a remote pipeline's host calls
 * (MS-PSRP 2.2.3.17) that do not depend on where the answers come from,
 * shared by psremote's terminal host (src/cli/host.c) and the public API
 * (src/client/powershell_host.c), so a script sees the same parameters,
 * credentials and refusals from both. */
#ifndef PSR_CLIENT_PSRP_HOST_H
#define PSR_CLIENT_PSRP_HOST_H

#include "src/client/psrp_session.h"

/* The number of parameters of the call, and the i-th one (borrowed from the
 * call), or NULL past the end. */
size_t psr_psrp_host_param_count(const psrp_msg_host_call *call);
const psrp_value *psr_psrp_host_param(const psrp_msg_host_call *call, size_t i);
/* Text of the i-th parameter: its text, or an object's ToString; "" when
 * there is none. */
const char *psr_psrp_host_param_text(const psrp_msg_host_call *call, size_t i);

/* Answers the call with the error record a host gives for a method it does
 * not implement (HostException, HostFunctionNotImplemented, category
 * NotImplemented), whose message reads "psremote cannot answer the host
 * call METHOD: WHY". The script sees it as an error and goes on. */
int psr_psrp_host_refuse(psrp_pipeline *pl, const psrp_msg_host_call *call, const char *why,
                         psr_error *err);

/* A PSCredential (UserName, and Password as a SecureString under the
 * session key, exchanged first if need be), for PromptForCredential.
 * *out gets one reference. */
int psr_psrp_host_credential(psr_psrp_session *s, const char *user, const char *password,
                             psrp_value **out, psr_error *err);

#endif
