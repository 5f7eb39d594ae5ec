# invoke_host.sh: what happens while a pipeline runs: progress records on a
# terminal only, host calls answered
# from the terminal (Read-Host, Get-Credential, PromptForChoice through a
# pseudo-terminal) or refused without one, Ctrl+C stopping a running pipeline (PipelineStoppedException, exit
# 3), a short OperationTimeout polled through (w:TimedOut), and a server
# that dies mid-Receive (a clear error, no hang).
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
conn="-c 127.0.0.1 --port $port -u $USER_NAME --authentication basic --allow-unencrypted"

if command -v script >/dev/null 2>&1; then
    printf 'Alice\n' | script -qec "$PSREMOTE invoke $conn -e '\$n = Read-Host Name; \"hello \$n\"'" \
        /dev/null >"$TMP/out" 2>&1
    check "Read-Host: the prompt reaches the terminal and the answer the script" \
        grep -q 'Name: hello Alice' "$TMP/out"
    # A SecureString answer needs the session key: the client exchanges it
    # (PUBLIC_KEY / ENCRYPTED_SESSION_KEY) and the harness decrypts.
    printf 's3cret!\n' | script -qec "$PSREMOTE invoke $conn -e '\$p = Read-Host -AsSecureString Secret; ConvertFrom-SecureString \$p -AsPlainText'" \
        /dev/null >"$TMP/out" 2>&1
    check "Read-Host -AsSecureString: a SecureString under the exchanged session key" \
        grep -q '^s3cret!' "$TMP/out"
    printf 'bob\nhunter2\n' | script -qec "$PSREMOTE invoke $conn -e '\$c = Get-Credential; \"user: \$c.UserName\"; ConvertFrom-SecureString \$c.Password -AsPlainText'" \
        /dev/null >"$TMP/out" 2>&1
    check "PromptForCredential: user name and password (a SecureString) from the terminal" \
        sh -c "grep -q 'user: bob' '$TMP/out' && grep -q '^hunter2' '$TMP/out'"
    choose="\$c = \$host.UI.PromptForChoice(\"Deploy\", \"Go on?\", (\"&Yes\", \"&No\"), 0); \"chose \$c\""
    printf 'n\n' | script -qec "$PSREMOTE invoke $conn -e '$choose'" /dev/null >"$TMP/out" 2>&1
    check "PromptForChoice: caption, message and choices on the terminal, a hotkey answers" \
        sh -c "grep -q 'Go on?' '$TMP/out' && grep -q '\[Y\] Yes  \[N\] No  \[?\] Help (default is \"Y\")' '$TMP/out' && grep -q 'chose 1' '$TMP/out'"
    printf '\n' | script -qec "$PSREMOTE invoke $conn -e '$choose'" /dev/null >"$TMP/out" 2>&1
    check "PromptForChoice: an empty answer takes the default" grep -q 'chose 0' "$TMP/out"
    printf 'maybe\n?\n1\n' | script -qec "$PSREMOTE invoke $conn -e '\$y = New-Object System.Management.Automation.Host.ChoiceDescription \"&Yes\", \"Deploy it now\"; \$c = \$host.UI.PromptForChoice(\"Deploy\", \"Go on?\", (\$y, \"&No\"), -1); \"chose \$c\"'" \
        /dev/null >"$TMP/out" 2>&1
    check "PromptForChoice: asked again after a wrong answer; ? shows the help; an index answers" \
        sh -c "grep -q 'Y - Deploy it now' '$TMP/out' && grep -q 'chose 1' '$TMP/out'"
fi
timeout 30 setsid -w "$PSREMOTE" invoke $conn \
    -e '$c = $host.UI.PromptForChoice("Deploy", "Go on?", ("&Yes", "&No"), 0); "after"' \
    </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
check "PromptForChoice without a terminal: an error record (no hang), the script goes on" \
    sh -c "[ $rc -eq 1 ] && grep -qx after '$TMP/out' && grep -q 'PromptForChoice: there is no terminal' '$TMP/err'"
if command -v script >/dev/null 2>&1; then
    script -qec "$PSREMOTE invoke $conn -e \"Write-Progress -Activity Copying -Status 'Half way' -PercentComplete 50; Start-Sleep -Milliseconds 100; Write-Progress -Activity Copying -Completed; 'done'\"" \
        /dev/null </dev/null >"$TMP/out" 2>&1
    check "Write-Progress: a status line on the terminal, cleared when complete" \
        sh -c "grep -q 'Copying: Half way \[50%\]' '$TMP/out' && grep -q 'done' '$TMP/out'"
fi
"$PSREMOTE" invoke $conn -e "Write-Progress -Activity Copying -PercentComplete 50; 'done'" \
    >"$TMP/out" 2>"$TMP/err"
check "no progress line when stderr is not a terminal" \
    sh -c "[ ! -s '$TMP/err' ] && grep -qx done '$TMP/out'"
setsid -w "$PSREMOTE" invoke $conn -e '$n = Read-Host Name; "after"' </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
check "Read-Host without a terminal: an error record, and the script goes on" \
    sh -c "[ $rc -eq 1 ] && grep -qx after '$TMP/out' && grep -qi 'terminal' '$TMP/err'"

"$PSREMOTE" invoke $conn -e '"before"; Start-Sleep 30; "after"' >"$TMP/out" 2>"$TMP/err" &
client=$!
wait_for "grep -q before '$TMP/out'" 100
kill -INT "$client"
wait_for "! kill -0 $client 2>/dev/null" 100
wait "$client"
rc=$?
check "Ctrl+C stops the running pipeline (exit 3, well before 30 s)" [ "$rc" -eq 3 ]
check "as PowerShell reports it" grep -q 'PipelineStoppedException' "$TMP/err"
check "the rest of the script did not run" sh -c "! grep -q after '$TMP/out'"

"$PSREMOTE" invoke $conn --session-option OperationTimeout=1000 \
    -e 'Start-Sleep 3; "late but here"' >"$TMP/out" 2>"$TMP/err"
check "a short OperationTimeout is polled through (w:TimedOut)" grep -qx 'late but here' "$TMP/out"

start_harness doomed --listen 127.0.0.1:0 --allow-unencrypted
dport=$(port_of "$URL_doomed")
"$PSREMOTE" invoke -c 127.0.0.1 --port "$dport" -u "$USER_NAME" --authentication basic \
    --allow-unencrypted -e '"before"; Start-Sleep 30' >"$TMP/out" 2>"$TMP/err" &
client=$!
wait_for "grep -q before '$TMP/out'" 100
kill -KILL "$PID_doomed"
wait_for "! kill -0 $client 2>/dev/null" 150
finished=$(kill -0 "$client" 2>/dev/null && echo no || echo yes)
[ "$finished" = no ] && kill "$client"
wait "$client"
rc=$?
check "a server that dies mid-Receive ends the run (no hang)" [ "$finished" = yes ]
check "with the connection error status (4) and a message" \
    sh -c "[ $rc -eq 4 ] && grep -q '127.0.0.1' '$TMP/err'"
finish
