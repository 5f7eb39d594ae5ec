/* fragment.c: PSRP fragment header, fragmenter queue and streaming
 * defragmenter (see fragment.h; MS-PSRP 2.2.4, 3.1.5.1.1, 3.1.5.1.2). */
#include "psrp/fragment.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

void psrp_fragment_header_encode(const psrp_fragment_header *h, uint8_t out[PSRP_FRAGMENT_HEADER_LEN])
{
    put_be64(out, h->object_id);
    put_be64(out + 8, h->fragment_id);
    out[16] = h->flags;
    out[17] = (uint8_t)(h->blob_length >> 24);
    out[18] = (uint8_t)(h->blob_length >> 16);
    out[19] = (uint8_t)(h->blob_length >> 8);
    out[20] = (uint8_t)h->blob_length;
}

void psrp_fragment_header_decode(psrp_fragment_header *h, const uint8_t in[PSRP_FRAGMENT_HEADER_LEN])
{
    h->object_id = get_be64(in);
    h->fragment_id = get_be64(in + 8);
    h->flags = in[16];
    h->blob_length = ((uint32_t)in[17] << 24) | ((uint32_t)in[18] << 16) | ((uint32_t)in[19] << 8) | in[20];
}

int psrp_fragment_append(psr_buf *out, const psrp_fragment_header *h, const void *blob)
{
    uint8_t hdr[PSRP_FRAGMENT_HEADER_LEN];
    psrp_fragment_header_encode(h, hdr);
    if (psr_buf_reserve(out, sizeof(hdr) + h->blob_length))
        return PSR_E_NOMEM;
    psr_buf_append(out, hdr, sizeof(hdr));
    return psr_buf_append(out, blob, h->blob_length);
}

/* ---- fragmenter ---- */

typedef struct out_msg {
    struct out_msg *next;
    char stream[16];
    uint8_t *data;
    size_t len;
    size_t sent;          /* bytes already put into fragments */
    uint64_t object_id;
    uint64_t next_fragment_id;
} out_msg;

struct psrp_fragmenter {
    uint64_t *next_object_id;
    out_msg *head, *tail;
    size_t pending;
};

psrp_fragmenter *psrp_fragmenter_new(uint64_t *next_object_id)
{
    if (!next_object_id)
        return NULL;
    psrp_fragmenter *f = calloc(1, sizeof(*f));
    if (f)
        f->next_object_id = next_object_id;
    return f;
}

static void out_msg_free(out_msg *m)
{
    free(m->data);
    free(m);
}

void psrp_fragmenter_free(psrp_fragmenter *f)
{
    if (!f)
        return;
    while (f->head) {
        out_msg *m = f->head;
        f->head = m->next;
        out_msg_free(m);
    }
    free(f);
}

int psrp_fragmenter_add(psrp_fragmenter *f, const char *stream, const void *msg, size_t len,
                        uint64_t *object_id, psr_error *err)
{
    if (!stream || strlen(stream) >= sizeof(((out_msg *)0)->stream))
        return psr_error_set(err, PSR_E_INVALID, "PSRP fragmenter: stream name missing or too long");
    if (len > UINT32_MAX)
        return psr_error_set(err, PSR_E_INVALID, "PSRP fragmenter: message of %zu bytes is too large", len);
    out_msg *m = calloc(1, sizeof(*m));
    if (!m || !(m->data = malloc(len ? len : 1))) {
        free(m);
        return psr_error_set(err, PSR_E_NOMEM, "PSRP fragmenter: out of memory queuing %zu bytes", len);
    }
    if (len)
        memcpy(m->data, msg, len);
    m->len = len;
    strcpy(m->stream, stream);
    m->object_id = (*f->next_object_id)++;
    if (object_id)
        *object_id = m->object_id;
    if (f->tail)
        f->tail->next = m;
    else
        f->head = m;
    f->tail = m;
    f->pending += len;
    return 0;
}

size_t psrp_fragmenter_pending(const psrp_fragmenter *f)
{
    return f ? f->pending : 0;
}

const char *psrp_fragmenter_next_stream(const psrp_fragmenter *f)
{
    return f && f->head ? f->head->stream : NULL;
}

long psrp_fragmenter_next_payload(psrp_fragmenter *f, psr_buf *out, size_t max_payload, psr_error *err)
{
    if (max_payload <= PSRP_FRAGMENT_HEADER_LEN || max_payload > LONG_MAX)
        return psr_error_set(err, PSR_E_INVALID,
                             "PSRP fragmenter: a payload of %zu bytes cannot hold a fragment "
                             "(the header alone is %d bytes); raise MaxEnvelopeSize",
                             max_payload, PSRP_FRAGMENT_HEADER_LEN);
    if (!f->head)
        return 0;
    char stream[sizeof(f->head->stream)];
    strcpy(stream, f->head->stream);
    size_t used = 0;
    /* A payload is filled to the last byte; an empty message still needs one
     * (header-only) fragment, hence the sent == 0 test. */
    while (f->head && strcmp(f->head->stream, stream) == 0 && max_payload - used > PSRP_FRAGMENT_HEADER_LEN) {
        out_msg *m = f->head;
        size_t room = max_payload - used - PSRP_FRAGMENT_HEADER_LEN;
        size_t left = m->len - m->sent;
        size_t take = left < room ? left : room;
        psrp_fragment_header h = {
            .object_id = m->object_id,
            .fragment_id = m->next_fragment_id,
            .flags = (uint8_t)((m->sent == 0 ? PSRP_FRAGMENT_START : 0) | (take == left ? PSRP_FRAGMENT_END : 0)),
            .blob_length = (uint32_t)take,
        };
        if (psrp_fragment_append(out, &h, m->data + m->sent))
            return psr_error_set(err, PSR_E_NOMEM, "PSRP fragmenter: out of memory");
        used += PSRP_FRAGMENT_HEADER_LEN + take;
        m->sent += take;
        m->next_fragment_id++;
        f->pending -= take;
        if (m->sent == m->len) {
            f->head = m->next;
            if (!f->head)
                f->tail = NULL;
            out_msg_free(m);
        }
    }
    return (long)used;
}

/* ---- defragmenter ---- */

typedef struct partial {
    int in_use;
    uint64_t object_id;
    uint64_t next_fragment_id;
    psr_buf data;
} partial;

typedef struct done_msg {
    struct done_msg *next;
    psrp_defrag_message msg;
} done_msg;

struct psrp_defragmenter {
    size_t max_object_size;
    uint8_t hdr[PSRP_FRAGMENT_HEADER_LEN];
    size_t hdr_have;
    psrp_fragment_header cur; /* valid while blob_left or in_blob */
    int in_blob;
    uint32_t blob_left;
    partial *cur_slot;
    uint64_t offset;       /* bytes consumed since creation */
    uint64_t frag_offset;  /* where the current fragment's header began */
    int failed;
    partial slots[PSRP_DEFRAG_MAX_PARTIAL];
    done_msg *done_head, *done_tail;
};

psrp_defragmenter *psrp_defragmenter_new(size_t max_object_size)
{
    psrp_defragmenter *d = calloc(1, sizeof(*d));
    if (d)
        d->max_object_size = max_object_size ? max_object_size : PSRP_DEFAULT_MAX_OBJECT_SIZE;
    return d;
}

void psrp_defrag_message_clear(psrp_defrag_message *m)
{
    if (!m)
        return;
    free(m->data);
    memset(m, 0, sizeof(*m));
}

void psrp_defragmenter_free(psrp_defragmenter *d)
{
    if (!d)
        return;
    for (int i = 0; i < PSRP_DEFRAG_MAX_PARTIAL; i++)
        psr_buf_free(&d->slots[i].data);
    while (d->done_head) {
        done_msg *m = d->done_head;
        d->done_head = m->next;
        psrp_defrag_message_clear(&m->msg);
        free(m);
    }
    free(d);
}

static int fail(psrp_defragmenter *d, psr_error *err, psr_status code, const char *what)
{
    d->failed = 1;
    return psr_error_set(err, code,
                         "PSRP fragment (object %" PRIu64 ", fragment %" PRIu64 ", stream offset %" PRIu64
                         "): %s",
                         d->cur.object_id, d->cur.fragment_id, d->frag_offset, what);
}

static partial *find_slot(psrp_defragmenter *d, uint64_t object_id)
{
    for (int i = 0; i < PSRP_DEFRAG_MAX_PARTIAL; i++)
        if (d->slots[i].in_use && d->slots[i].object_id == object_id)
            return &d->slots[i];
    return NULL;
}

static int finish_fragment(psrp_defragmenter *d, psr_error *err)
{
    partial *s = d->cur_slot;
    d->in_blob = 0;
    d->hdr_have = 0;
    s->next_fragment_id++;
    if (!(d->cur.flags & PSRP_FRAGMENT_END))
        return 0;
    done_msg *m = calloc(1, sizeof(*m));
    if (!m)
        return fail(d, err, PSR_E_NOMEM, "out of memory");
    m->msg.object_id = s->object_id;
    m->msg.data = (uint8_t *)psr_buf_detach(&s->data, &m->msg.len);
    if (!m->msg.data) {
        /* An empty object: hand out a valid pointer all the same. */
        m->msg.data = calloc(1, 1);
        if (!m->msg.data) {
            free(m);
            return fail(d, err, PSR_E_NOMEM, "out of memory");
        }
    }
    s->in_use = 0;
    if (d->done_tail)
        d->done_tail->next = m;
    else
        d->done_head = m;
    d->done_tail = m;
    return 0;
}

static int start_fragment(psrp_defragmenter *d, psr_error *err)
{
    char what[160];
    psrp_fragment_header_decode(&d->cur, d->hdr);
    const psrp_fragment_header *h = &d->cur;
    if (h->blob_length > d->max_object_size) {
        snprintf(what, sizeof(what), "BlobLength %" PRIu32 " exceeds the maximum object size of %zu bytes (MaximumReceivedObjectSize)",
                 h->blob_length, d->max_object_size);
        return fail(d, err, PSR_E_LIMIT, what);
    }
    partial *s = find_slot(d, h->object_id);
    if (h->flags & PSRP_FRAGMENT_START) {
        if (h->fragment_id != 0)
            return fail(d, err, PSR_E_PARSE, "start fragment must have FragmentId 0");
        if (s)
            return fail(d, err, PSR_E_PARSE, "object started again before its end fragment arrived");
        for (int i = 0; i < PSRP_DEFRAG_MAX_PARTIAL && !s; i++)
            if (!d->slots[i].in_use)
                s = &d->slots[i];
        if (!s)
            return fail(d, err, PSR_E_LIMIT, "too many objects interleaved at once");
        s->in_use = 1;
        s->object_id = h->object_id;
        s->next_fragment_id = 0;
        psr_buf_reset(&s->data);
    } else {
        if (!s)
            return fail(d, err, PSR_E_PARSE, "missing start fragment (no object in progress with this id)");
        if (h->fragment_id != s->next_fragment_id) {
            snprintf(what, sizeof(what), "FragmentId gap: expected %" PRIu64, s->next_fragment_id);
            return fail(d, err, PSR_E_PARSE, what);
        }
    }
    if (h->blob_length > d->max_object_size - s->data.len) {
        snprintf(what, sizeof(what), "object exceeds the maximum object size of %zu bytes (MaximumReceivedObjectSize)",
                 d->max_object_size);
        return fail(d, err, PSR_E_LIMIT, what);
    }
    if (psr_buf_reserve(&s->data, h->blob_length))
        return fail(d, err, PSR_E_NOMEM, "out of memory");
    d->cur_slot = s;
    d->in_blob = 1;
    d->blob_left = h->blob_length;
    if (d->blob_left == 0)
        return finish_fragment(d, err);
    return 0;
}

int psrp_defragmenter_feed(psrp_defragmenter *d, const void *data, size_t len, psr_error *err)
{
    if (d->failed)
        return psr_error_set(err, PSR_E_STATE, "PSRP defragmenter: input refused after an earlier error");
    const uint8_t *p = data;
    while (len > 0) {
        if (!d->in_blob) {
            if (d->hdr_have == 0)
                d->frag_offset = d->offset;
            size_t n = PSRP_FRAGMENT_HEADER_LEN - d->hdr_have;
            if (n > len)
                n = len;
            memcpy(d->hdr + d->hdr_have, p, n);
            d->hdr_have += n;
            p += n;
            len -= n;
            d->offset += n;
            if (d->hdr_have == PSRP_FRAGMENT_HEADER_LEN) {
                int rc = start_fragment(d, err);
                if (rc)
                    return rc;
            }
            continue;
        }
        size_t n = d->blob_left < len ? d->blob_left : len;
        psr_buf_append(&d->cur_slot->data, p, n); /* reserved in start_fragment */
        d->blob_left -= (uint32_t)n;
        p += n;
        len -= n;
        d->offset += n;
        if (d->blob_left == 0) {
            int rc = finish_fragment(d, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int psrp_defragmenter_end_payload(psrp_defragmenter *d, psr_error *err)
{
    if (d->failed)
        return psr_error_set(err, PSR_E_STATE, "PSRP defragmenter: input refused after an earlier error");
    char what[160];
    if (d->in_blob) {
        snprintf(what, sizeof(what), "BlobLength %" PRIu32 " runs past the end of the payload (%" PRIu32
                 " bytes missing)", d->cur.blob_length, d->blob_left);
        return fail(d, err, PSR_E_PARSE, what);
    }
    if (d->hdr_have) {
        memset(&d->cur, 0, sizeof(d->cur));
        snprintf(what, sizeof(what), "payload ends inside a fragment header (%zu of %d bytes)", d->hdr_have,
                 PSRP_FRAGMENT_HEADER_LEN);
        return fail(d, err, PSR_E_PARSE, what);
    }
    return 0;
}

int psrp_defragmenter_feed_payload(psrp_defragmenter *d, const void *data, size_t len, psr_error *err)
{
    int rc = psrp_defragmenter_feed(d, data, len, err);
    return rc ? rc : psrp_defragmenter_end_payload(d, err);
}

int psrp_defragmenter_next(psrp_defragmenter *d, psrp_defrag_message *out)
{
    done_msg *m = d->done_head;
    if (!m)
        return 0;
    d->done_head = m->next;
    if (!d->done_head)
        d->done_tail = NULL;
    *out = m->msg;
    free(m);
    return 1;
}
