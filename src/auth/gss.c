/* gss.c: the GSSAPI security context for both sides of WinRM authentication:
 * creation, the token exchange (gss_init_sec_context /
 * gss_accept_sec_context) and what the finished context reports. */
#include "src/auth/gss_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const gss_OID_desc psr_gss_oid_spnego = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};
const gss_OID_desc psr_gss_oid_krb5 = {9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
const gss_OID_desc psr_gss_oid_ntlm = {10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"};

static int oid_equal(gss_const_OID a, const gss_OID_desc *b)
{
    return a && a->length == b->length && memcmp(a->elements, b->elements, b->length) == 0;
}

psr_gss_mech psr_gss_mech_of_oid(gss_const_OID oid)
{
    if (oid_equal(oid, &psr_gss_oid_krb5))
        return PSR_GSS_KERBEROS;
    if (oid_equal(oid, &psr_gss_oid_ntlm))
        return PSR_GSS_NTLM;
    return PSR_GSS_NEGOTIATE;
}

static gss_OID mech_oid(psr_gss_mech mech)
{
    switch (mech) {
    case PSR_GSS_KERBEROS: return (gss_OID)&psr_gss_oid_krb5;
    case PSR_GSS_NTLM: return (gss_OID)&psr_gss_oid_ntlm;
    default: return (gss_OID)&psr_gss_oid_spnego;
    }
}

static psr_gss_ctx *ctx_alloc(void)
{
    psr_gss_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->gss = GSS_C_NO_CONTEXT;
    c->cred = GSS_C_NO_CREDENTIAL;
    c->target = GSS_C_NO_NAME;
    return c;
}

void psr_gss_free(psr_gss_ctx *c)
{
    if (!c)
        return;
    OM_uint32 minor;
    if (c->gss != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&minor, &c->gss, GSS_C_NO_BUFFER);
    if (c->cred != GSS_C_NO_CREDENTIAL)
        gss_release_cred(&minor, &c->cred);
    if (c->target != GSS_C_NO_NAME)
        gss_release_name(&minor, &c->target);
    psr_buf_free(&c->bindings);
    free(c->target_text);
    free(c->user_text);
    free(c->peer_name);
    free(c);
}

static int set_bindings(psr_gss_ctx *c, const void *der, size_t len, psr_error *err)
{
    if (!der)
        return 0;
    int rc = psr_gss_cbt_app_data(&c->bindings, der, len, err);
    if (rc == 0)
        c->have_bindings = 1;
    return rc;
}

static int import_target(psr_gss_ctx *c, const psr_gss_initiator_options *o, psr_error *err)
{
    psr_buf t = {0};
    const char *service = o->service && *o->service ? o->service : "HTTP";
    int rc = o->include_port_in_spn ? psr_buf_printf(&t, "%s@%s:%u", service, o->host, o->port)
                                    : psr_buf_printf(&t, "%s@%s", service, o->host);
    if (rc < 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    c->target_text = psr_buf_detach(&t, NULL);
    gss_buffer_desc name = {strlen(c->target_text), c->target_text};
    OM_uint32 minor, major = gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &c->target);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "reading the service name", major, minor, GSS_C_NO_OID);
    return 0;
}

int psr_gss_initiator_new(psr_gss_ctx **out, const psr_gss_initiator_options *o, psr_error *err)
{
    *out = NULL;
    if (!o || !o->host || !*o->host)
        return psr_error_set(err, PSR_E_INVALID, "GSSAPI authentication needs the server's host name");
    if (o->mech != PSR_GSS_NEGOTIATE && o->mech != PSR_GSS_KERBEROS && o->mech != PSR_GSS_NTLM)
        return psr_error_set(err, PSR_E_INVALID, "unknown GSSAPI mechanism %d", (int)o->mech);
    if (o->password && !o->user)
        return psr_error_set(err, PSR_E_INVALID, "a password was given without a user name");
    psr_gss_ctx *c = ctx_alloc();
    if (!c)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    c->mech = o->mech;
    c->negotiated = o->mech;
    c->scheme_kerberos = o->mech == PSR_GSS_KERBEROS;
    if (o->user && !(c->user_text = strdup(o->user))) {
        psr_gss_free(c);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    c->have_password = o->password != NULL;
    /* WinRM seals messages, so integrity and confidentiality are always
     * requested; sequence and replay detection as Windows' client does. */
    c->req_flags = GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG;
    if (!o->no_mutual)
        c->req_flags |= GSS_C_MUTUAL_FLAG;
    if (o->delegate)
        c->req_flags |= GSS_C_DELEG_FLAG;
    int rc = import_target(c, o, err);
    if (rc == 0)
        rc = set_bindings(c, o->server_cert_der, o->server_cert_der_len, err);
    if (rc == 0)
        rc = psr_gss_acquire_initiator_cred(c, o, err);
    if (rc < 0) {
        psr_gss_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int psr_gss_acceptor_new(psr_gss_ctx **out, const psr_gss_acceptor_options *o, psr_error *err)
{
    *out = NULL;
    psr_gss_ctx *c = ctx_alloc();
    if (!c)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    c->is_acceptor = 1;
    c->mech = PSR_GSS_NEGOTIATE;
    c->negotiated = PSR_GSS_NEGOTIATE;
    int rc = 0;
    if (o) {
        rc = set_bindings(c, o->server_cert_der, o->server_cert_der_len, err);
        c->bindings_optional = o->channel_binding_optional;
    }
    c->no_ntlm_users = !(o && o->ntlm_user_file) && !getenv("NTLM_USER_FILE");
    if (rc == 0)
        rc = psr_gss_acquire_acceptor_cred(c, o, err);
    if (rc < 0) {
        psr_gss_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static gss_channel_bindings_t fill_bindings(psr_gss_ctx *c, gss_channel_bindings_t cb)
{
    if (!c->have_bindings)
        return GSS_C_NO_CHANNEL_BINDINGS;
    memset(cb, 0, sizeof(*cb));
    cb->initiator_addrtype = GSS_C_AF_UNSPEC;
    cb->acceptor_addrtype = GSS_C_AF_UNSPEC;
    cb->application_data.length = c->bindings.len;
    cb->application_data.value = c->bindings.data;
    return cb;
}

static int copy_token(psr_buf *out, gss_buffer_t tok)
{
    psr_buf_reset(out);
    int rc = tok->length ? psr_buf_append(out, tok->value, tok->length) : 0;
    OM_uint32 minor;
    gss_release_buffer(&minor, tok);
    return rc;
}

static int acceptor_finish(psr_gss_ctx *c, gss_name_t src, gss_OID mech, psr_error *err)
{
    OM_uint32 minor;
    c->negotiated = psr_gss_mech_of_oid(mech);
    if (c->have_bindings && !c->bindings_optional && !(c->ret_flags & GSS_C_CHANNEL_BOUND_FLAG))
        return psr_error_set(err, PSR_E_AUTH,
                             "channel binding required: the client sent no tls-server-end-point "
                             "binding for this server's certificate (a client without channel "
                             "binding support, or one that connected without TLS)");
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    OM_uint32 major = gss_display_name(&minor, src, &text, NULL);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "reading the client's name", major, minor, mech);
    c->peer_name = strndup(text.value, text.length);
    gss_release_buffer(&minor, &text);
    if (!c->peer_name)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}

int psr_gss_step(psr_gss_ctx *c, const void *in, size_t in_len, psr_buf *out, int *done,
                 psr_error *err)
{
    *done = 0;
    psr_buf_reset(out);
    if (c->complete || c->failed)
        return psr_error_set(err, PSR_E_STATE, "the GSSAPI exchange is already %s",
                             c->complete ? "complete" : "failed");
    if (c->is_acceptor && in_len == 0)
        return psr_error_set(err, PSR_E_AUTH, "the client sent an empty authentication token");
    gss_buffer_desc input = {in_len, (void *)in};
    gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
    struct gss_channel_bindings_struct cb;
    gss_channel_bindings_t cbp = fill_bindings(c, &cb);
    gss_OID actual = GSS_C_NO_OID;
    OM_uint32 major, minor;
    gss_name_t src = GSS_C_NO_NAME;
    if (c->is_acceptor)
        major = gss_accept_sec_context(&minor, &c->gss, c->cred, &input, cbp, &src, &actual,
                                       &output, &c->ret_flags, NULL, NULL);
    else
        major = gss_init_sec_context(&minor, c->cred, &c->gss, c->target, mech_oid(c->mech),
                                     c->req_flags, 0, cbp, in_len ? &input : GSS_C_NO_BUFFER,
                                     &actual, &output, &c->ret_flags, NULL);
    int rc = 0;
    /* The mechanism is known from the first leg on; a failure in a later
     * leg may not report it again. Our static OID is kept: SPNEGO's may
     * point into a context the library frees. */
    if (actual != GSS_C_NO_OID && psr_gss_mech_of_oid(actual) != PSR_GSS_NEGOTIATE)
        c->last_mech = mech_oid(psr_gss_mech_of_oid(actual));
    /* SPNEGO and gss-ntlmssp report no mechanism before completion; an
     * NTLM message (raw or inside SPNEGO) starts with "NTLMSSP\0". */
    if (!c->last_mech && in_len && memmem(in, in_len, "NTLMSSP", 8))
        c->last_mech = (gss_OID)&psr_gss_oid_ntlm;
    if (GSS_ERROR(major)) {
        c->failed = 1;
        rc = psr_gss_error(err, c, c->is_acceptor ? "accepting the client's authentication"
                                                  : "authenticating to the server",
                           major, minor, c->last_mech ? c->last_mech : mech_oid(c->mech));
    } else if (!(major & GSS_S_CONTINUE_NEEDED)) {
        c->complete = 1;
        *done = 1;
        if (c->is_acceptor)
            rc = acceptor_finish(c, src, actual, err);
        else
            c->negotiated = psr_gss_mech_of_oid(actual);
        if (rc < 0) {
            c->complete = 0;
            c->failed = 1;
        }
    }
    if (src != GSS_C_NO_NAME)
        gss_release_name(&minor, &src);
    if (copy_token(out, &output) < 0 && rc == 0)
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return rc;
}

int psr_gss_is_complete(const psr_gss_ctx *c)
{
    return c && c->complete;
}

psr_gss_mech psr_gss_negotiated_mech(const psr_gss_ctx *c)
{
    return c->negotiated;
}

const char *psr_gss_peer_name(const psr_gss_ctx *c)
{
    return c->peer_name;
}

int psr_gss_delegated(const psr_gss_ctx *c)
{
    return c->complete && (c->ret_flags & GSS_C_DELEG_FLAG) != 0;
}

int psr_gss_can_seal(const psr_gss_ctx *c)
{
    return c->complete && (c->ret_flags & GSS_C_CONF_FLAG);
}

const char *psr_gss_target(const psr_gss_ctx *c)
{
    return c->target_text ? c->target_text : "";
}
