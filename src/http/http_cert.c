/* http_cert.c: the server certificate of the current TLS connection, kept
 * for channel binding (RFC 5929 tls-server-end-point hashes it).
 *
 * libcurl hands the chain out through CURLINFO_CERTINFO once a transfer is
 * over (the OpenSSL backend gives each certificate as PEM under "Cert:");
 * certificate 0 is the server's own. The DER is cached per connection:
 * a request on a reused connection leaves it as it was, a request on a new
 * connection replaces it. */
#include "src/http/http_internal.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

static const char *leaf_pem(const struct curl_certinfo *ci)
{
    if (!ci || ci->num_of_certs < 1)
        return NULL;
    for (const struct curl_slist *l = ci->certinfo[0]; l; l = l->next)
        if (strncmp(l->data, "Cert:", 5) == 0)
            return l->data + 5;
    return NULL;
}

static int pem_to_der(const char *pem, psr_buf *out)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    int rc = PSR_E_PARSE;
    int n = cert ? i2d_X509(cert, NULL) : -1;
    if (n > 0) {
        psr_buf_reset(out);
        rc = psr_buf_reserve(out, (size_t)n);
        if (!rc) {
            unsigned char *p = (unsigned char *)out->data;
            i2d_X509(cert, &p);
            out->len = (size_t)n;
            out->data[n] = '\0';
        }
    }
    X509_free(cert);
    BIO_free(bio);
    return rc;
}

void psr_http_peer_cert_update(psr_http *h)
{
    long new_connections = 0;
    struct curl_certinfo *ci = NULL;
    curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &new_connections);
    if (new_connections == 0 && h->peer_cert.len > 0)
        return;
    if (curl_easy_getinfo(h->curl, CURLINFO_CERTINFO, &ci) != CURLE_OK)
        ci = NULL;
    const char *pem = leaf_pem(ci);
    if (!pem || pem_to_der(pem, &h->peer_cert) != 0)
        psr_buf_reset(&h->peer_cert);
}

int psr_http_peer_cert_der(psr_http *h, psr_buf *out, psr_error *err)
{
    if (!h->tls)
        return psr_error_set(err, PSR_E_STATE,
                             "%s is not HTTPS, so there is no server certificate "
                             "(channel binding needs https://)", h->url);
    if (h->peer_cert.len == 0)
        return psr_error_set(err, PSR_E_STATE,
                             "the server certificate of %s is not known yet: it is read "
                             "after a request over the connection has completed", h->url);
    psr_buf_reset(out);
    if (psr_buf_append(out, h->peer_cert.data, h->peer_cert.len))
        return psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return 0;
}
