# lib.sh: shared helpers for the interop tests (sourced, not run).
#
# Each test starts its own psremote-harness on 127.0.0.1 port 0 (plain HTTP
# with --allow-unencrypted, and HTTPS with a certificate made now by the
# openssl command), waits for the ready file by polling with a bound, points
# a third-party WinRM client at it, and cleans up on exit. Exit 77 (skip)
# when a tool is missing; CI installs them all.
set -u

: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"
HARNESS="$top_builddir/psremote-harness"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/psremote-interop.XXXXXX")
HARNESS_PID=""
FAILURES=0
CHECKS=0

cleanup() {
    if [ -n "$HARNESS_PID" ]; then
        kill "$HARNESS_PID" 2>/dev/null
        wait "$HARNESS_PID" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

# check NAME COMMAND...: runs COMMAND, counts a failure if it is false.
check() {
    local name=$1; shift
    CHECKS=$((CHECKS + 1))
    if "$@"; then pass "$name"; else fail "$name"; fi
}

# stop_harness: SIGTERM must end the harness with status 0 and no
# sanitizer report (an ASan/UBSan build prints them to stderr).
stop_harness() {
    [ -n "$HARNESS_PID" ] || return 0
    kill "$HARNESS_PID"
    wait "$HARNESS_PID"
    local rc=$?
    HARNESS_PID=""
    check "the harness exits 0 on SIGTERM" [ "$rc" -eq 0 ]
    if grep -qE 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:' "$TMP/harness.err"; then
        cat "$TMP/harness.err"
        fail "sanitizer report from the harness"
    fi
}

finish() {
    stop_harness
    echo "$CHECKS checks, $FAILURES failed"
    [ "$CHECKS" -gt 0 ] && [ "$FAILURES" -eq 0 ]
}

[ -x "$HARNESS" ] || { echo "FAIL: $HARNESS was not built"; exit 99; }
command -v openssl >/dev/null 2>&1 || skip "the openssl command is not installed"

USER_NAME=tester
USER_PASSWORD='S3cret pass:word'
printf '%s:%s\n' "$USER_NAME" "$USER_PASSWORD" > "$TMP/users"

# A self-signed certificate valid for 127.0.0.1 and localhost.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$TMP/server.key" -out "$TMP/server.crt" >/dev/null 2>&1 \
    || skip "openssl cannot make a test certificate"

# start_harness [options...]: one HTTP and one HTTPS listener; sets
# HTTP_URL and HTTPS_URL.
start_harness() {
    local ready="$TMP/ready"
    "$HARNESS" --listen 127.0.0.1:0 --allow-unencrypted --listen-tls 127.0.0.1:0 \
        --tls-cert "$TMP/server.crt" --tls-key "$TMP/server.key" \
        --user-file "$TMP/users" --ready-file "$ready" --verbose "$@" \
        >"$TMP/harness.out" 2>"$TMP/harness.err" &
    HARNESS_PID=$!
    local n=100
    while [ ! -s "$ready" ] && kill -0 "$HARNESS_PID" 2>/dev/null && [ $n -gt 0 ]; do
        sleep 0.05; n=$((n - 1))
    done
    if [ ! -s "$ready" ]; then
        echo "FAIL: the harness did not start:"; cat "$TMP/harness.err"
        exit 99
    fi
    HTTP_URL=$(sed -n 1p "$ready")
    HTTPS_URL=$(sed -n 2p "$ready")
}
