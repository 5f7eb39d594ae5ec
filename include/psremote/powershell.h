/* psremote/powershell.h: PowerShell remoting, what Invoke-Command does.
 *
 * A session is a runspace pool on the remote computer; scripts run in it
 * one at a time, and everything a script produces reaches a callback as it
 * arrives: output objects, error records, warning / verbose / debug /
 * information records, progress records, host calls (Write-Host,
 * Read-Host, Get-Credential, PromptForChoice...) and, last, the final
 * pipeline state. Nothing is buffered until the script ends.
 *
 *   psr_ps_session_open()       open a runspace pool (Create, then Receive
 *                               until it is Opened)
 *   psr_ps_command_new()        a script, then its arguments and input:
 *   psr_ps_command_add_argument() / _add_argument_json() / _add_input_json()
 *   psr_ps_session_invoke()     run it to its end, events to the callback
 *   psr_ps_session_stop()       from another thread: stop the running script
 *   psr_ps_command_free(), psr_ps_session_close()
 *
 * Ownership: the caller owns sessions and commands and frees them; every
 * *_free and *_close accepts NULL. Events, and the objects, records and
 * host calls reached from them, belong to the library and are valid only
 * during the callback call that received them: copy what you need to keep
 * (psr_ps_object_to_json gives text you own). Strings returned through
 * `char **out` are the caller's, released with free().
 *
 * Threading: a session is used by one thread at a time, except
 * psr_ps_session_stop, which may be called from any thread while
 * psr_ps_session_invoke runs (not concurrently with close or free). Separate
 * sessions are independent: the library has no global mutable state.
 *
 * Errors: every fallible call returns 0 or a negative psr_status and fills
 * the psr_error (see psremote/error.h) with a message saying what failed
 * and what to try. A script that fails is not an error of the call: invoke
 * returns 0 and the final state says Failed. */
#ifndef PSREMOTE_POWERSHELL_H
#define PSREMOTE_POWERSHELL_H

#include "psremote/connection.h"
#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psr_ps_session psr_ps_session;
typedef struct psr_ps_command psr_ps_command;
typedef struct psr_ps_event psr_ps_event;
typedef struct psr_ps_object psr_ps_object;
typedef struct psr_ps_host_call psr_ps_host_call;

/* ---- sessions ------------------------------------------------------------ */

/* Opens a session on the endpoint conn describes (conn and its strings are
 * only read during the call). configuration_name: NULL for
 * Microsoft.PowerShell; a bare name becomes
 * http://schemas.microsoft.com/powershell/NAME; a URI is used as given.
 * Fails with PSR_E_AUTH, PSR_E_NETWORK, PSR_E_TLS, PSR_E_FAULT (a
 * WS-Management fault, e.g. an unknown configuration), PSR_E_TIMEOUT
 * (OpenTimeout) or PSR_E_PROTOCOL (the pool could not be opened). */
int psr_ps_session_open(psr_ps_session **out, const psr_connection_options *conn,
                        const char *configuration_name, psr_error *err);
/* Closes the runspace pool on the server (Delete; errors are reported) and
 * frees the session, also on failure. */
int psr_ps_session_close(psr_ps_session *s, psr_error *err);
/* Frees without telling the server (the pool stays until its idle timeout). */
void psr_ps_session_free(psr_ps_session *s);
/* The computer the session talks to, as errors and PSComputerName name it. */
const char *psr_ps_session_computer_name(const psr_ps_session *s);

/* ---- commands ------------------------------------------------------------ */

/* A script block to run (its text is copied), like Invoke-Command
 * -ScriptBlock. A command can be invoked any number of times. */
int psr_ps_command_new(psr_ps_command **out, const char *script, psr_error *err);
void psr_ps_command_free(psr_ps_command *cmd);
/* Appends a positional argument, bound to the script's param() block in
 * order and then to $args, as -ArgumentList does: a string ... */
int psr_ps_command_add_argument(psr_ps_command *cmd, const char *text, psr_error *err);
/* ... or any JSON value, which becomes the PowerShell object
 * ConvertFrom-Json would give: a number an Int32 (Int64 when it does not
 * fit) or Double, true/false a Boolean, null $null, an array an object[],
 * an object a PSCustomObject. PSR_E_PARSE says where the JSON is wrong. */
int psr_ps_command_add_argument_json(psr_ps_command *cmd, const char *json, psr_error *err);
/* Appends pipeline input objects ($input, the pipeline of the first
 * command) from JSON text of len bytes: one array, whose elements are the
 * objects, or values one after another (JSON lines). Objects map as above.
 * A command without input runs with no input at all (NoInput). */
int psr_ps_command_add_input_json(psr_ps_command *cmd, const char *json, size_t len,
                                  psr_error *err);

/* ---- running ------------------------------------------------------------- */

/* The final state of a pipeline (PowerShell's PSInvocationState numbers). */
typedef enum psr_ps_state {
    PSR_PS_STATE_STOPPED = 3,   /* psr_ps_session_stop ended it */
    PSR_PS_STATE_COMPLETED = 4, /* it ran to its end (maybe with error records) */
    PSR_PS_STATE_FAILED = 5     /* a terminating error (throw) ended it */
} psr_ps_state;

/* "Stopped", "Completed", "Failed"; "Unknown" for other numbers. */
const char *psr_ps_state_name(psr_ps_state state);

typedef enum psr_ps_event_kind {
    PSR_PS_EVENT_OUTPUT = 1,   /* an output object */
    PSR_PS_EVENT_ERROR,        /* a non-terminating error record (Write-Error) */
    PSR_PS_EVENT_WARNING,      /* Write-Warning */
    PSR_PS_EVENT_VERBOSE,      /* Write-Verbose */
    PSR_PS_EVENT_DEBUG,        /* Write-Debug */
    PSR_PS_EVENT_INFORMATION,  /* Write-Information (and Write-Host on PowerShell 5) */
    PSR_PS_EVENT_PROGRESS,     /* Write-Progress */
    PSR_PS_EVENT_HOST_CALL,    /* a call on the host: psr_ps_event_host_call */
    PSR_PS_EVENT_STATE         /* the final state, always the last event */
} psr_ps_event_kind;

/* Called for every event in the order the server sent them. Return 0 to go
 * on; anything else abandons the pipeline: the command is terminated on the
 * server and invoke returns PSR_E_CANCELLED. */
typedef int (*psr_ps_event_fn)(void *ctx, psr_ps_event *ev);

/* Runs cmd to its end in the session, calling on_event for each event.
 * Returns 0 once the final state arrived, which is also put in
 * *final_state (may be NULL); a negative status when it did not:
 * PSR_E_CANCELLED when the callback gave up or a stop outlasted
 * CancelTimeout (the command was then terminated), PSR_E_PROTOCOL when the
 * remote session broke (the message carries the server's reason),
 * PSR_E_STATE when the session is already running a command (invoke from a
 * callback), others when the connection was lost or the server sent a
 * fault. Variables the script sets last for the session. */
int psr_ps_session_invoke(psr_ps_session *s, const psr_ps_command *cmd, psr_ps_event_fn on_event,
                          void *ctx, psr_ps_state *final_state, psr_error *err);

/* Asks the running pipeline to stop, as Ctrl+C does in PowerShell; safe
 * from any thread while invoke runs (it is not async-signal-safe: from a
 * signal handler, wake a thread that calls it). Returns 0 when the signal
 * was sent, no command runs, or a stop was already sent for this one. The
 * pipeline then usually ends Stopped (with a PipelineStoppedException
 * error record in the state event); if it has not ended within the
 * CancelTimeout connection option (60 s by default), the command is
 * terminated and invoke returns PSR_E_CANCELLED. */
int psr_ps_session_stop(psr_ps_session *s, psr_error *err);

/* ---- events -------------------------------------------------------------- */

psr_ps_event_kind psr_ps_event_kind_of(const psr_ps_event *ev);

/* The object the event carries: OUTPUT the output object; ERROR the
 * ErrorRecord; WARNING, VERBOSE, DEBUG the record (WarningRecord...);
 * INFORMATION the InformationRecord; PROGRESS the ProgressRecord; STATE the
 * ErrorRecord of a failed or stopped pipeline, else NULL; HOST_CALL NULL
 * (see psr_ps_event_host_call). */
const psr_ps_object *psr_ps_event_object(const psr_ps_event *ev);

/* The event's message, borrowed: an error record's exception message, a
 * warning / verbose / debug record's message, an information record's
 * text, the text a Write* host call writes (without a newline); NULL for
 * other events. */
const char *psr_ps_event_message(const psr_ps_event *ev);

/* The event as PowerShell's console would show it, into *out (free() it):
 * an output object as psr_ps_object_to_text; an error record (also a
 * failed state's) in Windows PowerShell's ErrorView, every line ending in
 * a newline, with "+ PSComputerName" as Invoke-Command adds;
 * "WARNING: message", "VERBOSE: ...", "DEBUG: ..."; information text;
 * progress as "Activity: Status [N%]"; for a Write* host call the text it
 * writes, with "\n" for WriteLine; "" otherwise. */
int psr_ps_event_to_text(const psr_ps_event *ev, char **out, psr_error *err);

/* STATE events: the final state (0 for other events). */
psr_ps_state psr_ps_event_state(const psr_ps_event *ev);

/* An error record, flattened: ERROR events, and STATE events of a failed or
 * stopped pipeline; NULL for others. Strings are NULL when absent. The
 * library fills it: fields may be added at the end, never declare one. */
typedef struct psr_ps_error_record {
    const char *message;                  /* the exception's message (never NULL) */
    const char *exception_type;           /* e.g. System.Management.Automation.RuntimeException */
    const char *fully_qualified_error_id; /* e.g. CommandNotFoundException */
    const char *category_info;            /* "NotSpecified: (:) [Write-Error], WriteErrorException" */
    int category;                         /* ErrorCategory: 0 NotSpecified, 11 NotImplemented... */
    const char *position_message;         /* "At line:1 char:1 ...", the script's position */
    const char *script_stack_trace;
} psr_ps_error_record;
const psr_ps_error_record *psr_ps_event_error(const psr_ps_event *ev);

/* A progress record (PROGRESS events; NULL for others). parent_activity_id,
 * percent_complete and seconds_remaining are -1 when not given. Filled by
 * the library, as above. */
typedef struct psr_ps_progress {
    const char *activity;
    const char *status_description;
    const char *current_operation;        /* NULL when not given */
    int32_t activity_id, parent_activity_id;
    int32_t percent_complete;
    int32_t seconds_remaining;
    int completed;                        /* 1: Write-Progress -Completed */
} psr_ps_progress;
const psr_ps_progress *psr_ps_event_progress(const psr_ps_event *ev);

/* ---- host calls ---------------------------------------------------------- */

/* HOST_CALL events: the call; NULL for others. */
psr_ps_host_call *psr_ps_event_host_call(psr_ps_event *ev);

/* The method's name as MS-PSRP 2.2.3.17 spells it: "WriteLine2",
 * "ReadLine", "ReadLineAsSecureString", "PromptForCredential1",
 * "PromptForChoice", "WriteProgress", "SetShouldExit"... */
const char *psr_ps_host_call_method(const psr_ps_host_call *call);
/* Its RemoteHostMethodId (1..56). */
int psr_ps_host_call_method_id(const psr_ps_host_call *call);
/* 1 when the script waits for an answer (ReadLine, prompts...), 0 for void
 * methods (the Write* calls...), which must not be answered. */
int psr_ps_host_call_needs_answer(const psr_ps_host_call *call);
/* The call's parameters (borrowed), in order; NULL past the end. For
 * PromptForCredential: caption, message, user name, target name; for
 * PromptForChoice: caption, message, the choices (a list of
 * ChoiceDescription objects with Label, e.g. "&Yes", and HelpMessage), the
 * default index; for WriteLine2: the text. */
size_t psr_ps_host_call_param_count(const psr_ps_host_call *call);
const psr_ps_object *psr_ps_host_call_param(const psr_ps_host_call *call, size_t i);

/* Answers, from the callback that received the call (the script waits for
 * it; answer once). Each checks that the answer fits the method and fails
 * with PSR_E_INVALID naming the one to use, or PSR_E_STATE when the call
 * needs no answer or was answered already. A call that needs an answer and
 * gets none when the callback returns is refused as
 * psr_ps_host_call_refuse does, with "the application did not answer it".
 *
 * ReadLine (Read-Host): */
int psr_ps_host_call_answer_string(psr_ps_host_call *call, const char *text, psr_error *err);
/* ReadLineAsSecureString (Read-Host -AsSecureString): text is sent
 * encrypted under a session key, exchanged first when there is none. */
int psr_ps_host_call_answer_secure_string(psr_ps_host_call *call, const char *text,
                                          psr_error *err);
/* PromptForChoice: the index of the choice (0-based, within the choices). */
int psr_ps_host_call_answer_choice(psr_ps_host_call *call, int index, psr_error *err);
/* PromptForCredential1 / PromptForCredential2 (Get-Credential): a
 * PSCredential, the password as a SecureString. */
int psr_ps_host_call_answer_credential(psr_ps_host_call *call, const char *user,
                                       const char *password, psr_error *err);
/* Any call that needs an answer: the script gets a HostException error
 * record (FullyQualifiedErrorId HostFunctionNotImplemented) reading
 * "psremote cannot answer the host call METHOD: REASON", as from psremote
 * without a terminal, and goes on. */
int psr_ps_host_call_refuse(psr_ps_host_call *call, const char *reason, psr_error *err);

/* ---- objects ------------------------------------------------------------- */

/* Objects are deserialized PowerShell objects (type names usually start
 * with "Deserialized.") or primitives (strings, numbers, booleans, dates,
 * $null...). All of them are borrowed from the event. */

/* Flags of psr_ps_object_to_json. */
enum {
    PSR_PS_JSON_INDENT = 1 /* indent by two spaces instead of one line */
};
/* The object as JSON text into *out (free() it): primitives as JSON
 * values (strings, numbers, true/false, null; dates and other text kinds
 * as strings), objects as {"TypeNames": [...], "ToString": "...",
 * "Properties": {...}} with "Items" for lists and "Entries" for
 * dictionaries, as `psremote invoke --output json` writes them; a
 * SecureString's contents are never shown. */
int psr_ps_object_to_json(const psr_ps_object *obj, unsigned flags, char **out, psr_error *err);
/* The object as PowerShell shows it in one line or table cell, into *out
 * (free() it): primitives as themselves (True, 42, text), an object by its
 * ToString, else its items as {a, b}, else its type name; $null as "". */
int psr_ps_object_to_text(const psr_ps_object *obj, char **out, psr_error *err);

/* The i-th type name, most derived first, as received (e.g.
 * "Deserialized.System.Diagnostics.Process"); NULL past the end and for
 * primitives. */
const char *psr_ps_object_type_name(const psr_ps_object *obj, size_t i);
/* 1 when one of its type names is type_name, ignoring a "Deserialized."
 * prefix on either. */
int psr_ps_object_is_type(const psr_ps_object *obj, const char *type_name);
/* The property of that name (case-insensitive, as in PowerShell), or NULL. */
const psr_ps_object *psr_ps_object_property(const psr_ps_object *obj, const char *name);
/* The items of a list (an array, a collection); 0 / NULL for others. */
size_t psr_ps_object_item_count(const psr_ps_object *obj);
const psr_ps_object *psr_ps_object_item(const psr_ps_object *obj, size_t i);

/* 1 for $null (and a NULL obj). */
int psr_ps_object_is_null(const psr_ps_object *obj);
/* The three readers below also read a primitive wrapped in an object (an
 * enum's number, a string that carries note properties).
 *
 * The text of a string (or of a date, GUID, version, URI... as sent);
 * NULL for other kinds, and for a SecureString (its text is ciphertext). */
const char *psr_ps_object_string(const psr_ps_object *obj);
/* An integer of any size into *out: 0, or PSR_E_INVALID when obj is not
 * one (a character, a double and a string are not). */
int psr_ps_object_int64(const psr_ps_object *obj, int64_t *out);
/* A Boolean into *out (0 or 1): 0, or PSR_E_INVALID when obj is not one. */
int psr_ps_object_bool(const psr_ps_object *obj, int *out);

#ifdef __cplusplus
}
#endif
#endif
