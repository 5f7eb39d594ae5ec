/* winrs_bench.c: the psremote side of `make bench` for WinRS.
 *
 *   winrs_bench URL USER sequential N   N commands, one after another, in one shell
 *   winrs_bench URL USER bulk BYTES     one command writing BYTES to stdout
 *
 * The password comes from PSREMOTE_PASSWORD. Output is counted and dropped,
 * so the figures measure the client, not a terminal. Run it under
 * /usr/bin/time -v (tests/bench/run.sh does) for CPU time and peak RSS. */
#include "psremote/winrs.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int count_output(void *ctx, psr_winrs_stream stream, const void *data, size_t len)
{
    (void)stream;
    (void)data;
    *(unsigned long long *)ctx += len;
    return 0;
}

static int run_one(psr_winrs_shell *shell, const char *command, unsigned long long *bytes)
{
    psr_error err;
    psr_winrs_command *cmd;
    /* Like pywinrm's run_command: no stdin is sent. */
    if (psr_winrs_command_start(shell, command, NULL, 0, &cmd, &err) != 0) {
        fprintf(stderr, "winrs_bench: %s\n", err.message);
        return -1;
    }
    int done = 0, code = 0;
    while (!done) {
        if (psr_winrs_command_receive(cmd, count_output, bytes, &done, &code, &err) != 0) {
            fprintf(stderr, "winrs_bench: %s\n", err.message);
            return -1;
        }
    }
    if (psr_winrs_command_close(cmd, &err) != 0) {
        fprintf(stderr, "winrs_bench: %s\n", err.message);
        return -1;
    }
    return code;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: winrs_bench URL USER sequential N | bulk BYTES\n");
        return 2;
    }
    /* The same allocator setting as psremote's main (see src/cli/main.c). */
    mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
    psr_connection_options conn;
    psr_connection_options_init(&conn);
    conn.connection_uri = argv[1];
    conn.user = argv[2];
    conn.password = getenv("PSREMOTE_PASSWORD");
    conn.auth = PSR_AUTH_BASIC;
    conn.allow_unencrypted = 1;
    psr_error err;
    psr_winrs_shell *shell;
    if (psr_winrs_shell_open(&shell, &conn, NULL, &err) != 0) {
        fprintf(stderr, "winrs_bench: %s\n", err.message);
        return 1;
    }
    unsigned long long bytes = 0;
    int rc = 0;
    if (strcmp(argv[3], "sequential") == 0) {
        long n = strtol(argv[4], NULL, 10);
        for (long i = 0; i < n && rc == 0; i++)
            rc = run_one(shell, "echo hello", &bytes);
    } else {
        char command[128];
        snprintf(command, sizeof(command), "head -c %s /dev/zero", argv[4]);
        rc = run_one(shell, command, &bytes);
    }
    if (psr_winrs_shell_close(shell, &err) != 0) {
        fprintf(stderr, "winrs_bench: %s\n", err.message);
        rc = 1;
    }
    printf("received %llu bytes\n", bytes);
    return rc == 0 ? 0 : 1;
}
