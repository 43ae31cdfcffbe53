#!/bin/sh
# PID 1 of the bondlab lab host VM (installed as /sbin/bondlab-init by
# labhost/build.sh, started with init=/sbin/bondlab-init).
#
# The VM exists only to give Docker a kernel with bonding: it mounts the
# kernel file systems, loads the modules the lab needs, configures QEMU user
# networking and runs containerd + dockerd, with the Docker API on the unix
# socket and on tcp://0.0.0.0:2375 without TLS (QEMU's hostfwd exposes it on
# the host's 127.0.0.1 only). Everything is logged to the console (ttyS0),
# which labhost/start.sh writes to a file. On SIGTERM, SIGINT (ctrl-alt-del)
# or SIGPWR it stops dockerd and containerd and powers off; on SIGUSR1 it
# restarts the Docker engine as a reboot would (containerd and every container too).

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

log() {
	echo "bondlab-init: $*"
}

# mount_once TYPE SOURCE DIR [OPTIONS]
mount_once() {
	mkdir -p "$3"
	mountpoint -q "$3" && return 0
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" || log "warning: could not mount $1 on $3"
}

mount_once proc proc /proc
mount_once sysfs sysfs /sys
mount_once devtmpfs devtmpfs /dev mode=0755
mount_once devpts devpts /dev/pts gid=5,mode=0620,ptmxmode=0666
mount_once tmpfs tmpfs /dev/shm mode=1777,nosuid,nodev
mount_once tmpfs tmpfs /run mode=0755,nosuid,nodev
mount_once tmpfs tmpfs /tmp mode=1777,nosuid,nodev
mount_once cgroup2 cgroup2 /sys/fs/cgroup nsdelegate
mkdir -p /run/lock /var/log
[ -e /dev/ptmx ] || ln -sf pts/ptmx /dev/ptmx
mount -o remount,rw / 2>/dev/null || true
log "kernel $(uname -r), file systems mounted"

# ctrl-alt-del sends SIGINT to PID 1 instead of rebooting at once.
echo 0 >/proc/sys/kernel/ctrl-alt-del 2>/dev/null || true
hostname bondlab-labhost 2>/dev/null || true

# bonding: max_bonds=0 so that loading it does not create a stray bond0 here.
modprobe bonding max_bonds=0 || log "warning: modprobe bonding failed"
for m in virtio_net bridge veth overlay br_netfilter 8021q \
	sch_netem sch_tbf sch_htb sch_prio sch_ingress cls_u32 cls_matchall act_mirred \
	nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_conntrack \
	xt_MASQUERADE xt_addrtype xt_nat xt_tcpudp iptable_nat iptable_filter \
	ip6table_nat ip6table_filter; do
	modprobe "$m" 2>/dev/null || log "warning: modprobe $m failed"
done

# QEMU user networking: guest 10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3.
ip link set lo up
nic=
i=0
while [ -z "$nic" ] && [ "$i" -lt 50 ]; do
	for d in /sys/class/net/*; do
		[ -e "$d/device" ] && { nic=${d##*/}; break; }
	done
	[ -n "$nic" ] || { sleep 0.2; i=$((i + 1)); }
done
if [ -n "$nic" ]; then
	ip link set "$nic" up
	ip addr add 10.0.2.15/24 dev "$nic"
	ip route add default via 10.0.2.2 dev "$nic"
	log "network: $nic 10.0.2.15/24 via 10.0.2.2"
else
	log "warning: no network interface found; the Docker API will not be reachable"
fi
echo 'nameserver 10.0.2.3' >/etc/resolv.conf 2>/dev/null || true

containerd_pid=
dockerd_pid=

shutdown() {
	trap '' TERM INT PWR
	log "shutdown requested: stopping dockerd and containerd"
	for p in $dockerd_pid $containerd_pid; do
		kill -TERM "$p" 2>/dev/null || continue
		n=0
		while kill -0 "$p" 2>/dev/null && [ "$n" -lt 150 ]; do
			sleep 0.2
			n=$((n + 1))
		done
	done
	sync
	mount -o remount,ro / 2>/dev/null || true
	log "powering off"
	poweroff -f -f 2>/dev/null || poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 10
}
# shellcheck disable=SC3048 # dash and bash both know SIGPWR on Linux
trap shutdown TERM INT PWR

start_containerd() {
	containerd --log-level warn &
	containerd_pid=$!
	i=0
	while [ ! -S /run/containerd/containerd.sock ] && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	log "containerd started (pid $containerd_pid)"
}
start_containerd

# Every lab takes three networks. Docker's default address pools hold about 30 (fifteen
# /16s in 172.16.0.0/12 and sixteen /20s in 192.168.0.0/16), so an eleventh lab fails with
# "could not find an available, non-overlapping IPv4 address pool". /26s from 10.96.0.0/12
# give 16384 networks of 62 addresses, more than a lab needs.
start_dockerd() {
	dockerd --containerd /run/containerd/containerd.sock \
		--default-address-pool base=10.96.0.0/12,size=26 \
		-H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375 --tls=false &
	dockerd_pid=$!
	log "dockerd started (pid $dockerd_pid)"
	i=0
	until docker -H unix:///var/run/docker.sock version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -ge 600 ] || ! kill -0 "$dockerd_pid" 2>/dev/null; then
			log "error: dockerd did not come up"
			return 1
		fi
		sleep 0.2
	done
	log "docker ready"
}

# stop_and_wait PID SECONDS: SIGTERM, then wait for it to exit (at most SECONDS).
stop_and_wait() {
	kill -TERM "$1" 2>/dev/null || return 0
	n=0
	while kill -0 "$1" 2>/dev/null && [ "$n" -lt $(($2 * 5)) ]; do
		sleep 0.2
		n=$((n + 1))
	done
}

# SIGUSR1 (labhost/restart-docker.sh): the Docker engine goes down and comes back as a
# reboot of the Docker host does it. dockerd stops the containers (each gets its stop signal,
# then dockerd's 15 s shutdown-timeout ends it all), then the power goes: every container
# process still alive dies and containerd stops. Restarting dockerd alone is not a reboot:
# under load (a class of 50 containers) containerd still held tasks dockerd had given up
# on, and the new dockerd could not start those containers again ("task ... already
# exists"), 5 of 50 in one run. Both start again; the containers with a restart policy
# (every lab container: unless-stopped) start with dockerd.
restart_dockerd() {
	log "docker restart requested: stopping dockerd, then the rest, as a reboot does"
	stop_and_wait "$dockerd_pid" 120
	killed=0
	for cgroup in /sys/fs/cgroup/docker/*/; do
		# Only a cgroup with a process left in it counts (cgroup.procs lists them).
		read -r _ <"${cgroup}cgroup.procs" 2>/dev/null || continue
		echo 1 >"${cgroup}cgroup.kill" 2>/dev/null && killed=$((killed + 1))
	done
	log "dockerd stopped; killed what was left in $killed container cgroups"
	stop_and_wait "$containerd_pid" 60
	pkill -KILL -f containerd-shim 2>/dev/null || true
	start_containerd
	start_dockerd || true
}
trap restart_dockerd USR1

start_dockerd || true

# Stay PID 1: reap orphans (dash's wait does) and wait for a shutdown signal.
while :; do
	sleep 3600 &
	wait $!
	kill -0 "$dockerd_pid" 2>/dev/null || log "warning: dockerd is not running"
done
