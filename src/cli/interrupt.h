/* interrupt.h: Ctrl+C for the subcommands, as a file descriptor.
 *
 * The SIGINT handler only writes a byte to a pipe (the one thing a signal
 * handler may safely do); a helper thread polls the read end and decides
 * what each press means (stop, then give up). */
#ifndef PSR_CLI_INTERRUPT_H
#define PSR_CLI_INTERRUPT_H

/* Installs the handler (once per process) and ignores SIGPIPE. Returns the
 * fd to poll, one readable byte per Ctrl+C, or -1 when no pipe could be made. */
int psr_cli_interrupt_install(void);

/* Consumes one press; 1 when there was one. */
int psr_cli_interrupt_take(int fd);

#endif
