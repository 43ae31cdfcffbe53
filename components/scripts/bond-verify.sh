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

# LACPDUs must still arrive, and a stuck ARP monitor is woken from the slave that should be
# active (bond-status.sh's lacpdu_watch and bond_announce say why).
lacpdu_baseline=""
if [ "$(cut -d' ' -f1 "/sys/class/net/$BONDLAB_BOND/bonding/mode" 2>/dev/null)" = 802.3ad ]; then
    # shellcheck disable=SC2086 # a list of slave names by design
    lacpdu_baseline=$(lacpdu_watch $BONDLAB_SLAVES)
fi
started=$(date +%s)

# The bond may still be converging (LACP needs a few LACPDUs, ARP monitoring a few probes).
while :; do
    : >"$problems" # each round judges the bond afresh
    state=$(bond_status "$BONDLAB_BOND" "$BONDLAB_OPTIONS" "$BONDLAB_SLAVES" "${BONDLAB_ACTIVE:-}" "$problems" "${BONDLAB_BACKUPS:-up}")
    lacpdu_problem "$lacpdu_baseline" "$started" >>"$problems"
    [ -s "$problems" ] || break
    [ "$(date +%s)" -lt "$deadline" ] || break
    if [ "${BONDLAB_BACKUPS:-up}" = unknown ]; then bond_announce "$BONDLAB_BOND" "${BONDLAB_ACTIVE:-}"; fi
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
