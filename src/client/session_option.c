/* session_option.c: PowerShell session options by name (see
 * include/psremote/session_option.h). One table says each option's name,
 * type, range and where it goes, so parsing, errors and help stay in step
 * with New-PSSessionOption. */
#include "psremote/session_option.h"
#include "src/client/application_arguments.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum option_type {
    T_SWITCH,     /* true/false */
    T_COUNT,      /* whole number, uint32 (or int for MaximumRedirection) */
    T_MS,         /* milliseconds, uint32, with s/min units */
    T_MS_OR_NONE, /* IdleTimeout: milliseconds or -1 (int32) */
    T_ENVELOPE,   /* bytes, uint32, at least 8192 */
    T_SIZE,       /* bytes, uint64, 0 = unlimited */
    T_STRING,
    T_ENUM        /* int field; names from the table's choices */
} option_type;

typedef struct option_def {
    const char *name;
    option_type type;
    size_t offset; /* into psr_connection_options */
    const char *const *choices; /* T_ENUM: names, in the enum's order */
    const int *choice_values;   /* T_ENUM: the values (NULL: 0, 1, 2...) */
} option_def;

static const char *const buffering_names[] = {"None", "Drop", "Block", NULL};
static const char *const proxy_access_names[] = {"None", "IEConfig", "WinHttpConfig",
                                                 "AutoDetect", "NoProxyServer", NULL};
static const char *const proxy_auth_names[] = {"Basic", "Digest", "Negotiate", NULL};
static const int proxy_auth_values[] = {PSR_AUTH_BASIC, PSR_AUTH_DIGEST, PSR_AUTH_NEGOTIATE};

#define FIELD(f) offsetof(psr_connection_options, f)
static const option_def options[] = {
    {"ApplicationArguments", T_STRING, FIELD(application_arguments), NULL, NULL},
    {"CancelTimeout", T_MS, FIELD(cancel_timeout_ms), NULL, NULL},
    {"Culture", T_STRING, FIELD(culture), NULL, NULL},
    {"IdleTimeout", T_MS_OR_NONE, FIELD(idle_timeout_ms), NULL, NULL},
    {"IncludePortInSPN", T_SWITCH, FIELD(include_port_in_spn), NULL, NULL},
    {"MaxConnectionRetryCount", T_COUNT, FIELD(max_connection_retry_count), NULL, NULL},
    {"MaxEnvelopeSize", T_ENVELOPE, FIELD(max_envelope_size), NULL, NULL},
    {"MaximumReceivedDataSizePerCommand", T_SIZE, FIELD(max_received_data_per_command), NULL,
     NULL},
    {"MaximumReceivedObjectSize", T_SIZE, FIELD(max_received_object_size), NULL, NULL},
    {"MaximumRedirection", T_COUNT, FIELD(maximum_redirection), NULL, NULL},
    {"NoCompression", T_SWITCH, FIELD(no_compression), NULL, NULL},
    {"NoEncryption", T_SWITCH, FIELD(no_encryption), NULL, NULL},
    {"NoMachineProfile", T_SWITCH, FIELD(no_machine_profile), NULL, NULL},
    {"OpenTimeout", T_MS, FIELD(open_timeout_ms), NULL, NULL},
    {"OperationTimeout", T_MS, FIELD(operation_timeout_ms), NULL, NULL},
    {"OutputBufferingMode", T_ENUM, FIELD(output_buffering_mode), buffering_names, NULL},
    {"ProxyAccessType", T_ENUM, FIELD(proxy_access), proxy_access_names, NULL},
    {"ProxyAuthentication", T_ENUM, FIELD(proxy_auth), proxy_auth_names, proxy_auth_values},
    {"ProxyCredential", T_STRING, FIELD(proxy_user), NULL, NULL},
    {"SkipCACheck", T_SWITCH, FIELD(skip_ca_check), NULL, NULL},
    {"SkipCNCheck", T_SWITCH, FIELD(skip_cn_check), NULL, NULL},
    {"SkipRevocationCheck", T_SWITCH, FIELD(skip_revocation_check), NULL, NULL},
    {"UICulture", T_STRING, FIELD(ui_culture), NULL, NULL},
    {"UseUTF16", T_SWITCH, FIELD(use_utf16), NULL, NULL},
};
#undef FIELD
#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

const char *psr_session_option_names(void)
{
    return "ApplicationArguments, CancelTimeout, Culture, IdleTimeout, IncludePortInSPN, "
           "MaxConnectionRetryCount, MaxEnvelopeSize, MaximumReceivedDataSizePerCommand, "
           "MaximumReceivedObjectSize, MaximumRedirection, NoCompression, NoEncryption, "
           "NoMachineProfile, OpenTimeout, OperationTimeout, OutputBufferingMode, "
           "ProxyAccessType, ProxyAuthentication, ProxyCredential, SkipCACheck, SkipCNCheck, "
           "SkipRevocationCheck, UICulture, UseUTF16";
}

int psr_session_option_known(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strlen(options[i].name) == len && strncasecmp(options[i].name, name, len) == 0)
            return 1;
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    static const char *yes[] = {"true", "$true", "1", "yes", "on"};
    static const char *no[] = {"false", "$false", "0", "no", "off"};
    for (size_t i = 0; i < 5; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* A whole number with an optional unit suffix; units gives (suffix, factor)
 * pairs. */
static int parse_number(const char *v, const char *const *units, const uint64_t *factors,
                        size_t n_units, uint64_t max, uint64_t *out)
{
    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno)
        return -1;
    uint64_t factor = 0;
    for (size_t i = 0; i < n_units; i++)
        if (strcasecmp(end, units[i]) == 0)
            factor = factors[i];
    if (!factor || n > max / factor)
        return -1;
    *out = n * factor;
    return 0;
}

static const char *const ms_units[] = {"", "ms", "s", "min"};
static const uint64_t ms_factors[] = {1, 1, 1000, 60000};
static const char *const size_units[] = {"", "b", "kb", "mb", "gb"};
static const uint64_t size_factors[] = {1, 1, 1024, 1024 * 1024, 1024 * 1024 * 1024};

static int bad_value(const option_def *def, const char *value, const char *expected,
                     psr_error *err)
{
    return psr_error_set(err, PSR_E_INVALID, "session option %s takes %s, not '%s'", def->name,
                         expected, value);
}

static int set_enum(const option_def *def, void *field, const char *value, psr_error *err)
{
    for (int i = 0; def->choices[i]; i++) {
        if (strcasecmp(def->choices[i], value) == 0) {
            *(int *)field = def->choice_values ? def->choice_values[i] : i;
            return 0;
        }
    }
    char list[256] = "";
    for (int i = 0; def->choices[i]; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                 def->choices[i]);
    return psr_error_set(err, PSR_E_INVALID, "session option %s takes one of %s, not '%s'",
                         def->name, list, value);
}

static int keep_string(psr_session_option_store *store, const char *value, const char **slot,
                       psr_error *err)
{
    char **grown = realloc(store->strings, (size_t)(store->n + 1) * sizeof(*grown));
    if (!grown)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    store->strings = grown;
    char *copy = strdup(value);
    if (!copy)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    store->strings[store->n++] = copy;
    *slot = copy;
    return 0;
}

int psr_session_option_set(psr_connection_options *conn, psr_session_option_store *store,
                           const char *name, size_t name_len, const char *value, psr_error *err)
{
    const option_def *def = NULL;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strlen(options[i].name) == name_len &&
            strncasecmp(options[i].name, name, name_len) == 0)
            def = &options[i];
    if (!def)
        return psr_error_set(err, PSR_E_INVALID, "unknown session option '%.*s'; valid names: %s",
                             (int)name_len, name, psr_session_option_names());

    void *field = (char *)conn + def->offset;
    uint64_t n = 0;
    switch (def->type) {
    case T_SWITCH:
        return parse_bool(value, (int *)field) == 0
                   ? 0
                   : bad_value(def, value, "true or false", err);
    case T_COUNT:
        if (parse_number(value, ms_units, ms_factors, 1, INT32_MAX, &n) != 0)
            return bad_value(def, value, "a whole number from 0 to 2147483647", err);
        if (def->offset == offsetof(psr_connection_options, maximum_redirection))
            *(int *)field = (int)n;
        else
            *(uint32_t *)field = (uint32_t)n;
        return 0;
    case T_MS:
        if (parse_number(value, ms_units, ms_factors, 4, INT32_MAX, &n) != 0)
            return bad_value(def, value, "milliseconds (e.g. 60000, or 60s, 3min)", err);
        *(uint32_t *)field = (uint32_t)n;
        return 0;
    case T_MS_OR_NONE:
        if (strcmp(value, "-1") == 0) {
            *(int32_t *)field = -1;
            return 0;
        }
        /* WinRM refuses an IdleTimeout under a minute. */
        if (parse_number(value, ms_units, ms_factors, 4, INT32_MAX, &n) != 0 || n < 60000)
            return bad_value(def, value,
                             "milliseconds of at least 60000 (e.g. 600000, or 10min), or -1 "
                             "for the server's default",
                             err);
        *(int32_t *)field = (int32_t)n;
        return 0;
    case T_ENVELOPE:
        if (parse_number(value, size_units, size_factors, 5, UINT32_MAX, &n) != 0 || n < 8192)
            return bad_value(def, value, "a size of at least 8192 bytes (e.g. 512000 or 500KB)",
                             err);
        *(uint32_t *)field = (uint32_t)n;
        return 0;
    case T_SIZE:
        if (parse_number(value, size_units, size_factors, 5, UINT64_MAX / 2, &n) != 0)
            return bad_value(def, value, "a size in bytes (e.g. 209715200 or 200MB; 0: unlimited)",
                             err);
        *(uint64_t *)field = n;
        return 0;
    case T_STRING:
        if (def->offset == offsetof(psr_connection_options, application_arguments)) {
            psrp_value *check = NULL;
            int rc = psr_application_arguments_parse(value, &check, err);
            psrp_value_free(check);
            if (rc)
                return rc;
        }
        return keep_string(store, value, (const char **)field, err);
    case T_ENUM:
        return set_enum(def, field, value, err);
    }
    return PSR_E_INVALID;
}

int psr_session_option_apply(psr_connection_options *conn, psr_session_option_store *store,
                             const char *arg, psr_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return psr_error_set(err, PSR_E_INVALID,
                             "session option '%s' must be given as Name=Value (names: %s)", arg,
                             psr_session_option_names());
    return psr_session_option_set(conn, store, arg, (size_t)(eq - arg), eq + 1, err);
}

int psr_session_option_apply_list(psr_connection_options *conn, psr_session_option_store *store,
                                  const char *list, psr_error *err)
{
    char *copy = strdup(list);
    if (!copy)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    int rc = 0, depth = 0, quoted = 0;
    char *item = copy;
    for (char *p = copy;; p++) {
        if (*p == '"' && (p == copy || p[-1] != '\\'))
            quoted = !quoted;
        else if (!quoted && *p == '{')
            depth++;
        else if (!quoted && *p == '}' && depth > 0)
            depth--;
        if (*p == '\0' || (*p == ';' && !quoted && depth == 0)) {
            int last = *p == '\0';
            *p = '\0';
            while (isspace((unsigned char)*item))
                item++;
            for (char *e = p; e > item && isspace((unsigned char)e[-1]);)
                *--e = '\0';
            if (*item && (rc = psr_session_option_apply(conn, store, item, err)) != 0)
                break;
            if (last)
                break;
            item = p + 1;
        }
    }
    free(copy);
    return rc;
}

void psr_session_option_store_free(psr_session_option_store *store)
{
    for (int i = 0; i < store->n; i++)
        free(store->strings[i]);
    free(store->strings);
    store->strings = NULL;
    store->n = 0;
}
