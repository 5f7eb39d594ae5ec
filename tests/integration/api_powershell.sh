# api_powershell.sh: the public PowerShell API (psremote/powershell.h)
# against the harness: tests/api/test_powershell checks every part of it
# (streams in order, each record kind, host calls answered and refused,
# arguments and JSON input, throw, a stop from another thread and
# CancelTimeout, a wrong password), and the man page's example program
# (tests/api/example) runs as a user would run it, and is the one the man
# page shows.
. "$top_srcdir/tests/integration/lib.sh"

start_harness h --listen 127.0.0.1:0 --allow-unencrypted
port=$(port_of "$URL_h")

# A bound, so an unanswered host call the library fails to refuse fails the
# test instead of hanging it.
timeout 60 "$top_builddir/tests/api/test_powershell" "$port" "$USER_NAME" >"$TMP/api.out" 2>&1
rc=$?
cat "$TMP/api.out"
check "test_powershell: every check of the API passes" \
    sh -c "[ $rc -eq 0 ] && ! grep -q '^FAIL' '$TMP/api.out' && grep -q ' 0 failed' '$TMP/api.out'"

EXAMPLE="$top_builddir/tests/api/example"
PSREMOTE_AUTH=basic PSREMOTE_ALLOW_UNENCRYPTED=1 "$EXAMPLE" "$URL_h" "$USER_NAME" \
    '$n = Read-Host Name; "hello $n"; 1..2; Write-Warning careful' Alice \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
check "example: output objects as JSON lines, in order" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$TMP/out')\" = '\"hello Alice\"
1
2' ]"
check "example: the prompt and the warning as PowerShell shows them" \
    sh -c "grep -q '^Name: ' '$TMP/err' && grep -qx 'WARNING: careful' '$TMP/err'"

PSREMOTE_AUTH=basic PSREMOTE_ALLOW_UNENCRYPTED=1 "$EXAMPLE" "$URL_h" "$USER_NAME" \
    "'before'; throw 'boom'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "example: a failed pipeline exits 1 with the error record in ErrorView" \
    sh -c "[ $rc -eq 1 ] && grep -qx boom '$TMP/err' && grep -q 'FullyQualifiedErrorId : boom' '$TMP/err'"

PSREMOTE_PASSWORD=wrong PSREMOTE_AUTH=basic PSREMOTE_ALLOW_UNENCRYPTED=1 "$EXAMPLE" "$URL_h" \
    "$USER_NAME" "'never'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "example: a wrong password is reported as an authentication failure" \
    sh -c "[ $rc -eq 3 ] && grep -q 'authentication failed' '$TMP/err' && [ ! -s '$TMP/out' ]"
cat "$TMP/err"

# The man page's example is example.c from its first #include on, with
# roff's escapes (\e for a backslash, \& before a leading dot).
sed -n '/^\.SH EXAMPLE/,/^\.EE/p' "$top_srcdir/man/libpsremote.3" |
    sed -n '/^\.EX/,/^\.EE/p' | sed -e '1d' -e '$d' -e 's/\\e/\\/g' -e 's/^\\&//' >"$TMP/man_example.c"
sed -n '/^#include <psremote\/powershell.h>/,$p' "$top_srcdir/tests/api/example.c" >"$TMP/example.c"
check "libpsremote(3): its example is tests/api/example.c" diff -u "$TMP/example.c" "$TMP/man_example.c"

finish
