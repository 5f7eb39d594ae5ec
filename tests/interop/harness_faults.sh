# harness_faults.sh: raw curl requests get the answers Windows gives:
# unknown ShellId -> w:InvalidSelectors (WSManFault 2150858843); an idle
# Receive with OperationTimeout PT1S -> w:TimedOut (2150858793) after about a
# second; an over-size envelope -> HTTP 413 with w:EncodingLimit; a wrong
# password, or Basic over plain HTTP without --allow-unencrypted -> 401 with
# WWW-Authenticate: Basic realm="WSMAN"; an anonymous Identify (header
# WSMANIDENTIFY: unauthenticated) -> IdentifyResponse without an OS version.
. "$top_srcdir/tests/interop/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
start_harness

CMD_URI=http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd
SHELL_NS=http://schemas.microsoft.com/wbem/wsman/1/windows/shell

# envelope ACTION RESOURCE SHELLID TIMEOUT BODY -> a request like pywinrm's.
envelope() {
    local sel=""
    [ -n "$3" ] && sel="<w:SelectorSet><w:Selector Name=\"ShellId\">$3</w:Selector></w:SelectorSet>"
    cat <<XML
<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="$SHELL_NS"><env:Header><a:To>$HTTP_URL</a:To><a:ReplyTo><a:Address mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:11111111-2222-3333-4444-$MSGID</a:MessageID><w:Locale mustUnderstand="false" xml:lang="en-US"/><w:OperationTimeout>$4</w:OperationTimeout><w:ResourceURI mustUnderstand="true">$2</w:ResourceURI><a:Action mustUnderstand="true">$1</a:Action>$sel</env:Header><env:Body>$5</env:Body></env:Envelope>
XML
}

MSGID=000000000001
# post URL FILE [curl options...]: body to $TMP/body, headers to $TMP/hdr, prints the status.
post() {
    local url=$1 file=$2; shift 2
    curl -s -k -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' \
        -H 'Content-Type: application/soap+xml;charset=UTF-8' --data-binary "@$file" "$@" "$url"
}
auth=(-u "$USER_NAME:$USER_PASSWORD")

envelope http://schemas.xmlsoap.org/ws/2004/09/transfer/Create "$CMD_URI" "" PT20S \
    '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>' > "$TMP/create.xml"
status=$(post "$HTTP_URL" "$TMP/create.xml" "${auth[@]}")
check "Create answers 200" [ "$status" = 200 ]
shell_id=$(grep -o 'Name="ShellId">[^<]*' "$TMP/body" | head -n 1 | sed 's/.*>//')
check "Create returns an upper-case ShellId" sh -c "echo '$shell_id' | grep -qE '^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$'"
check "the response relates to the request" grep -q 'RelatesTo>uuid:11111111-2222-3333-4444-000000000001<' "$TMP/body"
check "the reply is application/soap+xml" grep -qi '^Content-Type: application/soap+xml' "$TMP/hdr"

# Unknown ShellId.
MSGID=000000000002
envelope http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive "$CMD_URI" \
    00000000-0000-0000-0000-000000000000 PT20S \
    '<rsp:Receive><rsp:DesiredStream CommandId="11111111-1111-1111-1111-111111111111">stdout stderr</rsp:DesiredStream></rsp:Receive>' > "$TMP/nosh.xml"
status=$(post "$HTTP_URL" "$TMP/nosh.xml" "${auth[@]}")
check "unknown ShellId answers 500" [ "$status" = 500 ]
check "unknown ShellId is w:InvalidSelectors" grep -q 'w:InvalidSelectors' "$TMP/body"
check "unknown ShellId has WSManFault 2150858843" grep -q 'Code="2150858843"' "$TMP/body"
check "unknown ShellId is named in the message" grep -q 'ShellId 00000000-0000-0000-0000-000000000000' "$TMP/body"

# An idle command and a 1 s OperationTimeout.
MSGID=000000000003
envelope http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command "$CMD_URI" "$shell_id" PT20S \
    '<rsp:CommandLine><rsp:Command>sleep 5</rsp:Command></rsp:CommandLine>' > "$TMP/cmd.xml"
status=$(post "$HTTP_URL" "$TMP/cmd.xml" "${auth[@]}")
check "Command answers 200" [ "$status" = 200 ]
command_id=$(grep -o 'CommandId>[^<]*' "$TMP/body" | head -n 1 | sed 's/.*>//')
check "Command returns a CommandId" [ -n "$command_id" ]
MSGID=000000000004
envelope http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive "$CMD_URI" "$shell_id" PT1.000S \
    "<rsp:Receive><rsp:DesiredStream CommandId=\"$command_id\">stdout stderr</rsp:DesiredStream></rsp:Receive>" > "$TMP/recv.xml"
start=$(date +%s%N)
status=$(post "$HTTP_URL" "$TMP/recv.xml" "${auth[@]}")
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "idle Receive answers 500" [ "$status" = 500 ]
check "idle Receive is w:TimedOut" grep -q 'w:TimedOut' "$TMP/body"
check "idle Receive has WSManFault 2150858793" grep -q 'Code="2150858793"' "$TMP/body"
check "the TimedOut text names OperationTimeout (masterzen/winrm looks for it)" grep -q 'OperationTimeout' "$TMP/body"
check "the TimedOut fault comes after about 1 s ($elapsed_ms ms)" [ "$elapsed_ms" -ge 900 ] && [ "$elapsed_ms" -lt 3000 ]

# Unknown CommandId in a known shell.
sed "s/$command_id/22222222-2222-2222-2222-222222222222/" "$TMP/recv.xml" > "$TMP/nocmd.xml"
status=$(post "$HTTP_URL" "$TMP/nocmd.xml" "${auth[@]}")
check "unknown CommandId is InvalidSelectors 2150858843" \
    sh -c "[ $status = 500 ] && grep -q 'w:InvalidSelectors' '$TMP/body' && grep -q 'Code=\"2150858843\"' '$TMP/body' && grep -q 'command identifier that does not exist' '$TMP/body'"

# Over-size envelope (default MaxEnvelopeSize 512000 bytes).
{ envelope http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send "$CMD_URI" "$shell_id" PT20S "<rsp:Send><rsp:Stream Name=\"stdin\" CommandId=\"$command_id\">$(head -c 520000 /dev/zero | tr '\0' A)</rsp:Stream></rsp:Send>"; } > "$TMP/big.xml"
status=$(post "$HTTP_URL" "$TMP/big.xml" "${auth[@]}")
check "an over-size envelope answers 413" [ "$status" = 413 ]
check "an over-size envelope is w:EncodingLimit" grep -q 'w:EncodingLimit' "$TMP/body"

# Another media type gets 415, as WinRM answers it.
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml' --data-binary "@$TMP/create.xml" \
    "${auth[@]}" "$HTTP_URL")
check "a body that is not application/soap+xml answers 415" [ "$status" = 415 ]

# Unknown action, unknown resource, malformed XML.
envelope http://schemas.xmlsoap.org/ws/2004/09/transfer/Get "$CMD_URI" "$shell_id" PT20S '' > "$TMP/get.xml"
status=$(post "$HTTP_URL" "$TMP/get.xml" "${auth[@]}")
check "an unknown action is ActionNotSupported" sh -c "[ $status = 500 ] && grep -q 'ActionNotSupported' '$TMP/body'"
envelope http://schemas.xmlsoap.org/ws/2004/09/transfer/Create http://example.invalid/resource "" PT20S '<rsp:Shell/>' > "$TMP/res.xml"
status=$(post "$HTTP_URL" "$TMP/res.xml" "${auth[@]}")
check "an unknown resource is DestinationUnreachable" sh -c "[ $status = 500 ] && grep -q 'DestinationUnreachable' '$TMP/body'"
printf '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>' > "$TMP/bad.xml"
status=$(post "$HTTP_URL" "$TMP/bad.xml" "${auth[@]}")
check "malformed XML is a Sender fault" sh -c "[ $status = 500 ] && grep -q 's:Sender' '$TMP/body'"

# Credentials.
status=$(post "$HTTP_URL" "$TMP/create.xml" -u "$USER_NAME:wrong")
check "a wrong password answers 401" [ "$status" = 401 ]
check "the 401 offers Basic realm=\"WSMAN\"" grep -q '^WWW-Authenticate: Basic realm="WSMAN"' "$TMP/hdr"
status=$(post "$HTTPS_URL" "$TMP/create.xml" "${auth[@]}")
check "Basic over HTTPS is accepted" [ "$status" = 200 ]
# curl keeps the connection after the 401 (the body was read before the reply).
curl -s -v -o /dev/null -H 'Content-Type: application/soap+xml;charset=UTF-8' \
    --data-binary "@$TMP/create.xml" -u "$USER_NAME:wrong" "$HTTP_URL" \
    --next -s -o /dev/null -H 'Content-Type: application/soap+xml;charset=UTF-8' \
    --data-binary "@$TMP/create.xml" "${auth[@]}" "$HTTP_URL" 2>"$TMP/reuse.log"
check "the connection survives a 401" grep -qiE 're-?using existing connection' "$TMP/reuse.log"

cat > "$TMP/identify.xml" <<'XML'
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>
XML
status=$(post "$HTTP_URL" "$TMP/identify.xml" -H 'WSMANIDENTIFY: unauthenticated')
check "an anonymous Identify answers 200" [ "$status" = 200 ]
check "an anonymous Identify gives no OS version" grep -q 'OS: 0.0.0 SP: 0.0 Stack: 3.0' "$TMP/body"
status=$(post "$HTTP_URL" "$TMP/identify.xml")
check "an Identify without credentials or WSMANIDENTIFY answers 401" [ "$status" = 401 ]
status=$(post "$HTTP_URL" "$TMP/create.xml" -H 'WSMANIDENTIFY: unauthenticated')
check "WSMANIDENTIFY does not open other verbs" [ "$status" = 401 ]

# Without --allow-unencrypted, Basic over plain HTTP is refused like a wrong password.
"$HARNESS" --listen 127.0.0.1:0 --user-file "$TMP/users" --ready-file "$TMP/ready2" \
    >/dev/null 2>"$TMP/strict.err" &
strict_pid=$!
n=100; while [ ! -s "$TMP/ready2" ] && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done
strict_url=$(head -n 1 "$TMP/ready2")
status=$(post "$strict_url" "$TMP/create.xml" "${auth[@]}")
check "Basic over plain HTTP without --allow-unencrypted answers 401" [ "$status" = 401 ]
kill "$strict_pid"; wait "$strict_pid"
check "SIGTERM ends the harness with status 0" [ $? -eq 0 ]

# An IPv6 listener, written [ADDR]:PORT (skipped where ::1 is unavailable).
"$HARNESS" --listen '[::1]:0' --user-file "$TMP/users" --ready-file "$TMP/ready6" \
    >/dev/null 2>"$TMP/v6.err" &
v6_pid=$!
n=100; while [ ! -s "$TMP/ready6" ] && kill -0 "$v6_pid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done
if [ -s "$TMP/ready6" ]; then
    v6_url=$(head -n 1 "$TMP/ready6")
    check "the IPv6 URL is bracketed" sh -c "echo '$v6_url' | grep -qE '^http://\\[::1\\]:[0-9]+/wsman$'"
    status=$(post "$v6_url" "$TMP/identify.xml" -H 'WSMANIDENTIFY: unauthenticated')
    check "the IPv6 listener answers" [ "$status" = 200 ]
    kill "$v6_pid"; wait "$v6_pid"
else
    echo "note: no IPv6 loopback here, IPv6 checks skipped: $(cat "$TMP/v6.err")"
fi

# Delete kills the command's processes; Delete again is InvalidSelectors.
MSGID=000000000005
envelope http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete "$CMD_URI" "$shell_id" PT20S '' > "$TMP/del.xml"
status=$(post "$HTTP_URL" "$TMP/del.xml" "${auth[@]}")
check "Delete answers 200" [ "$status" = 200 ]
status=$(post "$HTTP_URL" "$TMP/del.xml" "${auth[@]}")
check "a second Delete is InvalidSelectors" sh -c "[ $status = 500 ] && grep -q 'w:InvalidSelectors' '$TMP/body'"

# SIGTERM kills the processes of every open shell.
marker="psremote-harness-test-$$"
pattern="psremote-harness-tes[t]-$$" # does not match the checking shell's own command line
status=$(post "$HTTP_URL" "$TMP/create.xml" "${auth[@]}")
shell_id=$(grep -o 'Name="ShellId">[^<]*' "$TMP/body" | head -n 1 | sed 's/.*>//')
envelope http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command "$CMD_URI" "$shell_id" PT20S \
    "<rsp:CommandLine><rsp:Command>sleep 300; : $marker</rsp:Command></rsp:CommandLine>" > "$TMP/long.xml"
status=$(post "$HTTP_URL" "$TMP/long.xml" "${auth[@]}")
check "a long command starts" sh -c "[ $status = 200 ] && pgrep -f '$pattern' >/dev/null"
stop_harness
check "SIGTERM left no command process behind" sh -c "! pgrep -f '$pattern' >/dev/null"
finish
