/* status_line.h: the progress line of a run on many computers ("12/200
 * done, 32 running, 1 failed"), kept on the last line of a terminal's
 * stderr. Anything else written to the terminal first clears it
 * (psr_status_line_clear), and the next count draws it again. Nothing is
 * drawn when stderr is not a terminal. */
#ifndef PSR_CLI_STATUS_LINE_H
#define PSR_CLI_STATUS_LINE_H

#include <stddef.h>

typedef struct psr_status_line {
    int tty;         /* stderr is a terminal */
    int stdout_tty;  /* so is stdout (it shares the screen) */
    int shown;       /* the line is on the screen now */
    int hidden;      /* cleared for other output, to be drawn again */
    size_t counts[4]; /* done, running, failed, total, as last shown */
} psr_status_line;

/* Looks at stderr and stdout. */
void psr_status_line_init(psr_status_line *s);
/* Draws the counts (replacing the line). */
void psr_status_line_show(psr_status_line *s, size_t done, size_t running, size_t failed,
                          size_t total);
/* Removes the line, so other output starts at the beginning of a line. */
void psr_status_line_clear(psr_status_line *s);
/* Around other output: before clears the line when writing to stderr, or
 * to stdout when that is the same screen; after draws it again below what
 * was written. */
void psr_status_line_before(psr_status_line *s, int to_stderr);
void psr_status_line_after(psr_status_line *s);

#endif
