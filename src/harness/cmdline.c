/* cmdline.c: turning a WinRS CommandLine (Command + Arguments) into the text
 * psremote-harness gives to /bin/sh -c.
 *
 * On Windows the command line is one string that cmd.exe splits itself, and
 * clients such as pywinrm send run_cmd('echo', ['a b']) as Command "echo"
 * plus Argument "a b". Quoting each argument for sh keeps "a b" one word, so
 * the program receives the argument the client meant. */
#include "src/harness/harness.h"

#include <string.h>

int harness_sh_quote(psr_buf *out, const char *s)
{
    /* Inside '...' sh takes every byte literally except the closing quote;
     * a quote in the text becomes '\'' (close, escaped quote, reopen). */
    int rc = psr_buf_putc(out, '\'');
    for (const char *p = s; rc == 0 && *p; p++) {
        if (*p == '\'')
            rc = psr_buf_puts(out, "'\\''");
        else
            rc = psr_buf_putc(out, *p);
    }
    return rc ? rc : psr_buf_putc(out, '\'');
}

int harness_command_line(psr_buf *out, const char *command, char *const *args, size_t n_args)
{
    int rc = psr_buf_puts(out, command ? command : "");
    for (size_t i = 0; rc == 0 && i < n_args; i++) {
        rc = psr_buf_putc(out, ' ');
        if (rc == 0)
            rc = harness_sh_quote(out, args[i] ? args[i] : "");
    }
    return rc;
}
