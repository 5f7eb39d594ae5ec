# session_options.sh: session options from the command line, the
# environment (PSREMOTE_SESSION_OPTIONS) and the configuration file, their
# precedence, and the options whose effect can be seen on the wire or in
# the result: ApplicationArguments, IdleTimeout, MaximumReceivedObjectSize,
# MaximumReceivedDataSizePerCommand; errors name the option, the file and
# line, and what is valid.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
cat > "$TMP/config" <<CONF
# settings for the test harness
Host 127.0.0.1
    Port $port
    Authentication basic
    AllowUnencrypted yes
    Credential $USER_NAME
Host *
    Port 1
    OperationTimeout 20s
CONF

"$PSREMOTE" exec --config "$TMP/config" -c 127.0.0.1 -- echo from the file >"$TMP/out" 2>"$TMP/err"
check "a Host section of --config supplies port, method and user" grep -qx 'from the file' "$TMP/out"

mkdir -p "$TMP/xdg/psremote"
cp "$TMP/config" "$TMP/xdg/psremote/config"
XDG_CONFIG_HOME="$TMP/xdg" "$PSREMOTE" exec -c 127.0.0.1 -- echo default place >"$TMP/out" 2>&1
check "the file is read from \$XDG_CONFIG_HOME/psremote/config" grep -qx 'default place' "$TMP/out"
XDG_CONFIG_HOME="$TMP/xdg" "$PSREMOTE" exec --no-config -c 127.0.0.1 -- echo x >"$TMP/out" 2>"$TMP/err"
check "--no-config ignores it (5985 is not the harness)" grep -q '127.0.0.1:5985' "$TMP/err"

"$PSREMOTE" exec --config "$TMP/config" -c 127.0.0.1 --port 1 -- echo x >/dev/null 2>"$TMP/err"
check "the command line wins over the file" grep -q '127.0.0.1:1 refused' "$TMP/err"

"$PSREMOTE" invoke --config "$TMP/config" -c 127.0.0.1 --trace "$TMP/trace" \
    --session-option 'ApplicationArguments={"Mode":"test","Count":3}' -e '"ok"' >"$TMP/out" 2>&1
"$PSREMOTE" decode "$TMP/trace" >"$TMP/decoded" 2>&1
check "ApplicationArguments travel in INIT_RUNSPACEPOOL" \
    sh -c "grep -A20 '\"ApplicationArguments\"' '$TMP/decoded' | grep -q '\"Value\": \"test\"'"

PSREMOTE_SESSION_OPTIONS='IdleTimeout=120000; OperationTimeout=30000' \
    "$PSREMOTE" exec --config "$TMP/config" -c 127.0.0.1 --trace "$TMP/trace2" -- echo x >/dev/null 2>&1
check "IdleTimeout from PSREMOTE_SESSION_OPTIONS reaches the Create" \
    grep -q '<rsp:IdleTimeOut>PT120.000S</rsp:IdleTimeOut>' "$TMP/trace2"
check "and OperationTimeout from the environment beats the file's 20s" \
    grep -q '<w:OperationTimeout>PT30.000S</w:OperationTimeout>' "$TMP/trace2"

"$PSREMOTE" invoke --config "$TMP/config" -c 127.0.0.1 \
    --session-option MaximumReceivedDataSizePerCommand=2000 -e '1..3000' >/dev/null 2>"$TMP/err"
check "MaximumReceivedDataSizePerCommand stops a command that sends more" \
    grep -q 'more than MaximumReceivedDataSizePerCommand (2000 bytes)' "$TMP/err"
head -c 300000 /dev/zero | tr '\0' x | sed "s/^/'/; s/\$/'/" > "$TMP/big.ps1"
"$PSREMOTE" invoke --config "$TMP/config" -c 127.0.0.1 \
    --session-option MaximumReceivedObjectSize=100KB -f "$TMP/big.ps1" >/dev/null 2>"$TMP/err"
check "MaximumReceivedObjectSize refuses a larger object" \
    grep -q 'maximum object size of 102400 bytes (MaximumReceivedObjectSize)' "$TMP/err"
"$PSREMOTE" invoke --config "$TMP/config" -c 127.0.0.1 -f "$TMP/big.ps1" >"$TMP/out" 2>"$TMP/err"
check "the default (200 MB) lets a 300 KB string through" [ "$(wc -c <"$TMP/out")" -eq 300001 ]

# Errors: they say what is wrong and what is valid.
"$PSREMOTE" exec --session-option Bogus=1 -c h -- x 2>"$TMP/err"
check "an unknown option lists the valid names" grep -q "unknown session option 'Bogus'; valid names: ApplicationArguments" "$TMP/err"
"$PSREMOTE" exec --session-option OutputBufferingMode=Sometimes -c h -- x 2>"$TMP/err"
check "an enum lists its values" grep -q 'OutputBufferingMode takes one of None, Drop, Block' "$TMP/err"
PSREMOTE_SESSION_OPTIONS='IdleTimeout=5' "$PSREMOTE" exec --no-config -c h -- x 2>"$TMP/err"
check "a bad value from the environment names the variable and the range" \
    grep -q 'PSREMOTE_SESSION_OPTIONS: session option IdleTimeout takes milliseconds of at least 60000' "$TMP/err"
printf 'Port 1\nBogus 1\n' > "$TMP/bad"
"$PSREMOTE" exec --config "$TMP/bad" -c h -- x 2>"$TMP/err"
check "a bad key names the file and line" grep -q "configuration file $TMP/bad: line 2: unknown key 'Bogus'" "$TMP/err"
"$PSREMOTE" exec --config "$TMP/missing" -c h -- x 2>"$TMP/err"
check "a missing --config file is an error" grep -q "cannot read the configuration file $TMP/missing" "$TMP/err"
"$PSREMOTE" invoke --session-option 'ApplicationArguments=[1,2]' -c h -e 1 2>"$TMP/err"
check "ApplicationArguments must be a JSON object" grep -q 'ApplicationArguments must be a JSON object' "$TMP/err"
finish
