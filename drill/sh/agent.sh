#!/bin/sh
# The drill's agent: one long-lived shell per router and per cable container, started once
# with `docker exec -i CONTAINER sh -c "$(cat agent.sh)"`, that runs the drill's commands read
# from stdin. Every step of a scenario then costs a fork inside the container, not a docker
# exec (seconds on an emulated CPU), and faults land right when the drill asks for them.
# Each command is "COMMAND ID ARGS..."; its output ends with the line "end ID EXIT_CODE":
#   act ID ACTION ARGS...   sh/act.sh (in $DRILL_ACT) with ACTION ARGS, stderr included
#   probe ID INTERVAL MAX   starts `ping -D -n -i INTERVAL -c MAX/INTERVAL $DRILL_PEER`
#                           in the background into a file; prints "ready TIME_NS"
#   snap ID LABEL           prints "snap LABEL TIME_NS load=LOAD1 active=SLAVE
#                           slave=NAME:MII:FAILURES:TX_PACKETS:RX_PACKETS ..." of $DRILL_BOND
#   stop ID                 prints "stopped TIME_NS", stops ping (SIGINT: it prints its
#                           summary), then "ping-output exit CODE" and ping's output
#   verify ID               every slave of $BONDLAB_SLAVES up, $DRILL_ACTIVE (if set) the
#                           active slave again as when built, then the program's verify
#                           ($DRILL_VERIFY: bond-status.sh and node-verify.sh, BONDLAB_* set)
# Times are `date +%s%N` of the Docker host, the clock of ping -D's timestamps too.
set -u
bond=${DRILL_BOND:-bond0}
out=$(mktemp)
ping_pid=""
trap 'if [ -n "$ping_pid" ]; then kill "$ping_pid" 2>/dev/null; fi; rm -f "$out"' EXIT

snap() {
    printf 'snap %s %s load=%s' "$1" "$(date +%s%N)" "$(cut -d' ' -f1 /proc/loadavg)"
    awk '
        /^Currently Active Slave:/ { printf " active=%s", $4 }
        /^Slave Interface:/ { s = $3 }
        s != "" && /^MII Status:/ { mii[s] = $3 }
        s != "" && /^Link Failure Count:/ { fail[s] = $4; order[++n] = s }
        END {
            for (i = 1; i <= n; i++) {
                d = "/sys/class/net/" order[i] "/statistics/"
                tx = ""; rx = ""
                getline tx < (d "tx_packets"); getline rx < (d "rx_packets")
                printf " slave=%s:%s:%s:%s:%s", order[i], mii[order[i]], fail[order[i]], tx, rx
            }
        }' "/proc/net/bonding/$bond"
    echo
}

echo "agent $(date +%s%N)"
while read -r cmd id arg rest; do
    rc=0
    case $cmd in
    act)
        # shellcheck disable=SC2086 # the action's arguments are words
        sh -c "$DRILL_ACT" act "$arg" $rest 2>&1 || rc=$?
        ;;
    probe)
        if [ -n "$ping_pid" ]; then kill "$ping_pid" 2>/dev/null; wait "$ping_pid"; fi
        : >"$out"
        # A count, never -w: with a deadline iputils ping exits at the first ICMP error
        # ("if (rts->deadline && rts->nerrors) break;" in ping_common.c), so one
        # "Destination Host Unreachable" would end the probe while the path may come back.
        count=$(awk -v max="$rest" -v interval="$arg" 'BEGIN { printf "%d", max / interval + 1 }')
        ping -D -n -i "$arg" -c "$count" "$DRILL_PEER" >"$out" 2>&1 &
        ping_pid=$!
        echo "ready $(date +%s%N)"
        ;;
    snap)
        snap "$arg" 2>&1 || rc=$?
        ;;
    stop)
        echo "stopped $(date +%s%N)"
        if [ -n "$ping_pid" ]; then
            kill -INT "$ping_pid" 2>/dev/null
            wait "$ping_pid" || rc=$?
        fi
        ping_pid=""
        echo "ping-output exit $rc"
        cat "$out"
        : >"$out"
        ;;
    verify)
        for s in ${BONDLAB_SLAVES:-}; do ip link set dev "$s" up; done
        # Modes with an active slave and no primary to bring it back (balance-tlb, -alb) stay
        # where a failover left them; the slave must have its link back first.
        if [ -n "${DRILL_ACTIVE:-}" ]; then
            i=0
            until ip link set dev "$bond" type bond active_slave "$DRILL_ACTIVE" 2>/dev/null || [ "$i" -ge 25 ]; do
                sleep 0.2
                i=$((i + 1))
            done
        fi
        sh -c "$DRILL_VERIFY" 2>&1 || rc=$?
        ;;
    *)
        echo "unknown command $cmd"
        rc=2
        ;;
    esac
    echo "end $id $rc"
done
