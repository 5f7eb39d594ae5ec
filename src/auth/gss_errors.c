/* gss_errors.c: turns GSSAPI major/minor status into messages a user can
 * act on. The known Kerberos failures (wrong password, no ticket, unknown
 * SPN, clock skew, unreachable KDC) and channel-binding and NTLM failures
 * get a sentence saying what to fix; gss_display_status text always
 * follows so nothing the library said is lost. */
#include "src/auth/gss_internal.h"

#include <krb5/krb5.h>
#include <string.h>

static int minor_is(OM_uint32 minor, long code)
{
    return minor == (OM_uint32)code;
}

/* The advice for a failure, or NULL when there is nothing specific to say. */
static const char *advice(const psr_gss_ctx *c, OM_uint32 major, OM_uint32 minor,
                          gss_const_OID mech)
{
    if (GSS_ROUTINE_ERROR(major) == GSS_S_BAD_BINDINGS)
        return "the channel binding (the TLS certificate the client saw) does not match the "
               "server's: a TLS-intercepting proxy or a wrong certificate is in the way";
    if (minor_is(minor, KRB5KDC_ERR_PREAUTH_FAILED) || minor_is(minor, KRB5KRB_AP_ERR_BAD_INTEGRITY))
        return "the password is wrong (Kerberos pre-authentication failed): check the "
               "password and the user name (user@REALM)";
    if (minor_is(minor, KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN))
        return "the KDC does not know this user: check the user name (user@REALM, the realm "
               "in upper case)";
    if (minor_is(minor, KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN) && c && c->target_text &&
        strchr(c->target_text, ':'))
        return "the KDC does not know the service principal with the port in it: most servers "
               "register HTTP/host without a port, so leave out IncludePortInSPN, or register "
               "HTTP/host:port (setspn -S)";
    if (minor_is(minor, KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN))
        return "the KDC does not know the server's service principal: check the host name "
               "(use the name the SPN is registered for, not an IP address or alias), try "
               "--session-option IncludePortInSPN if the SPN includes the port, or register "
               "the SPN (setspn -S HTTP/host account)";
    if (minor_is(minor, KRB5KRB_AP_ERR_SKEW) || minor_is(minor, KRB5KRB_AP_ERR_TKT_NYV))
        return "the clocks of this machine, the server and the KDC differ by more than the "
               "allowed skew (5 minutes by default): synchronise them (NTP)";
    if (minor_is(minor, KRB5KDC_ERR_KEY_EXP))
        return "the user's password has expired: change it first";
    if (minor_is(minor, KRB5KDC_ERR_CLIENT_REVOKED))
        return "the user's account is disabled or locked out";
    if (minor_is(minor, KRB5_KDC_UNREACH) || minor_is(minor, KRB5_REALM_CANT_RESOLVE) ||
        minor_is(minor, KRB5_REALM_UNKNOWN))
        return "no KDC could be reached for the user's realm: check the realm (user@REALM), "
               "DNS and krb5.conf (KRB5_CONFIG)";
    if (minor_is(minor, KRB5KRB_AP_ERR_MODIFIED) || minor_is(minor, KRB5_KT_NOTFOUND) ||
        minor_is(minor, KRB5KRB_AP_ERR_BADKEYVER))
        return "the service key does not match: the SPN may belong to another account, or "
               "the server's keytab is out of date";
    if (c && c->is_acceptor && GSS_ROUTINE_ERROR(major) == GSS_S_NO_CRED)
        return "this server has no key for the service principal the client asked for: "
               "check that the keytab (KRB5_KTNAME or the keytab option) holds HTTP/host";
    if (minor_is(minor, KRB5_FCC_NOFILE) || minor_is(minor, KRB5_CC_NOTFOUND) ||
        minor_is(minor, KRB5_CC_NOSUPP) ||
        (GSS_ROUTINE_ERROR(major) == GSS_S_NO_CRED && c && !c->have_password && !c->is_acceptor))
        return "no Kerberos ticket was found: run `kinit user@REALM` first, or give a user "
               "name and password";
    if (c && c->is_acceptor && psr_gss_mech_of_oid(mech) == PSR_GSS_NTLM &&
        c->no_ntlm_users)
        return "NTLM authentication failed: this server has no NTLM user file (give one, "
               "or set NTLM_USER_FILE; lines DOMAIN:user:password)";
    if (c && c->is_acceptor && psr_gss_mech_of_oid(mech) == PSR_GSS_NTLM &&
        (GSS_ROUTINE_ERROR(major) == GSS_S_DEFECTIVE_TOKEN ||
         GSS_ROUTINE_ERROR(major) == GSS_S_DEFECTIVE_CREDENTIAL ||
         GSS_ROUTINE_ERROR(major) == GSS_S_FAILURE))
        return c->have_bindings
                   ? "NTLM authentication failed: wrong user name or password, or the "
                     "client's channel binding does not match this server's certificate"
                   : "NTLM authentication failed: wrong user name or password";
    return NULL;
}

/* Appends gss_display_status text; when the library has no text for a
 * mechanism code (mechglue does not map every path's minor codes), the
 * number is given instead. */
static void append_status(psr_buf *b, OM_uint32 code, int type, gss_const_OID mech)
{
    OM_uint32 minor, ctx = 0;
    do {
        gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
        if (GSS_ERROR(gss_display_status(&minor, code, type, (gss_OID)mech, &ctx, &text))) {
            if (type == GSS_C_MECH_CODE && ctx == 0)
                psr_buf_printf(b, "%sminor status %ld", b->len ? "; " : "", (long)(int32_t)code);
            break;
        }
        if (text.length) {
            if (b->len)
                psr_buf_puts(b, "; ");
            psr_buf_append(b, text.value, text.length);
        }
        gss_release_buffer(&minor, &text);
    } while (ctx != 0);
}

int psr_gss_error(psr_error *err, const psr_gss_ctx *c, const char *what, OM_uint32 major,
                  OM_uint32 minor, gss_const_OID mech)
{
    psr_buf details = {0};
    if (GSS_ROUTINE_ERROR(major) || GSS_CALLING_ERROR(major))
        append_status(&details, major, GSS_C_GSS_CODE, GSS_C_NO_OID);
    if (minor)
        append_status(&details, minor, GSS_C_MECH_CODE, mech);
    const char *hint = advice(c, major, minor, mech);
    const char *target = c && c->target_text ? c->target_text : NULL;
    psr_error_set(err, PSR_E_AUTH, "%s%s%s%s: %s%s(GSSAPI: %s)", what, target ? " (target " : "",
                  target ? target : "", target ? ")" : "", hint ? hint : "", hint ? " " : "",
                  details.len ? details.data : "no details");
    psr_buf_free(&details);
    return PSR_E_AUTH;
}

int psr_gss_rejected_error(const psr_gss_ctx *c, psr_error *err)
{
    const char *user = c->user_text ? c->user_text : "the default credentials";
    psr_gss_mech mech = c->negotiated;
    if (mech == PSR_GSS_NEGOTIATE && c->last_mech) /* SPNEGO, not finished */
        mech = psr_gss_mech_of_oid(c->last_mech);
    if (mech == PSR_GSS_NTLM)
        return psr_error_set(err, PSR_E_AUTH,
                             "the server (%s) refused the NTLM logon of %s: check the password "
                             "and the user name form (DOMAIN\\user, or HOST\\user for a local "
                             "account); a server that requires channel binding also refuses "
                             "NTLM without it (use HTTPS)",
                             psr_gss_target(c), user);
    if (mech == PSR_GSS_KERBEROS)
        return psr_error_set(err, PSR_E_AUTH,
                             "the server (%s) refused the Kerberos ticket of %s: the SPN may be "
                             "registered to another account than the server's (setspn -Q), the "
                             "clocks may differ, or the user may not be allowed to use WinRM "
                             "(Remote Management Users group)",
                             psr_gss_target(c), user);
    return psr_error_set(err, PSR_E_AUTH,
                         "the server (%s) refused the Negotiate logon of %s: check the user "
                         "name and password", psr_gss_target(c), user);
}
