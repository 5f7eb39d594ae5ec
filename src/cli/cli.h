/* cli.h: what the psremote subcommands share: exit statuses and entry points. */
#ifndef PSR_CLI_H
#define PSR_CLI_H

/* psremote's own exit statuses (ssh's convention for "the tool failed"). */
#define PSR_CLI_FAILURE 255
#define PSR_CLI_USAGE 2
#define PSR_CLI_HELP_SHOWN (-1) /* internal: help was printed, exit 0 */

/* Subcommands: argv[0] is the subcommand's name; each returns the exit status. */
int psr_cli_exec(int argc, char **argv);   /* exec.c */
int psr_cli_decode(int argc, char **argv); /* decode.c */
int psr_cli_invoke(int argc, char **argv); /* invoke.c */

/* exec on several computers (exec_many.c): command[0] with its arguments
 * on every computer of cc. Returns the exit status. */
struct psr_cli_conn;
struct psr_winrs_shell_options;
int psr_cli_exec_many(struct psr_cli_conn *cc, char **command, int n_command,
                      const struct psr_winrs_shell_options *so, int hide_names);

/* invoke on several computers (invoke_many.c). Returns the exit status. */
struct psrp_msg_create_pipeline;
int psr_cli_invoke_many(struct psr_cli_conn *cc, const struct psrp_msg_create_pipeline *pipeline,
                        const char *configuration_name, int output_format, int hide_names);

/* A remote exit code as a process exit status: 0-255 as is, anything else 1
 * (with a note on stderr, since the OS would truncate it misleadingly). */
int psr_cli_exit_status_from_remote(int code);

/* Prints "unknown option" / "missing value" for the option getopt rejected. */
void psr_cli_bad_option(int argc, char **argv, int opt, const char *subcommand);

#endif
