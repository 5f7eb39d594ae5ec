# gowinrm.sh: Go's masterzen/winrm (Debian golang-github-masterzen-winrm-dev)
# against psremote-harness over Basic HTTP and HTTPS. A tiny client
# (tests/interop/gowinrm/main.go) is built offline in GOPATH mode from the
# Debian sources; it runs echo, a command writing to stderr with exit code 3,
# a command reading stdin (Send with End), and a command that outlives a 1 s
# OperationTimeout (the client retries w:TimedOut).
. "$top_srcdir/tests/interop/lib.sh"

GOSRC=/usr/share/gocode/src/github.com/masterzen/winrm
command -v go >/dev/null 2>&1 || skip "the go command is not installed"
[ -d "$GOSRC" ] || skip "golang-github-masterzen-winrm-dev is not installed"

mkdir -p "$TMP/go/src/gowinrm"
cp "$top_srcdir/tests/interop/gowinrm/main.go" "$TMP/go/src/gowinrm/"
if ! (cd "$TMP/go" && GO111MODULE=off GOPATH="/usr/share/gocode:$TMP/go" GOCACHE="$TMP/gocache" \
        GOFLAGS= GOPROXY=off go build -o "$TMP/gowinrm" gowinrm) >"$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    skip "masterzen/winrm does not build with the installed Debian Go packages"
fi

start_harness
port_of() { echo "$1" | sed -E 's#^[a-z]+://[^/]*:([0-9]+)/.*#\1#'; }

expected='echo "hello\n" "" 0
stderr "to-out\n" "to-err\n" 3
stdin "PIPED INPUT\n" "" 0
timeout "late\n" "" 0'

export WINRM_PASSWORD="$USER_PASSWORD"
for spec in "$HTTP_URL 0 -" "$HTTPS_URL 1 $TMP/server.crt" "$HTTPS_URL 1 -"; do
    set -- $spec
    "$TMP/gowinrm" 127.0.0.1 "$(port_of "$1")" "$2" "$3" "$USER_NAME" >"$TMP/go.out" 2>&1
    rc=$?
    cat "$TMP/go.out"
    label="$1 (CA file: $3)"
    check "masterzen/winrm exits 0 over $label" [ "$rc" -eq 0 ]
    check "masterzen/winrm results over $label" [ "$(cat "$TMP/go.out")" = "$expected" ]
done

WINRM_PASSWORD=wrong "$TMP/gowinrm" 127.0.0.1 "$(port_of "$HTTP_URL")" 0 - "$USER_NAME" >"$TMP/go.bad" 2>&1
check "a wrong password is an HTTP 401 error" grep -q '^echo error ".*401' "$TMP/go.bad"
finish
