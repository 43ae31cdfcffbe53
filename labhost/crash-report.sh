#!/bin/sh
# Did the lab host VM's kernel fail? Reads the console log of its last boot
# (or the file given) and, when the guest kernel reported a panic, a soft
# lockup or an RCU stall, prints those lines to stderr and exits 0; exits 1
# when the log shows none.
#
#   labhost/crash-report.sh [--newer-than FILE] [CONSOLE_LOG]
#
# --newer-than FILE: only a log written after FILE counts (a run asks about its
# own boot, not one that an earlier run left behind).
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
console=${1:-$(bl_cache_dir)/run/labhost.console.log}
[ -r "$console" ] || exit 1
if [ -n "$since" ] && [ -z "$(find "$console" -newer "$since")" ]; then
	exit 1
fi
evidence=$(grep -E 'Kernel panic|BUG: soft lockup|detected stalls on CPUs' "$console" | head -n 6 || true)
[ -n "$evidence" ] || exit 1
bl_log "the lab host VM's kernel failed; from its console log ($console):"
printf '%s\n' "$evidence" | sed 's/^/  /' >&2
exit 0
