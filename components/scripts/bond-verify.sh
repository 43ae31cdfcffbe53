#!/bin/sh
# Checks a router's bond against what the lab asked for, then pings the peer across it.
# Prints the bond's state as one JSON line (with the ping's result) and exits 0, or exits 1
# with one line per problem and its likely cause on stderr.
# Runs inside the router after bond-status.sh (sent together on stdin). Settings:
#   BONDLAB_BOND BONDLAB_OPTIONS BONDLAB_SLAVES BONDLAB_ACTIVE BONDLAB_BACKUPS BONDLAB_PEER
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

# The bond may still be converging (LACP needs a few LACPDUs, ARP monitoring a few probes).
while :; do
    state=$(bond_status "$BONDLAB_BOND" "$BONDLAB_OPTIONS" "$BONDLAB_SLAVES" "${BONDLAB_ACTIVE:-}" "$problems" "${BONDLAB_BACKUPS:-up}")
    [ -s "$problems" ] || break
    [ "$(date +%s)" -lt "$deadline" ] || break
    if [ "${BONDLAB_BACKUPS:-up}" = unknown ]; then announce_on_expected_slave; fi
    sleep 1
done

received=0
if [ ! -s "$problems" ]; then
    while :; do
        received=$(ping -n -q -c 5 -i 0.2 -W 2 -I "$BONDLAB_BOND" "$BONDLAB_PEER" 2>/dev/null |
            awk '/packets transmitted/ { print $4 + 0 }') || true
        [ "${received:-0}" -gt 0 ] || received=0
        if [ "$received" -gt 0 ] || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
    done
    if [ "$received" -eq 0 ]; then
        route=$(ip route get "$BONDLAB_PEER" 2>&1 | head -n 1)
        case "$route" in
        *" dev $BONDLAB_BOND "*)
            echo "ping: no reply from $BONDLAB_PEER across $BONDLAB_BOND: check the peer's verify output; a channel may drop bond traffic (an --internal Docker network does)" ;;
        *)
            echo "ping: $BONDLAB_PEER is not routed over $BONDLAB_BOND ($route): a Docker network's subnet overlaps the bond's; set management.subnet and channels[].subnet in the lab file" ;;
        esac >>"$problems"
    fi
fi

# printf, not echo: dash's echo would turn the JSON's \n escapes into newlines.
printf '%s,"ping":{"peer":"%s","sent":5,"received":%d}}\n' "${state%\}}" "$BONDLAB_PEER" "$received"
if [ -s "$problems" ]; then
    sed "s/^/bondlab verify on $(hostname): /" "$problems" >&2
    exit 1
fi
