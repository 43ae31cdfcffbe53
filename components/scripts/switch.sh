#!/bin/sh
# A shared segment's switch: a container of its own with one port on each of the segment's
# channel networks and a Linux bridge joining them, so that those channels become one L2
# network (the seed's "all four NICs on one VirtualBox intnet"). It passes what a plain
# switch passes: it learns MACs and floods unknown ones, and like any 802.1D bridge it drops
# link-local control frames such as LACPDUs. It is no station: its ports and bridge have no
# address, and its own stack neither hears nor sends on the segment.
set -u
br=segment
trap 'exit 0' TERM INT

complain() {
    echo "switch: $*" >&2
}

# A restart gives the container fresh ports and a fresh namespace: build everything again.
ports=$(ls /sys/class/net)
ip link add "$br" type bridge || complain "could not create the bridge"
ip link set dev "$br" addrgenmode none 2>/dev/null
for port in $ports; do
    case $port in lo | "$br") continue ;; esac
    ip link set dev "$port" addrgenmode none 2>/dev/null
    ip addr flush dev "$port"
    ip link set dev "$port" master "$br" || complain "could not join $port to the bridge"
    ip link set dev "$port" up
done
ip link set dev "$br" up
if ! { tc qdisc add dev "$br" clsact &&
    tc filter add dev "$br" ingress pref 1 protocol all matchall action drop &&
    tc filter add dev "$br" egress pref 1 protocol all matchall action drop; }; then
    complain "could not keep the switch's own stack off the segment"
fi
echo "switch: $(ip -o link show master "$br" | awk -F': ' '{ sub(/@.*/, "", $2); printf "%s ", $2 }')joined into one segment"
while :; do
    sleep 3600 &
    wait $!
done
