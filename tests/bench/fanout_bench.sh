#!/bin/sh
# fanout_bench.sh: `make bench-fanout`. One harness process serves N
# listeners on loopback (default 1000, BENCH_HOSTS); one one-shot invoke on
# every host (a PowerShell session each), and one WinRS command each, with
# a throttle of 32 and of 256, by psremote (one process, one thread,
# libcurl multi) and by Debian's python3-winrm running the WinRS command
# with a thread pool of the same size (tests/bench/pywinrm_fanout.py). GNU time
# gives wall time, client CPU (user+system) and peak RSS: the median wall
# and CPU of BENCH_RUNS runs of psremote (default 5; a run takes about a
# second) and BENCH_PY_RUNS of pywinrm (default 3; about ten seconds), and
# the largest RSS, after one run that is not counted (it warms the harness
# and the page cache). The machine's noise moves single runs by 15%. Targets
# (issue "Many computers"): at least 20x less client CPU per host than
# pywinrm, under 100 KB of client memory per concurrent host (the RSS growth
# from throttle 32 to 256, divided by 224).
set -eu
builddir=$1
srcdir=$2
hosts=${BENCH_HOSTS:-1000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/psremote-fanout.XXXXXX")
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
printf 'bench:bench-password\n' > "$tmp/users"
export PSREMOTE_PASSWORD=bench-password
"$builddir/psremote-harness" --listen "127.0.0.1:0*$hosts" --allow-unencrypted \
    --user-file "$tmp/users" --ready-file "$tmp/ready" >/dev/null 2>&1 &
pid=$!
n=300
while [ ! -s "$tmp/ready" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
[ -s "$tmp/ready" ] || { echo "bench: the harness did not start" >&2; exit 1; }

: > "$tmp/config"
: > "$tmp/hosts"
i=0
while read -r url; do
    i=$((i + 1))
    port=$(echo "$url" | sed -E 's#.*:([0-9]+)/wsman#\1#')
    printf 'Host h%d\n HostName 127.0.0.1\n Port %s\n' "$i" "$port" >> "$tmp/config"
    echo "h$i" >> "$tmp/hosts"
done < "$tmp/ready"
printf 'Host *\n Authentication basic\n AllowUnencrypted yes\n Credential bench\n' >> "$tmp/config"

measure() { # runs, label, command... -> "wall cpu rss_kb": median wall and CPU, largest RSS
    runs=$1 label=$2; shift 2
    : > "$tmp/times"
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
            echo "bench: $label failed:" >&2; tail -5 "$tmp/err" >&2; exit 1; }
        lines=$(wc -l < "$tmp/out")
        [ "$lines" -eq "$hosts" ] || { echo "bench: $label: $lines answers, not $hosts" >&2; exit 1; }
        awk '{printf "%.2f %.3f %d\n", $1, $2 + $3, $4}' "$tmp/time" >> "$tmp/times"
        i=$((i + 1))
    done
    awk -v n="$runs" '{ wall[NR] = $1; cpu[NR] = $2; if ($3 > rss) rss = $3 }
        function median(a,   i, j, t) {
            for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
                t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return a[int((n + 1) / 2)] }
        END { printf "%.2f %.3f %d\n", median(wall), median(cpu), rss }' "$tmp/times"
}

# The warm-up run, not counted.
"$builddir/psremote" invoke --config "$tmp/config" -c @"$tmp/hosts" -e '"x"' >/dev/null 2>&1 || {
    echo "bench: the warm-up run failed" >&2; exit 1; }

printf '%-28s %8s %10s %12s %10s\n' "client (throttle)" "wall s" "CPU s" "CPU ms/host" "peak RSS"
for t in 32 256; do
    set -- $(measure "${BENCH_RUNS:-5}" "psremote invoke $t" "$builddir/psremote" invoke --config "$tmp/config" \
        -c @"$tmp/hosts" --throttle-limit "$t" -e '"x"')
    eval "ps_cpu_$t=$2 ps_rss_$t=$3"
    printf '%-28s %8s %10s %12.3f %8d KB\n' "psremote invoke ($t)" "$1" "$2" \
        "$(awk -v c="$2" -v h="$hosts" 'BEGIN { print c * 1000 / h }')" "$3"
    set -- $(measure "${BENCH_RUNS:-5}" "psremote exec $t" "$builddir/psremote" exec --config "$tmp/config" \
        -c @"$tmp/hosts" --throttle-limit "$t" -- echo x)
    eval "ex_cpu_$t=$2"
    printf '%-28s %8s %10s %12.3f %8d KB\n' "psremote exec ($t)" "$1" "$2" \
        "$(awk -v c="$2" -v h="$hosts" 'BEGIN { print c * 1000 / h }')" "$3"
    if /usr/bin/python3 -c 'import winrm' 2>/dev/null; then
        set -- $(measure "${BENCH_PY_RUNS:-3}" "pywinrm $t" /usr/bin/python3 "$srcdir/tests/bench/pywinrm_fanout.py" \
            "$tmp/ready" "$t")
        eval "py_cpu_$t=$2"
        printf '%-28s %8s %10s %12.3f %8d KB\n' "python3-winrm ($t threads)" "$1" "$2" \
            "$(awk -v c="$2" -v h="$hosts" 'BEGIN { print c * 1000 / h }')" "$3"
    fi
done
per_host_kb=$(( (ps_rss_256 - ps_rss_32) / 224 ))
echo "psremote memory per concurrent host: ${per_host_kb} KB (target: under 100 KB)"
if [ -n "${py_cpu_32:-}" ]; then
    awk -v a="$py_cpu_32" -v b="$ps_cpu_32" -v c="$py_cpu_256" -v d="$ps_cpu_256" \
        -v e="$ex_cpu_32" -v g="$ex_cpu_256" \
        'BEGIN { printf "CPU ratio pywinrm WinRS / psremote invoke: %.1fx at 32, %.1fx at 256 (target: 20x)\n", a / b, c / d;
                 printf "CPU ratio pywinrm WinRS / psremote exec:   %.1fx at 32, %.1fx at 256\n", a / e, c / g }'
fi
