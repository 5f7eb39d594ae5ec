/* gss_cbt.c: channel-binding data for GSSAPI over TLS, RFC 5929
 * "tls-server-end-point": the hash of the server's DER certificate, with the
 * hash function of the certificate's signature, except that MD5 and SHA-1
 * (and signatures without a separate hash, such as Ed25519) use SHA-256.
 * Windows (Extended Protection) and pyspnego compute it the same way. */
#include "src/auth/gss_internal.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

static const EVP_MD *binding_hash(X509 *cert)
{
    int md_nid = NID_undef;
    if (!X509_get_signature_info(cert, &md_nid, NULL, NULL, NULL))
        md_nid = NID_undef;
    if (md_nid == NID_undef || md_nid == NID_md5 || md_nid == NID_sha1)
        return EVP_sha256();
    const EVP_MD *md = EVP_get_digestbynid(md_nid);
    return md ? md : EVP_sha256();
}

int psr_gss_cbt_app_data(psr_buf *out, const void *cert_der, size_t len, psr_error *err)
{
    const unsigned char *p = cert_der;
    X509 *cert = len <= 1024 * 1024 ? d2i_X509(NULL, &p, (long)len) : NULL;
    if (!cert || p != (const unsigned char *)cert_der + len) {
        X509_free(cert);
        return psr_error_set(err, PSR_E_PARSE,
                             "the server's certificate could not be read for channel binding "
                             "(not a single DER X.509 certificate)");
    }
    const EVP_MD *md = binding_hash(cert);
    X509_free(cert);
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hlen = 0;
    if (!EVP_Digest(cert_der, len, hash, &hlen, md, NULL))
        return psr_error_set(err, PSR_E_NOMEM, "hashing the server's certificate failed");
    static const char prefix[] = "tls-server-end-point:";
    psr_buf_reset(out);
    if (psr_buf_append(out, prefix, sizeof(prefix) - 1) < 0 || psr_buf_append(out, hash, hlen) < 0)
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}
