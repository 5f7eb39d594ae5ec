/* message.c: PSRP message header and type names (see message.h). */
#include "psrp/message.h"

#include <string.h>

static const struct {
    uint32_t type;
    const char *name;
} type_names[] = {
    {PSRP_SESSION_CAPABILITY, "SESSION_CAPABILITY"},
    {PSRP_INIT_RUNSPACEPOOL, "INIT_RUNSPACEPOOL"},
    {PSRP_PUBLIC_KEY, "PUBLIC_KEY"},
    {PSRP_ENCRYPTED_SESSION_KEY, "ENCRYPTED_SESSION_KEY"},
    {PSRP_PUBLIC_KEY_REQUEST, "PUBLIC_KEY_REQUEST"},
    {PSRP_CONNECT_RUNSPACEPOOL, "CONNECT_RUNSPACEPOOL"},
    {PSRP_SET_MAX_RUNSPACES, "SET_MAX_RUNSPACES"},
    {PSRP_SET_MIN_RUNSPACES, "SET_MIN_RUNSPACES"},
    {PSRP_RUNSPACE_AVAILABILITY, "RUNSPACE_AVAILABILITY"},
    {PSRP_RUNSPACEPOOL_STATE, "RUNSPACEPOOL_STATE"},
    {PSRP_CREATE_PIPELINE, "CREATE_PIPELINE"},
    {PSRP_GET_AVAILABLE_RUNSPACES, "GET_AVAILABLE_RUNSPACES"},
    {PSRP_USER_EVENT, "USER_EVENT"},
    {PSRP_APPLICATION_PRIVATE_DATA, "APPLICATION_PRIVATE_DATA"},
    {PSRP_GET_COMMAND_METADATA, "GET_COMMAND_METADATA"},
    {PSRP_RUNSPACEPOOL_INIT_DATA, "RUNSPACEPOOL_INIT_DATA"},
    {PSRP_RESET_RUNSPACE_STATE, "RESET_RUNSPACE_STATE"},
    {PSRP_RUNSPACEPOOL_HOST_CALL, "RUNSPACEPOOL_HOST_CALL"},
    {PSRP_RUNSPACEPOOL_HOST_RESPONSE, "RUNSPACEPOOL_HOST_RESPONSE"},
    {PSRP_PIPELINE_INPUT, "PIPELINE_INPUT"},
    {PSRP_END_OF_PIPELINE_INPUT, "END_OF_PIPELINE_INPUT"},
    {PSRP_PIPELINE_OUTPUT, "PIPELINE_OUTPUT"},
    {PSRP_ERROR_RECORD, "ERROR_RECORD"},
    {PSRP_PIPELINE_STATE, "PIPELINE_STATE"},
    {PSRP_DEBUG_RECORD, "DEBUG_RECORD"},
    {PSRP_VERBOSE_RECORD, "VERBOSE_RECORD"},
    {PSRP_WARNING_RECORD, "WARNING_RECORD"},
    {PSRP_PROGRESS_RECORD, "PROGRESS_RECORD"},
    {PSRP_INFORMATION_RECORD, "INFORMATION_RECORD"},
    {PSRP_PIPELINE_HOST_CALL, "PIPELINE_HOST_CALL"},
    {PSRP_PIPELINE_HOST_RESPONSE, "PIPELINE_HOST_RESPONSE"},
};

const char *psrp_message_type_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return NULL;
}

int psrp_message_type_is_pipeline(uint32_t type)
{
    return (type & 0xFFFF0000u) == 0x00040000u;
}

void psrp_guid_to_wire(const psr_uuid *u, uint8_t out[16])
{
    const uint8_t *b = u->b;
    /* Data1, Data2, Data3 little-endian; Data4 unchanged. */
    out[0] = b[3]; out[1] = b[2]; out[2] = b[1]; out[3] = b[0];
    out[4] = b[5]; out[5] = b[4];
    out[6] = b[7]; out[7] = b[6];
    memcpy(out + 8, b + 8, 8);
}

void psrp_guid_from_wire(psr_uuid *u, const uint8_t in[16])
{
    /* The swap is its own inverse. */
    psr_uuid tmp;
    memcpy(tmp.b, in, 16);
    psrp_guid_to_wire(&tmp, u->b);
}

int psrp_guid_is_nil(const psr_uuid *u)
{
    for (int i = 0; i < 16; i++)
        if (u->b[i])
            return 0;
    return 1;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

int psrp_message_parse(psrp_message *m, const void *bytes, size_t len, psr_error *err)
{
    const uint8_t *p = bytes;
    memset(m, 0, sizeof(*m));
    if (len < PSRP_MESSAGE_HEADER_LEN)
        return psr_error_set(err, PSR_E_PARSE, "PSRP message of %zu bytes is shorter than its %d-byte header", len,
                             PSRP_MESSAGE_HEADER_LEN);
    m->destination = get_le32(p);
    if (m->destination != PSRP_DEST_CLIENT && m->destination != PSRP_DEST_SERVER)
        return psr_error_set(err, PSR_E_PARSE, "PSRP message: Destination 0x%08x at offset 0 is neither 1 (client) nor 2 (server)",
                             m->destination);
    m->type = get_le32(p + 4);
    if (!psrp_message_type_name(m->type))
        return psr_error_set(err, PSR_E_PARSE, "PSRP message: unknown MessageType 0x%08x at offset 4", m->type);
    psrp_guid_from_wire(&m->rpid, p + 8);
    psrp_guid_from_wire(&m->pid, p + 24);
    if (psrp_message_type_is_pipeline(m->type) && psrp_guid_is_nil(&m->pid))
        return psr_error_set(err, PSR_E_PARSE, "PSRP message %s: PID at offset 24 is nil but the message is for a pipeline",
                             psrp_message_type_name(m->type));
    m->data = (const char *)p + PSRP_MESSAGE_HEADER_LEN;
    m->data_len = len - PSRP_MESSAGE_HEADER_LEN;
    if (m->data_len >= 3 && memcmp(m->data, "\xEF\xBB\xBF", 3) == 0) {
        m->data += 3;
        m->data_len -= 3;
    }
    return 0;
}

int psrp_message_build(psr_buf *out, psrp_destination dest, uint32_t type, const psr_uuid *rpid,
                       const psr_uuid *pid, const void *data, size_t data_len)
{
    uint8_t hdr[PSRP_MESSAGE_HEADER_LEN];
    static const psr_uuid nil;
    put_le32(hdr, (uint32_t)dest);
    put_le32(hdr + 4, type);
    psrp_guid_to_wire(rpid ? rpid : &nil, hdr + 8);
    psrp_guid_to_wire(pid ? pid : &nil, hdr + 24);
    if (psr_buf_reserve(out, sizeof(hdr) + data_len))
        return PSR_E_NOMEM;
    psr_buf_append(out, hdr, sizeof(hdr));
    return psr_buf_append(out, data, data_len);
}
