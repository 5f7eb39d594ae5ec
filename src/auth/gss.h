/* gss.h: GSSAPI security contexts for WinRM (Negotiate, Kerberos, NTLM).
 *
 * One psr_gss_ctx is one authentication exchange and, once complete, the
 * session keys WinRM message encryption uses (see sealing.h). The same type
 * serves both sides: the client (initiator) and psremote-harness (acceptor).
 * Nothing here does HTTP: the caller moves tokens between the headers this
 * module formats and parses.
 *
 * Mechanisms (MIT krb5 mechglue; NTLM through the gss-ntlmssp plugin):
 *   PSR_GSS_NEGOTIATE  SPNEGO 1.3.6.1.5.5.2, Kerberos preferred, NTLM fallback
 *   PSR_GSS_KERBEROS   Kerberos 1.2.840.113554.1.2.2 only
 *   PSR_GSS_NTLM       NTLM 1.3.6.1.4.1.311.2.2.10 (gss-ntlmssp) only
 *
 * HTTP scheme names, as WinRM uses them: SPNEGO and NTLM tokens travel under
 * "Negotiate" (Windows' Negotiate package takes raw NTLM tokens too);
 * Kerberos-only travels under "Kerberos" when the server offers it, else
 * under "Negotiate" (as pypsrp does). The encryption protocol follows the
 * scheme: "Kerberos" -> application/HTTP-Kerberos-session-encrypted,
 * "Negotiate" -> application/HTTP-SPNEGO-session-encrypted (MS-WSMV 2.2.9.1).
 *
 * Ownership: psr_gss_*_new allocate a context, psr_gss_free releases it
 * (NULL is a no-op); option strings are used during the call only (the
 * password is not kept by this module). Output buffers are the caller's. */
#ifndef PSR_AUTH_GSS_H
#define PSR_AUTH_GSS_H

#include "common/buf.h"
#include "psremote/error.h"

#include <stddef.h>

typedef enum psr_gss_mech {
    PSR_GSS_NEGOTIATE = 0,
    PSR_GSS_KERBEROS,
    PSR_GSS_NTLM
} psr_gss_mech;

typedef struct psr_gss_ctx psr_gss_ctx;

typedef struct psr_gss_initiator_options {
    psr_gss_mech mech;
    /* NULL: the default credentials (Kerberos ticket cache, see kinit).
     * "user@REALM" or "DOMAIN\user"; for Kerberos-only, DOMAIN\user becomes
     * user@DOMAIN (upper case). */
    const char *user;
    /* NULL: no password, use the ticket cache holding user. */
    const char *password;
    const char *host;          /* target host name (from the URL), required */
    unsigned port;             /* only used with include_port_in_spn */
    const char *service;       /* SPN service class; NULL: "HTTP" (WinRM's) */
    int include_port_in_spn;   /* SPN HTTP/host:port (IncludePortInSPN) */
    int delegate;              /* request credential delegation (Kerberos) */
    int no_mutual;             /* do not ask for mutual authentication */
    /* DER of the server's TLS certificate for channel binding
     * (RFC 5929 tls-server-end-point), or NULL on plain HTTP. */
    const void *server_cert_der;
    size_t server_cert_der_len;
} psr_gss_initiator_options;

typedef struct psr_gss_acceptor_options {
    /* Host-based service name the acceptor answers as, e.g. "HTTP@localhost";
     * NULL accepts any service principal in the keytab, but gss-ntlmssp 1.2
     * (Debian 12) then crashes on a raw NTLM token: give a name when NTLM
     * is to be accepted. */
    const char *service_name;
    const char *keytab;         /* NULL: KRB5_KTNAME or the default keytab */
    /* gss-ntlmssp user file (lines DOMAIN:user:password), passed as the
     * ntlmssp_keyfile cred-store element; NULL: NTLM_USER_FILE. */
    const char *ntlm_user_file;
    /* DER of this server's certificate: when set, bindings the client
     * sends must match it (tls-server-end-point), or acceptance fails. */
    const void *server_cert_der;
    size_t server_cert_der_len;
    /* With server_cert_der: 0 requires the client to send bindings (Windows'
     * CbtHardeningLevel Strict), 1 also accepts a client that sends none
     * (Relaxed). */
    int channel_binding_optional;
} psr_gss_acceptor_options;

/* Creates a client context and acquires its credentials. A password is
 * turned into credentials here (gss_acquire_cred_with_password): for
 * Kerberos-only this asks the KDC for a ticket at once, so a wrong password
 * fails here; SPNEGO defers that to the first psr_gss_step (and falls back
 * to NTLM when Kerberos fails there). Without a password the default or
 * named ticket cache must exist ("run kinit" otherwise). */
int psr_gss_initiator_new(psr_gss_ctx **out, const psr_gss_initiator_options *opts,
                          psr_error *err);

/* Creates a server context with one credential for every mechanism (keytab
 * and NTLM user file, gss_acquire_cred_from). */
int psr_gss_acceptor_new(psr_gss_ctx **out, const psr_gss_acceptor_options *opts,
                         psr_error *err);

void psr_gss_free(psr_gss_ctx *ctx);

/* One leg of the exchange. in/in_len is the peer's token (NULL/0 for the
 * initiator's first call). The token to send, possibly empty, replaces the
 * contents of out. *done becomes 1 when this side is complete; an initiator
 * may still have a last token to send, and an acceptor may have a final
 * token for the 200 response. Errors are PSR_E_AUTH with a message saying
 * what to fix (wrong password, kinit, SPN, clock, channel binding), followed
 * by GSSAPI's own text; PSR_E_STATE after completion or failure. */
int psr_gss_step(psr_gss_ctx *ctx, const void *in, size_t in_len, psr_buf *out,
                 int *done, psr_error *err);

int psr_gss_is_complete(const psr_gss_ctx *ctx);

/* After completion: the mechanism really used (SPNEGO resolves to
 * PSR_GSS_KERBEROS or PSR_GSS_NTLM). */
psr_gss_mech psr_gss_negotiated_mech(const psr_gss_ctx *ctx);

/* After completion on the acceptor: the authenticated client, as
 * gss_display_name shows it ("user1@REALM", "DOMAIN\user"). */
const char *psr_gss_peer_name(const psr_gss_ctx *ctx);

/* Initiator: fills err for a 401 that answered this context's last token
 * (the server refused the credentials after the exchange), saying what to
 * check for the mechanism used. Returns PSR_E_AUTH. */
int psr_gss_rejected_error(const psr_gss_ctx *ctx, psr_error *err);

/* After completion on the acceptor: 1 when the client delegated its
 * credentials (Kerberos, requested with the delegate option and allowed by
 * a forwardable ticket). */
int psr_gss_delegated(const psr_gss_ctx *ctx);

/* 1 when the context offers confidentiality (sealing is possible). */
int psr_gss_can_seal(const psr_gss_ctx *ctx);

/* The SPN (host-based name) the initiator targets, e.g. "HTTP@host" or
 * "HTTP@host:5985", for messages and traces. */
const char *psr_gss_target(const psr_gss_ctx *ctx);

/* Typical client flow over HTTP (RFC 4559, as WinRM does it):
 *   1. POST without Authorization (or with the first token right away);
 *      on 401, psr_gss_select_scheme() with the WWW-Authenticate values.
 *   2. psr_gss_authorization(ctx, NULL, 0, ...) gives the first header value.
 *   3. While the reply is 401 with a token of our scheme
 *      (psr_gss_find_token), feed it to psr_gss_authorization and send the
 *      next value. A 401 without a token after our last token means the
 *      server refused: psr_gss_rejected_error().
 *   4. The 200 reply may carry the server's final token (mutual
 *      authentication, SPNEGO's mechListMIC) in WWW-Authenticate: feed it
 *      too, or the context stays incomplete and cannot seal.
 *   5. Keep the connection: the context belongs to it. On plain HTTP, seal
 *      every request and unseal every reply (sealing.h). Sealing needs the
 *      complete context, and SPNEGO completes only with the server's final
 *      token in the 200 reply, so authenticate with an empty POST first and
 *      send the first real (sealed) message after it, as pywinrm and pypsrp
 *      do.
 * The acceptor mirrors this: psr_gss_parse_authorization, psr_gss_set_scheme,
 * psr_gss_step, and the reply token in WWW-Authenticate (401 while not
 * done, the 200 response when done). */

/* ---- Message protection in WinRM's layout (used by sealing.c) ----
 *
 * psr_gss_wrap_winrm seals data: the signature/header replaces the contents
 * of header, the encrypted bytes replace those of sealed. Kerberos uses
 * gss_wrap_iov (HEADER, DATA, PADDING, trailer folded into the header as
 * Windows does); NTLM uses gss_wrap and splits the token after its 16-byte
 * signature. *padding is the padding length added to data (0 for AES and
 * NTLM), which MS-WSMV counts in the OriginalContent Length.
 * psr_gss_unwrap_winrm reverses it, replacing the contents of plain. */
int psr_gss_wrap_winrm(psr_gss_ctx *ctx, const void *data, size_t len, psr_buf *header,
                       psr_buf *sealed, size_t *padding, psr_error *err);
int psr_gss_unwrap_winrm(psr_gss_ctx *ctx, const void *header, size_t header_len,
                         const void *sealed, size_t sealed_len, psr_buf *plain,
                         psr_error *err);

/* ---- Whole-token protection (gss_wrap / gss_unwrap with encryption) ----
 *
 * For protocols that carry the token as one blob (CredSSP's pubKeyAuth and
 * authInfo). The token or plaintext replaces the contents of the output
 * buffer. Before completion psr_gss_wrap works when the inner mechanism is
 * done and only SPNEGO waits for its final token (NTLM's last leg); it
 * fails with PSR_E_STATE while the mechanism itself is not established
 * (Kerberos before the AP-REP), and the context is still usable. */
int psr_gss_wrap(psr_gss_ctx *ctx, const void *data, size_t len, psr_buf *token, psr_error *err);
int psr_gss_unwrap(psr_gss_ctx *ctx, const void *token, size_t len, psr_buf *plain,
                   psr_error *err);

/* ---- Channel binding (RFC 5929 tls-server-end-point) ----
 *
 * Writes "tls-server-end-point:" followed by the hash of the DER certificate
 * into out (replacing its contents). The hash is the certificate signature's
 * hash, except MD5 and SHA-1 (and unknown ones) become SHA-256. */
int psr_gss_cbt_app_data(psr_buf *out, const void *cert_der, size_t len, psr_error *err);

/* ---- HTTP glue (RFC 4559; MS-WSMV 2.2.9.1) ---- */

/* The scheme name for the Authorization header: "Negotiate" or "Kerberos". */
const char *psr_gss_http_scheme(const psr_gss_ctx *ctx);

/* The encryption protocol string for the scheme in use. */
const char *psr_gss_sealing_protocol(const psr_gss_ctx *ctx);

/* Chooses the scheme from a 401's WWW-Authenticate values (each may hold
 * several comma-separated challenges). Kerberos-only prefers "Kerberos" and
 * falls back to "Negotiate"; SPNEGO and NTLM need "Negotiate". Fails with
 * PSR_E_AUTH naming what the server offered when none fits. */
int psr_gss_select_scheme(psr_gss_ctx *ctx, char *const *www_authenticate, size_t n,
                          psr_error *err);

/* The same choice without a context, before credentials are acquired:
 * 0 with *kerberos set when mech can use one of the offered schemes,
 * PSR_E_AUTH naming what the server offers otherwise. */
int psr_gss_scheme_offered(psr_gss_mech mech, char *const *www_authenticate, size_t n,
                           int *kerberos, psr_error *err);

/* 1 when one of the WWW-Authenticate values offers scheme (any method's:
 * "CredSSP", "Basic"), case-insensitively, with or without a token. */
int psr_http_scheme_offered(const char *scheme, char *const *www_authenticate, size_t n);

/* Fills err saying the server does not offer method, listing what its
 * WWW-Authenticate values do offer and how_to_enable it. Returns
 * PSR_E_AUTH. */
int psr_http_not_offered(psr_error *err, const char *method, const char *how_to_enable,
                         char *const *www_authenticate, size_t n);

/* Sets the scheme directly: the acceptor names the one the client used
 * ("Negotiate" or "Kerberos", case-insensitive); PSR_E_INVALID otherwise. */
int psr_gss_set_scheme(psr_gss_ctx *ctx, const char *scheme, psr_error *err);

/* Steps the context and formats the Authorization value "<Scheme> <base64>"
 * into header (replaced). When the step produces no token (the context is
 * complete), header is left empty. */
int psr_gss_authorization(psr_gss_ctx *ctx, const void *in, size_t in_len, psr_buf *header,
                          int *done, psr_error *err);

/* Finds the token of scheme among WWW-Authenticate (or Authorization) values
 * and decodes it into token (replaced). Returns 1 when a token was found, 0
 * when the scheme is absent or carries no token, PSR_E_PARSE for bad base64
 * (message in err), PSR_E_NOMEM. */
int psr_gss_find_token(const char *scheme, char *const *values, size_t n, psr_buf *token,
                       psr_error *err);

/* Formats "<scheme> <base64 token>" (or just "<scheme>" for an empty token)
 * into header (replaced); for WWW-Authenticate on the acceptor. */
int psr_gss_format_header(psr_buf *header, const char *scheme, const void *token,
                          size_t len);

/* Acceptor side: splits an Authorization value into its scheme (replaced in
 * scheme, as sent) and decoded token (replaced in token). PSR_E_PARSE when
 * there is no token or it is not base64. */
int psr_gss_parse_authorization(const char *value, psr_buf *scheme, psr_buf *token,
                                psr_error *err);

#endif
