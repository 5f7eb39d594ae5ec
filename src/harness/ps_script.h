/* ps_script.h: the harness's small simulated PowerShell.
 *
 * Enough of the language to exercise every stream a client must handle,
 * documented in psremote-harness(1). Statements are separated by ';' or new
 * lines:
 *   param($a, $b)                    binds the pipeline's arguments in order
 *   'text'  "text with $a"  42  1..5  $a  $args  $input
 *                                    output values
 *   Write-Output EXPR                output
 *   Write-Error EXPR                 a non-terminating error record
 *   Write-Warning / Write-Verbose / Write-Debug / Write-Information EXPR
 *   Write-Host EXPR                  a host write (information record, PSHOST)
 *   throw EXPR                       ends the pipeline Failed
 *   $name = EXPR                     assigns (several values: an array); the
 *                                    variable lasts for the session
 *   Start-Sleep N / -Milliseconds N  waits (at most 60 s)
 *   Get-Date                         the current time (DateTime)
 *   Get-Culture                      the session's culture (the client's
 *                                    DataLocale), a CultureInfo
 *   Get-ChildItem PATH               the entries of a directory (FileInfo and
 *                                    DirectoryInfo objects: Name, FullName,
 *                                    Length, LastWriteTime)
 *   Get-Content PATH                 the lines of a file
 *   Write-Progress -Activity A [-Status S] [-PercentComplete N] [-Completed]
 *                                    a progress record
 *   Get-Credential [USER]            asks the client's host for a credential
 *                                    (PromptForCredential1); $c.UserName and
 *                                    $c.Password read its properties
 *   ConvertFrom-SecureString $v -AsPlainText
 *                                    the text of a SecureString the client
 *                                    sent (decrypted with the session key)
 *   Read-Host [-AsSecureString] TEXT asks the client's host for a line
 *                                    (ReadLine / ReadLineAsSecureString) and
 *                                    outputs the answer
 *   ConvertTo-SecureString EXPR -AsPlainText [-Force]
 *                                    a SecureString under the session key
 *                                    (asked for first when there is none)
 *   $host.UI.PromptForChoice(CAPTION, MESSAGE, CHOICES, DEFAULT)
 *                                    asks the client to choose and outputs
 *                                    the index; CHOICES: ('&Yes','&No'),
 *                                    @(...), [ChoiceDescription[]](...), or
 *                                    ChoiceDescription objects, or a variable
 *   New-Object System.Management.Automation.Host.ChoiceDescription LABEL[, HELP]
 *                                    a choice with a help message
 *   Harness-BreakRunspacePool [TEXT] fault hook: the runspace pool goes Broken
 *   Harness-IgnoreStop               fault hook: crtl_c is not obeyed
 * Anything else is reported as PowerShell reports an unknown command
 * (CommandNotFoundException). Events go to the sink; the file commands read
 * the harness machine's real files. */
#ifndef PSR_HARNESS_PS_SCRIPT_H
#define PSR_HARNESS_PS_SCRIPT_H

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
    PS_EV_PROGRESS      /* value: an object with Activity, StatusDescription,
                         * PercentComplete and Completed (Write-Progress) */
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

/* Runs script. On `throw`, *failure receives the message (malloc'd) and the
 * run stops. Returns 0, 2 when the host (or a sink returning 2) said stop,
 * or -1 when the sink failed or memory ran out. st (may be NULL) keeps
 * variables between runs; host may be NULL. */
int ps_script_run(const char *script, psrp_value *const *args, size_t n_args,
                  psrp_value *const *input, size_t n_input, ps_session_state *st,
                  const ps_host *host, ps_emit_fn emit, void *ctx, char **failure);

#endif
