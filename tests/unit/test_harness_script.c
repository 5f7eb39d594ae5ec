/* test_harness_script.c: the harness's simulated PowerShell (ps_script.c):
 * which events each statement produces, in order. */
#include "src/harness/ps_script.h"
#include "common/base64.h"
#include "common/buf.h"
#include "psrp/session_key.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A value as text: "S:hello", "I:3" (Int32), "L:3" (Int64), "D:3.5",
 * "B:1", "nil", "[I:1,I:2]" (an array). */
static void value_text(psr_buf *b, const psrp_value *v)
{
    int64_t n;
    if (!v || v->kind == PSRP_V_NIL) {
        psr_buf_puts(b, "nil");
    } else if (v->kind == PSRP_V_OBJECT && v->u.obj.coll == PSRP_COLL_LIST) {
        psr_buf_putc(b, '[');
        for (size_t i = 0; i < v->u.obj.n_items; i++) {
            if (i)
                psr_buf_putc(b, ',');
            value_text(b, v->u.obj.items[i]);
        }
        psr_buf_putc(b, ']');
    } else if (v->kind == PSRP_V_BOOL) {
        psr_buf_printf(b, "B:%d", v->u.b);
    } else if (v->kind == PSRP_V_DOUBLE) {
        psr_buf_printf(b, "D:%g", v->u.f64);
    } else if (psrp_value_text(v)) {
        psr_buf_printf(b, "S:%s", psrp_value_text(v));
    } else if (psrp_value_get_i64(v, &n) == 0) {
        psr_buf_printf(b, "%s:%lld", v->kind == PSRP_V_I64 ? "L" : "I", (long long)n);
    } else {
        psr_buf_puts(b, "?");
    }
}

/* Events as text lines: "out:S:hello", "out:I:3", "err:msg", and error
 * records as "error:FullyQualifiedErrorId:category text:message". */
static int record(void *ctx, ps_event_kind kind, const psrp_value *v, const char *text)
{
    psr_buf *b = ctx;
    static const char *names[] = {"out",  "err",  "notfound", "warn",    "verbose",
                                  "debug", "info", "host",     "progress", "error"};
    psr_buf_printf(b, "%s:", names[kind]);
    if (kind == PS_EV_ERROR_RECORD) {
        psr_buf_printf(b, "%s:%s:%s", psrp_object_get_text(v, "FullyQualifiedErrorId"),
                       psrp_object_get_text(v, "ErrorCategory_Message"), v->u.obj.to_string);
    } else if (v) {
        value_text(b, v);
    } else {
        psr_buf_puts(b, text);
    }
    psr_buf_putc(b, '\n');
    return 0;
}

/* Runs script with string arguments (name=value for a named one). */
static char *run(const char *script, const char *const *args, size_t n_args, ps_failure *failure)
{
    psrp_command_arg argv[4] = {{0}};
    char *names[4] = {0};
    for (size_t i = 0; i < n_args; i++) {
        const char *eq = strchr(args[i], '=');
        if (eq)
            names[i] = strndup(args[i], (size_t)(eq - args[i]));
        argv[i].name = names[i];
        argv[i].value = psrp_value_new_string(eq ? eq + 1 : args[i]);
    }
    psr_buf b = {0};
    psr_buf_puts(&b, "");
    CU_ASSERT_EQUAL(ps_script_run(script, argv, n_args, NULL, 0, NULL, NULL, record, &b, failure), 0);
    for (size_t i = 0; i < n_args; i++) {
        psrp_value_free(argv[i].value);
        free(names[i]);
    }
    return psr_buf_detach(&b, NULL);
}

/* Runs script and checks its events; no failure expected. */
static void expect(const char *script, const char *want)
{
    ps_failure failure;
    char *ev = run(script, NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(ev, want);
    if (strcmp(ev, want) != 0)
        fprintf(stderr, "\nscript: %s\ngot:\n%swant:\n%s", script, ev, want);
    CU_ASSERT_PTR_NULL(failure.message);
    ps_failure_clear(&failure);
    free(ev);
}

static void test_output_values(void)
{
    expect("'a b'; 7\n2..4; Write-Output bare",
           "out:S:a b\nout:I:7\nout:I:2\nout:I:3\nout:I:4\nout:S:bare\n");
}

static void test_params_and_expansion(void)
{
    const char *args[] = {"x", "y z", "extra"};
    ps_failure failure;
    char *ev = run("param($a, $b) \"$a-$b\"; $b; $args", args, 3, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "out:S:x-y z\nout:S:y z\nout:S:extra\n");
    free(ev);
}

/* Named arguments bind by name, as PowerShell binds them; the rest in
 * order; defaults fill the others. */
static void test_named_arguments(void)
{
    const char *args[] = {"b=two", "one"};
    ps_failure failure;
    char *ev = run("param($a, $b, $c = $a + '!') \"a=$a b=$b c=$c\"", args, 2, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "out:S:a=one b=two c=one!\n");
    CU_ASSERT_PTR_NULL(failure.message);
    free(ev);
    const char *dash[] = {"-A=1"};
    ev = run("param($a) $a", dash, 1, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "out:S:1\n");
    free(ev);
    /* a name no param() has: the pipeline fails, nothing runs */
    const char *bad[] = {"nope=1"};
    ev = run("param($a) 'ran'", bad, 1, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "");
    CU_ASSERT_EQUAL(failure.kind, PS_FAILURE_BINDING);
    CU_ASSERT_STRING_EQUAL(failure.error_id, "NamedParameterNotFound");
    CU_ASSERT_STRING_EQUAL(failure.message,
                           "A parameter cannot be found that matches parameter name 'nope'.");
    ps_failure_clear(&failure);
    free(ev);
}

static void test_streams(void)
{
    expect("Write-Error 'bad'; Write-Warning w; Write-Verbose 'v' -Verbose; "
           "Write-Debug d; Write-Information i; Write-Host 'h; still h'; Write-Host a b -Separator '-'",
           "err:bad\nwarn:w\nverbose:v\ndebug:d\ninfo:i\nhost:h; still h\nhost:a-b\n");
}

static void test_throw_stops(void)
{
    ps_failure failure;
    char *ev = run("'before'; throw 'boom'; 'after'", NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(ev, "out:S:before\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(failure.message);
    CU_ASSERT_STRING_EQUAL(failure.message, "boom");
    CU_ASSERT_EQUAL(failure.kind, PS_FAILURE_THROW);
    ps_failure_clear(&failure);
    free(ev);
}

static void test_unknown_command(void)
{
    /* the statement ends, the script goes on */
    expect("Get-NoSuchThing -Name x; 'next'", "notfound:Get-NoSuchThing\nout:S:next\n");
}

static void test_arithmetic(void)
{
    expect("1 + 1; 7 / 2; 6 / 3; 2 * 3 + 4; 2 * (3 + 4); 10 - 2 - 3; -5 + 2; 5 % 3; -7 % 3",
           "out:I:2\nout:D:3.5\nout:I:2\nout:I:10\nout:I:14\nout:I:5\nout:I:-3\nout:I:2\n"
           "out:I:-1\n");
    /* Int32 overflow widens to Double, as PowerShell's; big literals are Int64 */
    expect("2147483647 + 1; 3000000000; 3000000000 + 1; 1.5 * 2; 1+1",
           "out:D:2.14748e+09\nout:L:3000000000\nout:L:3000000001\nout:D:3\nout:I:2\n");
}

static void test_strings_and_conversions(void)
{
    /* the left operand decides */
    expect("'a' + 1; 1 + '2'; 'ab' * 3; 'n=' + (1 + 2); '5' - 1; \"$(1 + 2) items\"; "
           "'x' + $null; $null + 1; [int]'7' + 1; [string]7 + 1",
           "out:S:a1\nout:I:3\nout:S:ababab\nout:S:n=3\nout:I:4\nout:S:3 items\nout:S:x\n"
           "out:I:1\nout:I:8\nout:S:71\n");
}

static void test_comparisons(void)
{
    expect("1 -eq '1'; 'ABC' -eq 'abc'; 2 -lt 10; '2' -lt '10'; 1,2,3 -gt 1; $null -eq $nope; "
           "3 -ge 3 -and 1 -ne 2; -not $true; !0; 1 -eq 2 -or 2 -le 1",
           "out:B:1\nout:B:1\nout:B:1\nout:B:0\nout:I:2\nout:I:3\nout:B:1\nout:B:1\n"
           "out:B:0\nout:B:1\nout:B:0\n");
}

static void test_arrays(void)
{
    /* comma arrays anywhere a value goes, unrolled into a pipeline */
    expect("1,2 | Write-Output; $a = 1,'two',3; $a.Count; $a[1]; $a[-1]; (1,2) + 3; @(5).Count; "
           ",(1,2) | ForEach-Object { $_.Count }; Write-Output 4,5",
           "out:I:1\nout:I:2\nout:I:3\nout:S:two\nout:I:3\nout:I:1\nout:I:2\nout:I:3\n"
           "out:I:1\nout:I:2\nout:I:4\nout:I:5\n");
}

static void test_foreach_where(void)
{
    /* script blocks hold statements; their variables stay, as PowerShell
     * dot-sources ForEach-Object's block */
    expect("1..5 | Where-Object { $_ % 2 } | ForEach-Object { $y = $_ * 10; \"v=$y\" }; $y",
           "out:S:v=10\nout:S:v=30\nout:S:v=50\nout:I:50\n");
    expect("1..3 | % -Begin { 'b' } -Process { $_ } -End { 'e' }; 'a','b' | ? { $_ -eq 'B' }; "
           "ForEach-Object { 'once' }",
           "out:S:b\nout:I:1\nout:I:2\nout:I:3\nout:S:e\nout:S:b\nout:S:once\n");
}

static void test_pipeline_input(void)
{
    psrp_value *in[3] = {psrp_value_new_i32(1), psrp_value_new_i32(2), psrp_value_new_i32(3)};
    psr_buf b = {0};
    ps_failure failure;
    CU_ASSERT_EQUAL(ps_script_run("$input | ForEach-Object { $_ * 2 }; $input.Count", NULL, 0, in,
                                  3, NULL, NULL, record, &b, &failure), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "out:I:2\nout:I:4\nout:I:6\nout:I:3\n");
    psr_buf_free(&b);
    for (int i = 0; i < 3; i++)
        psrp_value_free(in[i]);
}

/* Commands the client sends as commands (pypsrp's add_cmdlet): arguments
 * bind by name, input objects to the pipeline parameter. */
static void test_command_run(void)
{
    ps_session_state st = {0};
    psr_buf b = {0};
    ps_failure failure;
    psrp_value *x = psrp_value_new_string("x"), *script = psrp_value_new_string("$z = 2; $z * 3");
    psrp_command_arg named[] = {{"InputObject", x}};
    CU_ASSERT_EQUAL(ps_command_run("Write-Output", named, 1, NULL, 0, 0, &st, NULL, record, &b,
                                   &failure), 0);
    psrp_command_arg iex[] = {{"Command", script}};
    CU_ASSERT_EQUAL(ps_command_run("Invoke-Expression", iex, 1, NULL, 0, 0, &st, NULL, record, &b,
                                   &failure), 0);
    /* what pypsrp's Client.execute_ps pipes into: Out-String -Stream */
    psrp_value *in[2] = {psrp_value_new_i32(1), psrp_value_new_string("a\nb")};
    psrp_command_arg stream[] = {{"Stream", NULL}};
    CU_ASSERT_EQUAL(ps_command_run("Out-String", stream, 1, in, 2, 1, &st, NULL, record, &b,
                                   &failure), 0);
    CU_ASSERT_EQUAL(ps_command_run("Out-String", NULL, 0, in, 2, 1, &st, NULL, record, &b,
                                   &failure), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "out:S:x\nout:I:6\nout:S:1\nout:S:a\nout:S:b\nout:S:1\na\nb\n\n");
    CU_ASSERT_PTR_NULL(failure.message);
    /* a command that is not there fails the pipeline */
    CU_ASSERT_EQUAL(ps_command_run("Get-Nope", NULL, 0, NULL, 0, 0, &st, NULL, record, &b,
                                   &failure), 0);
    CU_ASSERT_EQUAL(failure.kind, PS_FAILURE_NOT_FOUND);
    CU_ASSERT_STRING_EQUAL(failure.message, "Get-Nope");
    ps_failure_clear(&failure);
    psrp_value_free(x);
    psrp_value_free(script);
    psrp_value_free(in[0]);
    psrp_value_free(in[1]);
    psr_buf_free(&b);
    ps_session_state_clear(&st);
}

/* What PowerShell writes when a statement fails: the error record, and the
 * script goes on with the next statement. */
static void test_runtime_errors(void)
{
    expect("1/0; 'after'", "error:RuntimeException:NotSpecified: (:) [], RuntimeException:"
                           "Attempted to divide by zero.\nout:S:after\n");
    expect("1 + 'x'", "error:InvalidCastFromStringToInteger:InvalidArgument: (:) [], "
                      "RuntimeException:Cannot convert value \"x\" to type \"System.Int32\". "
                      "Error: \"Input string was not in a correct format.\"\n");
    expect("1 | Get-Date; 'x'", "error:InputObjectNotBound:InvalidArgument: (1:Int32) [Get-Date], "
                                "ParameterBindingException:The input object cannot be bound to "
                                "any parameters for the command either because the command does "
                                "not take pipeline input or the input and its properties do not "
                                "match any of the parameters that take pipeline input.\n"
                                "out:S:x\n");
    expect("Write-Output -Foo 1", "error:NamedParameterNotFound,Microsoft.PowerShell.Commands."
                                  "WriteOutputCommand:InvalidArgument: (:) [Write-Output], "
                                  "ParameterBindingException:A parameter cannot be found that "
                                  "matches parameter name 'Foo'.\n");
    expect("Write-Warning a b", "error:PositionalParameterNotFound,Microsoft.PowerShell.Commands."
                                "WriteWarningCommand:InvalidArgument: (:) [Write-Warning], "
                                "ParameterBindingException:A positional parameter cannot be "
                                "found that accepts argument 'b'.\n");
    expect("$n.Foo(); 'x'.Bar(1)", "error:InvokeMethodOnNull:InvalidOperation: (:) [], "
                                   "RuntimeException:You cannot call a method on a null-valued "
                                   "expression.\nerror:MethodNotFound:InvalidOperation: "
                                   "(Bar:String) [], RuntimeException:Method invocation failed "
                                   "because [System.String] does not contain a method named "
                                   "'Bar'.\n");
    expect("ForEach-Object -Process 'x'", "error:CannotConvertArgument,Microsoft.PowerShell."
                                          "Commands.ForEachObjectCommand:InvalidArgument: (:) "
                                          "[ForEach-Object], ParameterBindingException:The "
                                          "harness's ForEach-Object takes a script block written "
                                          "in place: ForEach-Object { ... }.\n");
}

/* What the harness will not grow to ends in an error record, not a
 * silently shorter value. */
static void test_limits(void)
{
    expect("('ab' * 8388608).Length", "out:I:16777216\n");
    expect("('ab' * 8388609).Length; 'after'",
           "error:StringTooLong:LimitsExceeded: (:) [], RuntimeException:The harness's strings "
           "hold at most 16777216 characters.\nout:S:after\n");
    expect("(@(1, 2) * 500001).Count",
           "error:ArrayTooLarge:LimitsExceeded: (:) [], RuntimeException:The harness's arrays "
           "hold at most 1000000 items.\n");
    expect("(1..1000001).Count", "error:RangeTooLarge:LimitsExceeded: (:) [], RuntimeException:"
                                 "The harness's ranges hold at most 1000000 numbers.\n");
    /* nesting: 90 levels run, 2000 are a syntax error (not a stack overflow) */
    char deep[4200];
    size_t n = 0;
    for (int i = 0; i < 90; i++)
        deep[n++] = '(';
    deep[n++] = '7';
    for (int i = 0; i < 90; i++)
        deep[n++] = ')';
    deep[n] = '\0';
    expect(deep, "out:I:7\n");
    n = 0;
    for (int i = 0; i < 2000; i++)
        deep[n++] = i % 2 ? '{' : '(';
    deep[n] = '\0';
    ps_failure failure;
    char *got = run(deep, NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(got, ""); /* nothing ran */
    CU_ASSERT_PTR_NOT_NULL(failure.error_id);
    CU_ASSERT(failure.error_id && strcmp(failure.error_id, "ScriptTooDeep") == 0);
    ps_failure_clear(&failure);
    free(got);
}

/* Syntax errors fail the pipeline before anything runs, with the id
 * PowerShell's parser gives; syntax the harness lacks is named. */
static void test_parse_errors(void)
{
    static const struct {
        const char *script, *id;
    } cases[] = {
        {"'before'; 1 +", "ExpectedValueExpression"},
        {"(1 + 2", "MissingEndParenthesisInExpression"},
        {"1..3 | ForEach-Object { $_", "MissingEndCurlyBrace"},
        {"'abc", "TerminatorExpectedAtEndOfString"},
        {"1 | 2", "ExpressionsMustBeFirstInPipeline"},
        {"1 |", "EmptyPipeElement"},
        {"1 2", "UnexpectedToken"},
        {"1,", "MissingExpressionAfterToken"},
        {"if ($x) { 1 }", "HarnessUnsupportedSyntax"},
        {"'a' -like 'a'", "HarnessUnsupportedSyntax"},
        {"Get-Date > out.txt", "HarnessUnsupportedSyntax"},
        {"@{a = 1}", "HarnessUnsupportedSyntax"},
        {"[math]::Round(1.5)", "HarnessUnsupportedSyntax"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ps_failure failure;
        char *ev = run(cases[i].script, NULL, 0, &failure);
        CU_ASSERT_STRING_EQUAL(ev, "");
        CU_ASSERT_EQUAL(failure.kind, PS_FAILURE_PARSE);
        CU_ASSERT_PTR_NOT_NULL_FATAL(failure.error_id);
        CU_ASSERT_STRING_EQUAL(failure.error_id, cases[i].id);
        if (strcmp(failure.error_id, cases[i].id) != 0)
            fprintf(stderr, "\n%s: %s\n", cases[i].script, failure.message);
        ps_failure_clear(&failure);
        free(ev);
    }
    /* the message reads as PowerShell's: where, the line, a marker, why */
    ps_failure failure;
    char *ev = run("$x = 1\n$x +", NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(failure.message, "At line:2 char:5\n+ $x +\n+     ~\nYou must provide a "
                                            "value expression following the '+' operator.");
    ps_failure_clear(&failure);
    free(ev);
}

static char *run_in(ps_session_state *st, const char *script)
{
    ps_failure failure;
    psr_buf b = {0};
    psr_buf_puts(&b, "");
    CU_ASSERT_EQUAL(ps_script_run(script, NULL, 0, NULL, 0, st, NULL, record, &b, &failure), 0);
    CU_ASSERT_PTR_NULL(failure.message);
    ps_failure_clear(&failure);
    return psr_buf_detach(&b, NULL);
}

static void test_variables_last_for_the_session(void)
{
    ps_session_state st = {0};
    char *ev = run_in(&st, "$x = 42; $list = 1..3; \"x=$x list=$list\"");
    CU_ASSERT_STRING_EQUAL(ev, "out:S:x=42 list=1 2 3\n");
    free(ev);
    /* a second pipeline of the same session sees them; arrays unroll */
    ev = run_in(&st, "$x; $list; $x = 'changed'; $x");
    CU_ASSERT_STRING_EQUAL(ev, "out:I:42\nout:I:1\nout:I:2\nout:I:3\nout:S:changed\n");
    free(ev);
    /* what pypsrp does: assign in one pipeline, compute in the next */
    free(run_in(&st, "$x = 41"));
    ev = run_in(&st, "$x + 1; $x += 2; $x; $x = $x * 2; $x");
    CU_ASSERT_STRING_EQUAL(ev, "out:I:42\nout:I:43\nout:I:86\n");
    free(ev);
    ps_session_state_clear(&st);
    ev = run_in(&st, "$x");
    CU_ASSERT_STRING_EQUAL(ev, "");
    free(ev);
}

/* Kinds and properties of the objects the machine commands emit. */
typedef struct shapes {
    psr_buf text;
} shapes;

static int record_shape(void *ctx, ps_event_kind kind, const psrp_value *v, const char *text)
{
    shapes *sh = ctx;
    if (!v) {
        psr_buf_printf(&sh->text, "%d:%s\n", (int)kind, text);
        return 0;
    }
    if (kind == PS_EV_ERROR_RECORD) {
        psr_buf_printf(&sh->text, "error:%s:%s\n", psrp_object_get_text(v, "FullyQualifiedErrorId"),
                       v->u.obj.to_string);
        return 0;
    }
    if (v->kind == PSRP_V_DATETIME)
        psr_buf_printf(&sh->text, "DT:%zu\n", strlen(psrp_value_text(v)));
    else if (v->kind == PSRP_V_OBJECT)
        psr_buf_printf(&sh->text, "%s:%s:%s\n", v->u.obj.types->names[0],
                       psrp_object_get_text(v, "Name") ? psrp_object_get_text(v, "Name") : "-",
                       psrp_object_get(v, "Length") ? "len" : "nolen");
    else if (psrp_value_text(v))
        psr_buf_printf(&sh->text, "S:%s\n", psrp_value_text(v));
    return 0;
}

static void test_machine_commands(void)
{
    char dir[] = "/tmp/psremote-ps.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[256], script[1024];
    snprintf(path, sizeof(path), "%s/b.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("first\r\nsecond\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/a-dir", dir);
    CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
    snprintf(script, sizeof(script),
             "Get-ChildItem '%s'; Get-Content \"%s/b.txt\"; Get-Content '%s/none'; Get-Date; "
             "Get-Culture; Start-Sleep -Milliseconds 20",
             dir, dir, dir);
    ps_session_state st = {.culture = "de-DE"};
    shapes sh = {0};
    ps_failure failure;
    CU_ASSERT_EQUAL(ps_script_run(script, NULL, 0, NULL, 0, &st, NULL, record_shape, &sh, &failure), 0);
    char want[1024];
    snprintf(want, sizeof(want),
             "System.IO.DirectoryInfo:a-dir:nolen\nSystem.IO.FileInfo:b.txt:len\n"
             "S:first\nS:second\nerror:PathNotFound:Cannot find path '%s/none' because it does not exist.\n"
             "DT:33\nSystem.Globalization.CultureInfo:de-DE:nolen\n",
             dir);
    CU_ASSERT_STRING_EQUAL(sh.text.data, want);
    psr_buf_free(&sh.text);
    ps_failure_clear(&failure);
    ps_session_state_clear(&st);
    unlink(path);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/b.txt", dir);
    unlink(path);
    rmdir(dir);
}

static int record_progress(void *ctx, ps_event_kind kind, const psrp_value *v, const char *text)
{
    (void)text;
    psr_buf *b = ctx;
    if (kind != PS_EV_PROGRESS)
        return 0;
    int64_t pct = -2;
    psrp_value_get_i64(psrp_object_get(v, "PercentComplete"), &pct);
    const psrp_value *done = psrp_object_get(v, "Completed");
    psr_buf_printf(b, "%s|%s|%lld|%d\n", psrp_object_get_text(v, "Activity"),
                   psrp_object_get_text(v, "StatusDescription"), (long long)pct,
                   done ? done->u.b : -1);
    return 0;
}

static void test_write_progress(void)
{
    psr_buf b = {0};
    ps_failure failure;
    CU_ASSERT_EQUAL(ps_script_run("Write-Progress -Activity 'Copy files' -Status \"Half way\" "
                                  "-PercentComplete 50; Write-Progress -Activity Copy -Completed",
                                  NULL, 0, NULL, 0, NULL, NULL, record_progress, &b, &failure),
                    0);
    CU_ASSERT_STRING_EQUAL(b.data, "Copy files|Half way|50|0\nCopy|Processing|-1|1\n");
    psr_buf_free(&b);
}

/* A host that records what the script asked of it. */
typedef struct fake_host {
    psr_buf asked;
    ps_session_state *st;
    int key_requests;
    int32_t answer;
} fake_host;

static psrp_value *fake_choice(void *ctx, const char *caption, const char *message,
                               const char *const *labels, const char *const *helps, size_t n,
                               int32_t def, int *stopped, char **error)
{
    fake_host *h = ctx;
    (void)error;
    *stopped = 0;
    psr_buf_printf(&h->asked, "%s|%s|", caption, message);
    for (size_t i = 0; i < n; i++)
        psr_buf_printf(&h->asked, "%s:%s|", labels[i], helps[i]);
    psr_buf_printf(&h->asked, "%d\n", (int)def);
    return psrp_value_new_i32(h->answer);
}

static int fake_need_key(void *ctx, char **error)
{
    fake_host *h = ctx;
    (void)error;
    h->key_requests++;
    memset(h->st->session_key, 7, sizeof(h->st->session_key));
    h->st->have_session_key = 1;
    return 0;
}

static void fake_break(void *ctx, const char *reason)
{
    fake_host *h = ctx;
    psr_buf_printf(&h->asked, "broken:%s\n", reason);
}

static void fake_ignore_stop(void *ctx)
{
    fake_host *h = ctx;
    psr_buf_puts(&h->asked, "ignore-stop\n");
}

static int run_host(fake_host *h, const char *script, psr_buf *events)
{
    ps_host host = {.prompt_choice = fake_choice, .need_session_key = fake_need_key,
                    .break_pool = fake_break, .ignore_stop = fake_ignore_stop, .ctx = h};
    ps_failure failure;
    psr_buf_puts(events, "");
    psr_buf_puts(&h->asked, "");
    int rc = ps_script_run(script, NULL, 0, NULL, 0, h->st, &host, record, events, &failure);
    CU_ASSERT_PTR_NULL(failure.message);
    ps_failure_clear(&failure);
    return rc;
}

static void test_prompt_for_choice(void)
{
    ps_session_state st = {0};
    fake_host h = {.st = &st, .answer = 1};
    psr_buf ev = {0};
    CU_ASSERT_EQUAL(run_host(&h, "$u = 'prod'; $c = $host.UI.PromptForChoice('Deploy', \"Go on, "
                                 "$u?\", ('&Yes', '&No'), 0); \"chose $c\"", &ev), 0);
    CU_ASSERT_STRING_EQUAL(h.asked.data, "Deploy|Go on, prod?|&Yes:|&No:|0\n");
    CU_ASSERT_STRING_EQUAL(ev.data, "out:S:chose 1\n");
    psr_buf_reset(&h.asked);
    psr_buf_reset(&ev);
    /* ChoiceDescription objects with help texts, behind a cast */
    CU_ASSERT_EQUAL(run_host(&h, "$y = New-Object System.Management.Automation.Host."
                                 "ChoiceDescription '&Yes', 'Deploy now'\n"
                                 "$n = New-Object System.Management.Automation.Host."
                                 "ChoiceDescription '&No'\n"
                                 "$host.UI.PromptForChoice('c', 'm', [System.Management."
                                 "Automation.Host.ChoiceDescription[]]($y, $n), -1)", &ev), 0);
    CU_ASSERT_STRING_EQUAL(h.asked.data, "c|m|&Yes:Deploy now|&No:|-1\n");
    CU_ASSERT_STRING_EQUAL(ev.data, "out:I:1\n");
    psr_buf_reset(&h.asked);
    psr_buf_reset(&ev);
    /* an array in a variable; a default out of range is refused unasked */
    CU_ASSERT_EQUAL(run_host(&h, "$ch = '&A', '&B', '&C'; $host.UI.PromptForChoice('c', 'm', "
                                 "$ch, 2); $host.UI.PromptForChoice('c', 'm', ('&A'), 3)", &ev), 0);
    CU_ASSERT_STRING_EQUAL(h.asked.data, "c|m|&A:|&B:|&C:|2\n");
    CU_ASSERT_STRING_EQUAL(ev.data, "out:I:1\nerr:PromptForChoice: the default choice is not one "
                                    "of the choices.\n");
    psr_buf_free(&h.asked);
    psr_buf_free(&ev);
    ps_session_state_clear(&st);
}

static void test_convert_to_secure_string(void)
{
    ps_session_state st = {0};
    fake_host h = {.st = &st};
    psr_buf ev = {0};
    CU_ASSERT_EQUAL(run_host(&h, "$s = ConvertTo-SecureString 'pass word' -AsPlainText -Force; "
                                 "ConvertFrom-SecureString $s -AsPlainText; "
                                 "$t = ConvertTo-SecureString -AsPlainText \"x\"; $t", &ev), 0);
    CU_ASSERT_EQUAL(h.key_requests, 1); /* the key is asked for once */
    CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(ev.data, "out:S:pass word\n"));
    /* the SecureString output is ciphertext under the session key */
    const char *ss = strstr(ev.data, "\nout:S:");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    ss += 7;
    psr_buf cipher = {0}, plain = {0};
    CU_ASSERT_EQUAL(psr_base64_decode(&cipher, ss, strcspn(ss, "\n")), 0);
    CU_ASSERT_EQUAL(psrp_securestring_decrypt(st.session_key, cipher.data, cipher.len, &plain, NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(plain.data, "x");
    psr_buf_reset(&ev);
    CU_ASSERT_EQUAL(run_host(&h, "ConvertTo-SecureString 'p'", &ev), 0);
    CU_ASSERT(strncmp(ev.data, "err:ConvertTo-SecureString", 26) == 0);
    psr_buf_free(&cipher);
    psr_buf_free(&plain);
    psr_buf_free(&h.asked);
    psr_buf_free(&ev);
    ps_session_state_clear(&st);
}

static void test_fault_hooks(void)
{
    ps_session_state st = {0};
    fake_host h = {.st = &st};
    psr_buf ev = {0};
    /* Breaking the pool stops the script (2) */
    CU_ASSERT_EQUAL(run_host(&h, "'a'; Harness-IgnoreStop; Harness-BreakRunspacePool 'gone: $x'; "
                                 "'b'", &ev), 2);
    CU_ASSERT_STRING_EQUAL(h.asked.data, "ignore-stop\nbroken:gone: $x\n");
    CU_ASSERT_STRING_EQUAL(ev.data, "out:S:a\n");
    psr_buf_free(&h.asked);
    psr_buf_free(&ev);
    /* without a host they are unknown commands */
    ps_failure failure;
    char *out = run("Harness-IgnoreStop; Harness-BreakRunspacePool; $host.UI.PromptForChoice("
                    "'c', 'm', ('&A'), 0)", NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(out, "notfound:Harness-IgnoreStop\nnotfound:Harness-BreakRunspacePool\n"
                                "notfound:$host.UI.PromptForChoice\n");
    free(out);
    ps_session_state_clear(&st);
}

static const psr_unit_test tests[] = {
    {"limits end in error records", test_limits},
    {"PromptForChoice: labels, ChoiceDescriptions, a variable, a bad default",
     test_prompt_for_choice},
    {"ConvertTo-SecureString under the session key", test_convert_to_secure_string},
    {"fault hooks", test_fault_hooks},
    {"Write-Progress", test_write_progress},
    {"variables last for the session", test_variables_last_for_the_session},
    {"Get-ChildItem, Get-Content, Get-Date, Get-Culture, Start-Sleep", test_machine_commands},
    {"output values", test_output_values},
    {"param() and expansion", test_params_and_expansion},
    {"every stream", test_streams},
    {"throw stops the script", test_throw_stops},
    {"unknown command", test_unknown_command},
    {"named arguments bind to param() by name", test_named_arguments},
    {"arithmetic: Int32, Int64, Double as PowerShell widens", test_arithmetic},
    {"strings: the left operand decides", test_strings_and_conversions},
    {"comparisons, -and -or -not", test_comparisons},
    {"comma arrays, indexing, Count, pipeline input", test_arrays},
    {"ForEach-Object and Where-Object with $_", test_foreach_where},
    {"$input from the client into a pipeline", test_pipeline_input},
    {"runtime errors are PowerShell's error records", test_runtime_errors},
    {"parse errors fail before anything runs", test_parse_errors},
    {"commands sent as commands: Write-Output, Invoke-Expression, Out-String", test_command_run},
    {NULL, NULL},
};
PSR_UNIT_MAIN("harness script", tests)
