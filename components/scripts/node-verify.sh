#!/bin/sh
# Checks one node of a version 2 lab network against what the lab file asked, until every
# check passes or BONDLAB_VERIFY_TIMEOUT seconds have gone by. BONDLAB_CHECKS, one per line
# (components/node-settings.ts writes them):
#   bond NAME MODE SLAVES ACTIVE_ONLY  the bond runs MODE over SLAVES (comma-separated), each
#                                      slave up, or with ACTIVE_ONLY=1 an active slave at least
#                                      (under ARP monitoring a backup reads down until probed);
#                                      802.3ad: every slave in one aggregator with a partner
#   ping IP MAC|-                      IP answers a ping; with a MAC, the neighbour that
#                                      answered has that MAC (the same address may live in
#                                      another VLAN: this proves which one answered)
# Prints what it found as JSON on its last line; on failure, each problem on stderr.
set -u
timeout=${BONDLAB_VERIFY_TIMEOUT:-90}
problems_file=/tmp/bondlab-verify-problems

check_bond() { # name mode slaves active_only
    dir=/sys/class/net/$1/bonding
    [ -d "$dir" ] || { echo "$1: no such bond"; return; }
    read -r mode _ <"$dir/mode"
    [ "$mode" = "$2" ] || echo "$1: mode $mode, expected $2"
    slaves=$(tr ' ' '\n' <"$dir/slaves" | sort | tr '\n' ',' | sed 's/,$//')
    want=$(echo "$3" | tr ',' '\n' | sort | tr '\n' ',' | sed 's/,$//')
    [ "$slaves" = "$want" ] || echo "$1: slaves $slaves, expected $want"
    if [ "$4" = 1 ]; then
        [ -n "$(cat "$dir/active_slave")" ] || echo "$1: no active slave"
    else
        for s in $(echo "$3" | tr ',' ' '); do
            [ "$(cat "/sys/class/net/$s/bonding_slave/mii_status" 2>/dev/null)" = up ] || echo "$1: slave $s is not up"
        done
    fi
    if [ "$2" = 802.3ad ]; then
        partner=$(cat "$dir/ad_partner_mac")
        [ "$partner" != 00:00:00:00:00:00 ] || echo "$1: no LACP partner"
        ports=$(cat "$dir/ad_num_ports")
        [ "$ports" = "$(echo "$3" | tr ',' '\n' | wc -l)" ] || echo "$1: $ports ports in the aggregator, expected every slave"
    fi
}

check_ping() { # ip mac
    if ! ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1; then
        echo "ping $1: no answer"
        return
    fi
    [ "$2" = - ] && return
    got=$(ip neigh show to "$1" | awk '/lladdr/ { for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1); exit }')
    [ "$got" = "$2" ] || echo "ping $1: answered by $got, expected $2 (the node of that address in this L2 network)"
}

run_checks() {
    printf '%s\n' "$BONDLAB_CHECKS" | while read -r kind a b c d; do
        case $kind in
        bond) check_bond "$a" "$b" "$c" "$d" ;;
        ping) check_ping "$a" "$b" ;;
        esac
    done
}

deadline=$(($(date +%s) + timeout))
while :; do
    run_checks >"$problems_file"
    [ -s "$problems_file" ] || break
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 1
done

problems=$(wc -l <"$problems_file")
bonds=$(printf '%s\n' "$BONDLAB_CHECKS" | awk '$1 == "bond" { print $2 }' | while read -r bond; do
    dir=/sys/class/net/$bond/bonding
    [ -d "$dir" ] || continue
    read -r mode _ <"$dir/mode"
    printf '{"bond":"%s","mode":"%s","slaves":"%s","activeSlave":"%s"},' "$bond" "$mode" "$(cat "$dir/slaves")" "$(cat "$dir/active_slave" 2>/dev/null)"
done)
pings=$(printf '%s\n' "$BONDLAB_CHECKS" | awk '$1 == "ping" { printf "\"%s\",", $2 }')
printf '{"node":"%s","problems":%d,"bonds":[%s],"pinged":[%s]}\n' "$(hostname)" "$problems" "${bonds%,}" "${pings%,}"
if [ "$problems" -gt 0 ]; then
    sed "s/^/bondlab verify on $(hostname): /" "$problems_file" >&2
    exit 1
fi
