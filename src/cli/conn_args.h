/* conn_args.h: the connection options every psremote subcommand shares
 * (-c, --port, --use-ssl, --connection-uri, credentials, TLS, session
 * options), parsed into a psr_connection_options. */
#ifndef PSR_CLI_CONN_ARGS_H
#define PSR_CLI_CONN_ARGS_H

#include "psremote/connection.h"
#include "psremote/session_option.h"
#include "src/cli/host_list.h"

#include <getopt.h>

/* Long-only option codes (above the ASCII range). */
enum {
    OPT_PORT = 0x100,
    OPT_USE_SSL,
    OPT_CONNECTION_URI,
    OPT_APPLICATION_NAME,
    OPT_AUTHENTICATION,
    OPT_PASSWORD_FILE,
    OPT_SESSION_OPTION,
    OPT_CA_FILE,
    OPT_ALLOW_UNENCRYPTED,
    OPT_PROXY,
    OPT_TRACE,
    OPT_ALLOW_REDIRECTION,
    OPT_CERTIFICATE,
    OPT_CERTIFICATE_KEY,
    OPT_DELEGATE,
    OPT_SPN_SERVICE,
    OPT_CREDSSP_MIN_VERSION,
    OPT_CONFIG,
    OPT_NO_CONFIG,
    OPT_THROTTLE_LIMIT,
    OPT_CONN_LAST /* subcommands number their own options from here */
};

/* getopt_long entries for the shared options; end with a zero entry. */
#define PSR_CONN_LONG_OPTIONS                                                   \
    {"computer-name", required_argument, NULL, 'c'},                           \
    {"port", required_argument, NULL, OPT_PORT},                               \
    {"use-ssl", no_argument, NULL, OPT_USE_SSL},                               \
    {"connection-uri", required_argument, NULL, OPT_CONNECTION_URI},           \
    {"application-name", required_argument, NULL, OPT_APPLICATION_NAME},       \
    {"credential", required_argument, NULL, 'u'},                              \
    {"authentication", required_argument, NULL, OPT_AUTHENTICATION},           \
    {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},             \
    {"session-option", required_argument, NULL, OPT_SESSION_OPTION},           \
    {"ca-file", required_argument, NULL, OPT_CA_FILE},                         \
    {"allow-unencrypted", no_argument, NULL, OPT_ALLOW_UNENCRYPTED},           \
    {"proxy", required_argument, NULL, OPT_PROXY},                             \
    {"trace", required_argument, NULL, OPT_TRACE},                             \
    {"allow-redirection", no_argument, NULL, OPT_ALLOW_REDIRECTION},           \
    {"certificate", required_argument, NULL, OPT_CERTIFICATE},                 \
    {"certificate-key", required_argument, NULL, OPT_CERTIFICATE_KEY},         \
    {"delegate", no_argument, NULL, OPT_DELEGATE},                             \
    {"spn-service", required_argument, NULL, OPT_SPN_SERVICE},                 \
    {"credssp-min-version", required_argument, NULL, OPT_CREDSSP_MIN_VERSION}, \
    {"config", required_argument, NULL, OPT_CONFIG},                           \
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},                           \
    {"throttle-limit", required_argument, NULL, OPT_THROTTLE_LIMIT}
#define PSR_CONN_SHORT_OPTIONS "c:u:"

typedef struct psr_cli_conn {
    psr_connection_options conn;
    psr_session_option_store store;
    const char *password_file;
    char *password; /* obtained by psr_cli_conn_finish; wiped on free */
    char *proxy_password; /* for ProxyCredential; wiped on free */
    const char *trace_path; /* --trace FILE; opened by psr_cli_conn_finish */
    const char *config_path; /* --config FILE */
    int no_config;           /* --no-config */
    /* The options given, in order: replayed over the configuration file and
     * the environment, which they override. */
    struct psr_cli_given {
        int opt;
        const char *arg;
    } *given;
    size_t n_given;
    char **kept;             /* strings from the configuration file */
    size_t n_kept;
    psr_host_list hosts;     /* every computer -c named, in order */
    const char *host_name;   /* the configuration's HostName for the computer */
    struct psr_config *config; /* the configuration file, parsed once */
    int config_loaded;
    char config_file[4096];  /* its path, for messages */
    unsigned throttle_limit; /* --throttle-limit; 0 = 32 */
} psr_cli_conn;

void psr_cli_conn_init(psr_cli_conn *c);
/* Handles one option if it is a shared one: returns 1 (handled), 0 (not
 * ours) or a negative status with err filled (bad value). */
int psr_cli_conn_option(psr_cli_conn *c, int opt, const char *arg, psr_error *err);
/* After parsing: applies the configuration file (for the computer given)
 * and PSREMOTE_SESSION_OPTIONS under the command-line options, checks
 * combinations and obtains the password if needed. */
int psr_cli_conn_finish(psr_cli_conn *c, psr_error *err);
void psr_cli_conn_free(psr_cli_conn *c);

/* With several computers (-c a,b or @FILE): one set of options per
 * computer, each with the configuration file's settings for that computer
 * under the command line's (the password obtained once). *out is an array
 * of c->hosts.n entries the caller frees with free(). */
int psr_cli_conn_for_each_host(psr_cli_conn *c, psr_connection_options **out, psr_error *err);

/* The shared part of --help. */
extern const char psr_cli_conn_help[];

#endif
