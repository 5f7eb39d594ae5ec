# exec_basic.sh: psremote exec against psremote-harness over plain HTTP with
# Basic (--allow-unencrypted): streams kept apart, arguments, exit codes,
# working directory and environment.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
px() { "$PSREMOTE" exec -c 127.0.0.1 --port "$port" -u "$USER_NAME" --authentication basic \
        --allow-unencrypted "$@"; }

out=$(px -- 'echo out; echo err >&2; exit 3' 2>"$TMP/err")
rc=$?
check "stdout arrives on stdout" [ "$out" = "out" ]
check "stderr arrives on stderr" [ "$(cat "$TMP/err")" = "err" ]
check "remote exit code is the exit status" [ "$rc" -eq 3 ]

out=$(px -n -- printf '[%s]' 'a b' "c'd" '$HOME' 2>&1)
check "arguments keep spaces, quotes and dollars" [ "$out" = "[a b][c'd][\$HOME]" ]

mkdir -p "$TMP/work dir"
out=$(px -n -d "$TMP/work dir" --env GREETING=hello --env 'SPACED=x y' -- \
        'pwd; echo "$GREETING/$SPACED"' 2>&1)
check "working directory and environment" \
    [ "$out" = "$TMP/work dir
hello/x y" ]

px -n -- 'exit 0' </dev/null
check "exit 0" [ $? -eq 0 ]

out=$(px -n -- 'seq 1 20000' | tail -n 1)
check "long output arrives whole" [ "$out" = "20000" ]

out=$(px -n -- 'printf "h\303\251llo"' | od -An -tx1 | tr -d ' \n')
check "UTF-8 bytes pass unchanged" [ "$out" = "68c3a96c6c6f" ]

"$PSREMOTE" exec --connection-uri "$URL_h" -u "$USER_NAME" --authentication basic \
    --allow-unencrypted -n -- 'echo via-uri' >"$TMP/uri.out" 2>&1
check "--connection-uri" grep -qx via-uri "$TMP/uri.out"

finish
