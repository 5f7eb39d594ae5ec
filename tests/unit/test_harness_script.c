/* test_harness_script.c: the harness's simulated PowerShell (ps_script.c):
 * which events each statement produces, in order. */
#include "src/harness/ps_script.h"
#include "common/buf.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* Events as text lines: "out:S:hello", "out:I32:3", "err:msg", ... */
static int record(void *ctx, ps_event_kind kind, const psrp_value *v, const char *text)
{
    psr_buf *b = ctx;
    static const char *names[] = {"out", "err", "notfound", "warn", "verbose", "debug", "info", "host"};
    psr_buf_printf(b, "%s:", names[kind]);
    if (v) {
        const char *t = psrp_value_text(v);
        int64_t n;
        if (t)
            psr_buf_printf(b, "S:%s", t);
        else if (psrp_value_get_i64(v, &n) == 0)
            psr_buf_printf(b, "I:%lld", (long long)n);
    } else {
        psr_buf_puts(b, text);
    }
    psr_buf_putc(b, '\n');
    return 0;
}

static char *run(const char *script, const char *const *args, size_t n_args, char **failure)
{
    psrp_value *argv[4] = {0};
    for (size_t i = 0; i < n_args; i++)
        argv[i] = psrp_value_new_string(args[i]);
    psr_buf b = {0};
    psr_buf_puts(&b, "");
    CU_ASSERT_EQUAL(ps_script_run(script, argv, n_args, NULL, 0, record, &b, failure), 0);
    for (size_t i = 0; i < n_args; i++)
        psrp_value_free(argv[i]);
    return psr_buf_detach(&b, NULL);
}

static void test_output_values(void)
{
    char *failure;
    char *ev = run("'a b'; 7\n2..4; Write-Output bare", NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "out:S:a b\nout:I:7\nout:I:2\nout:I:3\nout:I:4\nout:S:bare\n");
    CU_ASSERT_PTR_NULL(failure);
    free(ev);
}

static void test_params_and_expansion(void)
{
    const char *args[] = {"x", "y z"};
    char *failure;
    char *ev = run("param($a, $b) \"$a-$b\"; $b; $args", args, 2, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "out:S:x-y z\nout:S:y z\nout:S:x\nout:S:y z\n");
    free(ev);
}

static void test_streams(void)
{
    char *failure;
    char *ev = run("Write-Error 'bad'; Write-Warning w; Write-Verbose 'v' -Verbose; "
                   "Write-Debug d; Write-Information i; Write-Host 'h; still h'",
                   NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "err:bad\nwarn:w\nverbose:v\ndebug:d\ninfo:i\nhost:h; still h\n");
    free(ev);
}

static void test_throw_stops(void)
{
    char *failure;
    char *ev = run("'before'; throw 'boom'; 'after'", NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "out:S:before\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(failure);
    CU_ASSERT_STRING_EQUAL(failure, "boom");
    free(failure);
    free(ev);
}

static void test_unknown_command(void)
{
    char *failure;
    char *ev = run("Get-NoSuchThing -Name x", NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "notfound:Get-NoSuchThing\n");
    free(ev);
}

static const psr_unit_test tests[] = {
    {"output values", test_output_values},
    {"param() and expansion", test_params_and_expansion},
    {"every stream", test_streams},
    {"throw stops the script", test_throw_stops},
    {"unknown command", test_unknown_command},
    {NULL, NULL},
};
PSR_UNIT_MAIN("harness script", tests)
