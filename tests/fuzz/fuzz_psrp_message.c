/* fuzz_psrp_message.c: the PSRP message parsers on hostile input.
 *
 * Input: one whole PSRP message (40-byte header + CLIXML data). The header
 * goes through psrp_message_parse; the data then goes through the parser of
 * the message's type, and, so every parser sees every shape, through all the
 * others too. Parsed structs are cleared (leaks and double frees show). */
#include "psrp/message.h"
#include "psrp/messages.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void all_parsers(const char *d, size_t n)
{
    psr_error err;
    psrp_msg_session_capability cap;
    if (psrp_msg_session_capability_parse(&cap, d, n, &err) == 0)
        psrp_msg_session_capability_clear(&cap);
    psrp_msg_init_pool ip;
    if (psrp_msg_init_pool_parse(&ip, d, n, &err) == 0)
        psrp_msg_init_pool_clear(&ip);
    psrp_msg_key_blob kb;
    if (psrp_msg_public_key_parse(&kb, d, n, &err) == 0)
        psrp_msg_key_blob_clear(&kb);
    if (psrp_msg_encrypted_session_key_parse(&kb, d, n, &err) == 0)
        psrp_msg_key_blob_clear(&kb);
    (void)psrp_msg_public_key_request_parse(d, n, &err);
    psrp_msg_pool_numbers pn;
    if (psrp_msg_pool_numbers_parse(&pn, d, n, &err) == 0)
        psrp_msg_pool_numbers_clear(&pn);
    psrp_msg_runspace_availability ra;
    if (psrp_msg_runspace_availability_parse(&ra, d, n, &err) == 0)
        psrp_msg_runspace_availability_clear(&ra);
    psrp_msg_pool_state ps;
    if (psrp_msg_pool_state_parse(&ps, d, n, &err) == 0)
        psrp_msg_pool_state_clear(&ps);
    psrp_msg_user_event ue;
    if (psrp_msg_user_event_parse(&ue, d, n, &err) == 0)
        psrp_msg_user_event_clear(&ue);
    psrp_msg_app_private_data apd;
    if (psrp_msg_app_private_data_parse(&apd, d, n, &err) == 0)
        psrp_msg_app_private_data_clear(&apd);
    psrp_msg_host_call hc;
    if (psrp_msg_host_call_parse(&hc, d, n, &err) == 0)
        psrp_msg_host_call_clear(&hc);
    psrp_msg_host_response hr;
    if (psrp_msg_host_response_parse(&hr, d, n, &err) == 0)
        psrp_msg_host_response_clear(&hr);
    psrp_parsed_pipeline pp;
    if (psrp_msg_create_pipeline_parse(&pp, d, n, &err) == 0)
        psrp_parsed_pipeline_clear(&pp);
    psrp_value *v = NULL;
    if (psrp_msg_object_parse(&v, d, n, &err) == 0)
        psrp_value_free(v);
    psrp_msg_pipeline_state st;
    if (psrp_msg_pipeline_state_parse(&st, d, n, &err) == 0)
        psrp_msg_pipeline_state_clear(&st);
    psrp_error_record er;
    if (psrp_msg_error_record_parse(&er, d, n, &err) == 0)
        psrp_error_record_clear(&er);
    psrp_msg_informational inf;
    if (psrp_msg_informational_parse(&inf, d, n, &err) == 0)
        psrp_msg_informational_clear(&inf);
    psrp_msg_information info;
    if (psrp_msg_information_parse(&info, d, n, &err) == 0)
        psrp_msg_information_clear(&info);
    psrp_msg_progress pr;
    if (psrp_msg_progress_parse(&pr, d, n, &err) == 0)
        psrp_msg_progress_clear(&pr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    psrp_message m;
    psr_error err;
    if (psrp_message_parse(&m, data, size, &err) == 0)
        all_parsers(m.data, m.data_len);
    else if (size > PSRP_MESSAGE_HEADER_LEN)
        all_parsers((const char *)data + PSRP_MESSAGE_HEADER_LEN, size - PSRP_MESSAGE_HEADER_LEN);
    return 0;
}
