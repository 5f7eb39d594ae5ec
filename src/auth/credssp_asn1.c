/* credssp_asn1.c: TSRequest and TSCredentials (see credssp_asn1.h) through
 * OpenSSL's ASN.1 templates; text through iconv (UTF-8 <-> UTF-16LE). */
#include "src/auth/credssp_asn1.h"

#include <errno.h>
#include <iconv.h>
#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <string.h>

/* ---- the templates ---- */

typedef struct PSR_NEGO_ITEM {
    ASN1_OCTET_STRING *token;
} PSR_NEGO_ITEM;

DEFINE_STACK_OF(PSR_NEGO_ITEM)

ASN1_SEQUENCE(PSR_NEGO_ITEM) = {
    ASN1_EXP(PSR_NEGO_ITEM, token, ASN1_OCTET_STRING, 0),
} static_ASN1_SEQUENCE_END(PSR_NEGO_ITEM)

typedef struct PSR_TS_REQUEST {
    ASN1_INTEGER *version;
    STACK_OF(PSR_NEGO_ITEM) *nego;
    ASN1_OCTET_STRING *auth_info;
    ASN1_OCTET_STRING *pub_key_auth;
    ASN1_INTEGER *error_code;
    ASN1_OCTET_STRING *client_nonce;
} PSR_TS_REQUEST;

ASN1_SEQUENCE(PSR_TS_REQUEST) = {
    ASN1_EXP(PSR_TS_REQUEST, version, ASN1_INTEGER, 0),
    ASN1_EXP_SEQUENCE_OF_OPT(PSR_TS_REQUEST, nego, PSR_NEGO_ITEM, 1),
    ASN1_EXP_OPT(PSR_TS_REQUEST, auth_info, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(PSR_TS_REQUEST, pub_key_auth, ASN1_OCTET_STRING, 3),
    ASN1_EXP_OPT(PSR_TS_REQUEST, error_code, ASN1_INTEGER, 4),
    ASN1_EXP_OPT(PSR_TS_REQUEST, client_nonce, ASN1_OCTET_STRING, 5),
} static_ASN1_SEQUENCE_END(PSR_TS_REQUEST)

typedef struct PSR_TS_CREDENTIALS {
    ASN1_INTEGER *cred_type;
    ASN1_OCTET_STRING *credentials;
} PSR_TS_CREDENTIALS;

ASN1_SEQUENCE(PSR_TS_CREDENTIALS) = {
    ASN1_EXP(PSR_TS_CREDENTIALS, cred_type, ASN1_INTEGER, 0),
    ASN1_EXP(PSR_TS_CREDENTIALS, credentials, ASN1_OCTET_STRING, 1),
} static_ASN1_SEQUENCE_END(PSR_TS_CREDENTIALS)

typedef struct PSR_TS_PASSWORD_CREDS {
    ASN1_OCTET_STRING *domain;
    ASN1_OCTET_STRING *user;
    ASN1_OCTET_STRING *password;
} PSR_TS_PASSWORD_CREDS;

ASN1_SEQUENCE(PSR_TS_PASSWORD_CREDS) = {
    ASN1_EXP(PSR_TS_PASSWORD_CREDS, domain, ASN1_OCTET_STRING, 0),
    ASN1_EXP(PSR_TS_PASSWORD_CREDS, user, ASN1_OCTET_STRING, 1),
    ASN1_EXP(PSR_TS_PASSWORD_CREDS, password, ASN1_OCTET_STRING, 2),
} static_ASN1_SEQUENCE_END(PSR_TS_PASSWORD_CREDS)

/* TSCredentials.credType for TSPasswordCreds (MS-CSSP 2.2.1.2). */
#define CRED_TYPE_PASSWORD 1

static int nomem(psr_error *err)
{
    return psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

/* Decodes exactly len bytes as item; NULL for bad DER or trailing bytes. */
static ASN1_VALUE *decode_exact(const ASN1_ITEM *it, const void *der, size_t len)
{
    if (len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    ASN1_VALUE *v = ASN1_item_d2i(NULL, &p, (long)len, it);
    if (v && p != (const unsigned char *)der + len) {
        ASN1_item_free(v, it);
        return NULL;
    }
    return v;
}

/* Appends the DER of v to out; wipes OpenSSL's copy (it may hold secrets). */
static int append_der(ASN1_VALUE *v, const ASN1_ITEM *it, psr_buf *out, psr_error *err)
{
    unsigned char *der = NULL;
    int n = ASN1_item_i2d(v, &der, it);
    if (n <= 0)
        return psr_error_set(err, PSR_E_INVALID, "could not encode a CredSSP message");
    int rc = psr_buf_append(out, der, (size_t)n) ? nomem(err) : 0;
    OPENSSL_clear_free(der, (size_t)n);
    return rc;
}

static int set_octets(ASN1_OCTET_STRING **field, psr_asn1_bytes b)
{
    if (!b.data)
        return 0;
    if (b.len > INT_MAX)
        return -1;
    *field = ASN1_OCTET_STRING_new();
    return *field && ASN1_OCTET_STRING_set(*field, b.data, (int)b.len) ? 0 : -1;
}

/* ---- TSRequest ---- */

int psr_tsrequest_encode(const psr_tsrequest *r, psr_buf *out, psr_error *err)
{
    const ASN1_ITEM *it = ASN1_ITEM_rptr(PSR_TS_REQUEST);
    PSR_TS_REQUEST *t = (PSR_TS_REQUEST *)ASN1_item_new(it);
    if (!t)
        return nomem(err);
    int ok = ASN1_INTEGER_set_int64(t->version, r->version);
    if (ok && r->nego_token.data) {
        PSR_NEGO_ITEM *item = (PSR_NEGO_ITEM *)ASN1_item_new(ASN1_ITEM_rptr(PSR_NEGO_ITEM));
        t->nego = sk_PSR_NEGO_ITEM_new_null();
        ok = item && t->nego && sk_PSR_NEGO_ITEM_push(t->nego, item) > 0;
        if (!ok)
            ASN1_item_free((ASN1_VALUE *)item, ASN1_ITEM_rptr(PSR_NEGO_ITEM));
        ok = ok && r->nego_token.len <= INT_MAX &&
             ASN1_OCTET_STRING_set(item->token, r->nego_token.data, (int)r->nego_token.len);
    }
    ok = ok && set_octets(&t->auth_info, r->auth_info) == 0 &&
         set_octets(&t->pub_key_auth, r->pub_key_auth) == 0 &&
         set_octets(&t->client_nonce, r->client_nonce) == 0;
    if (ok && r->has_error_code) {
        t->error_code = ASN1_INTEGER_new();
        ok = t->error_code && ASN1_INTEGER_set_int64(t->error_code, r->error_code);
    }
    int rc = ok ? append_der((ASN1_VALUE *)t, it, out, err) : nomem(err);
    ASN1_item_free((ASN1_VALUE *)t, it);
    return rc;
}

/* Copies an optional field into storage and records where it is; the
 * pointers are fixed up once storage stops moving. */
static int keep(psr_buf *storage, const ASN1_OCTET_STRING *s, size_t *offset, size_t *len)
{
    *offset = SIZE_MAX;
    *len = 0;
    if (!s)
        return 0;
    *offset = storage->len;
    *len = (size_t)ASN1_STRING_length(s);
    return psr_buf_append(storage, ASN1_STRING_get0_data(s), *len);
}

static void point(psr_asn1_bytes *b, const psr_buf *storage, size_t offset, size_t len)
{
    b->data = offset == SIZE_MAX ? NULL : (const unsigned char *)storage->data + offset;
    b->len = len;
}

int psr_tsrequest_decode(psr_tsrequest *r, const void *der, size_t len, psr_buf *storage,
                         psr_error *err)
{
    memset(r, 0, sizeof(*r));
    const ASN1_ITEM *it = ASN1_ITEM_rptr(PSR_TS_REQUEST);
    PSR_TS_REQUEST *t = (PSR_TS_REQUEST *)decode_exact(it, der, len);
    if (!t)
        return psr_error_set(err, PSR_E_PARSE, "the CredSSP message (%zu bytes) is not a "
                                               "well-formed TSRequest", len);
    int rc = 0;
    int64_t version = 0;
    if (!ASN1_INTEGER_get_int64(&version, t->version) || version < 0 || version > 1000) {
        rc = psr_error_set(err, PSR_E_PARSE, "the TSRequest version is not a small number");
        goto done;
    }
    r->version = (long)version;
    if (t->error_code) {
        int64_t code = 0;
        if (!ASN1_INTEGER_get_int64(&code, t->error_code) || code < INT32_MIN ||
            code > UINT32_MAX) {
            rc = psr_error_set(err, PSR_E_PARSE, "the TSRequest errorCode is not 32 bits");
            goto done;
        }
        /* Windows may encode the NTSTATUS as a signed 32-bit value. */
        r->has_error_code = 1;
        r->error_code = (uint32_t)code;
    }
    const ASN1_OCTET_STRING *token = NULL;
    if (t->nego && sk_PSR_NEGO_ITEM_num(t->nego) > 0)
        token = sk_PSR_NEGO_ITEM_value(t->nego, 0)->token;
    psr_buf_reset(storage);
    size_t off[4], n[4];
    if (keep(storage, token, &off[0], &n[0]) || keep(storage, t->auth_info, &off[1], &n[1]) ||
        keep(storage, t->pub_key_auth, &off[2], &n[2]) ||
        keep(storage, t->client_nonce, &off[3], &n[3])) {
        rc = nomem(err);
        goto done;
    }
    point(&r->nego_token, storage, off[0], n[0]);
    point(&r->auth_info, storage, off[1], n[1]);
    point(&r->pub_key_auth, storage, off[2], n[2]);
    point(&r->client_nonce, storage, off[3], n[3]);
done:
    ASN1_item_free((ASN1_VALUE *)t, it);
    return rc;
}

/* ---- TSCredentials ---- */

/* Appends text converted between "UTF-8" and "UTF-16LE" with iconv, which
 * refuses invalid input (EILSEQ/EINVAL) rather than guessing. */
static int convert(const char *to, const char *from, const void *in, size_t len, psr_buf *out)
{
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return PSR_E_INVALID;
    char *src = (char *)in;
    size_t left = len;
    int rc = 0;
    do { /* at least once, so out->data is a string even for "" */
        if (psr_buf_reserve(out, left * 2 + 4)) {
            rc = PSR_E_NOMEM;
            break;
        }
        char *dst = out->data + out->len;
        size_t room = out->cap - out->len - 1;
        size_t r = iconv(cd, &src, &left, &dst, &room);
        out->len = (size_t)(dst - out->data);
        out->data[out->len] = '\0';
        if (r == (size_t)-1 && errno != E2BIG)
            rc = PSR_E_PARSE;
    } while (left > 0 && rc == 0);
    iconv_close(cd);
    return rc;
}

int psr_tscredentials_encode_password(const char *domain, const char *user, const char *password,
                                      psr_buf *out, psr_error *err)
{
    psr_buf text[3] = {{0}};
    const char *in[3] = {domain ? domain : "", user ? user : "", password ? password : ""};
    const ASN1_ITEM *pit = ASN1_ITEM_rptr(PSR_TS_PASSWORD_CREDS);
    const ASN1_ITEM *cit = ASN1_ITEM_rptr(PSR_TS_CREDENTIALS);
    PSR_TS_PASSWORD_CREDS *pc = (PSR_TS_PASSWORD_CREDS *)ASN1_item_new(pit);
    PSR_TS_CREDENTIALS *tc = (PSR_TS_CREDENTIALS *)ASN1_item_new(cit);
    psr_buf inner = {0};
    int rc = pc && tc ? 0 : nomem(err);
    for (int i = 0; i < 3 && rc == 0; i++) {
        int c = convert("UTF-16LE", "UTF-8", in[i], strlen(in[i]), &text[i]);
        if (c == PSR_E_NOMEM)
            rc = nomem(err);
        else if (c)
            rc = psr_error_set(err, PSR_E_INVALID, "the %s to delegate is not valid UTF-8",
                               i == 0 ? "domain" : i == 1 ? "user name" : "password");
    }
    ASN1_OCTET_STRING *fields[3] = {pc ? pc->domain : NULL, pc ? pc->user : NULL,
                                    pc ? pc->password : NULL};
    for (int i = 0; i < 3 && rc == 0; i++)
        if (text[i].len > INT_MAX ||
            !ASN1_OCTET_STRING_set(fields[i], (unsigned char *)text[i].data, (int)text[i].len))
            rc = nomem(err);
    if (rc == 0)
        rc = append_der((ASN1_VALUE *)pc, pit, &inner, err);
    if (rc == 0 && (!ASN1_INTEGER_set_int64(tc->cred_type, CRED_TYPE_PASSWORD) ||
                    inner.len > INT_MAX ||
                    !ASN1_OCTET_STRING_set(tc->credentials, (unsigned char *)inner.data,
                                           (int)inner.len)))
        rc = nomem(err);
    if (rc == 0)
        rc = append_der((ASN1_VALUE *)tc, cit, out, err);
    /* The password is in every one of these: wipe them all. */
    for (int i = 0; i < 3; i++) {
        if (text[i].data)
            OPENSSL_cleanse(text[i].data, text[i].cap);
        psr_buf_free(&text[i]);
    }
    if (inner.data)
        OPENSSL_cleanse(inner.data, inner.cap);
    psr_buf_free(&inner);
    if (pc && pc->password)
        OPENSSL_cleanse(pc->password->data, (size_t)pc->password->length);
    if (tc && tc->credentials)
        OPENSSL_cleanse(tc->credentials->data, (size_t)tc->credentials->length);
    ASN1_item_free((ASN1_VALUE *)pc, pit);
    ASN1_item_free((ASN1_VALUE *)tc, cit);
    return rc;
}

int psr_tscredentials_decode_password(const void *der, size_t len, psr_buf *domain,
                                      psr_buf *user, psr_buf *password, psr_error *err)
{
    const ASN1_ITEM *cit = ASN1_ITEM_rptr(PSR_TS_CREDENTIALS);
    const ASN1_ITEM *pit = ASN1_ITEM_rptr(PSR_TS_PASSWORD_CREDS);
    PSR_TS_CREDENTIALS *tc = (PSR_TS_CREDENTIALS *)decode_exact(cit, der, len);
    PSR_TS_PASSWORD_CREDS *pc = NULL;
    int rc = 0;
    int64_t type = 0;
    if (!tc) {
        rc = psr_error_set(err, PSR_E_PARSE, "the delegated credentials are not a "
                                             "well-formed TSCredentials");
        goto done;
    }
    if (!ASN1_INTEGER_get_int64(&type, tc->cred_type) || type != CRED_TYPE_PASSWORD) {
        rc = psr_error_set(err, PSR_E_INVALID,
                           "the delegated credentials are of type %lld (%s); only passwords "
                           "(type 1) are accepted",
                           (long long)type,
                           type == 2 ? "smart card" : type == 6 ? "Remote Credential Guard"
                                                                : "unknown");
        goto done;
    }
    pc = (PSR_TS_PASSWORD_CREDS *)decode_exact(pit, ASN1_STRING_get0_data(tc->credentials),
                                               (size_t)ASN1_STRING_length(tc->credentials));
    if (!pc) {
        rc = psr_error_set(err, PSR_E_PARSE, "the delegated password credentials are not a "
                                             "well-formed TSPasswordCreds");
        goto done;
    }
    psr_buf *outs[3] = {domain, user, password};
    const ASN1_OCTET_STRING *fields[3] = {pc->domain, pc->user, pc->password};
    for (int i = 0; i < 3 && rc == 0; i++) {
        psr_buf_reset(outs[i]);
        int c = convert("UTF-8", "UTF-16LE", ASN1_STRING_get0_data(fields[i]),
                        (size_t)ASN1_STRING_length(fields[i]), outs[i]);
        if (c == PSR_E_NOMEM)
            rc = nomem(err);
        else if (c || ASN1_STRING_length(fields[i]) % 2 ||
                 memchr(outs[i]->data, '\0', outs[i]->len))
            rc = psr_error_set(err, PSR_E_PARSE, "the delegated %s is not valid UTF-16 text",
                               i == 0 ? "domain" : i == 1 ? "user name" : "password");
    }
done:
    if (pc && pc->password)
        OPENSSL_cleanse(pc->password->data, (size_t)pc->password->length);
    if (tc && tc->credentials)
        OPENSSL_cleanse(tc->credentials->data, (size_t)tc->credentials->length);
    ASN1_item_free((ASN1_VALUE *)pc, pit);
    ASN1_item_free((ASN1_VALUE *)tc, cit);
    return rc;
}
