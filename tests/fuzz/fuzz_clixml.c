/* fuzz_clixml.c: the streaming CLIXML deserializer on hostile input.
 *
 * Input: one control byte, then stream bytes. The control byte picks the
 * chunk size (1..64, so tags and escapes get split across calls) and, for
 * some inputs, small limits so the limit paths run too (including the
 * objects kept for <Ref>s across top-level values being dropped). Every value that
 * comes out is serialized again and converted to JSON, so the writer and
 * the JSON mapping see whatever the reader can produce.
 *
 * Reuse: the stream bytes are also cut in two documents (at the first NUL
 * byte, else in the middle), and one reader, reset in between, must give
 * for each exactly what a fresh reader gives (values, count, error and its
 * byte offset), as a stream and as one value (psrp_clixml_parse_with):
 * whatever the first document left behind must not show in the second. */
#include "psrp/clixml.h"
#include "psrp/json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int exercise(void *ctx, psrp_value *v, psr_error *err)
{
    (void)ctx;
    psr_buf out = { 0 };
    if (psrp_clixml_serialize(&out, v, err) == 0) {
        /* What we write must read back. */
        psrp_value *again = NULL;
        if (psrp_clixml_parse(out.data, out.len, NULL, &again, err) != 0)
            abort();
        psrp_value_free(again);
    }
    psr_buf_reset(&out);
    psrp_value_to_json_text(&out, v, 0, err);
    psr_buf_free(&out);
    return 0;
}

/* What a stream gave: every value serialized, the count, the outcome. */
typedef struct outcome {
    psr_buf text;
    uint64_t count;
    int rc;
    psr_error err;
} outcome;

static int transcribe(void *ctx, psrp_value *v, psr_error *err)
{
    outcome *o = ctx;
    if (psrp_clixml_serialize(&o->text, v, err) != 0)
        psr_buf_puts(&o->text, "(unserializable)");
    return psr_buf_putc(&o->text, '\n') ? PSR_E_NOMEM : 0;
}

/* Feeds a stream to r (reset first) or, r NULL, to a fresh reader. */
static void run_stream(psrp_clixml_reader *r, const psrp_clixml_limits *lim, const uint8_t *d, size_t n, size_t chunk,
                       outcome *o)
{
    memset(o, 0, sizeof(*o));
    psrp_clixml_reader *own = NULL;
    if (r)
        psrp_clixml_reader_reset(r, lim, transcribe, o);
    else if (!(r = own = psrp_clixml_reader_new(lim, transcribe, o)))
        abort();
    for (size_t at = 0; o->rc == 0 && at < n; at += chunk)
        o->rc = psrp_clixml_reader_feed(r, d + at, n - at < chunk ? n - at : chunk, &o->err);
    if (o->rc == 0)
        o->rc = psrp_clixml_reader_finish(r, &o->err);
    o->count = psrp_clixml_reader_count(r);
    psrp_clixml_reader_free(own);
}

static void same_outcome(outcome *a, outcome *b)
{
    if (a->rc != b->rc || a->count != b->count || memcmp(&a->err, &b->err, sizeof(a->err)) != 0 ||
        a->text.len != b->text.len || (a->text.len && memcmp(a->text.data, b->text.data, a->text.len) != 0))
        abort();
    psr_buf_free(&a->text);
    psr_buf_free(&b->text);
}

/* One value with r and with a fresh reader. */
static void same_value(psrp_clixml_reader *r, const psrp_clixml_limits *lim, const uint8_t *d, size_t n)
{
    psrp_value *a = NULL, *b = NULL;
    psr_error ea, eb;
    memset(&ea, 0, sizeof(ea));
    memset(&eb, 0, sizeof(eb));
    int ra = psrp_clixml_parse((const char *)d, n, lim, &a, &ea);
    int rb = psrp_clixml_parse_with(r, (const char *)d, n, lim, &b, &eb);
    if (ra != rb || memcmp(&ea, &eb, sizeof(ea)) != 0)
        abort();
    if (ra == 0) {
        psr_buf ta = { 0 }, tb = { 0 };
        int sa = psrp_clixml_serialize(&ta, a, NULL), sb = psrp_clixml_serialize(&tb, b, NULL);
        if (sa != sb || ta.len != tb.len || (ta.len && memcmp(ta.data, tb.data, ta.len) != 0) || b->refs != 1)
            abort();
        psr_buf_free(&ta);
        psr_buf_free(&tb);
    }
    psrp_value_free(a);
    psrp_value_free(b);
}

static void reuse(const psrp_clixml_limits *lim, const uint8_t *data, size_t size, size_t chunk)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t cut = nul ? (size_t)(nul - data) : size / 2;
    const uint8_t *second = data + cut + (nul ? 1 : 0);
    size_t second_len = size - (size_t)(second - data);
    psrp_clixml_reader *r = psrp_clixml_reader_new(lim, NULL, NULL);
    if (!r)
        return;
    outcome fa, fb, ra, rb;
    run_stream(NULL, lim, data, cut, chunk, &fa);
    run_stream(NULL, lim, second, second_len, chunk, &fb);
    run_stream(r, lim, data, cut, chunk, &ra);
    run_stream(r, lim, second, second_len, chunk, &rb);
    same_outcome(&fa, &ra);
    same_outcome(&fb, &rb);
    /* The second document also right after the whole input. */
    run_stream(NULL, lim, data, size, chunk, &fa);
    run_stream(r, lim, data, size, chunk, &ra);
    same_outcome(&fa, &ra);
    run_stream(r, lim, second, second_len, chunk, &rb);
    run_stream(NULL, lim, second, second_len, chunk, &fb);
    same_outcome(&fb, &rb);
    /* As single values, with the default limits too. */
    same_value(r, lim, data, cut);
    same_value(r, lim, second, second_len);
    same_value(r, NULL, data, size);
    same_value(r, lim, second, second_len);
    psrp_clixml_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] & 0x3F) + 1;
    psrp_clixml_limits lim;
    psrp_clixml_limits_default(&lim);
    if (data[0] & 0x80) {
        lim.max_depth = 8;
        lim.max_object_bytes = 512;
        lim.max_string_bytes = 64;
        lim.max_type_names = 4;
        lim.max_ref_objects = 2;
        lim.max_ref_bytes = 4096;
    }
    data++, size--;
    psrp_clixml_reader *r = psrp_clixml_reader_new(&lim, exercise, NULL);
    if (!r)
        return 0;
    psr_error err;
    int rc = 0;
    for (size_t at = 0; rc == 0 && at < size; at += chunk)
        rc = psrp_clixml_reader_feed(r, data + at, size - at < chunk ? size - at : chunk, &err);
    if (rc == 0)
        psrp_clixml_reader_finish(r, &err);
    psrp_clixml_reader_free(r);
    reuse(&lim, data, size, chunk);
    return 0;
}
