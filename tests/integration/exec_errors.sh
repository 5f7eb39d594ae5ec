# exec_errors.sh: wrong credentials, refused Basic over HTTP, TLS failures and
# bad options each give a clear error and exit status.
. "$top_srcdir/tests/integration/lib.sh"

make_cert good localhost "DNS:localhost,IP:127.0.0.1"
make_cert other wrong.example "DNS:wrong.example"
start_harness h --listen 127.0.0.1:0 --allow-unencrypted
start_harness s --listen-tls 127.0.0.1:0 --tls-cert "$TMP/good.crt" --tls-key "$TMP/good.key"
start_harness w --listen-tls 127.0.0.1:0 --tls-cert "$TMP/other.crt" --tls-key "$TMP/other.key"
port=$(port_of "$URL_h"); sport=$(port_of "$URL_s"); wport=$(port_of "$URL_w")
basic=(-u "$USER_NAME" --authentication basic)

PSREMOTE_PASSWORD=wrong "$PSREMOTE" exec -c 127.0.0.1 --port "$port" "${basic[@]}" \
    --allow-unencrypted -n -- echo x >"$TMP/o" 2>"$TMP/e"
rc=$?
check "wrong password exits 255" [ "$rc" -eq 255 ]
check "wrong password says the credentials were rejected" grep -qi 'rejected the credentials' "$TMP/e"
check "wrong password lists what the server offers" grep -q 'Basic' "$TMP/e"
check "the password never appears in messages" sh -c "! grep -q wrong '$TMP/o' && ! grep -q '$USER_PASSWORD' '$TMP/e'"

"$PSREMOTE" exec -c 127.0.0.1 --port "$port" "${basic[@]}" -n -- echo x >"$TMP/o" 2>"$TMP/e"
check "Basic over HTTP is refused without --allow-unencrypted" [ $? -eq 255 ]
check "the refusal names --allow-unencrypted" grep -q -- '--allow-unencrypted' "$TMP/e"

"$PSREMOTE" exec -c 127.0.0.1 --port "$sport" --use-ssl "${basic[@]}" -n -- echo x >"$TMP/o" 2>"$TMP/e"
check "an untrusted certificate is refused" [ $? -eq 255 ]
check "the TLS error names --ca-file" grep -q -- '--ca-file' "$TMP/e"

out=$("$PSREMOTE" exec -c localhost --port "$sport" --use-ssl --ca-file "$TMP/good.crt" "${basic[@]}" -n -- echo tls-ok 2>&1)
check "HTTPS with --ca-file" [ "$out" = "tls-ok" ]

out=$("$PSREMOTE" exec -c 127.0.0.1 --port "$sport" --use-ssl --session-option SkipCACheck=true \
      "${basic[@]}" -n -- echo skip-ok 2>&1)
check "HTTPS with SkipCACheck" [ "$out" = "skip-ok" ]

"$PSREMOTE" exec -c 127.0.0.1 --port "$wport" --use-ssl --ca-file "$TMP/other.crt" "${basic[@]}" \
    -n -- echo x >"$TMP/o" 2>"$TMP/e"
check "a certificate for another name is refused" [ $? -eq 255 ]
check "the name error names SkipCNCheck" grep -q 'SkipCNCheck' "$TMP/e"
out=$("$PSREMOTE" exec -c 127.0.0.1 --port "$wport" --use-ssl --ca-file "$TMP/other.crt" \
      --session-option SkipCNCheck=true "${basic[@]}" -n -- echo cn-ok 2>&1)
check "SkipCNCheck accepts the other name" [ "$out" = "cn-ok" ]

"$PSREMOTE" exec -c 127.0.0.1 --port 1 "${basic[@]}" --allow-unencrypted -n -- echo x 2>"$TMP/e"
check "a refused connection exits 255" [ $? -eq 255 ]
check "a refused connection is explained" grep -qi 'refused' "$TMP/e"

"$PSREMOTE" exec -c 127.0.0.1 --session-option NoSuchOption=1 -- echo x 2>"$TMP/e"
check "an unknown session option exits 2" [ $? -eq 2 ]
check "the error lists valid names" grep -q 'OperationTimeout' "$TMP/e"

"$PSREMOTE" exec -c 127.0.0.1 --bogus -- echo x 2>"$TMP/e"
check "an unknown option exits 2" [ $? -eq 2 ]
"$PSREMOTE" exec -c 127.0.0.1 2>"$TMP/e"
check "a missing command exits 2" [ $? -eq 2 ]
check "the usage error says what is missing" grep -q 'needs a command' "$TMP/e"

"$PSREMOTE" exec -c 127.0.0.1 --port "$port" -n -- echo x 2>"$TMP/e" </dev/null
check "Negotiate (the default) against a Basic-only server names what it offers" grep -q 'offers: "Basic' "$TMP/e"

PSREMOTE_PASSWORD= "$PSREMOTE" exec -c 127.0.0.1 --port "$port" -u "$USER_NAME" --authentication basic \
    --allow-unencrypted --password-file "$TMP/users.nope" -n -- echo x 2>"$TMP/e"
check "a missing password file is named" grep -q 'users.nope' "$TMP/e"

printf '%s\n' "$USER_PASSWORD" > "$TMP/pw"
out=$(env -u PSREMOTE_PASSWORD "$PSREMOTE" exec -c 127.0.0.1 --port "$port" -u "$USER_NAME" \
      --authentication basic --allow-unencrypted --password-file "$TMP/pw" -n -- echo pwfile-ok 2>&1)
check "--password-file" [ "$out" = "pwfile-ok" ]

env -u PSREMOTE_PASSWORD setsid "$PSREMOTE" exec -c 127.0.0.1 --port "$port" -u "$USER_NAME" \
    --authentication basic --allow-unencrypted -n -- echo x </dev/null >/dev/null 2>"$TMP/e"
check "no password and no terminal says how to give one" grep -q 'PSREMOTE_PASSWORD' "$TMP/e"

finish
