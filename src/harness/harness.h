/* harness.h: the pieces of psremote-harness and how they fit together.
 *
 * main.c reads the options (options.c), starts one libmicrohttpd daemon per
 * listener (server.c), and waits for SIGINT/SIGTERM. server.c checks
 * credentials and sizes and hands each envelope to dispatch.c, which parses
 * it with the wsman/ layer, runs the WinRS verb on the shell table (winrs.c)
 * and builds the reply or a Windows-shaped fault (faults.c). cmdline.c turns
 * a WinRS Command + Arguments into a /bin/sh command line.
 *
 * Ownership: every struct here owns the heap strings it points to and is
 * released by its *_clear / *_free function, which accept zeroed or NULL
 * input. Nothing here is global; one harness_options and one harness_winrs
 * table live in main() for the life of the process. */
#ifndef PSR_HARNESS_H
#define PSR_HARNESS_H

#include "common/buf.h"
#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>

#define HARNESS_DEFAULT_LISTEN "127.0.0.1:5985"
/* WinRM's MaxTimeoutms default: the longest OperationTimeout it honours. */
#define HARNESS_DEFAULT_OPERATION_TIMEOUT_MAX_MS 60000u
/* Used when a Receive carries no OperationTimeout (WinRM's default). */
#define HARNESS_DEFAULT_OPERATION_TIMEOUT_MS 60000u

/* ---- Options (options.c) ---------------------------------------------- */
typedef struct harness_listen {
    char *host;  /* IPv4 or IPv6 literal or name, without brackets */
    uint16_t port; /* 0 = pick a free port */
    int tls;     /* given with --listen-tls */
} harness_listen;

typedef struct harness_user {
    char *name;
    char *password;
} harness_user;

/* Authentication schemes the harness offers (--auth). */
enum {
    HARNESS_AUTH_BASIC = 1 << 0,
    HARNESS_AUTH_NEGOTIATE = 1 << 1,
    HARNESS_AUTH_KERBEROS = 1 << 2,
    HARNESS_AUTH_CREDSSP = 1 << 3
};

/* --redirect PATH=URL: requests for PATH get "302 Found" to URL. */
typedef struct harness_redirect {
    char *path;
    char *url;
} harness_redirect;

typedef struct harness_options {
    harness_listen *listens;
    size_t n_listens;
    char *tls_cert, *tls_key;        /* PEM files, needed by --listen-tls */
    harness_user *users;
    size_t n_users;
    int allow_unencrypted;           /* AllowUnencrypted: Basic and unsealed bodies on HTTP */
    /* GSSAPI acceptor (Negotiate, Kerberos, NTLM) */
    char *keytab;                    /* --keytab; NULL: KRB5_KTNAME */
    char *ntlm_user_file;            /* --ntlm-user-file; NULL: NTLM_USER_FILE */
    char *service_name;              /* --service-name, e.g. HTTP@localhost; NULL: any */
    int require_channel_binding;     /* CbtHardeningLevel Strict on HTTPS */
    int credssp_version;             /* --credssp-version: 2..6; 0: 6 */
    unsigned auth_schemes;           /* HARNESS_AUTH_* offered; see harness_options_parse */
    int close_connections;           /* "Connection: close" on every reply */
    harness_redirect *redirects;
    size_t n_redirects;
    char *client_ca;                 /* --client-ca: Certificate authentication */
    char *stats_file;                /* --stats-file: counters at exit / SIGUSR1 */
    char **cert_users;               /* --cert-user: subject CNs mapped to users */
    size_t n_cert_users;
    uint32_t max_envelope_size;      /* bytes of one request body */
    char *ready_file;
    uint32_t operation_timeout_max_ms;
    int verbose;
    int show_help, show_version;     /* print and exit 0 */
} harness_options;

/* Parses argv (getopt_long; argv[0] is the program name). Fills defaults
 * (one HTTP listener on HARNESS_DEFAULT_LISTEN when none is given; without
 * --auth, Basic is offered when users are given and Negotiate and Kerberos
 * when a keytab or NTLM user file is, as WinRM offers what is enabled). Returns 0
 * or PSR_E_INVALID / PSR_E_IO / PSR_E_NOMEM with a message naming the option. */
int harness_options_parse(harness_options *o, int argc, char **argv, psr_error *err);
void harness_options_clear(harness_options *o);
/* "ADDR:PORT", "[IPv6]:PORT". Fills out (host heap-allocated). */
int harness_listen_parse(const char *spec, harness_listen *out, psr_error *err);
/* "USER:PASSWORD" (the password may contain ':'). Appends to o->users. */
int harness_user_add(harness_options *o, const char *spec, psr_error *err);
/* Reads USER:PASSWORD lines (blank lines and lines starting with '#' are
 * skipped; CR LF endings allowed). */
int harness_user_file_read(harness_options *o, const char *path, psr_error *err);
/* "PATH=URL"; PATH starts with '/'. Appends to o->redirects. */
int harness_redirect_add(harness_options *o, const char *spec, psr_error *err);
/* The URL PATH redirects to, or NULL. */
const char *harness_redirect_find(const harness_options *o, const char *path);
extern const char harness_usage[];

/* ---- Command lines (cmdline.c) ---------------------------------------- */
/* Appends s quoted for POSIX sh: 'it'\''s' style, so the shell passes it
 * through as one word, byte for byte. */
int harness_sh_quote(psr_buf *out, const char *s);
/* Builds the string given to /bin/sh -c. With no arguments the command is
 * used as written (it is a command line, as on Windows). With arguments the
 * command is used as written and each argument is appended quoted, so an
 * argument keeps its spaces and quotes exactly as the client sent it. */
int harness_command_line(psr_buf *out, const char *command, char *const *args, size_t n_args);

/* ---- Shell table and processes (winrs.c) ------------------------------ */
typedef enum harness_result {
    HARNESS_OK = 0,
    HARNESS_NO_SHELL,      /* ShellId unknown */
    HARNESS_NO_COMMAND,    /* CommandId unknown in that shell */
    HARNESS_TIMED_OUT,     /* Receive: nothing within OperationTimeout */
    HARNESS_BAD_DIRECTORY, /* Create: WorkingDirectory is not a directory */
    HARNESS_BAD_REQUEST,   /* a field the verb needs is missing or invalid */
    HARNESS_SPAWN_FAILED,  /* Command: the process could not be started */
    HARNESS_NOMEM,
    HARNESS_SHUTTING_DOWN
} harness_result;

typedef struct harness_winrs harness_winrs;

typedef struct harness_env {
    const char *name, *value;
} harness_env;

typedef struct harness_shell_spec {
    const char *working_directory; /* NULL = the harness's own */
    const harness_env *env;
    size_t n_env;
} harness_shell_spec;

/* Output gathered by one Receive. out/err are caller-owned buffers. */
typedef struct harness_output {
    psr_buf out, err;
    int done;       /* process exited and all output was delivered */
    int exit_code;  /* valid when done */
} harness_output;

harness_winrs *harness_winrs_new(void);
/* Refuses new shells and kills every process group, so that waiting
 * Receives end at once (call before stopping the HTTP daemons). */
void harness_winrs_kill_all(harness_winrs *w);
/* Kills every process group, reaps the children, frees everything. Call
 * only when no request is being served any more. */
void harness_winrs_free(harness_winrs *w);
/* Fills shell_id (upper-case GUID, 37 bytes). */
harness_result harness_winrs_create(harness_winrs *w, const harness_shell_spec *spec,
                                    char *shell_id, size_t shell_id_size);
/* Starts /bin/sh -c command_line in its own process group. command_id may be
 * given by the client; else one is made. Fills command_id_out (37 bytes). */
harness_result harness_winrs_command(harness_winrs *w, const char *shell_id,
                                     const char *command_line, const char *command_id,
                                     char *command_id_out, size_t command_id_size,
                                     psr_error *err);
/* Writes bytes to the process's stdin; end closes stdin afterwards. */
harness_result harness_winrs_send(harness_winrs *w, const char *shell_id, const char *command_id,
                                  const void *data, size_t len, int end);
/* Waits up to timeout_ms for output (at most budget bytes in all) or the
 * end of the process. */
harness_result harness_winrs_receive(harness_winrs *w, const char *shell_id,
                                     const char *command_id, size_t budget,
                                     uint32_t timeout_ms, harness_output *res);
/* ctrl_c: SIGINT to the process group. terminate: SIGKILL to the group and
 * the command is forgotten. */
harness_result harness_winrs_signal(harness_winrs *w, const char *shell_id,
                                    const char *command_id, int terminate);
harness_result harness_winrs_delete(harness_winrs *w, const char *shell_id);

/* ---- Faults (faults.c) ------------------------------------------------- */
typedef enum harness_fault_kind {
    HARNESS_FAULT_TIMED_OUT,
    HARNESS_FAULT_SHELL_NOT_FOUND,
    HARNESS_FAULT_COMMAND_NOT_FOUND,
    HARNESS_FAULT_ENCODING_LIMIT,
    HARNESS_FAULT_ACTION_NOT_SUPPORTED,
    HARNESS_FAULT_DESTINATION_UNREACHABLE,
    HARNESS_FAULT_SHELLID_REQUIRED,
    HARNESS_FAULT_INVALID_XML,
    HARNESS_FAULT_INVALID_PARAMETER,
    HARNESS_FAULT_BAD_DIRECTORY,
    HARNESS_FAULT_INTERNAL,
    HARNESS_FAULT_UNENCRYPTED
} harness_fault_kind;

/* Appends a fault envelope to out; detail (may be NULL) is woven into the
 * WSManFault message where Windows names the object (the ShellId, the
 * action...). Returns the HTTP status to send it with (500 for SOAP faults,
 * 413 for an oversize request). */
int harness_fault_build(psr_buf *out, harness_fault_kind kind, const char *relates_to,
                        const char *machine, const char *detail);

/* ---- Dispatch (dispatch.c) --------------------------------------------- */
typedef struct harness_ps harness_ps; /* ps_server.h: the PowerShell endpoint */

typedef struct harness_dispatch_ctx {
    harness_winrs *winrs;
    const harness_options *opts;
    const char *machine;   /* WSManFault Machine attribute */
    harness_ps *ps;        /* PowerShell sessions; NULL: only WinRS is served */
} harness_dispatch_ctx;

/* Handles one authenticated request body. anonymous_identify: the request
 * came without credentials and with WSMANIDENTIFY: unauthenticated (only an
 * Identify is answered then). Fills reply and returns the HTTP status; verb
 * (may be NULL) is set to a static name for logs ("Receive", "?"...). */
int harness_dispatch(const harness_dispatch_ctx *ctx, const char *body, size_t len,
                     int anonymous_identify, psr_buf *reply, const char **verb);

#endif
