/* uuid.c: random UUIDs and their canonical text form. */
#include "common/uuid.h"

#include "psremote/error.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* RAND_bytes costs thousands of instructions a call whatever the length
 * (locks, a fork check, a DRBG round), and a fan-out makes seven UUIDs per
 * host. So each thread draws them from its own pool of random bytes,
 * refilled 32 UUIDs at a time. A forked child must not hand out the bytes
 * its parent will also use: the atfork handler empties the pool of the
 * thread that forked, the only thread the child has. */
#define POOL_BYTES 512

static _Thread_local struct {
    unsigned char bytes[POOL_BYTES];
    size_t used; /* bytes handed out; POOL_BYTES (or an empty pool) means refill */
    int filled;
} pool;

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void empty_pool_in_child(void)
{
    pool.filled = 0;
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, empty_pool_in_child);
}

int psr_uuid_generate(psr_uuid *u)
{
    pthread_once(&atfork_once, register_atfork);
    if (!pool.filled || pool.used + sizeof(u->b) > POOL_BYTES) {
        if (RAND_bytes(pool.bytes, POOL_BYTES) != 1) {
            pool.filled = 0;
            return PSR_E_IO;
        }
        pool.filled = 1;
        pool.used = 0;
    }
    memcpy(u->b, pool.bytes + pool.used, sizeof(u->b));
    memset(pool.bytes + pool.used, 0, sizeof(u->b));
    pool.used += sizeof(u->b);
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
