#!/bin/sh
# A router container's main process. After a restart the container has fresh interfaces
# and no bond: rebuild it from the settings the last apply saved. Then, until stopped, keep
# every ARP-monitored active-backup bond on its primary.
trap 'exit 0' TERM INT
if [ -f /etc/bondlab/apply.sh ]; then
    sh /etc/bondlab/apply.sh || echo "bondlab: could not rebuild the bond after a restart" >&2
fi

# An active-backup ARP monitor takes a slave back only when a frame arrives on it, and the
# peer sends only on its active slave. On a switch the peer's ARP broadcasts reach every
# port; over one wire per channel nothing reaches an unused one. So once both routers have
# left the primary (a failover, or an ARP probe answered late on a busy host) nothing brings
# them back: the lab would sit on the backup for good. While the bond is off its primary and
# the primary has carrier, a gratuitous ARP out of the primary is the frame a switch would
# have flooded: the peer's primary hears it and comes back, and the peer's probes then bring
# ours back. Through a cut cable (no carrier) or a silent one nothing answers, as it should.
# The state is read from sysfs each round (builtins only: the loop costs one fork per round),
# so a bond rebuilt by a later apply, or changed by hand, is followed.
keep_primary() {
    for dir in /sys/class/net/*/bonding; do
        [ -d "$dir" ] || continue
        read -r mode _ <"$dir/mode" || continue
        read -r interval <"$dir/arp_interval" || continue
        read -r primary <"$dir/primary" || continue
        read -r active <"$dir/active_slave" || active=""
        # Only an ARP-monitored active-backup bond with a primary, and only while it is off it.
        if [ "$mode" != active-backup ] || [ "$interval" = 0 ] || [ -z "$primary" ] || [ "$active" = "$primary" ]; then
            continue
        fi
        read -r carrier <"/sys/class/net/$primary/carrier" 2>/dev/null || continue
        [ "$carrier" = 1 ] || continue
        bond=${dir%/bonding}
        bond=${bond##*/}
        self=$(ip -4 -o addr show dev "$bond" | awk '{ split($4, a, "/"); print a[1]; exit }')
        [ -z "$self" ] || busybox arping -U -c 1 -w 1 -I "$primary" -s "$self" "$self" >/dev/null 2>&1 || true
    done
}

while :; do
    keep_primary
    sleep 2 &
    wait $!
done
