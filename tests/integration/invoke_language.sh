# invoke_language.sh: psremote invoke against the harness's simulated
# PowerShell commands that read the machine and the session: variables,
# Get-Culture following the Culture session option, Get-ChildItem objects
# rendered as a table and as JSON, Get-Content lines.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
conn="-c 127.0.0.1 --port $port -u $USER_NAME --authentication basic --allow-unencrypted"
mkdir "$TMP/dir"
printf 'alpha\nbeta\n' > "$TMP/dir/notes.txt"

"$PSREMOTE" invoke $conn -e '$n = 1..3; "n is $n"; $n' >"$TMP/out" 2>&1
check "variables hold values and arrays unroll" \
    [ "$(tr '\n' '|' <"$TMP/out")" = "n is 1 2 3|1|2|3|" ]
"$PSREMOTE" invoke $conn --session-option Culture=fr-FR --output jsonl -e 'Get-Culture' >"$TMP/out" 2>&1
check "Get-Culture is the client's Culture" grep -q '"Name":"fr-FR"' "$TMP/out"
"$PSREMOTE" invoke $conn -e "Get-ChildItem '$TMP/dir'" >"$TMP/out" 2>&1
check "Get-ChildItem renders as a table" \
    sh -c "grep -q '^Name *FullName *Length' '$TMP/out' && grep -q '^notes.txt .*$TMP/dir/notes.txt  *11 ' '$TMP/out'"
"$PSREMOTE" invoke $conn --output jsonl -e "Get-ChildItem '$TMP/dir'" >"$TMP/out" 2>&1
check "and as JSON with its type" grep -q '"TypeNames":\["System.IO.FileInfo"' "$TMP/out"
"$PSREMOTE" invoke $conn -e "Get-Content '$TMP/dir/notes.txt'" >"$TMP/out" 2>&1
check "Get-Content gives the lines" [ "$(tr '\n' '|' <"$TMP/out")" = "alpha|beta|" ]
"$PSREMOTE" invoke $conn -e "Get-Content '$TMP/none'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a missing file is an error record (exit 1)" \
    sh -c "[ $rc -eq 1 ] && grep -q \"Cannot find path '$TMP/none'\" '$TMP/err'"
finish
