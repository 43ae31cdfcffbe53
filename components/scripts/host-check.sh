#!/bin/sh
# Runs before the lab creates anything: can the Docker host build a bond at all?
# A throwaway container with only NET_ADMIN and no network tries to create one.
#   BONDLAB_IMAGE  the router image;  DOCKER_HOST or DOCKER_CONTEXT  the Docker host
set -u
: "${BONDLAB_IMAGE:?}"
where=${DOCKER_HOST:-docker context ${DOCKER_CONTEXT:-default}}
if ! out=$(docker run --rm --network none --cap-drop ALL --cap-add NET_ADMIN "$BONDLAB_IMAGE" \
    sh -c 'ip link add blcheck0 type bond mode active-backup && ip link del blcheck0' 2>&1); then
    case "$out" in
    *"Unknown device type"* | *"not supported"*)
        echo "bondlab: $where cannot create bonds: its kernel has no bonding driver ($out)." >&2
        echo "Fix: run 'modprobe bonding' on the Docker host, or start the lab host VM (npm run labhost:start) and point DOCKER_HOST at it." >&2 ;;
    *)
        echo "bondlab: a test container on $where failed: $out" >&2 ;;
    esac
    exit 1
fi
echo "bondlab: $where can build bonds"
