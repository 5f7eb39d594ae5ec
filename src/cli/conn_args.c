/* conn_args.c: parsing the shared connection options (see conn_args.h). */
#include "src/cli/conn_args.h"

#include "common/buf.h"
#include "src/cli/config_file.h"
#include "src/cli/password.h"

#include <curl/curl.h>
#include <strings.h>

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
    "                             Kerberos, NTLM, CredSSP (delegates the password\n"
    "                             for a second hop), Basic, Certificate; messages\n"
    "                             are sealed on HTTP\n"
    "      --certificate FILE     PEM client certificate (Certificate authentication)\n"
    "      --certificate-key FILE its PEM private key (default: in the same file)\n"
    "      --delegate             Kerberos: delegate the user's ticket to the server\n"
    "                             (second hop; the account must be trusted for it)\n"
    "      --spn-service NAME     SPN service class (default HTTP; see IncludePortInSPN)\n"
    "      --credssp-min-version N\n"
    "                             CredSSP: refuse servers below version N (2-6;\n"
    "                             default 5, which has the CVE-2018-0886 fix)\n"
    "      --allow-unencrypted    allow Basic over plain HTTP (the password travels\n"
    "                             in clear text)\n"
    "      --allow-redirection    follow a server's redirect to another URL (at most\n"
    "                             MaximumRedirection times; never HTTPS to HTTP)\n"
    "      --ca-file FILE         trust the CA certificates in FILE (PEM)\n"
    "      --proxy URL            HTTP proxy (default: http_proxy/https_proxy; \"\" for none)\n"
    "      --trace FILE           write every request and response envelope to FILE\n"
    "                             (no HTTP headers, so no credentials; SecureStrings\n"
    "                             redacted); read it with psremote decode\n"
    "      --session-option NAME=VALUE\n"
    "                             a New-PSSessionOption setting (repeatable):\n"
    "                             ApplicationArguments, CancelTimeout, Culture,\n"
    "                             IdleTimeout, IncludePortInSPN, MaxConnectionRetryCount,\n"
    "                             MaxEnvelopeSize, MaximumReceivedDataSizePerCommand,\n"
    "                             MaximumReceivedObjectSize, MaximumRedirection,\n"
    "                             NoCompression, NoEncryption, NoMachineProfile,\n"
    "                             OpenTimeout, OperationTimeout, OutputBufferingMode,\n"
    "                             ProxyAccessType, ProxyAuthentication, ProxyCredential,\n"
    "                             SkipCACheck, SkipCNCheck, SkipRevocationCheck,\n"
    "                             UICulture, UseUTF16 (see psremote(1))\n"
    "      --config FILE          settings file (default ~/.config/psremote/config)\n"
    "      --no-config            read no settings file\n";

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

/* Applies one option to c->conn (also when replayed). */
static int apply_option(psr_cli_conn *c, int opt, const char *arg, psr_error *err)
{
    int rc = 0;
    switch (opt) {
    case 'c': c->conn.computer_name = c->hosts.n ? c->hosts.names[0] : arg; break;
    case 'u': c->conn.user = arg; break;
    case OPT_PORT: rc = parse_port(arg, &c->conn.port, err); break;
    case OPT_USE_SSL: c->conn.use_ssl = 1; break;
    case OPT_CONNECTION_URI: c->conn.connection_uri = arg; break;
    case OPT_APPLICATION_NAME: c->conn.application_name = arg; break;
    case OPT_AUTHENTICATION: rc = psr_auth_method_parse(arg, &c->conn.auth, err); break;
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
    case OPT_CREDSSP_MIN_VERSION:
        if (arg[0] < '2' || arg[0] > '6' || arg[1])
            rc = psr_error_set(err, PSR_E_INVALID,
                               "--credssp-min-version takes a CredSSP version from 2 to 6, "
                               "not '%s'",
                               arg);
        else
            c->conn.credssp_min_version = arg[0] - '0';
        break;
    case OPT_CONFIG: c->config_path = arg; break;
    case OPT_NO_CONFIG: c->no_config = 1; break;
    case OPT_THROTTLE_LIMIT: {
        char *end;
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);
        if (errno || *end || !*arg || arg[0] == '-' || v > 100000)
            rc = psr_error_set(err, PSR_E_INVALID,
                               "--throttle-limit takes a number from 0 to 100000 (0: 32), not '%s'",
                               arg);
        else
            c->throttle_limit = (unsigned)v;
        break;
    }
    default: return 0;
    }
    return rc ? rc : 1;
}

int psr_cli_conn_option(psr_cli_conn *c, int opt, const char *arg, psr_error *err)
{
    if (opt == 'c') {
        int hrc = psr_host_list_add(&c->hosts, arg, err);
        if (hrc)
            return hrc;
    }
    int rc = apply_option(c, opt, arg, err);
    if (rc != 1)
        return rc;
    struct psr_cli_given *grown = realloc(c->given, (c->n_given + 1) * sizeof(*grown));
    if (!grown)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    c->given = grown;
    c->given[c->n_given++] = (struct psr_cli_given){opt, arg};
    return 1;
}

/* ---- configuration file and environment ---- */

static int given(const psr_cli_conn *c, int opt)
{
    for (size_t i = 0; i < c->n_given; i++)
        if (c->given[i].opt == opt)
            return 1;
    return 0;
}

static const char *keep(psr_cli_conn *c, const char *value)
{
    char **grown = realloc(c->kept, (c->n_kept + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    c->kept = grown;
    return c->kept[c->n_kept++] = strdup(value);
}

static int config_bool(const char *key, const char *value, int *out, psr_error *err)
{
    if (strcasecmp(value, "true") == 0 || strcasecmp(value, "yes") == 0) {
        *out = 1;
        return 0;
    }
    if (strcasecmp(value, "false") == 0 || strcasecmp(value, "no") == 0) {
        *out = 0;
        return 0;
    }
    return psr_error_set(err, PSR_E_INVALID, "%s takes true or false, not '%s'", key, value);
}

/* Keys of the configuration file that stand for command-line options. */
static const struct {
    const char *key;
    int opt;
    int is_switch; /* the option takes no argument; the key takes true/false */
} config_keys[] = {
    {"Port", OPT_PORT, 0},
    {"UseSSL", OPT_USE_SSL, 1},
    {"ApplicationName", OPT_APPLICATION_NAME, 0},
    {"Authentication", OPT_AUTHENTICATION, 0},
    {"Credential", 'u', 0},
    {"PasswordFile", OPT_PASSWORD_FILE, 0},
    {"CaFile", OPT_CA_FILE, 0},
    {"Certificate", OPT_CERTIFICATE, 0},
    {"CertificateKey", OPT_CERTIFICATE_KEY, 0},
    {"Proxy", OPT_PROXY, 0},
    {"AllowRedirection", OPT_ALLOW_REDIRECTION, 1},
    {"AllowUnencrypted", OPT_ALLOW_UNENCRYPTED, 1},
    {"Delegate", OPT_DELEGATE, 1},
    {"SpnService", OPT_SPN_SERVICE, 0},
    {"CredSSPMinVersion", OPT_CREDSSP_MIN_VERSION, 0},
};

static int apply_config_line(void *ctx, const char *key, const char *value, unsigned line,
                             psr_error *err)
{
    psr_cli_conn *c = ctx;
    (void)line;
    for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
        if (strcasecmp(config_keys[i].key, key) != 0)
            continue;
        int opt = config_keys[i].opt;
        /* A connection URI carries port, scheme and path itself. */
        if (given(c, OPT_CONNECTION_URI) &&
            (opt == OPT_PORT || opt == OPT_USE_SSL || opt == OPT_APPLICATION_NAME))
            return 0;
        if (config_keys[i].is_switch) {
            int on = 0;
            int rc = config_bool(config_keys[i].key, value, &on, err);
            return rc ? rc : on ? (apply_option(c, opt, NULL, err) < 0 ? err->code : 0) : 0;
        }
        const char *copy = keep(c, value);
        if (!copy)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        int rc = apply_option(c, opt, copy, err);
        if (rc < 0)
            psr_error_prefix(err, "%s", config_keys[i].key);
        return rc < 0 ? rc : 0;
    }
    if (strcasecmp(key, "HostName") == 0) { /* the real name of an alias, as in ssh */
        if (!(c->host_name = keep(c, value)))
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        return 0;
    }
    if (psr_session_option_known(key, strlen(key)))
        return psr_session_option_set(&c->conn, &c->store, key, strlen(key), value, err);
    return psr_error_set(err, PSR_E_INVALID,
                         "unknown key '%s'; valid: Host, HostName, Port, UseSSL, ApplicationName, "
                         "Authentication, Credential, PasswordFile, CaFile, Certificate, "
                         "CertificateKey, Proxy, AllowRedirection, AllowUnencrypted, Delegate, "
                         "SpnService, and the session options (%s)",
                         key, psr_session_option_names());
}

/* The computer the configuration is looked up for. */
static void config_host(const psr_cli_conn *c, const char *override, char *out, size_t cap)
{
    snprintf(out, cap, "%s",
             override ? override : c->conn.computer_name ? c->conn.computer_name : "localhost");
    if (override)
        return;
    if (!c->conn.connection_uri)
        return;
    CURLU *u = curl_url();
    char *host = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, c->conn.connection_uri, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        snprintf(out, cap, "%s", host);
    curl_free(host);
    curl_url_cleanup(u);
}

/* Reads the configuration file: NULL text (and 0) when the default file
 * does not exist; an error when a file named with --config does not. */
static int read_config(const psr_cli_conn *c, char *path, size_t cap, psr_buf *text,
                       psr_error *err)
{
    if (c->config_path) {
        snprintf(path, cap, "%s", c->config_path);
    } else {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            snprintf(path, cap, "%s/psremote/config", xdg);
        else if (home && *home)
            snprintf(path, cap, "%s/.config/psremote/config", home);
        else
            return 0;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!c->config_path && errno == ENOENT)
            return 0;
        return psr_error_set(err, PSR_E_IO, "cannot read the configuration file %s: %s", path,
                             strerror(errno));
    }
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = psr_buf_append(text, chunk, n) ? psr_error_set(err, PSR_E_NOMEM, "out of memory")
                                            : 0;
    fclose(f);
    if (!rc && !text->data)
        rc = psr_buf_puts(text, "") ? psr_error_set(err, PSR_E_NOMEM, "out of memory") : 0;
    return rc;
}

/* Rebuilds c->conn: defaults, then the configuration file, then
 * PSREMOTE_SESSION_OPTIONS, then the command line again on top. */
static int apply_config_and_environment(psr_cli_conn *c, const char *host_override,
                                        psr_error *err)
{
    int rc = 0;
    /* The file is read and parsed once, then looked up per computer. */
    if (!c->config_loaded && !c->no_config) {
        psr_buf text = {0};
        rc = read_config(c, c->config_file, sizeof(c->config_file), &text, err);
        if (!rc && text.data) {
            rc = psr_config_load(&c->config, text.data, text.len, err);
            if (rc)
                psr_error_prefix(err, "configuration file %s", c->config_file);
        }
        psr_buf_free(&text);
        if (rc)
            return rc;
        c->config_loaded = 1;
    }
    const char *env = getenv("PSREMOTE_SESSION_OPTIONS");
    if (!c->config && !(env && *env))
        return 0;
    char host[256];
    config_host(c, host_override, host, sizeof(host));
    psr_connection_options_init(&c->conn);
    c->host_name = NULL;
    if (c->config) {
        rc = psr_config_apply(c->config, host, apply_config_line, c, err);
        if (rc)
            psr_error_prefix(err, "configuration file %s", c->config_file);
    }
    if (!rc && env && *env) {
        rc = psr_session_option_apply_list(&c->conn, &c->store, env, err);
        if (rc)
            psr_error_prefix(err, "PSREMOTE_SESSION_OPTIONS");
    }
    for (size_t i = 0; !rc && i < c->n_given; i++)
        rc = apply_option(c, c->given[i].opt, c->given[i].arg, err) < 0 ? err->code : 0;
    if (!rc && c->host_name && !c->conn.connection_uri)
        c->conn.computer_name = c->host_name;
    return rc;
}

int psr_cli_conn_finish(psr_cli_conn *c, psr_error *err)
{
    int crc = apply_config_and_environment(c, NULL, err);
    if (crc)
        return crc;
    if (c->conn.proxy_user && !c->proxy_password) {
        crc = psr_password_obtain_proxy(c->conn.proxy_user, &c->proxy_password, err);
        if (crc)
            return crc;
        c->conn.proxy_password = c->proxy_password;
    }
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
    psr_password_free(c->proxy_password);
    c->proxy_password = NULL;
    psr_session_option_store_free(&c->store);
    psr_host_list_free(&c->hosts);
    psr_config_free(c->config);
    c->config = NULL;
    for (size_t i = 0; i < c->n_kept; i++)
        free(c->kept[i]);
    free(c->kept);
    free(c->given);
    c->kept = NULL;
    c->given = NULL;
    c->n_kept = c->n_given = 0;
}

int psr_cli_conn_for_each_host(psr_cli_conn *c, psr_connection_options **out, psr_error *err)
{
    *out = calloc(c->hosts.n ? c->hosts.n : 1, sizeof(**out));
    if (!*out)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    FILE *trace = c->conn.trace;
    const char *password = c->conn.password, *proxy_password = c->conn.proxy_password;
    for (size_t i = 0; i < c->hosts.n; i++) {
        int rc = apply_config_and_environment(c, c->hosts.names[i], err);
        if (rc) {
            free(*out);
            *out = NULL;
            return rc;
        }
        (*out)[i] = c->conn;
        (*out)[i].computer_name = c->host_name ? c->host_name : c->hosts.names[i];
        (*out)[i].trace = trace;
        (*out)[i].password = password;
        (*out)[i].proxy_password = proxy_password;
    }
    c->conn.trace = trace;
    c->conn.password = password;
    c->conn.proxy_password = proxy_password;
    return 0;
}
