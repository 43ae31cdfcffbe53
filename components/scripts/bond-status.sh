#!/bin/sh
# bond_status: the state of one bond as JSON, from /proc/net/bonding/<bond> and the
# options in force under /sys/class/net/<bond>/bonding. With expectations it also checks
# them, writing one line per problem (with its likely cause) to the file $5.
#   bond_status BOND [EXPECT_OPTIONS] [EXPECT_SLAVES] [EXPECT_ACTIVE] [PROBLEMS_FILE] [BACKUPS]
# EXPECT_OPTIONS is "mode 802.3ad miimon 100 ..." as given to `ip link add ... type bond`.
# BACKUPS "unknown": slaves other than the active one may read down (ARP-monitored
# active-backup over separate wires: no ARP traffic reaches a backup).
# BONDLAB_PROC and BONDLAB_SYS move the two trees (the unit tests parse saved copies).
# Also lacpdu_watch, lacpdu_silent and bond_announce (below), which verify uses while it waits.
# Sourced by node-verify.sh (the program's verify and the failover drill's); POSIX awk only (busybox, mawk, gawk).

bond_status() {
    _proc="${BONDLAB_PROC:-/proc/net/bonding}/$1"
    if [ ! -r "$_proc" ]; then
        [ -n "${5:-}" ] && echo "$1 does not exist: the apply step did not run or failed, or the Docker host's kernel has no bonding driver (run 'modprobe bonding' on the Docker host)" >"$5"
        printf '{"bond":"%s","exists":false}\n' "$1"
        return 0
    fi
    awk -v bond="$1" -v net="${BONDLAB_SYS:-/sys/class/net}" -v sys="${BONDLAB_SYS:-/sys/class/net}/$1/bonding" \
        -v expect_options="${2:-}" -v expect_slaves="${3:-}" -v expect_active="${4:-}" \
        -v problems="${5:-/dev/null}" -v backups="${6:-up}" -v host="$(hostname 2>/dev/null)" '
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); return s }
function str(s) { return (s == "") ? "null" : "\"" esc(s) "\"" }
function num(s) { return (s == "") ? "null" : s + 0 }
function val(line) { sub(/^[^:]*:[ \t]*/, "", line); return line }
function problem(msg) { print msg > problems; nproblems++ }
function readline(file,   line) {
    line = ""
    if ((getline line < file) <= 0) line = ""
    close(file)
    return line
}
function insys(key,   v) {
    v = readline(sys "/" key)
    if (key == "arp_ip_target") gsub(/ +/, ",", v); else sub(/ .*/, "", v)
    return v
}
BEGIN { section = "bond"; n = 0; raw = "" }
{ raw = raw esc($0) "\\n" }
/^Slave Interface:/ { n++; slave[n] = val($0); section = "slave"; next }
/^Active Aggregator Info:/ { section = "aggregator"; next }
/^802.3ad info/ { section = "ad"; next }
/^details partner lacp pdu:/ { section = "partner"; next }
/^details actor lacp pdu:/ { section = "actor"; next }
section == "bond" && /^Bonding Mode:/ { modetext = val($0) }
section == "bond" && /^Currently Active Slave:/ { active = val($0); if (active == "None") active = "" }
section == "bond" && /^MII Status:/ { bondmii = val($0) }
section == "aggregator" && /Aggregator ID:/ { aggid = val($0) }
section == "aggregator" && /Number of ports:/ { aggports = val($0) }
section == "aggregator" && /Partner Mac Address:/ { aggpartner = val($0) }
section == "slave" && /^MII Status:/ { mii[n] = val($0) }
section == "slave" && /^Link Failure Count:/ { failures[n] = val($0) }
section == "slave" && /^Permanent HW addr:/ { perm[n] = val($0) }
section == "slave" && /^Aggregator ID:/ { slaveagg[n] = val($0) }
section == "partner" && /system mac address:/ { partner[n] = val($0) }
END {
    split("mode miimon updelay downdelay use_carrier arp_interval arp_ip_target arp_missed_max arp_validate arp_all_targets primary primary_reselect fail_over_mac num_grat_arp xmit_hash_policy packets_per_slave lacp_rate ad_select min_links tlb_dynamic_lb all_slaves_active resend_igmp", keys, " ")
    opts = ""
    for (i = 1; i in keys; i++) { inforce[keys[i]] = insys(keys[i]); opts = opts (i > 1 ? "," : "") "\"" keys[i] "\":" str(inforce[keys[i]]) }
    mode = inforce["mode"]
    arp = inforce["arp_interval"] + 0 > 0
    arpwindow = (inforce["arp_missed_max"] == "" ? 2 : inforce["arp_missed_max"]) " x " inforce["arp_interval"] " ms"

    # Checks against what the lab asked for.
    m = split(expect_options, want, " ")
    for (i = 1; i + 1 <= m; i += 2) {
        if (inforce[want[i]] != want[i + 1]) {
            if (want[i] == "mode")
                problem("mode: the bond runs " mode ", not " want[i + 1] ": something else built it (busybox ip ignores the mode; use iproute2 ip)")
            else
                problem(want[i] ": " (inforce[want[i]] == "" ? "unset" : inforce[want[i]]) " in force, " want[i + 1] " asked for")
        }
    }
    ns = split(expect_slaves, wanted, " ")
    carriers = 0
    for (i = 1; i <= ns; i++) if ((carrier[wanted[i]] = readline(net "/" wanted[i] "/carrier")) == "1") carriers++
    for (i = 1; i <= ns; i++) {
        found = 0
        for (j = 1; j <= n; j++) if (slave[j] == wanted[i]) found = j
        if (!found) problem(wanted[i] ": not a slave of " bond ": the apply step did not enslave it (re-run pulumi up)")
        else if (mii[found] != "up" && !(backups == "unknown" && wanted[i] != active && active != "")) {
            # An ARP monitor downs a slave whose carrier is fine when it stops hearing the peer.
            if (arp && carrier[wanted[i]] == "1")
                problem(wanted[i] ": link " mii[found] ", though its carrier is up: the ARP monitor has not heard " inforce["arp_ip_target"] " on it within " arpwindow ": frames are lost on this channel, one way or both, or the peer does not answer")
            else
                problem(wanted[i] ": link " mii[found] ": the channel is cut or the interface is down (see the channel'"'"'s cable container)")
        }
    }
    if (ns > 0 && n != ns) problem(bond ": " n " slaves, " ns " expected")
    if (expect_active != "" && active != expect_active) {
        if (active == "" && arp && carriers == ns)
            # Measured over one wire per channel (docs/how-it-is-built.md, "A silence one way only"): a silence into this
            # router only is never left, because the peer keeps answering out of the same wire.
            problem("active slave: none, expected " expect_active ": the ARP monitor hears the peer on no slave, though every carrier is up. Either the peer does not answer (see its verify), or frames are lost on their way into this router. Lost one way only, into " expect_active ", it stays so: this router'"'"'s probes still leave by " expect_active " and hold the peer on that wire, and the peer answers them over it, into the loss; those sent by the other slaves reach the peer'"'"'s inactive slaves, which do not pass them to its ARP")
        else
            problem("active slave: " (active == "" ? "none" : active) ", expected " expect_active ": it failed or primary_reselect kept another slave")
    }
    if (mode == "802.3ad" && ns > 0) {
        if (aggpartner == "" || aggpartner == "00:00:00:00:00:00")
            problem("LACP: no partner: LACPDUs do not cross the channels. Every bridge port needs group_fwd_mask 0x4 (each channel'"'"'s cable container sets it: is it running?)")
        else if (aggports + 0 != ns)
            problem("LACP: the active aggregator has " aggports " ports, " ns " expected: LACP has not converged, or a channel leads elsewhere")
        for (j = 1; j <= n; j++) if (slaveagg[j] != aggid)
            problem(slave[j] ": in aggregator " slaveagg[j] ", not the active one (" aggid "): its LACP partner differs or has not answered")
    }

    mac = readline(substr(sys, 1, length(sys) - length("/bonding")) "/address")
    printf "{\"router\":%s,\"bond\":%s,\"exists\":true,\"mac\":%s,\"mode\":%s,\"modeText\":%s,\"miiStatus\":%s,\"activeSlave\":%s,", str(host), str(bond), str(mac), str(mode), str(modetext), str(bondmii), str(active)
    printf "\"options\":{%s},\"slaves\":[", opts
    for (j = 1; j <= n; j++) {
        printf "%s{\"name\":%s,\"miiStatus\":%s,\"linkFailureCount\":%s,\"permanentMac\":%s,\"aggregatorId\":%s,\"partnerMac\":%s}", (j > 1 ? "," : ""), str(slave[j]), str(mii[j]), num(failures[j]), str(perm[j]), num(slaveagg[j]), str(partner[j])
    }
    printf "],\"aggregator\":%s,", (aggid == "" ? "null" : "{\"id\":" num(aggid) ",\"ports\":" num(aggports) ",\"partnerMac\":" str(aggpartner) "}")
    printf "\"problems\":%d,\"raw\":\"%s\"}\n", nproblems, raw
}' "$_proc"
}

# LACP state outlives the LACPDUs that made it by three periods (3 s at lacp_rate fast, 90 s
# at slow): a channel that has just stopped passing them (a cable replaced by an update, say)
# still shows its partner. So verify passes an 802.3ad bond only once a LACPDU has reached
# every slave since it started: a tc filter on each slave's ingress counts them.
LACPDU_PREF=49152
lacpdu_count() {
    tc -s filter show dev "$1" ingress pref "$LACPDU_PREF" 2>/dev/null | awk '/rule hit/ { gsub(/[()]/, ""); print $NF; exit }'
}

# lacpdu_watch SLAVE...: counts LACPDUs on each slave from now on; prints "SLAVE=COUNT ..." for lacpdu_silent.
lacpdu_watch() {
    for _slave in "$@"; do
        if [ -z "$(lacpdu_count "$_slave")" ]; then
            tc qdisc add dev "$_slave" clsact 2>/dev/null || true
            tc filter add dev "$_slave" ingress pref "$LACPDU_PREF" protocol 0x8809 matchall action pass 2>/dev/null || true
        fi
        printf '%s=%s ' "$_slave" "$(lacpdu_count "$_slave")"
    done
}

# lacpdu_silent "SLAVE=COUNT ...": the slaves no LACPDU has reached since lacpdu_watch printed that.
lacpdu_silent() {
    for _entry in $1; do
        _now=$(lacpdu_count "${_entry%%=*}")
        [ -n "$_now" ] && [ -n "${_entry#*=}" ] && [ "$_now" -gt "${_entry#*=}" ] || printf '%s ' "${_entry%%=*}"
    done
}

# lacpdu_problem "SLAVE=COUNT ..." STARTED: verify's problem line where a slave has heard no
# LACPDU since lacpdu_watch ran at STARTED (seconds since the epoch).
lacpdu_problem() {
    _silent=$(lacpdu_silent "$1")
    [ -z "$_silent" ] || echo "LACP: no LACPDU has reached ${_silent% } in the $(($(date +%s) - $2)) s since verify started: they do not cross the channels now, though the partner state outlives them by three LACPDU periods (is each channel's cable container running? is bondlab:lacpPassthrough false?)"
}

# bond_announce BOND SLAVE: a gratuitous ARP out of SLAVE. An active-backup ARP monitor takes a
# slave back only when a frame arrives on it, and a backup sends nothing. On a switch the peer's
# ARP broadcasts reach every port; over one wire per channel nothing reaches an unused one, so
# two routers that settled on the same backup never return to the primary. This is the frame
# a switch would have flooded to the peer's.
bond_announce() {
    [ -n "$2" ] || return 0
    _self=$(ip -4 -o addr show dev "$1" | awk '{ split($4, a, "/"); print a[1]; exit }')
    [ -n "$_self" ] || return 0
    busybox arping -U -c 1 -w 1 -I "$2" -s "$_self" "$_self" >/dev/null 2>&1 || true
}
