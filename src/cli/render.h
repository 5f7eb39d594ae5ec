/* render.h: how `psremote invoke` shows what a pipeline sends back.
 *
 * One psr_render per run writes every stream as it arrives: output objects
 * to the output sink (text like PowerShell's default view, JSON, JSON lines
 * or CLIXML), error records and WARNING:/VERBOSE:/DEBUG:/information
 * records to the error sink formatted like PowerShell, host writes
 * (Write-Host) to the output sink, progress as a status line on a terminal
 * only. Whole lines are written at once so the output of several computers
 * can share a terminal; in text mode each line can carry a "HOST: " prefix.
 *
 * Ownership: psr_render_new copies the strings in the options; the records
 * passed in are borrowed for the call only. */
#ifndef PSR_CLI_RENDER_H
#define PSR_CLI_RENDER_H

#include "psrp/messages.h"
#include "psrp/value.h"

#include <stdio.h>

typedef enum psr_output_format {
    PSR_OUTPUT_TEXT = 0,
    PSR_OUTPUT_JSON,   /* one JSON array of every output object, at finish */
    PSR_OUTPUT_JSONL,  /* one JSON object per line, as they arrive */
    PSR_OUTPUT_CLIXML  /* <Objs> with one <Obj> per output object */
} psr_output_format;

typedef struct psr_render_options {
    psr_output_format format;
    FILE *out;                 /* output objects and host writes (stdout) */
    FILE *err;                 /* error and informational records (stderr) */
    int progress_tty;          /* 1: show progress as a status line on err */
    const char *computer_name; /* PSComputerName added to JSON objects */
    int prefix_lines;          /* text: prefix each line with "COMPUTER: " */
} psr_render_options;

typedef struct psr_render psr_render;

/* Parses "text", "json", "jsonl", "clixml" (case-insensitive). 0 or -1. */
int psr_output_format_parse(const char *name, psr_output_format *out);

psr_render *psr_render_new(const psr_render_options *opts);
/* Ends the output (closes a JSON array, </Objs>, clears a progress line)
 * and frees. NULL is a no-op. */
void psr_render_free(psr_render *r);

void psr_render_output(psr_render *r, const psrp_value *obj);
void psr_render_error(psr_render *r, const psrp_error_record *rec);
/* kind: PSRP_PIPELINE_EV_WARNING, _VERBOSE or _DEBUG (psrp/pipeline.h). */
void psr_render_informational(psr_render *r, int kind, const psrp_msg_informational *rec);
void psr_render_information(psr_render *r, const psrp_msg_information *rec);
void psr_render_progress(psr_render *r, const psrp_msg_progress *rec);
/* Write-Host and the host's Write* calls: text, with or without a newline;
 * to_error for WriteErrorLine. */
void psr_render_host_write(psr_render *r, const char *text, int newline, int to_error);

#endif
