#!/bin/sh
# Builds one node of a version 2 lab network: names its interfaces, builds its bonds, VLANs,
# addresses and static routes. Idempotent: when the node already matches the settings it
# changes nothing; when they differ it takes down what it built and builds again.
# Runs inside the node. BONDLAB_NET holds the settings, one per line (saved to
# /etc/bondlab/net.conf, so that the node's init can rebuild after a container restart):
#   mgmt eth0 SUBNET GATEWAY      the management network
#   port eth3 SUBNET              the interface Docker gave an address in SUBNET becomes eth3
#   filter eth1                   the port takes only unicast addressed to its own MAC as built,
#                                 plus broadcast and multicast (the lab file's macFilter)
#   bond bond0 eth1,eth2 OPTIONS  a bond over those ports; OPTIONS as `ip link add type bond` takes them
#   vlan eth3.100 eth3 100        an 802.1Q sub-interface
#   addr bond0 192.168.255.1/30   an address
#   route 10.0.0.0/8 192.168.255.2   a static route (to `default` too)
# Every value was checked by the lab file's validator; the file is read, never sourced.
# The last line printed is the node's interfaces and their MACs, as JSON, for verify's
# "answered by the right node" checks.
set -eu
IP=$(for p in /sbin/ip /usr/sbin/ip /bin/ip /usr/bin/ip; do [ -x "$p" ] && ! [ -L "$p" ] && echo "$p" && break; done)
conf=/etc/bondlab/net.conf
fail() { echo "bondlab apply on $(hostname): $*" >&2; exit 1; }
[ -n "$IP" ] || fail "iproute2's ip is missing from the node's image"

if [ -n "${BONDLAB_NET:-}" ]; then
    mkdir -p "${conf%/*}"
    printf '%s\n' "$BONDLAB_NET" >"$conf"
fi
[ -f "$conf" ] || fail "no settings: neither BONDLAB_NET nor $conf"

# Lines of one kind, without the kind: `lines bond` prints "bond0 eth1,eth2 mode ...".
lines() { sed -n "s/^$1 //p" "$conf"; }

macs() {
    printf '{"node":"%s","macs":{' "$(hostname)"
    sep=""
    for dev in $(lines port | cut -d' ' -f1) $(lines bond | cut -d' ' -f1) $(lines vlan | cut -d' ' -f1); do
        printf '%s"%s":"%s"' "$sep" "$dev" "$(cat "/sys/class/net/$dev/address")"
        sep=","
    done
    printf '}}\n'
}

# The loopback's alias marks a network namespace this script has built, and from which settings.
fingerprint=$(sha256sum "$conf")
fingerprint=$(printf '%.16s' "$fingerprint")
if [ "$(cat /sys/class/net/lo/ifalias 2>/dev/null)" = "bondlab:$fingerprint" ]; then
    echo "$(hostname): already as asked: unchanged"
    macs
    exit 0
fi

# Settings changed (or a fresh container): take down what an earlier run built, and a bond
# that older releases' bond-apply.sh built (its alias was "bondlab:<fingerprint>").
for dev in /sys/class/net/*; do
    dev=${dev##*/}
    [ "$dev" != lo ] || continue
    case $(cat "/sys/class/net/$dev/ifalias" 2>/dev/null) in bondlab-built | bondlab:*) $IP link del "$dev" 2>/dev/null || true ;; esac
done
$IP -4 route flush proto static 2>/dev/null || true

# Docker names interfaces in no fixed order: find each by its network's subnet, then give it
# the lab's name (through a temporary name, since the wanted name may be taken).
read -r mgmt mgmt_subnet mgmt_gateway <<EOF
$(lines mgmt)
EOF
renames=""
i=0
{ echo "$mgmt $mgmt_subnet"; lines port; } >/tmp/bondlab-ports
while read -r name subnet; do
    dev=$($IP -o -4 addr show to "$subnet" | awk '{ print $2; exit }')
    [ -n "$dev" ] || ! [ -e "/sys/class/net/$name" ] || dev=$name
    [ -n "$dev" ] || fail "no interface in $subnet for $name: is the node attached to that network?"
    if [ "$dev" != "$name" ]; then
        i=$((i + 1))
        $IP link set dev "$dev" down
        $IP link set dev "$dev" name "bltmp$i"
        renames="$renames bltmp$i=$name"
    fi
done </tmp/bondlab-ports
rm -f /tmp/bondlab-ports
for entry in $renames; do $IP link set dev "${entry%%=*}" name "${entry#*=}"; done
$IP link set dev "$mgmt" up
# Docker may have routed the default out of another network; it belongs to management
# unless the lab routes it (below).
$IP route replace default via "$mgmt_gateway" dev "$mgmt"

# Ports carry the lab's addresses only: Docker's own go. (And no filter of an earlier build.)
for port in $(lines port | cut -d' ' -f1); do
    $IP -4 addr flush dev "$port"
    $IP link set dev "$port" down
    tc qdisc del dev "$port" clsact 2>/dev/null || true
done

# macFilter: a VirtualBox internal network hands a NIC only the unicast frames addressed to
# the MAC it was configured with, plus broadcast and multicast. tc's ingress hook runs before
# a bond sees a frame, so these filters are that NIC's view of the wire. Each MAC is read
# now, before a bond gives its slaves its own.
for port in $(lines filter); do
    own=$(cat "/sys/class/net/$port/address")
    { tc qdisc add dev "$port" clsact &&
        tc filter add dev "$port" ingress pref 1 protocol all flower dst_mac "$own" action pass &&
        tc filter add dev "$port" ingress pref 2 protocol all flower dst_mac 01:00:00:00:00:00/01:00:00:00:00:00 action pass &&
        tc filter add dev "$port" ingress pref 3 protocol all matchall action drop; } ||
        fail "could not install the MAC filter on $port (tc flower and matchall): does the Docker host's kernel have cls_flower?"
done

# Bonds. ARP monitoring waits for the peer (see below).
arp_bonds=""
lines bond >/tmp/bondlab-bonds
while read -r bond slaves options; do
    base="" arp=""
    # shellcheck disable=SC2086 # options is a list of "name value" words by design
    set -- $options
    while [ $# -ge 2 ]; do
        case $1 in arp_*) arp="$arp $1 $2" ;; *) base="$base $1 $2" ;; esac
        shift 2
    done
    # shellcheck disable=SC2086
    if ! err=$($IP link add "$bond" type bond $base 2>&1); then
        case "$err" in
        *"Unknown device type"* | *"not supported"*)
            fail "the Docker host's kernel has no bonding driver ($err). Run 'modprobe bonding' on the Docker host, or use the lab host VM (npm run labhost:start)" ;;
        *) fail "ip link add $bond type bond$base: $err" ;;
        esac
    fi
    $IP link set dev "$bond" alias bondlab-built
    for s in $(echo "$slaves" | tr , ' '); do $IP link set dev "$s" master "$bond"; done
    [ -z "$arp" ] || arp_bonds="$arp_bonds $bond=$(echo "$arp" | tr ' ' '+')"
done </tmp/bondlab-bonds
rm -f /tmp/bondlab-bonds

for dev in $(lines port | cut -d' ' -f1) $(lines bond | cut -d' ' -f1); do $IP link set dev "$dev" up; done
lines vlan | while read -r name parent id; do
    if ! err=$($IP link add link "$parent" name "$name" type vlan id "$id" 2>&1); then
        case "$err" in
        *"Unknown device type"* | *"not supported"*)
            fail "the Docker host's kernel has no 802.1Q VLANs ($err). Run 'modprobe 8021q' on the Docker host" ;;
        *) fail "ip link add link $parent name $name type vlan id $id: $err" ;;
        esac
    fi
    $IP link set dev "$name" alias bondlab-built
    $IP link set dev "$name" up
done
lines addr | while read -r dev address; do $IP addr add "$address" dev "$dev"; done
lines route | while read -r to via; do $IP route replace "$to" via "$via" proto static; done

# ARP monitoring marks the primary down while the peer's bond does not exist yet, and over
# separate wires nothing ever brings it back (the peer sends only on its active slave). So each
# bond started without it, and ARP monitoring begins once the first target answers. Both ends
# get there within moments of each other, and at the monitor's first tick every slave's last
# ARP looks stale: each may drop its primary at once and both may meet on the backup, where
# they would stay. A gratuitous ARP out of the primary wakes the peer's primary; the peer's
# own, or its probes, wake ours.
for entry in $arp_bonds; do
    bond=${entry%%=*}
    arp=$(echo "${entry#*=}" | tr '+' ' ')
    target=$(echo "$arp" | sed -n 's/.*arp_ip_target \([^ ,]*\).*/\1/p')
    tries=0
    until ping -n -q -c 1 -W 1 "$target" >/dev/null 2>&1 || [ "$tries" -ge 90 ]; do tries=$((tries + 1)); done
    # shellcheck disable=SC2086
    $IP link set dev "$bond" type bond $arp
    primary=$(cat "/sys/class/net/$bond/bonding/primary")
    self=$($IP -4 -o addr show dev "$bond" | awk '{ split($4, a, "/"); print a[1]; exit }')
    tries=0
    while [ -n "$primary" ] && [ -n "$self" ] && [ "$(cat "/sys/class/net/$bond/bonding/active_slave")" != "$primary" ] && [ "$tries" -lt 30 ]; do
        busybox arping -U -c 1 -w 1 -I "$primary" -s "$self" "$self" >/dev/null 2>&1 || sleep 1
        tries=$((tries + 1))
    done
done

$IP link set dev lo alias "bondlab:$fingerprint"
echo "$(hostname): built $(lines bond | wc -l) bonds, $(lines vlan | wc -l) VLANs, $(lines addr | wc -l) addresses, $(lines route | wc -l) routes"
macs
