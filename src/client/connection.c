/* connection.c: defaults and names for psr_connection_options. */
#include "psremote/connection.h"

#include <string.h>
#include <strings.h>

void psr_connection_options_init(psr_connection_options *o)
{
    memset(o, 0, sizeof(*o));
    o->operation_timeout_ms = 180000; /* PowerShell: 3 minutes */
    o->open_timeout_ms = 180000;
    o->cancel_timeout_ms = 60000;
    o->max_envelope_size = 153600;    /* 150 KB until the server says more */
    o->no_machine_profile = 1;        /* WinRS: no profile, as the issue asks */
    o->maximum_redirection = 5;       /* PowerShell's MaximumRedirection */
    o->idle_timeout_ms = -1;          /* the server's default (2 hours on Windows) */
    o->max_connection_retry_count = 5;
    o->max_received_object_size = 200u * 1024u * 1024u;
    o->proxy_auth = PSR_AUTH_NEGOTIATE; /* PowerShell's ProxyAuthentication default */
    o->credssp_min_version = 5;
}

static const struct {
    const char *name;
    psr_auth_method method;
} auth_names[] = {
    {"Default", PSR_AUTH_DEFAULT},
    {"Basic", PSR_AUTH_BASIC},
    {"Negotiate", PSR_AUTH_NEGOTIATE},
    {"NegotiateWithImplicitCredential", PSR_AUTH_NEGOTIATE_IMPLICIT},
    {"Kerberos", PSR_AUTH_KERBEROS},
    {"NTLM", PSR_AUTH_NTLM},
    {"CredSSP", PSR_AUTH_CREDSSP},
    {"Certificate", PSR_AUTH_CERTIFICATE},
    {"Digest", PSR_AUTH_DIGEST},
};

int psr_auth_method_parse(const char *name, psr_auth_method *out, psr_error *err)
{
    for (size_t i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++) {
        if (strcasecmp(name, auth_names[i].name) == 0) {
            *out = auth_names[i].method;
            return 0;
        }
    }
    return psr_error_set(err, PSR_E_INVALID,
                         "unknown authentication method '%s'; valid: Default, Basic, Negotiate, "
                         "NegotiateWithImplicitCredential, Kerberos, NTLM, CredSSP, Certificate",
                         name);
}

const char *psr_auth_method_name(psr_auth_method m)
{
    for (size_t i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
        if (auth_names[i].method == m)
            return auth_names[i].name;
    return "Unknown";
}
