/* test_psrp_fragment.c: PSRP fragment header, fragmenter and defragmenter
 * (MS-PSRP 2.2.4, 3.1.5.1.1, 3.1.5.1.2). Expected bytes are written out from
 * the spec's layout: ObjectId u64, FragmentId u64, flags (S=1, E=2),
 * BlobLength u32, all big-endian. */
#include "psrp/fragment.h"
#include "psrp/message.h"
#include "test_psrp_util.h"

#include <string.h>

static void test_header_layout(void)
{
    /* ObjectId 1, FragmentId 0, start+end, 0x1234 bytes. */
    static const uint8_t want[21] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0x00, 0x12, 0x34};
    psrp_fragment_header h = {.object_id = 1, .fragment_id = 0, .flags = 3, .blob_length = 0x1234};
    uint8_t got[21];
    psrp_fragment_header_encode(&h, got);
    PSRP_ASSERT_BYTES(got, 21, want, 21);

    static const uint8_t big[21] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x12, 0x13,
                                    0x14, 0x15, 0x16, 0x17, 0x18, 0x02, 0xA0, 0xB0, 0xC0, 0xD0};
    psrp_fragment_header d;
    psrp_fragment_header_decode(&d, big);
    CU_ASSERT_EQUAL(d.object_id, 0x0102030405060708ull);
    CU_ASSERT_EQUAL(d.fragment_id, 0x1112131415161718ull);
    CU_ASSERT_EQUAL(d.flags, PSRP_FRAGMENT_END);
    CU_ASSERT_EQUAL(d.blob_length, 0xA0B0C0D0u);
}

/* Fixture: a message of 50 bytes cut into payloads of at most 40 bytes. */
static void test_fragmenter_split_fixture(void)
{
    uint64_t counter = 5;
    psrp_fragmenter *f = psrp_fragmenter_new(&counter);
    uint8_t msg[50];
    for (int i = 0; i < 50; i++)
        msg[i] = (uint8_t)i;
    uint64_t id = 0;
    CU_ASSERT_EQUAL(psrp_fragmenter_add(f, "stdin", msg, sizeof(msg), &id, NULL), 0);
    CU_ASSERT_EQUAL(id, 5);
    CU_ASSERT_EQUAL(counter, 6);
    psr_buf all = {0}, want = {0};
    long n;
    int payloads = 0;
    while ((n = psrp_fragmenter_next_payload(f, &all, 40, NULL)) > 0) {
        CU_ASSERT(n <= 40);
        payloads++;
    }
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(payloads, 3); /* 19 + 19 + 12 blob bytes */
    CU_ASSERT_EQUAL(psrp_test_read_hex("psrp/fragments_50_bytes_max_40.hex", &want), 0);
    PSRP_ASSERT_BYTES(all.data, all.len, want.data, want.len);
    psr_buf_free(&all);
    psr_buf_free(&want);
    psrp_fragmenter_free(f);
}

static void test_fragmenter_packs_and_separates_streams(void)
{
    uint64_t counter = 1;
    psrp_fragmenter *f = psrp_fragmenter_new(&counter);
    psrp_fragmenter_add(f, "stdin", "aaaa", 4, NULL, NULL);
    psrp_fragmenter_add(f, "stdin", "", 0, NULL, NULL);
    psrp_fragmenter_add(f, "stdin", "bb", 2, NULL, NULL);
    psrp_fragmenter_add(f, "pr", "cc", 2, NULL, NULL);
    CU_ASSERT_EQUAL(psrp_fragmenter_pending(f), 8);
    CU_ASSERT_STRING_EQUAL(psrp_fragmenter_next_stream(f), "stdin");
    psr_buf p = {0};
    /* Three whole stdin messages fit in one payload; the pr one waits. */
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &p, 1000, NULL), 3 * 21 + 6);
    static const uint8_t want[] = {
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4, 'a', 'a', 'a', 'a',
        0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 'b', 'b',
    };
    PSRP_ASSERT_BYTES(p.data, p.len, want, sizeof(want));
    CU_ASSERT_STRING_EQUAL(psrp_fragmenter_next_stream(f), "pr");
    psr_buf_reset(&p);
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &p, 1000, NULL), 23);
    CU_ASSERT_EQUAL((unsigned char)p.data[7], 4);
    CU_ASSERT_PTR_NULL(psrp_fragmenter_next_stream(f));
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &p, 1000, NULL), 0);
    psr_error err;
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &p, 21, &err), PSR_E_INVALID);
    CU_ASSERT(strstr(err.message, "MaxEnvelopeSize") != NULL);
    psr_buf_free(&p);
    psrp_fragmenter_free(f);
    psrp_fragmenter_free(NULL);
}

static void test_fragmenter_fills_rest_of_payload(void)
{
    uint64_t counter = 1;
    psrp_fragmenter *f = psrp_fragmenter_new(&counter);
    psrp_fragmenter_add(f, "stdin", "0123456789", 10, NULL, NULL);
    psrp_fragmenter_add(f, "stdin", "ABCDEFGHIJ", 10, NULL, NULL);
    psr_buf p = {0};
    /* 31 bytes for message 1, then 21 + 8: the second message starts in
     * the same payload and continues in the next. */
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &p, 60, NULL), 60);
    CU_ASSERT_EQUAL(p.data[31 + 16], PSRP_FRAGMENT_START);
    CU_ASSERT_EQUAL(memcmp(p.data + 31 + 21, "ABCDEFGH", 8), 0);
    psr_buf_reset(&p);
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &p, 60, NULL), 23);
    CU_ASSERT_EQUAL(p.data[15], 1); /* FragmentId 1 */
    CU_ASSERT_EQUAL(p.data[16], PSRP_FRAGMENT_END);
    CU_ASSERT_EQUAL(memcmp(p.data + 21, "IJ", 2), 0);
    psr_buf_free(&p);
    psrp_fragmenter_free(f);
}

static void test_defragment_fixture_byte_by_byte(void)
{
    psr_buf in = {0};
    CU_ASSERT_EQUAL(psrp_test_read_hex("psrp/fragments_50_bytes_max_40.hex", &in), 0);
    psrp_defragmenter *d = psrp_defragmenter_new(0);
    for (size_t i = 0; i < in.len; i++)
        CU_ASSERT_EQUAL(psrp_defragmenter_feed(d, in.data + i, 1, NULL), 0);
    CU_ASSERT_EQUAL(psrp_defragmenter_end_payload(d, NULL), 0);
    psrp_defrag_message m;
    CU_ASSERT_EQUAL(psrp_defragmenter_next(d, &m), 1);
    CU_ASSERT_EQUAL(m.object_id, 5);
    CU_ASSERT_EQUAL(m.len, 50);
    for (size_t i = 0; i < m.len && i < 50; i++)
        CU_ASSERT_EQUAL(m.data[i], i);
    psrp_defrag_message_clear(&m);
    CU_ASSERT_EQUAL(psrp_defragmenter_next(d, &m), 0);
    psrp_defragmenter_free(d);
    psr_buf_free(&in);
}

static void append_frag(psr_buf *b, uint64_t obj, uint64_t fid, uint8_t flags, const char *blob)
{
    psrp_fragment_header h = {obj, fid, flags, (uint32_t)strlen(blob)};
    psrp_fragment_append(b, &h, blob);
}

static void test_defragment_interleaved_objects(void)
{
    psr_buf b = {0};
    append_frag(&b, 7, 0, PSRP_FRAGMENT_START, "hel");
    append_frag(&b, 8, 0, PSRP_FRAGMENT_START | PSRP_FRAGMENT_END, "whole");
    append_frag(&b, 9, 0, PSRP_FRAGMENT_START, "wor");
    append_frag(&b, 7, 1, 0, "lo ");
    append_frag(&b, 9, 1, PSRP_FRAGMENT_END, "ld");
    append_frag(&b, 7, 2, PSRP_FRAGMENT_END, "there");
    psrp_defragmenter *d = psrp_defragmenter_new(0);
    /* Split in odd places: inside headers and inside blobs. */
    size_t cuts[] = {5, 17, 30, 31, 60, b.len};
    size_t at = 0;
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        CU_ASSERT_EQUAL(psrp_defragmenter_feed(d, b.data + at, cuts[i] - at, NULL), 0);
        at = cuts[i];
    }
    CU_ASSERT_EQUAL(psrp_defragmenter_end_payload(d, NULL), 0);
    psrp_defrag_message m;
    const char *want[] = {"whole", "world", "hello there"};
    uint64_t ids[] = {8, 9, 7};
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL_FATAL(psrp_defragmenter_next(d, &m), 1);
        CU_ASSERT_EQUAL(m.object_id, ids[i]);
        CU_ASSERT_EQUAL(m.len, strlen(want[i]));
        CU_ASSERT_EQUAL(memcmp(m.data, want[i], m.len), 0);
        psrp_defrag_message_clear(&m);
    }
    CU_ASSERT_EQUAL(psrp_defragmenter_next(d, &m), 0);
    psrp_defragmenter_free(d);
    psr_buf_free(&b);
}

/* Feeds b as one payload and expects code with all of the words in the message. */
static void expect_error(psr_buf *b, size_t max, psr_status code, const char *w1, const char *w2)
{
    psrp_defragmenter *d = psrp_defragmenter_new(max);
    psr_error err;
    psr_error_clear(&err);
    CU_ASSERT_EQUAL(psrp_defragmenter_feed_payload(d, b->data, b->len, &err), code);
    if (w1 && !strstr(err.message, w1))
        fprintf(stderr, "\n  missing '%s' in: %s\n", w1, err.message);
    CU_ASSERT(!w1 || strstr(err.message, w1) != NULL);
    CU_ASSERT(!w2 || strstr(err.message, w2) != NULL);
    /* The stream is dead after an error. */
    CU_ASSERT_EQUAL(psrp_defragmenter_feed(d, "x", 1, NULL), PSR_E_STATE);
    psrp_defragmenter_free(d);
    psr_buf_reset(b);
}

static void test_defragment_errors(void)
{
    psr_buf b = {0};
    append_frag(&b, 3, 1, PSRP_FRAGMENT_END, "x");
    expect_error(&b, 0, PSR_E_PARSE, "missing start", "object 3, fragment 1");

    append_frag(&b, 3, 0, 0, "x"); /* FragmentId 0 without the S flag */
    expect_error(&b, 0, PSR_E_PARSE, "missing start", NULL);

    append_frag(&b, 3, 0, PSRP_FRAGMENT_START, "ab");
    append_frag(&b, 3, 2, PSRP_FRAGMENT_END, "cd");
    expect_error(&b, 0, PSR_E_PARSE, "gap: expected 1", "stream offset 23");

    append_frag(&b, 3, 4, PSRP_FRAGMENT_START, "ab");
    expect_error(&b, 0, PSR_E_PARSE, "FragmentId 0", NULL);

    append_frag(&b, 3, 0, PSRP_FRAGMENT_START, "ab");
    append_frag(&b, 3, 0, PSRP_FRAGMENT_START, "ab");
    expect_error(&b, 0, PSR_E_PARSE, "started again", NULL);

    /* BlobLength 10 with only 4 bytes left in the payload. */
    psrp_fragment_header h = {4, 0, 3, 10};
    psrp_fragment_append(&b, &h, "abcdefghij");
    b.len -= 6;
    expect_error(&b, 0, PSR_E_PARSE, "runs past the end", "6 bytes missing");

    append_frag(&b, 4, 0, 3, "abc");
    b.len = 30; /* ends inside the next header */
    expect_error(&b, 0, PSR_E_PARSE, "inside a fragment header", NULL);

    append_frag(&b, 5, 0, 3, "0123456789");
    expect_error(&b, 8, PSR_E_LIMIT, "BlobLength 10 exceeds", "8 bytes");

    append_frag(&b, 5, 0, PSRP_FRAGMENT_START, "012345");
    append_frag(&b, 5, 1, PSRP_FRAGMENT_END, "6789");
    expect_error(&b, 8, PSR_E_LIMIT, "MaximumReceivedObjectSize", "fragment 1");

    for (int i = 0; i <= PSRP_DEFRAG_MAX_PARTIAL; i++)
        append_frag(&b, (uint64_t)(100 + i), 0, PSRP_FRAGMENT_START, "a");
    expect_error(&b, 0, PSR_E_LIMIT, "interleaved", NULL);
    psr_buf_free(&b);
}

static void test_round_trip_sizes(void)
{
    size_t sizes[] = {0, 1, 20, 21, 22, 100, 1000, 65536};
    size_t payloads[] = {22, 23, 64, 150, 4096};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        for (size_t p = 0; p < sizeof(payloads) / sizeof(payloads[0]); p++) {
            uint64_t counter = 1;
            psrp_fragmenter *f = psrp_fragmenter_new(&counter);
            psrp_defragmenter *d = psrp_defragmenter_new(0);
            uint8_t *msg = malloc(sizes[s] + 1);
            for (size_t i = 0; i < sizes[s]; i++)
                msg[i] = (uint8_t)(i * 7 + s);
            psrp_fragmenter_add(f, "stdin", msg, sizes[s], NULL, NULL);
            psrp_fragmenter_add(f, "stdin", msg, sizes[s] / 2, NULL, NULL);
            psr_buf out = {0};
            long n;
            while ((n = psrp_fragmenter_next_payload(f, &out, payloads[p], NULL)) > 0) {
                CU_ASSERT(n <= (long)payloads[p]);
                CU_ASSERT_EQUAL(psrp_defragmenter_feed_payload(d, out.data, out.len, NULL), 0);
                psr_buf_reset(&out);
            }
            psrp_defrag_message m;
            CU_ASSERT_EQUAL_FATAL(psrp_defragmenter_next(d, &m), 1);
            CU_ASSERT_EQUAL(m.object_id, 1);
            CU_ASSERT(m.len == sizes[s] && memcmp(m.data, msg, m.len) == 0);
            psrp_defrag_message_clear(&m);
            CU_ASSERT_EQUAL_FATAL(psrp_defragmenter_next(d, &m), 1);
            CU_ASSERT_EQUAL(m.object_id, 2);
            CU_ASSERT(m.len == sizes[s] / 2 && memcmp(m.data, msg, m.len) == 0);
            psrp_defrag_message_clear(&m);
            free(msg);
            psr_buf_free(&out);
            psrp_fragmenter_free(f);
            psrp_defragmenter_free(d);
        }
    }
}

/* MS-PSRP 4.2's byte examples (ObjectId 1 and FragmentId 1) in a whole
 * stream: the fixture decodes to the SESSION_CAPABILITY message, and the
 * fragmenter, drawing ObjectId 1 and cutting after the message header,
 * encodes it back to the same bytes. */
static void test_spec_4_2_transport_example(void)
{
    static const uint8_t spec_one[8] = {0, 0, 0, 0, 0, 0, 0, 1}; /* 4.2: "A value of 1" */
    psr_buf wire = {0}, msg = {0}, out = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_test_read_hex("psrp/spec_4_2_two_fragments.hex", &wire), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_test_read_hex("psrp/message_session_capability.hex", &msg), 0);
    CU_ASSERT_EQUAL_FATAL(wire.len, 2 * PSRP_FRAGMENT_HEADER_LEN + msg.len);
    /* The second fragment's ObjectId and FragmentId are the spec's bytes. */
    const uint8_t *second = (const uint8_t *)wire.data + PSRP_FRAGMENT_HEADER_LEN + 40;
    PSRP_ASSERT_BYTES(second, 8, spec_one, 8);
    PSRP_ASSERT_BYTES(second + 8, 8, spec_one, 8);
    psrp_fragment_header h;
    psrp_fragment_header_decode(&h, second);
    CU_ASSERT_EQUAL(h.object_id, 1);
    CU_ASSERT_EQUAL(h.fragment_id, 1);
    CU_ASSERT_EQUAL(h.flags, PSRP_FRAGMENT_END);

    psrp_defragmenter *d = psrp_defragmenter_new(0);
    CU_ASSERT_EQUAL(psrp_defragmenter_feed_payload(d, wire.data, wire.len, NULL), 0);
    psrp_defrag_message m;
    CU_ASSERT_EQUAL_FATAL(psrp_defragmenter_next(d, &m), 1);
    CU_ASSERT_EQUAL(m.object_id, 1);
    PSRP_ASSERT_BYTES(m.data, m.len, msg.data, msg.len);
    psrp_message pm;
    CU_ASSERT_EQUAL(psrp_message_parse(&pm, m.data, m.len, NULL), 0);
    CU_ASSERT_EQUAL(pm.type, PSRP_SESSION_CAPABILITY);
    psrp_defrag_message_clear(&m);
    CU_ASSERT_EQUAL(psrp_defragmenter_next(d, &m), 0);
    psrp_defragmenter_free(d);

    uint64_t counter = 1;
    psrp_fragmenter *f = psrp_fragmenter_new(&counter);
    CU_ASSERT_EQUAL(psrp_fragmenter_add(f, "stdin", msg.data, msg.len, NULL, NULL), 0);
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &out, PSRP_FRAGMENT_HEADER_LEN + 40, NULL),
                    PSRP_FRAGMENT_HEADER_LEN + 40);
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &out, 4096, NULL), (long)(PSRP_FRAGMENT_HEADER_LEN + msg.len - 40));
    CU_ASSERT_EQUAL(psrp_fragmenter_next_payload(f, &out, 4096, NULL), 0);
    PSRP_ASSERT_BYTES(out.data, out.len, wire.data, wire.len);
    psrp_fragmenter_free(f);
    psr_buf_free(&wire);
    psr_buf_free(&msg);
    psr_buf_free(&out);
}

static const psr_unit_test tests[] = {
    {"fragment header layout (2.2.4)", test_header_layout},
    {"fragmenter splits 50 bytes into 40-byte payloads", test_fragmenter_split_fixture},
    {"fragmenter packs messages, one stream per payload", test_fragmenter_packs_and_separates_streams},
    {"fragmenter fills the rest of a payload", test_fragmenter_fills_rest_of_payload},
    {"defragmenter fed byte by byte", test_defragment_fixture_byte_by_byte},
    {"defragmenter interleaved objects, split headers", test_defragment_interleaved_objects},
    {"defragmenter errors", test_defragment_errors},
    {"round trips over sizes and payload limits", test_round_trip_sizes},
    {"MS-PSRP 4.2 transport example, decoded and encoded", test_spec_4_2_transport_example},
    {NULL, NULL},
};

PSR_UNIT_MAIN("psrp fragment", tests)
