#!/bin/sh
# Start (or reuse) the bondlab lab host: a QEMU VM (TCG) running Debian's
# kernel, which has bonding, and Docker's engine, with the router image loaded.
#
#   eval "$(labhost/start.sh)"     # sets DOCKER_HOST for this shell
#
# stdout carries exactly one line, `export DOCKER_HOST=tcp://127.0.0.1:PORT`;
# progress, timings and errors go to stderr.
#
# Environment:
#   BONDLAB_LABHOST_DEBIAN        the VM's Debian release, so its kernel and Docker engine:
#                                 forky (default), trixie or bookworm (labhost/lib.sh)
#   BONDLAB_CACHE                 cache root (default $HOME/.cache/bondlab)
#   BONDLAB_LABHOST_PORT          host port for the Docker API (default: first
#                                 free port from 23750 up)
#   BONDLAB_LABHOST_MEM           VM memory in MiB (default 4096)
#   BONDLAB_LABHOST_CPUS          VM CPUs (default 1: see the QEMU command line below)
#   BONDLAB_LABHOST_BOOT_TIMEOUT  seconds to wait for the Docker API (default 180)
#
# State: <cache>/run/labhost.pid, labhost.port, labhost.release, labhost.console.log.
# The VM disk is the cached image opened with snapshot=on: every boot starts
# from a clean engine, and nothing a lab does is written back to the cache.
set -eu

BL_PROG=labhost/start
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/lib.sh"

# Keep stdout for the final line only.
exec 3>&1 1>&2

run=$(bl_cache_dir)/run
pidfile=$run/labhost.pid
portfile=$run/labhost.port
releasefile=$run/labhost.release
release=$(bl_labhost_release)
console=$run/labhost.console.log
boot_timeout=${BONDLAB_LABHOST_BOOT_TIMEOUT:-180}

bl_need qemu-system-x86_64:qemu-system-x86 docker:docker.io flock:util-linux timeout:coreutils
mkdir -p "$run"

# One start at a time (a second caller waits, then reuses the first's VM).
exec 9>"$run/labhost.lock"
flock 9

# is_ours PID: the process is a lab host QEMU (not a recycled pid).
is_ours() {
	[ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'qemu-system.*bondlab-labhost'
}

docker_answers() {
	DOCKER_HOST=tcp://127.0.0.1:$1 timeout 15 docker version >/dev/null 2>&1
}

# wait_docker PID PORT DEADLINE_SECONDS: 0 once the API answers, 1 if QEMU
# died, 2 on timeout.
wait_docker() {
	_start=$(date +%s)
	while :; do
		docker_answers "$2" && return 0
		is_ours "$1" || return 1
		[ $(($(date +%s) - _start)) -lt "$3" ] || return 2
		sleep 1
	done
}

finish() {
	t=$(bl_now)
	DOCKER_HOST=tcp://127.0.0.1:$1 "$here/../images/router/load.sh"
	t_image=$(bl_since "$t")
	bl_log "timings: build ${t_build:-0} s, boot ${t_boot:-0} s, image load $t_image s"
	echo "export DOCKER_HOST=tcp://127.0.0.1:$1" >&3
	exit 0
}

# --- reuse a running lab host -------------------------------------------------
if [ -f "$pidfile" ]; then
	pid=$(cat "$pidfile" 2>/dev/null || true)
	port=$(cat "$portfile" 2>/dev/null || true)
	if [ -n "$pid" ] && is_ours "$pid"; then
		running=$(cat "$releasefile" 2>/dev/null || echo bookworm)
		[ "$running" = "$release" ] ||
			bl_die "the running lab host is Debian $running, not $release (BONDLAB_LABHOST_DEBIAN); stop it first (labhost/stop.sh) or ask for $running"
		if [ -n "$port" ] && docker_answers "$port"; then
			bl_log "reusing the running lab host (pid $pid, port $port)"
			finish "$port"
		fi
		if [ -n "$port" ]; then
			bl_log "lab host pid $pid is running but Docker does not answer yet; waiting up to $boot_timeout s"
			t=$(bl_now)
			if wait_docker "$pid" "$port" "$boot_timeout"; then
				t_boot=$(bl_since "$t")
				finish "$port"
			fi
		fi
		bl_die "lab host pid $pid runs but its Docker API does not answer; run labhost/stop.sh, then start again"
	fi
	rm -f "$pidfile" "$portfile" "$releasefile"
fi

# --- VM image -------------------------------------------------------------------
t=$(bl_now)
image=$("$here/build.sh")
t_build=$(bl_since "$t")

# --- boot -------------------------------------------------------------------------
port_busy() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
	else
		return 1 # QEMU will fail to bind and the next port is tried
	fi
}

if [ -n "${BONDLAB_LABHOST_PORT:-}" ]; then
	ports=$BONDLAB_LABHOST_PORT
else
	ports=$(seq 23750 23799)
fi

t=$(bl_now)
started=
# The last boot's console stays beside the new one (.1): when a VM crashed and a later
# `npm run up` started another in the same run, crash-report.sh still finds the crash.
if [ -s "$console" ]; then mv -f "$console" "$console.1"; fi
for port in $ports; do
	if port_busy "$port"; then
		continue
	fi
	: >"$console"
	rm -f "$pidfile"
	# A guest kernel that locks up (seen once under TCG: both vCPUs stuck for
	# good as a container started) panics after 60 s instead of hanging every
	# Docker call; panic=-1 reboots and -no-reboot turns that into QEMU's exit.
	# labhost/crash-report.sh reads the console afterwards.
	lockup_panic="softlockup_panic=1 watchdog_thresh=30 sysctl.kernel.panic_on_rcu_stall=1 rcupdate.rcu_cpu_stall_timeout=60"
	# tsc=nowatchdog: on the loaded emulated CPU the clocksource watchdog once marked the TSC
	# unstable 337 s into a run; sched_clock then flipped a static key, the kernel patched
	# its code live with int3, and the other vCPU hit that int3 in sched_clock_cpu: "Fatal
	# exception in interrupt". Without the watchdog the TSC is never re-judged at run time
	# (arch/x86/kernel/tsc.c: tsc=nowatchdog clears CLOCK_SOURCE_MUST_VERIFY).
	clock=tsc=nowatchdog
	# One vCPU by default. The kernel patches its own code live (static keys, jump labels:
	# arch/x86/kernel/alternative.c, text_poke_bp) by writing an int3 first and taking it out
	# last; under QEMU's multi-threaded TCG the other vCPU has run a stale translation that
	# still held the int3 after the patch was done, and the kernel took it for a real
	# breakpoint: "Oops: int3" then "Fatal exception in interrupt", in __netif_receive_skb_core
	# 29 min into CI's e2e files, and in kmem_cache_alloc 43 s after the retry's VM booted.
	# With one vCPU nothing runs beside the patch.
	cpus=${BONDLAB_LABHOST_CPUS:-1}
	# -daemonize returns once QEMU is set up (a port it cannot bind is an
	# error here); the console (ttyS0) goes to a file, since -nographic
	# cannot be combined with -daemonize. The VM must not inherit the lock
	# (fd 9) or our stdout (fd 3).
	if qemu-system-x86_64 \
		-name bondlab-labhost,process=bondlab-labhost \
		-accel tcg,thread=multi -cpu max \
		-m "${BONDLAB_LABHOST_MEM:-4096}" -smp "$cpus" \
		-display none -no-reboot -monitor none \
		-serial "file:$console" \
		-kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 init=/sbin/bondlab-init quiet panic=-1 $clock $lockup_panic" \
		-drive "file=$image/disk.img,if=virtio,format=raw,snapshot=on" \
		-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:2375" \
		-device virtio-net-pci,netdev=n0,romfile= \
		-daemonize -pidfile "$pidfile" 2>"$run/qemu.err" 3>&- 9>&-; then
		started=yes
		break
	fi
	if grep -qi 'forward' "$run/qemu.err" && [ -z "${BONDLAB_LABHOST_PORT:-}" ]; then
		bl_log "port $port is taken, trying the next one"
		continue
	fi
	cat "$run/qemu.err" >&2
	bl_die "qemu-system-x86_64 failed to start"
done
[ -n "$started" ] || bl_die "no free port among: $(echo "$ports" | tr '\n' ' ')"
pid=$(cat "$pidfile")
echo "$port" >"$portfile"
echo "$release" >"$releasefile"
bl_log "booting the Debian $release lab host (pid $pid, Docker API on 127.0.0.1:$port, console $console)"

rc=0
wait_docker "$pid" "$port" "$boot_timeout" || rc=$?
if [ "$rc" != 0 ]; then
	if [ "$rc" = 1 ]; then
		bl_log "error: the lab host VM exited during boot"
	else
		bl_log "error: Docker did not answer on 127.0.0.1:$port within $boot_timeout s; stopping the VM"
		kill -TERM "$pid" 2>/dev/null || true
		sleep 2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile" "$portfile" "$releasefile"
	bl_log "last lines of the console log ($console):"
	tail -n 40 "$console" >&2
	exit 1
fi
t_boot=$(bl_since "$t")
bl_log "Docker answers after $t_boot s"
finish "$port"
