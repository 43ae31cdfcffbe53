#!/bin/sh
# The live view's agent: one per router, started once with
# `docker exec -i CONTAINER sh -c "$(cat watch.sh)"`, that streams what the bond is doing on
# stdout until its stdin closes. One exec per router for the whole watch, and no process per
# tick: each of the kernel's link events, and ping's lines (one per probe, answered or not:
# -O) at most every WATCH_TICK seconds, are followed by a tick read with the shell's builtins
# alone. On an emulated CPU every fork costs milliseconds, and the awk, date and sleep of a
# tick once cost a third of a core (npm run bench -- --watch).
#   hello TIME_NS bond=BOND peer=ADDR
#   option KEY=VALUE ...      the bond's options in force (sysfs), once
#   tick TIME_NS active=SLAVE agg=ID slave=NAME:ADMIN:CARRIER:MII:FAILURES:TX:RX:AGG:ACTOR:PARTNER ...
#                             from sysfs; ADMIN is up/down (IFF_UP), CARRIER 1/0, MII up, down,
#                             going-down or going-back, AGG and the LACP port state bytes of
#                             actor and partner "-" outside 802.3ad
#   [SECONDS.MICROS] ...      ping -D -O of the peer: a reply, or "no answer yet for icmp_seq=N"
# Times are the Docker host's clock: ping -D's, and for ticks `date +%s%N` once at the start
# carried on by /proc/uptime (10 ms steps), which a builtin can read.
set -u
bond=${WATCH_BOND:-bond0}
interval=${WATCH_PING_INTERVAL:-0.2}
base_ns=$(date +%s%N)
read -r up _ </proc/uptime
base_cs=${up%.*}${up#*.}

# A tick reads short sysfs files only (bonding/ and each slave's bonding_slave/), the same
# kernel values /proc/net/bonding prints (bond_sysfs.c, bond_sysfs_slave.c, bond_procfs.c):
# dash's read takes one byte per system call, and that file is kilobytes long in 802.3ad.
net=${WATCH_SYSFS:-/sys/class/net} # another tree only for the unit tests
b=$net/$bond/bonding
tick() {
    read -r up _ </proc/uptime
    last_cs=${up%.*}${up#*.}
    ns=$((base_ns + (last_cs - base_cs) * 10000000))
    if ! [ -d "$b" ]; then
        echo "tick $ns error=no-bond"
        return
    fi
    mode="" active="" slaves="" agg="" out=""
    read -r mode _ <"$b/mode" || :
    read -r active <"$b/active_slave" || :
    # An empty file has no newline: read fails, and the value stays empty.
    read -r slaves <"$b/slaves" || :
    # /proc/net/bonding names no active slave "None" in the modes that have one, and prints
    # none in the others; with no active aggregator it prints no ID, where sysfs prints 0.
    case $mode in active-backup | balance-tlb | balance-alb) none=None ;; *) none=- ;; esac
    if [ "$mode" = 802.3ad ]; then
        read -r agg <"$b/ad_aggregator" || :
        [ "$agg" != 0 ] || agg=""
    fi
    for s in $slaves; do slave; done
    echo "tick $ns active=${active:-$none} agg=${agg:--}$out"
}

# One slave ($s): its bonding state, counters and link state, onto $out.
slave() {
    d=$net/$s
    mii=- fail=0 sagg=- ac=- pa=- tx=- rx=- car=- flags=0
    read -r mii <"$d/bonding_slave/mii_status" || mii=-
    # "going down" and "going back" (with up- or downdelay) become one word.
    case $mii in *" "*) mii=${mii%% *}-${mii#* } ;; esac
    read -r fail <"$d/bonding_slave/link_failure_count" || fail=0
    if [ "$mode" = 802.3ad ]; then
        read -r sagg <"$d/bonding_slave/ad_aggregator_id" || sagg=-
        read -r ac <"$d/bonding_slave/ad_actor_oper_port_state" || ac=-
        read -r pa <"$d/bonding_slave/ad_partner_oper_port_state" || pa=-
    fi
    read -r tx <"$d/statistics/tx_packets" || tx=-
    read -r rx <"$d/statistics/rx_packets" || rx=-
    # An interface set down has no carrier to read (EINVAL).
    read -r car <"$d/carrier" 2>/dev/null || car=-
    read -r flags <"$d/flags" || flags=0
    case $flags in *[13579bdfBDF]) admin=up ;; *) admin=down ;; esac
    out="$out slave=$s:$admin:$car:$mii:$fail:$tx:$rx:$sagg:$ac:$pa"
}

echo "hello $base_ns bond=$bond peer=${WATCH_PEER:-}"
if [ -d "$b" ]; then
    line="option"
    for k in mode miimon updelay downdelay arp_interval arp_ip_target arp_missed_max arp_validate primary \
        primary_reselect fail_over_mac lacp_rate ad_select xmit_hash_policy all_slaves_active; do
        v="" rest=""
        # The first word ("fast 1" is lacp_rate fast); every target of arp_ip_target, by commas.
        [ -r "$b/$k" ] && read -r v rest <"$b/$k"
        [ "$k" != arp_ip_target ] || for t in $rest; do v="$v,$t"; done
        line="$line $k=$v"
    done
    echo "$line"
fi

# One loop reads one FIFO and ticks after the lines it reads, so the snapshots it prints are
# in the order it took them. Two kinds of writer feed it:
# - the pacer: ping's lines, 5 a second (each is printed, and followed by a tick once
#   WATCH_TICK seconds have passed since the last: every other line at the default, which
#   took the watch from 4.9 % of a core per router to 4.1 %, the means of two runs each of
#   npm run bench -- --watch); without a peer, or once ping has ended, a blank line every
#   WATCH_TICK seconds, each followed by a tick;
# - the kernel: `ip -o monitor link` prints a line for each RTM_NEWLINK in the router, which
#   rtnetlink sends on a slave's up/down, its MII and backup state (NETDEV_CHANGELOWERSTATE)
#   and a failover (NETDEV_BONDING_FAILOVER), so a change is read at once, not at the next
#   probe. Its lines are not printed.
# /proc/uptime counts hundredths of a second: the pacer's gap in those.
gap_cs=$(awk -v s="${WATCH_TICK:-0.25}" 'BEGIN { printf "%d", s * 100 }')
last_cs=0
fifo=$(mktemp -u)
mkfifo "$fifo"
(
    if [ -n "${WATCH_PEER:-}" ]; then
        ping -D -O -n -i "$interval" "$WATCH_PEER" 2>&1 &
        trap 'kill $! 2>/dev/null; exit 0' TERM
        wait $!
        trap - TERM
    fi
    while :; do
        echo
        sleep "${WATCH_TICK:-0.25}"
    done
) >"$fifo" 2>/dev/null &
pacer_pid=$!
ip -o monitor link >"$fifo" 2>/dev/null &
monitor_pid=$!
while IFS= read -r line; do
    case $line in
        "" | [0-9]*": "*) tick ;;
        *)
            echo "$line"
            read -r up _ </proc/uptime
            [ $((${up%.*}${up#*.} - last_cs)) -lt "$gap_cs" ] || tick
            ;;
    esac
done <"$fifo" &
ticks_pid=$!
stop() {
    kill $pacer_pid $monitor_pid $ticks_pid 2>/dev/null
    rm -f "$fifo"
}
trap 'stop; exit 0' TERM INT HUP

# The host closing stdin ends the watch, and every process of this agent with it.
while read -r _; do :; done
stop
