/* gss_wrap.c: sealing and unsealing one WinRM message part with a complete
 * GSSAPI context, in the layout Windows uses (MS-WSMV 2.2.9.1): a header
 * (signature) and the encrypted data, sent apart.
 *
 * Kerberos: gss_wrap_iov with HEADER, DATA and PADDING and no TRAILER
 * buffer, so the trailer is folded into the header (with the RRC rotation),
 * as Windows' SSPI does. gss-ntlmssp has no gss_wrap_iov: gss_wrap's token
 * is the 16-byte NTLM signature followed by the sealed data, so it is split
 * at 16 bytes. The path is chosen by the mechanism the context really uses
 * (SPNEGO resolves to one of the two). */
#include "src/auth/gss_internal.h"

#include <openssl/crypto.h>
#include <string.h>

#define NTLM_SIGNATURE_LEN 16

static int not_ready(const psr_gss_ctx *c, psr_error *err)
{
    if (!c->complete)
        return psr_error_set(err, PSR_E_STATE, "message encryption needs a complete "
                                               "authentication first");
    if (!(c->ret_flags & GSS_C_CONF_FLAG))
        return psr_error_set(err, PSR_E_AUTH, "the authentication did not agree on "
                                              "encryption, so messages cannot be sealed");
    return 0;
}

static int wrap_kerberos(psr_gss_ctx *c, const void *data, size_t len, psr_buf *header,
                         psr_buf *sealed, size_t *padding, psr_error *err)
{
    psr_buf_reset(sealed);
    if (psr_buf_append(sealed, data, len) < 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    gss_iov_buffer_desc iov[3];
    memset(iov, 0, sizeof(iov));
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER | GSS_IOV_BUFFER_FLAG_ALLOCATE;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[1].buffer.length = len;
    iov[1].buffer.value = sealed->data;
    iov[2].type = GSS_IOV_BUFFER_TYPE_PADDING | GSS_IOV_BUFFER_FLAG_ALLOCATE;
    int conf = 0;
    OM_uint32 minor, major = gss_wrap_iov(&minor, c->gss, 1, GSS_C_QOP_DEFAULT, &conf, iov, 3);
    int rc = 0;
    if (GSS_ERROR(major))
        rc = psr_gss_error(err, c, "encrypting a message", major, minor, &psr_gss_oid_krb5);
    else if (!conf)
        rc = psr_error_set(err, PSR_E_AUTH, "Kerberos did not encrypt the message");
    else {
        psr_buf_reset(header);
        if (psr_buf_append(header, iov[0].buffer.value, iov[0].buffer.length) < 0 ||
            psr_buf_append(sealed, iov[2].buffer.value, iov[2].buffer.length) < 0)
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
        *padding = iov[2].buffer.length;
    }
    gss_release_iov_buffer(&minor, iov, 3);
    return rc;
}

static int wrap_ntlm(psr_gss_ctx *c, const void *data, size_t len, psr_buf *header,
                     psr_buf *sealed, size_t *padding, psr_error *err)
{
    if (len == 0)
        return psr_error_set(err, PSR_E_INVALID, "an empty message cannot be sealed with NTLM "
                                                 "(gss-ntlmssp refuses it; WinRM never sends one)");
    gss_buffer_desc in = {len, (void *)data}, out = GSS_C_EMPTY_BUFFER;
    int conf = 0;
    OM_uint32 minor, major = gss_wrap(&minor, c->gss, 1, GSS_C_QOP_DEFAULT, &in, &conf, &out);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "encrypting a message", major, minor, &psr_gss_oid_ntlm);
    int rc = 0;
    if (!conf || out.length < NTLM_SIGNATURE_LEN) {
        rc = psr_error_set(err, PSR_E_AUTH, "NTLM did not encrypt the message");
    } else {
        psr_buf_reset(header);
        psr_buf_reset(sealed);
        const char *p = out.value;
        if (psr_buf_append(header, p, NTLM_SIGNATURE_LEN) < 0 ||
            psr_buf_append(sealed, p + NTLM_SIGNATURE_LEN, out.length - NTLM_SIGNATURE_LEN) < 0)
            rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
        *padding = 0;
    }
    gss_release_buffer(&minor, &out);
    return rc;
}

int psr_gss_wrap_winrm(psr_gss_ctx *c, const void *data, size_t len, psr_buf *header,
                       psr_buf *sealed, size_t *padding, psr_error *err)
{
    int rc = not_ready(c, err);
    if (rc < 0)
        return rc;
    *padding = 0;
    if (c->negotiated == PSR_GSS_NTLM)
        return wrap_ntlm(c, data, len, header, sealed, padding, err);
    return wrap_kerberos(c, data, len, header, sealed, padding, err);
}

static int unwrap_kerberos(psr_gss_ctx *c, const void *header, size_t header_len,
                           const void *sealed, size_t sealed_len, psr_buf *plain, psr_error *err)
{
    psr_buf_reset(plain);
    if (psr_buf_append(plain, sealed, sealed_len) < 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    gss_iov_buffer_desc iov[2];
    memset(iov, 0, sizeof(iov));
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[0].buffer.length = header_len;
    iov[0].buffer.value = (void *)header;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[1].buffer.length = sealed_len;
    iov[1].buffer.value = plain->data;
    int conf = 0;
    OM_uint32 minor, major = gss_unwrap_iov(&minor, c->gss, &conf, NULL, iov, 2);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "decrypting a message (wrong key, or the message was "
                                     "changed on the way)",
                             major, minor, &psr_gss_oid_krb5);
    if (!conf)
        return psr_error_set(err, PSR_E_PROTOCOL, "the peer sent a message that was signed "
                                                  "but not encrypted");
    /* DATA was decrypted in place; any RC4/DES padding is at its end. */
    plain->len = iov[1].buffer.length;
    plain->data[plain->len] = '\0';
    return 0;
}

static int unwrap_ntlm(psr_gss_ctx *c, const void *header, size_t header_len,
                       const void *sealed, size_t sealed_len, psr_buf *plain, psr_error *err)
{
    if (header_len != NTLM_SIGNATURE_LEN)
        return psr_error_set(err, PSR_E_PROTOCOL, "an NTLM message signature is %zu bytes, "
                                                  "not 16", header_len);
    if (sealed_len == 0)
        return psr_error_set(err, PSR_E_PROTOCOL, "an NTLM-sealed message part is empty");
    psr_buf token = {0};
    if (psr_buf_append(&token, header, header_len) < 0 ||
        psr_buf_append(&token, sealed, sealed_len) < 0) {
        psr_buf_free(&token);
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    gss_buffer_desc in = {token.len, token.data}, out = GSS_C_EMPTY_BUFFER;
    int conf = 0;
    OM_uint32 minor, major = gss_unwrap(&minor, c->gss, &in, &out, &conf, NULL);
    psr_buf_free(&token);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "decrypting a message (wrong key, or the message was "
                                     "changed on the way)",
                             major, minor, &psr_gss_oid_ntlm);
    psr_buf_reset(plain);
    int rc = psr_buf_append(plain, out.value, out.length) < 0
                 ? psr_error_set(err, PSR_E_NOMEM, "out of memory") : 0;
    gss_release_buffer(&minor, &out);
    if (rc == 0 && !conf)
        rc = psr_error_set(err, PSR_E_PROTOCOL, "the peer sent a message that was signed "
                                                "but not encrypted");
    return rc;
}

int psr_gss_unwrap_winrm(psr_gss_ctx *c, const void *header, size_t header_len,
                         const void *sealed, size_t sealed_len, psr_buf *plain, psr_error *err)
{
    int rc = not_ready(c, err);
    if (rc < 0)
        return rc;
    if (c->negotiated == PSR_GSS_NTLM)
        return unwrap_ntlm(c, header, header_len, sealed, sealed_len, plain, err);
    return unwrap_kerberos(c, header, header_len, sealed, sealed_len, plain, err);
}

/* ---- whole-token protection (CredSSP's pubKeyAuth and authInfo) ---- */

/* Before completion a wrap may still work: CredSSP seals its public-key
 * binding to go with the client's last NTLM token, while SPNEGO waits for
 * the server's final token (MIT's SPNEGO sets no GSS_C_PROT_READY_FLAG
 * then, but hands the wrap to the finished NTLM context). A mechanism that
 * is not that far answers GSS_S_NO_CONTEXT, reported as PSR_E_STATE. A
 * trial wrap is not possible: it would advance NTLM's sequence number. */
static int check_wrappable(const psr_gss_ctx *c, psr_error *err)
{
    if (c->failed || !c->gss)
        return psr_error_set(err, PSR_E_STATE, "message protection needs an established "
                                               "authentication");
    return 0;
}

int psr_gss_wrap(psr_gss_ctx *c, const void *data, size_t len, psr_buf *token, psr_error *err)
{
    int rc = check_wrappable(c, err);
    if (rc < 0)
        return rc;
    gss_buffer_desc in = {len, (void *)data}, out = GSS_C_EMPTY_BUFFER;
    int conf = 0;
    OM_uint32 minor, major = gss_wrap(&minor, c->gss, 1, GSS_C_QOP_DEFAULT, &in, &conf, &out);
    if (!c->complete && GSS_ROUTINE_ERROR(major) == GSS_S_NO_CONTEXT)
        return psr_error_set(err, PSR_E_STATE, "the authentication cannot protect messages "
                                               "yet");
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "encrypting a message", major, minor, c->last_mech);
    psr_buf_reset(token);
    if (!conf)
        rc = psr_error_set(err, PSR_E_AUTH, "the authentication did not encrypt the message");
    else if (psr_buf_append(token, out.value, out.length) < 0)
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
    if (out.value)
        OPENSSL_cleanse(out.value, out.length);
    gss_release_buffer(&minor, &out);
    return rc;
}

int psr_gss_unwrap(psr_gss_ctx *c, const void *token, size_t len, psr_buf *plain, psr_error *err)
{
    int rc = check_wrappable(c, err);
    if (rc < 0)
        return rc;
    gss_buffer_desc in = {len, (void *)token}, out = GSS_C_EMPTY_BUFFER;
    int conf = 0;
    OM_uint32 minor, major = gss_unwrap(&minor, c->gss, &in, &out, &conf, NULL);
    if (GSS_ERROR(major))
        return psr_gss_error(err, c, "decrypting a message (wrong key, or the message was "
                                     "changed on the way)",
                             major, minor, c->last_mech);
    psr_buf_reset(plain);
    if (!conf)
        rc = psr_error_set(err, PSR_E_PROTOCOL, "the peer sent a message that was signed "
                                                "but not encrypted");
    else if (psr_buf_append(plain, out.value, out.length) < 0)
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
    if (out.value)
        OPENSSL_cleanse(out.value, out.length);
    gss_release_buffer(&minor, &out);
    return rc;
}
