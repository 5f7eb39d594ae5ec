/* test_harness_pool.c: the harness's PowerShell endpoint answering the
 * runspace-pool requests (MS-PSRP 2.2.2.6-2.2.2.8, 2.2.2.11, 2.2.2.33) in
 * process: the pool is opened with our client's pure state machine
 * (psrp/runspace_pool.h), every envelope is built by wsman/ and dispatched
 * to the harness, and the answers come back as the client would read them.
 * SET_MAX/MIN_RUNSPACES answer true or false with the call id,
 * GET_AVAILABLE_RUNSPACES the count, RESET_RUNSPACE_STATE true. */
#include "common/base64.h"
#include "common/uuid.h"
#include "psrp/runspace_pool.h"
#include "src/harness/harness.h"
#include "src/harness/ps_server.h"
#include "unit.h"
#include "wsman/wsman.h"

#include <string.h>

#define PS_URI "http://schemas.microsoft.com/powershell/Microsoft.PowerShell"

typedef struct fixture {
    harness_winrs *winrs;
    harness_options opts;
    harness_dispatch_ctx ctx;
    psrp_pool *pool;
    char shell_id[PSR_UUID_STRLEN];
    int n_msg;
} fixture;

static wsman_request_header hdr(fixture *f, char *msgid)
{
    snprintf(msgid, 64, "uuid:00000000-0000-0000-0000-%012d", ++f->n_msg);
    wsman_request_header h = {0};
    h.to = "http://127.0.0.1:5985/wsman";
    h.resource_uri = PS_URI;
    h.message_id = msgid;
    h.shell_id = f->shell_id[0] ? f->shell_id : NULL;
    h.operation_timeout_ms = 2000;
    return h;
}

static int roundtrip(fixture *f, const psr_buf *req, wsman_response *resp)
{
    psr_buf reply = {0};
    int status = harness_dispatch(&f->ctx, req->data, req->len, 0, &reply, NULL);
    psr_error err = {0};
    memset(resp, 0, sizeof(*resp));
    CU_ASSERT_EQUAL(wsman_parse_response(reply.data, reply.len, resp, &err), 0);
    psr_buf_free(&reply);
    return status;
}

/* What a RUNSPACE_AVAILABILITY said (events live only until the next
 * psrp_pool_next_event, so the fields are copied out). */
typedef struct answer {
    int64_t ci;
    int is_bool, ok;
    int64_t available;
} answer;

/* Sends what the pool queued, then receives on the shell until an event
 * of kind arrives (or the harness has nothing more to say). */
static int pool_round(fixture *f, psrp_pool_event_kind kind, answer *out)
{
    char msgid[64];
    psr_buf req = {0}, payload = {0};
    wsman_response resp;
    while (psrp_pool_next_stream(f->pool)) {
        psr_buf_reset(&payload);
        CU_ASSERT_FATAL(psrp_pool_take_payload(f->pool, &payload, 100000, NULL) > 0);
        wsman_request_header h = hdr(f, msgid);
        psr_buf_reset(&req);
        wsman_build_send(&req, &h, NULL, "stdin", payload.data, payload.len, 0);
        CU_ASSERT_EQUAL(roundtrip(f, &req, &resp), 200);
        wsman_response_clear(&resp);
    }
    int found = 0;
    for (int round = 0; round < 5 && !found; round++) {
        wsman_request_header h = hdr(f, msgid);
        psr_buf_reset(&req);
        wsman_build_receive(&req, &h, NULL, "stdout");
        int status = roundtrip(f, &req, &resp);
        for (size_t i = 0; status == 200 && i < resp.n_streams; i++)
            CU_ASSERT_EQUAL(psrp_pool_feed(f->pool, resp.streams[i].name, resp.streams[i].data.data,
                                           resp.streams[i].data.len, NULL), 0);
        wsman_response_clear(&resp);
        psrp_pool_event ev;
        while (psrp_pool_next_event(f->pool, &ev) == 1) {
            if (!found && ev.kind == kind) {
                found = 1;
                if (out && kind == PSRP_POOL_EV_RUNSPACE_AVAILABILITY)
                    *out = (answer){ev.u.availability.ci, ev.u.availability.is_bool,
                                    ev.u.availability.ok, ev.u.availability.available};
            }
        }
    }
    psr_buf_free(&req);
    psr_buf_free(&payload);
    return found;
}

static void setup(fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->winrs = harness_winrs_new();
    f->opts.operation_timeout_max_ms = 60000;
    f->opts.max_envelope_size = 512000;
    f->ctx = (harness_dispatch_ctx){f->winrs, &f->opts, "testhost", harness_ps_new()};
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx.ps);
    psrp_pool_config cfg;
    psrp_pool_config_init(&cfg);
    CU_ASSERT_EQUAL_FATAL(psr_uuid_generate(&cfg.rpid), 0);
    cfg.min_runspaces = 1;
    cfg.max_runspaces = 2;
    f->pool = psrp_pool_new(&cfg, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->pool);
    CU_ASSERT_EQUAL_FATAL(psrp_pool_open(f->pool, NULL), 0);
    psr_buf creation = {0}, b64 = {0}, req = {0};
    CU_ASSERT_FATAL(psrp_pool_take_payload(f->pool, &creation, 100000, NULL) > 0);
    psr_base64_encode(&b64, creation.data, creation.len);
    char rpid[PSR_UUID_STRLEN], msgid[64];
    psr_uuid_format(&cfg.rpid, 1, rpid);
    wsman_request_header h = hdr(f, msgid);
    wsman_option options[] = {{"protocolversion", "2.3", 1}};
    h.options = options;
    h.n_options = 1;
    wsman_shell_spec spec = {.shell_id = rpid, .input_streams = "stdin pr",
                             .output_streams = "stdout", .creation_xml_b64 = b64.data};
    wsman_build_create_shell(&req, &h, &spec);
    wsman_response resp;
    CU_ASSERT_EQUAL_FATAL(roundtrip(f, &req, &resp), 200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(resp.shell_id);
    snprintf(f->shell_id, sizeof(f->shell_id), "%s", resp.shell_id);
    wsman_response_clear(&resp);
    CU_ASSERT_FATAL(pool_round(f, PSRP_POOL_EV_OPENED, NULL));
    psr_buf_free(&creation);
    psr_buf_free(&b64);
    psr_buf_free(&req);
}

static void teardown(fixture *f)
{
    psrp_pool_free(f->pool);
    harness_ps_shutdown(f->ctx.ps);
    harness_ps_free(f->ctx.ps);
    harness_winrs_free(f->winrs);
}

static void test_set_runspaces(void)
{
    fixture f;
    setup(&f);
    int64_t ci = 0;
    answer a;
    /* a larger maximum is taken */
    CU_ASSERT_EQUAL(psrp_pool_set_max_runspaces(f.pool, 5, &ci, NULL), 0);
    CU_ASSERT_FATAL(pool_round(&f, PSRP_POOL_EV_RUNSPACE_AVAILABILITY, &a));
    CU_ASSERT_EQUAL(a.ci, ci);
    CU_ASSERT_TRUE(a.is_bool && a.ok);
    /* a minimum above the maximum is refused, with its own call id */
    int64_t ci2 = 0;
    CU_ASSERT_EQUAL(psrp_pool_set_min_runspaces(f.pool, 9, &ci2, NULL), 0);
    CU_ASSERT_NOT_EQUAL(ci2, ci);
    CU_ASSERT_FATAL(pool_round(&f, PSRP_POOL_EV_RUNSPACE_AVAILABILITY, &a));
    CU_ASSERT_EQUAL(a.ci, ci2);
    CU_ASSERT_TRUE(a.is_bool && !a.ok);
    /* with nothing running, all of the new maximum is available */
    CU_ASSERT_EQUAL(psrp_pool_get_available_runspaces(f.pool, &ci, NULL), 0);
    CU_ASSERT_FATAL(pool_round(&f, PSRP_POOL_EV_RUNSPACE_AVAILABILITY, &a));
    CU_ASSERT_EQUAL(a.ci, ci);
    CU_ASSERT_FALSE(a.is_bool);
    CU_ASSERT_EQUAL(a.available, 5);
    teardown(&f);
}

static void test_reset_runspace_state(void)
{
    fixture f;
    setup(&f);
    int64_t ci = 0;
    answer a;
    CU_ASSERT_EQUAL(psrp_pool_reset_runspace_state(f.pool, &ci, NULL), 0);
    CU_ASSERT_FATAL(pool_round(&f, PSRP_POOL_EV_RUNSPACE_AVAILABILITY, &a));
    CU_ASSERT_EQUAL(a.ci, ci);
    CU_ASSERT_TRUE(a.is_bool && a.ok);
    teardown(&f);
}

static const psr_unit_test tests[] = {
    {"SET_MAX/MIN_RUNSPACES and GET_AVAILABLE_RUNSPACES answered", test_set_runspaces},
    {"RESET_RUNSPACE_STATE answered", test_reset_runspace_state},
    {NULL, NULL},
};

PSR_UNIT_MAIN("harness: runspace-pool requests", tests)
