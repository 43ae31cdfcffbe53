#!/bin/sh
# A channel's cable: runs in the Docker host's network namespace beside the channel's
# bridge and keeps every port of it passing LACPDUs (01:80:C2:00:00:02). A Linux bridge
# drops those link-local frames by default; the per-port group_fwd_mask bit 0x4 lets them
# through (the bridge-wide mask refuses that bit). Ports appear again whenever a router
# container restarts, so it reacts to every link event, not just once.
#   BONDLAB_BRIDGE  the channel's bridge, e.g. bl3fa92c-1
#   BONDLAB_LACP_PASSTHROUGH  1 (default) or 0 to show what a switch that eats LACP does
set -u
: "${BONDLAB_BRIDGE:?}"
mask=0x4
[ "${BONDLAB_LACP_PASSTHROUGH:-1}" = 1 ] || mask=0x0
trap 'exit 0' TERM INT

sweep() {
    for port in $(ip -o link show master "$BONDLAB_BRIDGE" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
        [ "$(cat "/sys/class/net/$port/brport/group_fwd_mask" 2>/dev/null)" = "$mask" ] ||
            ip link set dev "$port" type bridge_slave group_fwd_mask "$mask" ||
            echo "cable $BONDLAB_BRIDGE: could not set group_fwd_mask on $port" >&2
    done
}

echo "cable $BONDLAB_BRIDGE: keeping group_fwd_mask $mask on its ports"
# Listen first, then sweep, so that no port added in between is missed.
ip -o monitor link | while read -r _; do sweep; done &
sleep 0.2
sweep
wait
