/* line_out.h: writing text whole lines at a time, each with an optional
 * "PREFIX: ", so output from several sources never interleaves mid-line.
 * Text without a final newline is held until its line completes (or flush). */
#ifndef PSR_CLI_LINE_OUT_H
#define PSR_CLI_LINE_OUT_H

#include "common/buf.h"

#include <stdio.h>

typedef struct psr_line_out {
    FILE *f;
    const char *prefix; /* borrowed; NULL for none */
    psr_buf pending;    /* the current, unfinished line */
} psr_line_out;

void psr_line_out_init(psr_line_out *lo, FILE *f, const char *prefix);
/* Appends text; newline ends the line after it. Embedded newlines split lines. */
void psr_line_out_text(psr_line_out *lo, const char *text, int newline);
void psr_line_out_line(psr_line_out *lo, const char *text);
/* Ends an unfinished line and frees the buffer. */
void psr_line_out_flush(psr_line_out *lo);

#endif
