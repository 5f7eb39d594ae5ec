# redirect.sh: ConnectionUri redirection, as Invoke-Command -AllowRedirection
# does it: not followed unless allowed (the error names the target and the
# option), followed with allowed (exec and invoke, whose control channel
# must go to the new URL too), chains up to MaximumRedirection, loops and
# HTTPS-to-HTTP refused; and the PSVersion query PowerShell sessions add.
. "$top_srcdir/tests/integration/lib.sh"

start_harness target --listen 127.0.0.1:0 --allow-unencrypted --verbose
TARGET=$URL_target
start_harness front --listen 127.0.0.1:0 --allow-unencrypted --verbose \
    --redirect "/PowerShell=$TARGET" \
    --redirect /c1=/c2 --redirect /c2=/c3 --redirect /c3=/wsman \
    --redirect /l1=/l2 --redirect /l2=/l3 --redirect /l3=/l4 --redirect /l4=/l5 \
    --redirect /l5=/l6 --redirect /l6=/wsman \
    --redirect /loop1=/loop2 --redirect /loop2=/loop1
FRONT=$(echo "$URL_front" | sed 's#/wsman$##')
make_cert server localhost
start_harness tls --listen-tls 127.0.0.1:0 --tls-cert "$TMP/server.crt" \
    --tls-key "$TMP/server.key" --redirect "/down=$TARGET"
TLS_FRONT=$(echo "$URL_tls" | sed 's#/wsman$##')

basic="-u $USER_NAME --authentication basic --allow-unencrypted"

"$PSREMOTE" exec --connection-uri "$FRONT/PowerShell" $basic -- echo hi >"$TMP/out" 2>"$TMP/err"
check "without --allow-redirection: not followed" [ ! -s "$TMP/out" ]
check "the error names the target and the option" \
    grep -q "redirects the connection to $TARGET.*--allow-redirection" "$TMP/err"

"$PSREMOTE" exec --connection-uri "$FRONT/PowerShell" $basic --allow-redirection \
    -- echo followed >"$TMP/out" 2>"$TMP/err"
check "exec follows an allowed redirect" grep -qx followed "$TMP/out"
check "the command ran on the target" grep -q 'Command user=tester' "$TMP/harness.target.err"

"$PSREMOTE" invoke --connection-uri "$FRONT/PowerShell" $basic --allow-redirection \
    -e '"invoked"' >"$TMP/out" 2>"$TMP/err"
check "invoke follows an allowed redirect" grep -qx invoked "$TMP/out"
check "the PowerShell session sent PSVersion in the query" \
    grep -q 'POST /wsman?PSVersion=5.1 Create' "$TMP/harness.target.err"
check "the WinRS shell did not" grep -q 'POST /wsman Create' "$TMP/harness.target.err"

"$PSREMOTE" exec --connection-uri "$FRONT/c1" $basic --allow-redirection \
    -- echo chain >"$TMP/out" 2>"$TMP/err"
check "a chain of 3 relative redirects is followed" grep -qx chain "$TMP/out"

"$PSREMOTE" exec --connection-uri "$FRONT/l1" $basic --allow-redirection \
    -- echo x >"$TMP/out" 2>"$TMP/err"
check "a chain of 6 stops at MaximumRedirection (5)" grep -q 'MaximumRedirection (5)' "$TMP/err"

"$PSREMOTE" exec --connection-uri "$FRONT/loop1" $basic --allow-redirection \
    -- echo x >"$TMP/out" 2>"$TMP/err"
check "a redirect loop is refused" grep -q 'redirect loop' "$TMP/err"

"$PSREMOTE" exec --connection-uri "$TLS_FRONT/down" --ca-file "$TMP/server.crt" \
    -u "$USER_NAME" --authentication basic --allow-redirection -- echo x \
    >"$TMP/out" 2>"$TMP/err"
check "HTTPS to HTTP is never followed" grep -q 'from HTTPS to plain HTTP' "$TMP/err"
check "and nothing reached the HTTP target" [ ! -s "$TMP/out" ]
finish
