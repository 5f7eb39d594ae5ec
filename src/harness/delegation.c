/* delegation.c (harness): checking the credentials a CredSSP client
 * delegated, as Windows does when it logs the user on with them.
 *
 * The delegated user must be the one SPNEGO authenticated, and the
 * password must be that user's: for an account in the NTLM user file it is
 * compared with the file's; for a Kerberos principal the KDC is asked for
 * a ticket with it (a real second hop: the harness could now act as the
 * user). A password the harness cannot check is refused. */
#include "src/harness/delegation.h"

#include "src/auth/gss.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits "DOMAIN\user" or "user@realm" into its user part (and domain). */
static void split_name(const char *name, char *user, size_t ulen, char *domain, size_t dlen)
{
    const char *sep = strchr(name, '\\');
    const char *at = strrchr(name, '@');
    if (sep) {
        snprintf(domain, dlen, "%.*s", (int)(sep - name), name);
        snprintf(user, ulen, "%s", sep + 1);
    } else if (at) {
        snprintf(user, ulen, "%.*s", (int)(at - name), name);
        snprintf(domain, dlen, "%s", at + 1);
    } else {
        snprintf(user, ulen, "%s", name);
        domain[0] = '\0';
    }
}

/* 1 when DOMAIN:user:password in the NTLM user file matches; 0 when the
 * user is there with another password; -1 when the user is not there. */
static int check_ntlm_file(const char *path, const char *domain, const char *user,
                           const char *password)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return -1;
    char line[1024];
    int found = -1;
    while (found != 1 && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = '\0';
        if (strcasecmp(line, domain) != 0 && *domain)
            continue;
        if (strcasecmp(c1 + 1, user) != 0)
            continue;
        size_t n = strlen(c2 + 1);
        found = n == strlen(password) && CRYPTO_memcmp(c2 + 1, password, n) == 0 ? 1 : 0;
    }
    OPENSSL_cleanse(line, sizeof(line));
    fclose(f);
    return found;
}

/* Asks the KDC for user@REALM's ticket with the password. */
static int check_kerberos(const char *principal, const char *password, char *why, size_t n)
{
    psr_gss_initiator_options o = {
        .mech = PSR_GSS_KERBEROS,
        .user = principal,
        .password = password,
        .host = "localhost",
    };
    psr_gss_ctx *ctx = NULL;
    psr_error err;
    int rc = psr_gss_initiator_new(&ctx, &o, &err);
    psr_gss_free(ctx);
    if (rc)
        snprintf(why, n, "the KDC refused the delegated password: %s", err.message);
    return rc == 0;
}

int harness_verify_delegated(const harness_options *opts, const char *peer, int kerberos,
                             const char *domain, const char *user, const char *password,
                             char *why, size_t why_len)
{
    char peer_user[256], peer_domain[256], del_user[256], del_domain[256];
    split_name(peer, peer_user, sizeof(peer_user), peer_domain, sizeof(peer_domain));
    if (*domain) {
        snprintf(del_user, sizeof(del_user), "%s", user);
        snprintf(del_domain, sizeof(del_domain), "%s", domain);
    } else {
        split_name(user, del_user, sizeof(del_user), del_domain, sizeof(del_domain));
    }
    if (strcasecmp(peer_user, del_user) != 0) {
        snprintf(why, why_len, "CredSSP: %s authenticated but delegated credentials for %s%s%s",
                 peer, domain, *domain ? "\\" : "", user);
        return 0;
    }
    if (kerberos) {
        char principal[520];
        snprintf(principal, sizeof(principal), "%s@%s", peer_user, peer_domain);
        if (check_kerberos(principal, password, why, why_len)) {
            snprintf(why, why_len, "CredSSP: delegated credentials for %s verified with the KDC",
                     principal);
            return 1;
        }
        return 0;
    }
    const char *file = opts->ntlm_user_file ? opts->ntlm_user_file : getenv("NTLM_USER_FILE");
    int r = check_ntlm_file(file, *del_domain ? del_domain : peer_domain, del_user, password);
    if (r == 1)
        snprintf(why, why_len, "CredSSP: delegated credentials for %s verified with the NTLM "
                               "user file", peer);
    else if (r == 0)
        snprintf(why, why_len, "CredSSP: wrong delegated password for %s", peer);
    else
        snprintf(why, why_len, "CredSSP: cannot check the delegated password of %s", peer);
    return r == 1;
}
