#!/bin/sh
# Checks a router's bond against what the lab asked for, then pings the peer across it.
# Prints the bond's state as one JSON line (with the ping's result) and exits 0, or exits 1
# with one line per problem and its likely cause on stderr.
# Runs inside the router after bond-status.sh (sent together on stdin). Settings:
#   BONDLAB_BOND BONDLAB_OPTIONS BONDLAB_SLAVES BONDLAB_ACTIVE BONDLAB_BACKUPS BONDLAB_PEER
#   BONDLAB_PING_DEV        where the peer answers, if not on the bond itself (a VLAN over it)
#   BONDLAB_VERIFY_TIMEOUT  seconds to wait for the bond to converge (LACP, ARP monitor)
set -eu
: "${BONDLAB_BOND:?}" "${BONDLAB_OPTIONS:?}" "${BONDLAB_SLAVES:?}" "${BONDLAB_PEER:?}"
deadline=$(( $(date +%s) + ${BONDLAB_VERIFY_TIMEOUT:-90} ))
problems=$(mktemp)
trap 'rm -f "$problems"' EXIT

# An active-backup ARP monitor (BONDLAB_BACKUPS=unknown) takes a slave back only when a frame
# arrives on it, and a backup sends nothing. On a switch the peer's ARP broadcasts reach every
# port; over one wire per channel nothing reaches an unused one, so two routers that settled
# on the same backup (after a failover, or at start-up: see bond-apply.sh) never return to
# the primary. A gratuitous ARP out of the slave that should be active is the frame a switch
# would have flooded to the peer's.
announce_on_expected_slave() {
    [ -n "${BONDLAB_ACTIVE:-}" ] || return 0
    self=$(ip -4 -o addr show dev "$BONDLAB_BOND" | awk '{ split($4, a, "/"); print a[1]; exit }')
    [ -n "$self" ] || return 0
    busybox arping -U -c 1 -w 1 -I "$BONDLAB_ACTIVE" -s "$self" "$self" >/dev/null 2>&1 || true
}

# LACP state outlives the LACPDUs that made it by three periods (3 s at lacp_rate fast, 90 s
# at slow): a channel that has just stopped passing them (a cable replaced by an update, say)
# still shows its partner. So an 802.3ad bond passes only once a LACPDU has reached every
# slave since verify started: a tc filter on each slave's ingress counts them.
LACPDU_PREF=49152
lacpdu_count() {
    tc -s filter show dev "$1" ingress pref "$LACPDU_PREF" 2>/dev/null | awk '/rule hit/ { gsub(/[()]/, ""); print $NF; exit }'
}
lacpdu_baseline=""
if [ "$(cut -d' ' -f1 "/sys/class/net/$BONDLAB_BOND/bonding/mode" 2>/dev/null)" = 802.3ad ]; then
    for slave in $BONDLAB_SLAVES; do
        if [ -z "$(lacpdu_count "$slave")" ]; then
            tc qdisc add dev "$slave" clsact 2>/dev/null || true
            tc filter add dev "$slave" ingress pref "$LACPDU_PREF" protocol 0x8809 matchall action pass 2>/dev/null || true
        fi
        lacpdu_baseline="$lacpdu_baseline $slave=$(lacpdu_count "$slave")"
    done
fi
started=$(date +%s)
# The slaves no LACPDU has reached since verify started.
lacpdu_silent() {
    for entry in $lacpdu_baseline; do
        now=$(lacpdu_count "${entry%%=*}")
        [ -n "$now" ] && [ -n "${entry#*=}" ] && [ "$now" -gt "${entry#*=}" ] || printf '%s ' "${entry%%=*}"
    done
}

# The bond may still be converging (LACP needs a few LACPDUs, ARP monitoring a few probes).
while :; do
    : >"$problems" # each round judges the bond afresh
    state=$(bond_status "$BONDLAB_BOND" "$BONDLAB_OPTIONS" "$BONDLAB_SLAVES" "${BONDLAB_ACTIVE:-}" "$problems" "${BONDLAB_BACKUPS:-up}")
    silent=$(lacpdu_silent)
    if [ -n "$silent" ]; then
        echo "LACP: no LACPDU has reached ${silent% } in the $(($(date +%s) - started)) s since verify started: they do not cross the channels now, though the partner state outlives them by three LACPDU periods (is each channel's cable container running? is bondlab:lacpPassthrough false?)" >>"$problems"
    fi
    [ -s "$problems" ] || break
    [ "$(date +%s)" -lt "$deadline" ] || break
    if [ "${BONDLAB_BACKUPS:-up}" = unknown ]; then announce_on_expected_slave; fi
    sleep 1
done

received=0
# The peer answers on the bond, or on a VLAN over it where the link is a trunk.
ping_dev=${BONDLAB_PING_DEV:-$BONDLAB_BOND}
if [ ! -s "$problems" ]; then
    while :; do
        received=$(ping -n -q -c 5 -i 0.2 -W 2 -I "$ping_dev" "$BONDLAB_PEER" 2>/dev/null |
            awk '/packets transmitted/ { print $4 + 0 }') || true
        [ "${received:-0}" -gt 0 ] || received=0
        if [ "$received" -gt 0 ] || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
    done
    if [ "$received" -eq 0 ]; then
        route=$(ip route get "$BONDLAB_PEER" 2>&1 | head -n 1)
        case "$route" in
        *" dev $ping_dev "*)
            echo "ping: no reply from $BONDLAB_PEER across $ping_dev: check the peer's verify output; a channel may drop bond traffic (an --internal Docker network does)" ;;
        *)
            echo "ping: $BONDLAB_PEER is not routed over $ping_dev ($route): a Docker network's subnet overlaps the bond's; set management.subnet and channels[].subnet in the lab file" ;;
        esac >>"$problems"
    fi
fi

# printf, not echo: dash's echo would turn the JSON's \n escapes into newlines.
printf '%s,"ping":{"peer":"%s","sent":5,"received":%d}}\n' "${state%\}}" "$BONDLAB_PEER" "$received"
if [ -s "$problems" ]; then
    sed "s/^/bondlab verify on $(hostname): /" "$problems" >&2
    exit 1
fi
