# pywinrm.sh: Debian's python3-winrm (pywinrm) against psremote-harness over
# Basic HTTP and HTTPS: stdout, stderr, exit codes, arguments with spaces,
# binary output, and a Receive that times out server-side (pywinrm retries
# w:TimedOut, WSManFault 2150858793, silently).
. "$top_srcdir/tests/interop/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip "$PY is not installed"
"$PY" -c 'import winrm' 2>/dev/null || skip "python3-winrm is not installed"

start_harness

cat > "$TMP/client.py" <<'PYEOF'
import sys, winrm
url, user, password, mode, ca = sys.argv[1:6]
kwargs = {}
if mode == "validate":
    kwargs = dict(server_cert_validation="validate", ca_trust_path=ca)
elif mode == "ignore":
    kwargs = dict(server_cert_validation="ignore")
failures = 0
def check(name, got, want):
    global failures
    if got == want:
        print("ok: %s %s" % (mode, name))
    else:
        failures += 1
        print("FAIL: %s %s: got %r, want %r" % (mode, name, got, want))

s = winrm.Session(url, auth=(user, password), transport="basic", **kwargs)
r = s.run_cmd("echo", ["hello  world", "it's"])
check("echo stdout", r.std_out, b"hello  world it's\n")
check("echo stderr", r.std_err, b"")
check("echo exit code", r.status_code, 0)

r = s.run_cmd("echo to-out; echo to-err >&2; exit 3")
check("stderr and exit code: stdout", r.std_out, b"to-out\n")
check("stderr and exit code: stderr", r.std_err, b"to-err\n")
check("stderr and exit code: code", r.status_code, 3)

r = s.run_cmd("printf '\\000\\377\\r\\n'")
check("binary output", r.std_out, b"\x00\xff\r\n")

r = s.run_cmd("head -c 300000 /dev/zero | tr '\\0' x")
check("300000 bytes over several Receives", r.std_out, b"x" * 300000)

# OperationTimeout 1 s and a command silent for 2 s: the harness answers
# w:TimedOut, pywinrm polls again and gets the output.
p = winrm.Protocol(url, transport="basic", username=user, password=password,
                   operation_timeout_sec=1, read_timeout_sec=3, **kwargs)
shell = p.open_shell()
cid = p.run_command(shell, "sleep 2; echo late")
out, err, code = p.get_command_output(shell, cid)
p.cleanup_command(shell, cid)
p.close_shell(shell)
check("TimedOut Receive is retried", (out, err, code), (b"late\n", b"", 0))

# Many shells at once: 16 sessions, each its own shell and command, while
# every command waits until all have started.
import threading
results = {}
def worker(i):
    sess = winrm.Session(url, auth=(user, password), transport="basic", **kwargs)
    r = sess.run_cmd("sleep 0.3; echo %d" % i)
    results[i] = (r.std_out, r.status_code)
threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
for t in threads: t.start()
for t in threads: t.join()
check("16 concurrent sessions", results, {i: (b"%d\n" % i, 0) for i in range(16)})
sys.exit(1 if failures else 0)
PYEOF

# pywinrm 0.3.0 lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override
# server_cert_validation='ignore' (requests' environment settings win), so
# the client runs without them.
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
for spec in "$HTTP_URL plain" "$HTTPS_URL validate" "$HTTPS_URL ignore"; do
    set -- $spec
    "$PY" "$TMP/client.py" "$1" "$USER_NAME" "$USER_PASSWORD" "$2" "$TMP/server.crt" \
        >"$TMP/py.$2.out" 2>&1
    rc=$?
    cat "$TMP/py.$2.out"
    check "pywinrm over $2 ($1)" [ "$rc" -eq 0 ]
done

# Wrong password: pywinrm reports the 401 as InvalidCredentialsError.
"$PY" - "$HTTP_URL" "$USER_NAME" >"$TMP/py.bad.out" 2>&1 <<'PYEOF'
import sys, winrm
from winrm.exceptions import InvalidCredentialsError
try:
    winrm.Session(sys.argv[1], auth=(sys.argv[2], "wrong"), transport="basic").run_cmd("echo x")
except InvalidCredentialsError:
    sys.exit(0)
sys.exit(1)
PYEOF
check "wrong password is InvalidCredentialsError" [ $? -eq 0 ]

check "the harness logs requests with --verbose" grep -q 'POST /wsman Receive user=tester' "$TMP/harness.err"
check "the password never reaches the harness log" \
    sh -c "! grep -qF '$USER_PASSWORD' '$TMP/harness.err' '$TMP/harness.out'"
finish
