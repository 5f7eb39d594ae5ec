/* fragment.h: PSRP fragments (MS-PSRP 2.2.4), splitting messages into them and
 * putting them back together.
 *
 * Wire format of one fragment (all integers big-endian, 21-byte header):
 *   ObjectId u64 | FragmentId u64 | flags u8 (S=0x1 start, E=0x2 end) |
 *   BlobLength u32 | Blob
 * Every PSRP message is sent as one or more fragments with the same ObjectId
 * and FragmentIds 0, 1, 2, ... (3.1.5.1.1). One fragment never spans two
 * WS-Man payloads, but one payload carries as many fragments as fit.
 *
 * Sending: psrp_fragmenter is a queue of outgoing messages. Add whole
 * messages (each gets the next ObjectId of a counter the caller owns, so a
 * runspace pool and its pipelines can share one), then ask for payloads of at
 * most N bytes; each payload is the bytes of one WS-Man stream element (or
 * creationXml / Command Arguments after base64). Fragments are cut to fill the
 * space left in the payload, so no byte of a payload is wasted.
 *
 * Receiving: psrp_defragmenter is streaming. Feed it bytes in any chunks
 * (headers may be split across calls, fragments of several objects may be
 * interleaved); pull completed messages with psrp_defragmenter_next. Call
 * psrp_defragmenter_end_payload when one WS-Man payload is over, so a
 * fragment whose BlobLength runs past the payload is reported.
 *
 * Ownership: both objects own their buffers; x_free(NULL) is a no-op.
 * Messages handed out by psrp_defragmenter_next belong to the caller. */
#ifndef PSR_PSRP_FRAGMENT_H
#define PSR_PSRP_FRAGMENT_H

#include "common/buf.h"
#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>

#define PSRP_FRAGMENT_HEADER_LEN 21
#define PSRP_FRAGMENT_START 0x01
#define PSRP_FRAGMENT_END 0x02

/* PowerShell's default MaximumReceivedObjectSize (10 MB). */
#define PSRP_DEFAULT_MAX_OBJECT_SIZE (10u * 1024u * 1024u)
/* Objects whose fragments may be in flight at once on one stream. Windows
 * sends one object's fragments back to back; a few spare slots tolerate
 * interleaving without letting a peer pin unbounded memory. */
#define PSRP_DEFRAG_MAX_PARTIAL 8

typedef struct psrp_fragment_header {
    uint64_t object_id;
    uint64_t fragment_id;
    uint8_t flags; /* PSRP_FRAGMENT_START | PSRP_FRAGMENT_END */
    uint32_t blob_length;
} psrp_fragment_header;

void psrp_fragment_header_encode(const psrp_fragment_header *h, uint8_t out[PSRP_FRAGMENT_HEADER_LEN]);
void psrp_fragment_header_decode(psrp_fragment_header *h, const uint8_t in[PSRP_FRAGMENT_HEADER_LEN]);

/* Appends one whole fragment (header + blob) to out. 0 or PSR_E_NOMEM. */
int psrp_fragment_append(psr_buf *out, const psrp_fragment_header *h, const void *blob);

/* ---- sending ---- */

typedef struct psrp_fragmenter psrp_fragmenter;

/* next_object_id points at the counter to draw ObjectIds from (it is
 * incremented per message; start it at 1 like PowerShell). It must outlive
 * the fragmenter. Returns NULL when out of memory. */
psrp_fragmenter *psrp_fragmenter_new(uint64_t *next_object_id);
void psrp_fragmenter_free(psrp_fragmenter *f);

/* Queues a copy of a whole PSRP message. stream is the WS-Man stream it must
 * travel on ("stdin" or "pr"), copied. If object_id is not NULL it receives
 * the ObjectId assigned. 0 or PSR_E_NOMEM / PSR_E_INVALID. */
int psrp_fragmenter_add(psrp_fragmenter *f, const char *stream, const void *msg, size_t len,
                        uint64_t *object_id, psr_error *err);

/* Bytes still queued (message data, not counting headers). */
size_t psrp_fragmenter_pending(const psrp_fragmenter *f);

/* Stream of the next payload ("stdin", "pr"), or NULL when the queue is empty. */
const char *psrp_fragmenter_next_stream(const psrp_fragmenter *f);

/* Appends to out the next payload of at most max_payload bytes: fragments
 * of the queued messages, in order, all bound for the same stream (the one
 * psrp_fragmenter_next_stream named before the call). Returns the number of
 * bytes appended (0 when the queue is empty) or a negative status:
 * PSR_E_INVALID when max_payload cannot hold a header and one byte. */
long psrp_fragmenter_next_payload(psrp_fragmenter *f, psr_buf *out, size_t max_payload, psr_error *err);

/* ---- receiving ---- */

typedef struct psrp_defragmenter psrp_defragmenter;

typedef struct psrp_defrag_message {
    uint64_t object_id;
    uint8_t *data; /* the whole PSRP message; free() it (or psrp_defrag_message_clear) */
    size_t len;
} psrp_defrag_message;

/* max_object_size 0 means PSRP_DEFAULT_MAX_OBJECT_SIZE. NULL on no memory. */
psrp_defragmenter *psrp_defragmenter_new(size_t max_object_size);
void psrp_defragmenter_free(psrp_defragmenter *d);

/* Consumes len bytes. Errors (PSR_E_PARSE, PSR_E_LIMIT, PSR_E_NOMEM) name
 * the object id, fragment id and byte offset in the stream; after an error
 * the defragmenter refuses further input (the spec's answer to a broken
 * stream is to close the pool or stop the pipeline). */
int psrp_defragmenter_feed(psrp_defragmenter *d, const void *data, size_t len, psr_error *err);

/* Marks the end of one WS-Man payload: a fragment cut off here is an error
 * (BlobLength past the data), since fragments never span payloads. */
int psrp_defragmenter_end_payload(psrp_defragmenter *d, psr_error *err);

/* Feed + end_payload for one whole payload. */
int psrp_defragmenter_feed_payload(psrp_defragmenter *d, const void *data, size_t len, psr_error *err);

/* Moves the oldest completed message into out. Returns 1 when one was
 * there, 0 when none is ready. */
int psrp_defragmenter_next(psrp_defragmenter *d, psrp_defrag_message *out);

void psrp_defrag_message_clear(psrp_defrag_message *m);

#endif
