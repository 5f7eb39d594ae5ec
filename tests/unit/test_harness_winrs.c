/* test_harness_winrs.c: the harness's shell table and processes, without
 * HTTP or XML: real /bin/sh processes, output in bounded pieces, timeouts,
 * stdin, ctrl_c, Terminate and Delete. */
#include "src/harness/harness.h"
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

typedef struct run {
    harness_winrs *w;
    char shell[64], cmd[64];
} run;

static void start(run *r, const harness_shell_spec *spec, const char *line)
{
    harness_shell_spec none = {0};
    r->w = harness_winrs_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->w);
    CU_ASSERT_EQUAL_FATAL(harness_winrs_create(r->w, spec ? spec : &none, r->shell, sizeof(r->shell)),
                          HARNESS_OK);
    psr_error err = {0};
    CU_ASSERT_EQUAL_FATAL(harness_winrs_command(r->w, r->shell, line, NULL, r->cmd, sizeof(r->cmd), &err),
                          HARNESS_OK);
}

/* Receives until done (or 10 s); appends everything to out/err. */
static int drain(run *r, size_t budget, psr_buf *out, psr_buf *err, int *max_piece)
{
    long deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        harness_output o = {0};
        harness_result res = harness_winrs_receive(r->w, r->shell, r->cmd, budget, 5000, &o);
        if (res == HARNESS_OK) {
            int piece = (int)(o.out.len + o.err.len);
            if (max_piece && piece > *max_piece)
                *max_piece = piece;
            psr_buf_append(out, o.out.data ? o.out.data : "", o.out.len);
            psr_buf_append(err, o.err.data ? o.err.data : "", o.err.len);
        }
        int done = o.done, code = o.exit_code;
        psr_buf_free(&o.out);
        psr_buf_free(&o.err);
        if (res != HARNESS_OK && res != HARNESS_TIMED_OUT)
            return -1000 - (int)res;
        if (done)
            return code;
    }
    return -1;
}

static void test_env_cwd_streams_exit_code(void)
{
    harness_env env[] = {{"PSR_TEST_VAR", "a b"}, {"HOME", "/nowhere"}};
    harness_shell_spec spec = {"/tmp", env, 2};
    run r;
    start(&r, &spec, "echo \"$PSR_TEST_VAR\"; echo \"$HOME\"; pwd; echo oops >&2; exit 3");
    CU_ASSERT_EQUAL(strlen(r.shell), 36);
    for (const char *p = r.shell; *p; p++) /* WinRM ShellIds are upper case */
        CU_ASSERT(!(*p >= 'a' && *p <= 'z'));
    psr_buf out = {0}, err = {0};
    CU_ASSERT_EQUAL(drain(&r, 65536, &out, &err, NULL), 3);
    CU_ASSERT_STRING_EQUAL(out.data, "a b\n/nowhere\n/tmp\n");
    CU_ASSERT_STRING_EQUAL(err.data, "oops\n");
    psr_buf_free(&out);
    psr_buf_free(&err);
    harness_winrs_free(r.w);
}

static void test_binary_and_bounded_pieces(void)
{
    run r;
    start(&r, NULL, "printf '\\000\\377'; head -c 100000 /dev/zero");
    psr_buf out = {0}, err = {0};
    int max_piece = 0;
    CU_ASSERT_EQUAL(drain(&r, 1000, &out, &err, &max_piece), 0);
    CU_ASSERT_EQUAL(out.len, 100002);
    CU_ASSERT_EQUAL((unsigned char)out.data[0], 0x00);
    CU_ASSERT_EQUAL((unsigned char)out.data[1], 0xff);
    CU_ASSERT(max_piece <= 1000);
    CU_ASSERT(max_piece > 0);
    psr_buf_free(&out);
    psr_buf_free(&err);
    harness_winrs_free(r.w);
}

static void test_timeout_then_terminate(void)
{
    run r;
    start(&r, NULL, "sleep 5");
    harness_output o = {0};
    long t0 = now_ms();
    CU_ASSERT_EQUAL(harness_winrs_receive(r.w, r.shell, r.cmd, 1000, 300, &o), HARNESS_TIMED_OUT);
    long took = now_ms() - t0;
    CU_ASSERT(took >= 250 && took < 2000);
    CU_ASSERT_EQUAL(harness_winrs_signal(r.w, r.shell, r.cmd, 1), HARNESS_OK);
    CU_ASSERT_EQUAL(harness_winrs_receive(r.w, r.shell, r.cmd, 1000, 300, &o), HARNESS_NO_COMMAND);
    CU_ASSERT_EQUAL(harness_winrs_signal(r.w, r.shell, r.cmd, 0), HARNESS_NO_COMMAND);
    psr_buf_free(&o.out);
    psr_buf_free(&o.err);
    harness_winrs_free(r.w);
}

static void test_stdin(void)
{
    run r;
    start(&r, NULL, "tr a-z A-Z");
    CU_ASSERT_EQUAL(harness_winrs_send(r.w, r.shell, r.cmd, "abc\n", 4, 0), HARNESS_OK);
    CU_ASSERT_EQUAL(harness_winrs_send(r.w, r.shell, r.cmd, "def\n", 4, 1), HARNESS_OK);
    psr_buf out = {0}, err = {0};
    CU_ASSERT_EQUAL(drain(&r, 65536, &out, &err, NULL), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "ABC\nDEF\n");
    psr_buf_free(&out);
    psr_buf_free(&err);
    harness_winrs_free(r.w);
}

static void test_ctrl_c(void)
{
    run r;
    start(&r, NULL, "trap 'echo got-int; exit 7' INT; echo ready; while :; do sleep 0.05; done");
    harness_output o = {0};
    CU_ASSERT_EQUAL(harness_winrs_receive(r.w, r.shell, r.cmd, 1000, 5000, &o), HARNESS_OK);
    CU_ASSERT_STRING_EQUAL(o.out.data, "ready\n");
    CU_ASSERT_EQUAL(o.done, 0);
    psr_buf_free(&o.out);
    psr_buf_free(&o.err);
    CU_ASSERT_EQUAL(harness_winrs_signal(r.w, r.shell, r.cmd, 0), HARNESS_OK);
    psr_buf out = {0}, err = {0};
    CU_ASSERT_EQUAL(drain(&r, 65536, &out, &err, NULL), 7);
    CU_ASSERT_STRING_EQUAL(out.data, "got-int\n");
    psr_buf_free(&out);
    psr_buf_free(&err);
    harness_winrs_free(r.w);
}

static void test_background_child_does_not_hold_done(void)
{
    run r;
    start(&r, NULL, "sleep 30 & echo x");
    psr_buf out = {0}, err = {0};
    long t0 = now_ms();
    CU_ASSERT_EQUAL(drain(&r, 65536, &out, &err, NULL), 0);
    CU_ASSERT(now_ms() - t0 < 3000);
    CU_ASSERT_STRING_EQUAL(out.data, "x\n");
    psr_buf_free(&out);
    psr_buf_free(&err);
    /* Delete kills the shell's process groups; the shell is gone after. */
    CU_ASSERT_EQUAL(harness_winrs_delete(r.w, r.shell), HARNESS_OK);
    CU_ASSERT_EQUAL(harness_winrs_delete(r.w, r.shell), HARNESS_NO_SHELL);
    harness_winrs_free(r.w);
}

typedef struct pending {
    run *r;
    harness_result res;
    harness_output o;
    long took;
} pending;

static void *receive_thread(void *arg)
{
    pending *p = arg;
    long t0 = now_ms();
    p->res = harness_winrs_receive(p->r->w, p->r->shell, p->r->cmd, 1000, 10000, &p->o);
    p->took = now_ms() - t0;
    return NULL;
}

/* Delete while a Receive waits: the Receive ends at once (the process was
 * killed), and the command is freed by that Receive, not under it. */
static void test_delete_during_receive(void)
{
    run r;
    start(&r, NULL, "sleep 30");
    pending p;
    memset(&p, 0, sizeof(p));
    p.r = &r;
    pthread_t t;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, receive_thread, &p), 0);
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL); /* let the Receive start waiting; the result does not depend on it */
    CU_ASSERT_EQUAL(harness_winrs_delete(r.w, r.shell), HARNESS_OK);
    pthread_join(t, NULL);
    CU_ASSERT(p.took < 5000);
    if (p.res == HARNESS_OK) { /* it was waiting: it sees the kill */
        CU_ASSERT_EQUAL(p.o.done, 1);
        CU_ASSERT_EQUAL(p.o.exit_code, 128 + 9);
    } else { /* it had not started: the shell is already gone */
        CU_ASSERT_EQUAL(p.res, HARNESS_NO_SHELL);
    }
    psr_buf_free(&p.o.out);
    psr_buf_free(&p.o.err);
    harness_winrs_free(r.w);
}

/* A descriptor the harness inherited without O_CLOEXEC stays out of the
 * command (a test driver's pipe held open would hang the driver). */
static void test_no_inherited_descriptors(void)
{
    int fd = dup(1); /* dup never sets O_CLOEXEC */
    CU_ASSERT_FATAL(fd > 2);
    char line[128];
    snprintf(line, sizeof(line), "if [ -e /proc/self/fd/%d ]; then echo leaked; else echo clean; fi", fd);
    run r;
    start(&r, NULL, line);
    psr_buf out = {0}, err = {0};
    CU_ASSERT_EQUAL(drain(&r, 65536, &out, &err, NULL), 0);
    CU_ASSERT_STRING_EQUAL(out.data, "clean\n");
    psr_buf_free(&out);
    psr_buf_free(&err);
    harness_winrs_free(r.w);
    close(fd);
}

static void test_errors(void)
{
    harness_winrs *w = harness_winrs_new();
    char shell[64], cmd[64];
    psr_error err = {0};
    harness_shell_spec bad_dir = {"/nonexistent-dir", NULL, 0};
    CU_ASSERT_EQUAL(harness_winrs_create(w, &bad_dir, shell, sizeof(shell)), HARNESS_BAD_DIRECTORY);
    harness_env bad_env[] = {{"A=B", "x"}};
    harness_shell_spec bad_var = {NULL, bad_env, 1};
    CU_ASSERT_EQUAL(harness_winrs_create(w, &bad_var, shell, sizeof(shell)), HARNESS_BAD_REQUEST);
    CU_ASSERT_EQUAL(harness_winrs_command(w, "00000000-0000-0000-0000-000000000000", "true", NULL,
                                          cmd, sizeof(cmd), &err), HARNESS_NO_SHELL);
    harness_shell_spec none = {0};
    CU_ASSERT_EQUAL(harness_winrs_create(w, &none, shell, sizeof(shell)), HARNESS_OK);
    /* A CommandId chosen by the client (PSRP does this) is kept, upper case. */
    CU_ASSERT_EQUAL(harness_winrs_command(w, shell, "true", "abcdef01-2345-6789-abcd-ef0123456789",
                                          cmd, sizeof(cmd), &err), HARNESS_OK);
    CU_ASSERT_STRING_EQUAL(cmd, "ABCDEF01-2345-6789-ABCD-EF0123456789");
    harness_output o = {0};
    CU_ASSERT_EQUAL(harness_winrs_receive(w, shell, "11111111-1111-1111-1111-111111111111", 100, 10, &o),
                    HARNESS_NO_COMMAND);
    harness_winrs_free(w); /* with a live command: killed and reaped */
}

static const psr_unit_test tests[] = {
    {"environment, directory, streams, exit code", test_env_cwd_streams_exit_code},
    {"binary output in bounded pieces", test_binary_and_bounded_pieces},
    {"timeout then terminate", test_timeout_then_terminate},
    {"stdin and End", test_stdin},
    {"ctrl_c", test_ctrl_c},
    {"background child does not hold Done", test_background_child_does_not_hold_done},
    {"Delete during a Receive", test_delete_during_receive},
    {"no inherited descriptors", test_no_inherited_descriptors},
    {"errors", test_errors},
    {NULL, NULL}};

PSR_UNIT_MAIN("harness winrs", tests)
