/* powershell_host.c: host calls in the public PowerShell API (see
 * psremote/powershell.h): what a call asks, and answers checked against
 * the method before they go to the server, so a wrong kind of answer is an
 * error the application sees rather than a script that fails oddly. */
#include "src/client/powershell_impl.h"

#include "src/client/psrp_host.h"

#include <string.h>

const char *psr_ps_host_call_method(const psr_ps_host_call *call)
{
    return call->call->method_name ? call->call->method_name : "Unknown";
}

int psr_ps_host_call_method_id(const psr_ps_host_call *call)
{
    return call->call->method_id;
}

int psr_ps_host_call_needs_answer(const psr_ps_host_call *call)
{
    return call->call->ci != PSRP_HOST_CALL_VOID_CI;
}

size_t psr_ps_host_call_param_count(const psr_ps_host_call *call)
{
    return psr_psrp_host_param_count(call->call);
}

const psr_ps_object *psr_ps_host_call_param(const psr_ps_host_call *call, size_t i)
{
    return psr_ps_object_of(psr_psrp_host_param(call->call, i));
}

static int is_method(const psr_ps_host_call *call, const char *name)
{
    return strcmp(psr_ps_host_call_method(call), name) == 0;
}

const char *psr_psapi_host_call_written(const psr_ps_host_call *call, const char **prefix,
                                     int *newline)
{
    static const struct {
        const char *method, *prefix;
        int newline;
    } writes[] = {
        {"Write1", "", 0},          {"Write2", "", 0},
        {"WriteLine2", "", 1},      {"WriteLine3", "", 1},
        {"WriteErrorLine", "", 1},  {"WriteDebugLine", "DEBUG: ", 1},
        {"WriteVerboseLine", "VERBOSE: ", 1}, {"WriteWarningLine", "WARNING: ", 1},
    };
    *prefix = "";
    *newline = 0;
    if (is_method(call, "WriteLine1")) { /* an empty line */
        *newline = 1;
        return "";
    }
    for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
        if (is_method(call, writes[i].method)) {
            /* Write2 and WriteLine3 put the colours first: the text is last. */
            size_t n = psr_psrp_host_param_count(call->call);
            *prefix = writes[i].prefix;
            *newline = writes[i].newline;
            return n ? psr_psrp_host_param_text(call->call, n - 1) : "";
        }
    }
    return NULL;
}

/* The call that answers this method, for error messages. */
static const char *answer_for(const psr_ps_host_call *call)
{
    if (is_method(call, "ReadLine"))
        return "psr_ps_host_call_answer_string";
    if (is_method(call, "ReadLineAsSecureString"))
        return "psr_ps_host_call_answer_secure_string";
    if (is_method(call, "PromptForChoice"))
        return "psr_ps_host_call_answer_choice";
    if (is_method(call, "PromptForCredential1") || is_method(call, "PromptForCredential2"))
        return "psr_ps_host_call_answer_credential";
    return "psr_ps_host_call_refuse (the API has no answer of this kind yet)";
}

static int can_answer(const psr_ps_host_call *call, const char *fn, int fits, psr_error *err)
{
    if (!call)
        return psr_error_set(err, PSR_E_INVALID, "%s: no host call given", fn);
    const char *m = psr_ps_host_call_method(call);
    if (!psr_ps_host_call_needs_answer(call))
        return psr_error_set(err, PSR_E_STATE, "the host call %s expects no answer", m);
    if (call->answered)
        return psr_error_set(err, PSR_E_STATE, "the host call %s was answered already", m);
    if (!fits)
        return psr_error_set(err, PSR_E_INVALID, "%s does not answer the host call %s; use %s",
                             fn, m, answer_for(call));
    return 0;
}

/* Sends result (taking the reference) as the answer. */
static int respond(psr_ps_host_call *call, psrp_value *result, psr_error *err)
{
    if (!result)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory answering the host call %s",
                             psr_ps_host_call_method(call));
    int rc = psrp_pipeline_host_respond(call->pl, call->call->ci, call->call->method_id, result,
                                        NULL, err);
    psrp_value_free(result);
    if (!rc)
        call->answered = 1;
    return rc;
}

int psr_ps_host_call_answer_string(psr_ps_host_call *call, const char *text, psr_error *err)
{
    int rc = can_answer(call, "psr_ps_host_call_answer_string",
                        call && is_method(call, "ReadLine"), err);
    return rc ? rc : respond(call, psrp_value_new_string(text ? text : ""), err);
}

int psr_ps_host_call_answer_secure_string(psr_ps_host_call *call, const char *text,
                                          psr_error *err)
{
    int rc = can_answer(call, "psr_ps_host_call_answer_secure_string",
                        call && is_method(call, "ReadLineAsSecureString"), err);
    psrp_value *secure = NULL;
    if (!rc)
        rc = psr_psrp_session_secure_string(call->session->engine, text ? text : "", &secure, err);
    return rc ? rc : respond(call, secure, err);
}

int psr_ps_host_call_answer_choice(psr_ps_host_call *call, int index, psr_error *err)
{
    int rc = can_answer(call, "psr_ps_host_call_answer_choice",
                        call && is_method(call, "PromptForChoice"), err);
    if (rc)
        return rc;
    const psrp_value *choices = psr_psrp_host_param(call->call, 2);
    size_t n = choices && choices->kind == PSRP_V_OBJECT ? choices->u.obj.n_items : 0;
    if (index < 0 || (size_t)index >= n)
        return psr_error_set(err, PSR_E_INVALID,
                             "choice %d is not one of the %zu choices PromptForChoice offers "
                             "(0 to %zu)", index, n, n ? n - 1 : 0);
    return respond(call, psrp_value_new_i32(index), err);
}

int psr_ps_host_call_answer_credential(psr_ps_host_call *call, const char *user,
                                       const char *password, psr_error *err)
{
    int rc = can_answer(call, "psr_ps_host_call_answer_credential",
                        call && (is_method(call, "PromptForCredential1") ||
                                 is_method(call, "PromptForCredential2")), err);
    if (!rc && (!user || !password))
        rc = psr_error_set(err, PSR_E_INVALID,
                           "psr_ps_host_call_answer_credential needs a user name and a password");
    psrp_value *cred = NULL;
    if (!rc)
        rc = psr_psrp_host_credential(call->session->engine, user, password, &cred, err);
    return rc ? rc : respond(call, cred, err);
}

int psr_ps_host_call_refuse(psr_ps_host_call *call, const char *reason, psr_error *err)
{
    int rc = can_answer(call, "psr_ps_host_call_refuse", 1, err);
    if (!rc)
        rc = psr_psrp_host_refuse(call->pl, call->call, reason ? reason : "the application refused it",
                                  err);
    if (!rc)
        call->answered = 1;
    return rc;
}

int psr_psapi_host_call_finish(psr_ps_host_call *call, psr_error *err)
{
    if (!psr_ps_host_call_needs_answer(call) || call->answered)
        return 0;
    return psr_ps_host_call_refuse(call, "the application did not answer it", err);
}
