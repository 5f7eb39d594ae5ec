/* test_host_list.c: the names -c takes: repeated, comma-separated, files
 * with comments and blank lines, and the errors. */
#include "src/cli/host_list.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

static void expect(const psr_host_list *l, const char *const *names, size_t n)
{
    CU_ASSERT_EQUAL_FATAL(l->n, n);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_STRING_EQUAL(l->names[i], names[i]);
}

static void test_values(void)
{
    psr_host_list l = {0};
    psr_error err;
    CU_ASSERT_EQUAL(psr_host_list_add(&l, "web1", &err), 0);
    CU_ASSERT_EQUAL(psr_host_list_add(&l, "web2,web3, db1", &err), 0);
    static const char *const want[] = {"web1", "web2", "web3", "db1"};
    expect(&l, want, 4);
    CU_ASSERT_EQUAL(psr_host_list_add(&l, "a,,b", &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "empty computer name"));
    CU_ASSERT_EQUAL(psr_host_list_add(&l, "a,", &err), PSR_E_INVALID);
    CU_ASSERT_EQUAL(psr_host_list_add(&l, "", &err), PSR_E_INVALID);
    psr_host_list_free(&l);
    CU_ASSERT_EQUAL(l.n, 0);
}

static void test_files(void)
{
    char path[] = "/tmp/psremote-hosts.XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# the web farm\nweb1\n\n  web2 web3  # two on a line\r\ndb1,db2\n", f);
    fclose(f);
    psr_host_list l = {0};
    psr_error err;
    char arg[64];
    snprintf(arg, sizeof(arg), "@%s", path);
    CU_ASSERT_EQUAL(psr_host_list_add(&l, arg, &err), 0);
    static const char *const want[] = {"web1", "web2", "web3", "db1", "db2"};
    expect(&l, want, 5);
    psr_host_list_free(&l);
    f = fopen(path, "w");
    fputs("# nothing here\n\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(psr_host_list_add(&l, arg, &err), PSR_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "names no computer"));
    unlink(path);
    CU_ASSERT_EQUAL(psr_host_list_add(&l, arg, &err), PSR_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, path));
    psr_host_list_free(&l);
}

static const psr_unit_test tests[] = {
    {"names, commas, errors", test_values},
    {"@FILE with comments and blank lines", test_files},
    {NULL, NULL},
};

PSR_UNIT_MAIN("cli: computer names", tests)
