/* test_client_trace.c: what --trace writes of an envelope (trace.c): the
 * SecureString contents of its PSRP payloads overwritten, everything else
 * as sent, and a message cut over two envelopes still redacted. */
#include "common/buf.h"
#include "psrp/fragment.h"
#include "psrp/message.h"
#include "psrp/messages.h"
#include "src/client/trace.h"
#include "wsman/wsman.h"
#include "unit.h"

#include <string.h>

static const char XML[] = "<Obj RefId=\"0\"><MS><S N=\"mi\">7</S>"
                          "<SS N=\"mr\">c2VjcmV0IGNpcGhlcg==</SS></MS></Obj>";

/* The message's fragments, cut at `cut` bytes of blob (0: one fragment). */
static void fragments(psr_buf *first, psr_buf *second, size_t cut)
{
    psr_uuid rpid, pid;
    memcpy(rpid.b, "rpid of the pool", 16);
    memcpy(pid.b, "pid of the pipe.", 16);
    psr_buf msg = {0};
    psrp_message_build(&msg, PSRP_DEST_SERVER, PSRP_PIPELINE_HOST_RESPONSE, &rpid, &pid, XML,
                       strlen(XML));
    size_t n = cut ? cut : msg.len;
    psrp_fragment_header a = {3, 0, PSRP_FRAGMENT_START | (cut ? 0 : PSRP_FRAGMENT_END),
                              (uint32_t)n};
    psrp_fragment_append(first, &a, msg.data);
    if (cut) {
        psrp_fragment_header b = {3, 1, PSRP_FRAGMENT_END, (uint32_t)(msg.len - cut)};
        psrp_fragment_append(second, &b, msg.data + cut);
    }
    psr_buf_free(&msg);
}

static void send_envelope(psr_buf *out, const psr_buf *payload)
{
    wsman_request_header h = {.to = "http://h:5985/wsman",
                              .resource_uri = "http://schemas.microsoft.com/powershell/"
                                              "Microsoft.PowerShell",
                              .message_id = "uuid:1", .shell_id = "S1"};
    CU_ASSERT_EQUAL(wsman_build_send(out, &h, "C1", "pr", payload->data, payload->len, 0), 0);
}

/* The SecureString text of the message in the envelopes' streams. */
static char *secure_text(const psr_buf *env1, const psr_buf *env2)
{
    psrp_defragmenter *d = psrp_defragmenter_new(0);
    const psr_buf *envs[] = {env1, env2};
    for (int i = 0; i < 2 && envs[i]->len; i++) {
        wsman_request q = {0};
        CU_ASSERT_EQUAL_FATAL(wsman_parse_request(envs[i]->data, envs[i]->len, &q, NULL), 0);
        CU_ASSERT_EQUAL_FATAL(q.n_streams, 1);
        psrp_defragmenter_feed_payload(d, q.streams[0].data.data, q.streams[0].data.len, NULL);
        wsman_request_clear(&q);
    }
    psrp_defrag_message dm;
    char *text = NULL;
    if (psrp_defragmenter_next(d, &dm) == 1) {
        psrp_message m;
        psrp_message_parse(&m, dm.data, dm.len, NULL);
        const char *ss = memmem(m.data, m.data_len, "<SS N=\"mr\">", 11);
        const char *end = ss ? memmem(ss, m.data_len - (size_t)(ss - m.data), "</SS>", 5) : NULL;
        if (end)
            text = strndup(ss + 11, (size_t)(end - ss - 11));
        psrp_defrag_message_clear(&dm);
    }
    psrp_defragmenter_free(d);
    return text;
}

static void test_one_envelope(void)
{
    psr_buf payload = {0}, none = {0}, env = {0}, out = {0};
    fragments(&payload, &none, 0);
    send_envelope(&env, &payload);
    psrp_redactor *r = psrp_redactor_new();
    CU_ASSERT_EQUAL_FATAL(psr_trace_redact(r, 0, env.data, env.len, &out), 1);
    char *text = secure_text(&out, &none);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "********************");
    free(text);
    /* the envelope around the payload is as sent */
    const char *stream = strstr(env.data, "<rsp:Stream");
    CU_ASSERT_EQUAL(memcmp(out.data, env.data, (size_t)(stream - env.data)), 0);
    /* a redacted envelope, or one without SecureStrings, needs nothing */
    psr_buf again = {0};
    CU_ASSERT_EQUAL(psr_trace_redact(r, 0, out.data, out.len, &again), 0);
    CU_ASSERT_EQUAL(again.len, 0);
    psrp_redactor_free(r);
    psr_buf_free(&payload);
    psr_buf_free(&env);
    psr_buf_free(&out);
}

static void test_cut_over_two_envelopes(void)
{
    /* the cut falls inside the ciphertext */
    size_t cut = 40 + (size_t)(strstr(XML, "c2Vj") - XML) + 6;
    psr_buf p1 = {0}, p2 = {0}, e1 = {0}, e2 = {0}, o1 = {0}, o2 = {0};
    fragments(&p1, &p2, cut);
    send_envelope(&e1, &p1);
    send_envelope(&e2, &p2);
    psrp_redactor *r = psrp_redactor_new();
    CU_ASSERT_EQUAL(psr_trace_redact(r, 0, e1.data, e1.len, &o1), 1);
    CU_ASSERT_EQUAL(psr_trace_redact(r, 0, e2.data, e2.len, &o2), 1);
    char *text = secure_text(&o1, &o2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "********************");
    free(text);
    text = secure_text(&e1, &e2); /* the originals still hold it */
    CU_ASSERT_STRING_EQUAL(text, "c2VjcmV0IGNpcGhlcg==");
    free(text);
    psrp_redactor_free(r);
    psr_buf_free(&p1);
    psr_buf_free(&p2);
    psr_buf_free(&e1);
    psr_buf_free(&e2);
    psr_buf_free(&o1);
    psr_buf_free(&o2);
}

static const psr_unit_test tests[] = {
    {"one envelope: the SecureString overwritten, the rest as sent", test_one_envelope},
    {"a message cut over two envelopes inside the ciphertext", test_cut_over_two_envelopes},
    {NULL, NULL},
};
PSR_UNIT_MAIN("client trace", tests)
