#!/bin/sh
# demo.sh: `make demo` — starts psremote-harness on a free loopback port with a
# throwaway user, runs a remote command through psremote, and stops the
# harness. What the README's first command ends with.
set -eu
builddir=${1:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/psremote-demo.XXXXXX")
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
printf 'demo:%s\n' "demo-password" > "$tmp/users"
"$builddir/psremote-harness" --listen 127.0.0.1:0 --allow-unencrypted \
    --user-file "$tmp/users" --ready-file "$tmp/ready" >/dev/null &
pid=$!
n=100
while [ ! -s "$tmp/ready" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
url=$(head -n 1 "$tmp/ready")
echo "psremote-harness is listening on $url"
echo "\$ psremote exec --connection-uri $url -u demo --authentication basic --allow-unencrypted -- 'echo Hello from \$(hostname); uname -sr'"
PSREMOTE_PASSWORD=demo-password "$builddir/psremote" exec --connection-uri "$url" -u demo \
    --authentication basic --allow-unencrypted -n -- 'echo "Hello from $(hostname)"; uname -sr'
