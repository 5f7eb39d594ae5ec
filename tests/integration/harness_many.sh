# harness_many.sh: psremote-harness as many endpoints at once, for fan-out
# tests: ADDR:0*N opens N listeners on free ports, and --stats-file reports
# how many shells were open at the same time (here five commands that wait
# for each other, so exactly five overlap).
. "$top_srcdir/tests/integration/lib.sh"

start_harness many --listen 127.0.0.1:0*300 --allow-unencrypted --stats-file "$TMP/stats"
check "300 listeners in one process" [ "$(wc -l <"$TMP/ready.many")" -eq 300 ]
check "on 300 different ports" \
    [ "$(sed -E 's#.*:([0-9]+)/wsman#\1#' "$TMP/ready.many" | sort -u | wc -l)" -eq 300 ]

mkdir "$TMP/met"
pids=""
for i in 1 2 3 4 5; do
    url=$(sed -n "$((i * 50))p" "$TMP/ready.many")
    # Each command says it started, then waits (at most 10 s) until all five
    # have: the five shells are open together.
    "$PSREMOTE" exec --connection-uri "$url" -u "$USER_NAME" --authentication basic \
        --allow-unencrypted -- \
        "touch '$TMP/met/$i'; n=0; while [ \$(ls '$TMP/met' | wc -l) -lt 5 ] && [ \$n -lt 200 ]; do sleep 0.05; n=\$((n+1)); done; echo done $i" \
        >"$TMP/out.$i" 2>&1 &
    pids="$pids $!"
done
for pid in $pids; do wait "$pid"; done
ok=0
for i in 1 2 3 4 5; do grep -qx "done $i" "$TMP/out.$i" && ok=$((ok + 1)); done
check "five hosts answered" [ "$ok" -eq 5 ]
kill -USR1 "$PID_many"
wait_for "[ -s '$TMP/stats' ]"
check "the harness saw five shells open at once" grep -qx 'max_shells_open 5' "$TMP/stats"
check "and none left open" grep -qx 'shells_open 0' "$TMP/stats"
check "five were created" grep -qx 'shells_created 5' "$TMP/stats"
finish
