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
    CU_ASSERT_EQUAL(ps_script_run(script, argv, n_args, NULL, 0, NULL, NULL, record, &b, failure), 0);
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

static char *run_in(ps_session_state *st, const char *script)
{
    char *failure = NULL;
    psr_buf b = {0};
    psr_buf_puts(&b, "");
    CU_ASSERT_EQUAL(ps_script_run(script, NULL, 0, NULL, 0, st, NULL, record, &b, &failure), 0);
    CU_ASSERT_PTR_NULL(failure);
    free(failure);
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
    char *failure = NULL;
    CU_ASSERT_EQUAL(ps_script_run(script, NULL, 0, NULL, 0, &st, NULL, record_shape, &sh, &failure), 0);
    char want[1024];
    snprintf(want, sizeof(want),
             "System.IO.DirectoryInfo:a-dir:nolen\nSystem.IO.FileInfo:b.txt:len\n"
             "S:first\nS:second\n1:Cannot find path '%s/none' because it does not exist.\n"
             "DT:33\nSystem.Globalization.CultureInfo:de-DE:nolen\n",
             dir);
    CU_ASSERT_STRING_EQUAL(sh.text.data, want);
    psr_buf_free(&sh.text);
    free(failure);
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
    char *failure = NULL;
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
    char *failure = NULL;
    psr_buf_puts(events, "");
    psr_buf_puts(&h->asked, "");
    int rc = ps_script_run(script, NULL, 0, NULL, 0, h->st, &host, record, events, &failure);
    CU_ASSERT_PTR_NULL(failure);
    free(failure);
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
    char *failure;
    char *out = run("Harness-IgnoreStop; Harness-BreakRunspacePool; $host.UI.PromptForChoice("
                    "'c', 'm', ('&A'), 0)", NULL, 0, &failure);
    CU_ASSERT_STRING_EQUAL(out, "notfound:Harness-IgnoreStop\nnotfound:Harness-BreakRunspacePool\n"
                                "notfound:$host.UI.PromptForChoice\n");
    free(out);
    ps_session_state_clear(&st);
}

static const psr_unit_test tests[] = {
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
    {NULL, NULL},
};
PSR_UNIT_MAIN("harness script", tests)
