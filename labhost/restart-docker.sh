#!/bin/sh
# Restart the lab host VM's Docker daemon, as a reboot of the Docker host would: dockerd
# stops every container, then starts again with the ones that have a restart policy. Waits
# until the Docker API answers again. Uses DOCKER_HOST (e.g. after eval "$(labhost/start.sh)").
# The VM's init (labhost/init.sh) restarts dockerd on SIGUSR1; a throwaway container in the
# VM's PID namespace sends it.
set -eu
BL_PROG=labhost/restart-docker
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/lib.sh"

image=${BONDLAB_ROUTER_IMAGE:-bondlab.invalid/router:local}
# The throwaway container's own client may fail (exit 125) when dockerd goes down under it,
# before it has removed the container: whether the restart happened is told by the API going
# away, below, not by this exit status.
sent=0
docker run --rm --pid host "$image" kill -USR1 1 || sent=$?
bl_log "dockerd restart requested (docker run exit $sent); waiting for the Docker API to go and come back"
# dockerd closes its API first when told to stop: wait for that (a minute at most), then for
# the new dockerd.
i=0
while docker version >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 60 ] || bl_die "the Docker API still answers a minute after the restart request (docker run exit $sent)"
	sleep 1
done
i=0
until docker version >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || bl_die "the Docker API did not answer within 10 minutes of the restart"
	sleep 2
done
bl_log "the Docker API answers again"
