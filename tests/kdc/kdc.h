/* kdc.h: a throwaway Kerberos KDC for C tests, through tests/kdc/kdc.sh.
 *
 *   psr_test_kdc kdc;
 *   int rc = psr_test_kdc_start(&kdc);   // 0, or 77 (skip) / 1 (error)
 *   ... GSSAPI calls see KRB5_CONFIG, KRB5CCNAME, KRB5_KTNAME, NTLM_USER_FILE ...
 *   psr_test_kdc_stop(&kdc);             // stops the KDC, removes the directory
 *
 * The KDC's settings are exported into this process's environment (MIT
 * krb5 reads them when each GSSAPI call creates its krb5 context), so start
 * it before the first GSSAPI call. kdc.sh is found via $top_srcdir (set by
 * make check). */
#ifndef PSR_TESTS_KDC_H
#define PSR_TESTS_KDC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct psr_test_kdc {
    char dir[256];
    char script[4096];
    int running;
} psr_test_kdc;

/* Reads DIR/env ("export NAME='value'" lines) into the environment. */
static inline int psr_test_kdc_load_env(const char *dir)
{
    char path[512], line[1024];
    snprintf(path, sizeof(path), "%s/env", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char *name = line + (strncmp(line, "export ", 7) == 0 ? 7 : 0);
        char *eq = strchr(name, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *value = eq + 1;
        value[strcspn(value, "\n")] = '\0';
        size_t n = strlen(value);
        if (n >= 2 && value[0] == '\'' && value[n - 1] == '\'') {
            value[n - 1] = '\0';
            value++;
        }
        setenv(name, value, 1);
    }
    fclose(f);
    return 0;
}

static inline int psr_test_kdc_start(psr_test_kdc *k)
{
    memset(k, 0, sizeof(*k));
    const char *top = getenv("top_srcdir");
    const char *tmp = getenv("TMPDIR");
    snprintf(k->script, sizeof(k->script), "%s/tests/kdc/kdc.sh", top ? top : ".");
    snprintf(k->dir, sizeof(k->dir), "%s/psremote-kdc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(k->dir)) {
        perror("mkdtemp");
        return 1;
    }
    char cmd[8192];
    /* this process owns the KDC: it ends with us even if we crash */
    snprintf(cmd, sizeof(cmd), "sh '%s' start '%s' %ld", k->script, k->dir, (long)getpid());
    int st = system(cmd);
    int code = st == -1 ? 1 : (st >> 8) & 0xff;
    if (code != 0) {
        fprintf(stderr, "%s\n", code == 77 ? "skipped: no MIT KDC on this machine"
                                           : "could not start the test KDC");
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", k->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", k->dir);
        return code == 77 ? 77 : 1;
    }
    k->running = 1;
    return psr_test_kdc_load_env(k->dir) == 0 ? 0 : 1;
}

static inline void psr_test_kdc_stop(psr_test_kdc *k)
{
    if (!k->running)
        return;
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "sh '%s' stop '%s' && rm -rf '%s'", k->script, k->dir, k->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not stop the test KDC in %s\n", k->dir);
    k->running = 0;
}


/* Under ASan: memory MIT krb5's mechglue and gss-ntlmssp keep for the
 * process lifetime (plugins, OpenSSL's legacy provider) is not ours to free;
 * tests/kdc/gssapi.supp and lsan.supp hold the same list. Full unwinding
 * is needed for the gssntlmssp.so frame to be seen below OpenSSL. A test
 * program that uses GSSAPI writes PSR_TEST_GSSAPI_SANITIZER_DEFAULTS once,
 * at file scope. */
#define PSR_TEST_GSSAPI_SANITIZER_DEFAULTS                                                         \
    const char *__asan_default_options(void);                                                      \
    const char *__lsan_default_suppressions(void);                                                 \
    const char *__asan_default_options(void)                                                       \
    {                                                                                              \
        return "fast_unwind_on_malloc=0";                                                          \
    }                                                                                              \
    const char *__lsan_default_suppressions(void)                                                  \
    {                                                                                              \
        return "leak:gssntlmssp.so\nleak:krb5int_open_plugin\nleak:ossl-modules/legacy.so\n"       \
               "leak:krb5_build_principal_alloc_va\n";                                             \
    }

#endif
