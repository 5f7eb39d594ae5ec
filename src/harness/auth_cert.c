/* auth_cert.c (harness): Certificate authentication, as WinRM does it over
 * HTTPS: the TLS client certificate must chain to a CA the service trusts
 * (--client-ca), and a certificate mapping turns it into a user. The
 * harness maps the certificate's subject common name; --cert-user limits
 * which names are mapped (WinRM maps only certificates it has a mapping
 * for). The request carries WS-Man's mutual-TLS Authorization value. */
#include "src/harness/auth.h"

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* DSP0226's security profile for TLS client certificates. */
#define MUTUAL_TLS_AUTHORIZATION \
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

int harness_auth_is_certificate(const char *authorization)
{
    return authorization && strcmp(authorization, MUTUAL_TLS_AUTHORIZATION) == 0;
}

/* The subject CN of a DER certificate, or "" when it has none. */
static void subject_cn(const unsigned char *der, size_t len, char *out, size_t cap)
{
    out[0] = '\0';
    X509 *cert = d2i_X509(NULL, &der, (long)len);
    if (!cert)
        return;
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out, (int)cap);
    X509_free(cert);
}

int harness_auth_certificate(struct MHD_Connection *c, const harness_options *opts,
                             harness_auth_outcome *o)
{
    memset(o, 0, sizeof(*o));
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t session = ci ? (gnutls_session_t)ci->tls_session : NULL;
    unsigned n = 0, status = 0;
    const gnutls_datum_t *chain = session ? gnutls_certificate_get_peers(session, &n) : NULL;
    const char *why = NULL;
    if (!opts->client_ca)
        why = "Certificate authentication is not enabled (--client-ca)";
    else if (!chain || n == 0)
        why = "no client certificate was presented";
    else if (gnutls_certificate_verify_peers2(session, &status) != GNUTLS_E_SUCCESS || status)
        why = "the client certificate does not chain to --client-ca (or is expired)";
    char cn[256] = "";
    if (!why) {
        subject_cn(chain[0].data, chain[0].size, cn, sizeof(cn));
        int mapped = cn[0] && opts->n_cert_users == 0;
        for (size_t i = 0; cn[0] && i < opts->n_cert_users; i++)
            mapped |= strcmp(opts->cert_users[i], cn) == 0;
        if (!mapped)
            why = "the client certificate maps to no user (--cert-user)";
    }
    if (why) {
        o->status = 401;
        snprintf(o->why, sizeof(o->why), "%s", why);
        return harness_auth_challenge(opts, o);
    }
    snprintf(o->user, sizeof(o->user), "%s", cn);
    return 0;
}
