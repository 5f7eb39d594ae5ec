/* wsman_diff.h: holds the two ways of reading a response to one answer.
 *
 * wsman_reader_parse reads the common replies with the SAX path
 * (wsman/response_sax.c) and leaves the rest to the DOM path
 * (wsman/response_parse.c); whatever the SAX path takes, it must read
 * exactly as the DOM path does. psr_wsman_diff parses one envelope every
 * way (DOM; SAX with a reader of its own and with the caller's reader,
 * which carries its parser over from earlier inputs; and the combination)
 * and says what differs. Shared by the unit tests and the fuzz target, so
 * it uses no test framework. */
#ifndef PSR_TESTS_WSMAN_DIFF_H
#define PSR_TESTS_WSMAN_DIFF_H

#include "wsman/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int psr_wsman_str_differ(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* The first field in which a and b differ, or NULL when they are the same. */
static inline const char *psr_wsman_response_diff(const wsman_response *a, const wsman_response *b)
{
#define PSR_DIFF_STR(f)                \
    if (psr_wsman_str_differ(a->f, b->f)) \
    return #f
#define PSR_DIFF_INT(f) \
    if (a->f != b->f)   \
    return #f
    PSR_DIFF_INT(kind);
    PSR_DIFF_STR(action);
    PSR_DIFF_STR(relates_to);
    PSR_DIFF_STR(fault.code);
    PSR_DIFF_STR(fault.subcode);
    PSR_DIFF_STR(fault.reason);
    PSR_DIFF_INT(fault.wsman_code);
    PSR_DIFF_STR(fault.machine);
    PSR_DIFF_STR(fault.message);
    PSR_DIFF_STR(fault.provider_fault);
    PSR_DIFF_STR(protocol_version);
    PSR_DIFF_STR(product_vendor);
    PSR_DIFF_STR(product_version);
    PSR_DIFF_STR(shell_id);
    PSR_DIFF_STR(shell_resource_uri);
    PSR_DIFF_STR(command_id);
    PSR_DIFF_INT(n_streams);
    for (size_t i = 0; i < a->n_streams; i++) {
        PSR_DIFF_STR(streams[i].name);
        PSR_DIFF_STR(streams[i].command_id);
        PSR_DIFF_INT(streams[i].end);
        PSR_DIFF_INT(streams[i].data.len);
        if ((a->streams[i].data.data == NULL) != (b->streams[i].data.data == NULL) ||
            (a->streams[i].data.len &&
             memcmp(a->streams[i].data.data, b->streams[i].data.data, a->streams[i].data.len)))
            return "streams[i].data";
    }
    PSR_DIFF_INT(has_command_state);
    PSR_DIFF_STR(command_state);
    PSR_DIFF_STR(command_state_id);
    PSR_DIFF_INT(has_exit_code);
    PSR_DIFF_INT(exit_code);
    return NULL;
#undef PSR_DIFF_STR
#undef PSR_DIFF_INT
}

static inline int psr_wsman_is_zero(const wsman_response *r)
{
    static const wsman_response zero;
    return memcmp(r, &zero, sizeof(zero)) == 0;
}

/* NULL when every way agrees, else what did not (in a static buffer).
 * *handled (may be NULL) tells whether the SAX path took the envelope. */
static inline const char *psr_wsman_diff(wsman_reader *reader, const char *xml, size_t len,
                                         int *handled)
{
    wsman_response dom, own, kept, both;
    psr_error dom_err, both_err;
    static char why[2 * sizeof(dom_err.message) + 64];
    int dom_rc = wsman_parse_response_dom(xml, len, &dom, &dom_err);
    int own_ok = wsman_response_sax(NULL, xml, len, &own);
    int kept_ok = wsman_response_sax(reader, xml, len, &kept);
    int both_rc = wsman_reader_parse(reader, xml, len, &both, &both_err);
    const char *field = NULL;
    why[0] = '\0';
    if (own_ok != kept_ok)
        snprintf(why, sizeof(why), "the SAX path %s with its own parser but %s with a reader",
                 own_ok ? "took it" : "declined", kept_ok ? "took it" : "declined");
    else if (own_ok && dom_rc != 0)
        snprintf(why, sizeof(why), "the SAX path took it, the DOM path failed: %s",
                 dom_err.message);
    else if (own_ok && (field = psr_wsman_response_diff(&own, &dom)))
        snprintf(why, sizeof(why), "SAX and DOM paths differ in %s", field);
    else if (own_ok && (field = psr_wsman_response_diff(&kept, &dom)))
        snprintf(why, sizeof(why), "SAX path with a reader and DOM path differ in %s", field);
    else if (!own_ok && (!psr_wsman_is_zero(&own) || !psr_wsman_is_zero(&kept)))
        snprintf(why, sizeof(why), "the SAX path declined but left data behind");
    else if (both_rc != dom_rc)
        snprintf(why, sizeof(why), "wsman_reader_parse returned %d, the DOM path %d", both_rc,
                 dom_rc);
    else if (dom_rc != 0 && strcmp(both_err.message, dom_err.message) != 0)
        snprintf(why, sizeof(why), "error messages differ: '%s' / '%s'", both_err.message,
                 dom_err.message);
    else if (dom_rc == 0 && (field = psr_wsman_response_diff(&both, &dom)))
        snprintf(why, sizeof(why), "wsman_reader_parse and DOM path differ in %s", field);
    wsman_response_clear(&dom);
    wsman_response_clear(&own);
    wsman_response_clear(&kept);
    wsman_response_clear(&both);
    if (handled)
        *handled = own_ok;
    return why[0] ? why : NULL;
}

static wsman_reader *psr_wsman_shared_reader_;

static inline void psr_wsman_free_shared_reader(void)
{
    wsman_reader_free(psr_wsman_shared_reader_);
    psr_wsman_shared_reader_ = NULL;
}

/* One reader for a whole test program, so that every envelope is also read
 * by a parser that earlier (some hostile) envelopes went through. */
static inline wsman_reader *psr_wsman_shared_reader(void)
{
    if (!psr_wsman_shared_reader_ && (psr_wsman_shared_reader_ = wsman_reader_new()))
        atexit(psr_wsman_free_shared_reader);
    return psr_wsman_shared_reader_;
}

#endif
