/* fuzz_gss_http.c: the GSSAPI HTTP glue reading hostile headers: a client
 * looking for the server's token among WWW-Authenticate values and
 * choosing a scheme, and the harness splitting a client's Authorization
 * value into scheme and token.
 *
 * Input: header values separated by '\n' (at most 8); the first byte picks
 * the scheme looked up (Negotiate or Kerberos). */
#include "src/auth/gss.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VALUES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *scheme = (data[0] & 1) ? "Kerberos" : "Negotiate";
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    char *values[MAX_VALUES];
    size_t n = 0;
    for (char *line = text; line && n < MAX_VALUES;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        values[n++] = line;
        line = next;
    }
    psr_buf token = {0}, name = {0};
    psr_error err;
    psr_gss_find_token(scheme, values, n, &token, &err);
    int kerberos;
    psr_gss_scheme_offered((data[0] & 2) ? PSR_GSS_KERBEROS : PSR_GSS_NEGOTIATE, values, n,
                           &kerberos, &err);
    for (size_t i = 0; i < n; i++)
        psr_gss_parse_authorization(values[i], &name, &token, &err);
    psr_buf_free(&token);
    psr_buf_free(&name);
    free(text);
    return 0;
}
