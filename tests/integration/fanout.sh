# fanout.sh: `psremote exec` on many computers from one process: 200 hosts
# (listeners of one harness, named h1..h200 through HostName/Port in a
# configuration file), every host's output exactly once and whole, the
# throttle limit never exceeded (the harness counts the shells open at
# once), hosts that are down or refuse the credentials reported by name
# while the others succeed, and --hide-computer-name.
. "$top_srcdir/tests/integration/lib.sh"

N=200
start_harness many --listen "127.0.0.1:0*$N" --allow-unencrypted --stats-file "$TMP/stats"
# A free port nobody listens on, for the hosts that are down.
closed=$(sed -n 1p "$TMP/ready.many" | sed -E 's#.*:([0-9]+)/wsman#\1#')
closed=$((closed > 1024 ? closed - 1 : closed + 1))
while grep -q ":$closed/" "$TMP/ready.many"; do closed=$((closed + 1)); done

: > "$TMP/config"
i=0
while read -r url; do
    i=$((i + 1))
    printf 'Host h%d\n    HostName 127.0.0.1\n    Port %s\n' "$i" "$(port_of "$url")" >> "$TMP/config"
done < "$TMP/ready.many"
printf 'Host down1 down2\n    HostName 127.0.0.1\n    Port %s\n' "$closed" >> "$TMP/config"
printf 'Host stranger\n    HostName 127.0.0.1\n    Port %s\n    Credential nobody\n' \
    "$(port_of "$URL_many")" >> "$TMP/config"
printf 'Host *\n    Authentication basic\n    AllowUnencrypted yes\n    Credential %s\n' \
    "$USER_NAME" >> "$TMP/config"

seq -f 'h%g' 1 $N > "$TMP/hosts"
"$PSREMOTE" exec --config "$TMP/config" -c @"$TMP/hosts" --throttle-limit 16 -- \
    'echo first line; echo second line; printf "no newline at the end"' \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
check "every host succeeded (exit 0)" [ "$rc" -eq 0 ]
check "3 lines from each of the $N hosts" [ "$(wc -l <"$TMP/out")" -eq $((3 * N)) ]
check "each host's lines exactly once, whole" \
    [ "$(grep -c '^h[0-9]*: first line$' "$TMP/out")" -eq $N -a \
      "$(grep -c '^h[0-9]*: second line$' "$TMP/out")" -eq $N -a \
      "$(grep -c '^h[0-9]*: no newline at the end$' "$TMP/out")" -eq $N -a \
      "$(cut -d: -f1 "$TMP/out" | sort | uniq -c | awk '$1 != 3' | wc -l)" -eq 0 ]
check "a host's lines stay in order" \
    sh -c "grep '^h77: ' '$TMP/out' | cut -d' ' -f2- | tr '\n' '|' | grep -qx 'first line|second line|no newline at the end|'"
kill -USR1 "$PID_many"
wait_for "grep -q 'shells_created $N' '$TMP/stats'"
max=$(sed -n 's/^max_shells_open //p' "$TMP/stats")
check "the throttle limit (16) was never exceeded, and was used ($max at once)" \
    [ "$max" -le 16 -a "$max" -gt 1 ]

printf 'h1\ndown1\nh2 stranger\n# a comment\n\nh3,down2\n' > "$TMP/mixed"
"$PSREMOTE" exec --config "$TMP/config" -c @"$TMP/mixed" -- echo fine >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a failed host makes the exit status 255" [ "$rc" -eq 255 ]
check "the others ran" [ "$(sort "$TMP/out" | tr '\n' ' ')" = "h1: fine h2: fine h3: fine " ]
check "a host that is down is named with the reason" grep -q '^psremote: down1: connection to 127.0.0.1:.* refused' "$TMP/err"
check "a host that refuses the credentials is named" grep -q '^psremote: stranger: .*401\|^psremote: stranger: .*credentials' "$TMP/err"
check "the summary lists the failed hosts" grep -q '^psremote: 3 of 6 computers failed: down1 stranger down2$' "$TMP/err"

"$PSREMOTE" exec --config "$TMP/config" -c h1,h2 --hide-computer-name -- 'exit 4' >"$TMP/out" 2>&1
rc=$?
check "a non-zero remote exit code makes the exit status 1" [ "$rc" -eq 1 ]
"$PSREMOTE" exec --config "$TMP/config" -c h1 -c h2 --hide-computer-name -- echo same >"$TMP/out" 2>&1
check "--hide-computer-name: no prefix" [ "$(cat "$TMP/out")" = "same
same" ]
printf 'h4\nh5\n' | "$PSREMOTE" exec --config "$TMP/config" -c - -- echo piped >"$TMP/out" 2>&1
check "-c - reads the names from standard input" [ "$(sort "$TMP/out" | tr '\n' ' ')" = "h4: piped h5: piped " ]
# invoke: a script block on many computers, PowerShell sessions side by side
seq -f 'h%g' 1 60 > "$TMP/hosts60"
"$PSREMOTE" invoke --config "$TMP/config" -c @"$TMP/hosts60" --throttle-limit 8 \
    -e '"hello"; 1..3; Write-Warning careful' >"$TMP/out" 2>"$TMP/err"
rc=$?
check "invoke on 60 computers: exit 0" [ "$rc" -eq 0 ]
check "each computer's 4 output lines exactly once" \
    [ "$(wc -l <"$TMP/out")" -eq 240 -a \
      "$(cut -d: -f1 "$TMP/out" | sort | uniq -c | awk '$1 != 4' | wc -l)" -eq 0 -a \
      "$(grep -c '^h[0-9]*: hello$' "$TMP/out")" -eq 60 ]
check "warnings carry the computer too" [ "$(grep -c '^h[0-9]*: WARNING: careful$' "$TMP/err")" -eq 60 ]
"$PSREMOTE" invoke --config "$TMP/config" -c h1,h2,down1 --output json -e '1..2' \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
check "invoke: an unreachable computer makes the exit status 4" [ "$rc" -eq 4 ]
check "invoke --output json with several computers: JSON lines, no prefix" \
    [ "$(grep -cx '[12]' "$TMP/out")" -eq 4 -a "$(wc -l <"$TMP/out")" -eq 4 ]
check "invoke: the failed computer is named" grep -q '^psremote: 1 of 3 computers failed: down1$' "$TMP/err"
"$PSREMOTE" invoke --config "$TMP/config" -c h1,h2 \
    -e "ConvertTo-SecureString 'x' -AsPlainText -Force; 'done'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "invoke on several computers: each server's key request answered, its SecureString shown" \
    [ "$rc" -eq 0 -a "$(grep -c '^h[12]: System.Security.SecureString$' "$TMP/out")" -eq 2 -a \
      "$(grep -c '^h[12]: done$' "$TMP/out")" -eq 2 ]
"$PSREMOTE" invoke --config "$TMP/config" -c h1,h2 \
    -e '"before"; Harness-BreakRunspacePool "host process gone"' >"$TMP/out" 2>"$TMP/err"
rc=$?
check "invoke on several computers: a Broken pool fails its host with the reason (exit 4)" \
    [ "$rc" -eq 4 -a "$(grep -c 'runspace pool Broken): host process gone' "$TMP/err")" -eq 2 ]

# On a terminal (script(1) gives a pseudo-terminal): a progress line on
# stderr, rewritten in place, cleared before output and at the end; none
# when stderr is not a terminal (every run above).
if command -v script >/dev/null 2>&1; then
    many="--config '$TMP/config' -c @'$TMP/hosts60' --throttle-limit 8"
    for name in exec invoke; do
        if [ $name = exec ]; then cmd="$PSREMOTE exec $many -- echo line"
        else cmd="$PSREMOTE invoke $many -e '\"line\"'"; fi
        script -qec "$cmd" /dev/null >"$TMP/tty" 2>&1 </dev/null
        check "$name on a terminal: the progress line counts to 60/60 done, 0 failed" \
            grep -q "60/60 done, 0 running, 0 failed" "$TMP/tty"
        check "$name on a terminal: every output line still whole, after the line is cleared" \
            [ "$(tr '\r' '\n' <"$TMP/tty" | sed 's/\x1b\[K//g' | grep -c '^h[0-9]*: line$')" -eq 60 ]
        check "$name on a terminal: the line is erased at the end" \
            [ "$(tail -c 4 "$TMP/tty" | od -An -c | tr -d ' ')" = '\r033[K' ]
    done
fi
check "no progress line when stderr is not a terminal" sh -c "! grep -q 'done,' '$TMP/err'"

# Ctrl+C: every running command is terminated and every shell deleted; the
# hosts not started yet are reported as stopped.
kill -USR1 "$PID_many"
wait_for "grep -q '^shells_open 0' '$TMP/stats'"
before=$(sed -n 's/^shells_created //p' "$TMP/stats")
"$PSREMOTE" exec --config "$TMP/config" -c h1,h2,h3,h4,h5,h6 --throttle-limit 4 -- \
    'echo started; sleep 30' >"$TMP/out" 2>"$TMP/err" &
client=$!
wait_for "[ \$(grep -c started '$TMP/out' 2>/dev/null) -eq 4 ]" 100
kill -INT "$client"
wait_for "! kill -0 $client 2>/dev/null" 100
wait "$client"
rc=$?
check "Ctrl+C ends the run promptly, as failed (255)" [ "$rc" -eq 255 ]
check "the hosts not started are reported as stopped" \
    [ "$(grep -c 'not started: stopped by the user' "$TMP/err")" -eq 2 ]
check "the running ones were stopped" [ "$(grep -c ': stopped by the user' "$TMP/err")" -eq 6 ]
kill -USR1 "$PID_many"
wait_for "grep -q '^shells_created $((before + 4))' '$TMP/stats'"
check "every shell was deleted" grep -q '^shells_open 0' "$TMP/stats"

"$PSREMOTE" exec -c 'a,,b' -- x 2>"$TMP/err"
check "an empty name is an error" grep -q 'empty computer name' "$TMP/err"
finish
