# invoke_secure.sh: SecureStrings end to end. A script's SecureString output
# makes the harness ask for the client's public key (PUBLIC_KEY_REQUEST,
# then PUBLIC_KEY and ENCRYPTED_SESSION_KEY); the value is shown as
# PowerShell shows it (text) or typed without its contents (json); and
# --trace keeps every ciphertext out of the trace while psremote decode
# still reads each message, checked against a relay that records the wire.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
conn="-c 127.0.0.1 --port $port -u $USER_NAME --authentication basic --allow-unencrypted"

types() { /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    print(m["direction"], m["type"])' "$1"; }

"$PSREMOTE" invoke $conn --trace "$TMP/trace1" \
    -e "ConvertTo-SecureString 'pa55word' -AsPlainText -Force; 'after'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a SecureString output shows as PowerShell shows it" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$TMP/out')\" = \"\$(printf 'System.Security.SecureString\nafter')\" ]"
"$PSREMOTE" decode --format jsonl "$TMP/trace1" >"$TMP/msgs1" 2>&1
types "$TMP/msgs1" | grep -v -e SESSION_CAPABILITY -e INIT_RUNSPACEPOOL -e APPLICATION_PRIVATE_DATA \
    -e RUNSPACEPOOL_STATE >"$TMP/types1"
check "the server asked for the key, the client answered, then the output came" \
    diff -u - "$TMP/types1" <<'EXPECTED'
client->server CREATE_PIPELINE
server->client PUBLIC_KEY_REQUEST
client->server PUBLIC_KEY
server->client ENCRYPTED_SESSION_KEY
server->client PIPELINE_OUTPUT
server->client PIPELINE_OUTPUT
server->client PIPELINE_STATE
EXPECTED

"$PSREMOTE" invoke $conn --output json \
    -e "ConvertTo-SecureString 'pa55word' -AsPlainText -Force" >"$TMP/json" 2>"$TMP/err"
check "json: a typed SecureString without plaintext or ciphertext" /usr/bin/python3 -c '
import json, sys
[o] = json.load(open(sys.argv[1]))
assert o["TypeNames"][0] == "System.Security.SecureString", o
assert o["ToString"] == "System.Security.SecureString", o
assert "SecureString" not in o and "pa55word" not in json.dumps(o), o' "$TMP/json"

if command -v script >/dev/null 2>&1; then
    # The key the server sent is the one the client encrypts with: a
    # Read-Host -AsSecureString answer after the server-initiated exchange
    # decrypts on the server, with no second exchange.
    printf 'typed!\n' | script -qec "$PSREMOTE invoke $conn --trace '$TMP/trace2' -e '\$s = ConvertTo-SecureString x -AsPlainText -Force; \$p = Read-Host -AsSecureString Secret; ConvertFrom-SecureString \$p -AsPlainText'" \
        /dev/null >"$TMP/out" 2>&1
    check "after the server's exchange, the client's SecureString decrypts on the server" \
        grep -q '^typed!' "$TMP/out"
    "$PSREMOTE" decode --format jsonl "$TMP/trace2" >"$TMP/msgs2" 2>&1
    check "one key exchange, started by the server" \
        sh -c "[ \$(grep -c '\"PUBLIC_KEY\"' '$TMP/msgs2') -eq 1 ] && grep -q PUBLIC_KEY_REQUEST '$TMP/msgs2'"

    # The trace against the wire: a relay records the real bytes.
    cat >"$TMP/relay.py" <<'PY'
import os, socket, sys, threading
target, log_path, port_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
log, lock = open(log_path, "ab", buffering=0), threading.Lock()
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)
def pump(a, b):
    while True:
        data = a.recv(65536)
        if not data:
            break
        with lock:
            log.write(data)
        b.sendall(data)
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
while True:
    c, _ = srv.accept()
    s = socket.create_connection(("127.0.0.1", target))
    for x, y in ((c, s), (s, c)):
        threading.Thread(target=pump, args=(x, y), daemon=True).start()
PY
    /usr/bin/python3 "$TMP/relay.py" "$port" "$TMP/wire" "$TMP/relay.port" &
    HARNESS_PIDS="$HARNESS_PIDS $!"
    wait_for "[ -s '$TMP/relay.port' ]" 100
    rport=$(cat "$TMP/relay.port")
    printf 'typed!\n' | script -qec "$PSREMOTE invoke -c 127.0.0.1 --port $rport -u $USER_NAME --authentication basic --allow-unencrypted --trace '$TMP/trace3' -e '\$p = Read-Host -AsSecureString Secret; \$p; ConvertTo-SecureString other -AsPlainText -Force'" \
        /dev/null >"$TMP/out" 2>&1
    "$PSREMOTE" decode --format jsonl "$TMP/wire" >"$TMP/wire.msgs" 2>"$TMP/wire.err"
    "$PSREMOTE" decode --format jsonl "$TMP/trace3" >"$TMP/trace.msgs" 2>"$TMP/trace.err"
    rc=$?
    secrets() { /usr/bin/python3 -c '
import json, sys
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "SecureString":
                print(x)
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
for line in open(sys.argv[1]):
    walk(json.loads(line)["data"])' "$1"; }
    secrets "$TMP/wire.msgs" >"$TMP/wire.ss"
    secrets "$TMP/trace.msgs" >"$TMP/trace.ss"
    check "the wire carried three SecureStrings (answer, echo, ConvertTo-SecureString)" \
        sh -c "[ \$(grep -vc redacted '$TMP/wire.ss') -eq 3 ]"
    types "$TMP/wire.msgs" >"$TMP/wire.types"
    types "$TMP/trace.msgs" >"$TMP/trace.types"
    check "the trace decodes cleanly, message for message as the wire" \
        sh -c "[ $rc -eq 0 ] && [ -s '$TMP/wire.types' ] && cmp -s '$TMP/wire.types' '$TMP/trace.types'"
    check "decode shows each SecureString of the trace as redacted" \
        sh -c "[ \$(grep -c '^(redacted)\$' '$TMP/trace.ss') -eq 3 ]"
    "$PSREMOTE" decode --format clixml "$TMP/trace3" >"$TMP/trace.xml" 2>&1
    leaked=0
    while read -r c; do
        grep -qF -- "$c" "$TMP/trace.xml" "$TMP/trace3" && leaked=1
    done <"$TMP/wire.ss"
    check "no ciphertext from the wire is in the trace" [ "$leaked" -eq 0 ]
    check "and no plaintext" sh -c "! grep -q 'typed!' '$TMP/trace3' '$TMP/trace.xml'"
fi
finish
