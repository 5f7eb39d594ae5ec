/* basic.c: the Authorization value for HTTP Basic (RFC 7617).
 *
 * The header is "Basic " + base64(user ":" password), with the strings sent
 * as UTF-8 bytes (RFC 7617 section 2.1, charset="UTF-8", which is what WinRM
 * expects). The clear "user:password" text only lives in a scratch buffer
 * that is wiped before it is freed. */
#include "src/auth/basic.h"

#include "common/base64.h"

#include <openssl/crypto.h>
#include <string.h>

/* RFC 7617 section 2: neither part may contain control characters. */
static int has_control_char(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 1;
    return 0;
}

static void buf_wipe(psr_buf *b)
{
    if (b->data)
        OPENSSL_cleanse(b->data, b->cap);
    psr_buf_free(b);
}

int psr_basic_authorization(psr_buf *out, const char *user, const char *password,
                            int is_tls, int allow_unencrypted, psr_error *err)
{
    psr_buf_reset(out);
    if (!is_tls && !allow_unencrypted)
        return psr_error_set(err, PSR_E_INVALID,
                             "refusing Basic authentication over plain HTTP: the password "
                             "would travel in clear text; use HTTPS (port 5986), another "
                             "authentication method, or pass --allow-unencrypted if you "
                             "accept that risk (the server must also allow it: "
                             "AllowUnencrypted=true)");
    if (!user || !*user)
        return psr_error_set(err, PSR_E_INVALID,
                             "Basic authentication needs a user name (--user)");
    if (strchr(user, ':'))
        return psr_error_set(err, PSR_E_INVALID,
                             "the user name '%s' contains ':', which Basic authentication "
                             "cannot carry (RFC 7617); use a local account name without ':'",
                             user);
    if (!password)
        password = "";
    if (has_control_char(user))
        return psr_error_set(err, PSR_E_INVALID,
                             "the user name contains a control character, which Basic "
                             "authentication cannot carry (RFC 7617)");
    if (has_control_char(password))
        return psr_error_set(err, PSR_E_INVALID,
                             "the password contains a control character, which Basic "
                             "authentication cannot carry (RFC 7617)");

    /* Reserved up front so no realloc leaves a stray copy of the password. */
    psr_buf plain = {0};
    int rc = psr_buf_reserve(&plain, strlen(user) + 1 + strlen(password));
    if (!rc)
        rc = psr_buf_puts(&plain, user);
    if (!rc)
        rc = psr_buf_putc(&plain, ':');
    if (!rc)
        rc = psr_buf_puts(&plain, password);
    if (!rc)
        rc = psr_buf_puts(out, "Basic ");
    if (!rc)
        rc = psr_base64_encode(out, plain.data, plain.len);
    buf_wipe(&plain);
    if (rc) {
        psr_buf_reset(out);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory building the Basic credentials");
    }
    return 0;
}
