/* test_clixml_locale.c: CLIXML numbers stay in XML's spelling (a dot) when
 * the application has set a locale whose decimal point is a comma, as a
 * program using libpsremote may. The de_DE locale is compiled into a
 * temporary directory with localedef (Debian's locales package); without
 * it the test is skipped (77). */
#include "psrp/clixml_text.h"
#include "tests/unit/unit.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static void test_formats_with_a_dot(void)
{
    char out[32];
    psrp_clixml_format_double(out, 1.5);
    CU_ASSERT_STRING_EQUAL(out, "1.5");
    psrp_clixml_format_double(out, -0.000125);
    CU_ASSERT_STRING_EQUAL(out, "-0.000125");
    psrp_clixml_format_double(out, 1e300);
    CU_ASSERT_STRING_EQUAL(out, "1E+300");
    psrp_clixml_format_float(out, 2.25f);
    CU_ASSERT_STRING_EQUAL(out, "2.25");
}

static void test_parses_with_a_dot(void)
{
    double d = 0;
    CU_ASSERT_EQUAL(psrp_clixml_parse_double("0.1", 3, &d), 0);
    CU_ASSERT_EQUAL(d, 0.1);
    /* more digits than the fast path takes: strtod does this one */
    const char *long_one = "3.14159265358979323846264338327950288";
    CU_ASSERT_EQUAL(psrp_clixml_parse_double(long_one, strlen(long_one), &d), 0);
    CU_ASSERT_EQUAL(d, 3.14159265358979323846264338327950288);
    CU_ASSERT_EQUAL(psrp_clixml_parse_double("12345.678901234567890123E-3", 27, &d), 0);
    CU_ASSERT_EQUAL(d, 12345.678901234567890123E-3);
    /* the comma is not XML's spelling, whatever the locale says */
    CU_ASSERT_NOT_EQUAL(psrp_clixml_parse_double("1,5", 3, &d), 0);
}

static const psr_unit_test tests[] = {
    {"doubles are written with a dot under a comma locale", test_formats_with_a_dot},
    {"doubles are read with a dot under a comma locale", test_parses_with_a_dot},
    {NULL, NULL},
};

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[256], cmd[1024];
    snprintf(dir, sizeof(dir), "%s/psremote-locale.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(cmd, sizeof(cmd), "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1",
             dir);
    int built = system(cmd) == 0;
    setenv("LOCPATH", dir, 1);
    int ok = built && setlocale(LC_NUMERIC, "de_DE.UTF-8") &&
             strcmp(localeconv()->decimal_point, ",") == 0;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (!ok) {
        fprintf(stderr, "skipped: no de_DE locale (localedef from Debian's locales package)\n");
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
        return 77;
    }
    int rc = psr_unit_run("psrp: CLIXML numbers under a comma locale", tests);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
