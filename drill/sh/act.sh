#!/bin/sh
# The drill's hands: one action per call, `sh -c "$(cat act.sh)" act ACTION ARGS...` (the
# drill's agent runs it so), in a router or in a channel's cable container (host network
# namespace, NET_ADMIN). Process start-ups are slow on an emulated CPU: each action prepares
# its commands first, then changes everything with one ip (or tc) process between two
# timestamps, "at TIME_NS" and "done TIME_NS" (`date +%s%N`, the Docker host's clock, also
# the clock of the routers' ping -D). "link", "ports" and "clear" also print "port NAME
# TIME_NS", when the kernel announced each interface's change (as `ip monitor` read it).
#   link DEV up|down              in a router: admin state of one interface
#   ports BRIDGE up|down          in a cable: every port of the bridge (a port down takes the
#                                 carrier from the router's end of its veth: a cut cable)
#   netem BRIDGE ARGS...          in a cable: tc netem ARGS on every port's egress, so every
#                                 frame crossing the bridge, either way, meets it once
#   netem-port BRIDGE INDEX ARGS... in a cable: tc netem ARGS on the egress of the one port
#                                 whose ifindex is INDEX: only frames into the router at its
#                                 other end meet it (a fault one way)
#   flap BRIDGE COUNT DOWN_S UP_S in a cable: COUNT times ports down, wait DOWN_S, up, wait
#                                 UP_S; prints "cut TIME_NS" and "back TIME_NS" for each
#   clear BRIDGE                  in a cable: no qdisc, ports up (the channel as built); "at"
#                                 is just before the ports come up
#   peer-index DEV                in a router: "index N", the ifindex of DEV's veth peer (the
#                                 bridge port it hangs on), from DEV's iflink
#   options BOND                  in a router: the bond's options in force, KEY=VALUE lines
#   neigh ADDR                    in a router: its neighbour entry for ADDR (ip neigh)
set -u
action=${1:?action}
shift
now() { date +%s%N; }

# The ports of a bridge (the host ends of the routers' veths), one word each; with INDEX,
# only the port with that ifindex.
ports() {
    list=$(ip -o link show master "$1" | awk -F': ' -v i="${2:-}" 'i == "" || $1 == i { sub(/@.*/, "", $2); print $2 }')
    [ -n "$list" ] || { echo "no ports on bridge $1${2:+ with index $2}" >&2; exit 1; }
}
# "ip -batch" (or "tc -batch") text: PREFIX PORT SUFFIX for every port in $list.
batch() {
    text=""
    for p in $list; do text="$text$1 $p $2
"; done
    printf '%s' "$text"
}

# `ip -ts monitor link` around the change: when the kernel announced each interface.
monitor_start() {
    mon=$(mktemp)
    ip -ts -o monitor link >"$mon" 2>/dev/null &
    mon_pid=$!
    sleep 0.3 # let it subscribe before the change
}
monitor_report() {
    sleep 0.3
    kill "$mon_pid" 2>/dev/null
    wait "$mon_pid" 2>/dev/null
    # The first event of each interface: "[2026-11-26T03:19:04.366922] 387: veth77bf482@if386: ..."
    found=$(awk -v want=" $* " '{
        name = $3; sub(/:$/, "", name); sub(/@.*/, "", name)
        if (index(want, " " name " ") && !(name in seen)) { seen[name] = 1; stamp = $1; gsub(/[][]/, "", stamp); print name, stamp }
    }' "$mon")
    rm -f "$mon"
    [ -n "$found" ] || return 0
    names=$(echo "$found" | cut -d' ' -f1)
    stamps=$(echo "$found" | cut -d' ' -f2 | date -u -f - +%s%N)
    # shellcheck disable=SC2086 # one word per stamp
    set -- $stamps
    for n in $names; do
        echo "port $n $1"
        shift
    done
}
# The "ip -batch" text $1 between "at" and "done", with when each port in $list changed.
timed_ip_batch() {
    monitor_start
    echo "at $(now)"
    echo "$1" | ip -batch - || exit 1
    echo "done $(now)"
    # shellcheck disable=SC2086 # one word per port
    monitor_report $list
}

case $action in
link)
    monitor_start
    echo "at $(now)"
    ip link set dev "$1" "$2" || exit 1
    echo "done $(now)"
    monitor_report "$1"
    ;;
ports)
    ports "$1"
    timed_ip_batch "$(batch "link set dev" "$2")"
    ;;
netem)
    bridge=$1
    shift
    ports "$bridge"
    cmds=$(batch "qdisc replace dev" "root netem $*")
    echo "at $(now)"
    echo "$cmds" | tc -batch - || exit 1
    echo "done $(now)"
    ;;
netem-port)
    ports "$1" "$2"
    shift 2
    echo "at $(now)"
    tc qdisc replace dev "$list" root netem "$@" || exit 1
    echo "done $(now)"
    ;;
flap)
    # One ip process reads the changes from a FIFO as they come: each cycle costs only the
    # sleeps and the timestamps, not an ip start-up per change.
    bridge=$1 count=$2 down=$3 up=$4
    ports "$bridge"
    cut=$(batch "link set dev" down)
    back=$(batch "link set dev" up)
    fifo=$(mktemp -u)
    mkfifo "$fifo"
    ip -force -batch - <"$fifo" &
    exec 3>"$fifo"
    rm -f "$fifo"
    echo "at $(now)"
    i=0
    while [ "$i" -lt "$count" ]; do
        t=$(now)
        printf '%s\n' "$cut" >&3
        echo "cut $t"
        sleep "$down"
        t=$(now)
        printf '%s\n' "$back" >&3
        echo "back $t"
        [ "$((i + 1))" -eq "$count" ] || sleep "$up"
        i=$((i + 1))
    done
    exec 3>&-
    wait
    echo "done $(now)"
    ;;
clear)
    ports "$1"
    batch "qdisc del dev" root | tc -force -batch - 2>/dev/null
    timed_ip_batch "$(batch "link set dev" up)"
    ;;
peer-index)
    echo "index $(cat "/sys/class/net/$1/iflink")"
    ;;
options)
    for f in "/sys/class/net/$1/bonding/"*; do
        if [ -f "$f" ]; then printf '%s=%s\n' "${f##*/}" "$(cat "$f" 2>/dev/null)"; fi
    done
    ;;
neigh)
    ip neigh show "$1"
    ;;
*)
    echo "unknown action $action" >&2
    exit 2
    ;;
esac
