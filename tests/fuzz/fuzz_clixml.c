/* fuzz_clixml.c: the streaming CLIXML deserializer on hostile input.
 *
 * Input: one control byte, then stream bytes. The control byte picks the
 * chunk size (1..64, so tags and escapes get split across calls) and, for
 * some inputs, small limits so the limit paths run too (including the
 * objects kept for <Ref>s across top-level values being dropped). Every value that
 * comes out is serialized again and converted to JSON, so the writer and
 * the JSON mapping see whatever the reader can produce. */
#include "psrp/clixml.h"
#include "psrp/json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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
    return 0;
}
