/* test_config_file.c: the ssh_config-style configuration file parser:
 * global lines, Host sections with wildcards, first value wins, '=' or
 * spaces, comments, and the errors that name the line. */
#include "src/cli/config_file.h"
#include "common/buf.h"
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

/* A section per computer, as a generated inventory has: thousands of
 * one-name sections (looked up through a hash table), a wildcard section
 * in the middle, a second section for one name, and a catch-all last.
 * Which lines apply, and in which order, must be as if every section were
 * tried in file order. */
static void test_many_sections_in_file_order(void)
{
    enum { HOSTS = 3000, PATTERN_AFTER = 1000 };
    psr_buf text = {0};
    unsigned line = 0, port_line[HOSTS + 1] = {0}, pattern_line = 0, dup_line = 0, star_line = 0;
    for (int i = 1; i <= HOSTS; i++) {
        psr_buf_printf(&text, "Host h%d\n    Port %d\n", i, i);
        line += 2;
        port_line[i] = line;
        if (i == PATTERN_AFTER) {
            psr_buf_puts(&text, "Host h1* x\n    Culture fr-FR\n");
            line += 2;
            pattern_line = line;
        }
    }
    psr_buf_puts(&text, "Host H5\n    Port 99999\n    UseSSL true\n");
    line += 3;
    dup_line = line;
    psr_buf_puts(&text, "Host *\n    Port 1\n    Authentication basic\n");
    line += 3;
    star_line = line;

    psr_config *cfg = NULL;
    psr_error err;
    CU_ASSERT_EQUAL_FATAL(psr_config_load(&cfg, text.data, text.len, &err), 0);
    const struct {
        const char *host;
        char expect[256];
    } cases[] = {
        {"h5", ""}, {"h100", ""}, {"h1500", ""}, {"H2999", ""}, {"nothere", ""}, {"x", ""},
    };
    char want[6][256];
    snprintf(want[0], 256, "Port=5@%u;UseSSL=true@%u;Authentication=basic@%u;", port_line[5],
             dup_line, star_line);
    snprintf(want[1], 256, "Port=100@%u;Culture=fr-FR@%u;Authentication=basic@%u;",
             port_line[100], pattern_line, star_line);
    snprintf(want[2], 256, "Culture=fr-FR@%u;Port=1500@%u;Authentication=basic@%u;",
             pattern_line, port_line[1500], star_line);
    snprintf(want[3], 256, "Port=2999@%u;Authentication=basic@%u;", port_line[2999], star_line);
    snprintf(want[4], 256, "Port=1@%u;Authentication=basic@%u;", star_line - 1, star_line);
    snprintf(want[5], 256, "Culture=fr-FR@%u;Port=1@%u;Authentication=basic@%u;", pattern_line,
             star_line - 1, star_line);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        seen s = {0};
        CU_ASSERT_EQUAL(psr_config_apply(cfg, cases[i].host, record, &s, &err), 0);
        CU_ASSERT_STRING_EQUAL(s.text, want[i]);
    }
    /* every computer finds its own Port */
    int wrong = 0;
    for (int i = 1; i <= HOSTS; i++) {
        char host[16], port[64];
        snprintf(host, sizeof(host), "h%d", i);
        snprintf(port, sizeof(port), "Port=%d@%u;", i, port_line[i]);
        seen s = {0};
        psr_config_apply(cfg, host, record, &s, &err);
        wrong += strstr(s.text, port) == NULL;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    psr_config_free(cfg);
    psr_buf_free(&text);
}

static const psr_unit_test tests[] = {
    {"Host sections, wildcards, first value wins", test_host_sections_first_wins},
    {"global lines, case", test_global_lines_and_case},
    {"errors name the line", test_errors_name_the_line},
    {"thousands of sections, in file order", test_many_sections_in_file_order},
    {NULL, NULL},
};

PSR_UNIT_MAIN("cli: configuration file", tests)
