/* options.c: psremote-harness command-line options (see harness.h and
 * man/psremote-harness.1). Pure apart from reading --user-file. */
#include "src/harness/harness.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char harness_usage[] =
    "Usage: psremote-harness [OPTION]...\n"
    "A WinRM (WS-Management / WinRS) server that runs commands with /bin/sh,\n"
    "for testing WinRM clients without Windows.\n"
    "\n"
    "  --listen ADDR:PORT          plain HTTP listener (repeatable; PORT 0 picks a\n"
    "                              free port; IPv6 as [ADDR]:PORT; ADDR:PORT*N opens\n"
    "                              N listeners on consecutive or, with 0, free ports);\n"
    "                              default " HARNESS_DEFAULT_LISTEN "\n"
    "  --listen-tls ADDR:PORT      HTTPS listener (repeatable; needs --tls-cert/--tls-key)\n"
    "  --tls-cert FILE             PEM certificate (chain) for HTTPS listeners\n"
    "  --tls-key FILE              PEM private key for HTTPS listeners\n"
    "  --user USER:PASSWORD        accept these Basic credentials (repeatable)\n"
    "  --user-file FILE            read USER:PASSWORD lines from FILE\n"
    "  --allow-unencrypted         WinRM's AllowUnencrypted: accept Basic, and unsealed\n"
    "                              bodies after Negotiate/Kerberos, over plain HTTP\n"
    "  --auth LIST                 schemes offered, comma-separated: basic, negotiate,\n"
    "                              kerberos, credssp (default: basic with --user,\n"
    "                              negotiate and kerberos with --keytab or\n"
    "                              --ntlm-user-file; credssp only when asked, as on\n"
    "                              Windows)\n"
    "  --credssp-version N         the CredSSP version announced, 2 to 6 (default 6)\n"
    "  --keytab FILE               Kerberos service keys (HTTP/host principals)\n"
    "  --ntlm-user-file FILE       NTLM accounts, lines DOMAIN:USER:PASSWORD (gss-ntlmssp)\n"
    "  --service-name NAME         the service the acceptor answers as\n"
    "                              (default HTTP@localhost: HTTP/localhost keys)\n"
    "  --client-ca FILE            accept TLS client certificates issued by the CAs in\n"
    "                              FILE (PEM) for Certificate authentication\n"
    "  --cert-user NAME            map only certificates with this subject CN (repeatable;\n"
    "                              default: any CN; the CN is the user name)\n"
    "  --redirect PATH=URL         answer requests for PATH with 302 Found to URL\n"
    "                              (repeatable: chains and loops for client tests)\n"
    "  --close-connections         close the connection after every reply (clients\n"
    "                              must reconnect and authenticate again)\n"
    "  --require-channel-binding   HTTPS: refuse Negotiate/Kerberos without matching\n"
    "                              channel binding (CbtHardeningLevel Strict)\n"
    "  --max-envelope-size BYTES   largest request body accepted (default 512000)\n"
    "  --operation-timeout-max SECONDS\n"
    "                              cap on a request's OperationTimeout (default 60)\n"
    "  --stats-file PATH           write counters (highest number of shells open at\n"
    "                              once, requests) to PATH at exit and on SIGUSR1\n"
    "  --ready-file PATH           write the listener URLs to PATH once listening\n"
    "  --verbose                   log requests to stderr (never credentials)\n"
    "  --help                      show this help and exit\n"
    "  --version                   show the version and exit\n";

enum {
    OPT_LISTEN = 256,
    OPT_LISTEN_TLS,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_USER,
    OPT_USER_FILE,
    OPT_ALLOW_UNENCRYPTED,
    OPT_AUTH,
    OPT_KEYTAB,
    OPT_NTLM_USER_FILE,
    OPT_SERVICE_NAME,
    OPT_REQUIRE_CBT,
    OPT_CREDSSP_VERSION,
    OPT_CLOSE_CONNECTIONS,
    OPT_REDIRECT,
    OPT_CLIENT_CA,
    OPT_CERT_USER,
    OPT_STATS_FILE,
    OPT_MAX_ENVELOPE,
    OPT_OP_TIMEOUT_MAX,
    OPT_READY_FILE,
    OPT_VERBOSE,
    OPT_HELP,
    OPT_VERSION
};

static const struct option long_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"listen-tls", required_argument, NULL, OPT_LISTEN_TLS},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"user", required_argument, NULL, OPT_USER},
    {"user-file", required_argument, NULL, OPT_USER_FILE},
    {"allow-unencrypted", no_argument, NULL, OPT_ALLOW_UNENCRYPTED},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"keytab", required_argument, NULL, OPT_KEYTAB},
    {"ntlm-user-file", required_argument, NULL, OPT_NTLM_USER_FILE},
    {"service-name", required_argument, NULL, OPT_SERVICE_NAME},
    {"require-channel-binding", no_argument, NULL, OPT_REQUIRE_CBT},
    {"credssp-version", required_argument, NULL, OPT_CREDSSP_VERSION},
    {"close-connections", no_argument, NULL, OPT_CLOSE_CONNECTIONS},
    {"redirect", required_argument, NULL, OPT_REDIRECT},
    {"client-ca", required_argument, NULL, OPT_CLIENT_CA},
    {"cert-user", required_argument, NULL, OPT_CERT_USER},
    {"stats-file", required_argument, NULL, OPT_STATS_FILE},
    {"max-envelope-size", required_argument, NULL, OPT_MAX_ENVELOPE},
    {"operation-timeout-max", required_argument, NULL, OPT_OP_TIMEOUT_MAX},
    {"ready-file", required_argument, NULL, OPT_READY_FILE},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0}};

void harness_options_clear(harness_options *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_listens; i++)
        free(o->listens[i].host);
    free(o->listens);
    for (size_t i = 0; i < o->n_users; i++) {
        free(o->users[i].name);
        if (o->users[i].password) /* wipe: it is a secret */
            memset(o->users[i].password, 0, strlen(o->users[i].password));
        free(o->users[i].password);
    }
    free(o->users);
    free(o->tls_cert);
    free(o->tls_key);
    free(o->ready_file);
    free(o->keytab);
    free(o->ntlm_user_file);
    free(o->service_name);
    for (size_t i = 0; i < o->n_redirects; i++) {
        free(o->redirects[i].path);
        free(o->redirects[i].url);
    }
    free(o->redirects);
    free(o->client_ca);
    free(o->stats_file);
    for (size_t i = 0; i < o->n_cert_users; i++)
        free(o->cert_users[i]);
    free(o->cert_users);
    memset(o, 0, sizeof(*o));
}

static int parse_port(const char *text, uint16_t *port)
{
    if (!*text)
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || v > 65535 || text[0] == '-' || text[0] == '+')
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int harness_listen_parse(const char *spec, harness_listen *out, psr_error *err)
{
    const char *host_start, *host_end, *port_text;
    memset(out, 0, sizeof(*out));
    if (spec[0] == '[') {
        host_start = spec + 1;
        host_end = strchr(host_start, ']');
        if (!host_end || host_end[1] != ':')
            return psr_error_set(err, PSR_E_INVALID,
                                 "listen address '%s': write IPv6 as [ADDR]:PORT", spec);
        port_text = host_end + 2;
    } else {
        host_start = spec;
        host_end = strrchr(spec, ':');
        if (!host_end)
            return psr_error_set(err, PSR_E_INVALID,
                                 "listen address '%s': expected ADDR:PORT (e.g. 127.0.0.1:5985)", spec);
        if (memchr(spec, ':', (size_t)(host_end - spec)))
            return psr_error_set(err, PSR_E_INVALID,
                                 "listen address '%s': write IPv6 as [ADDR]:PORT", spec);
        port_text = host_end + 1;
    }
    if (host_end == host_start)
        return psr_error_set(err, PSR_E_INVALID, "listen address '%s': the address is empty", spec);
    if (parse_port(port_text, &out->port) < 0)
        return psr_error_set(err, PSR_E_INVALID,
                             "listen address '%s': the port must be a number from 0 to 65535", spec);
    out->host = strndup(host_start, (size_t)(host_end - host_start));
    if (!out->host)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

/* "ADDR:PORT" or "ADDR:PORT*COUNT": COUNT listeners, on PORT, PORT+1, ...
 * or, with PORT 0, on as many free ports (many endpoints for fan-out tests). */
static int add_listen(harness_options *o, const char *spec, int tls, psr_error *err)
{
    unsigned long count = 1;
    char *copy = strdup(spec);
    if (!copy)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    char *star = strrchr(copy, '*');
    if (star) {
        char *end;
        errno = 0;
        count = strtoul(star + 1, &end, 10);
        if (errno || *end || star[1] == '\0' || count < 1 || count > 10000) {
            free(copy);
            return psr_error_set(err, PSR_E_INVALID,
                                 "listen address '%s': *COUNT must be a number from 1 to 10000",
                                 spec);
        }
        *star = '\0';
    }
    harness_listen l;
    int rc = harness_listen_parse(copy, &l, err);
    free(copy);
    if (rc < 0)
        return rc;
    if (l.port && l.port + count - 1 > 65535) {
        free(l.host);
        return psr_error_set(err, PSR_E_INVALID, "listen address '%s': the ports pass 65535", spec);
    }
    harness_listen *n = realloc(o->listens, (o->n_listens + count) * sizeof(*n));
    if (!n) {
        free(l.host);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    o->listens = n;
    for (unsigned long i = 0; i < count; i++) {
        harness_listen li = {i == 0 ? l.host : strdup(l.host),
                             (uint16_t)(l.port ? l.port + i : 0), tls};
        if (!li.host)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        o->listens[o->n_listens++] = li;
    }
    return 0;
}

int harness_user_add(harness_options *o, const char *spec, psr_error *err)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec)
        return psr_error_set(err, PSR_E_INVALID,
                             "user entry must be USER:PASSWORD with a non-empty user name");
    harness_user *n = realloc(o->users, (o->n_users + 1) * sizeof(*n));
    if (!n)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    o->users = n;
    harness_user u = {strndup(spec, (size_t)(colon - spec)), strdup(colon + 1)};
    if (!u.name || !u.password) {
        free(u.name);
        free(u.password);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    o->users[o->n_users++] = u;
    return 0;
}

int harness_user_file_read(harness_options *o, const char *path, psr_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return psr_error_set(err, PSR_E_IO, "--user-file %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        rc = harness_user_add(o, line, err);
        if (rc < 0) {
            psr_error_prefix(err, "--user-file %s line %u", path, lineno);
            break;
        }
    }
    if (line) {
        memset(line, 0, cap);
        free(line);
    }
    fclose(f);
    return rc;
}

static int parse_u32(const char *opt, const char *text, uint32_t min, uint32_t max,
                     uint32_t *out, psr_error *err)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || !*text || *end || text[0] == '-' || v < min || v > max)
        return psr_error_set(err, PSR_E_INVALID, "%s: '%s' is not a number from %u to %u",
                             opt, text, (unsigned)min, (unsigned)max);
    *out = (uint32_t)v;
    return 0;
}

static int set_string(char **slot, const char *value, psr_error *err)
{
    free(*slot);
    *slot = strdup(value);
    return *slot ? 0 : psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

int harness_redirect_add(harness_options *o, const char *spec, psr_error *err)
{
    const char *eq = strchr(spec, '=');
    if (spec[0] != '/' || !eq || !eq[1])
        return psr_error_set(err, PSR_E_INVALID,
                             "--redirect '%s': expected PATH=URL with PATH starting with '/' "
                             "(e.g. /PowerShell=http://127.0.0.1:5985/wsman)", spec);
    harness_redirect *n = realloc(o->redirects, (o->n_redirects + 1) * sizeof(*n));
    if (!n)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    o->redirects = n;
    harness_redirect r = {strndup(spec, (size_t)(eq - spec)), strdup(eq + 1)};
    if (!r.path || !r.url) {
        free(r.path);
        free(r.url);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    o->redirects[o->n_redirects++] = r;
    return 0;
}

const char *harness_redirect_find(const harness_options *o, const char *path)
{
    for (size_t i = 0; i < o->n_redirects; i++)
        if (strcmp(o->redirects[i].path, path) == 0)
            return o->redirects[i].url;
    return NULL;
}

/* "basic,negotiate,kerberos" (any order, case-insensitive). */
static int parse_auth_list(const char *arg, unsigned *out, psr_error *err)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"basic", HARNESS_AUTH_BASIC},
                 {"negotiate", HARNESS_AUTH_NEGOTIATE},
                 {"kerberos", HARNESS_AUTH_KERBEROS},
                 {"credssp", HARNESS_AUTH_CREDSSP}};
    unsigned bits = 0;
    const char *p = arg;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t i;
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (strlen(names[i].name) == n && strncasecmp(p, names[i].name, n) == 0)
                break;
        if (i == sizeof(names) / sizeof(names[0]))
            return psr_error_set(err, PSR_E_INVALID,
                                 "--auth: unknown scheme '%.*s'; valid: basic, negotiate, kerberos, "
                                 "credssp",
                                 (int)n, p);
        bits |= names[i].bit;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!bits)
        return psr_error_set(err, PSR_E_INVALID, "--auth needs at least one scheme");
    *out = bits;
    return 0;
}

static int apply_option(harness_options *o, int c, const char *arg, psr_error *err)
{
    uint32_t seconds;
    int rc;
    switch (c) {
    case OPT_LISTEN: return add_listen(o, arg, 0, err);
    case OPT_LISTEN_TLS: return add_listen(o, arg, 1, err);
    case OPT_TLS_CERT: return set_string(&o->tls_cert, arg, err);
    case OPT_TLS_KEY: return set_string(&o->tls_key, arg, err);
    case OPT_USER: return harness_user_add(o, arg, err);
    case OPT_USER_FILE: return harness_user_file_read(o, arg, err);
    case OPT_ALLOW_UNENCRYPTED: o->allow_unencrypted = 1; return 0;
    case OPT_AUTH: return parse_auth_list(arg, &o->auth_schemes, err);
    case OPT_KEYTAB: return set_string(&o->keytab, arg, err);
    case OPT_NTLM_USER_FILE: return set_string(&o->ntlm_user_file, arg, err);
    case OPT_SERVICE_NAME: return set_string(&o->service_name, arg, err);
    case OPT_REQUIRE_CBT: o->require_channel_binding = 1; return 0;
    case OPT_CREDSSP_VERSION:
        rc = parse_u32("--credssp-version", arg, 2, 6, &seconds, err);
        if (rc == 0)
            o->credssp_version = (int)seconds;
        return rc;
    case OPT_CLOSE_CONNECTIONS: o->close_connections = 1; return 0;
    case OPT_REDIRECT: return harness_redirect_add(o, arg, err);
    case OPT_CLIENT_CA: return set_string(&o->client_ca, arg, err);
    case OPT_STATS_FILE: return set_string(&o->stats_file, arg, err);
    case OPT_CERT_USER: {
        char **n = realloc(o->cert_users, (o->n_cert_users + 1) * sizeof(*n));
        if (!n)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        o->cert_users = n;
        o->cert_users[o->n_cert_users] = NULL;
        return set_string(&o->cert_users[o->n_cert_users++], arg, err);
    }
    case OPT_MAX_ENVELOPE:
        /* 8 KB is far below any real envelope; 64 MB is the wsman/ parser's cap. */
        return parse_u32("--max-envelope-size", arg, 8192, 64u * 1024u * 1024u,
                         &o->max_envelope_size, err);
    case OPT_OP_TIMEOUT_MAX:
        rc = parse_u32("--operation-timeout-max", arg, 1, 86400, &seconds, err);
        if (rc == 0)
            o->operation_timeout_max_ms = seconds * 1000u;
        return rc;
    case OPT_READY_FILE: return set_string(&o->ready_file, arg, err);
    case OPT_VERBOSE: o->verbose = 1; return 0;
    case OPT_HELP: o->show_help = 1; return 0;
    case OPT_VERSION: o->show_version = 1; return 0;
    default:
        return psr_error_set(err, PSR_E_INVALID, "unknown option (see --help)");
    }
}

int harness_options_parse(harness_options *o, int argc, char **argv, psr_error *err)
{
    memset(o, 0, sizeof(*o));
    /* MS-WSMV 2.2.4.10: MaxEnvelopeSizekb "SHOULD be 500" (what Windows
     * Server 2012 and later have; 150 only on older systems). */
    o->max_envelope_size = 512000;
    o->operation_timeout_max_ms = HARNESS_DEFAULT_OPERATION_TIMEOUT_MAX_MS;
    int rc = 0;
    optind = 0; /* glibc: full re-initialisation, so the parser can run twice */
    opterr = 0;
    int c;
    while (rc == 0 && (c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (c == '?' || c == ':') {
            const char *bad = (optind > 0 && optind <= argc) ? argv[optind - 1] : "?";
            rc = psr_error_set(err, PSR_E_INVALID, "%s: %s (see --help)", bad,
                               c == ':' ? "missing value" : "unknown option or missing value");
            break;
        }
        rc = apply_option(o, c, optarg, err);
    }
    if (rc == 0 && optind < argc)
        rc = psr_error_set(err, PSR_E_INVALID, "unexpected argument '%s' (see --help)", argv[optind]);
    if (rc == 0 && !o->show_help && !o->show_version) {
        int any_tls = 0;
        for (size_t i = 0; i < o->n_listens; i++)
            any_tls |= o->listens[i].tls;
        if (any_tls && (!o->tls_cert || !o->tls_key))
            rc = psr_error_set(err, PSR_E_INVALID, "--listen-tls needs both --tls-cert and --tls-key");
        else if (!any_tls && (o->tls_cert || o->tls_key))
            rc = psr_error_set(err, PSR_E_INVALID,
                               "--tls-cert/--tls-key are used by --listen-tls listeners, and none was given");
        else if (o->n_listens == 0)
            rc = add_listen(o, HARNESS_DEFAULT_LISTEN, 0, err);
        else if (o->client_ca && !any_tls)
            rc = psr_error_set(err, PSR_E_INVALID,
                               "--client-ca is for HTTPS listeners (--listen-tls), and none was given");
    }
    if (rc == 0 && o->auth_schemes == 0) {
        /* What WinRM offers is what is enabled; with no account at all the
         * harness still answers Basic challenges, which nobody passes. */
        if (o->keytab || o->ntlm_user_file)
            o->auth_schemes |= HARNESS_AUTH_NEGOTIATE | HARNESS_AUTH_KERBEROS;
        if (o->n_users || o->auth_schemes == 0)
            o->auth_schemes |= HARNESS_AUTH_BASIC;
    }
    /* gss-ntlmssp (1.2, Debian 12) crashes accepting a raw NTLM token with
     * credentials acquired for no name, so the acceptor always has one. */
    if (rc == 0 && !o->service_name)
        rc = set_string(&o->service_name, "HTTP@localhost", err);
    if (rc < 0)
        harness_options_clear(o);
    return rc;
}
