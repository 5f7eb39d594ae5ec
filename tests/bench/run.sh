#!/bin/sh
# run.sh: `make bench`. Starts psremote-harness on loopback and measures the
# client side of each scenario for psremote and for Debian's python3-winrm
# with GNU time: user+system CPU seconds (the median of BENCH_RUNS runs,
# default 3) and peak RSS (the largest). Prints one row per scenario and the
# ratios. Targets (issue "Foundation"): psremote uses at
# least 10x less client CPU than pywinrm, and stays under 20 MB peak RSS.
set -eu
builddir=$1
srcdir=$2
seq_n=${BENCH_SEQUENTIAL:-200}
bulk_bytes=${BENCH_BULK_BYTES:-200000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/psremote-bench.XXXXXX")
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
printf 'bench:bench-password\n' > "$tmp/users"
export PSREMOTE_PASSWORD=bench-password
"$builddir/psremote-harness" --listen 127.0.0.1:0 --allow-unencrypted \
    --user-file "$tmp/users" --ready-file "$tmp/ready" >/dev/null 2>&1 &
pid=$!
n=100
while [ ! -s "$tmp/ready" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
url=$(head -n 1 "$tmp/ready")

runs=${BENCH_RUNS:-3}
measure() { # label, command... -> "cpu_seconds rss_kb": median CPU, largest RSS of $runs runs
    label=$1; shift
    : > "$tmp/times"
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
            echo "bench: $label failed:" >&2; cat "$tmp/err" >&2; exit 1; }
        awk '{printf "%.3f %d\n", $1 + $2, $3}' "$tmp/time" >> "$tmp/times"
        i=$((i + 1))
    done
    sort -n "$tmp/times" | awk -v n="$runs" '
        { cpu[NR] = $1; if ($2 > rss) rss = $2 }
        END { printf "%.3f %d\n", cpu[int((n + 1) / 2)], rss }'
}

row() { # scenario, mode, arg
    set -- "$1" "$2" "$3" \
        "$(measure psremote "$builddir/tests/bench/winrs_bench" "$url" bench "$2" "$3")" \
        "$(measure pywinrm /usr/bin/python3 "$srcdir/tests/bench/pywinrm_bench.py" "$url" bench "$2" "$3")"
    echo "$1 $4 $5" | awk '{
        printf "%-28s psremote cpu %7.3fs rss %6.1f MB | pywinrm cpu %7.3fs rss %7.1f MB | cpu ratio %6.1fx\n",
            $1, $2, $3 / 1024, $4, $5 / 1024, ($2 > 0 ? $4 / $2 : 0) }'
}

echo "WinRS benchmark against psremote-harness ($url)"
row "sequential-$seq_n-commands" sequential "$seq_n"
row "bulk-$bulk_bytes-bytes" bulk "$bulk_bytes"
