# invoke_faults.sh: a server side that fails under a running pipeline. The
# runspace pool going Broken (the harness's Harness-BreakRunspacePool hook
# sends RUNSPACEPOOL_STATE Broken with an ErrorRecord, as Windows does when
# the session's host process dies) ends invoke with the server's reason and
# exit status 4; a pipeline that ignores the stop signal (Harness-IgnoreStop)
# is terminated once CancelTimeout has passed, with exit status 3. Either
# way the shell is deleted and nothing hangs.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted --stats-file "$TMP/stats"
port=$(port_of "$URL_h")
conn="-c 127.0.0.1 --port $port -u $USER_NAME --authentication basic --allow-unencrypted"

# shells_open: the harness's count of shells not deleted (SIGUSR1 rewrites
# the stats file; its last line says it is complete).
shells_open() {
    rm -f "$TMP/stats"
    kill -USR1 "$PID_h"
    wait_for "grep -q '^max_shells_open' '$TMP/stats' 2>/dev/null" 100 || { echo unknown; return; }
    sed -n 's/^shells_open //p' "$TMP/stats"
}

# run_bounded SECONDS CMD...: runs CMD in the background, gives up after the
# bound; sets RC (124 when it had to be killed).
run_bounded() {
    local bound=$1; shift
    "$@" &
    local pid=$!
    if wait_for "! kill -0 $pid 2>/dev/null" $((bound * 10)); then
        wait "$pid"; RC=$?
    else
        kill "$pid"; wait "$pid"; RC=124
    fi
}

run_bounded 30 "$PSREMOTE" invoke $conn \
    -e '"before"; Harness-BreakRunspacePool "the server ran out of memory"; "after"' \
    >"$TMP/out" 2>"$TMP/err"
check "a Broken pool ends invoke (no hang) with exit status 4" [ "$RC" -eq 4 ]
check "the error names the Broken pool and the server's reason" \
    grep -q 'runspace pool Broken.*the server ran out of memory' "$TMP/err"
check "output before the break was shown, the rest did not run" \
    sh -c "grep -qx before '$TMP/out' && ! grep -q after '$TMP/out'"
check "the shell was deleted" [ "$(shells_open)" = 0 ]

"$PSREMOTE" invoke $conn --session-option CancelTimeout=1000 \
    -e '"before"; Harness-IgnoreStop; Start-Sleep 30; "after"' >"$TMP/out" 2>"$TMP/err" &
client=$!
wait_for "grep -q before '$TMP/out'" 100
kill -INT "$client"
stopped_at=$(date +%s%N)
wait_for "! kill -0 $client 2>/dev/null" 150
finished=$(kill -0 "$client" 2>/dev/null && echo no || echo yes)
ended_at=$(date +%s%N)
[ "$finished" = no ] && kill "$client"
wait "$client"
rc=$?
waited_ms=$(((ended_at - stopped_at) / 1000000))
check "a stop the server ignores ends after CancelTimeout (not the 30 s sleep)" [ "$finished" = yes ]
check "psremote waited CancelTimeout first ($waited_ms ms)" [ "$waited_ms" -ge 900 ]
check "exit status 3, and the message says CancelTimeout passed" \
    sh -c "[ $rc -eq 3 ] && grep -q 'did not stop within CancelTimeout (1000 ms)' '$TMP/err'"
check "the rest of the script did not run" sh -c "! grep -q after '$TMP/out'"
check "the command was terminated and the shell deleted" [ "$(shells_open)" = 0 ]

# Without the hook the stop is obeyed at once: no CancelTimeout message.
"$PSREMOTE" invoke $conn --session-option CancelTimeout=1000 \
    -e '"before"; Start-Sleep 30; "after"' >"$TMP/out" 2>"$TMP/err" &
client=$!
wait_for "grep -q before '$TMP/out'" 100
kill -INT "$client"
wait_for "! kill -0 $client 2>/dev/null" 100
wait "$client"
rc=$?
check "an obeyed stop ends Stopped (exit 3) without the CancelTimeout message" \
    sh -c "[ $rc -eq 3 ] && grep -q PipelineStoppedException '$TMP/err' && ! grep -q CancelTimeout '$TMP/err'"
finish
