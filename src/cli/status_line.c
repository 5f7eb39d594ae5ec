/* status_line.c: the progress line of runs on many computers (see
 * status_line.h). */
#include "src/cli/status_line.h"

#include <stdio.h>
#include <unistd.h>

void psr_status_line_init(psr_status_line *s)
{
    s->tty = isatty(STDERR_FILENO);
    s->stdout_tty = isatty(STDOUT_FILENO);
    s->shown = 0;
}

void psr_status_line_show(psr_status_line *s, size_t done, size_t running, size_t failed,
                          size_t total)
{
    s->counts[0] = done;
    s->counts[1] = running;
    s->counts[2] = failed;
    s->counts[3] = total;
    s->hidden = 0;
    if (!s->tty)
        return;
    /* carriage return and erase-line: the line is rewritten in place */
    fprintf(stderr, "\r\033[K%zu/%zu done, %zu running, %zu failed", done, total, running,
            failed);
    fflush(stderr);
    s->shown = 1;
}

void psr_status_line_clear(psr_status_line *s)
{
    if (s->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        s->shown = 0;
    }
}

void psr_status_line_before(psr_status_line *s, int to_stderr)
{
    if (s->shown && (to_stderr || s->stdout_tty)) {
        psr_status_line_clear(s);
        s->hidden = 1;
    }
}

void psr_status_line_after(psr_status_line *s)
{
    if (s->hidden) {
        fflush(stdout); /* what was written comes first on the screen */
        psr_status_line_show(s, s->counts[0], s->counts[1], s->counts[2], s->counts[3]);
    }
}
