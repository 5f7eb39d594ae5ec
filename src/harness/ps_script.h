/* ps_script.h: the harness's small simulated PowerShell.
 *
 * Enough of the language to exercise every stream a client must handle,
 * and the everyday expressions third-party clients send, documented in
 * psremote-harness(1) (POWERSHELL ENDPOINT), which lists exactly what it
 * covers:
 *   statements separated by ';' or new lines; param($a, $b = 1) first
 *   values: 42, 2.5, 'text', "text with $a and $($a + 1)", $a, $a.Prop,
 *     $a[0], $args, $input, $_, $true, $false, $null, 1..5, a, b (arrays),
 *     @( ), $( ), ( ), { } script blocks, casts to a few types
 *   operators: + - * / % (numbers; + joins strings and arrays, * repeats),
 *     -eq -ne -lt -gt -le -ge (case-insensitive; an array on the left
 *     filters), -and -or -not !, = += -= *= /= %=
 *   pipelines: EXPR | COMMAND | COMMAND..., streaming one object at a time
 *   commands: Write-Output/Error/Warning/Verbose/Debug/Information/Host,
 *     ForEach-Object { }, Where-Object { }, Out-String, Invoke-Expression,
 *     throw, Start-Sleep, Get-Date,
 *     Get-Culture, Get-ChildItem, Get-Content, Write-Progress,
 *     Get-Credential, Read-Host, ConvertTo-/ConvertFrom-SecureString,
 *     New-Object ...ChoiceDescription, $host.UI.PromptForChoice(...), and
 *     the fault hooks Harness-BreakRunspacePool and Harness-IgnoreStop;
 *     parameters bind by name (prefixes too) and by position
 * Nothing is ever silently skipped: an unknown command is reported as
 * PowerShell reports it (CommandNotFoundException), bad arguments and
 * failed operations as the error records PowerShell writes, and syntax the
 * harness does not read fails the pipeline with a ParseException before
 * anything runs. Events go to the sink; the file commands read the harness
 * machine's real files. */
#ifndef PSR_HARNESS_PS_SCRIPT_H
#define PSR_HARNESS_PS_SCRIPT_H

#include "psrp/messages.h"
#include "psrp/value.h"

#include <stddef.h>

typedef enum ps_event_kind {
    PS_EV_OUTPUT,       /* value */
    PS_EV_ERROR,        /* text: Write-Error message */
    PS_EV_NOT_FOUND,    /* text: the unknown command's name */
    PS_EV_WARNING,      /* text */
    PS_EV_VERBOSE,      /* text */
    PS_EV_DEBUG,        /* text */
    PS_EV_INFORMATION,  /* text */
    PS_EV_HOST,         /* text (Write-Host) */
    PS_EV_PROGRESS,     /* value: an object with Activity, StatusDescription,
                         * PercentComplete and Completed (Write-Progress) */
    PS_EV_ERROR_RECORD  /* value: a whole ErrorRecord (a failed operation,
                         * bad arguments) */
} ps_event_kind;

/* Returns 0 to go on. value is borrowed for the call. */
typedef int (*ps_emit_fn)(void *ctx, ps_event_kind kind, const psrp_value *value, const char *text);

/* What lasts between the pipelines of one session (runspace pool). */
typedef struct ps_session_state {
    char **names;
    psrp_value **values;
    size_t n;
    char culture[32];   /* e.g. "en-US" */
    /* The session key the client asked for (PUBLIC_KEY), for SecureStrings. */
    unsigned char session_key[32];
    int have_session_key;
} ps_session_state;

void ps_session_state_clear(ps_session_state *st);

/* What waits on the outside world: the server makes these wait for the
 * client (a host response) or for a stop request. NULL members: Start-Sleep
 * just sleeps, Read-Host is an unknown command. */
typedef struct ps_host {
    /* Waits ms milliseconds; 1 when the pipeline is to stop instead. */
    int (*sleep)(void *ctx, long ms);
    /* Asks the client for a line (secure: ReadLineAsSecureString). Returns a
     * new value, or NULL with *stopped set when the pipeline is to stop, or
     * NULL with *error filled (malloc'd) when the host refused. */
    psrp_value *(*read_line)(void *ctx, const char *prompt, int secure, int *stopped,
                             char **error);
    /* Asks the client for a credential (PromptForCredential1), the same way. */
    psrp_value *(*prompt_credential)(void *ctx, const char *user, int *stopped, char **error);
    /* PromptForChoice: n choices (labels like "&Yes" and their help
     * texts), the default index (-1: none); the answer (an Int32 index) the
     * same way. */
    psrp_value *(*prompt_choice)(void *ctx, const char *caption, const char *message,
                                 const char *const *labels, const char *const *helps, size_t n,
                                 int32_t default_choice, int *stopped, char **error);
    /* Makes sure the session key exists (st->have_session_key), asking the
     * client for its public key when it does not: 0, 2 to stop, or -1 with
     * *error filled (malloc'd) when no key came. */
    int (*need_session_key)(void *ctx, char **error);
    /* Harness-BreakRunspacePool: the pool goes Broken with this reason. */
    void (*break_pool)(void *ctx, const char *reason);
    /* Harness-IgnoreStop: crtl_c is not obeyed from now on. */
    void (*ignore_stop)(void *ctx);
    void *ctx;
} ps_host;

/* Why a script ended Failed, which decides the exception sent. */
typedef enum ps_failure_kind {
    PS_FAILURE_THROW,   /* `throw` part way: RuntimeException */
    PS_FAILURE_PARSE,   /* a syntax error, nothing ran: ParseException */
    PS_FAILURE_BINDING, /* an argument for no param(): ParameterBindingException */
    PS_FAILURE_NOT_FOUND /* a command the client named is not there: message is the name */
} ps_failure_kind;

typedef struct ps_failure {
    char *message;   /* malloc'd; NULL: the script did not fail */
    char *error_id;  /* malloc'd FullyQualifiedErrorId */
    ps_failure_kind kind;
} ps_failure;

void ps_failure_clear(ps_failure *f);

/* Runs script with the pipeline's arguments (named ones bind to param() by
 * name, the rest in order) and input. On failure, *failure is filled and
 * the run stops. Returns 0, 2 when the host (or a sink returning 2) said
 * stop, or -1 when the sink failed or memory ran out. st (may be NULL)
 * keeps variables between runs; host may be NULL. */
int ps_script_run(const char *script, const psrp_command_arg *args, size_t n_args,
                  psrp_value *const *input, size_t n_input, ps_session_state *st,
                  const ps_host *host, ps_emit_fn emit, void *ctx, ps_failure *failure);

/* Runs a command the client sent as a command rather than a script
 * (PowerShell's AddCommand, pypsrp's add_cmdlet): its arguments bind to the
 * command's parameters by name and position, and each input object (when
 * has_input; else it runs once) to the one that takes pipeline input. The
 * same returns as ps_script_run. */
int ps_command_run(const char *name, const psrp_command_arg *args, size_t n_args,
                   psrp_value *const *input, size_t n_input, int has_input, ps_session_state *st,
                   const ps_host *host, ps_emit_fn emit, void *ctx, ps_failure *failure);

#endif
