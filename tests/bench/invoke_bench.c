/* invoke_bench.c: many small pipelines in one PowerShell session, as a
 * script calling Invoke-Command -Session in a loop does. Prints the client
 * CPU per invocation. Usage: invoke_bench URL USER COUNT (password in
 * PSREMOTE_PASSWORD; Basic over HTTP, the harness's test setup). */
#include "psremote/connection.h"
#include "psrp/pipeline.h"
#include "src/client/psrp_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int count_output(void *ctx, psrp_pipeline *pl, const psrp_pipeline_event *ev)
{
    (void)pl;
    if (ev->kind == PSRP_PIPELINE_EV_OUTPUT)
        (*(long *)ctx)++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: invoke_bench URL USER COUNT\n");
        return 2;
    }
    psr_connection_options conn;
    psr_connection_options_init(&conn);
    conn.connection_uri = argv[1];
    conn.user = argv[2];
    conn.password = getenv("PSREMOTE_PASSWORD");
    conn.auth = PSR_AUTH_BASIC;
    conn.allow_unencrypted = 1;
    long count = atol(argv[3]), outputs = 0;
    psr_error err;
    psr_psrp_session *s = NULL;
    double c0 = cpu_seconds();
    if (psr_psrp_session_open(&s, &conn, NULL, &err) != 0) {
        fprintf(stderr, "invoke_bench: %s\n", err.message);
        return 1;
    }
    double c1 = cpu_seconds();
    psrp_command cmd = {.cmd = "\"x\"", .is_script = 1, .use_local_scope = -1};
    psrp_msg_create_pipeline pipeline = {
        .commands = &cmd,
        .n_commands = 1,
        .apartment_state = PSRP_APARTMENT_UNKNOWN,
        .remote_stream_options = PSRP_STREAM_OPT_ADD_INVOCATION_INFO,
        .host_info = {.has_host = 1, .has_ui = 1},
    };
    psr_psrp_invocation inv = {.pipeline = &pipeline, .on_event = count_output, .ctx = &outputs};
    for (long i = 0; i < count; i++) {
        int32_t state;
        if (psr_psrp_session_invoke(s, &inv, &state, &err) != 0 || state != PSRP_PIPELINE_COMPLETED) {
            fprintf(stderr, "invoke_bench: invocation %ld: %s\n", i, err.message);
            return 1;
        }
    }
    double c2 = cpu_seconds();
    psr_psrp_session_close(s, &err);
    if (outputs != count) {
        fprintf(stderr, "invoke_bench: %ld outputs for %ld invocations\n", outputs, count);
        return 1;
    }
    printf("session open: %.3f ms CPU; %ld invocations: %.3f ms CPU each\n", (c1 - c0) * 1000,
           count, (c2 - c1) * 1000 / count);
    return 0;
}
