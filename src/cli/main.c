/* main.c: the psremote command: picks the subcommand and prints the top-level
 * help and version. */
#include "config.h"
#include "src/cli/cli.h"

#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

static const char main_help[] =
    "Usage: psremote [COMMAND] [OPTIONS] ...\n"
    "PowerShell remoting (WinRM / WS-Management) from Linux.\n"
    "\n"
    "Commands:\n"
    "  invoke   run a PowerShell script block remotely (like Invoke-Command);\n"
    "           the default command: psremote -c HOST 'Get-Date'\n"
    "  exec     run a command in a Windows Remote Shell (like winrs -r:HOST)\n"
    "  decode   print the PowerShell messages in captured WS-Man envelopes\n"
    "\n"
    "Run 'psremote COMMAND --help' for the options of a command, and see psremote(1).\n"
    "  -h, --help      show this help\n"
    "  -V, --version   show the version\n";

int psr_cli_exit_status_from_remote(int code)
{
    if (code >= 0 && code <= 255)
        return code;
    fprintf(stderr, "psremote: remote exit code %d does not fit an exit status; exiting 1\n",
            code);
    return 1;
}

void psr_cli_bad_option(int argc, char **argv, int opt, const char *subcommand)
{
    const char *word = optind - 1 < argc && optind >= 1 ? argv[optind - 1] : "?";
    if (opt == ':' || (opt == '?' && optopt && strchr("cud", optopt)))
        fprintf(stderr, "psremote %s: option '%s' needs a value\n", subcommand, word);
    else
        fprintf(stderr, "psremote %s: unknown option '%s' (see psremote %s --help)\n",
                subcommand, word, subcommand);
}

/* glibc hands freed memory back to the kernel as soon as 128 KB are free at
 * the top of the heap, and serves blocks of 128 KB and more with mmap. A
 * Receive loop allocates and frees a few such blocks per reply, so every
 * reply paid for fresh zeroed pages. Keeping up to 8 MB costs little and
 * roughly halves the CPU time of a large download. */
static void tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
}

int main(int argc, char **argv)
{
    tune_malloc();
    if (argc < 2) {
        fputs(main_help, stderr);
        return PSR_CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(main_help, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("psremote %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "exec") == 0)
        return psr_cli_exec(argc - 1, argv + 1);
    if (strcmp(cmd, "decode") == 0)
        return psr_cli_decode(argc - 1, argv + 1);
    if (strcmp(cmd, "invoke") == 0)
        return psr_cli_invoke(argc - 1, argv + 1);
    /* Anything else is invoke's own options or script, as in
     * `psremote -c HOST 'Get-Date'`. */
    return psr_cli_invoke(argc, argv);
}
