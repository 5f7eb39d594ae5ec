# exports.sh: libpsremote.so exports exactly the functions its installed
# headers (include/psremote/*.h) declare: no internal function leaks into
# the ABI (libpsremote.map), and none of the API is missing.
. "$top_srcdir/tests/integration/lib.sh"

lib="$top_builddir/.libs/libpsremote.so"
[ -f "$lib" ] || { echo "skipped: no shared library was built"; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "skipped: no nm"; exit 77; }

nm -D --defined-only "$lib" | awk '$2 == "T" && $3 ~ /^psr_/ { print $3 }' | sort -u \
    >"$TMP/exported"
# declarations start a line with their return type and name the function
# before its parenthesis (function-pointer typedefs and comments do not)
grep -h -E '^[a-z].*\bpsr_[a-z0-9_]+\(' "$top_srcdir"/include/psremote/*.h |
    grep -v '^typedef' | grep -o -E '\bpsr_[a-z0-9_]+\(' | tr -d '(' | sort -u >"$TMP/declared"

check "some functions are exported" [ -s "$TMP/exported" ]
comm -23 "$TMP/exported" "$TMP/declared" >"$TMP/extra"
comm -13 "$TMP/exported" "$TMP/declared" >"$TMP/missing"
none() { [ ! -s "$1" ] || { echo "  $(tr '\n' ' ' <"$1")"; false; }; }
check "every exported function is declared in include/psremote/" none "$TMP/extra"
check "every declared function is exported" none "$TMP/missing"
finish
