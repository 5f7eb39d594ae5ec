/* trace.c: SecureStrings redacted from envelopes for --trace (see
 * trace.h). A plain text scan, not an XML parse: the envelope is written
 * byte for byte as it was sent except for the payloads that held an <SS>,
 * and an envelope the XML parser would refuse is still redacted. */
#include "src/client/trace.h"

#include "common/base64.h"
#include "psremote/error.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Elements whose text is base64 of PSRP fragments (MS-PSRP 3.1.5.x). */
static int is_payload_element(const char *name, size_t len)
{
    static const char *const names[] = {"Stream", "Arguments", "creationXml", "connectXml",
                                        "connectResponseXml"};
    const char *colon = memchr(name, ':', len);
    if (colon) {
        len -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return 1;
    return 0;
}

/* The value of attribute attr in the start tag [tag, end), into out. */
static void attribute(const char *tag, const char *end, const char *attr, char *out, size_t cap)
{
    out[0] = '\0';
    size_t n = strlen(attr);
    for (const char *p = tag; p + n + 2 < end; p++) {
        if ((p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') && strncmp(p, attr, n) == 0 &&
            p[n] == '=' && (p[n + 1] == '"' || p[n + 1] == '\'')) {
            const char *v = p + n + 2;
            const char *close = memchr(v, p[n + 1], (size_t)(end - v));
            if (close)
                snprintf(out, cap, "%.*s", (int)(close - v), v);
            return;
        }
    }
}

int psr_trace_redact(psrp_redactor *r, int response, const char *xml, size_t len, psr_buf *out)
{
    size_t copied = 0; /* xml[0, copied) is in out already */
    int changed = 0;
    psr_buf raw = {0};
    const char *end = xml + len;
    for (const char *p = xml; p && p < end; p = memchr(p + 1, '<', (size_t)(end - p - 1))) {
        if (*p != '<' || p + 1 >= end)
            continue;
        const char *name = p + 1;
        size_t name_len = strcspn(name, " \t\r\n/>");
        if (name + name_len >= end || !is_payload_element(name, name_len))
            continue;
        const char *gt = memchr(name, '>', (size_t)(end - name));
        if (!gt || gt[-1] == '/')
            continue;
        const char *text = gt + 1;
        const char *lt = memchr(text, '<', (size_t)(end - text));
        if (!lt)
            break;
        psr_buf_reset(&raw);
        if (lt == text || psr_base64_decode(&raw, text, (size_t)(lt - text)) != 0 || !raw.len)
            continue;
        /* The fragments of one object travel on one channel: all our
         * requests share one ObjectId counter, a server's may count per
         * command. */
        char command_id[64], channel[96];
        attribute(name, gt, "CommandId", command_id, sizeof(command_id));
        snprintf(channel, sizeof(channel), "%s:%s", response ? "response" : "request",
                 response && command_id[0] ? command_id : "shell");
        if (!psrp_redact_payload(r, channel, (uint8_t *)raw.data, raw.len))
            continue;
        if (psr_buf_append(out, xml + copied, (size_t)(text - (xml + copied))) ||
            psr_base64_encode(out, raw.data, raw.len)) {
            psr_buf_free(&raw);
            return PSR_E_NOMEM;
        }
        copied = (size_t)(lt - xml);
        changed = 1;
    }
    psr_buf_free(&raw);
    if (changed && psr_buf_append(out, xml + copied, len - copied))
        return PSR_E_NOMEM;
    return changed;
}
