# invoke_basic.sh: psremote invoke (PowerShell remoting, PSRP) against
# psremote-harness: output objects, every stream, arguments, input, output
# formats and exit statuses.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
pi=("$PSREMOTE" invoke -c 127.0.0.1 --port "$port" -u "$USER_NAME" --authentication basic
    --allow-unencrypted)

out=$("${pi[@]}" -e "Write-Output 'hello world'" 2>"$TMP/e"); rc=$?
check "an output string arrives on stdout" [ "$out" = "hello world" ]
check "success exits 0" [ "$rc" -eq 0 ]
check "nothing on stderr" [ ! -s "$TMP/e" ]

out=$("${pi[@]}" '1..3' 2>&1)
check "a range gives three objects, the script as a plain argument" [ "$out" = "1
2
3" ]

out=$("${pi[@]}" -e 'param($a, $b) "$a-$b"' --argument-list one --argument-list 'two words' 2>&1)
check "arguments bind to param()" [ "$out" = "one-two words" ]

out=$(printf 'x\ny\n' | "${pi[@]}" -e '$input' --input - 2>&1)
check "--input lines reach \$input" [ "$out" = "x
y" ]

printf '[{"Name": "a", "Size": 1}, "two", 3, true]' > "$TMP/in.json"
out=$("${pi[@]}" -e '$input' --input-json "$TMP/in.json" 2>&1)
check "--input-json: an array's elements become input objects" [ "$out" = "
Name Size
---- ----
a       1
two
3
True" ]
printf '"x"\n{"k": [1, 2]}\n' | "${pi[@]}" -e '$input' --input-json - --output jsonl >"$TMP/j" 2>&1
check "--input-json: JSON lines, objects kept as objects" \
    /usr/bin/python3 -c "
import json, sys
l = [json.loads(x) for x in open(sys.argv[1])]
assert len(l) == 2 and 'x' in json.dumps(l[0]) and 'PSCustomObject' in json.dumps(l[1]), l" "$TMP/j"
printf '{"broken": ' | "${pi[@]}" -e '$input' --input-json - >"$TMP/o" 2>"$TMP/e"; rc=$?
check "bad JSON input exits 2 and says where" sh -c "[ $rc -eq 2 ] && grep -q 'JSON input at byte' '$TMP/e'"

"${pi[@]}" -e "Write-Error 'it broke'" >"$TMP/o" 2>"$TMP/e"; rc=$?
check "Write-Error exits 1" [ "$rc" -eq 1 ]
check "the error message is on stderr" grep -q 'it broke' "$TMP/e"
check "the error shows its CategoryInfo" grep -q 'CategoryInfo *: NotSpecified: (:) \[Write-Error\], WriteErrorException' "$TMP/e"
check "the error shows its FullyQualifiedErrorId" grep -q 'FullyQualifiedErrorId' "$TMP/e"

"${pi[@]}" -e "throw 'fatal thing'" >"$TMP/o" 2>"$TMP/e"; rc=$?
check "throw exits 3 (pipeline failed)" [ "$rc" -eq 3 ]
check "the terminating error is shown" grep -q 'fatal thing' "$TMP/e"

"${pi[@]}" -e "Write-Warning 'careful'; Write-Verbose 'chatty' -Verbose; Write-Output done" \
    >"$TMP/o" 2>"$TMP/e"
check "WARNING: on stderr" grep -qx 'WARNING: careful' "$TMP/e"
check "output still on stdout" grep -qx 'done' "$TMP/o"

out=$("${pi[@]}" -e "Write-Host 'from host'" 2>/dev/null)
check "Write-Host reaches stdout" [ "$out" = "from host" ]

"${pi[@]}" -e "Get-NoSuchThing" >"$TMP/o" 2>"$TMP/e"; rc=$?
check "an unknown command is reported as PowerShell does" grep -q "is not recognized" "$TMP/e"
check "an unknown command exits non-zero" [ "$rc" -ne 0 ]

"${pi[@]}" -e "'a'; 'b'" --output json >"$TMP/j" 2>&1
check "--output json is a JSON array of two objects" \
    /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, list) and len(d) == 2, d" "$TMP/j"

"${pi[@]}" -e "'a'; 'b'" --output jsonl >"$TMP/j" 2>&1
check "--output jsonl is one JSON value per line" \
    /usr/bin/python3 -c "import json,sys; l=open(sys.argv[1]).read().splitlines(); assert len(l) == 2 and all(json.loads(x) is not None for x in l), l" "$TMP/j"

"${pi[@]}" -e "'a'" --output clixml >"$TMP/x" 2>&1
check "--output clixml is an Objs document" grep -q '<Objs' "$TMP/x"

printf 'Write-Output "from a file"\n' > "$TMP/script.ps1"
out=$("${pi[@]}" -f "$TMP/script.ps1" 2>&1)
check "-f runs a local script file" [ "$out" = "from a file" ]

"${pi[@]}" -e 'x' --output yaml 2>"$TMP/e"; rc=$?
check "a bad --output exits 2" [ "$rc" -eq 2 ]
"${pi[@]}" 2>"$TMP/e"; rc=$?
check "no script exits 2" [ "$rc" -eq 2 ]

PSREMOTE_PASSWORD=wrong "${pi[@]}" -e "'x'" >"$TMP/o" 2>"$TMP/e"; rc=$?
check "wrong password exits 5" [ "$rc" -eq 5 ]
"$PSREMOTE" invoke -c 127.0.0.1 --port 1 -u "$USER_NAME" --authentication basic --allow-unencrypted \
    -e "'x'" >"$TMP/o" 2>"$TMP/e"; rc=$?
check "a refused connection exits 4" [ "$rc" -eq 4 ]

finish
