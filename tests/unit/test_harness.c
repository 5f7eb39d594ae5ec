/* test_harness.c: the pure parts of psremote-harness: option parsing and
 * turning WinRS Command + Arguments into a /bin/sh command line. The
 * quoting is checked against a real /bin/sh: what the shell hands the
 * program must be exactly the argument the client sent. */
#include "src/harness/harness.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int parse(harness_options *o, psr_error *err, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return harness_options_parse(o, argc, argv, err);
}

static void test_defaults(void)
{
    harness_options o;
    psr_error err = {0};
    char *argv[] = {"h", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, argv), 0);
    CU_ASSERT_EQUAL(o.n_listens, 1);
    CU_ASSERT_STRING_EQUAL(o.listens[0].host, "127.0.0.1");
    CU_ASSERT_EQUAL(o.listens[0].port, 5985);
    CU_ASSERT_EQUAL(o.listens[0].tls, 0);
    CU_ASSERT_EQUAL(o.max_envelope_size, 512000); /* MS-WSMV 2.2.4.10: MaxEnvelopeSizekb 500 */
    CU_ASSERT_EQUAL(o.operation_timeout_max_ms, 60000);
    CU_ASSERT_EQUAL(o.allow_unencrypted, 0);
    harness_options_clear(&o);
    harness_options_clear(&o); /* twice is harmless */
}

static void test_listen_forms(void)
{
    harness_options o;
    psr_error err = {0};
    char *argv[] = {"h", "--listen", "127.0.0.1:0", "--listen", "[::1]:5985",
                    "--listen-tls", "localhost:5986", "--tls-cert", "c.pem", "--tls-key", "k.pem",
                    NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, argv), 0);
    CU_ASSERT_EQUAL_FATAL(o.n_listens, 3);
    CU_ASSERT_STRING_EQUAL(o.listens[0].host, "127.0.0.1");
    CU_ASSERT_EQUAL(o.listens[0].port, 0);
    CU_ASSERT_STRING_EQUAL(o.listens[1].host, "::1");
    CU_ASSERT_EQUAL(o.listens[1].port, 5985);
    CU_ASSERT_EQUAL(o.listens[2].tls, 1);
    CU_ASSERT_STRING_EQUAL(o.tls_cert, "c.pem");
    harness_options_clear(&o);
}

static void test_listen_errors(void)
{
    const char *bad[] = {"127.0.0.1", "::1:80", "[::1]80", ":80", "host:65536", "host:-1",
                         "host:", "host:8x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        harness_listen l;
        psr_error err = {0};
        CU_ASSERT_EQUAL(harness_listen_parse(bad[i], &l, &err), PSR_E_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i]));
    }
}

static void test_tls_needs_cert_and_key(void)
{
    harness_options o;
    psr_error err = {0};
    char *a1[] = {"h", "--listen-tls", "127.0.0.1:0", "--tls-cert", "c.pem", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, a1), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--tls-key"));
    char *a2[] = {"h", "--tls-cert", "c.pem", "--tls-key", "k.pem", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, a2), PSR_E_INVALID); /* no HTTPS listener uses them */
}

static void test_users(void)
{
    harness_options o;
    psr_error err = {0};
    char path[] = "/tmp/test_harness_usersXXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    const char *text = "# comment\r\n\r\nbob:s3:cr:et\r\ncarol:\n";
    CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *argv[] = {"h", "--user", "alice:pa ss", "--user-file", path, "--allow-unencrypted", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, argv), 0);
    unlink(path);
    CU_ASSERT_EQUAL_FATAL(o.n_users, 3);
    CU_ASSERT_STRING_EQUAL(o.users[0].name, "alice");
    CU_ASSERT_STRING_EQUAL(o.users[0].password, "pa ss");
    CU_ASSERT_STRING_EQUAL(o.users[1].name, "bob");
    CU_ASSERT_STRING_EQUAL(o.users[1].password, "s3:cr:et"); /* first ':' splits */
    CU_ASSERT_STRING_EQUAL(o.users[2].password, "");
    CU_ASSERT_EQUAL(o.allow_unencrypted, 1);
    harness_options_clear(&o);

    char *nocolon[] = {"h", "--user", "alice", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, nocolon), PSR_E_INVALID);
    char *missing[] = {"h", "--user-file", "/nonexistent/users", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, missing), PSR_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/nonexistent/users"));
}

static void test_numbers_and_unknown(void)
{
    harness_options o;
    psr_error err = {0};
    char *ok[] = {"h", "--max-envelope-size", "512000", "--operation-timeout-max", "5",
                  "--verbose", "--ready-file", "/tmp/r", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, ok), 0);
    CU_ASSERT_EQUAL(o.max_envelope_size, 512000);
    CU_ASSERT_EQUAL(o.operation_timeout_max_ms, 5000);
    CU_ASSERT_EQUAL(o.verbose, 1);
    CU_ASSERT_STRING_EQUAL(o.ready_file, "/tmp/r");
    harness_options_clear(&o);
    char *bad1[] = {"h", "--max-envelope-size", "12k", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, bad1), PSR_E_INVALID);
    char *bad2[] = {"h", "--operation-timeout-max", "0", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, bad2), PSR_E_INVALID);
    char *bad3[] = {"h", "--no-such-option", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, bad3), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--no-such-option"));
    char *bad4[] = {"h", "stray", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, bad4), PSR_E_INVALID);
    char *help[] = {"h", "--help", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, help), 0);
    CU_ASSERT_EQUAL(o.show_help, 1);
    harness_options_clear(&o);
}

static void test_sh_quote_text(void)
{
    psr_buf b = {0};
    harness_sh_quote(&b, "it's");
    CU_ASSERT_STRING_EQUAL(b.data, "'it'\\''s'");
    psr_buf_reset(&b);
    harness_sh_quote(&b, "");
    CU_ASSERT_STRING_EQUAL(b.data, "''");
    psr_buf_reset(&b);
    char *args[] = {"a b", "$HOME"};
    harness_command_line(&b, "echo", args, 2);
    CU_ASSERT_STRING_EQUAL(b.data, "echo 'a b' '$HOME'");
    psr_buf_reset(&b);
    harness_command_line(&b, "echo a  b | tr a x", NULL, 0); /* a command line stays one */
    CU_ASSERT_STRING_EQUAL(b.data, "echo a  b | tr a x");
    psr_buf_free(&b);
}

/* Runs sh -c LINE and returns what it printed (one argument per line). */
static void run_sh(const char *line, char *out, size_t size)
{
    psr_buf cmd = {0};
    psr_buf_puts(&cmd, "sh -c ");
    harness_sh_quote(&cmd, line);
    FILE *p = popen(cmd.data, "r");
    size_t n = p ? fread(out, 1, size - 1, p) : 0;
    out[n] = '\0';
    if (p)
        pclose(p);
    psr_buf_free(&cmd);
}

static void test_sh_quote_round_trip(void)
{
    /* Each argument must reach printf unchanged: spaces, quotes, $, `,
     * backslashes, globs and a leading dash. */
    char *args[] = {"two  spaces", "it's", "\"dq\"", "$HOME `id` $(id)", "back\\slash",
                    "*", "-n", "semi;colon|pipe&amp"};
    psr_buf line = {0};
    CU_ASSERT_EQUAL(harness_command_line(&line, "printf '[%s]\\n'", args, 8), 0);
    char out[1024];
    run_sh(line.data, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "[two  spaces]\n[it's]\n[\"dq\"]\n[$HOME `id` $(id)]\n"
                                "[back\\slash]\n[*]\n[-n]\n[semi;colon|pipe&amp]\n");
    psr_buf_free(&line);
}

static void test_listen_many(void)
{
    harness_options o;
    psr_error err = {0};
    char *argv[] = {"h", "--listen", "127.0.0.1:0*3", "--listen", "127.0.0.2:7000*2", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, argv), 0);
    CU_ASSERT_EQUAL_FATAL(o.n_listens, 5);
    CU_ASSERT_EQUAL(o.listens[2].port, 0);
    CU_ASSERT_STRING_EQUAL(o.listens[2].host, "127.0.0.1");
    CU_ASSERT_EQUAL(o.listens[3].port, 7000);
    CU_ASSERT_EQUAL(o.listens[4].port, 7001);
    CU_ASSERT_STRING_EQUAL(o.listens[4].host, "127.0.0.2");
    harness_options_clear(&o);
    const char *bad[] = {"127.0.0.1:0*0", "127.0.0.1:0*", "127.0.0.1:0*x", "127.0.0.1:65535*2",
                         "127.0.0.1:0*10001"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *a[] = {"h", "--listen", (char *)bad[i], NULL};
        CU_ASSERT_EQUAL(parse(&o, &err, a), PSR_E_INVALID);
    }
}

static void test_auth_options(void)
{
    harness_options o;
    psr_error err = {0};
    /* nothing given: Basic challenges only (nobody can pass them) */
    char *none[] = {"h", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, none), 0);
    CU_ASSERT_EQUAL(o.auth_schemes, HARNESS_AUTH_BASIC);
    CU_ASSERT_STRING_EQUAL(o.service_name, "HTTP@localhost");
    harness_options_clear(&o);
    /* a keytab turns on what WinRM offers by default */
    char *gss[] = {"h", "--keytab", "k.keytab", "--ntlm-user-file", "ntlm", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, gss), 0);
    CU_ASSERT_EQUAL(o.auth_schemes, HARNESS_AUTH_NEGOTIATE | HARNESS_AUTH_KERBEROS);
    CU_ASSERT_STRING_EQUAL(o.keytab, "k.keytab");
    CU_ASSERT_STRING_EQUAL(o.ntlm_user_file, "ntlm");
    CU_ASSERT_EQUAL(o.require_channel_binding, 0);
    harness_options_clear(&o);
    char *both[] = {"h", "--user", "u:p", "--keytab", "k", "--require-channel-binding",
                    "--close-connections", "--service-name", "HTTP@host1", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, both), 0);
    CU_ASSERT_EQUAL(o.auth_schemes,
                    HARNESS_AUTH_BASIC | HARNESS_AUTH_NEGOTIATE | HARNESS_AUTH_KERBEROS);
    CU_ASSERT_EQUAL(o.require_channel_binding, 1);
    CU_ASSERT_EQUAL(o.close_connections, 1);
    CU_ASSERT_STRING_EQUAL(o.service_name, "HTTP@host1");
    harness_options_clear(&o);
    /* --auth overrides, in any case and order */
    char *list[] = {"h", "--auth", "Kerberos,basic", "--user", "u:p", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, list), 0);
    CU_ASSERT_EQUAL(o.auth_schemes, HARNESS_AUTH_KERBEROS | HARNESS_AUTH_BASIC);
    harness_options_clear(&o);
    char *bad[] = {"h", "--auth", "negotiate,digest", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, bad), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'digest'"));
    char *empty[] = {"h", "--auth", "", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, empty), PSR_E_INVALID);
    /* CredSSP is offered only when asked for, with the version announced */
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, gss), 0);
    CU_ASSERT_FALSE(o.auth_schemes & HARNESS_AUTH_CREDSSP);
    CU_ASSERT_EQUAL(o.credssp_version, 0);
    harness_options_clear(&o);
    char *credssp[] = {"h", "--auth", "negotiate,CredSSP", "--credssp-version", "3", NULL};
    CU_ASSERT_EQUAL_FATAL(parse(&o, &err, credssp), 0);
    CU_ASSERT_EQUAL(o.auth_schemes, HARNESS_AUTH_NEGOTIATE | HARNESS_AUTH_CREDSSP);
    CU_ASSERT_EQUAL(o.credssp_version, 3);
    harness_options_clear(&o);
    char *old[] = {"h", "--credssp-version", "1", NULL};
    CU_ASSERT_EQUAL(parse(&o, &err, old), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--credssp-version"));
}

static const psr_unit_test tests[] = {
    {"authentication options", test_auth_options},
    {"many listeners from one --listen", test_listen_many},
    {"defaults", test_defaults},
    {"listen forms", test_listen_forms},
    {"listen errors", test_listen_errors},
    {"tls needs cert and key", test_tls_needs_cert_and_key},
    {"users and user file", test_users},
    {"numbers and unknown options", test_numbers_and_unknown},
    {"sh quoting text", test_sh_quote_text},
    {"sh quoting round trip", test_sh_quote_round_trip},
    {NULL, NULL}};

PSR_UNIT_MAIN("harness", tests)
