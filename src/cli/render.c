/* render.c: showing a pipeline's streams (see render.h).
 *
 * Text mode follows PowerShell's default view as far as deserialized data
 * allows: primitives as themselves, an object with a ToString and no
 * properties as that text, an object with up to four properties as a table
 * (Format-Table), more as a list (Format-List), nested objects by their
 * ToString. Cell and line text, and error records in Windows PowerShell
 * 5.1's ErrorView, come from psrp/show.h, shared with the public API. Output
 * is written line by line, each line whole, so several computers can share
 * a terminal. */
#include "src/cli/render.h"

#include "psrp/clixml.h"
#include "psrp/json.h"
#include "psrp/pipeline.h"
#include "psrp/show.h"
#include "src/cli/line_out.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TABLE_MAX_PROPERTIES 4 /* PowerShell: 5 or more properties -> list */

struct psr_render {
    psr_render_options o;
    char *computer_name;
    psr_line_out out, err; /* whole-line writers with the optional prefix */
    /* Table state: the property names of the table being printed. */
    char **columns;
    size_t n_columns;
    size_t *widths;
    int list_started;
    /* JSON array mode: objects seen so far. */
    json_t *array;
    psrp_clixml_writer *clixml;
    int progress_shown;
};

int psr_output_format_parse(const char *name, psr_output_format *out)
{
    static const struct {
        const char *name;
        psr_output_format f;
    } names[] = {{"text", PSR_OUTPUT_TEXT}, {"json", PSR_OUTPUT_JSON},
                 {"jsonl", PSR_OUTPUT_JSONL}, {"clixml", PSR_OUTPUT_CLIXML}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].f;
            return 0;
        }
    }
    return -1;
}

psr_render *psr_render_new(const psr_render_options *opts)
{
    psr_render *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->o = *opts;
    r->computer_name = opts->computer_name ? strdup(opts->computer_name) : NULL;
    r->o.computer_name = r->computer_name;
    const char *prefix = opts->prefix_lines ? r->computer_name : NULL;
    psr_line_out_init(&r->out, opts->out, prefix);
    psr_line_out_init(&r->err, opts->err, prefix);
    if (opts->format == PSR_OUTPUT_JSON)
        r->array = json_array();
    if (opts->format == PSR_OUTPUT_CLIXML) {
        r->clixml = psrp_clixml_writer_new(0);
        fputs("<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">",
              opts->out);
    }
    return r;
}

static void clear_progress(psr_render *r)
{
    if (r->progress_shown) {
        fputs("\r\033[K", r->o.err);
        fflush(r->o.err);
        r->progress_shown = 0;
    }
}

static void reset_table(psr_render *r)
{
    for (size_t i = 0; i < r->n_columns; i++)
        free(r->columns[i]);
    free(r->columns);
    free(r->widths);
    r->columns = NULL;
    r->widths = NULL;
    r->n_columns = 0;
}

void psr_render_free(psr_render *r)
{
    if (!r)
        return;
    clear_progress(r);
    psr_line_out_flush(&r->out);
    psr_line_out_flush(&r->err);
    if (r->array) {
        char *text = json_dumps(r->array, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text) {
            fputs(text, r->o.out);
            fputc('\n', r->o.out);
            free(text);
        }
        json_decref(r->array);
    }
    if (r->clixml) {
        fputs("</Objs>\n", r->o.out);
        psrp_clixml_writer_free(r->clixml);
    }
    fflush(r->o.out);
    reset_table(r);
    free(r->computer_name);
    free(r);
}

/* ---- text of values ---- */

static int is_hidden_property(const char *name)
{
    /* Invoke-Command's own additions, hidden by PowerShell's default view. */
    return strcasecmp(name, "PSComputerName") == 0 || strcasecmp(name, "RunspaceId") == 0 ||
           strcasecmp(name, "PSShowComputerName") == 0 || strcasecmp(name, "PSSourceJobInstanceId") == 0;
}

/* The properties PowerShell's default view would show: adapted, then
 * extended, without Invoke-Command's own. */
typedef struct shown_props {
    const psrp_member *m[64];
    size_t n;
} shown_props;

static void collect_props(const psrp_value *v, shown_props *p)
{
    p->n = 0;
    const psrp_object *o = &v->u.obj;
    for (size_t i = 0; i < o->n_adapted && p->n < 64; i++)
        if (!is_hidden_property(o->adapted[i].name))
            p->m[p->n++] = &o->adapted[i];
    for (size_t i = 0; i < o->n_extended && p->n < 64; i++)
        if (!is_hidden_property(o->extended[i].name))
            p->m[p->n++] = &o->extended[i];
}

static int is_number(const psrp_value *v)
{
    return v && v->kind >= PSRP_V_U8 && v->kind <= PSRP_V_DOUBLE;
}

static int same_columns(const psr_render *r, const shown_props *p)
{
    if (r->n_columns != p->n)
        return 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(r->columns[i], p->m[i]->name) != 0)
            return 0;
    return 1;
}

static void table_row(psr_render *r, const shown_props *p)
{
    psr_buf line = {0}, cell = {0};
    for (size_t i = 0; i < p->n; i++) {
        psr_buf_reset(&cell);
        psrp_value_show(&cell, p->m[i]->value);
        const char *text = cell.data ? cell.data : "";
        int width = (int)r->widths[i];
        int last = i + 1 == p->n;
        if (is_number(p->m[i]->value))
            psr_buf_printf(&line, "%*s", width, text);
        else
            psr_buf_printf(&line, "%-*s", last ? 0 : width, text);
        if (!last)
            psr_buf_putc(&line, ' ');
    }
    psr_line_out_line(&r->out, line.data ? line.data : "");
    psr_buf_free(&line);
    psr_buf_free(&cell);
}

/* Format-Table: a header (names and dashes) whenever the set of properties
 * changes; column widths from the header and the first row. */
static void render_table(psr_render *r, const shown_props *p)
{
    if (!same_columns(r, p)) {
        reset_table(r);
        r->columns = calloc(p->n, sizeof(*r->columns));
        r->widths = calloc(p->n, sizeof(*r->widths));
        if (!r->columns || !r->widths)
            return;
        r->n_columns = p->n;
        psr_buf head = {0}, dash = {0}, cell = {0};
        for (size_t i = 0; i < p->n; i++) {
            r->columns[i] = strdup(p->m[i]->name);
            psr_buf_reset(&cell);
            psrp_value_show(&cell, p->m[i]->value);
            size_t w = strlen(p->m[i]->name);
            if (cell.len > w)
                w = cell.len;
            r->widths[i] = w;
        }
        if (r->list_started)
            psr_line_out_line(&r->out, "");
        psr_line_out_line(&r->out, "");
        for (size_t i = 0; i < p->n; i++) {
            /* Numbers are right-aligned, header and dashes with them; the
             * last column is not padded on the right. */
            int last = i + 1 == p->n;
            int right = is_number(p->m[i]->value);
            int w = (int)r->widths[i];
            size_t name_len = strlen(p->m[i]->name);
            psr_buf dashes = {0};
            for (size_t d = 0; d < name_len; d++)
                psr_buf_putc(&dashes, '-');
            if (right) {
                psr_buf_printf(&head, "%*s", w, p->m[i]->name);
                psr_buf_printf(&dash, "%*s", w, dashes.data);
            } else {
                psr_buf_printf(&head, "%-*s", last ? 0 : w, p->m[i]->name);
                psr_buf_printf(&dash, "%-*s", last ? 0 : w, dashes.data);
            }
            if (!last) {
                psr_buf_putc(&head, ' ');
                psr_buf_putc(&dash, ' ');
            }
            psr_buf_free(&dashes);
        }
        psr_line_out_line(&r->out, head.data ? head.data : "");
        psr_line_out_line(&r->out, dash.data ? dash.data : "");
        psr_buf_free(&head);
        psr_buf_free(&dash);
        psr_buf_free(&cell);
    }
    table_row(r, p);
}

/* Format-List: "Name : Value" with names padded to the longest. */
static void render_list(psr_render *r, const shown_props *p)
{
    reset_table(r);
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strlen(p->m[i]->name) > w)
            w = strlen(p->m[i]->name);
    psr_line_out_line(&r->out, "");
    psr_buf line = {0};
    for (size_t i = 0; i < p->n; i++) {
        psr_buf_reset(&line);
        psr_buf_printf(&line, "%-*s : ", (int)w, p->m[i]->name);
        psrp_value_show(&line, p->m[i]->value);
        psr_line_out_line(&r->out, line.data);
    }
    psr_buf_free(&line);
    r->list_started = 1;
}

static void render_text(psr_render *r, const psrp_value *obj)
{
    shown_props p = {.n = 0};
    if (obj->kind == PSRP_V_OBJECT && !obj->u.obj.base && !obj->u.obj.n_items)
        collect_props(obj, &p);
    if (p.n == 0) {
        if (r->n_columns)
            reset_table(r);
        psr_buf text = {0};
        psrp_value_show(&text, obj);
        if (obj->kind != PSRP_V_NIL)
            psr_line_out_text(&r->out, text.data ? text.data : "", 1);
        psr_buf_free(&text);
    } else if (p.n <= TABLE_MAX_PROPERTIES) {
        render_table(r, &p);
    } else {
        render_list(r, &p);
    }
}

void psr_render_output(psr_render *r, const psrp_value *obj)
{
    clear_progress(r);
    psr_error err;
    switch (r->o.format) {
    case PSR_OUTPUT_TEXT: render_text(r, obj); break;
    case PSR_OUTPUT_JSON:
    case PSR_OUTPUT_JSONL: {
        json_t *j = psrp_value_to_json_flags(obj, PSRP_JSON_HIDE_SECURE_STRINGS, &err);
        if (!j) {
            fprintf(r->o.err, "psremote: cannot show an object as JSON: %s\n", err.message);
            return;
        }
        if (r->computer_name && json_is_object(j))
            json_object_set_new(j, "PSComputerName", json_string(r->computer_name));
        if (r->array) {
            json_array_append_new(r->array, j);
        } else {
            char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
            if (text) {
                psr_line_out_line(&r->out, text);
                free(text);
            }
            json_decref(j);
        }
        break;
    }
    case PSR_OUTPUT_CLIXML: {
        psr_buf b = {0};
        if (r->clixml && psrp_clixml_writer_write(r->clixml, &b, obj, NULL, &err) == 0)
            fwrite(b.data, 1, b.len, r->o.out);
        psr_buf_free(&b);
        break;
    }
    }
}

void psr_render_error(psr_render *r, const psrp_error_record *rec)
{
    clear_progress(r);
    psr_line_out_flush(&r->out);
    psr_buf text = {0};
    psrp_error_record_show(&text, rec, r->computer_name);
    psr_line_out_text(&r->err, text.data ? text.data : "", 0);
    psr_line_out_line(&r->err, "");
    psr_buf_free(&text);
}

void psr_render_informational(psr_render *r, int kind, const psrp_msg_informational *rec)
{
    clear_progress(r);
    psr_buf line = {0};
    psr_buf_printf(&line, "%s%s", psrp_record_prefix((psrp_pipeline_event_kind)kind),
                   rec->message ? rec->message : "");
    psr_line_out_text(&r->err, line.data, 1);
    psr_buf_free(&line);
}

void psr_render_information(psr_render *r, const psrp_msg_information *rec)
{
    clear_progress(r);
    /* Write-Host (5.1) travels as an information record whose data is a
     * HostInformationMessage: it belongs on the host, i.e. stdout. */
    int host = rec->message_data &&
               psrp_value_is_type(rec->message_data,
                                  "System.Management.Automation.HostInformationMessage");
    if (host)
        psr_render_host_write(r, rec->text ? rec->text : "", !rec->no_new_line, 0);
    else
        psr_line_out_text(&r->err, rec->text ? rec->text : "", 1);
}

void psr_render_progress(psr_render *r, const psrp_msg_progress *rec)
{
    if (!r->o.progress_tty)
        return;
    if (rec->record_type == 1) { /* Completed */
        clear_progress(r);
        return;
    }
    psr_buf line = {0};
    psrp_progress_show(&line, rec);
    fprintf(r->o.err, "\r\033[K%s", line.data ? line.data : "");
    fflush(r->o.err);
    psr_buf_free(&line);
    r->progress_shown = 1;
}

void psr_render_host_write(psr_render *r, const char *text, int newline, int to_error)
{
    clear_progress(r);
    psr_line_out_text(to_error ? &r->err : &r->out, text, newline);
}
