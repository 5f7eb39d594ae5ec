/* fuzz_http_challenge.c: reading WWW-Authenticate values sent by a hostile
 * server (RFC 7235 challenge lists) and turning a 401 into a message.
 *
 * Input: header values separated by '\n' (at most 8). Every value goes into
 * a 401 response; the target looks up a few schemes, the first token of the
 * input as a scheme, and builds the 401 message listing what was offered. */
#include "src/http/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VALUES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    char *values[MAX_VALUES];
    size_t n = 0;
    for (char *line = text; line && n < MAX_VALUES;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        values[n++] = line;
        line = next;
    }
    psr_http_response r = {.status = 401, .www_authenticate = values, .n_www_authenticate = n};
    psr_buf params = {0};
    const char *schemes[] = {"Negotiate", "Kerberos", "NTLM", "Basic", "CredSSP"};
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        psr_http_find_challenge(&r, schemes[i], &params);
    char first[32];
    size_t len = strcspn(text, " ,=\t");
    if (len >= sizeof(first))
        len = sizeof(first) - 1;
    memcpy(first, text, len);
    first[len] = '\0';
    psr_http_find_challenge(&r, first, &params);
    psr_error err;
    psr_http_status_error(&r, "http://fuzz:5985/wsman", &err);
    psr_buf_free(&params);
    free(text);
    return 0;
}
