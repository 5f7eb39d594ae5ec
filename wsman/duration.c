/* duration.c: xs:duration values as WS-Management carries timeouts.
 *
 * Clients write OperationTimeout as "PT180.000S" (PowerShell) or "PT20S"
 * (pywinrm); Windows writes shell times as "PT7200.000S" or "P0DT0H0M1S".
 * Only day and time parts occur; years and months have no fixed length and
 * are refused. */
#include "wsman/wsman.h"

#include <string.h>

int wsman_duration_format(psr_buf *out, uint32_t ms)
{
    int rc;
    if ((rc = psr_buf_puts(out, "PT")) || (rc = psr_buf_put_u32(out, ms / 1000u, 1)) ||
        (rc = psr_buf_putc(out, '.')) || (rc = psr_buf_put_u32(out, ms % 1000u, 3)))
        return rc;
    return psr_buf_putc(out, 'S');
}

/* Reads digits into *v (saturating well above any uint32 millisecond value). */
static const char *read_number(const char *p, uint64_t *v, int *digits)
{
    *v = 0;
    *digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, (*digits)++) {
        if (*v < UINT64_C(1) << 40)
            *v = *v * 10 + (uint64_t)(*p - '0');
    }
    return p;
}

int wsman_duration_parse(const char *text, uint32_t *ms)
{
    if (!text || *text != 'P')
        return -1;
    const char *p = text + 1;
    uint64_t total = 0;
    int in_time = 0, any = 0;
    while (*p) {
        if (*p == 'T') {
            if (in_time)
                return -1;
            in_time = 1;
            p++;
            continue;
        }
        uint64_t whole, frac = 0;
        int digits, frac_digits = 0;
        p = read_number(p, &whole, &digits);
        if (digits == 0)
            return -1;
        if (*p == '.') {
            const char *q = p + 1;
            p = read_number(q, &frac, &frac_digits);
            if (frac_digits == 0)
                return -1;
            /* keep milliseconds: first three fraction digits */
            frac = 0;
            for (int i = 0; i < 3; i++)
                frac = frac * 10 + (uint64_t)(i < frac_digits ? q[i] - '0' : 0);
        }
        uint64_t unit;
        if (*p == 'D' && !in_time)
            unit = 86400000u;
        else if (*p == 'H' && in_time)
            unit = 3600000u;
        else if (*p == 'M' && in_time)
            unit = 60000u;
        else if (*p == 'S' && in_time)
            unit = 1000u;
        else
            return -1;
        if (frac_digits && *p != 'S')
            return -1;
        total += whole * unit + frac;
        if (total > UINT32_MAX)
            return -1;
        any = 1;
        p++;
    }
    if (!any)
        return -1;
    *ms = (uint32_t)total;
    return 0;
}
