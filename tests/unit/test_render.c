/* test_render.c: psremote invoke's output rendering. Expected layouts are
 * PowerShell's: Format-Table (header, dashes, numbers right-aligned), Format-
 * List ("Name : Value"), Windows PowerShell 5.1's ErrorView ("+ CategoryInfo"
 * lines) and the WARNING:/VERBOSE: prefixes of the host. */
#include "src/cli/render.h"
#include "psrp/pipeline.h"
#include "unit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct sink {
    char *out_text, *err_text;
    size_t out_len, err_len;
    FILE *out, *err;
} sink;

static psr_render *open_render(sink *s, psr_output_format fmt, const char *computer, int prefix)
{
    memset(s, 0, sizeof(*s));
    s->out = open_memstream(&s->out_text, &s->out_len);
    s->err = open_memstream(&s->err_text, &s->err_len);
    psr_render_options o = {.format = fmt, .out = s->out, .err = s->err,
                            .computer_name = computer, .prefix_lines = prefix};
    return psr_render_new(&o);
}

static void close_sink(sink *s)
{
    fclose(s->out);
    fclose(s->err);
}

static void free_sink(sink *s)
{
    free(s->out_text);
    free(s->err_text);
}

static psrp_value *process(const char *name, int32_t id)
{
    psrp_value *o = psrp_value_new_object(NULL);
    psrp_object_add(o, "Name", psrp_value_new_string(name));
    psrp_object_add(o, "Id", psrp_value_new_i32(id));
    psrp_object_add(o, "PSComputerName", psrp_value_new_string("srv")); /* hidden */
    return o;
}

static void test_primitives(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_TEXT, "srv", 0);
    psrp_value *v[] = {psrp_value_new_string("hello"), psrp_value_new_i32(-42),
                       psrp_value_new_bool(1), psrp_value_new_nil()};
    for (int i = 0; i < 4; i++) {
        psr_render_output(r, v[i]);
        psrp_value_free(v[i]);
    }
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_STRING_EQUAL(s.out_text, "hello\n-42\nTrue\n"); /* $null prints nothing */
    CU_ASSERT_EQUAL(s.err_len, 0);
    free_sink(&s);
}

static void test_table(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_TEXT, "srv", 0);
    psrp_value *a = process("pwsh", 1234), *b = process("sh", 7);
    psr_render_output(r, a);
    psr_render_output(r, b);
    psrp_value_free(a);
    psrp_value_free(b);
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_STRING_EQUAL(s.out_text, "\n"
                                       "Name   Id\n"
                                       "----   --\n"
                                       "pwsh 1234\n"
                                       "sh      7\n");
    free_sink(&s);
}

static void test_list(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_TEXT, NULL, 0);
    psrp_value *o = psrp_value_new_object(NULL);
    const char *names[] = {"A", "Beta", "C", "D", "E"};
    for (int i = 0; i < 5; i++)
        psrp_object_add(o, names[i], psrp_value_new_i32(i));
    psr_render_output(r, o);
    psrp_value_free(o);
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_STRING_EQUAL(s.out_text, "\nA    : 0\nBeta : 1\nC    : 2\nD    : 3\nE    : 4\n");
    free_sink(&s);
}

static void test_to_string_and_collection(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_TEXT, NULL, 0);
    psrp_value *dt = psrp_value_new_object(NULL);
    psrp_object_set_to_string(dt, "Monday, November 23, 2026 10:15:00 PM");
    psrp_value *list = psrp_value_new_collection(PSRP_COLL_LIST, NULL);
    psrp_list_append(list, psrp_value_new_i32(1));
    psrp_list_append(list, psrp_value_new_string("two"));
    psr_render_output(r, dt);
    psr_render_output(r, list);
    psrp_value_free(dt);
    psrp_value_free(list);
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_STRING_EQUAL(s.out_text, "Monday, November 23, 2026 10:15:00 PM\n{1, two}\n");
    free_sink(&s);
}

static void test_error_record(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_TEXT, "srv1", 0);
    psrp_error_record rec = {
        .message = "it broke",
        .category_message = "NotSpecified: (:) [Write-Error], WriteErrorException",
        .fully_qualified_error_id = "Microsoft.PowerShell.Commands.WriteErrorException",
    };
    psr_render_error(r, &rec);
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_STRING_EQUAL(s.err_text,
                           "it broke\n"
                           "    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\n"
                           "    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException\n"
                           "    + PSComputerName        : srv1\n"
                           "\n");
    CU_ASSERT_EQUAL(s.out_len, 0);
    free_sink(&s);
}

static void test_records_and_host(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_TEXT, "srv", 1);
    psrp_msg_informational w = {.message = "careful"}, v = {.message = "chatty"};
    psr_render_informational(r, PSRP_PIPELINE_EV_WARNING, &w);
    psr_render_informational(r, PSRP_PIPELINE_EV_VERBOSE, &v);
    psr_render_host_write(r, "no newline ", 0, 0);
    psr_render_host_write(r, "then the rest", 1, 0);
    psr_render_host_write(r, "two\nlines", 1, 0);
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_STRING_EQUAL(s.err_text, "srv: WARNING: careful\nsrv: VERBOSE: chatty\n");
    CU_ASSERT_STRING_EQUAL(s.out_text, "srv: no newline then the rest\nsrv: two\nsrv: lines\n");
    free_sink(&s);
}

static void test_jsonl_and_json(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_JSONL, "srv", 0);
    psrp_value *a = process("pwsh", 1);
    psr_render_output(r, a);
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.out_text, "\"PSComputerName\": \"srv\"") ? s.out_text
                           : strstr(s.out_text, "\"PSComputerName\":\"srv\""));
    CU_ASSERT_EQUAL(strchr(s.out_text, '\n'), s.out_text + s.out_len - 1); /* one line */
    free_sink(&s);

    r = open_render(&s, PSR_OUTPUT_JSON, NULL, 0);
    psr_render_output(r, a);
    psr_render_output(r, a);
    psr_render_free(r);
    close_sink(&s);
    json_error_t jerr;
    json_t *doc = json_loads(s.out_text, 0, &jerr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_TRUE(json_is_array(doc));
    CU_ASSERT_EQUAL(json_array_size(doc), 2);
    json_decref(doc);
    psrp_value_free(a);
    free_sink(&s);
}

static void test_clixml(void)
{
    sink s;
    psr_render *r = open_render(&s, PSR_OUTPUT_CLIXML, NULL, 0);
    psrp_value *v = psrp_value_new_string("x<y");
    psr_render_output(r, v);
    psrp_value_free(v);
    psr_render_free(r);
    close_sink(&s);
    CU_ASSERT_STRING_EQUAL(s.out_text, "<Objs Version=\"1.1.0.1\" "
                                       "xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"
                                       "<S>x&lt;y</S></Objs>\n");
    free_sink(&s);
}

static void test_format_names(void)
{
    psr_output_format f;
    CU_ASSERT_EQUAL(psr_output_format_parse("JSONL", &f), 0);
    CU_ASSERT_EQUAL(f, PSR_OUTPUT_JSONL);
    CU_ASSERT_EQUAL(psr_output_format_parse("yaml", &f), -1);
}

static const psr_unit_test tests[] = {
    {"primitives", test_primitives},
    {"table", test_table},
    {"list", test_list},
    {"ToString and collections", test_to_string_and_collection},
    {"error record", test_error_record},
    {"records and host writes with prefix", test_records_and_host},
    {"json and jsonl", test_jsonl_and_json},
    {"clixml", test_clixml},
    {"format names", test_format_names},
    {NULL, NULL},
};
PSR_UNIT_MAIN("render", tests)
