#!/bin/sh
# Checks one node of a lab network against what the lab file asked, until every check passes
# or BONDLAB_VERIFY_TIMEOUT seconds have gone by. Runs after bond-status.sh (sent together on
# stdin), whose strict check every bond end gets. BONDLAB_CHECKS, one per line
# (components/node-settings.ts writes them):
#   bond NAME SLAVES ACTIVE|- BACKUPS OPTIONS   the bond as bond_status checks it: every option
#                                      in OPTIONS in force, SLAVES (comma-separated) its slaves and
#                                      up (BACKUPS "unknown": backups may read down under an ARP
#                                      monitor), ACTIVE the active slave, for 802.3ad one aggregator
#                                      with a partner; and for 802.3ad, LACPDUs still arriving
#   ping IP MAC|-                      IP answers a ping; with a MAC, the neighbour that
#                                      answered has that MAC (the same address may live in
#                                      another VLAN: this proves which one answered)
# Prints what it found as JSON on its last line (each bond's summary and its full bond_status
# state, the addresses pinged and those that answered); on failure, each problem on stderr.
set -u
timeout=${BONDLAB_VERIFY_TIMEOUT:-90}
problems_file=/tmp/bondlab-verify-problems
bond_problems=/tmp/bondlab-verify-bond

bond_lines() { printf '%s\n' "$BONDLAB_CHECKS" | sed -n 's/^bond //p'; }

check_bond() { # name slaves active|- backups options...
    name=$1 slaves=$(echo "$2" | tr ',' ' ') active=$3 backups=$4
    shift 4
    [ "$active" != - ] || active=""
    : >"$bond_problems"
    bond_status "$name" "$*" "$slaves" "$active" "$bond_problems" "$backups" >/dev/null
    # Each problem names its bond, which a node with several bonds needs.
    sed "/^${name}[: ]/!s/^/${name}: /" "$bond_problems"
    if [ "$backups" = unknown ] && [ -s "$bond_problems" ]; then bond_announce "$name" "$active"; fi
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
    printf '%s\n' "$BONDLAB_CHECKS" | while read -r kind rest; do
        # shellcheck disable=SC2086 # a bond line is a list of words by design
        case $kind in
        bond) check_bond $rest ;;
        ping) check_ping $rest ;;
        esac
    done
    lacpdu_problem "$lacpdu_baseline" "$started"
}

# Every 802.3ad bond's slaves must hear LACPDUs from now on (bond-status.sh's lacpdu_watch).
lacpdu_baseline=$(bond_lines | while read -r _ slaves _ _ _ mode _; do
    # shellcheck disable=SC2046 # a list of slave names by design
    [ "$mode" != 802.3ad ] || lacpdu_watch $(echo "$slaves" | tr ',' ' ')
done)
started=$(date +%s)

deadline=$((started + timeout))
while :; do
    run_checks >"$problems_file"
    [ -s "$problems_file" ] || break
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 1
done

problems=$(wc -l <"$problems_file")
bonds=$(bond_lines | while read -r bond _; do
    dir=/sys/class/net/$bond/bonding
    [ -d "$dir" ] || continue
    read -r mode _ <"$dir/mode"
    printf '{"bond":"%s","mode":"%s","slaves":"%s","activeSlave":"%s"},' "$bond" "$mode" "$(cat "$dir/slaves")" "$(cat "$dir/active_slave" 2>/dev/null)"
done)
# Each bond as bond_status sees it (options in force, slaves, LACP, /proc/net/bonding), for the
# stack's outputs; and which pinged addresses answered in the last round.
states=$(bond_lines | while read -r bond slaves active backups options; do
    [ -d "/sys/class/net/$bond/bonding" ] || continue
    [ "$active" != - ] || active=""
    printf '"%s":%s,' "$bond" "$(bond_status "$bond" "$options" "$(echo "$slaves" | tr ',' ' ')" "$active" "" "$backups")"
done)
pings=$(printf '%s\n' "$BONDLAB_CHECKS" | awk '$1 == "ping" { printf "\"%s\",", $2 }')
answered=$(printf '%s\n' "$BONDLAB_CHECKS" | while read -r kind ip _; do
    [ "$kind" = ping ] || continue
    grep -q "^ping $ip:" "$problems_file" || printf '"%s",' "$ip"
done)
printf '{"node":"%s","problems":%d,"bonds":[%s],"pinged":[%s],"answered":[%s],"states":{%s}}\n' \
    "$(hostname)" "$problems" "${bonds%,}" "${pings%,}" "${answered%,}" "${states%,}"
if [ "$problems" -gt 0 ]; then
    sed "s/^/bondlab verify on $(hostname): /" "$problems_file" >&2
    exit 1
fi
