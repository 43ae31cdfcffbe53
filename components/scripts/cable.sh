#!/bin/sh
# A channel's cable: runs in the Docker host's network namespace beside the channel's
# bridge and makes the bridge a wire between the two routers' NICs.
#  - Every port passes LACPDUs (01:80:C2:00:00:02). A Linux bridge drops those link-local
#    frames by default; the per-port group_fwd_mask bit 0x4 lets them through (the
#    bridge-wide mask refuses that bit). Ports appear again whenever a router container
#    restarts, so it reacts to every link event, not just once.
#  - The Docker host is not a station on the wire. Docker gives the bridge no IPv4 address
#    (the network's inhibit_ipv4); here the bridge gets no IPv6 address either (addrgenmode
#    none, so no neighbour discovery or router solicitations), and a drop filter on the
#    bridge device's own ingress and egress keeps the host from hearing or sending anything
#    there. Frames between the ports are forwarded by the bridge and never meet it. The
#    ports, the host's ends of the routers' veths, get no IPv6 address either.
#   BONDLAB_BRIDGE  the channel's bridge, e.g. bl3fa92c-1
#   BONDLAB_LACP_PASSTHROUGH  1 (default) or 0 to show what a switch that eats LACP does
set -u
: "${BONDLAB_BRIDGE:?}"
br=$BONDLAB_BRIDGE
mask=0x4
[ "${BONDLAB_LACP_PASSTHROUGH:-1}" = 1 ] || mask=0x0
trap 'exit 0' TERM INT

complain() {
    echo "cable $br: $*" >&2
}

# The bridge's ports as the last sweep found them (one name a line).
ports=""

sweep() {
    ports=$(ip -o link show master "$br" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
    for port in $ports; do
        [ "$(cat "/sys/class/net/$port/brport/group_fwd_mask" 2>/dev/null)" = "$mask" ] ||
            ip link set dev "$port" type bridge_slave group_fwd_mask "$mask" ||
            complain "could not set group_fwd_mask on $port"
        # The port is the host's end of a router's veth: with an IPv6 link-local address the
        # host would send router solicitations out of it, straight onto the wire (the
        # bridge's own filters never see them), again and again with a growing backoff.
        if [ -n "$(ip -o addr show dev "$port" 2>/dev/null)" ]; then
            ip link set dev "$port" addrgenmode none 2>/dev/null
            ip addr flush dev "$port" || complain "could not remove the Docker host's addresses from $port"
        fi
    done
    # IPv6 gives a bridge a link-local address when it comes up: remove any, each time.
    if [ -n "$(ip -o addr show dev "$br" 2>/dev/null)" ]; then
        ip addr flush dev "$br" || complain "could not remove the Docker host's addresses from the bridge"
    fi
}

# Once: the host's own stack neither hears nor sends on the bridge (tc filters on the bridge
# device see only what the bridge passes up to the host or what the host sends out).
silence_host() {
    ip link set dev "$br" addrgenmode none 2>/dev/null || true # no IPv6 on this host; sweep flushes any address
    tc qdisc del dev "$br" clsact 2>/dev/null
    if ! { tc qdisc add dev "$br" clsact &&
        tc filter add dev "$br" ingress pref 1 protocol all matchall action drop &&
        tc filter add dev "$br" egress pref 1 protocol all matchall action drop; }; then
        complain "could not keep the Docker host off the bridge"
    fi
}

# Whether a monitor line (ip -o: one event per line) concerns the bridge or one of its ports:
# "N: NAME@peer: <...> ... master BR ...", "N: NAME: <...>" or "N: NAME    inet6 ...". The
# monitor hears every link of the Docker host, and a class of labs changes hundreds of them:
# a sweep costs forks, which are slow in an emulated host, so only this wire's events get one.
concerns_this_wire() {
    case "$1" in
        *" master $br "* | *": $br: "* | *": $br "*) return 0 ;;
    esac
    for port in $ports; do
        case "$1" in
            *": $port@"* | *": $port: "* | *": $port "*) return 0 ;;
        esac
    done
    return 1
}

echo "cable $br: keeping group_fwd_mask $mask on its ports and the Docker host off the wire"
silence_host
# Listen first, then sweep, so that no port added in between is missed (its events wait in
# the pipe). The sweeps run in the loop's own shell, which keeps the list of ports.
ip -o monitor link address | {
    sleep 0.2
    sweep
    while read -r event; do
        if concerns_this_wire "$event"; then sweep; fi
    done
} &
wait
