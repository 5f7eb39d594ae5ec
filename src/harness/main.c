/* main.c: psremote-harness lifecycle: options, listeners, the ready file,
 * and a clean exit on SIGINT/SIGTERM that kills every command's processes.
 *
 * SIGINT and SIGTERM (and SIGUSR1, which writes --stats-file) are blocked
 * before any thread starts, so every thread inherits the mask and only
 * main() receives them, through sigwait. */
#include "config.h"
#include "src/harness/harness.h"
#include "src/harness/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Writes the URLs to path.tmp.PID and renames it over path, so a test that
 * polls for the file never reads half of it. */
static int write_ready_file(const char *path, const harness_server *s, psr_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return psr_error_set(err, PSR_E_INVALID, "--ready-file path is too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        return psr_error_set(err, PSR_E_IO, "--ready-file %s: %s", tmp, strerror(errno));
    for (size_t i = 0; i < harness_server_count(s); i++)
        fprintf(f, "%s\n", harness_server_url(s, i));
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return psr_error_set(err, PSR_E_IO, "--ready-file %s: %s", path, strerror(e));
    }
    return 0;
}

/* --stats-file: "name value" lines, replaced as a whole like the ready file. */
static void write_stats_file(const char *path, harness_server *s)
{
    harness_stats st;
    harness_server_stats(s, &st);
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "psremote-harness: --stats-file %s: %s\n", tmp, strerror(errno));
        return;
    }
    fprintf(f, "requests %lu\nshells_created %lu\nshells_open %lu\nmax_shells_open %lu\n",
            st.requests, st.shells_created, st.shells_open, st.max_shells_open);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "psremote-harness: --stats-file %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
}

/* Hundreds of listeners and their connections need more descriptors than
 * the usual soft limit of 1024: raise it to the hard limit. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    harness_options opts;
    psr_error err = {0};
    if (harness_options_parse(&opts, argc, argv, &err) < 0) {
        fprintf(stderr, "psremote-harness: %s\n", err.message);
        return 2;
    }
    if (opts.show_help || opts.show_version) {
        fputs(opts.show_help ? harness_usage : "psremote-harness " PACKAGE_VERSION "\n", stdout);
        harness_options_clear(&opts);
        return 0;
    }
    if (opts.n_users == 0 && !opts.keytab && !opts.ntlm_user_file && !opts.client_ca)
        fprintf(stderr, "psremote-harness: warning: no accounts given (--user, --keytab, "
                        "--ntlm-user-file, --client-ca); only an anonymous Identify can "
                        "succeed\n");

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGUSR1);
    raise_fd_limit();
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client or child that goes away is not fatal */

    int status = 1;
    harness_server *server = NULL;
    harness_winrs *winrs = harness_winrs_new();
    if (!winrs) {
        fprintf(stderr, "psremote-harness: out of memory\n");
    } else if (harness_server_start(&server, &opts, winrs, &err) < 0 ||
               (opts.ready_file && write_ready_file(opts.ready_file, server, &err) < 0)) {
        fprintf(stderr, "psremote-harness: %s\n", err.message);
    } else {
        for (size_t i = 0; i < harness_server_count(server); i++)
            printf("listening on %s\n", harness_server_url(server, i));
        fflush(stdout);
        int sig = 0;
        while (sigwait(&stop, &sig) != 0 || sig == SIGUSR1) {
            if (sig == SIGUSR1 && opts.stats_file)
                write_stats_file(opts.stats_file, server);
            sig = 0;
        }
        if (opts.verbose)
            fprintf(stderr, "psremote-harness: %s received, stopping\n", strsignal(sig));
        status = 0;
        if (opts.stats_file)
            write_stats_file(opts.stats_file, server);
    }
    if (winrs)
        harness_winrs_kill_all(winrs); /* ends waiting Receives before the daemons stop */
    harness_server_stop(server);
    harness_winrs_free(winrs);
    if (opts.ready_file && status == 0)
        unlink(opts.ready_file);
    harness_options_clear(&opts);
    return status;
}
