/* fuzz_wsman_response.c: the client's response parser on hostile input.
 *
 * Input: the bytes of one HTTP response body. Whatever parses is also turned
 * into an error (faults) or walked (streams) so every field gets read.
 *
 * Differential: the SAX path (wsman/response_sax.c) must read each input
 * exactly as the DOM path does, or leave it to the DOM path; any difference
 * aborts (tests/unit/wsman_diff.h). One reader lives across all inputs, so
 * a parser reused after hostile inputs is checked as well. */
#include "tests/unit/wsman_diff.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = psr_wsman_diff(psr_wsman_shared_reader(), (const char *)data, size, NULL);
    if (why) {
        fprintf(stderr, "fuzz_wsman_response: %s\n", why);
        abort();
    }
    wsman_response r;
    psr_error err;
    if (wsman_parse_response((const char *)data, size, &r, &err) != 0)
        return 0;
    if (r.kind == WSMAN_RESP_FAULT)
        wsman_fault_to_error(&r.fault, &err);
    size_t total = 0;
    for (size_t i = 0; i < r.n_streams; i++)
        total += r.streams[i].data.len + (r.streams[i].name[0] != '\0');
    (void)total;
    wsman_response_clear(&r);
    return 0;
}
