# auth_credssp.sh: CredSSP end to end, psremote against psremote-harness:
# SPNEGO to NTLM and to Kerberos inside CredSSP, over HTTP (every message
# sealed with the CredSSP TLS channel, in 16 KiB records) and over HTTPS,
# each with exec and invoke and payloads larger than one envelope; the
# harness checks the delegated password (NTLM user file, or a ticket from
# the KDC). Then what users meet: a wrong password (the NTSTATUS the server
# reports), no password, CredSSP not enabled on the server, an old server
# below --credssp-min-version, NoEncryption against a server that requires
# sealing, and a server dropping the connection between requests. A
# throwaway MIT KDC (tests/kdc/kdc.sh) runs for the test; skipped (77)
# without it.
. "$top_srcdir/tests/integration/lib.sh"

sh "$top_srcdir/tests/kdc/kdc.sh" start "$TMP/kdc" $$ >"$TMP/kdc.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then echo "skipped: no MIT KDC"; exit 77; fi
[ $rc -eq 0 ] || { cat "$TMP/kdc.log"; exit 1; }
. "$TMP/kdc/env"
# In sanitizer builds: the GSSAPI libraries' process-lifetime memory is not
# ours (tests/kdc/lsan.supp), and exit statuses are checked below.
export LSAN_OPTIONS="suppressions=$top_srcdir/tests/kdc/lsan.supp"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
stop_kdc() { sh "$top_srcdir/tests/kdc/kdc.sh" stop "$TMP/kdc" >/dev/null 2>&1; }
trap 'stop_kdc; cleanup' EXIT

make_cert server localhost
GSS_OPTS="--keytab $TMP/kdc/keytab --ntlm-user-file $NTLM_USER_FILE"
# CredSSP enabled (Enable-WSManCredSSP -Role Server), sealing required on HTTP.
start_harness cs --listen 127.0.0.1:0 --listen-tls 127.0.0.1:0 \
    --tls-cert "$TMP/server.crt" --tls-key "$TMP/server.key" \
    --auth negotiate,kerberos,credssp $GSS_OPTS --verbose
HTTP_PORT=$(port_of "$URL_cs")
HTTPS_PORT=$(port_of "$(sed -n 2p "$TMP/ready.cs")")

for tls in 0 1; do
    port=$HTTP_PORT; over=HTTP
    [ $tls = 1 ] && { port=$HTTPS_PORT; over=HTTPS; }
    run_pair "CredSSP over NTLM, $over" $port $tls "$PSR_NTLM_ONLY_USER" \
        "$PSR_NTLM_ONLY_PASSWORD" --authentication credssp
    run_pair "CredSSP over Kerberos, $over" $port $tls "$PSR_KDC_USER" "$PSR_KDC_PASSWORD" \
        --authentication credssp
done
check "the harness checked the NTLM user's delegated password" \
    grep -q 'delegated credentials for PSREMOTE.ntlmonly verified with the NTLM user file' \
    "$TMP/harness.cs.err"
check "the harness got a ticket with the Kerberos user's delegated password" \
    grep -q "delegated credentials for $PSR_KDC_USER verified with the KDC" "$TMP/harness.cs.err"
check "messages were sealed with the CredSSP channel (TLS 1.2)" \
    grep -q 'CredSSP version 6, TLSv1.2' "$TMP/harness.cs.err"
check "the envelopes ran as the Kerberos user" \
    grep -q "Create user=$PSR_KDC_USER" "$TMP/harness.cs.err"

# ---- failures ----
PSREMOTE_PASSWORD=wrong "$PSREMOTE" exec -c localhost --port $HTTP_PORT \
    -u "$PSR_NTLM_ONLY_USER" --authentication credssp -- echo x >"$TMP/out" 2>"$TMP/err"
rc=$?
check "wrong password: exec fails (255)" [ $rc -eq 255 ]
check "wrong password: the server's NTSTATUS, named" \
    grep -q '0xC000006D (STATUS_LOGON_FAILURE: wrong user name or password)' "$TMP/err"
PSREMOTE_PASSWORD=wrong "$PSREMOTE" invoke -c localhost --port $HTTP_PORT \
    -u "$PSR_NTLM_ONLY_USER" --authentication credssp -e 1 >"$TMP/out" 2>"$TMP/err"
rc=$?
check "wrong password: invoke exits 5 (authentication)" [ $rc -eq 5 ]
PSREMOTE_PASSWORD= "$PSREMOTE" exec -c localhost --port $HTTP_PORT --authentication credssp \
    -- echo x >/dev/null 2>"$TMP/err"
check "no user: CredSSP needs a user name and password" \
    grep -q 'CredSSP authentication needs a user name and password' "$TMP/err"
PSREMOTE_PASSWORD=$PSR_NTLM_ONLY_PASSWORD "$PSREMOTE" exec -c localhost --port $HTTP_PORT \
    -u "$PSR_NTLM_ONLY_USER" --authentication credssp --session-option NoEncryption=true \
    -- echo x >/dev/null 2>"$TMP/err"
check "NoEncryption against a server requiring sealing: the server's refusal" \
    grep -q 'AllowUnencrypted=false' "$TMP/err"
"$PSREMOTE" exec -c localhost --port $HTTP_PORT --credssp-min-version 7 -- echo x \
    >/dev/null 2>"$TMP/err"
check "--credssp-min-version: a bad value is refused" grep -q 'from 2 to 6' "$TMP/err"

# CredSSP not enabled (WinRM's default)
start_harness plain --listen 127.0.0.1:0 $GSS_OPTS --verbose
PSREMOTE_PASSWORD=$PSR_NTLM_ONLY_PASSWORD "$PSREMOTE" exec -c localhost \
    --port "$(port_of "$URL_plain")" -u "$PSR_NTLM_ONLY_USER" --authentication credssp \
    -- echo x >/dev/null 2>"$TMP/err"
check "a server without CredSSP: says how to enable it" \
    grep -q 'does not offer CredSSP.*Enable-WSManCredSSP -Role Server' "$TMP/err"

# A server of CredSSP version 3 (without the CVE-2018-0886 fix): refused by
# default, accepted with --credssp-min-version 2, using the old binding.
start_harness old --listen 127.0.0.1:0 --auth credssp --credssp-version 3 $GSS_OPTS --verbose
OLD_PORT=$(port_of "$URL_old")
PSREMOTE_PASSWORD=$PSR_NTLM_ONLY_PASSWORD "$PSREMOTE" exec -c localhost --port $OLD_PORT \
    -u "$PSR_NTLM_ONLY_USER" --authentication credssp -- echo x >"$TMP/out" 2>"$TMP/err"
check "a version 3 server is refused by default, naming the CVE" \
    grep -q 'version 3, below the minimum 5 .*CVE-2018-0886' "$TMP/err"
check "and the password was not delegated" \
    sh -c "! grep -q 'delegated credentials' '$TMP/harness.old.err'"
PSREMOTE_PASSWORD=$PSR_NTLM_ONLY_PASSWORD "$PSREMOTE" exec -c localhost --port $OLD_PORT \
    -u "$PSR_NTLM_ONLY_USER" --authentication credssp --credssp-min-version 2 \
    -- echo accepted >"$TMP/out" 2>"$TMP/err"
check "--credssp-min-version 2 accepts the version 3 server" grep -qx accepted "$TMP/out"
check "the harness ran version 3" grep -q 'CredSSP version 3' "$TMP/harness.old.err"

# Many computers at once: the same one-thread event loop runs CredSSP for
# every host.
start_harness many --listen "127.0.0.1:0*8" --auth credssp $GSS_OPTS
: > "$TMP/config"
i=0
while read -r url; do
    i=$((i + 1))
    printf 'Host h%d\n    HostName localhost\n    Port %s\n' "$i" "$(port_of "$url")" \
        >> "$TMP/config"
done < "$TMP/ready.many"
printf 'Host *\n    Authentication CredSSP\n    Credential %s\n' "$PSR_KDC_USER" >> "$TMP/config"
seq -f 'h%g' 1 8 > "$TMP/hosts"
PSREMOTE_PASSWORD=$PSR_KDC_PASSWORD "$PSREMOTE" exec --config "$TMP/config" -c @"$TMP/hosts" \
    -- echo delegated >"$TMP/out" 2>"$TMP/err"
check "exec on 8 computers with CredSSP" [ "$(grep -c '^h[1-8]: delegated$' "$TMP/out")" -eq 8 ]
PSREMOTE_PASSWORD=$PSR_KDC_PASSWORD "$PSREMOTE" invoke --config "$TMP/config" \
    -c @"$TMP/hosts" -e '1..3' >"$TMP/out" 2>"$TMP/err"
check "invoke on 8 computers with CredSSP" [ "$(grep -c '^h[1-8]: 3$' "$TMP/out")" -eq 8 ]

# A server that drops the connection after every answer: CredSSP runs again
# on each new connection.
start_harness drop --listen 127.0.0.1:0 --auth credssp $GSS_OPTS --close-connections --verbose
DROP_PORT=$(port_of "$URL_drop")
run_pair "server closing connections, CredSSP over NTLM" $DROP_PORT 0 \
    "$PSR_NTLM_ONLY_USER" "$PSR_NTLM_ONLY_PASSWORD" --authentication credssp
handshakes=$(grep -c 'delegated credentials for PSREMOTE.ntlmonly verified' \
    "$TMP/harness.drop.err")
check "the client ran CredSSP again after each dropped connection ($handshakes times)" \
    [ "$handshakes" -gt 10 ]
finish
