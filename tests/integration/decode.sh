# decode.sh: psremote decode reads what psremote itself sent and received
# (a --trace file of an invoke against the harness): every PSRP message of
# the conversation, fragments joined, malformed envelopes reported with their
# number while the rest still decodes.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
"$PSREMOTE" invoke -c 127.0.0.1 --port "$port" -u "$USER_NAME" --authentication basic \
    --allow-unencrypted --trace "$TMP/trace" -e "Write-Output 'traced'; Write-Warning 'w'" \
    >"$TMP/out" 2>&1
check "the traced invoke worked" grep -qx traced "$TMP/out"
check "the trace holds no credentials" sh -c "! grep -qi -e authorization -e '$USER_PASSWORD' '$TMP/trace'"

"$PSREMOTE" decode --format jsonl "$TMP/trace" >"$TMP/msgs" 2>"$TMP/err"; rc=$?
check "decode exits 0 on a clean trace" [ "$rc" -eq 0 ]
types() { /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    print(m["direction"], m["type"])' "$1"; }
types "$TMP/msgs" > "$TMP/types"
check "the conversation in order, as the wire sequence says" \
    diff -u - "$TMP/types" <<'EXPECTED'
client->server SESSION_CAPABILITY
client->server INIT_RUNSPACEPOOL
server->client SESSION_CAPABILITY
server->client APPLICATION_PRIVATE_DATA
server->client RUNSPACEPOOL_STATE
client->server CREATE_PIPELINE
server->client PIPELINE_OUTPUT
server->client WARNING_RECORD
server->client PIPELINE_STATE
EXPECTED
check "the output object is decoded" grep -q '"traced"' "$TMP/msgs"
check "the client's protocol version is decoded" \
    /usr/bin/python3 -c '
import json, sys
m = json.loads(open(sys.argv[1]).readline())
assert "2.3" in json.dumps(m["data"]), m' "$TMP/msgs"

# A broken envelope in the middle: reported with its number, the rest decodes.
/usr/bin/python3 - "$TMP/trace" "$TMP/broken" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ends = [m.end() for m in re.finditer(r"</[A-Za-z0-9]*:?Envelope>", text)]
# damage the 3rd envelope's body (a Receive response)
cut = ends[1]
damaged = text[:cut] + text[cut:].replace("<rsp:Stream", "<rsp:Stream Bogus", 1).replace("Name=", "Nmae=", 1)
open(sys.argv[2], "w").write(damaged)
PY
"$PSREMOTE" decode --format jsonl "$TMP/broken" >"$TMP/msgs2" 2>"$TMP/err2"; rc=$?
check "a damaged envelope makes decode exit 1" [ "$rc" -eq 1 ]
check "the damaged envelope is named by number" grep -q 'envelope [0-9]' "$TMP/err2"
check "later messages still decode" grep -q '"PIPELINE_STATE"' "$TMP/msgs2"

"$PSREMOTE" decode --format clixml < "$TMP/trace" >"$TMP/x" 2>&1
check "clixml format from standard input" grep -q '^# envelope 1 client->server SESSION_CAPABILITY' "$TMP/x"

"$PSREMOTE" decode --format yaml "$TMP/trace" 2>/dev/null; rc=$?
check "a bad --format exits 2" [ "$rc" -eq 2 ]

finish
