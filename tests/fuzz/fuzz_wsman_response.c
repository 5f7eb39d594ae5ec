/* fuzz_wsman_response.c: the client's response parser on hostile input.
 *
 * Input: the bytes of one HTTP response body. Whatever parses is also turned
 * into an error (faults) or walked (streams) so every field gets read. */
#include "wsman/wsman.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
