#!/bin/sh
# Did the lab host VM's kernel fail? Reads the console logs of its last two
# boots (or the files given) and, when the guest kernel reported a panic, a
# soft lockup or an RCU stall, prints those lines to stderr and exits 0; exits
# 1 when the logs show none.
#
#   labhost/crash-report.sh [--newer-than FILE] [CONSOLE_LOG...]
#
# --newer-than FILE: only a log written after FILE counts (a run asks about its
# own boots, not one that an earlier run left behind). Two boots, because a run
# whose VM crashed may have started another (npm run up does, with none running),
# and start.sh keeps the previous boot's console as labhost.console.log.1.
#
# Why: under QEMU's emulation (TCG) the guest kernel has been seen to lock up
# for good on both vCPUs when a container started. start.sh boots it with
# softlockup_panic and panic_on_rcu_stall, so such a lockup becomes a panic and
# QEMU exits (-no-reboot): Docker calls then fail at once instead of hanging,
# and this script tells the test run (and CI) why.
set -eu

BL_PROG=labhost/crash-report
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/lib.sh"

since=
if [ "${1:-}" = --newer-than ]; then
	[ $# -ge 2 ] || bl_die "--newer-than needs a file"
	since=$2
	shift 2
fi
if [ $# -eq 0 ]; then
	run=$(bl_cache_dir)/run
	set -- "$run/labhost.console.log" "$run/labhost.console.log.1"
fi
found=1
for console in "$@"; do
	[ -r "$console" ] || continue
	if [ -n "$since" ] && [ -z "$(find "$console" -newer "$since")" ]; then
		continue
	fi
	evidence=$(grep -E 'Kernel panic|BUG: soft lockup|detected stalls on CPUs' "$console" | head -n 6 || true)
	[ -n "$evidence" ] || continue
	bl_log "the lab host VM's kernel failed; from its console log ($console):"
	printf '%s\n' "$evidence" | sed 's/^/  /' >&2
	found=0
done
exit "$found"
