/* test_psrp_pool.c: the client runspace-pool and pipeline state machines
 * driven by a scripted server conversation (bytes in, events out), and the
 * client's bytes decoded back the way a server decodes them. The server side
 * of the script is built with the same message layer's server builders,
 * fragmented as Windows fragments (SESSION_CAPABILITY with a nil RPID, a
 * UTF-8 BOM before each message's XML). */
#include "common/base64.h"
#include "psrp/fragment.h"
#include "psrp/message.h"
#include "psrp/messages.h"
#include "psrp/pipeline.h"
#include "psrp/runspace_pool.h"
#include "psrp/session_key.h"
#include "test_psrp_util.h"

#include <string.h>

static psr_uuid RPID, PID;

typedef struct server {
    uint64_t next_object;
    psr_buf payload; /* what the next Receive returns */
} server;

/* Appends one message (header + BOM + data) as a single fragment. */
static void srv_add(server *s, uint32_t type, const psr_uuid *rpid, const psr_uuid *pid, const psr_buf *data)
{
    psr_buf msg = {0}, withbom = {0};
    psr_buf_append(&withbom, "\xEF\xBB\xBF", 3);
    psr_buf_append(&withbom, data->data, data->len);
    CU_ASSERT_EQUAL(psrp_message_build(&msg, PSRP_DEST_CLIENT, type, rpid, pid, withbom.data, withbom.len), 0);
    psrp_fragment_header h = {s->next_object++, 0, PSRP_FRAGMENT_START | PSRP_FRAGMENT_END, (uint32_t)msg.len};
    psrp_fragment_append(&s->payload, &h, msg.data);
    psr_buf_free(&msg);
    psr_buf_free(&withbom);
}

static int srv_feed_pool(server *s, psrp_pool *p, psr_error *err)
{
    int rc = psrp_pool_feed(p, "stdout", s->payload.data, s->payload.len, err);
    psr_buf_reset(&s->payload);
    return rc;
}

static int srv_feed_pipeline(server *s, psrp_pipeline *pl, psr_error *err)
{
    int rc = psrp_pipeline_feed(pl, "stdout", s->payload.data, s->payload.len, err);
    psr_buf_reset(&s->payload);
    return rc;
}

/* Decodes what the client sent: every message of the given payloads. */
typedef struct received {
    psrp_defragmenter *d;
    psrp_defrag_message msgs[16];
    int n;
} received;

static void recv_feed(received *r, const psr_buf *payload)
{
    if (!r->d)
        r->d = psrp_defragmenter_new(0);
    CU_ASSERT_EQUAL(psrp_defragmenter_feed_payload(r->d, payload->data, payload->len, NULL), 0);
    while (r->n < 16 && psrp_defragmenter_next(r->d, &r->msgs[r->n]) == 1)
        r->n++;
}

static void recv_free(received *r)
{
    for (int i = 0; i < r->n; i++)
        psrp_defrag_message_clear(&r->msgs[i]);
    psrp_defragmenter_free(r->d);
    memset(r, 0, sizeof(*r));
}

/* A pool for cfg, opened: its creationXml taken (and dropped). */
static psrp_pool *start_pool(const psrp_pool_config *cfg)
{
    psrp_pool *p = psrp_pool_new(cfg, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(psrp_pool_open(p, NULL), 0);
    psr_buf creation = {0};
    CU_ASSERT(psrp_pool_take_payload(p, &creation, 512000, NULL) > 0);
    psr_buf_free(&creation);
    return p;
}

/* The server's answer to an open: capability, private data (private_data,
 * or an empty dictionary when NULL) and the Opened state. */
static void srv_add_opening(server *s, const char *server_version, const char *private_data)
{
    psr_buf d = {0};
    psrp_msg_session_capability_build(&d, server_version, "2.0", "1.1.0.1", NULL);
    srv_add(s, PSRP_SESSION_CAPABILITY, NULL, NULL, &d); /* Windows: nil RPID */
    psr_buf_reset(&d);
    if (private_data)
        psr_buf_puts(&d, private_data);
    else
        psrp_msg_app_private_data_build(&d, NULL, NULL);
    srv_add(s, PSRP_APPLICATION_PRIVATE_DATA, &RPID, NULL, &d);
    psr_buf_reset(&d);
    psrp_msg_pool_state_build(&d, PSRP_POOL_OPENED, NULL, NULL);
    srv_add(s, PSRP_RUNSPACEPOOL_STATE, &RPID, NULL, &d);
    psr_buf_free(&d);
}

static psrp_pool *open_pool_with(server *s, const char *server_version, psrp_clixml_reader *reader)
{
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    cfg.rpid = RPID;
    cfg.reader = reader;
    psrp_pool *p = start_pool(&cfg);
    srv_add_opening(s, server_version, NULL);
    CU_ASSERT_EQUAL(srv_feed_pool(s, p, NULL), 0);
    psrp_pool_event ev;
    while (psrp_pool_next_event(p, &ev) == 1)
        ;
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_OPENED);
    return p;
}

static psrp_pool *open_pool(server *s, const char *server_version)
{
    return open_pool_with(s, server_version, NULL);
}

static void test_open_bytes_and_events(void)
{
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    cfg.rpid = RPID;
    psrp_pool *p = psrp_pool_new(&cfg, NULL);
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_BEFORE_OPEN);
    CU_ASSERT_PTR_NULL(psrp_pool_next_stream(p));
    CU_ASSERT_EQUAL(psrp_pool_open(p, NULL), 0);
    CU_ASSERT_EQUAL(psrp_pool_open(p, NULL), PSR_E_STATE);
    CU_ASSERT_STRING_EQUAL(psrp_pool_next_stream(p), "stdin");
    psr_buf creation = {0};
    long n = psrp_pool_take_payload(p, &creation, 153600, NULL);
    CU_ASSERT_FATAL(n > 61);
    /* First fragment: ObjectId 1, FragmentId 0, start+end; the message
     * header: Destination server, SESSION_CAPABILITY, our RPID. */
    static const uint8_t head[8 + 8 + 1] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3};
    PSRP_ASSERT_BYTES(creation.data, 17, head, 17);
    static const uint8_t msg_head[8] = {0x02, 0, 0, 0, 0x02, 0x00, 0x01, 0x00};
    PSRP_ASSERT_BYTES(creation.data + 21, 8, msg_head, 8);
    uint8_t wire[16];
    psrp_guid_to_wire(&RPID, wire);
    PSRP_ASSERT_BYTES(creation.data + 29, 16, wire, 16);
    received r = {0};
    recv_feed(&r, &creation);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    psrp_message m;
    CU_ASSERT_EQUAL(psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_SESSION_CAPABILITY);
    CU_ASSERT(strstr(m.data, "<Version N=\"protocolversion\">2.3</Version>") != NULL);
    CU_ASSERT_EQUAL(r.msgs[1].object_id, 2);
    CU_ASSERT_EQUAL(psrp_message_parse(&m, r.msgs[1].data, r.msgs[1].len, NULL), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_INIT_RUNSPACEPOOL);
    psrp_msg_init_pool ip;
    CU_ASSERT_EQUAL(psrp_msg_init_pool_parse(NULL, &ip, m.data, m.data_len, NULL), 0);
    CU_ASSERT(ip.min_runspaces == 1 && ip.max_runspaces == 1);
    psrp_msg_init_pool_clear(&ip);
    recv_free(&r);
    psr_buf_free(&creation);

    server s = {.next_object = 1};
    psr_buf d = {0};
    psrp_msg_session_capability_build(&d, "2.3", "2.0", "1.1.0.1", NULL);
    srv_add(&s, PSRP_SESSION_CAPABILITY, NULL, NULL, &d);
    psr_buf_reset(&d);
    psrp_msg_app_private_data_build(&d, NULL, NULL);
    srv_add(&s, PSRP_APPLICATION_PRIVATE_DATA, &RPID, NULL, &d);
    psr_buf_reset(&d);
    psrp_msg_pool_state_build(&d, PSRP_POOL_OPENED, NULL, NULL);
    srv_add(&s, PSRP_RUNSPACEPOOL_STATE, &RPID, NULL, &d);
    psr_buf_free(&d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    psrp_pool_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_SESSION_CAPABILITY);
    CU_ASSERT_STRING_EQUAL(ev.u.cap.protocol_version, "2.3");
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_APPLICATION_PRIVATE_DATA);
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_OPENED);
    CU_ASSERT_EQUAL(psrp_pool_next_event(p, &ev), 0);
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_OPENED);
    CU_ASSERT_STRING_EQUAL(psrp_pool_protocol_version(p), "2.3");
    psrp_pool_closed(p);
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_CLOSED);
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_CLOSED);
    psr_buf_free(&s.payload);
    psrp_pool_free(p);
}

/* skip_private_data: the message is not parsed at all (a document that
 * is not CLIXML passes), and its event carries no value; without the flag
 * the same document is an error and a real one is read. */
static int open_with_private_data(int skip, const char *private_data, psrp_pool_event *seen,
                                  psr_error *err)
{
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    cfg.rpid = RPID;
    cfg.skip_private_data = skip;
    psrp_pool *p = start_pool(&cfg);
    server s = {.next_object = 1};
    srv_add_opening(&s, "2.3", private_data);
    int rc = srv_feed_pool(&s, p, err);
    memset(seen, 0, sizeof(*seen));
    psrp_pool_event ev;
    int private_events = 0;
    while (psrp_pool_next_event(p, &ev) == 1) {
        if (ev.kind == PSRP_POOL_EV_APPLICATION_PRIVATE_DATA) {
            private_events++;
            seen->kind = ev.kind;
            seen->u.private_data.ps_version = ev.u.private_data.ps_version ? "set" : NULL;
            seen->u.private_data.value = ev.u.private_data.value ? (psrp_value *)1 : NULL;
        }
    }
    if (!rc)
        CU_ASSERT_EQUAL(private_events, 1);
    if (!rc)
        rc = psrp_pool_get_state(p) == PSRP_POOL_OPENED ? 0 : -1;
    psr_buf_free(&s.payload);
    psrp_pool_free(p);
    return rc;
}

static void test_skip_private_data(void)
{
    static const char real[] =
        "<Obj RefId=\"0\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><MS>"
        "<Obj N=\"ApplicationPrivateData\" RefId=\"1\"><TN RefId=\"0\">"
        "<T>System.Management.Automation.PSPrimitiveDictionary</T>"
        "<T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT>"
        "<En><S N=\"Key\">PSVersionTable</S><Obj N=\"Value\" RefId=\"2\"><TNRef RefId=\"0\" />"
        "<DCT><En><S N=\"Key\">PSVersion</S><Version N=\"Value\">5.1.17763.316</Version></En>"
        "</DCT></Obj></En></DCT></Obj></MS></Obj>";
    psrp_pool_event seen;
    psr_error err;
    CU_ASSERT_EQUAL(open_with_private_data(0, real, &seen, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(seen.u.private_data.value);
    CU_ASSERT_PTR_NOT_NULL(seen.u.private_data.ps_version);
    CU_ASSERT_EQUAL(open_with_private_data(1, real, &seen, &err), 0);
    CU_ASSERT_EQUAL(seen.kind, PSRP_POOL_EV_APPLICATION_PRIVATE_DATA);
    CU_ASSERT_PTR_NULL(seen.u.private_data.value);
    CU_ASSERT_PTR_NULL(seen.u.private_data.ps_version);

    static const char not_clixml[] = "this is not CLIXML <";
    CU_ASSERT_NOT_EQUAL(open_with_private_data(0, not_clixml, &seen, &err), 0);
    CU_ASSERT_EQUAL(open_with_private_data(1, not_clixml, &seen, &err), 0);
    CU_ASSERT_PTR_NULL(seen.u.private_data.value);
}

static void test_version_negotiation(void)
{
    server s = {.next_object = 1};
    psrp_pool *p = open_pool(&s, "2.1");
    CU_ASSERT_STRING_EQUAL(psrp_pool_protocol_version(p), "2.1");
    psrp_command cmd = {.cmd = "Get-Date", .use_local_scope = -1, .merge_warning = PSRP_RESULT_OUTPUT};
    psrp_msg_create_pipeline spec = {.commands = &cmd, .n_commands = 1, .apartment_state = PSRP_APARTMENT_UNKNOWN};
    psr_error err;
    CU_ASSERT_PTR_NULL(psrp_pipeline_new(p, &PID, &spec, &err));
    CU_ASSERT(strstr(err.message, "protocol 2.1") != NULL);
    CU_ASSERT_EQUAL(psrp_pool_reset_runspace_state(p, NULL, &err), PSR_E_STATE);
    psrp_pool_free(p);

    p = open_pool(&s, "2.2");
    CU_ASSERT_STRING_EQUAL(psrp_pool_protocol_version(p), "2.2");
    psrp_pipeline *pl = psrp_pipeline_new(p, &PID, &spec, NULL);
    CU_ASSERT_PTR_NOT_NULL(pl);
    psrp_pipeline_free(pl);
    psrp_pool_free(p);

    p = open_pool(&s, "2.5"); /* a newer 2.x server: we stay at 2.3 */
    CU_ASSERT_STRING_EQUAL(psrp_pool_protocol_version(p), "2.3");
    psrp_pool_free(p);

    /* A major version we do not speak breaks the pool. */
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    cfg.rpid = RPID;
    p = psrp_pool_new(&cfg, NULL);
    psrp_pool_open(p, NULL);
    psr_buf d = {0};
    psrp_msg_session_capability_build(&d, "3.0", "2.0", "1.1.0.1", NULL);
    srv_add(&s, PSRP_SESSION_CAPABILITY, NULL, NULL, &d);
    psr_buf_free(&d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, &err), PSR_E_PROTOCOL);
    psrp_pool_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_BROKEN);
    CU_ASSERT(strstr(ev.reason, "protocol version 3.0") != NULL);
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_BROKEN);
    psrp_pool_free(p);
    psr_buf_free(&s.payload);

    psrp_pool_config_init(&cfg);
    cfg.protocol_version = "3.0";
    CU_ASSERT_PTR_NULL(psrp_pool_new(&cfg, &err));
    psrp_pool_config_init(&cfg);
    cfg.min_runspaces = 3;
    cfg.max_runspaces = 2;
    CU_ASSERT_PTR_NULL(psrp_pool_new(&cfg, &err));
}

static void test_pipeline_every_stream(void)
{
    server s = {.next_object = 100};
    psrp_pool *p = open_pool(&s, "2.3");
    psrp_command cmd = {.cmd = "Get-Thing | Out-Host; Read-Host", .is_script = 1, .use_local_scope = -1};
    psrp_msg_create_pipeline spec = {.commands = &cmd, .n_commands = 1, .apartment_state = PSRP_APARTMENT_UNKNOWN,
                                     .remote_stream_options = PSRP_STREAM_OPT_ADD_INVOCATION_INFO};
    psrp_pipeline *pl = psrp_pipeline_new(p, &PID, &spec, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(pl), PSRP_PIPELINE_RUNNING);
    psr_error err;
    psr_buf out = {0};
    CU_ASSERT_EQUAL(psrp_pipeline_take_payload(pl, &out, 1000, &err), PSR_E_STATE);
    CU_ASSERT_PTR_NULL(psrp_pipeline_next_stream(pl));
    /* A small Arguments budget: the rest of CREATE_PIPELINE goes by Send. */
    received r = {0};
    CU_ASSERT_EQUAL(psrp_pipeline_take_command_args(pl, &out, 300, NULL), 300);
    CU_ASSERT_EQUAL(out.data[7], 3); /* ObjectId 3: the pool used 1 and 2 */
    recv_feed(&r, &out);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(psrp_pipeline_take_command_args(pl, &out, 300, &err), PSR_E_STATE);
    int sends = 0;
    while (psrp_pipeline_next_stream(pl)) {
        CU_ASSERT_STRING_EQUAL(psrp_pipeline_next_stream(pl), "stdin");
        psr_buf_reset(&out);
        CU_ASSERT(psrp_pipeline_take_payload(pl, &out, 1000, NULL) > 0);
        recv_feed(&r, &out);
        sends++;
    }
    CU_ASSERT(sends >= 1);
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    psrp_message m;
    CU_ASSERT_EQUAL_FATAL(psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_CREATE_PIPELINE);
    CU_ASSERT_EQUAL(memcmp(m.pid.b, PID.b, 16), 0);
    psrp_parsed_pipeline pp;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_create_pipeline_parse(NULL, &pp, m.data, m.data_len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(pp.p.commands[0].cmd, "Get-Thing | Out-Host; Read-Host");
    psrp_parsed_pipeline_clear(&pp);
    recv_free(&r);

    /* The server answers with every stream, through the pool's receive. */
    psr_buf d = {0};
    psrp_value *obj = psrp_value_new_string("first");
    psrp_msg_object_build(&d, obj, NULL);
    psrp_value_free(obj);
    srv_add(&s, PSRP_PIPELINE_OUTPUT, &RPID, &PID, &d);
    psr_buf_reset(&d);
    psrp_error_record_spec es = {.message = "not found", .fully_qualified_error_id = "NotFound", .category = 13};
    psrp_msg_error_record_build(&d, &es, NULL);
    srv_add(&s, PSRP_ERROR_RECORD, &RPID, &PID, &d);
    uint32_t rec_types[] = {PSRP_DEBUG_RECORD, PSRP_VERBOSE_RECORD, PSRP_WARNING_RECORD};
    for (int i = 0; i < 3; i++) {
        psr_buf_reset(&d);
        psrp_msg_informational_build(&d, rec_types[i], "record text", NULL);
        srv_add(&s, rec_types[i], &RPID, &PID, &d);
    }
    psr_buf_reset(&d);
    psrp_msg_information_build(&d, "info text", "Write-Information", NULL, NULL);
    srv_add(&s, PSRP_INFORMATION_RECORD, &RPID, &PID, &d);
    psr_buf_reset(&d);
    psrp_msg_progress prog = {.activity = "Working", .percent_complete = 50, .parent_activity_id = -1,
                              .seconds_remaining = -1};
    psrp_msg_progress_build(&d, &prog, NULL);
    srv_add(&s, PSRP_PROGRESS_RECORD, &RPID, &PID, &d);
    psr_buf_reset(&d);
    psrp_msg_host_call_build(&d, 1, 11, NULL, NULL); /* ReadLine */
    srv_add(&s, PSRP_PIPELINE_HOST_CALL, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);

    static const psrp_pipeline_event_kind want[] = {
        PSRP_PIPELINE_EV_OUTPUT,  PSRP_PIPELINE_EV_ERROR,       PSRP_PIPELINE_EV_DEBUG,
        PSRP_PIPELINE_EV_VERBOSE, PSRP_PIPELINE_EV_WARNING,     PSRP_PIPELINE_EV_INFORMATION,
        PSRP_PIPELINE_EV_PROGRESS, PSRP_PIPELINE_EV_HOST_CALL,
    };
    psrp_pipeline_event ev;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(pl, &ev), 1);
        CU_ASSERT_EQUAL(ev.kind, want[i]);
        switch (ev.kind) {
        case PSRP_PIPELINE_EV_OUTPUT: CU_ASSERT_STRING_EQUAL(psrp_value_text(ev.u.output), "first"); break;
        case PSRP_PIPELINE_EV_ERROR:
            CU_ASSERT_STRING_EQUAL(ev.u.error.message, "not found");
            CU_ASSERT_STRING_EQUAL(ev.u.error.category_message, "ObjectNotFound: (:) [], ");
            break;
        case PSRP_PIPELINE_EV_DEBUG:
        case PSRP_PIPELINE_EV_VERBOSE:
        case PSRP_PIPELINE_EV_WARNING: CU_ASSERT_STRING_EQUAL(ev.u.record.message, "record text"); break;
        case PSRP_PIPELINE_EV_INFORMATION: CU_ASSERT_STRING_EQUAL(ev.u.information.text, "info text"); break;
        case PSRP_PIPELINE_EV_PROGRESS: CU_ASSERT_EQUAL(ev.u.progress.percent_complete, 50); break;
        case PSRP_PIPELINE_EV_HOST_CALL:
            CU_ASSERT_EQUAL(ev.u.host_call.ci, 1);
            CU_ASSERT_STRING_EQUAL(ev.u.host_call.method_name, "ReadLine");
            break;
        default: break;
        }
    }
    CU_ASSERT_EQUAL(psrp_pipeline_next_event(pl, &ev), 0);

    /* Answer the host call: it travels on "pr". */
    psrp_value *answer = psrp_value_new_string("typed");
    CU_ASSERT_EQUAL(psrp_pipeline_host_respond(pl, 1, 11, answer, NULL, NULL), 0);
    CU_ASSERT_EQUAL(psrp_pipeline_host_respond(pl, PSRP_HOST_CALL_VOID_CI, 13, answer, NULL, &err), PSR_E_INVALID);
    psrp_value_free(answer);
    CU_ASSERT_STRING_EQUAL(psrp_pipeline_next_stream(pl), "pr");
    psr_buf_reset(&out);
    CU_ASSERT(psrp_pipeline_take_payload(pl, &out, 4000, NULL) > 0);
    recv_feed(&r, &out);
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_PIPELINE_HOST_RESPONSE);
    psrp_msg_host_response hr;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_host_response_parse(NULL, &hr, m.data, m.data_len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(psrp_value_text(hr.result), "typed");
    psrp_msg_host_response_clear(&hr);
    recv_free(&r);

    /* Input, end of input. */
    psrp_value *in = psrp_value_new_i32(5);
    CU_ASSERT_EQUAL(psrp_pipeline_send_input(pl, in, NULL), 0);
    psrp_value_free(in);
    CU_ASSERT_EQUAL(psrp_pipeline_end_input(pl, NULL), 0);
    psr_buf_reset(&out);
    CU_ASSERT(psrp_pipeline_take_payload(pl, &out, 4000, NULL) > 0);
    recv_feed(&r, &out);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_PIPELINE_INPUT);
    CU_ASSERT_EQUAL(psrp_message_parse(&m, r.msgs[1].data, r.msgs[1].len, NULL), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_END_OF_PIPELINE_INPUT);
    CU_ASSERT_EQUAL(m.data_len, 0);
    recv_free(&r);

    /* Completed, on the command's own receive this time. */
    psr_buf_reset(&d);
    psrp_msg_pipeline_state_build(&d, PSRP_PIPELINE_COMPLETED, NULL, NULL);
    srv_add(&s, PSRP_PIPELINE_STATE, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(pl, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_PIPELINE_EV_STATE);
    CU_ASSERT_EQUAL(ev.u.state.state, PSRP_PIPELINE_COMPLETED);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(pl), PSRP_PIPELINE_COMPLETED);
    CU_ASSERT_EQUAL(psrp_pipeline_send_input(pl, NULL, &err), PSR_E_STATE);
    /* Anything after the end is a protocol error. */
    psr_buf_reset(&d);
    psrp_msg_pipeline_state_build(&d, PSRP_PIPELINE_COMPLETED, NULL, NULL);
    srv_add(&s, PSRP_PIPELINE_STATE, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "after the pipeline ended") != NULL);
    psr_buf_free(&d);
    psr_buf_free(&out);
    psr_buf_free(&s.payload);
    psrp_pipeline_free(pl);
    psrp_pool_free(p);
}

static void test_pipeline_failed_and_stopped(void)
{
    server s = {.next_object = 1};
    psrp_pool *p = open_pool(&s, "2.3");
    psrp_command cmd = {.cmd = "throw 'boom'", .is_script = 1, .use_local_scope = -1};
    psrp_msg_create_pipeline spec = {.commands = &cmd, .n_commands = 1, .apartment_state = PSRP_APARTMENT_UNKNOWN};
    psrp_pipeline *pl = psrp_pipeline_new(p, &PID, &spec, NULL);
    psr_buf d = {0};
    psrp_error_record_spec es = {.message = "boom", .fully_qualified_error_id = "boom", .category = 14,
                                 .position_message = "At line:1 char:1", .script_line_number = 1,
                                 .offset_in_line = 1};
    psrp_msg_pipeline_state_build(&d, PSRP_PIPELINE_FAILED, &es, NULL);
    srv_add(&s, PSRP_PIPELINE_STATE, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, NULL), 0);
    psrp_pipeline_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(pl, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_PIPELINE_EV_STATE);
    CU_ASSERT_EQUAL(ev.u.state.state, PSRP_PIPELINE_FAILED);
    CU_ASSERT_TRUE_FATAL(ev.u.state.has_error);
    CU_ASSERT_STRING_EQUAL(ev.u.state.error.message, "boom");
    CU_ASSERT_STRING_EQUAL(ev.u.state.error.position_message, "At line:1 char:1");
    psrp_pipeline_free(pl);

    /* Stop: Stopping locally until the server's Stopped arrives. */
    psr_uuid pid2;
    psr_uuid_parse(&pid2, "11111111-2222-3333-4444-555555555555");
    pl = psrp_pipeline_new(p, &pid2, &spec, NULL);
    CU_ASSERT_EQUAL(psrp_pipeline_stop(pl, NULL), 0);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(pl), PSRP_PIPELINE_STOPPING);
    psr_buf_reset(&d);
    psrp_msg_pipeline_state_build(&d, PSRP_PIPELINE_STOPPED, NULL, NULL);
    srv_add(&s, PSRP_PIPELINE_STATE, &RPID, &pid2, &d);
    /* A message for some other pipeline on this command's stream is refused. */
    psr_buf other = {0};
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(pl, &ev), 1);
    CU_ASSERT_EQUAL(ev.u.state.state, PSRP_PIPELINE_STOPPED);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(pl), PSRP_PIPELINE_STOPPED);
    psr_error err;
    CU_ASSERT_EQUAL(psrp_pipeline_stop(pl, &err), PSR_E_STATE);
    psrp_pipeline_free(pl);

    pl = psrp_pipeline_new(p, &pid2, &spec, NULL);
    psr_buf_reset(&d);
    psrp_msg_pipeline_state_build(&d, PSRP_PIPELINE_COMPLETED, NULL, NULL);
    srv_add(&s, PSRP_PIPELINE_STATE, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "another pipeline") != NULL);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(pl), PSRP_PIPELINE_FAILED);
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(pl, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_PIPELINE_EV_STATE);
    /* A pipeline left at pool_free is detached, not freed. */
    psrp_pool_free(p);
    CU_ASSERT_EQUAL(psrp_pipeline_end_input(pl, &err), PSR_E_STATE);
    psrp_pipeline_free(pl);
    psr_buf_free(&other);
    psr_buf_free(&d);
    psr_buf_free(&s.payload);
}

static void test_pool_broken(void)
{
    server s = {.next_object = 1};
    psrp_pool *p = open_pool(&s, "2.3");
    psr_buf d = {0};
    psrp_error_record_spec es = {.message = "The WS-Management service is shutting down.",
                                 .fully_qualified_error_id = "PSSessionStateBroken"};
    psrp_msg_pool_state_build(&d, PSRP_POOL_BROKEN, &es, NULL);
    srv_add(&s, PSRP_RUNSPACEPOOL_STATE, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    psrp_pool_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_BROKEN);
    CU_ASSERT_STRING_EQUAL(ev.reason, "The WS-Management service is shutting down.");
    CU_ASSERT_TRUE(ev.u.state.has_error);
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_BROKEN);
    psr_error err;
    CU_ASSERT_EQUAL(psrp_pool_feed(p, "stdout", "x", 1, &err), PSR_E_STATE);
    CU_ASSERT_PTR_NULL(psrp_pipeline_new(p, &PID, NULL, &err));
    psrp_pool_free(p);

    /* Garbage on the stream breaks the pool with the reason. */
    p = open_pool(&s, "2.3");
    psrp_fragment_header h = {50, 3, 0, 2};
    psrp_fragment_append(&s.payload, &h, "xx");
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, &err), PSR_E_PARSE);
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_BROKEN);
    CU_ASSERT(strstr(ev.reason, "missing start fragment") != NULL);
    psrp_pool_free(p);

    /* A message only clients send, and one for another pool. */
    p = open_pool(&s, "2.3");
    psr_buf_reset(&d);
    psrp_msg_set_max_runspaces_build(&d, 2, 1, NULL);
    srv_add(&s, PSRP_SET_MAX_RUNSPACES, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "only a client sends") != NULL);
    psrp_pool_free(p);
    p = open_pool(&s, "2.3");
    psrp_msg_pool_state_build(&d, PSRP_POOL_OPENED, NULL, NULL);
    srv_add(&s, PSRP_RUNSPACEPOOL_STATE, &PID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "another runspace pool") != NULL);
    psrp_pool_free(p);
    psr_buf_free(&d);
    psr_buf_free(&s.payload);
}

/* A server that waits on the client inside a pipeline puts pool messages on
 * the pipeline's Receive (nil PID): the pool takes them from the pipeline's
 * feed, events and state alike. */
static void test_pool_messages_on_pipeline_stream(void)
{
    server s = {.next_object = 1};
    psrp_pool *p = open_pool(&s, "2.3");
    psrp_command cmd = {.cmd = "ConvertTo-SecureString x -AsPlainText", .is_script = 1,
                        .use_local_scope = -1};
    psrp_msg_create_pipeline spec = {.commands = &cmd, .n_commands = 1,
                                     .apartment_state = PSRP_APARTMENT_UNKNOWN};
    psrp_pipeline *pl = psrp_pipeline_new(p, &PID, &spec, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
    psr_buf d = {0};
    psrp_msg_public_key_request_build(&d, NULL);
    srv_add(&s, PSRP_PUBLIC_KEY_REQUEST, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, NULL), 0);
    psrp_pool_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_PUBLIC_KEY_REQUESTED);
    psrp_pipeline_event pev;
    CU_ASSERT_EQUAL(psrp_pipeline_next_event(pl, &pev), 0);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(pl), PSRP_PIPELINE_RUNNING);

    psr_buf_reset(&d);
    psrp_error_record_spec es = {.message = "the server ran out of memory",
                                 .fully_qualified_error_id = "PSSessionStateBroken"};
    psrp_msg_pool_state_build(&d, PSRP_POOL_BROKEN, &es, NULL);
    srv_add(&s, PSRP_RUNSPACEPOOL_STATE, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_BROKEN);
    CU_ASSERT_STRING_EQUAL(ev.reason, "the server ran out of memory");
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_BROKEN);

    /* A pool message that names a pipeline is still refused. */
    psr_uuid pid2;
    psr_uuid_parse(&pid2, "11111111-2222-3333-4444-555555555555");
    psrp_pipeline *pl2 = NULL;
    psrp_pool_free(p);
    p = open_pool(&s, "2.3");
    pl2 = psrp_pipeline_new(p, &pid2, &spec, NULL);
    psr_buf_reset(&d);
    psrp_msg_public_key_request_build(&d, NULL);
    srv_add(&s, PSRP_PUBLIC_KEY_REQUEST, &RPID, &pid2, &d);
    psr_error err;
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl2, &err), PSR_E_PROTOCOL);
    CU_ASSERT(strstr(err.message, "arrived for a pipeline") != NULL);
    psrp_pipeline_free(pl2);
    psrp_pipeline_free(pl);
    psrp_pool_free(p);
    psr_buf_free(&d);
    psr_buf_free(&s.payload);
}

static void test_pool_requests_and_host_call(void)
{
    server s = {.next_object = 1};
    psrp_pool *p = open_pool(&s, "2.3");
    int64_t ci = 0;
    CU_ASSERT_EQUAL(psrp_pool_set_max_runspaces(p, 4, &ci, NULL), 0);
    CU_ASSERT_EQUAL(ci, 1);
    CU_ASSERT_EQUAL(psrp_pool_get_available_runspaces(p, &ci, NULL), 0);
    CU_ASSERT_EQUAL(ci, 2);
    psr_buf out = {0};
    CU_ASSERT(psrp_pool_take_payload(p, &out, 100000, NULL) > 0);
    received r = {0};
    recv_feed(&r, &out);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    psrp_message m;
    psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL);
    CU_ASSERT_EQUAL(m.type, PSRP_SET_MAX_RUNSPACES);
    psrp_message_parse(&m, r.msgs[1].data, r.msgs[1].len, NULL);
    CU_ASSERT_EQUAL(m.type, PSRP_GET_AVAILABLE_RUNSPACES);
    recv_free(&r);
    psr_buf d = {0};
    psrp_msg_runspace_availability_build_bool(&d, 1, 1, NULL);
    srv_add(&s, PSRP_RUNSPACE_AVAILABILITY, &RPID, NULL, &d);
    psr_buf_reset(&d);
    psrp_msg_host_call_build(&d, 9, 1, NULL, NULL); /* GetName */
    srv_add(&s, PSRP_RUNSPACEPOOL_HOST_CALL, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    psrp_pool_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_RUNSPACE_AVAILABILITY);
    CU_ASSERT(ev.u.availability.ci == 1 && ev.u.availability.ok);
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_HOST_CALL);
    CU_ASSERT_STRING_EQUAL(ev.u.host_call.method_name, "GetName");
    psrp_value *name = psrp_value_new_string("psremote");
    CU_ASSERT_EQUAL(psrp_pool_host_respond(p, 9, 1, name, NULL, NULL), 0);
    psrp_value_free(name);
    CU_ASSERT_STRING_EQUAL(psrp_pool_next_stream(p), "pr");

    /* GET_COMMAND_METADATA starts a pipeline of its own. */
    const char *names[] = {"Get-Item", NULL};
    psrp_msg_command_metadata md = {.names = names, .command_type = 0x1FF};
    psrp_pipeline *pl = psrp_pipeline_new_command_metadata(p, &PID, &md, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
    psr_buf_reset(&out);
    CU_ASSERT(psrp_pipeline_take_command_args(pl, &out, 100000, NULL) > 0);
    recv_feed(&r, &out);
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL), 0);
    CU_ASSERT_EQUAL(m.type, PSRP_GET_COMMAND_METADATA);
    CU_ASSERT_EQUAL(memcmp(m.pid.b, PID.b, 16), 0);
    recv_free(&r);
    psr_buf_reset(&d);
    psrp_value *count = psrp_value_new_i32(1);
    psrp_msg_object_build(&d, count, NULL);
    psrp_value_free(count);
    srv_add(&s, PSRP_PIPELINE_OUTPUT, &RPID, &PID, &d);
    psr_buf_reset(&d);
    psrp_msg_pipeline_state_build(&d, PSRP_PIPELINE_COMPLETED, NULL, NULL);
    srv_add(&s, PSRP_PIPELINE_STATE, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s, pl, NULL), 0);
    psrp_pipeline_event pev;
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(pl, &pev), 1);
    CU_ASSERT_EQUAL(pev.kind, PSRP_PIPELINE_EV_OUTPUT);
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(pl, &pev), 1);
    CU_ASSERT_EQUAL(pev.u.state.state, PSRP_PIPELINE_COMPLETED);
    psrp_pipeline_free(pl);
    psr_buf_free(&d);
    psr_buf_free(&out);
    psr_buf_free(&s.payload);
    psrp_pool_free(p);
}

static void test_session_key_exchange(void)
{
    size_t len = 0;
    char *pem = psr_unit_read_fixture("psrp/rsa2048_test_key.pem", &len);
    psrp_rsa_key *key = NULL;
    CU_ASSERT_EQUAL_FATAL(psrp_rsa_key_from_pem(&key, pem, len, NULL), 0);
    free(pem);
    server s = {.next_object = 1};
    psrp_pool *p = open_pool(&s, "2.3");
    psr_error err;
    psrp_value *ss = NULL;
    CU_ASSERT_EQUAL(psrp_pool_secure_string(p, "x", 1, &ss, &err), PSR_E_STATE);
    /* The server asks first (as protocol 2.1 servers do): no key yet. */
    psr_buf d = {0};
    psrp_msg_public_key_request_build(&d, NULL);
    srv_add(&s, PSRP_PUBLIC_KEY_REQUEST, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    psrp_pool_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_PUBLIC_KEY_REQUESTED);
    CU_ASSERT_EQUAL(psrp_pool_start_key_exchange(p, key, NULL), 0);
    psr_buf out = {0};
    CU_ASSERT(psrp_pool_take_payload(p, &out, 100000, NULL) > 0);
    received r = {0};
    recv_feed(&r, &out);
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    psrp_message m;
    psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL);
    CU_ASSERT_EQUAL(m.type, PSRP_PUBLIC_KEY);
    psrp_msg_key_blob pub;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_public_key_parse(NULL, &pub, m.data, m.data_len, NULL), 0);
    CU_ASSERT_EQUAL(pub.blob.len, PSRP_PUBLIC_KEY_BLOB_LEN);
    /* Server side: wrap a session key to the client's public key. */
    uint8_t aes[32];
    for (int i = 0; i < 32; i++)
        aes[i] = (uint8_t)(200 - i);
    psr_buf enc = {0};
    CU_ASSERT_EQUAL(psrp_session_key_encrypt(pub.blob.data, pub.blob.len, aes, &enc, NULL), 0);
    psrp_msg_key_blob_clear(&pub);
    recv_free(&r);
    psr_buf_reset(&d);
    psrp_msg_encrypted_session_key_build(&d, enc.data, enc.len, NULL);
    srv_add(&s, PSRP_ENCRYPTED_SESSION_KEY, NULL, NULL, &d); /* 3.2.5.4.4: RPID zeroed */
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_POOL_EV_SESSION_KEY);
    CU_ASSERT_TRUE(psrp_pool_has_session_key(p));
    CU_ASSERT_EQUAL_FATAL(psrp_pool_secure_string(p, "s3cret", 6, &ss, NULL), 0);
    CU_ASSERT_EQUAL(ss->kind, PSRP_V_SECURESTRING);
    psr_buf plain = {0};
    CU_ASSERT_EQUAL(psrp_pool_reveal_secure_string(p, ss, &plain, NULL), 0);
    CU_ASSERT_STRING_EQUAL(plain.data, "s3cret");
    /* The server, with the same key, reads the same plaintext. */
    psr_buf cipher = {0}, srv_plain = {0};
    psr_base64_decode(&cipher, ss->u.str.ptr, ss->u.str.len);
    CU_ASSERT_EQUAL(psrp_securestring_decrypt(aes, cipher.data, cipher.len, &srv_plain, NULL), 0);
    CU_ASSERT_STRING_EQUAL(srv_plain.data, "s3cret");
    psrp_value_free(ss);
    /* With a key set, a later request is answered without an event. */
    psr_buf_reset(&d);
    psrp_msg_public_key_request_build(&d, NULL);
    srv_add(&s, PSRP_PUBLIC_KEY_REQUEST, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    CU_ASSERT_EQUAL(psrp_pool_next_event(p, &ev), 0);
    CU_ASSERT_STRING_EQUAL(psrp_pool_next_stream(p), "stdin");
    psr_buf_free(&cipher);
    psr_buf_free(&srv_plain);
    psr_buf_free(&plain);
    psr_buf_free(&enc);
    psr_buf_free(&out);
    psr_buf_free(&d);
    psr_buf_free(&s.payload);
    psrp_pool_free(p);
    psrp_rsa_key_free(key);
}

static void test_reconnect(void)
{
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    cfg.rpid = RPID;
    psrp_pool *p = psrp_pool_new(&cfg, NULL);
    CU_ASSERT_EQUAL(psrp_pool_connect(p, NULL), 0);
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_CONNECTING);
    psr_buf out = {0};
    CU_ASSERT(psrp_pool_take_payload(p, &out, 100000, NULL) > 0);
    received r = {0};
    recv_feed(&r, &out);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    psrp_message m;
    psrp_message_parse(&m, r.msgs[0].data, r.msgs[0].len, NULL);
    CU_ASSERT_EQUAL(m.type, PSRP_SESSION_CAPABILITY);
    psrp_message_parse(&m, r.msgs[1].data, r.msgs[1].len, NULL);
    CU_ASSERT_EQUAL(m.type, PSRP_CONNECT_RUNSPACEPOOL);
    psrp_msg_pool_numbers n;
    CU_ASSERT_EQUAL_FATAL(psrp_msg_pool_numbers_parse(NULL, &n, m.data, m.data_len, NULL), 0);
    CU_ASSERT(n.min_runspaces == 1 && n.max_runspaces == 1);
    psrp_msg_pool_numbers_clear(&n);
    recv_free(&r);
    /* connectResponseXml: the server's SESSION_CAPABILITY; then the
     * Receive brings RUNSPACEPOOL_INIT_DATA and APPLICATION_PRIVATE_DATA. */
    server s = {.next_object = 1};
    psr_buf d = {0};
    psrp_msg_session_capability_build(&d, "2.2", "2.0", "1.1.0.1", NULL);
    srv_add(&s, PSRP_SESSION_CAPABILITY, NULL, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    psr_buf_reset(&d);
    psrp_msg_pool_init_data_build(&d, 1, 3, NULL);
    srv_add(&s, PSRP_RUNSPACEPOOL_INIT_DATA, &RPID, NULL, &d);
    psr_buf_reset(&d);
    psrp_msg_app_private_data_build(&d, NULL, NULL);
    srv_add(&s, PSRP_APPLICATION_PRIVATE_DATA, &RPID, NULL, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s, p, NULL), 0);
    psrp_pool_event ev;
    static const psrp_pool_event_kind want[] = {PSRP_POOL_EV_SESSION_CAPABILITY, PSRP_POOL_EV_INIT_DATA,
                                                PSRP_POOL_EV_OPENED, PSRP_POOL_EV_APPLICATION_PRIVATE_DATA};
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL_FATAL(psrp_pool_next_event(p, &ev), 1);
        CU_ASSERT_EQUAL(ev.kind, want[i]);
        if (ev.kind == PSRP_POOL_EV_INIT_DATA)
            CU_ASSERT_EQUAL(ev.u.init_data.max_runspaces, 3);
    }
    CU_ASSERT_EQUAL(psrp_pool_get_state(p), PSRP_POOL_OPENED);
    CU_ASSERT_STRING_EQUAL(psrp_pool_protocol_version(p), "2.2");
    psr_buf_free(&d);
    psr_buf_free(&out);
    psr_buf_free(&s.payload);
    psrp_pool_free(p);
}

static void setup_ids(void)
{
    psr_uuid_parse(&RPID, "d5d7a8c4-1bd3-4c51-9a7e-3b0b8f0e2a61");
    psr_uuid_parse(&PID, "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
}

static void test_ids(void)
{
    setup_ids();
    CU_ASSERT_FALSE(psrp_guid_is_nil(&RPID));
}

/* Bodies built once for many sessions (fan-out) give the same bytes on the
 * wire as bodies built by each session. */
static void test_prebuilt_bodies(void)
{
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    cfg.rpid = RPID;
    psr_buf init = {0}, own = {0}, shared = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_pool_init_data(&cfg, &init, NULL), 0);
    CU_ASSERT(init.len > 0);
    psrp_pool *a = psrp_pool_new(&cfg, NULL);
    cfg.init_data = &init;
    psrp_pool *b = psrp_pool_new(&cfg, NULL);
    CU_ASSERT_FATAL(a && b);
    CU_ASSERT_EQUAL(psrp_pool_open(a, NULL), 0);
    CU_ASSERT_EQUAL(psrp_pool_open(b, NULL), 0);
    CU_ASSERT(psrp_pool_take_payload(a, &own, 512000, NULL) > 0);
    CU_ASSERT(psrp_pool_take_payload(b, &shared, 512000, NULL) > 0);
    CU_ASSERT(own.len == shared.len && memcmp(own.data, shared.data, own.len) == 0);
    psrp_pool_free(a);
    psrp_pool_free(b);

    server s1 = {.next_object = 100}, s2 = {.next_object = 100};
    psrp_pool *p1 = open_pool(&s1, "2.3"), *p2 = open_pool(&s2, "2.3");
    psrp_command cmd = {.cmd = "1..3", .is_script = 1, .use_local_scope = -1};
    psrp_msg_create_pipeline spec = {.commands = &cmd, .n_commands = 1,
                                     .apartment_state = PSRP_APARTMENT_UNKNOWN};
    psr_buf body = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_msg_create_pipeline_build(&body, &spec, "2.3", NULL), 0);
    psrp_pipeline *l1 = psrp_pipeline_new(p1, &PID, &spec, NULL);
    psrp_pipeline *l2 = psrp_pipeline_new_built(p2, &PID, &body, NULL);
    CU_ASSERT_FATAL(l1 && l2);
    psr_buf_reset(&own);
    psr_buf_reset(&shared);
    CU_ASSERT(psrp_pipeline_take_command_args(l1, &own, 512000, NULL) > 0);
    CU_ASSERT(psrp_pipeline_take_command_args(l2, &shared, 512000, NULL) > 0);
    CU_ASSERT(own.len == shared.len && memcmp(own.data, shared.data, own.len) == 0);
    psrp_pipeline_free(l1);
    psrp_pipeline_free(l2);
    psrp_pool_free(p1);
    psrp_pool_free(p2);
    psr_buf_free(&s1.payload);
    psr_buf_free(&s2.payload);
    psr_buf_free(&body);
    psr_buf_free(&init);
    psr_buf_free(&own);
    psr_buf_free(&shared);
}

/* One reader for two pools and their pipelines, as the fan-out gives all
 * its computers: what one server sent never shows in the other's
 * messages (a TNRef to the other's type names stays an error), a broken
 * pool leaves the other working, and the pools leave the reader to its
 * owner. */
static void test_shared_reader(void)
{
    psrp_clixml_reader *rd = psrp_clixml_reader_new(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
    server s1 = {.next_object = 100}, s2 = {.next_object = 100};
    psrp_pool *p1 = open_pool_with(&s1, "2.3", rd), *p2 = open_pool_with(&s2, "2.2", rd);
    CU_ASSERT_STRING_EQUAL(psrp_pool_protocol_version(p1), "2.3");
    CU_ASSERT_STRING_EQUAL(psrp_pool_protocol_version(p2), "2.2");
    psrp_command cmd = {.cmd = "Get-Thing", .is_script = 1, .use_local_scope = -1};
    psrp_msg_create_pipeline spec = {.commands = &cmd, .n_commands = 1, .apartment_state = PSRP_APARTMENT_UNKNOWN};
    psrp_pipeline *l1 = psrp_pipeline_new(p1, &PID, &spec, NULL), *l2 = psrp_pipeline_new(p2, &PID, &spec, NULL);
    CU_ASSERT_FATAL(l1 && l2);

    static const char *const types[] = {"Demo.Thing", "System.Object", NULL};
    psrp_value *obj = psrp_value_new_object(types);
    psrp_object_add(obj, "Name", psrp_value_new_string("one"));
    psr_buf d = {0};
    CU_ASSERT_EQUAL(psrp_msg_object_build(&d, obj, NULL), 0);
    CU_ASSERT(strstr(d.data, "<TN RefId=\"0\">") != NULL);
    psrp_value_free(obj);
    srv_add(&s1, PSRP_PIPELINE_OUTPUT, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s1, l1, NULL), 0);
    psrp_pipeline_event ev;
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(l1, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_PIPELINE_EV_OUTPUT);
    CU_ASSERT_STRING_EQUAL(psrp_object_get_text(ev.u.output, "Name"), "one");
    CU_ASSERT_STRING_EQUAL(ev.u.output->u.obj.types->names[0], "Demo.Thing");

    /* The second server names type names only the first one defined. */
    static const char tnref[] = "<Obj RefId=\"0\"><TNRef RefId=\"0\"/><MS><S N=\"Name\">two</S></MS></Obj>";
    psr_buf_reset(&d);
    psr_buf_puts(&d, tnref);
    srv_add(&s2, PSRP_PIPELINE_OUTPUT, &RPID, &PID, &d);
    psr_error err;
    CU_ASSERT_EQUAL(srv_feed_pipeline(&s2, l2, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "names no earlier <TN>") != NULL);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(l2), PSRP_PIPELINE_FAILED);
    psrp_pipeline_free(l2);

    /* Garbage breaks the second pool; the first goes on to Completed. */
    psrp_fragment_header h = {50, 3, 0, 2};
    psrp_fragment_append(&s2.payload, &h, "xx");
    CU_ASSERT_NOT_EQUAL(srv_feed_pool(&s2, p2, &err), 0);
    CU_ASSERT_EQUAL(psrp_pool_get_state(p2), PSRP_POOL_BROKEN);
    psr_buf_reset(&d);
    psrp_msg_pipeline_state_build(&d, PSRP_PIPELINE_COMPLETED, NULL, NULL);
    srv_add(&s1, PSRP_PIPELINE_STATE, &RPID, &PID, &d);
    CU_ASSERT_EQUAL(srv_feed_pool(&s1, p1, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(psrp_pipeline_next_event(l1, &ev), 1);
    CU_ASSERT_EQUAL(ev.kind, PSRP_PIPELINE_EV_STATE);
    CU_ASSERT_EQUAL(psrp_pipeline_get_state(l1), PSRP_PIPELINE_COMPLETED);
    psrp_pipeline_free(l1);
    psrp_pool_free(p1);
    psrp_pool_free(p2);
    /* Still the caller's: it parses on. */
    psrp_value *v = NULL;
    CU_ASSERT_EQUAL(psrp_clixml_parse_with(rd, "<S>after</S>", 12, NULL, &v, NULL), 0);
    psrp_value_free(v);
    psrp_clixml_reader_free(rd);
    psr_buf_free(&d);
    psr_buf_free(&s1.payload);
    psr_buf_free(&s2.payload);
}

static const psr_unit_test tests[] = {
    {"ids", test_ids},
    {"open: creationXml bytes, capability, private data, Opened, Closed", test_open_bytes_and_events},
    {"APPLICATION_PRIVATE_DATA passed over unread with skip_private_data", test_skip_private_data},
    {"protocol version negotiation (2.1, 2.2, 2.5, 3.0)", test_version_negotiation},
    {"pipeline: every stream, host call answer, input, Completed", test_pipeline_every_stream},
    {"pipeline: Failed with ErrorRecord, stop, foreign PID", test_pipeline_failed_and_stopped},
    {"pool Broken by the server and by bad data", test_pool_broken},
    {"pool messages on a pipeline's stream (key request, Broken)",
     test_pool_messages_on_pipeline_stream},
    {"pool requests and pool host call", test_pool_requests_and_host_call},
    {"session key exchange and SecureString", test_session_key_exchange},
    {"reconnect: CONNECT_RUNSPACEPOOL, INIT_DATA, Opened", test_reconnect},
    {"bodies built once give the same bytes (after ids: PID is set there)", test_prebuilt_bodies},
    {"one CLIXML reader shared by two pools and their pipelines", test_shared_reader},
    {NULL, NULL},
};

PSR_UNIT_MAIN("psrp runspace pool and pipeline", tests)
