/* fuzz_wsman_request.c: the server's (psremote-harness) request parser on
 * hostile input.
 *
 * Input: the bytes of one HTTP request body, as a client could send it. */
#include "wsman/wsman.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsman_request r;
    psr_error err;
    if (wsman_parse_request((const char *)data, size, &r, &err) != 0)
        return 0;
    (void)wsman_request_option(&r, "WINRS_CODEPAGE");
    size_t total = 0;
    for (size_t i = 0; i < r.n_streams; i++)
        total += r.streams[i].data.len;
    for (size_t i = 0; i < r.n_arguments; i++)
        total += r.arguments[i] != NULL;
    (void)total;
    wsman_request_clear(&r);
    return 0;
}
