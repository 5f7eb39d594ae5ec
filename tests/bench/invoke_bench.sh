#!/bin/sh
# invoke_bench.sh: `make bench-invoke`. psremote invoke against the harness:
# the HTTP requests of one one-shot invoke (counted by the harness), client
# CPU for one invocation and per invocation of 1,000 in one session, and a
# 1,000,000-object output (client CPU and peak RSS, which must stay flat:
# compared with 100,000 objects). Targets (issue "Invoke-Command end to
# end"): no more requests than PowerShell's about six, under 1 ms of client
# CPU per small invocation, peak RSS flat in the output size.
set -eu
builddir=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/psremote-invoke-bench.XXXXXX")
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
printf 'bench:bench-password\n' > "$tmp/users"
export PSREMOTE_PASSWORD=bench-password
"$builddir/psremote-harness" --listen 127.0.0.1:0 --allow-unencrypted --user-file "$tmp/users" \
    --ready-file "$tmp/ready" --stats-file "$tmp/stats" >/dev/null 2>&1 &
pid=$!
n=100
while [ ! -s "$tmp/ready" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
url=$(head -n 1 "$tmp/ready")
conn="--connection-uri $url -u bench --authentication basic --allow-unencrypted"

/usr/bin/time -f '%U %S %M' -o "$tmp/t1" "$builddir/psremote" invoke $conn -e '"x"' >/dev/null
kill -USR1 $pid
n=50
while ! grep -q '^requests' "$tmp/stats" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
# CPU of one process is below the 10 ms tick GNU time reads: time 20 of them.
runs=20
/usr/bin/time -f '%U %S' -o "$tmp/t20" sh -c "i=0; while [ \$i -lt $runs ]; do
    '$builddir/psremote' invoke $conn -e '\"x\"' >/dev/null || exit 1; i=\$((i + 1)); done"
echo "one-shot invoke: $(sed -n 's/^requests //p' "$tmp/stats") HTTP requests," \
    "$(awk -v n=$runs '{printf "%.1f ms client CPU (whole process, mean of %d)", ($1 + $2) * 1000 / n, n}' "$tmp/t20")," \
    "$(awk '{printf "%d KB peak RSS", $3}' "$tmp/t1")"
"$builddir/tests/bench/invoke_bench" "$url" bench 1000
for count in 100000 1000000; do
    /usr/bin/time -f '%U %S %M' -o "$tmp/t" "$builddir/psremote" invoke $conn -e "1..$count" >/dev/null
    awk -v n=$count '{printf "%d objects: %.2f s client CPU, %d KB peak RSS\n", n, $1 + $2, $3}' "$tmp/t"
done
