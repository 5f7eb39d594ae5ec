/* test_psrp_redact.c: SecureStrings taken out of PSRP fragments for traces
 * (psrp/redact.c): what is overwritten and what is left, messages split
 * over fragments and payloads, and the result still read as PSRP. */
#include "common/buf.h"
#include "psrp/fragment.h"
#include "psrp/json.h"
#include "psrp/message.h"
#include "psrp/messages.h"
#include "psrp/redact.h"
#include "unit.h"

#include <string.h>

/* A PSRP message (header + data) as the fragmenter cuts it, payloads of at
 * most max bytes appended to payloads[], returns how many. */
static size_t fragment(const char *xml, const psr_uuid *rpid, size_t max, psr_buf *payloads,
                       size_t cap)
{
    uint64_t next = 7;
    psrp_fragmenter *f = psrp_fragmenter_new(&next);
    psr_buf msg = {0};
    psr_uuid pid;
    memcpy(pid.b, "pid of the pipe.", 16);
    CU_ASSERT_EQUAL(psrp_message_build(&msg, PSRP_DEST_SERVER, PSRP_PIPELINE_HOST_RESPONSE, rpid,
                                       &pid, xml, strlen(xml)),
                    0);
    CU_ASSERT_EQUAL(psrp_fragmenter_add(f, "pr", msg.data, msg.len, NULL, NULL), 0);
    size_t n = 0;
    while (n < cap && psrp_fragmenter_next_payload(f, &payloads[n], max, NULL) > 0)
        n++;
    psr_buf_free(&msg);
    psrp_fragmenter_free(f);
    return n;
}

/* The message text back out of payloads (redacted or not). */
static char *reassemble(psr_buf *payloads, size_t n)
{
    psrp_defragmenter *d = psrp_defragmenter_new(0);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(psrp_defragmenter_feed_payload(d, payloads[i].data, payloads[i].len, NULL), 0);
    psrp_defrag_message dm;
    char *text = NULL;
    if (psrp_defragmenter_next(d, &dm) == 1) {
        psrp_message m;
        CU_ASSERT_EQUAL(psrp_message_parse(&m, dm.data, dm.len, NULL), 0);
        text = strndup(m.data, m.data_len);
        psrp_defrag_message_clear(&dm);
    }
    psrp_defragmenter_free(d);
    return text;
}

static const char XML[] =
    "<Obj RefId=\"0\"><MS><S N=\"a\">&lt;SS&gt;not one</S><SBK N=\"b\">keep</SBK>"
    "<SS N=\"Password\">QUJDREVGR0g=</SS><SS/><SS N=\"x&gt;y\">SUpLTA==</SS>"
    "<SSX>left</SSX><SS>TU5PUA==</SS></MS></Obj>";
static const char REDACTED[] =
    "<Obj RefId=\"0\"><MS><S N=\"a\">&lt;SS&gt;not one</S><SBK N=\"b\">keep</SBK>"
    "<SS N=\"Password\">************</SS><SS/><SS N=\"x&gt;y\">********</SS>"
    "<SSX>left</SSX><SS>********</SS></MS></Obj>";

static void test_whole_message(void)
{
    psr_uuid rpid;
    /* An RPID whose bytes spell "<SS>": the header is not text. */
    memcpy(rpid.b, "<SS>abcdefghijkl", 16);
    psr_buf p[4] = {{0}};
    CU_ASSERT_EQUAL_FATAL(fragment(XML, &rpid, 100000, p, 4), 1);
    psrp_redactor *r = psrp_redactor_new();
    CU_ASSERT_EQUAL(psrp_redact_payload(r, "request:shell", (uint8_t *)p[0].data, p[0].len), 28);
    char *text = reassemble(p, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, REDACTED);
    /* the header (and its RPID) is intact */
    psrp_message m;
    CU_ASSERT_EQUAL(psrp_message_parse(&m, p[0].data + PSRP_FRAGMENT_HEADER_LEN,
                                       p[0].len - PSRP_FRAGMENT_HEADER_LEN, NULL), 0);
    CU_ASSERT_EQUAL(memcmp(m.rpid.b, rpid.b, 16), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_PIPELINE_HOST_RESPONSE);
    /* a second pass finds nothing more to do */
    CU_ASSERT_EQUAL(psrp_redact_payload(r, "request:shell", (uint8_t *)p[0].data, p[0].len), 0);
    free(text);
    psr_buf_free(&p[0]);
    psrp_redactor_free(r);
}

static void test_split_over_payloads(void)
{
    psr_uuid rpid = {{0}};
    /* 30-byte payloads: 9 bytes of message each, so every <SS> is cut. */
    psr_buf p[64] = {{0}};
    size_t n = fragment(XML, &rpid, PSRP_FRAGMENT_HEADER_LEN + 9, p, 64);
    CU_ASSERT_FATAL(n > 20 && n < 64);
    psrp_redactor *r = psrp_redactor_new();
    size_t replaced = 0;
    for (size_t i = 0; i < n; i++) {
        /* another object's fragments on another channel in between */
        uint8_t other[PSRP_FRAGMENT_HEADER_LEN + 4];
        psrp_fragment_header h = {7, 0, PSRP_FRAGMENT_START, 4};
        psrp_fragment_header_encode(&h, other);
        memcpy(other + PSRP_FRAGMENT_HEADER_LEN, "<SS>", 4);
        psrp_redact_payload(r, "response:shell", other, sizeof(other));
        replaced += psrp_redact_payload(r, "request:shell", (uint8_t *)p[i].data, p[i].len);
    }
    CU_ASSERT_EQUAL(replaced, 28);
    char *text = reassemble(p, n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, REDACTED);
    free(text);
    for (size_t i = 0; i < n; i++)
        psr_buf_free(&p[i]);
    psrp_redactor_free(r);
}

static void test_not_fragments(void)
{
    /* Too short to be a fragment: scanned as text all the same. */
    uint8_t junk[] = "<SS>QUJD</SS>";
    psrp_redactor *r = psrp_redactor_new();
    CU_ASSERT_EQUAL(psrp_redact_payload(r, "x", junk, 13), 4);
    CU_ASSERT_EQUAL(memcmp(junk, "<SS>****</SS>", 13), 0);
    psrp_redactor_free(r);
}

static void test_redacted_value_reads(void)
{
    psrp_value *v = NULL;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_object_parse(NULL, &v, "<SS>********</SS>", 17, NULL), 0);
    CU_ASSERT_TRUE(psrp_securestring_is_redacted(v));
    psr_buf j = {0};
    CU_ASSERT_EQUAL(psrp_value_to_json_text(&j, v, 0, NULL), 0);
    CU_ASSERT_STRING_EQUAL(j.data, "{\"SecureString\": \"(redacted)\"}");
    psrp_value_free(v);
    psr_buf_reset(&j);
    CU_ASSERT_EQUAL_FATAL(psrp_msg_object_parse(NULL, &v, "<SS>QUJDRA==</SS>", 17, NULL), 0);
    CU_ASSERT_FALSE(psrp_securestring_is_redacted(v));
    CU_ASSERT_EQUAL(psrp_value_to_json_text(&j, v, 0, NULL), 0);
    CU_ASSERT_STRING_EQUAL(j.data, "{\"SecureString\": \"QUJDRA==\"}");
    /* invoke's output shows the type only */
    json_t *hidden = psrp_value_to_json_flags(v, PSRP_JSON_HIDE_SECURE_STRINGS, NULL);
    char *text = json_dumps(hidden, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CU_ASSERT_STRING_EQUAL(text, "{\"TypeNames\":[\"System.Security.SecureString\",\"System.Object\"],"
                                 "\"ToString\":\"System.Security.SecureString\"}");
    free(text);
    json_decref(hidden);
    psrp_value_free(v);
    psr_buf_free(&j);
}

static const psr_unit_test tests[] = {
    {"a whole message: every <SS> text, nothing else", test_whole_message},
    {"a message cut in 9-byte fragments, interleaved with another channel",
     test_split_over_payloads},
    {"bytes that are not fragments", test_not_fragments},
    {"a redacted SecureString reads back; JSON shows it redacted or hidden",
     test_redacted_value_reads},
    {NULL, NULL},
};

PSR_UNIT_MAIN("psrp SecureString redaction", tests)
