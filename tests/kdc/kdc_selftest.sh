#!/bin/sh
# kdc_selftest.sh: the throwaway KDC helper works as shell tests use it:
# sourced, it starts a KDC that issues tickets for user1 and HTTP/localhost,
# writes an NTLM user file, and stops cleanly. Skips (77) without krb5kdc.
set -u
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/kdc/kdc.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/psremote-kdc-test.XXXXXX")
trap 'psr_kdc_stop "$T/kdc"; rm -rf "$T"' EXIT
psr_kdc_start "$T/kdc"
rc=$?
[ "$rc" -eq 77 ] && exit 77
[ "$rc" -eq 0 ] || { echo "FAIL: psr_kdc_start returned $rc"; exit 1; }
. "$T/kdc/env"
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
check "KRB5_CONFIG is the KDC's own" '[ "$KRB5_CONFIG" = "$T/kdc/krb5.conf" ]'
check "the KDC listens on its loopback port" 'psr_kdc_port_used "$PSR_KDC_PORT" listen'
check "a port nobody uses is seen as free" '! psr_kdc_port_used "$(psr_kdc_free_port)"'
if command -v kinit >/dev/null; then
    check "kinit user1 with the password" \
        'printf "%s\n" "$PSR_KDC_PASSWORD" | kinit user1 >/dev/null 2>&1'
    check "a service ticket for HTTP/localhost" 'kvno HTTP/localhost >/dev/null 2>&1'
    check "a wrong password is refused" \
        '! printf "wrong\n" | kinit user1 >/dev/null 2>&1'
fi
check "the keytab holds HTTP/localhost" \
    'klist -k "$T/kdc/keytab" 2>/dev/null | grep -q "HTTP/localhost@PSREMOTE.TEST"'
check "the NTLM user file has DOMAIN:user:password lines" \
    'grep -q "^PSREMOTE:ntlmonly:$PSR_NTLM_ONLY_PASSWORD\$" "$NTLM_USER_FILE"'
pid=$(cat "$T/kdc/kdc.pid")
psr_kdc_stop "$T/kdc"
check "stop ends the KDC" '! kill -0 "$pid" 2>/dev/null'
exit $fail
