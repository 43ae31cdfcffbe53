#!/bin/sh
# The live view's agent: one per router, started once with
# `docker exec -i CONTAINER sh -c "$(cat watch.sh)"`, that streams what the bond is doing on
# stdout until its stdin closes. One exec per router for the whole watch, never one per tick:
# every tick costs a few forks inside the container, not a docker exec.
#   hello TIME_NS bond=BOND peer=ADDR
#   option KEY=VALUE ...      the bond's options in force (sysfs), once
#   tick TIME_NS active=SLAVE agg=ID slave=NAME:ADMIN:CARRIER:MII:FAILURES:TX:RX:AGG:ACTOR:PARTNER ...
#                             every $WATCH_TICK s, from /proc/net/bonding and sysfs; ADMIN is
#                             up/down (IFF_UP), CARRIER 1/0, AGG and the LACP port state bytes
#                             of actor and partner "-" outside 802.3ad
#   [SECONDS.MICROS] ...      ping -D -O of the peer: a reply, or "no answer yet for icmp_seq=N"
# Times are `date +%s%N` and ping -D's clock: the Docker host's, as in the drill.
set -u
bond=${WATCH_BOND:-bond0}
tick=${WATCH_TICK:-0.25}
ping_pid=""
ticks_pid=""
trap 'kill $ping_pid $ticks_pid 2>/dev/null' EXIT
trap 'exit 0' TERM INT HUP

echo "hello $(date +%s%N) bond=$bond peer=${WATCH_PEER:-}"
d=/sys/class/net/$bond/bonding
if [ -d "$d" ]; then
    line="option"
    for k in mode miimon updelay downdelay arp_interval arp_ip_target arp_validate primary primary_reselect \
        fail_over_mac lacp_rate ad_select xmit_hash_policy all_slaves_active; do
        [ -r "$d/$k" ] || continue
        v=$(cut -d' ' -f1 "$d/$k" 2>/dev/null | head -n 1)
        line="$line $k=$v"
    done
    echo "$line"
fi

# The ping runs beside the ticks; -O says when a probe got no answer before the next was sent.
if [ -n "${WATCH_PEER:-}" ]; then
    ping -D -O -n -i "${WATCH_PING_INTERVAL:-0.2}" "$WATCH_PEER" 2>&1 &
    ping_pid=$!
fi

ticks() {
    while :; do
        awk -v now="$(date +%s%N)" '
            /^Currently Active Slave:/ { active = $4 }
            /^Active Aggregator Info:/ { inagg = 1 }
            inagg && /^\tAggregator ID:/ { agg = $3; inagg = 0 }
            /^Slave Interface:/ { s = $3; order[++n] = s; sa[s] = "-"; ac[s] = "-"; pa[s] = "-"; who = "" }
            s != "" && /^MII Status:/ { mii[s] = $3 }
            s != "" && /^Link Failure Count:/ { fail[s] = $4 }
            s != "" && /^Aggregator ID:/ { sa[s] = $3 }
            s != "" && /details actor lacp pdu:/ { who = "actor" }
            s != "" && /details partner lacp pdu:/ { who = "partner" }
            s != "" && /port state:/ { if (who == "actor") ac[s] = $3; else if (who == "partner") pa[s] = $3 }
            END {
                # One print of the whole line: a single write, so no ping line can cut it.
                out = sprintf("tick %s active=%s agg=%s", now, active == "" ? "-" : active, agg == "" ? "-" : agg)
                for (i = 1; i <= n; i++) {
                    x = order[i]; d = "/sys/class/net/" x "/"
                    tx = "-"; rx = "-"; car = "-"; flags = ""
                    getline tx < (d "statistics/tx_packets"); getline rx < (d "statistics/rx_packets")
                    getline car < (d "carrier"); getline flags < (d "flags")
                    admin = (index("13579bdfBDF", substr(flags, length(flags), 1)) > 0) ? "up" : "down"
                    out = out sprintf(" slave=%s:%s:%s:%s:%s:%s:%s:%s:%s:%s", x, admin, car == "" ? "-" : car, mii[x], fail[x], tx, rx, sa[x], ac[x], pa[x])
                }
                print out
            }' "/proc/net/bonding/$bond" || echo "tick $(date +%s%N) error=no-bond"
        sleep "$tick"
    done
}
ticks &
ticks_pid=$!

# The host closing stdin ends the watch.
while read -r _; do :; done
kill "$ticks_pid" 2>/dev/null
