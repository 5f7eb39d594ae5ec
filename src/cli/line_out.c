/* line_out.c: whole-line output with an optional prefix (see line_out.h). */
#include "src/cli/line_out.h"

#include <string.h>

void psr_line_out_init(psr_line_out *lo, FILE *f, const char *prefix)
{
    lo->f = f;
    lo->prefix = prefix;
    memset(&lo->pending, 0, sizeof(lo->pending));
}

static void emit(psr_line_out *lo, const char *text, size_t len)
{
    /* One fwrite per line: stdio writes it in one piece to a pipe. */
    psr_buf line = {0};
    if (lo->prefix)
        psr_buf_printf(&line, "%s: ", lo->prefix);
    psr_buf_append(&line, text, len);
    psr_buf_putc(&line, '\n');
    if (line.data)
        fwrite(line.data, 1, line.len, lo->f);
    fflush(lo->f);
    psr_buf_free(&line);
}

void psr_line_out_text(psr_line_out *lo, const char *text, int newline)
{
    const char *p = text;
    const char *nl;
    while ((nl = strchr(p, '\n')) != NULL) {
        size_t len = (size_t)(nl - p);
        if (len && p[len - 1] == '\r')
            len--;
        psr_buf_append(&lo->pending, p, len);
        emit(lo, lo->pending.data ? lo->pending.data : "", lo->pending.len);
        psr_buf_reset(&lo->pending);
        p = nl + 1;
    }
    psr_buf_puts(&lo->pending, p);
    if (newline) {
        emit(lo, lo->pending.data ? lo->pending.data : "", lo->pending.len);
        psr_buf_reset(&lo->pending);
    }
}

void psr_line_out_line(psr_line_out *lo, const char *text)
{
    psr_line_out_text(lo, text, 1);
}

void psr_line_out_flush(psr_line_out *lo)
{
    if (lo->pending.len)
        emit(lo, lo->pending.data, lo->pending.len);
    psr_buf_free(&lo->pending);
}
