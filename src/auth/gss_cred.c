/* gss_cred.c: acquiring GSSAPI credentials, for the client (password or
 * ticket cache) and for the acceptor (keytab plus NTLM user file in one
 * credential), and the user-name forms each mechanism wants. */
#include "src/auth/gss_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Kerberos parses a GSS_C_NT_USER_NAME as a principal, user@REALM; the
 * Windows form DOMAIN\user is rewritten to user@DOMAIN with the domain in
 * upper case (realms are upper case by convention). gss-ntlmssp takes both
 * DOMAIN\user and user@domain as they are, and so does SPNEGO, which hands
 * the same name to every mechanism. */
static char *user_name_for(psr_gss_mech mech, const char *user)
{
    const char *sep = strchr(user, '\\');
    if (mech != PSR_GSS_KERBEROS || !sep || strchr(user, '@'))
        return strdup(user);
    size_t dlen = (size_t)(sep - user);
    size_t ulen = strlen(sep + 1);
    char *s = malloc(ulen + 1 + dlen + 1);
    if (!s)
        return NULL;
    memcpy(s, sep + 1, ulen);
    s[ulen] = '@';
    for (size_t i = 0; i < dlen; i++)
        s[ulen + 1 + i] = (char)toupper((unsigned char)user[i]);
    s[ulen + 1 + dlen] = '\0';
    return s;
}

/* SPNEGO would otherwise offer every installed mechanism (IAKERB, ...);
 * WinRM servers speak Kerberos and NTLM, in that order of preference. */
static int limit_negotiation(psr_gss_ctx *c, psr_error *err)
{
    gss_OID_desc mechs[2] = {psr_gss_oid_krb5, psr_gss_oid_ntlm};
    gss_OID_set_desc set = {2, mechs};
    OM_uint32 minor, major = gss_set_neg_mechs(&minor, c->cred, &set);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "choosing the SPNEGO mechanisms", major, minor,
                             &psr_gss_oid_spnego);
    return 0;
}

static gss_OID requested_oid(psr_gss_mech mech)
{
    switch (mech) {
    case PSR_GSS_KERBEROS: return (gss_OID)&psr_gss_oid_krb5;
    case PSR_GSS_NTLM: return (gss_OID)&psr_gss_oid_ntlm;
    default: return (gss_OID)&psr_gss_oid_spnego;
    }
}

int psr_gss_acquire_initiator_cred(psr_gss_ctx *c, const psr_gss_initiator_options *o,
                                   psr_error *err)
{
    OM_uint32 major, minor;
    gss_name_t name = GSS_C_NO_NAME;
    gss_OID_set_desc mechs = {1, requested_oid(o->mech)};
    if (o->user) {
        char *text = user_name_for(o->mech, o->user);
        if (!text)
            return psr_error_set(err, PSR_E_NOMEM, "out of memory");
        gss_buffer_desc buf = {strlen(text), text};
        major = gss_import_name(&minor, &buf, GSS_C_NT_USER_NAME, &name);
        free(text);
        if (GSS_ERROR(major))
            return psr_gss_error(err, c, "reading the user name", major, minor, GSS_C_NO_OID);
    }
    if (o->password) {
        gss_buffer_desc pw = {strlen(o->password), (void *)o->password};
        major = gss_acquire_cred_with_password(&minor, name, &pw, GSS_C_INDEFINITE, &mechs,
                                               GSS_C_INITIATE, &c->cred, NULL, NULL);
    } else {
        major = gss_acquire_cred(&minor, name, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
                                 &c->cred, NULL, NULL);
    }
    OM_uint32 ignored;
    if (name != GSS_C_NO_NAME)
        gss_release_name(&ignored, &name);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "getting credentials", major, minor, mechs.elements);
    return o->mech == PSR_GSS_NEGOTIATE ? limit_negotiation(c, err) : 0;
}

int psr_gss_acquire_acceptor_cred(psr_gss_ctx *c, const psr_gss_acceptor_options *o,
                                  psr_error *err)
{
    OM_uint32 major, minor;
    gss_name_t name = GSS_C_NO_NAME;
    if (o && o->service_name) {
        gss_buffer_desc buf = {strlen(o->service_name), (void *)o->service_name};
        major = gss_import_name(&minor, &buf, GSS_C_NT_HOSTBASED_SERVICE, &name);
        if (GSS_ERROR(major))
            return psr_gss_error(err, c, "reading the service name", major, minor, GSS_C_NO_OID);
    }
    gss_key_value_element_desc elements[2];
    gss_key_value_set_desc store = {0, elements};
    if (o && o->keytab)
        elements[store.count++] = (gss_key_value_element_desc){"keytab", o->keytab};
    if (o && o->ntlm_user_file)
        elements[store.count++] = (gss_key_value_element_desc){"ntlmssp_keyfile", o->ntlm_user_file};
    /* All mechanisms in one credential: SPNEGO, raw Kerberos and raw NTLM
     * tokens are then accepted with the same handle. */
    major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_ACCEPT,
                                  &store, &c->cred, NULL, NULL);
    OM_uint32 ignored;
    if (name != GSS_C_NO_NAME)
        gss_release_name(&ignored, &name);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "loading the service's keytab and NTLM user file", major,
                             minor, GSS_C_NO_OID);
    return limit_negotiation(c, err);
}
