# invoke_language.sh: psremote invoke against the harness's simulated
# PowerShell: expressions (arithmetic, strings, comparisons, arrays),
# pipelines into ForEach-Object and Where-Object, the client's input as
# $input, error records and parse errors instead of silence, and the
# commands that read the machine and the session: variables, Get-Culture
# following the Culture session option, Get-ChildItem objects rendered as a
# table and as JSON, Get-Content lines.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
conn="-c 127.0.0.1 --port $port -u $USER_NAME --authentication basic --allow-unencrypted"
mkdir "$TMP/dir"
printf 'alpha\nbeta\n' > "$TMP/dir/notes.txt"

lines() { tr '\n' '|' <"$TMP/out"; }
"$PSREMOTE" invoke $conn -e '$x = 41; $x + 1; 1 + 1; 7 / 2; "a" + 1; 1 -eq "1"' >"$TMP/out" 2>&1
check "expressions are computed as PowerShell does" [ "$(lines)" = "42|2|3.5|a1|True|" ]
"$PSREMOTE" invoke $conn -e '1,2 | Write-Output' >"$TMP/out" 2>&1
check "a comma array is pipeline input" [ "$(lines)" = "1|2|" ]
"$PSREMOTE" invoke $conn -e '1..6 | Where-Object { $_ % 2 -eq 0 } | ForEach-Object { $y = $_ * 10; "y=$y" }' \
    >"$TMP/out" 2>&1
check "ForEach-Object and Where-Object run their blocks per object" [ "$(lines)" = "y=20|y=40|y=60|" ]
printf '[1, 2, 3]\n' >"$TMP/in.json"
"$PSREMOTE" invoke $conn --input-json "$TMP/in.json" -e '$input | ForEach-Object { $_ * 2 }' \
    >"$TMP/out" 2>&1
check "the client's input reaches \$input" [ "$(lines)" = "2|4|6|" ]
"$PSREMOTE" invoke $conn -e '1/0; "after"' >"$TMP/out" 2>"$TMP/err"
check "a failed statement is an error record and the script goes on" \
    sh -c "grep -q 'Attempted to divide by zero' '$TMP/err' && [ \"\$(cat '$TMP/out')\" = after ]"
"$PSREMOTE" invoke $conn -e '"ran"; 1 +' >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a syntax error fails the pipeline before anything runs (ParseException)" \
    sh -c "[ $rc -ne 0 ] && [ ! -s '$TMP/out' ] && grep -q 'ParserError: (:) \[\], ParseException' '$TMP/err' &&
           grep -q 'ExpectedValueExpression' '$TMP/err'"
"$PSREMOTE" invoke $conn -e 'foreach ($i in 1..2) { $i }' >"$TMP/out" 2>"$TMP/err"
check "syntax the harness lacks is named, not skipped" \
    sh -c "[ ! -s '$TMP/out' ] && grep -q \"does not run 'foreach' statements\" '$TMP/err'"
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
