/* messages_pipeline.c: CREATE_PIPELINE (MS-PSRP 2.2.2.10 with the
 * PowerShell object of 2.2.3.11 and Command of 2.2.3.12), PIPELINE_INPUT /
 * PIPELINE_OUTPUT (2.2.2.17, 2.2.2.19) and PIPELINE_STATE (2.2.2.21). */
#include "psrp/messages_util.h"

#include "psrp/clixml.h"

#include <stdlib.h>
#include <string.h>

static const char *const psobject_list_types[] = {
    "System.Collections.Generic.List`1[[System.Management.Automation.PSObject, System.Management.Automation, "
    "Version=1.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]",
    "System.Object", NULL};

static psrp_value *command_value(const psrp_command *c, int version)
{
    psrp_value *v = psrp_value_new_object(NULL);
    int rc = psrp_object_add(v, "Cmd", psrp_value_new_string(c->cmd ? c->cmd : ""));
    rc |= psrp_object_add(v, "IsScript", psrp_value_new_bool(c->is_script));
    rc |= psrp_object_add(v, "UseLocalScope",
                          c->use_local_scope < 0 ? psrp_value_new_nil() : psrp_value_new_bool(c->use_local_scope));
    rc |= psrp_object_add(v, "MergeMyResult", msg_enum_pipeline_result_types(c->merge_my_result));
    rc |= psrp_object_add(v, "MergeToResult", msg_enum_pipeline_result_types(c->merge_to_result));
    rc |= psrp_object_add(v, "MergePreviousResults", msg_enum_pipeline_result_types(c->merge_previous_results));
    /* Older peers do not know these (PowerShell omits them the same way). */
    if (version >= 202) {
        rc |= psrp_object_add(v, "MergeError", msg_enum_pipeline_result_types(c->merge_error));
        rc |= psrp_object_add(v, "MergeWarning", msg_enum_pipeline_result_types(c->merge_warning));
        rc |= psrp_object_add(v, "MergeVerbose", msg_enum_pipeline_result_types(c->merge_verbose));
        rc |= psrp_object_add(v, "MergeDebug", msg_enum_pipeline_result_types(c->merge_debug));
    }
    if (version >= 203)
        rc |= psrp_object_add(v, "MergeInformation", msg_enum_pipeline_result_types(c->merge_information));
    psrp_value *args = psrp_value_new_collection(PSRP_COLL_LIST, psobject_list_types);
    for (size_t i = 0; i < c->n_args; i++) {
        psrp_value *a = psrp_value_new_object(NULL);
        int arc = psrp_object_add(a, "N", c->args[i].name ? psrp_value_new_string(c->args[i].name)
                                                          : psrp_value_new_nil());
        arc |= psrp_object_add(a, "V", c->args[i].value ? psrp_value_ref(c->args[i].value) : psrp_value_new_nil());
        if (arc) {
            psrp_value_free(a);
            a = NULL;
        }
        rc |= psrp_list_append(args, a);
    }
    rc |= psrp_object_add(v, "Args", args);
    if (rc) {
        psrp_value_free(v);
        return NULL;
    }
    return v;
}

static int merges_need_new_protocol(const psrp_command *c, int version)
{
    if (version < 202 && (c->merge_error || c->merge_warning || c->merge_verbose || c->merge_debug))
        return 1;
    return version < 203 && c->merge_information;
}

int psrp_msg_create_pipeline_build(psr_buf *out, const psrp_msg_create_pipeline *m, const char *protocol_version,
                                   psr_error *err)
{
    static const char what[] = "CREATE_PIPELINE";
    int version = psrp_version_code(protocol_version ? protocol_version : "2.3");
    if (version < 0)
        return psr_error_set(err, PSR_E_INVALID, "PSRP %s: bad protocol version \"%s\"", what, protocol_version);
    if (m->n_commands == 0)
        return psr_error_set(err, PSR_E_INVALID, "PSRP %s: a pipeline needs at least one command", what);
    size_t statements = 1;
    for (size_t i = 0; i < m->n_commands; i++) {
        if (m->commands[i].end_of_statement && i + 1 < m->n_commands)
            statements++;
        if (merges_need_new_protocol(&m->commands[i], version))
            return psr_error_set(err, PSR_E_INVALID,
                                 "PSRP %s: the server speaks protocol %s, which cannot merge the error, warning, "
                                 "verbose, debug or information streams of command %zu",
                                 what, protocol_version, i + 1);
    }
    if (statements > 1 && version < 202)
        return psr_error_set(err, PSR_E_INVALID,
                             "PSRP %s: the server speaks protocol %s, which runs one statement per pipeline; send "
                             "the statements as separate pipelines or as one script", what, protocol_version);

    int rc = 0;
    /* Cmds holds the first statement; with several statements ExtraCmds holds
     * every statement (the first again), each as an object with Cmds. This
     * is how PowerShell batches statements (not described in MS-PSRP). The
     * first statement is built twice rather than shared, so the serializer
     * writes it out both times instead of a <Ref>. */
    psrp_value *first = psrp_value_new_collection(PSRP_COLL_LIST, psobject_list_types);
    for (size_t i = 0; i < m->n_commands; i++) {
        rc |= psrp_list_append(first, command_value(&m->commands[i], version));
        if (m->commands[i].end_of_statement)
            break;
    }
    psrp_value *extra = statements > 1 ? psrp_value_new_collection(PSRP_COLL_LIST, psobject_list_types)
                                       : psrp_value_new_nil();
    psrp_value *cur = NULL;
    for (size_t i = 0; statements > 1 && i < m->n_commands; i++) {
        if (!cur)
            cur = psrp_value_new_collection(PSRP_COLL_LIST, psobject_list_types);
        rc |= psrp_list_append(cur, command_value(&m->commands[i], version));
        if (m->commands[i].end_of_statement || i + 1 == m->n_commands) {
            psrp_value *st = psrp_value_new_object(NULL);
            rc |= psrp_object_add(st, "Cmds", cur);
            rc |= psrp_list_append(extra, st);
            cur = NULL;
        }
    }
    psrp_value *ps = psrp_value_new_object(NULL);
    rc |= psrp_object_add(ps, "IsNested", psrp_value_new_bool(m->is_nested));
    rc |= psrp_object_add(ps, "ExtraCmds", extra);
    rc |= psrp_object_add(ps, "Cmds", first);
    rc |= psrp_object_add(ps, "History", m->history ? psrp_value_new_string(m->history) : psrp_value_new_nil());
    rc |= psrp_object_add(ps, "RedirectShellErrorOutputPipe", psrp_value_new_bool(m->redirect_shell_error_output_pipe));

    psrp_value *v = psrp_value_new_object(NULL);
    rc |= psrp_object_add(v, "NoInput", psrp_value_new_bool(m->no_input));
    rc |= psrp_object_add(v, "ApartmentState", msg_enum_apartment_state(m->apartment_state));
    rc |= psrp_object_add(v, "RemoteStreamOptions", msg_enum_remote_stream_options(m->remote_stream_options));
    rc |= psrp_object_add(v, "AddToHistory", psrp_value_new_bool(m->add_to_history));
    rc |= psrp_object_add(v, "HostInfo", msg_host_info_value(&m->host_info));
    rc |= psrp_object_add(v, "PowerShell", ps);
    rc |= psrp_object_add(v, "IsNested", psrp_value_new_bool(m->is_nested));
    return msg_finish(out, v, rc, what, err);
}

/* ---- parsing (the server side) ---- */

static int count_commands(const psrp_value *cmds, size_t *n_cmds, size_t *n_args)
{
    if (!cmds || cmds->kind != PSRP_V_OBJECT || cmds->u.obj.coll != PSRP_COLL_LIST)
        return -1;
    for (size_t i = 0; i < cmds->u.obj.n_items; i++) {
        const psrp_value *args = psrp_object_get(cmds->u.obj.items[i], "Args");
        if (args && args->kind == PSRP_V_OBJECT)
            *n_args += args->u.obj.n_items;
    }
    *n_cmds += cmds->u.obj.n_items;
    return 0;
}

static int read_command(psrp_parsed_pipeline *m, const psrp_value *c, psrp_command *out, size_t *arg_at,
                        psr_error *err)
{
    static const char what[] = "CREATE_PIPELINE";
    memset(out, 0, sizeof(*out));
    out->use_local_scope = -1;
    int rc = msg_req_text(c, what, "Cmd", &out->cmd, err);
    if (rc)
        return rc;
    msg_opt_bool(c, "IsScript", &out->is_script);
    msg_opt_bool(c, "UseLocalScope", &out->use_local_scope);
    msg_opt_i32(c, "MergeMyResult", &out->merge_my_result);
    msg_opt_i32(c, "MergeToResult", &out->merge_to_result);
    msg_opt_i32(c, "MergePreviousResults", &out->merge_previous_results);
    msg_opt_i32(c, "MergeError", &out->merge_error);
    msg_opt_i32(c, "MergeWarning", &out->merge_warning);
    msg_opt_i32(c, "MergeVerbose", &out->merge_verbose);
    msg_opt_i32(c, "MergeDebug", &out->merge_debug);
    msg_opt_i32(c, "MergeInformation", &out->merge_information);
    const psrp_value *args = psrp_object_get(c, "Args");
    out->args = m->args + *arg_at;
    if (args && args->kind == PSRP_V_OBJECT) {
        for (size_t i = 0; i < args->u.obj.n_items; i++) {
            psrp_command_arg *a = &m->args[*arg_at + out->n_args];
            a->name = msg_opt_text(args->u.obj.items[i], "N");
            a->value = msg_opt_value(args->u.obj.items[i], "V");
            out->n_args++;
        }
    }
    *arg_at += out->n_args;
    return 0;
}

int psrp_msg_create_pipeline_parse(psrp_clixml_reader *rd, psrp_parsed_pipeline *m, const char *data, size_t len,
                                   psr_error *err)
{
    static const char what[] = "CREATE_PIPELINE";
    memset(m, 0, sizeof(*m));
    int rc = msg_parse_object(rd, what, data, len, &m->value, err);
    if (rc)
        return rc;
    psrp_msg_create_pipeline *p = &m->p;
    const psrp_value *ps = msg_opt_value(m->value, "PowerShell");
    if (!ps) {
        psrp_parsed_pipeline_clear(m);
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: required property PowerShell is missing", what);
    }
    /* Statements: ExtraCmds when present (it repeats the first), else Cmds. */
    const psrp_value *extra = msg_opt_value(ps, "ExtraCmds");
    const psrp_value *single = psrp_object_get(ps, "Cmds");
    size_t n_st = extra && extra->kind == PSRP_V_OBJECT ? extra->u.obj.n_items : 1;
    size_t n_cmds = 0, n_args = 0;
    for (size_t s = 0; s < n_st; s++) {
        const psrp_value *cmds = extra ? psrp_object_get(extra->u.obj.items[s], "Cmds") : single;
        if (count_commands(cmds, &n_cmds, &n_args)) {
            psrp_parsed_pipeline_clear(m);
            return psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: Cmds of statement %zu is not a list", what, s + 1);
        }
    }
    if (n_cmds == 0) {
        psrp_parsed_pipeline_clear(m);
        return psr_error_set(err, PSR_E_PROTOCOL, "PSRP %s: the pipeline has no command", what);
    }
    m->commands = calloc(n_cmds, sizeof(*m->commands));
    m->args = calloc(n_args ? n_args : 1, sizeof(*m->args));
    if (!m->commands || !m->args) {
        psrp_parsed_pipeline_clear(m);
        return psr_error_set(err, PSR_E_NOMEM, "PSRP %s: out of memory", what);
    }
    size_t at = 0, arg_at = 0;
    for (size_t s = 0; s < n_st && !rc; s++) {
        const psrp_value *cmds = extra ? psrp_object_get(extra->u.obj.items[s], "Cmds") : single;
        for (size_t i = 0; i < cmds->u.obj.n_items && !rc; i++)
            rc = read_command(m, cmds->u.obj.items[i], &m->commands[at++], &arg_at, err);
        if (at > 0)
            m->commands[at - 1].end_of_statement = 1;
    }
    if (rc) {
        psrp_parsed_pipeline_clear(m);
        return rc;
    }
    p->commands = m->commands;
    p->n_commands = n_cmds;
    msg_opt_bool(ps, "IsNested", &p->is_nested);
    p->history = msg_opt_text(ps, "History");
    msg_opt_bool(ps, "RedirectShellErrorOutputPipe", &p->redirect_shell_error_output_pipe);
    msg_opt_bool(m->value, "NoInput", &p->no_input);
    p->apartment_state = PSRP_APARTMENT_UNKNOWN;
    msg_opt_i32(m->value, "ApartmentState", &p->apartment_state);
    msg_opt_i32(m->value, "RemoteStreamOptions", &p->remote_stream_options);
    msg_opt_bool(m->value, "AddToHistory", &p->add_to_history);
    msg_opt_bool(m->value, "IsNested", &p->is_nested);
    msg_host_info_read(psrp_object_get(m->value, "HostInfo"), &p->host_info);
    return 0;
}

void psrp_parsed_pipeline_clear(psrp_parsed_pipeline *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    free(m->commands);
    free(m->args);
    memset(m, 0, sizeof(*m));
}

/* ---- PIPELINE_INPUT / PIPELINE_OUTPUT ---- */

int psrp_msg_object_build(psr_buf *out, const psrp_value *v, psr_error *err)
{
    if (!v)
        return psr_error_set(err, PSR_E_INVALID, "PSRP pipeline object: no value given");
    return psrp_clixml_serialize(out, v, err) ? psr_error_prefix(err, "PSRP pipeline object") : 0;
}

int psrp_msg_object_parse(psrp_clixml_reader *rd, psrp_value **out, const char *data, size_t len, psr_error *err)
{
    return msg_parse_value(rd, "pipeline object", data, len, out, err);
}

/* ---- PIPELINE_STATE ---- */

int psrp_msg_pipeline_state_build(psr_buf *out, int32_t state, const psrp_error_record_spec *error, psr_error *err)
{
    return msg_state_build(out, "PIPELINE_STATE", "PipelineState", state, error, err);
}

int psrp_msg_pipeline_state_parse(psrp_clixml_reader *rd, psrp_msg_pipeline_state *m, const char *data, size_t len,
                                  psr_error *err)
{
    memset(m, 0, sizeof(*m));
    psrp_error_record_clear(&m->error);
    int rc = msg_state_parse(rd, "PIPELINE_STATE", "PipelineState", data, len, &m->value, &m->state,
                             &m->error, &m->has_error, err);
    if (rc)
        psrp_msg_pipeline_state_clear(m);
    return rc;
}

void psrp_msg_pipeline_state_clear(psrp_msg_pipeline_state *m)
{
    if (!m)
        return;
    psrp_value_free(m->value);
    psrp_error_record_clear(&m->error);
    m->value = NULL;
    m->has_error = 0;
    m->state = 0;
}
