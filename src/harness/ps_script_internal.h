/* ps_script_internal.h: what the parts of the harness's simulated
 * PowerShell share: ps_script.c (statements, expressions, variables, the
 * commands that read the machine) and ps_script_host.c (the commands that
 * wait on the client: host calls, SecureStrings, fault hooks). Internal to
 * src/harness. */
#ifndef PSR_HARNESS_PS_SCRIPT_INTERNAL_H
#define PSR_HARNESS_PS_SCRIPT_INTERNAL_H

#include "common/buf.h"
#include "src/harness/ps_script.h"

#define MAX_VARS 16

typedef struct ps_run {
    char *names[MAX_VARS];
    psrp_value *values[MAX_VARS];
    size_t n_vars;
    psrp_value *const *args;
    size_t n_args;
    psrp_value *const *input;
    size_t n_input;
    ps_session_state *st;
    const ps_host *host;
    ps_emit_fn emit;
    void *ctx;
} ps_run;

/* $name or $name.Property (borrowed), or NULL. */
const psrp_value *ps_lookup(const ps_run *r, const char *name, size_t len);
/* Length of a name with an optional .Property at p. */
size_t ps_path_len(const char *p);
/* Emits v as output and frees it; NULL (no memory) fails. */
int ps_emit_value(ps_run *r, psrp_value *v);
/* A command argument's text: quoted, bare, or "$var" expanded. */
void ps_argument_text(ps_run *r, const char *arg, psr_buf *out);

/* Splits s at its top-level commas (outside quotes and brackets) into at
 * most max pieces; returns how many. */
size_t ps_split_args(const char *s, size_t len, const char **starts, size_t *lens, size_t max);

/* Commands of ps_script_host.c; arg is the rest of the statement. Each
 * returns 0, 2 to stop the script, or -1. */
int ps_cmd_read_host(ps_run *r, const char *arg);
int ps_cmd_get_credential(ps_run *r, const char *arg);
int ps_cmd_convert_from_secure_string(ps_run *r, const char *arg);
int ps_cmd_convert_to_secure_string(ps_run *r, const char *arg);
int ps_cmd_new_choice_description(ps_run *r, const char *arg);
/* arg: what follows "$host.UI.PromptForChoice". */
int ps_cmd_prompt_for_choice(ps_run *r, const char *arg);
int ps_cmd_break_pool(ps_run *r, const char *arg);
int ps_cmd_ignore_stop(ps_run *r, const char *arg);

#endif
