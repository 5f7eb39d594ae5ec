/* uuid.c: random UUIDs and their canonical text form. */
#include "common/uuid.h"

#include "psremote/error.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

int psr_uuid_generate(psr_uuid *u)
{
    if (RAND_bytes(u->b, sizeof(u->b)) != 1)
        return PSR_E_IO;
    u->b[6] = (uint8_t)((u->b[6] & 0x0f) | 0x40); /* version 4 */
    u->b[8] = (uint8_t)((u->b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return 0;
}

void psr_uuid_format(const psr_uuid *u, int upper, char out[PSR_UUID_STRLEN])
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = digits[u->b[i] >> 4];
        out[o++] = digits[u->b[i] & 0x0f];
    }
    out[o] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int psr_uuid_parse(psr_uuid *u, const char *text)
{
    size_t len = strlen(text);
    if (len == 38 && text[0] == '{' && text[37] == '}') {
        text++;
        len = 36;
    }
    if (len != 36)
        return PSR_E_PARSE;
    int n = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return PSR_E_PARSE;
            continue;
        }
        int hi = hexval(text[i]), lo = hexval(text[i + 1]);
        if (hi < 0 || lo < 0)
            return PSR_E_PARSE;
        u->b[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return 0;
}
