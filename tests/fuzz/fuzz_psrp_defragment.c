/* fuzz_psrp_defragment.c: the streaming PSRP defragmenter and message header
 * parser on hostile input.
 *
 * Input: one control byte, then stream bytes. The control byte picks the
 * chunk size the stream is fed in (1..32, so fragment headers get split
 * across calls) and a small maximum object size for some inputs, so the
 * limit paths run too. Every completed message goes through
 * psrp_message_parse. */
#include "psrp/fragment.h"
#include "psrp/message.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] & 0x1F) + 1;
    size_t max_object = (data[0] & 0x80) ? 4096 : 0;
    data++, size--;
    psrp_defragmenter *d = psrp_defragmenter_new(max_object);
    if (!d)
        return 0;
    psr_error err;
    for (size_t at = 0; at < size; at += chunk) {
        size_t n = size - at < chunk ? size - at : chunk;
        if (psrp_defragmenter_feed(d, data + at, n, &err) != 0)
            break;
        psrp_defrag_message m;
        while (psrp_defragmenter_next(d, &m) == 1) {
            psrp_message msg;
            (void)psrp_message_parse(&msg, m.data, m.len, &err);
            psrp_defrag_message_clear(&m);
        }
    }
    (void)psrp_defragmenter_end_payload(d, &err);
    psrp_defragmenter_free(d);
    return 0;
}
