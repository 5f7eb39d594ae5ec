#!/bin/sh
# demo.sh: `make demo`, what the README's first command ends with. Starts
# psremote-harness on a free loopback port with a throwaway local account
# (NTLM, through gss-ntlmssp), then runs a script block the way
# Invoke-Command does, with the default authentication (Negotiate, every
# message encrypted on plain HTTP, as Windows requires), and a command in a
# remote shell. Stops the harness at the end.
set -eu
builddir=${1:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/psremote-demo.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
# The harness is its own "computer" LOCALHOST; demo is a local account.
printf 'LOCALHOST:demo:%s\n' "demo-password" > "$tmp/ntlm_users"
"$builddir/psremote-harness" --listen 127.0.0.1:0 --ntlm-user-file "$tmp/ntlm_users" \
    --ready-file "$tmp/ready" >/dev/null &
pid=$!
n=100
while [ ! -s "$tmp/ready" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
url=$(head -n 1 "$tmp/ready")
port=$(echo "$url" | sed -E 's#.*:([0-9]+)/wsman#\1#')
export PSREMOTE_PASSWORD=demo-password
echo "psremote-harness is listening on $url (Negotiate; unencrypted messages refused)"
echo
echo "\$ psremote -c localhost --port $port -u 'LOCALHOST\\demo' -e '\"Hello from the harness\"; 1..3 | Write-Output; Write-Warning \"careful\"'"
NTLM_USER_FILE= "$builddir/psremote" -c localhost --port "$port" -u 'LOCALHOST\demo' \
    -e '"Hello from the harness"; 1..3 | Write-Output; Write-Warning "careful"'
echo
echo "\$ psremote exec -c localhost --port $port -u 'LOCALHOST\\demo' -- 'uname -sr'"
NTLM_USER_FILE= "$builddir/psremote" exec -c localhost --port "$port" -u 'LOCALHOST\demo' -n \
    -- 'uname -sr'
