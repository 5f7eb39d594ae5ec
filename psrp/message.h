/* message.h: the PSRP message header (MS-PSRP 2.2.1) and message types.
 *
 * A PSRP message is what one or more fragments carry:
 *   Destination u32 LE (1 = client, 2 = server) | MessageType u32 LE |
 *   RPID GUID (16) | PID GUID (16) | Data (UTF-8 XML, a BOM may lead)
 * GUIDs are in the .NET / MS-DTYP 2.3.4.2 packet order: Data1 (4 bytes),
 * Data2 and Data3 (2 bytes each) little-endian, Data4 as is. PID is all zero
 * for messages to the runspace pool.
 *
 * psrp_message_parse does not copy: the parsed message points into the
 * caller's bytes, which must outlive it. */
#ifndef PSR_PSRP_MESSAGE_H
#define PSR_PSRP_MESSAGE_H

#include "common/buf.h"
#include "common/uuid.h"
#include "psremote/error.h"

#include <stddef.h>
#include <stdint.h>

#define PSRP_MESSAGE_HEADER_LEN 40

typedef enum psrp_destination {
    PSRP_DEST_CLIENT = 0x00000001,
    PSRP_DEST_SERVER = 0x00000002,
} psrp_destination;

/* Every MessageType of MS-PSRP 2.2.1. The high 16 bits say what the message
 * is for: 0x0001 the session, 0x0002 the runspace pool, 0x0004 a pipeline. */
typedef enum psrp_message_type {
    PSRP_SESSION_CAPABILITY = 0x00010002,
    PSRP_INIT_RUNSPACEPOOL = 0x00010004,
    PSRP_PUBLIC_KEY = 0x00010005,
    PSRP_ENCRYPTED_SESSION_KEY = 0x00010006,
    PSRP_PUBLIC_KEY_REQUEST = 0x00010007,
    PSRP_CONNECT_RUNSPACEPOOL = 0x00010008,
    PSRP_SET_MAX_RUNSPACES = 0x00021002,
    PSRP_SET_MIN_RUNSPACES = 0x00021003,
    PSRP_RUNSPACE_AVAILABILITY = 0x00021004,
    PSRP_RUNSPACEPOOL_STATE = 0x00021005,
    PSRP_CREATE_PIPELINE = 0x00021006,
    PSRP_GET_AVAILABLE_RUNSPACES = 0x00021007,
    PSRP_USER_EVENT = 0x00021008,
    PSRP_APPLICATION_PRIVATE_DATA = 0x00021009,
    PSRP_GET_COMMAND_METADATA = 0x0002100A,
    PSRP_RUNSPACEPOOL_INIT_DATA = 0x0002100B,
    PSRP_RESET_RUNSPACE_STATE = 0x0002100C,
    PSRP_RUNSPACEPOOL_HOST_CALL = 0x00021100,
    PSRP_RUNSPACEPOOL_HOST_RESPONSE = 0x00021101,
    PSRP_PIPELINE_INPUT = 0x00041002,
    PSRP_END_OF_PIPELINE_INPUT = 0x00041003,
    PSRP_PIPELINE_OUTPUT = 0x00041004,
    PSRP_ERROR_RECORD = 0x00041005,
    PSRP_PIPELINE_STATE = 0x00041006,
    PSRP_DEBUG_RECORD = 0x00041007,
    PSRP_VERBOSE_RECORD = 0x00041008,
    PSRP_WARNING_RECORD = 0x00041009,
    PSRP_PROGRESS_RECORD = 0x00041010,
    PSRP_INFORMATION_RECORD = 0x00041011,
    PSRP_PIPELINE_HOST_CALL = 0x00041100,
    PSRP_PIPELINE_HOST_RESPONSE = 0x00041101,
} psrp_message_type;

/* "PIPELINE_OUTPUT" etc.; NULL for a value the spec does not define. */
const char *psrp_message_type_name(uint32_t type);
/* 1 when the type is addressed to a pipeline (needs a PID). */
int psrp_message_type_is_pipeline(uint32_t type);

typedef struct psrp_message {
    uint32_t destination;
    uint32_t type;
    psr_uuid rpid;
    psr_uuid pid;        /* all zero when the message is for the pool */
    const char *data;    /* UTF-8 XML, BOM removed; points into the input */
    size_t data_len;
} psrp_message;

/* MS-DTYP 2.3.4.2 packet order <-> the RFC 4122 order psr_uuid keeps. */
void psrp_guid_to_wire(const psr_uuid *u, uint8_t out[16]);
void psrp_guid_from_wire(psr_uuid *u, const uint8_t in[16]);
int psrp_guid_is_nil(const psr_uuid *u);

/* Parses a whole message. PSR_E_PARSE for a short header, a Destination
 * other than 1 or 2, a MessageType the spec does not define, or a pipeline
 * message with a nil PID; the message says which and at what offset. */
int psrp_message_parse(psrp_message *m, const void *bytes, size_t len, psr_error *err);

/* Appends header + data (no BOM is written). pid NULL means nil. */
int psrp_message_build(psr_buf *out, psrp_destination dest, uint32_t type, const psr_uuid *rpid,
                       const psr_uuid *pid, const void *data, size_t data_len);

#endif
