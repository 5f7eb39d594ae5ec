# exec_streams.sh: binary-safe output and stdin forwarding.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")
px() { "$PSREMOTE" exec -c 127.0.0.1 --port "$port" -u "$USER_NAME" --authentication basic \
        --allow-unencrypted "$@"; }

head -c 3000000 /dev/urandom > "$TMP/blob"
px -n -- cat "$TMP/blob" > "$TMP/blob.out"
check "3 MB of binary output arrives byte for byte" cmp -s "$TMP/blob" "$TMP/blob.out"

px -n -- "cat '$TMP/blob' >&2" 2> "$TMP/blob.err" > "$TMP/blob.stdout"
check "binary stderr arrives byte for byte" cmp -s "$TMP/blob" "$TMP/blob.err"
check "nothing leaks to stdout" [ ! -s "$TMP/blob.stdout" ]

out=$(printf 'one\ntwo\nthree\n' | px -- wc -l)
check "stdin is forwarded and ended" [ "$(echo $out)" = "3" ]

px -- cat < "$TMP/blob" > "$TMP/echo.out"
check "3 MB of binary stdin echoed back unchanged" cmp -s "$TMP/blob" "$TMP/echo.out"

out=$(px -n -- 'cat; echo rc=$?' < "$TMP/blob")
check "--no-stdin sends end of input at once" [ "$out" = "rc=0" ]

finish
