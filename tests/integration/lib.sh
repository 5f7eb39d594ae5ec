# lib.sh: shared helpers for the integration tests (sourced, not run).
#
# Each test starts its own psremote-harness on 127.0.0.1 port 0, waits for
# its ready file (polling with a bound, never sleeping a fixed time), and
# cleans up on exit. Credentials reach the harness through a user file and
# psremote through PSREMOTE_PASSWORD, never argv.
set -u

: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"
PSREMOTE="$top_builddir/psremote"
HARNESS="$top_builddir/psremote-harness"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/psremote-test.XXXXXX")
HARNESS_PIDS=""
FAILURES=0
CHECKS=0

cleanup() {
    for pid in $HARNESS_PIDS; do kill "$pid" 2>/dev/null; done
    for pid in $HARNESS_PIDS; do wait "$pid" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

# check NAME COMMAND...: runs COMMAND, counts a failure if it is false.
check() {
    local name=$1; shift
    CHECKS=$((CHECKS + 1))
    if "$@"; then pass "$name"; else fail "$name"; fi
}

# finish: the test's exit status (automake: 0 pass, 1 fail).
finish() {
    echo "$CHECKS checks, $FAILURES failed"
    [ "$CHECKS" -gt 0 ] && [ "$FAILURES" -eq 0 ]
}

# wait_for COND_COMMAND [tenths]: polls until true or the bound (default 10 s).
wait_for() {
    local cond=$1 n=${2:-100}
    while [ "$n" -gt 0 ]; do
        eval "$cond" && return 0
        sleep 0.1; n=$((n - 1))
    done
    return 1
}

USER_NAME=tester
USER_PASSWORD='S3cret pass:word'
printf '%s:%s\n' "$USER_NAME" "$USER_PASSWORD" > "$TMP/users"
export PSREMOTE_PASSWORD="$USER_PASSWORD"

# start_harness NAME [harness options...]: sets URL_<NAME> and PID_<NAME>.
start_harness() {
    local name=$1; shift
    local ready="$TMP/ready.$name"
    rm -f "$ready"
    "$HARNESS" --user-file "$TMP/users" --ready-file "$ready" "$@" \
        >"$TMP/harness.$name.out" 2>"$TMP/harness.$name.err" &
    local pid=$!
    HARNESS_PIDS="$HARNESS_PIDS $pid"
    if ! wait_for "[ -s '$ready' ] || ! kill -0 $pid 2>/dev/null" 100 || [ ! -s "$ready" ]; then
        echo "harness $name did not start:"; cat "$TMP/harness.$name.err"
        exit 1
    fi
    eval "URL_$name=\$(head -n 1 '$ready')"
    eval "PID_$name=$pid"
}

# make_cert NAME CN [SAN]: self-signed CA-less certificate $TMP/NAME.{crt,key}.
make_cert() {
    local name=$1 cn=$2 san=${3:-"DNS:$2,IP:127.0.0.1"}
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$cn" \
        -addext "subjectAltName=$san" \
        -keyout "$TMP/$name.key" -out "$TMP/$name.crt" >/dev/null 2>&1
}

# port_of URL
port_of() { echo "$1" | sed -E 's#^[a-z]+://[^/]*:([0-9]+)/.*#\1#'; }

# run_pair LABEL PORT TLS USER PASSWORD [psremote options...]: exec moves a
# payload larger than one envelope both ways (cat), and invoke returns
# 20000 objects, against localhost:PORT (HTTPS with $TMP/server.crt when
# TLS is 1). The payload is made on first use.
run_pair() {
    local label=$1 port=$2 tls=$3 user=$4 password=$5; shift 5
    [ -s "$TMP/payload" ] || head -c 300000 /dev/urandom | base64 -w 76 > "$TMP/payload"
    local size; size=$(wc -c < "$TMP/payload")
    local conn="-c localhost --port $port"
    [ "$tls" = 1 ] && conn="$conn --use-ssl --ca-file $TMP/server.crt"
    local who=""
    [ -n "$user" ] && who="-u $user"
    PSREMOTE_PASSWORD=$password "$PSREMOTE" exec $conn $who "$@" -- cat \
        <"$TMP/payload" >"$TMP/out" 2>"$TMP/err"
    check "$label: exec moves $size bytes both ways" cmp -s "$TMP/payload" "$TMP/out"
    PSREMOTE_PASSWORD=$password "$PSREMOTE" invoke $conn $who "$@" -e '1..20000' \
        >"$TMP/out" 2>"$TMP/err"
    check "$label: invoke returns 20000 objects" \
        [ "$(wc -l <"$TMP/out")" -eq 20000 -a "$(tail -n 1 "$TMP/out")" = 20000 ]
}
