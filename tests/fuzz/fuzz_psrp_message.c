/* fuzz_psrp_message.c: the PSRP message parsers on hostile input.
 *
 * Input: one whole PSRP message (40-byte header + CLIXML data). The header
 * goes through psrp_message_parse; the data then goes through the parser of
 * the message's type, and, so every parser sees every shape, through all the
 * others too. Parsed structs are cleared (leaks and double frees show).
 *
 * Every parser runs twice: with a reader of its own (rd NULL) and with one
 * reader shared by all the parses of the input, as a runspace pool shares
 * one with its pipelines; both must give the same tree and the same error.
 * The data is also cut in two messages at its first NUL byte, parsed one
 * after the other with the shared reader. */
#include "psrp/clixml.h"
#include "psrp/message.h"
#include "psrp/messages.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one parse gave: its status, error and (on success) the tree. */
typedef struct result {
    int rc;
    psr_error err;
    psr_buf tree;
} result;

static void keep_tree(result *res, const psrp_value *v)
{
    if (res->rc == 0 && psrp_clixml_serialize(&res->tree, v, NULL) != 0)
        psr_buf_puts(&res->tree, "(unserializable)");
}

#define PARSE(type, parse, clear)                              \
    do {                                                       \
        type m;                                                \
        res->rc = parse(rd, &m, d, n, &res->err);              \
        keep_tree(res, m.value);                               \
        if (res->rc == 0)                                      \
            clear(&m);                                         \
    } while (0)

/* Parser number i (0..NPARSERS-1) on d. */
#define NPARSERS 19
static void one_parser(int i, psrp_clixml_reader *rd, const char *d, size_t n, result *res)
{
    memset(res, 0, sizeof(*res));
    switch (i) {
    case 0: PARSE(psrp_msg_session_capability, psrp_msg_session_capability_parse, psrp_msg_session_capability_clear); break;
    case 1: PARSE(psrp_msg_init_pool, psrp_msg_init_pool_parse, psrp_msg_init_pool_clear); break;
    case 2: PARSE(psrp_msg_key_blob, psrp_msg_public_key_parse, psrp_msg_key_blob_clear); break;
    case 3: PARSE(psrp_msg_key_blob, psrp_msg_encrypted_session_key_parse, psrp_msg_key_blob_clear); break;
    case 4: res->rc = psrp_msg_public_key_request_parse(rd, d, n, &res->err); break;
    case 5: PARSE(psrp_msg_pool_numbers, psrp_msg_pool_numbers_parse, psrp_msg_pool_numbers_clear); break;
    case 6: PARSE(psrp_msg_runspace_availability, psrp_msg_runspace_availability_parse,
                  psrp_msg_runspace_availability_clear); break;
    case 7: PARSE(psrp_msg_pool_state, psrp_msg_pool_state_parse, psrp_msg_pool_state_clear); break;
    case 8: PARSE(psrp_msg_user_event, psrp_msg_user_event_parse, psrp_msg_user_event_clear); break;
    case 9: PARSE(psrp_msg_app_private_data, psrp_msg_app_private_data_parse, psrp_msg_app_private_data_clear); break;
    case 10: PARSE(psrp_msg_host_call, psrp_msg_host_call_parse, psrp_msg_host_call_clear); break;
    case 11: PARSE(psrp_msg_host_response, psrp_msg_host_response_parse, psrp_msg_host_response_clear); break;
    case 12: PARSE(psrp_parsed_pipeline, psrp_msg_create_pipeline_parse, psrp_parsed_pipeline_clear); break;
    case 13: {
        psrp_value *v = NULL;
        res->rc = psrp_msg_object_parse(rd, &v, d, n, &res->err);
        keep_tree(res, v);
        psrp_value_free(v);
        break;
    }
    case 14: PARSE(psrp_msg_pipeline_state, psrp_msg_pipeline_state_parse, psrp_msg_pipeline_state_clear); break;
    case 15: PARSE(psrp_error_record, psrp_msg_error_record_parse, psrp_error_record_clear); break;
    case 16: PARSE(psrp_msg_informational, psrp_msg_informational_parse, psrp_msg_informational_clear); break;
    case 17: PARSE(psrp_msg_information, psrp_msg_information_parse, psrp_msg_information_clear); break;
    default: PARSE(psrp_msg_progress, psrp_msg_progress_parse, psrp_msg_progress_clear); break;
    }
}

static void all_parsers(psrp_clixml_reader *shared, const char *d, size_t n)
{
    for (int i = 0; i < NPARSERS; i++) {
        result fresh, reused;
        one_parser(i, NULL, d, n, &fresh);
        one_parser(i, shared, d, n, &reused);
        if (fresh.rc != reused.rc || memcmp(&fresh.err, &reused.err, sizeof(fresh.err)) != 0 ||
            fresh.tree.len != reused.tree.len ||
            (fresh.tree.len && memcmp(fresh.tree.data, reused.tree.data, fresh.tree.len) != 0))
            abort();
        psr_buf_free(&fresh.tree);
        psr_buf_free(&reused.tree);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    psrp_message m;
    psr_error err;
    psrp_clixml_reader *shared = psrp_clixml_reader_new(NULL, NULL, NULL);
    if (!shared)
        return 0;
    const char *d = NULL;
    size_t n = 0;
    if (psrp_message_parse(&m, data, size, &err) == 0)
        d = m.data, n = m.data_len;
    else if (size > PSRP_MESSAGE_HEADER_LEN)
        d = (const char *)data + PSRP_MESSAGE_HEADER_LEN, n = size - PSRP_MESSAGE_HEADER_LEN;
    if (d) {
        all_parsers(shared, d, n);
        const char *nul = memchr(d, 0, n);
        if (nul) {
            all_parsers(shared, d, (size_t)(nul - d));
            all_parsers(shared, nul + 1, n - (size_t)(nul - d) - 1);
        }
    }
    psrp_clixml_reader_free(shared);
    return 0;
}
