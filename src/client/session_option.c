/* session_option.c: PowerShell session options by name (see
 * include/psremote/session_option.h). One table says each option's name,
 * type and where it goes, so parsing, errors and help stay in step. */
#include "psremote/session_option.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum option_type { OPT_BOOL, OPT_MS, OPT_BYTES, OPT_STRING } option_type;

typedef struct option_def {
    const char *name;
    option_type type;
    size_t offset; /* into psr_connection_options */
} option_def;

#define FIELD(f) offsetof(psr_connection_options, f)
static const option_def options[] = {
    {"SkipCACheck", OPT_BOOL, FIELD(skip_ca_check)},
    {"SkipCNCheck", OPT_BOOL, FIELD(skip_cn_check)},
    {"SkipRevocationCheck", OPT_BOOL, FIELD(skip_revocation_check)},
    {"NoMachineProfile", OPT_BOOL, FIELD(no_machine_profile)},
    {"OperationTimeout", OPT_MS, FIELD(operation_timeout_ms)},
    {"OpenTimeout", OPT_MS, FIELD(open_timeout_ms)},
    {"CancelTimeout", OPT_MS, FIELD(cancel_timeout_ms)},
    {"MaxEnvelopeSize", OPT_BYTES, FIELD(max_envelope_size)},
    {"Culture", OPT_STRING, FIELD(culture)},
    {"UICulture", OPT_STRING, FIELD(ui_culture)},
    {"NoEncryption", OPT_BOOL, FIELD(no_encryption)},
    {"IncludePortInSPN", OPT_BOOL, FIELD(include_port_in_spn)},
};
#undef FIELD

const char *psr_session_option_names(void)
{
    return "SkipCACheck, SkipCNCheck, SkipRevocationCheck, NoMachineProfile, "
           "OperationTimeout, OpenTimeout, CancelTimeout, MaxEnvelopeSize, Culture, UICulture, "
           "NoEncryption, IncludePortInSPN";
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
 * pairs, the first of which is the default unit. */
static int parse_uint(const char *v, const char *const *units, const unsigned *factors,
                      size_t n_units, uint32_t *out)
{
    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno)
        return -1;
    unsigned factor = 0;
    for (size_t i = 0; i < n_units; i++)
        if (strcasecmp(end, units[i]) == 0)
            factor = factors[i];
    if (!factor || n > UINT32_MAX / factor)
        return -1;
    *out = (uint32_t)(n * factor);
    return 0;
}

int psr_session_option_apply(psr_connection_options *conn, psr_session_option_store *store,
                             const char *arg, psr_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return psr_error_set(err, PSR_E_INVALID,
                             "session option '%s' must be given as Name=Value (names: %s)", arg,
                             psr_session_option_names());
    size_t name_len = (size_t)(eq - arg);
    const char *value = eq + 1;
    const option_def *def = NULL;
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
        if (strlen(options[i].name) == name_len &&
            strncasecmp(options[i].name, arg, name_len) == 0)
            def = &options[i];
    if (!def)
        return psr_error_set(err, PSR_E_INVALID, "unknown session option '%.*s'; valid names: %s",
                             (int)name_len, arg, psr_session_option_names());

    void *field = (char *)conn + def->offset;
    static const char *const ms_units[] = {"", "ms", "s", "min"};
    static const unsigned ms_factors[] = {1, 1, 1000, 60000};
    static const char *const size_units[] = {"", "b", "kb", "mb"};
    static const unsigned size_factors[] = {1, 1, 1024, 1024 * 1024};
    switch (def->type) {
    case OPT_BOOL:
        if (parse_bool(value, (int *)field) == 0)
            return 0;
        return psr_error_set(err, PSR_E_INVALID,
                             "session option %s takes true or false, not '%s'", def->name, value);
    case OPT_MS:
        if (parse_uint(value, ms_units, ms_factors, 4, (uint32_t *)field) == 0)
            return 0;
        return psr_error_set(err, PSR_E_INVALID,
                             "session option %s takes milliseconds (e.g. 60000, or 60s, 3min), "
                             "not '%s'",
                             def->name, value);
    case OPT_BYTES:
        if (parse_uint(value, size_units, size_factors, 4, (uint32_t *)field) == 0 &&
            *(uint32_t *)field >= 8192)
            return 0;
        return psr_error_set(err, PSR_E_INVALID,
                             "session option %s takes a size of at least 8192 bytes "
                             "(e.g. 512000 or 500KB), not '%s'",
                             def->name, value);
    case OPT_STRING:
        if (store->n >= (int)(sizeof(store->strings) / sizeof(store->strings[0])))
            return psr_error_set(err, PSR_E_LIMIT, "too many session options");
        char *copy = strdup(value);
        if (!copy)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        store->strings[store->n++] = copy;
        *(const char **)field = copy;
        return 0;
    }
    return PSR_E_INVALID;
}

void psr_session_option_store_free(psr_session_option_store *store)
{
    for (int i = 0; i < store->n; i++)
        free(store->strings[i]);
    store->n = 0;
}
