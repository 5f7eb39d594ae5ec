/* gss_internal.h: the psr_gss_ctx structure, shared by the gss*.c files only. */
#ifndef PSR_AUTH_GSS_INTERNAL_H
#define PSR_AUTH_GSS_INTERNAL_H

#include "src/auth/gss.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

struct psr_gss_ctx {
    int is_acceptor;
    psr_gss_mech mech;          /* what was asked for */
    psr_gss_mech negotiated;    /* what was used (after completion) */
    gss_OID last_mech;          /* mechanism seen so far: one of our static OIDs */
    int complete;
    int failed;
    int scheme_kerberos;        /* 1: "Kerberos" scheme, 0: "Negotiate" */
    int have_password;
    gss_ctx_id_t gss;
    gss_cred_id_t cred;
    gss_name_t target;          /* initiator: the service name */
    OM_uint32 req_flags;
    OM_uint32 ret_flags;
    int have_bindings;
    int bindings_optional;      /* acceptor: accept a client without bindings */
    int no_ntlm_users;          /* acceptor: neither option nor NTLM_USER_FILE */
    psr_buf bindings;           /* "tls-server-end-point:" + hash */
    char *target_text;          /* "HTTP@host[:port]" */
    char *user_text;            /* initiator: the user as given, or NULL */
    char *peer_name;            /* acceptor: authenticated client */
};

/* The OIDs this module uses (static storage, never freed). */
extern const gss_OID_desc psr_gss_oid_spnego;
extern const gss_OID_desc psr_gss_oid_krb5;
extern const gss_OID_desc psr_gss_oid_ntlm;

/* Maps a mechanism OID to PSR_GSS_KERBEROS / PSR_GSS_NTLM / PSR_GSS_NEGOTIATE. */
psr_gss_mech psr_gss_mech_of_oid(gss_const_OID oid);

/* Acquires the initiator's credential into ctx->cred (gss_cred.c). */
int psr_gss_acquire_initiator_cred(psr_gss_ctx *ctx, const psr_gss_initiator_options *o,
                                   psr_error *err);
/* Acquires the acceptor's credential into ctx->cred (gss_cred.c). */
int psr_gss_acquire_acceptor_cred(psr_gss_ctx *ctx, const psr_gss_acceptor_options *o,
                                  psr_error *err);

/* Fills err with a message for a failed GSSAPI call (gss_errors.c): what to
 * fix for the known cases, then gss_display_status text for major and minor.
 * what names the operation ("authenticating to the server"); ctx may be
 * NULL. Returns PSR_E_AUTH. */
int psr_gss_error(psr_error *err, const psr_gss_ctx *ctx, const char *what,
                  OM_uint32 major, OM_uint32 minor, gss_const_OID mech);

#endif
