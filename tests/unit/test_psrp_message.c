/* test_psrp_message.c: the PSRP message header (MS-PSRP 2.2.1): layout, GUID
 * byte order, BOM handling, every MessageType value and malformed input. */
#include "psrp/message.h"
#include "test_psrp_util.h"

#include <string.h>

static const char *RPID = "d5d7a8c4-1bd3-4c51-9a7e-3b0b8f0e2a61";
static const char *PID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

static void test_guid_packet_order(void)
{
    psr_uuid u;
    CU_ASSERT_EQUAL(psr_uuid_parse(&u, "12345678-9abc-def0-1122-334455667788"), 0);
    uint8_t w[16];
    psrp_guid_to_wire(&u, w);
    /* MS-DTYP 2.3.4.2: Data1, Data2, Data3 little-endian, Data4 as is. */
    static const uint8_t want[16] = {0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
                                     0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    PSRP_ASSERT_BYTES(w, 16, want, 16);
    psr_uuid back;
    psrp_guid_from_wire(&back, w);
    CU_ASSERT_EQUAL(memcmp(back.b, u.b, 16), 0);
}

static void test_session_capability_fixture(void)
{
    psr_buf raw = {0}, built = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_test_read_hex("psrp/message_session_capability.hex", &raw), 0);
    psrp_message m;
    CU_ASSERT_EQUAL_FATAL(psrp_message_parse(&m, raw.data, raw.len, NULL), 0);
    CU_ASSERT_EQUAL(m.destination, PSRP_DEST_SERVER);
    CU_ASSERT_EQUAL(m.type, PSRP_SESSION_CAPABILITY);
    char text[PSR_UUID_STRLEN];
    psr_uuid_format(&m.rpid, 0, text);
    CU_ASSERT_STRING_EQUAL(text, RPID);
    CU_ASSERT(psrp_guid_is_nil(&m.pid));
    CU_ASSERT_EQUAL(m.data_len, raw.len - 40);
    CU_ASSERT_EQUAL(strncmp(m.data, "<Obj RefId=\"0\"><MS><Version N=\"protocolversion\">2.2<", 51), 0);
    /* Re-encoding gives the same bytes. */
    CU_ASSERT_EQUAL(psrp_message_build(&built, PSRP_DEST_SERVER, PSRP_SESSION_CAPABILITY, &m.rpid, NULL, m.data,
                                       m.data_len),
                    0);
    PSRP_ASSERT_BYTES(built.data, built.len, raw.data, raw.len);
    psr_buf_free(&raw);
    psr_buf_free(&built);
}

static void test_pipeline_message_with_bom(void)
{
    psr_buf raw = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_test_read_hex("psrp/message_pipeline_state_bom.hex", &raw), 0);
    psrp_message m;
    CU_ASSERT_EQUAL_FATAL(psrp_message_parse(&m, raw.data, raw.len, NULL), 0);
    CU_ASSERT_EQUAL(m.destination, PSRP_DEST_CLIENT);
    CU_ASSERT_EQUAL(m.type, PSRP_PIPELINE_STATE);
    CU_ASSERT_STRING_EQUAL(psrp_message_type_name(m.type), "PIPELINE_STATE");
    char text[PSR_UUID_STRLEN];
    psr_uuid_format(&m.pid, 0, text);
    CU_ASSERT_STRING_EQUAL(text, PID);
    CU_ASSERT_EQUAL(m.data_len, raw.len - 43); /* BOM stripped */
    CU_ASSERT_EQUAL(m.data[0], '<');
    psr_buf_free(&raw);
}

static void test_every_message_type(void)
{
    /* MS-PSRP 2.2.1 MessageType table. */
    static const struct {
        uint32_t v;
        const char *name;
    } all[] = {
        {0x00010002, "SESSION_CAPABILITY"},       {0x00010004, "INIT_RUNSPACEPOOL"},
        {0x00010005, "PUBLIC_KEY"},               {0x00010006, "ENCRYPTED_SESSION_KEY"},
        {0x00010007, "PUBLIC_KEY_REQUEST"},       {0x00010008, "CONNECT_RUNSPACEPOOL"},
        {0x0002100B, "RUNSPACEPOOL_INIT_DATA"},   {0x0002100C, "RESET_RUNSPACE_STATE"},
        {0x00021002, "SET_MAX_RUNSPACES"},        {0x00021003, "SET_MIN_RUNSPACES"},
        {0x00021004, "RUNSPACE_AVAILABILITY"},    {0x00021005, "RUNSPACEPOOL_STATE"},
        {0x00021006, "CREATE_PIPELINE"},          {0x00021007, "GET_AVAILABLE_RUNSPACES"},
        {0x00021008, "USER_EVENT"},               {0x00021009, "APPLICATION_PRIVATE_DATA"},
        {0x0002100A, "GET_COMMAND_METADATA"},     {0x00021100, "RUNSPACEPOOL_HOST_CALL"},
        {0x00021101, "RUNSPACEPOOL_HOST_RESPONSE"}, {0x00041002, "PIPELINE_INPUT"},
        {0x00041003, "END_OF_PIPELINE_INPUT"},    {0x00041004, "PIPELINE_OUTPUT"},
        {0x00041005, "ERROR_RECORD"},             {0x00041006, "PIPELINE_STATE"},
        {0x00041007, "DEBUG_RECORD"},             {0x00041008, "VERBOSE_RECORD"},
        {0x00041009, "WARNING_RECORD"},           {0x00041010, "PROGRESS_RECORD"},
        {0x00041011, "INFORMATION_RECORD"},       {0x00041100, "PIPELINE_HOST_CALL"},
        {0x00041101, "PIPELINE_HOST_RESPONSE"},
    };
    psr_uuid rpid, pid;
    psr_uuid_parse(&rpid, RPID);
    psr_uuid_parse(&pid, PID);
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(psrp_message_type_name(all[i].v));
        CU_ASSERT_STRING_EQUAL(psrp_message_type_name(all[i].v), all[i].name);
        psr_buf b = {0};
        psrp_message_build(&b, PSRP_DEST_CLIENT, all[i].v, &rpid, &pid, "<S>x</S>", 8);
        psrp_message m;
        CU_ASSERT_EQUAL(psrp_message_parse(&m, b.data, b.len, NULL), 0);
        CU_ASSERT_EQUAL(m.type, all[i].v);
        CU_ASSERT_EQUAL(m.data_len, 8);
        psr_buf_free(&b);
    }
    CU_ASSERT_PTR_NULL(psrp_message_type_name(0x00010003));
    CU_ASSERT_PTR_NULL(psrp_message_type_name(0));
    CU_ASSERT(psrp_message_type_is_pipeline(PSRP_PIPELINE_OUTPUT));
    CU_ASSERT(!psrp_message_type_is_pipeline(PSRP_CREATE_PIPELINE));
}

static void test_malformed(void)
{
    psr_buf raw = {0};
    CU_ASSERT_EQUAL_FATAL(psrp_test_read_hex("psrp/message_pipeline_state_bom.hex", &raw), 0);
    psrp_message m;
    psr_error err;

    CU_ASSERT_EQUAL(psrp_message_parse(&m, raw.data, 39, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "shorter than its 40-byte header") != NULL);

    raw.data[0] = 3;
    CU_ASSERT_EQUAL(psrp_message_parse(&m, raw.data, raw.len, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "Destination 0x00000003") != NULL);
    raw.data[0] = 1;

    raw.data[4] = 0x12; /* 0x00041012: not in the table */
    CU_ASSERT_EQUAL(psrp_message_parse(&m, raw.data, raw.len, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "unknown MessageType 0x00041012") != NULL);
    raw.data[4] = 0x06;

    memset(raw.data + 24, 0, 16); /* a pipeline message without a PID */
    CU_ASSERT_EQUAL(psrp_message_parse(&m, raw.data, raw.len, &err), PSR_E_PARSE);
    CU_ASSERT(strstr(err.message, "PID at offset 24 is nil") != NULL);

    /* A header alone is a valid (empty) message. */
    raw.data[4] = 0x02, raw.data[5] = 0x00, raw.data[6] = 0x01; /* SESSION_CAPABILITY */
    CU_ASSERT_EQUAL(psrp_message_parse(&m, raw.data, 40, &err), 0);
    CU_ASSERT_EQUAL(m.data_len, 0);
    psr_buf_free(&raw);
}

static const psr_unit_test tests[] = {
    {"GUID packet byte order (MS-DTYP 2.3.4.2)", test_guid_packet_order},
    {"SESSION_CAPABILITY fixture decodes and re-encodes", test_session_capability_fixture},
    {"pipeline message with a UTF-8 BOM", test_pipeline_message_with_bom},
    {"every MessageType of 2.2.1", test_every_message_type},
    {"malformed headers", test_malformed},
    {NULL, NULL},
};

PSR_UNIT_MAIN("psrp message", tests)
