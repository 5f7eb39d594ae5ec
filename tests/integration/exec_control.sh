# exec_control.sh: Ctrl+C, OperationTimeout re-polling, and a connection
# that drops in the middle of a Receive.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
# An array, not a function: a function in the background runs in a subshell,
# and the Ctrl+C tests must signal psremote itself.
px=("$PSREMOTE" exec -c 127.0.0.1 --port "$port" -u "$USER_NAME" --authentication basic
    --allow-unencrypted)

# A Receive that the server ends with w:TimedOut is polled again.
out=$("${px[@]}" -n --session-option OperationTimeout=500 -- 'sleep 2; echo finished' 2>"$TMP/to.err")
rc=$?
check "TimedOut Receive is polled again, not an error" [ "$rc" -eq 0 ] && [ "$out" = "finished" ]
check "no error printed for TimedOut" [ ! -s "$TMP/to.err" ]

# reap PID: its exit status; a process still running (a failed check) is
# killed first, so the test never hangs.
reap() { kill -9 "$1" 2>/dev/null; wait "$1"; }

# First Ctrl+C reaches the remote command as ctrl_c (SIGINT).
marker="psremote-ctrlc-$$"
"${px[@]}" -n -- "trap 'echo got-int; exit 7' INT; echo started; while :; do sleep 0.1; done; : $marker" \
    >"$TMP/c.out" 2>"$TMP/c.err" &
pid=$!
wait_for "grep -q started '$TMP/c.out'" 100
kill -INT "$pid"
wait_for "! kill -0 $pid 2>/dev/null" 100
check "psremote ends after Ctrl+C" sh -c "! kill -0 $pid 2>/dev/null"
reap "$pid"; rc=$?
check "the remote trap ran (ctrl_c delivered)" grep -q got-int "$TMP/c.out"
check "the remote exit code comes back after Ctrl+C" [ "$rc" -eq 7 ]
check "no remote process left" wait_for "! pgrep -f '$marker' >/dev/null" 50

# Second Ctrl+C terminates a command that ignores the first.
marker2="psremote-ignore-$$"
"${px[@]}" -n -- "trap '' INT; echo started; while :; do sleep 0.1; done; : $marker2" \
    >"$TMP/d.out" 2>"$TMP/d.err" &
pid=$!
wait_for "grep -q started '$TMP/d.out'" 100
kill -INT "$pid"; sleep 0.3; kill -INT "$pid"
wait_for "! kill -0 $pid 2>/dev/null" 100
reap "$pid"; rc=$?
check "second Ctrl+C ends psremote with 130" [ "$rc" -eq 130 ]
check "the ignoring process was killed" wait_for "! pgrep -f '$marker2' >/dev/null" 50

# The server dies while a Receive is waiting: a clear error, no hang.
start_harness d --listen 127.0.0.1:0 --allow-unencrypted
dport=$(port_of "$URL_d")
"$PSREMOTE" exec -c 127.0.0.1 --port "$dport" -u "$USER_NAME" --authentication basic \
    --allow-unencrypted -n -- "echo started; sleep 30; : psremote-drop-$$" >"$TMP/e.out" 2>"$TMP/e.err" &
pid=$!
wait_for "grep -q started '$TMP/e.out'" 100
kill -9 "$PID_d"
wait_for "! kill -0 $pid 2>/dev/null" 150
check "psremote ends when the connection drops" sh -c "! kill -0 $pid 2>/dev/null"
reap "$pid"; rc=$?
check "dropped connection exits 255" [ "$rc" -eq 255 ]
check "dropped connection is explained" grep -qiE 'closed|refused|connection' "$TMP/e.err"
pkill -f "psremote-drop-$$" 2>/dev/null

finish
