/* psremote/connection.h: where and how to connect to a WinRM endpoint.
 *
 * A psr_connection_options is filled by the caller (the CLI fills it from
 * options, a config file and the environment) and read by psr_winrs_* and the
 * PSRP session calls. All strings are borrowed: they must outlive every call
 * that is given the options. Start from psr_connection_options_init, which
 * sets PowerShell's defaults. */
#ifndef PSREMOTE_CONNECTION_H
#define PSREMOTE_CONNECTION_H

#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum psr_auth_method {
    PSR_AUTH_DEFAULT = 0,  /* Negotiate, as Invoke-Command's Default */
    PSR_AUTH_BASIC,
    PSR_AUTH_NEGOTIATE,
    PSR_AUTH_NEGOTIATE_IMPLICIT, /* NegotiateWithImplicitCredential */
    PSR_AUTH_KERBEROS,
    PSR_AUTH_NTLM,
    PSR_AUTH_CREDSSP,
    PSR_AUTH_CERTIFICATE,
    PSR_AUTH_DIGEST        /* accepted as a name only to refuse it clearly */
} psr_auth_method;

/* ProxyAccessType. On Linux there is no IE or WinHTTP configuration: all
 * but NoProxyServer take the proxy from the environment (http_proxy,
 * https_proxy, no_proxy), as curl does. */
typedef enum psr_proxy_access {
    PSR_PROXY_NONE = 0,      /* PowerShell's default: the environment here */
    PSR_PROXY_IE_CONFIG,
    PSR_PROXY_WINHTTP_CONFIG,
    PSR_PROXY_AUTO_DETECT,
    PSR_PROXY_NO_PROXY_SERVER /* never a proxy */
} psr_proxy_access;

/* OutputBufferingMode: what a disconnected session does with output. */
typedef enum psr_output_buffering {
    PSR_OUTPUT_BUFFERING_NONE = 0,
    PSR_OUTPUT_BUFFERING_DROP,
    PSR_OUTPUT_BUFFERING_BLOCK
} psr_output_buffering;

typedef struct psr_connection_options {
    /* Endpoint: either connection_uri, or computer_name with port/use_ssl/
     * application_name (URL = http[s]://NAME:PORT/APPLICATION). */
    const char *connection_uri;
    const char *computer_name;
    int port;                    /* 0 = 5985, or 5986 with use_ssl */
    int use_ssl;
    const char *application_name; /* NULL = "wsman" */
    /* -AllowRedirection: follow HTTP redirects (301, 302, 303, 307, 308) to
     * another URL, at most maximum_redirection times (MaximumRedirection,
     * default 5; 0 follows none). Never from HTTPS to HTTP. */
    int allow_redirection;
    int maximum_redirection;

    /* Credentials. user is DOMAIN\user or user@domain. */
    const char *user;
    const char *password;
    psr_auth_method auth;
    int allow_unencrypted;       /* permit Basic over plain HTTP */
    /* Client certificate authentication (PEM files; HTTPS only). */
    const char *certificate_file;
    const char *certificate_key_file;
    /* GSSAPI (Negotiate, Kerberos, NTLM, CredSSP's inner exchange) */
    const char *spn_service;     /* SPN service class, NULL = "HTTP" */
    int include_port_in_spn;     /* IncludePortInSPN: HTTP/host:port */
    int request_delegation;      /* ask the KDC for a forwardable, delegated ticket */
    int no_encryption;           /* NoEncryption: do not seal messages on HTTP */
    /* CredSSP: the lowest server version accepted, 2..6. Default 5, as
     * Windows clients since the CVE-2018-0886 fix ("Mitigated"): older,
     * unpatched servers are refused; 2 accepts them. */
    int credssp_min_version;

    /* TLS and proxy */
    const char *ca_file;
    int skip_ca_check;
    int skip_cn_check;
    int skip_revocation_check;
    const char *proxy;           /* NULL = environment, "" = none */
    psr_proxy_access proxy_access; /* ProxyAccessType */
    psr_auth_method proxy_auth;  /* ProxyAuthentication: Basic, Digest or Negotiate */
    const char *proxy_user;      /* ProxyCredential user, NULL = none */
    const char *proxy_password;  /* its password (never from argv) */

    /* WS-Man session behaviour (PowerShell names in comments) */
    uint32_t operation_timeout_ms; /* OperationTimeout, default 180000 */
    uint32_t open_timeout_ms;      /* OpenTimeout, default 180000 */
    uint32_t cancel_timeout_ms;    /* CancelTimeout, default 60000: after a stop, the wait
                                    * before the command is terminated */
    uint32_t max_envelope_size;    /* bytes, default 153600 */
    const char *culture;           /* DataLocale, NULL = "en-US" */
    const char *ui_culture;        /* Locale, NULL = "en-US" */
    int no_machine_profile;        /* NoMachineProfile (WinRS WINRS_NOPROFILE) */
    int32_t idle_timeout_ms;       /* IdleTimeout, -1 = the server's default */
    uint32_t max_connection_retry_count; /* MaxConnectionRetryCount, default 5 */
    /* MaximumReceivedObjectSize / MaximumReceivedDataSizePerCommand in
     * bytes; 0 = unlimited. Objects default to 200 MB, Windows PowerShell's
     * client default, so a hostile server cannot exhaust memory. */
    uint64_t max_received_object_size;
    uint64_t max_received_data_per_command;
    psr_output_buffering output_buffering_mode; /* OutputBufferingMode */
    /* ApplicationArguments: a JSON object, or Name=Value;Name=Value (strings),
     * sent to the session configuration in INIT_RUNSPACEPOOL. NULL = none. */
    const char *application_arguments;
    int no_compression;            /* NoCompression (psremote never compresses) */
    int use_utf16;                 /* UseUTF16 (accepted; requests stay UTF-8) */

    /* When set, every request and response envelope is appended here (no
     * HTTP headers, so never an Authorization value), in the form
     * `psremote decode` reads. Borrowed; written under flockfile. */
    FILE *trace;
} psr_connection_options;

/* Sets every field to PowerShell's default. */
void psr_connection_options_init(psr_connection_options *o);

/* Parses an --authentication value (case-insensitive, Invoke-Command names).
 * Returns 0 or PSR_E_INVALID with the list of valid names in err. */
int psr_auth_method_parse(const char *name, psr_auth_method *out, psr_error *err);
const char *psr_auth_method_name(psr_auth_method m);

#ifdef __cplusplus
}
#endif
#endif
