/* unit.h: the few lines every CUnit test program shares.
 *
 * A test file defines its test functions and a table, then calls
 * PSR_UNIT_MAIN("suite name", table). The program exits non-zero when any
 * assertion failed, so automake's test driver counts it as a failure. */
#ifndef PSR_TESTS_UNIT_H
#define PSR_TESTS_UNIT_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct psr_unit_test {
    const char *name;
    void (*fn)(void);
} psr_unit_test;

static inline int psr_unit_run(const char *suite_name, const psr_unit_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    for (const psr_unit_test *t = tests; t->name; t++)
        CU_add_test(suite, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0)
        return 1;
    return failed ? 1 : 0;
}

#define PSR_UNIT_MAIN(suite_name, table) \
    int main(void) { return psr_unit_run(suite_name, table); }

/* Reads a whole file under fixtures/ (top_srcdir from the test environment). */
static inline char *psr_unit_read_fixture(const char *rel, size_t *len)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof(path), "%s/fixtures/%s", top ? top : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    size_t r;
    while (data && (r = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *p = realloc(data, cap * 2);
            if (!p) { free(data); data = NULL; break; }
            data = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (data) {
        data[n] = '\0';
        if (len) *len = n;
    }
    return data;
}

#endif
