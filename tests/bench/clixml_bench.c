/* clixml_bench.c: throughput of the streaming CLIXML deserializer.
 *
 * Builds ~100 MB of Get-Process-like objects (an <Objs> document as
 * Export-Clixml writes it: 20 properties each, type names once then TNRef,
 * nested objects, strings that need _xHHHH_ escapes), then feeds it to the
 * push reader in 64 KiB chunks and prints MB/s and objects/s (by wall clock
 * and per CPU second, since a busy machine skews the first) and memory:
 * peak RSS before and after parsing, so growth with the stream is visible.
 * Two reference points follow: the reader keeping no objects for <Ref>s
 * across values (max_ref_objects 0), and libxml2's SAX2 parser alone with
 * empty callbacks on the same bytes, the ceiling of any deserializer built
 * on it; the share of that ceiling reached says more than MB/s on a
 * machine whose speed varies with its load.
 * Not part of make check: run `make bench-clixml`. Usage:
 *   clixml_bench [megabytes [passes]]   (default 100 1) */
#include "psrp/clixml.h"

#include <libxml/parser.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *const process_types[] = { "System.Diagnostics.Process", "System.ComponentModel.Component",
                                             "System.MarshalByRefObject", "System.Object", NULL };
static const char *const module_types[] = { "System.Diagnostics.ProcessModule", "System.ComponentModel.Component",
                                            "System.MarshalByRefObject", "System.Object", NULL };

/* One Get-Process-like object; i varies the values. */
static psrp_value *make_process(unsigned i)
{
    char name[64], path[160], text[128];
    snprintf(name, sizeof(name), "svchost_%u", i % 977);
    snprintf(path, sizeof(path), "C:\\Windows\\System32\\svchost_%u.exe", i % 977);
    psrp_value *p = psrp_value_new_object(process_types);
    snprintf(text, sizeof(text), "System.Diagnostics.Process (%s)", name);
    int rc = psrp_object_set_to_string(p, text);
    rc |= psrp_object_add_adapted(p, "Name", psrp_value_new_string(name));
    rc |= psrp_object_add_adapted(p, "Id", psrp_value_new_i32((int32_t)(i * 4 + 100)));
    rc |= psrp_object_add_adapted(p, "Handles", psrp_value_new_i32((int32_t)(i % 5000)));
    rc |= psrp_object_add_adapted(p, "CPU", psrp_value_new_double(i * 0.015625 + 1.5));
    rc |= psrp_object_add_adapted(p, "WorkingSet64", psrp_value_new_i64((int64_t)i * 40960 + 8192000));
    rc |= psrp_object_add_adapted(p, "PagedMemorySize64", psrp_value_new_i64((int64_t)i * 4096 + 1024000));
    rc |= psrp_object_add_adapted(p, "VirtualMemorySize64", psrp_value_new_i64((int64_t)i * 65536 + 2199023255552));
    rc |= psrp_object_add_adapted(p, "Path", psrp_value_new_string(path));
    rc |= psrp_object_add_adapted(p, "Company", psrp_value_new_string("Microsoft Corporation"));
    rc |= psrp_object_add_adapted(p, "Description", psrp_value_new_string("Host Process for Windows Services"));
    rc |= psrp_object_add_adapted(p, "FileVersion", psrp_value_new_string("10.0.17763.1 (WinBuild.160101.0800)"));
    rc |= psrp_object_add_adapted(p, "StartTime", psrp_value_new_text(PSRP_V_DATETIME, "2024-03-01T08:15:42.1234567+01:00", 33));
    rc |= psrp_object_add_adapted(p, "TotalProcessorTime", psrp_value_new_text(PSRP_V_TIMESPAN, "PT1M5.25S", 9));
    rc |= psrp_object_add_adapted(p, "Responding", psrp_value_new_bool(i % 7 != 0));
    rc |= psrp_object_add_adapted(p, "SessionId", psrp_value_new_i32((int32_t)(i % 3)));
    rc |= psrp_object_add_adapted(p, "PriorityClass",
                                  psrp_value_new_enum("System.Diagnostics.ProcessPriorityClass", "Normal", 32));
    rc |= psrp_object_add_adapted(p, "MainWindowTitle", psrp_value_new_string(i % 5 ? "" : "Line one\r\nLine_x two"));
    rc |= psrp_object_add_adapted(p, "HasExited", psrp_value_new_bool(0));
    psrp_value *module = psrp_value_new_object(module_types);
    rc |= psrp_object_set_to_string(module, "System.Diagnostics.ProcessModule (svchost.exe)");
    rc |= psrp_object_add_adapted(module, "ModuleName", psrp_value_new_string("svchost.exe"));
    rc |= psrp_object_add_adapted(module, "FileName", psrp_value_new_string(path));
    rc |= psrp_object_add_adapted(p, "MainModule", module);
    psrp_value *threads = psrp_value_new_collection(PSRP_COLL_LIST, NULL);
    for (unsigned t = 0; t < 3; t++)
        rc |= psrp_list_append(threads, psrp_value_new_i32((int32_t)(i * 8 + t)));
    rc |= psrp_object_add_adapted(p, "Threads", threads);
    if (rc) {
        psrp_value_free(p);
        return NULL;
    }
    return p;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds this process has used: on a shared, loaded machine a fairer
 * measure than wall time. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

typedef struct tally {
    uint64_t objects;
    uint64_t props;
} tally;

static int count_value(void *ctx, psrp_value *v, psr_error *err)
{
    (void)err;
    tally *t = ctx;
    t->objects++;
    t->props += v->kind == PSRP_V_OBJECT ? v->u.obj.n_adapted : 0;
    return 0;
}

/* Feeds the whole document to a new reader with these limits (NULL: the
 * defaults) in 64 KiB chunks; wall-clock and CPU seconds of it. */
static int run_reader(const psr_buf *doc, const psrp_clixml_limits *lim, tally *t, double *secs, double *cpu,
                      psr_error *err)
{
    const size_t chunk = 64 * 1024;
    *t = (tally){ 0, 0 };
    psrp_clixml_reader *r = psrp_clixml_reader_new(lim, count_value, t);
    if (!r)
        return PSR_E_NOMEM;
    double t0 = now_seconds(), c0 = cpu_seconds();
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < doc->len; off += chunk)
        rc = psrp_clixml_reader_feed(r, doc->data + off, doc->len - off < chunk ? doc->len - off : chunk, err);
    if (rc == 0)
        rc = psrp_clixml_reader_finish(r, err);
    *secs = now_seconds() - t0;
    *cpu = cpu_seconds() - c0;
    psrp_clixml_reader_free(r);
    return rc;
}

static void sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri, int nb_ns,
                      const xmlChar **ns, int nb_attrs, int nb_defaulted, const xmlChar **attrs)
{
    (void)localname; (void)prefix; (void)uri; (void)nb_ns; (void)ns; (void)nb_attrs; (void)nb_defaulted;
    (void)attrs;
    ++*(uint64_t *)ctx;
}

static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)ctx; (void)localname; (void)prefix; (void)uri;
}

static void sax_text(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx; (void)ch; (void)len;
}

/* CPU seconds of libxml2's push parser alone on the document, with the
 * reader's options and piece size; 0 when it cannot run. */
static double sax_only_cpu(const psr_buf *doc)
{
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = sax_start;
    sax.endElementNs = sax_end;
    sax.characters = sax_text;
    uint64_t elements = 0;
    double c0 = cpu_seconds();
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, &elements, NULL, 0, NULL);
    if (!ctxt)
        return 0;
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    const size_t piece = 16384;
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < doc->len; off += piece)
        rc = xmlParseChunk(ctxt, doc->data + off, (int)(doc->len - off < piece ? doc->len - off : piece), 0);
    if (rc == 0)
        rc = xmlParseChunk(ctxt, NULL, 0, 1);
    xmlFreeParserCtxt(ctxt);
    double c = cpu_seconds() - c0;
    return rc == 0 && elements ? c : 0;
}

int main(int argc, char **argv)
{
    size_t target = (size_t)(argc > 1 ? atof(argv[1]) : 100.0) * 1000 * 1000;
    psr_buf doc = { 0 };
    psr_error err = { 0 };
    psrp_clixml_writer *w = psrp_clixml_writer_new(0);
    if (!w || psr_buf_puts(&doc, "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"))
        return 2;
    unsigned made = 0;
    while (doc.len < target) {
        psrp_value *p = make_process(made++);
        if (!p || psrp_clixml_writer_write(w, &doc, p, NULL, &err) != 0) {
            fprintf(stderr, "clixml_bench: cannot build input: %s\n", err.message);
            return 2;
        }
        psrp_value_free(p);
    }
    if (psr_buf_puts(&doc, "</Objs>"))
        return 2;
    psrp_clixml_writer_free(w);
    long rss_before = peak_rss_kb();

    /* A second argument parses the input that many times (the last pass is
     * reported), so a profiler sees the parser rather than the generator. */
    int passes = argc > 2 ? atoi(argv[2]) : 1;
    tally t = { 0, 0 };
    double secs = 0, cpu = 0;
    int rc = 0;
    for (int pass = 0; rc == 0 && pass < (passes > 0 ? passes : 1); pass++)
        rc = run_reader(&doc, NULL, &t, &secs, &cpu, &err);
    long rss_after = peak_rss_kb();
    if (rc != 0 || t.objects != made) {
        fprintf(stderr, "clixml_bench: %s (got %" PRIu64 " of %u objects)\n", rc ? err.message : "lost objects",
                t.objects, made);
        return 1;
    }
    double mb = doc.len / 1e6;
    printf("clixml deserializer: %.1f MB, %" PRIu64 " objects (%" PRIu64 " adapted properties) in %.3f s\n", mb,
           t.objects, t.props, secs);
    printf("  throughput: %.1f MB/s, %.0f objects/s (wall clock)\n", mb / secs, t.objects / secs);
    printf("  per CPU second: %.1f MB/s, %.0f objects/s (%.3f s of CPU)\n", mb / cpu, t.objects / cpu, cpu);
    printf("  peak RSS: %ld KiB after building the input, %ld KiB after parsing (growth %ld KiB)\n", rss_before,
           rss_after, rss_after - rss_before);

    psrp_clixml_limits none;
    psrp_clixml_limits_default(&none);
    none.max_ref_objects = 0;
    double secs0 = 0, cpu0 = 0;
    tally t0 = { 0, 0 };
    if (run_reader(&doc, &none, &t0, &secs0, &cpu0, &err) != 0 || t0.objects != made) {
        fprintf(stderr, "clixml_bench: %s\n", err.message);
        return 1;
    }
    printf("  keeping no objects for <Ref>s across values: %.1f MB/s per CPU second\n", mb / cpu0);
    double sax = sax_only_cpu(&doc);
    if (sax > 0)
        printf("  libxml2 SAX2 alone, empty callbacks: %.1f MB/s per CPU second; the deserializer reaches %.0f%%"
               " of it\n", mb / sax, 100.0 * sax / cpu);
    psr_buf_free(&doc);
    return 0;
}
