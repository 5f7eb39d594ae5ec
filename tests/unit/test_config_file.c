/* test_config_file.c: the ssh_config-style configuration file parser:
 * global lines, Host sections with wildcards, first value wins, '=' or
 * spaces, comments, and the errors that name the line. */
#include "src/cli/config_file.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

typedef struct seen {
    char text[1024];
    int stop_at; /* line at which the callback fails, 0: never */
} seen;

static int record(void *ctx, const char *key, const char *value, unsigned line, psr_error *err)
{
    seen *s = ctx;
    if (s->stop_at && (int)line == s->stop_at)
        return psr_error_set(err, PSR_E_INVALID, "refused by the caller");
    snprintf(s->text + strlen(s->text), sizeof(s->text) - strlen(s->text), "%s=%s@%u;", key,
             value, line);
    return 0;
}

static const char CONFIG[] =
    "# psremote configuration\n"
    "Host web*.example.com 10.0.0.*\n"
    "    UseSSL true\n"
    "    Port=5986\n"
    "Host *\n"
    "    Port 5985   # the default for the rest\n"
    "    Authentication Negotiate\n"
    "Host db1\n"
    "    Authentication Kerberos\n";

static void test_host_sections_first_wins(void)
{
    seen s = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_config_parse(CONFIG, strlen(CONFIG), "WEB1.example.com", record, &s, &err),
                    0);
    CU_ASSERT_STRING_EQUAL(s.text, "UseSSL=true@3;Port=5986@4;Authentication=Negotiate@7;");

    memset(&s, 0, sizeof(s));
    CU_ASSERT_EQUAL(psr_config_parse(CONFIG, strlen(CONFIG), "10.0.0.7", record, &s, &err), 0);
    CU_ASSERT_STRING_EQUAL(s.text, "UseSSL=true@3;Port=5986@4;Authentication=Negotiate@7;");

    /* db1: "Host *" comes first, so its Authentication wins, as in ssh */
    memset(&s, 0, sizeof(s));
    CU_ASSERT_EQUAL(psr_config_parse(CONFIG, strlen(CONFIG), "db1", record, &s, &err), 0);
    CU_ASSERT_STRING_EQUAL(s.text, "Port=5985@6;Authentication=Negotiate@7;");
}

static void test_global_lines_and_case(void)
{
    static const char text[] = "operationtimeout 60000\nHost other\n Port 1\n";
    seen s = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_config_parse(text, strlen(text), "server", record, &s, &err), 0);
    CU_ASSERT_STRING_EQUAL(s.text, "operationtimeout=60000@1;");
    CU_ASSERT(psr_config_host_matches("a b SERVER*", "server7"));
    CU_ASSERT_FALSE(psr_config_host_matches("a b", "server7"));
}

static void test_errors_name_the_line(void)
{
    static const char no_value[] = "Port 1\n\nUseSSL\n";
    seen s = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_config_parse(no_value, strlen(no_value), "h", record, &s, &err),
                    PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "line 3"));
    static const char host_only[] = "Host\n";
    CU_ASSERT_EQUAL(psr_config_parse(host_only, strlen(host_only), "h", record, &s, &err),
                    PSR_E_INVALID);
    memset(&s, 0, sizeof(s));
    s.stop_at = 2;
    static const char two[] = "A 1\nB 2\nC 3\n";
    CU_ASSERT_EQUAL(psr_config_parse(two, strlen(two), "h", record, &s, &err), PSR_E_INVALID);
    CU_ASSERT_STRING_EQUAL(s.text, "A=1@1;"); /* stopped at line 2 */
    CU_ASSERT_STRING_EQUAL(err.message, "line 2: refused by the caller");
}

static const psr_unit_test tests[] = {
    {"Host sections, wildcards, first value wins", test_host_sections_first_wins},
    {"global lines, case", test_global_lines_and_case},
    {"errors name the line", test_errors_name_the_line},
    {NULL, NULL},
};

PSR_UNIT_MAIN("cli: configuration file", tests)
