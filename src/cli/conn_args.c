/* conn_args.c: parsing the shared connection options (see conn_args.h). */
#include "src/cli/conn_args.h"

#include "src/cli/password.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char psr_cli_conn_help[] =
    "Connection:\n"
    "  -c, --computer-name HOST   remote computer (default localhost)\n"
    "      --port N               port (default 5985, or 5986 with --use-ssl)\n"
    "      --use-ssl              HTTPS\n"
    "      --connection-uri URI   full endpoint URL instead of -c/--port/--use-ssl\n"
    "                             (a URI without a port uses 80 or 443)\n"
    "      --application-name APP URL path (default wsman)\n"
    "  -u, --credential USER      DOMAIN\\user or user@domain; the password comes from\n"
    "                             PSREMOTE_PASSWORD, --password-file, or a prompt\n"
    "      --password-file FILE   read the password from the first line of FILE\n"
    "      --authentication NAME  Default (Negotiate: Kerberos, else NTLM), Negotiate,\n"
    "                             NegotiateWithImplicitCredential (ticket cache),\n"
    "                             Kerberos, NTLM, Basic, Certificate (CredSSP: not\n"
    "                             in this version yet); messages are sealed on HTTP\n"
    "      --certificate FILE     PEM client certificate (Certificate authentication)\n"
    "      --certificate-key FILE its PEM private key (default: in the same file)\n"
    "      --delegate             Kerberos: delegate the user's ticket to the server\n"
    "                             (second hop; the account must be trusted for it)\n"
    "      --spn-service NAME     SPN service class (default HTTP; see IncludePortInSPN)\n"
    "      --allow-unencrypted    allow Basic over plain HTTP (the password travels\n"
    "                             in clear text)\n"
    "      --allow-redirection    follow a server's redirect to another URL (at most\n"
    "                             MaximumRedirection times; never HTTPS to HTTP)\n"
    "      --ca-file FILE         trust the CA certificates in FILE (PEM)\n"
    "      --proxy URL            HTTP proxy (default: http_proxy/https_proxy; \"\" for none)\n"
    "      --trace FILE           write every request and response envelope to FILE\n"
    "                             (no HTTP headers, so no credentials); read it with\n"
    "                             psremote decode\n"
    "      --session-option NAME=VALUE\n"
    "                             SkipCACheck, SkipCNCheck, SkipRevocationCheck,\n"
    "                             OperationTimeout, OpenTimeout, CancelTimeout (ms),\n"
    "                             NoMachineProfile, MaxEnvelopeSize, Culture, UICulture\n";

void psr_cli_conn_init(psr_cli_conn *c)
{
    memset(c, 0, sizeof(*c));
    psr_connection_options_init(&c->conn);
}

static int parse_port(const char *arg, int *out, psr_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || *end || v < 1 || v > 65535)
        return psr_error_set(err, PSR_E_INVALID, "--port takes a number from 1 to 65535, not '%s'",
                             arg);
    *out = (int)v;
    return 0;
}

int psr_cli_conn_option(psr_cli_conn *c, int opt, const char *arg, psr_error *err)
{
    int rc = 0;
    switch (opt) {
    case 'c': c->conn.computer_name = arg; break;
    case 'u': c->conn.user = arg; break;
    case OPT_PORT: rc = parse_port(arg, &c->conn.port, err); break;
    case OPT_USE_SSL: c->conn.use_ssl = 1; break;
    case OPT_CONNECTION_URI: c->conn.connection_uri = arg; break;
    case OPT_APPLICATION_NAME: c->conn.application_name = arg; break;
    case OPT_AUTHENTICATION:
        rc = psr_auth_method_parse(arg, &c->conn.auth, err);
        c->auth_given = 1;
        break;
    case OPT_PASSWORD_FILE: c->password_file = arg; break;
    case OPT_SESSION_OPTION: rc = psr_session_option_apply(&c->conn, &c->store, arg, err); break;
    case OPT_CA_FILE: c->conn.ca_file = arg; break;
    case OPT_ALLOW_UNENCRYPTED: c->conn.allow_unencrypted = 1; break;
    case OPT_PROXY: c->conn.proxy = arg; break;
    case OPT_TRACE: c->trace_path = arg; break;
    case OPT_ALLOW_REDIRECTION: c->conn.allow_redirection = 1; break;
    case OPT_CERTIFICATE: c->conn.certificate_file = arg; break;
    case OPT_CERTIFICATE_KEY: c->conn.certificate_key_file = arg; break;
    case OPT_DELEGATE: c->conn.request_delegation = 1; break;
    case OPT_SPN_SERVICE: c->conn.spn_service = arg; break;
    default: return 0;
    }
    return rc ? rc : 1;
}

int psr_cli_conn_finish(psr_cli_conn *c, psr_error *err)
{
    if (c->conn.connection_uri &&
        (c->conn.computer_name || c->conn.port || c->conn.use_ssl || c->conn.application_name))
        return psr_error_set(err, PSR_E_INVALID,
                             "--connection-uri cannot be combined with -c, --port, --use-ssl "
                             "or --application-name: put them in the URI");
    if (c->password_file && !c->conn.user)
        return psr_error_set(err, PSR_E_INVALID, "--password-file needs -u/--credential USER");
    if (c->trace_path && !c->conn.trace) {
        c->conn.trace = fopen(c->trace_path, "w");
        if (!c->conn.trace)
            return psr_error_set(err, PSR_E_IO, "cannot write the trace file %s: %s",
                                 c->trace_path, strerror(errno));
    }
    if (c->conn.user && !c->password) {
        int rc = psr_password_obtain(c->password_file, c->conn.user, &c->password, err);
        if (rc)
            return rc;
        c->conn.password = c->password;
    }
    return 0;
}

void psr_cli_conn_free(psr_cli_conn *c)
{
    if (c->conn.trace)
        fclose(c->conn.trace);
    c->conn.trace = NULL;
    psr_password_free(c->password);
    c->password = NULL;
    psr_session_option_store_free(&c->store);
}
