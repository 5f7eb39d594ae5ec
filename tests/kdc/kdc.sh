#!/bin/sh
# kdc.sh: a throwaway MIT Kerberos KDC (and an NTLM user file) for tests.
#
# As a command:   kdc.sh start DIR [OWNER_PID]
#                                    creates DIR (must be empty or absent),
#                                    starts the KDC and writes DIR/env; with
#                                    OWNER_PID the KDC also ends when that
#                                    process does (a crashed test)
#                 kdc.sh stop DIR    stops that KDC (the directory is kept)
# Sourced:        . kdc.sh; psr_kdc_start DIR && . DIR/env; ...; psr_kdc_stop DIR
#
# DIR/env holds `export NAME=value` lines: KRB5_CONFIG, KRB5_KDC_PROFILE,
# KRB5CCNAME, KRB5_KTNAME (the HTTP/localhost service keytab), KRB5RCACHEDIR
# (the acceptor's replay cache, kept in DIR too), NTLM_USER_FILE,
# PSR_KDC_REALM, PSR_KDC_PORT, PSR_KDC_USER, PSR_KDC_PASSWORD,
# PSR_NTLM_ONLY_USER, PSR_NTLM_ONLY_PASSWORD. KRB5_CONFIG is always set: the
# machine's /etc/krb5.conf may name a foreign realm.
#
# Principals: user1@PSREMOTE.TEST (password below), HTTP/localhost@PSREMOTE.TEST
# and HTTP/localhost:5985@PSREMOTE.TEST (for IncludePortInSPN; random keys,
# both in the keytab). The NTLM user file (gss-ntlmssp's
# NTLM_USER_FILE, lines DOMAIN:user:password) holds user1 with the same
# password, ntlmonly, a user the KDC does not know, and faraway@NOKDC.TEST,
# whose realm has no KDC at all (both with PSR_NTLM_ONLY_PASSWORD), and
# localuser in domain LOCALHOST, a "local account" of the acceptor
# HTTP@localhost: gss-ntlmssp names itself LOCALHOST in its CHALLENGE, and
# clients that take the domain from there (go-ntlmssp does, as for Windows
# local accounts) log on as LOCALHOST\localuser (PSR_NTLM_LOCAL_USER, with
# PSR_NTLM_ONLY_PASSWORD).
#
# Exit status 77 (automake's "skipped") when the MIT KDC programs are missing
# (searched in /usr/sbin, /usr/local/sbin, /sbin and PATH, or only in the
# directories listed in PSR_KDC_TOOLS_DIR).
# When sourced, only the psr_kdc_* functions and PSR_KDC_REALM_NAME and the
# tool paths (PSR_KRB5KDC, ...) are defined; psr_kdc_start also exports
# KRB5_CONFIG and KRB5_KDC_PROFILE into the caller's shell.

PSR_KDC_REALM_NAME=PSREMOTE.TEST

psr_kdc_find_tools() {
    local tool found d
    for tool in krb5kdc kdb5_util kadmin.local; do
        found=
        for d in ${PSR_KDC_TOOLS_DIR:-/usr/sbin /usr/local/sbin /sbin $(echo "$PATH" | tr : ' ')}; do
            if [ -x "$d/$tool" ]; then found="$d/$tool"; break; fi
        done
        if [ -z "$found" ]; then
            echo "kdc.sh: $tool not found (install the Debian packages krb5-kdc and krb5-admin-server)" >&2
            return 77
        fi
        case $tool in
            krb5kdc) PSR_KRB5KDC=$found ;;
            kdb5_util) PSR_KDB5_UTIL=$found ;;
            kadmin.local) PSR_KADMIN_LOCAL=$found ;;
        esac
    done
    return 0
}

# Whether a local TCP or UDP socket uses PORT; with "listen", whether a TCP
# socket listens on it. Read from /proc/net (no dependency on ss/netstat).
psr_kdc_port_used() {
    local hex
    hex=$(printf '%04X' "$1")
    if [ "${2:-}" = listen ]; then
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
            awk -v h=":$hex" 'substr($2, length($2) - 4) == h && $4 == "0A" { f = 1 } END { exit !f }'
    else
        cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null |
            awk -v h=":$hex" 'substr($2, length($2) - 4) == h { f = 1 } END { exit !f }'
    fi
}

# A loopback port free for both TCP and UDP. krb5kdc does not fail when its
# port is busy, so the choice is checked here, before it starts.
psr_kdc_free_port() {
    local tries=200 n port
    while [ "$tries" -gt 0 ]; do
        n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        port=$((20000 + n % 40000))
        if ! psr_kdc_port_used "$port"; then
            echo "$port"
            return 0
        fi
        tries=$((tries - 1))
    done
    echo "kdc.sh: no free loopback port found" >&2
    return 1
}

psr_kdc_start() {
    local dir=$1 owner=${2:-} port realm password ntlm_password master n
    psr_kdc_find_tools || return $?
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd) || return 1
    port=$(psr_kdc_free_port) || return 1
    realm=$PSR_KDC_REALM_NAME
    password='Kdc-Test-Pass1'
    ntlm_password='Ntlm-Only-Pass2'

    cat >"$dir/krb5.conf" <<CONF
[libdefaults]
    default_realm = $realm
    dns_lookup_realm = false
    dns_lookup_kdc = false
    dns_canonicalize_hostname = false
    rdns = false
    forwardable = true
    ignore_acceptor_hostname = false
    default_ccache_name = FILE:$dir/ccache
    default_keytab_name = FILE:$dir/keytab
[realms]
    $realm = {
        kdc = 127.0.0.1:$port
    }
[domain_realm]
    localhost = $realm
CONF
    cat >"$dir/kdc.conf" <<CONF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$port
    kdc_tcp_listen = 127.0.0.1:$port
[realms]
    $realm = {
        database_name = $dir/principal
        key_stash_file = $dir/stash
        acl_file = $dir/kadm5.acl
        kdc_listen = 127.0.0.1:$port
        kdc_tcp_listen = 127.0.0.1:$port
        max_life = 1d
    }
[logging]
    kdc = FILE:$dir/kdc.log
CONF
    : >"$dir/kadm5.acl"
    printf 'PSREMOTE:user1:%s\nPSREMOTE:ntlmonly:%s\nNOKDC.TEST:faraway:%s\nLOCALHOST:localuser:%s\n' \
        "$password" "$ntlm_password" "$ntlm_password" "$ntlm_password" >"$dir/ntlm_users"

    KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf
    export KRB5_CONFIG KRB5_KDC_PROFILE
    master=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    "$PSR_KDB5_UTIL" -r "$realm" create -s -P "$master" >"$dir/setup.log" 2>&1 || {
        echo "kdc.sh: kdb5_util create failed:" >&2; cat "$dir/setup.log" >&2; return 1; }
    "$PSR_KADMIN_LOCAL" -r "$realm" -q "addprinc -pw $password user1@$realm" >>"$dir/setup.log" 2>&1 &&
    "$PSR_KADMIN_LOCAL" -r "$realm" -q "addprinc -randkey HTTP/localhost@$realm" >>"$dir/setup.log" 2>&1 &&
    "$PSR_KADMIN_LOCAL" -r "$realm" -q "addprinc -randkey HTTP/localhost:5985@$realm" >>"$dir/setup.log" 2>&1 &&
    "$PSR_KADMIN_LOCAL" -r "$realm" -q "ktadd -k $dir/keytab HTTP/localhost@$realm HTTP/localhost:5985@$realm" >>"$dir/setup.log" 2>&1 || {
        echo "kdc.sh: kadmin.local failed:" >&2; cat "$dir/setup.log" >&2; return 1; }

    "$PSR_KRB5KDC" -n -r "$realm" </dev/null >"$dir/krb5kdc.out" 2>&1 &
    echo $! >"$dir/kdc.pid"
    # A test that crashes cannot stop its KDC: when an owner process is
    # named, a watcher ends the KDC (and removes DIR) once the owner is gone.
    if [ -n "$owner" ]; then
        psr_kdc_watch "$owner" "$(cat "$dir/kdc.pid")" "$dir" </dev/null >/dev/null 2>&1 &
    fi
    # Wait, with a bound, until the KDC listens on its TCP port.
    n=100
    while ! psr_kdc_port_used "$port" listen; do
        if ! kill -0 "$(cat "$dir/kdc.pid")" 2>/dev/null || [ "$n" -le 0 ]; then
            echo "kdc.sh: krb5kdc did not start:" >&2; cat "$dir/krb5kdc.out" "$dir/kdc.log" >&2 2>/dev/null
            psr_kdc_stop "$dir"
            return 1
        fi
        sleep 0.05
        n=$((n - 1))
    done

    cat >"$dir/env" <<ENV
export KRB5_CONFIG='$dir/krb5.conf'
export KRB5_KDC_PROFILE='$dir/kdc.conf'
export KRB5CCNAME='FILE:$dir/ccache'
export KRB5_KTNAME='FILE:$dir/keytab'
export KRB5RCACHEDIR='$dir'
export NTLM_USER_FILE='$dir/ntlm_users'
export PSR_KDC_REALM='$realm'
export PSR_KDC_PORT='$port'
export PSR_KDC_USER='user1@$realm'
export PSR_KDC_PASSWORD='$password'
export PSR_NTLM_ONLY_USER='PSREMOTE\\ntlmonly'
export PSR_NTLM_ONLY_PASSWORD='$ntlm_password'
export PSR_NTLM_LOCAL_USER='localuser'
ENV
    return 0
}

# psr_kdc_watch OWNER_PID KDC_PID DIR: waits (checking every second) until
# either process is gone, then ends the KDC and removes DIR if the owner died.
psr_kdc_watch() {
    while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
    if ! kill -0 "$1" 2>/dev/null; then
        kill "$2" 2>/dev/null
        rm -rf "$3"
    fi
}

psr_kdc_stop() {
    local dir=$1 pid n
    if [ -f "$dir/kdc.pid" ]; then
        pid=$(cat "$dir/kdc.pid")
        kill "$pid" 2>/dev/null
        n=100
        while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do sleep 0.05; n=$((n - 1)); done
        rm -f "$dir/kdc.pid"
    fi
    return 0
}

# Run as a command (not sourced): dispatch on the first argument.
case ${0##*/} in
    kdc.sh)
        case ${1:-} in
            start) [ -n "${2:-}" ] || { echo "usage: kdc.sh start DIR [OWNER_PID]" >&2; exit 2; }
                   psr_kdc_start "$2" "${3:-}"; exit $? ;;
            stop)  [ -n "${2:-}" ] || { echo "usage: kdc.sh stop DIR" >&2; exit 2; }
                   psr_kdc_stop "$2"; exit $? ;;
            *) echo "usage: kdc.sh start|stop DIR" >&2; exit 2 ;;
        esac ;;
esac
