#!/bin/sh
# Stop the lab host VM that labhost/start.sh started: by the pid in
# ${BONDLAB_CACHE:-$HOME/.cache/bondlab}/run/labhost.pid only (SIGTERM, then
# SIGKILL after BONDLAB_LABHOST_STOP_TIMEOUT seconds, default 20), then remove
# the pid and port files. The VM's disk is a snapshot of the cached image, so
# nothing is lost or needs flushing. Safe to run when nothing is running.
set -eu

BL_PROG=labhost/stop
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/lib.sh"

run=$(bl_cache_dir)/run
pidfile=$run/labhost.pid
portfile=$run/labhost.port
stop_timeout=${BONDLAB_LABHOST_STOP_TIMEOUT:-20}

if [ ! -f "$pidfile" ]; then
	bl_log "no lab host is running (no $pidfile)"
	rm -f "$portfile"
	exit 0
fi
pid=$(cat "$pidfile" 2>/dev/null || true)

# Only ever signal the lab host's own QEMU, never a recycled pid.
is_ours() {
	[ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'qemu-system.*bondlab-labhost'
}

case $pid in
'' | *[!0-9]*) bl_log "ignoring a malformed pid file" ;;
*)
	if is_ours "$pid"; then
		bl_log "stopping the lab host (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		n=0
		while is_ours "$pid" && [ "$n" -lt $((stop_timeout * 5)) ]; do
			sleep 0.2
			n=$((n + 1))
		done
		if is_ours "$pid"; then
			bl_log "still running after ${stop_timeout} s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.5
		fi
		if is_ours "$pid"; then
			bl_die "pid $pid survives SIGKILL"
		fi
		bl_log "stopped"
	else
		bl_log "pid $pid is not a running lab host (stale pid file)"
	fi
	;;
esac
rm -f "$pidfile" "$portfile" "$run/labhost.release"
