#!/bin/sh
# Builds the router's bond from its channel interfaces. Idempotent: when the bond already
# matches the settings it changes nothing; when they differ it rebuilds the bond.
# Runs inside the router. Settings (saved to /etc/bondlab/bond.env, so that the router's
# init can rebuild the bond after a container restart, which gives it fresh interfaces):
#   BONDLAB_BOND      bond name, e.g. bond0
#   BONDLAB_OPTIONS   "mode 802.3ad miimon 100 ..." as `ip link add ... type bond` takes them
#   BONDLAB_ADDRESS   the bond's address, e.g. 192.168.1.1/24
#   BONDLAB_CHANNELS  "eth1=SUBNET eth2=SUBNET ...": each channel's Docker subnet, in order
#   BONDLAB_MGMT      "eth0=SUBNET=GATEWAY": the management network
#   BONDLAB_MAC_FILTER  "eth1 eth2": slaves that receive only unicast frames addressed to
#                     their own MAC as built (the lab file's macFilter), or empty
set -eu
# iproute2's ip by full path: a busybox ip would accept the options and build a wrong bond.
IP=$(for p in /sbin/ip /usr/sbin/ip /bin/ip /usr/bin/ip; do [ -x "$p" ] && ! [ -L "$p" ] && echo "$p" && break; done)
env_file=/etc/bondlab/bond.env
fail() { echo "bondlab apply on $(hostname): $*" >&2; exit 1; }
[ -n "$IP" ] || fail "iproute2's ip is missing from the router image"

# NAME='value' with every ' written as '\'': the file is sourced as root by the router's
# init, so no value, whatever it holds, may be read as shell.
quoted() {
    printf "%s='%s'\n" "$1" "$(printf '%s' "$2" | sed "s/'/'\\\\''/g")"
}

if [ -n "${BONDLAB_BOND:-}" ]; then
    mkdir -p "${env_file%/*}"
    {
        quoted BONDLAB_BOND "$BONDLAB_BOND"
        quoted BONDLAB_OPTIONS "$BONDLAB_OPTIONS"
        quoted BONDLAB_ADDRESS "$BONDLAB_ADDRESS"
        quoted BONDLAB_CHANNELS "$BONDLAB_CHANNELS"
        quoted BONDLAB_MGMT "$BONDLAB_MGMT"
        quoted BONDLAB_MAC_FILTER "${BONDLAB_MAC_FILTER:-}"
    } >"$env_file"
else
    # shellcheck source=/dev/null
    . "$env_file"
fi

# The interface that holds an address in SUBNET, or NAME when it already went through us.
find_interface() {
    dev=$($IP -o -4 addr show to "$2" | awk '{ print $2; exit }')
    [ -n "$dev" ] || ! [ -e "/sys/class/net/$1" ] || dev=$1
    [ -n "$dev" ] || fail "no interface in $2 for $1: is the router attached to that channel's network?"
    echo "$dev"
}

# sha256sum is the last command of the pipeline, so set -e stops here if it is missing.
BONDLAB_MAC_FILTER=${BONDLAB_MAC_FILTER:-}
# (The filter joins the fingerprint only when set: bonds built before it existed stay in place.)
fingerprint=$(printf '%s|%s|%s|%s%s' "$BONDLAB_BOND" "$BONDLAB_OPTIONS" "$BONDLAB_ADDRESS" "$BONDLAB_CHANNELS" "${BONDLAB_MAC_FILTER:+|filter $BONDLAB_MAC_FILTER}" | sha256sum)
fingerprint=$(printf '%.16s' "$fingerprint")
slaves=""
for entry in $BONDLAB_CHANNELS; do slaves="$slaves ${entry%%=*}"; done

in_place() {
    [ "$(cat "/sys/class/net/$BONDLAB_BOND/ifalias" 2>/dev/null)" = "bondlab:$fingerprint" ] || return 1
    for s in $slaves; do
        [ "$(basename "$(readlink "/sys/class/net/$s/master" 2>/dev/null)")" = "$BONDLAB_BOND" ] || return 1
    done
}
if in_place; then
    echo "$BONDLAB_BOND on $(hostname) already as asked: unchanged"
    exit 0
fi

# Settings changed (or a fresh container): start from the plain interfaces.
! [ -e "/sys/class/net/$BONDLAB_BOND" ] || $IP link del "$BONDLAB_BOND"

mgmt_name=${BONDLAB_MGMT%%=*}
mgmt_rest=${BONDLAB_MGMT#*=}
mgmt_subnet=${mgmt_rest%%=*}
mgmt_gateway=${mgmt_rest#*=}

# Docker names interfaces in no fixed order: find each by its network's subnet, then give it
# the lab's name (through a temporary name, since the wanted name may be taken).
renames=""
i=0
for entry in "$mgmt_name=$mgmt_subnet" $BONDLAB_CHANNELS; do
    name=${entry%%=*}
    dev=$(find_interface "$name" "${entry#*=}")
    if [ "$dev" != "$name" ]; then
        i=$((i + 1))
        $IP link set dev "$dev" down
        $IP link set dev "$dev" name "bltmp$i"
        renames="$renames bltmp$i=$name"
    fi
done
for entry in $renames; do
    $IP link set dev "${entry%%=*}" name "${entry#*=}"
done
$IP link set dev "$mgmt_name" up
# Docker may have routed the default out of a channel network; it belongs to management.
$IP route replace default via "$mgmt_gateway" dev "$mgmt_name"

for s in $slaves; do
    $IP -4 addr flush dev "$s"
    $IP link set dev "$s" down
    tc qdisc del dev "$s" clsact 2>/dev/null || true
done

# macFilter: the hypervisor's delivery rule. A VirtualBox internal network hands a NIC only
# the unicast frames addressed to the MAC it was configured with, plus broadcast and
# multicast. tc's ingress hook runs before the bond sees a frame, so these filters are that
# NIC's view of the wire. The MAC is read now, before the bond gives its slaves its own.
for s in $BONDLAB_MAC_FILTER; do
    mac=$(cat "/sys/class/net/$s/address")
    { tc qdisc add dev "$s" clsact &&
        tc filter add dev "$s" ingress pref 1 protocol all flower dst_mac "$mac" action pass &&
        tc filter add dev "$s" ingress pref 2 protocol all flower dst_mac 01:00:00:00:00:00/01:00:00:00:00:00 action pass &&
        tc filter add dev "$s" ingress pref 3 protocol all matchall action drop; } ||
        fail "could not install the MAC filter on $s (tc flower and matchall): does the Docker host's kernel have cls_flower?"
done

# ARP monitoring marks the primary down while the peer's bond does not exist yet, and over
# separate wires nothing ever brings it back (the peer sends only on its active slave). So
# the bond starts without it, and ARP monitoring begins once the peer answers (and then
# makes sure of the primary: see below).
base_options=""
arp_options=""
arp_target=""
primary=""
# shellcheck disable=SC2086 # BONDLAB_OPTIONS is a list of "name value" words by design
set -- $BONDLAB_OPTIONS
while [ $# -ge 2 ]; do
    case $1 in
    arp_*) arp_options="$arp_options $1 $2" ;;
    *) base_options="$base_options $1 $2" ;;
    esac
    [ "$1" != arp_ip_target ] || arp_target=${2%%,*}
    [ "$1" != primary ] || primary=$2
    shift 2
done

# shellcheck disable=SC2086
if ! err=$($IP link add "$BONDLAB_BOND" type bond $base_options 2>&1); then
    case "$err" in
    *"Unknown device type"* | *"not supported"*)
        fail "the Docker host's kernel has no bonding driver ($err). Run 'modprobe bonding' on the Docker host, or use the lab host VM (npm run labhost:start)" ;;
    *) fail "ip link add $BONDLAB_BOND type bond $BONDLAB_OPTIONS: $err" ;;
    esac
fi
for s in $slaves; do
    $IP link set dev "$s" master "$BONDLAB_BOND"
done
$IP addr add "$BONDLAB_ADDRESS" dev "$BONDLAB_BOND"
$IP link set dev "$BONDLAB_BOND" alias "bondlab:$fingerprint"
$IP link set dev "$BONDLAB_BOND" up
for s in $slaves; do $IP link set dev "$s" up; done
if [ -n "$arp_options" ]; then
    tries=0
    until ping -n -q -c 1 -W 1 "$arp_target" >/dev/null 2>&1 || [ "$tries" -ge 90 ]; do tries=$((tries + 1)); done
    # shellcheck disable=SC2086
    $IP link set dev "$BONDLAB_BOND" type bond $arp_options
    # Both routers get here within moments of each other. Nothing was validated before, so
    # at the monitor's first tick every slave's last ARP looks stale: each router may drop
    # its primary at once and both may meet on the backup, where they would stay (over one
    # wire per channel nothing reaches an unused slave). A gratuitous ARP out of the primary
    # wakes the peer's primary; the peer's own, or its probes, wake ours.
    if [ -n "$primary" ]; then
        tries=0
        until [ "$(cat "/sys/class/net/$BONDLAB_BOND/bonding/active_slave")" = "$primary" ] || [ "$tries" -ge 30 ]; do
            busybox arping -U -c 1 -w 1 -I "$primary" -s "${BONDLAB_ADDRESS%/*}" "${BONDLAB_ADDRESS%/*}" >/dev/null 2>&1 || sleep 1
            tries=$((tries + 1))
        done
    fi
fi
echo "$BONDLAB_BOND on $(hostname): built ($BONDLAB_OPTIONS) over$slaves, $BONDLAB_ADDRESS"
