#!/bin/sh
# Builds the router image (images/router) with the docker CLI on the Docker host the lab runs
# on, and prints its id. The CLI's build works on the classic and the containerd image store and
# against a remote DOCKER_HOST (it sends the context); the docker provider's own build fails on
# the containerd store (kreuzwerker/terraform-provider-docker#534, pulumi-docker#967).
#   BONDLAB_IMAGE          the tag to build
#   BONDLAB_IMAGE_CONTEXT  the build context, relative to the project (where pulumi runs commands)
#   BONDLAB_IMAGE_FILES    the context's content hash, kept as a label: what was built from what
#   DOCKER_HOST or DOCKER_CONTEXT  the Docker host
set -u
: "${BONDLAB_IMAGE:?}" "${BONDLAB_IMAGE_CONTEXT:?}" "${BONDLAB_IMAGE_FILES:?}"
where=${DOCKER_HOST:-docker context ${DOCKER_CONTEXT:-default}}
build() {
    docker build -q --label "org.bondlab.router-files=$BONDLAB_IMAGE_FILES" -t "$BONDLAB_IMAGE" "$BONDLAB_IMAGE_CONTEXT" 2>&1
}
fail() {
    echo "bondlab: building the router image ($BONDLAB_IMAGE_CONTEXT) on $where failed: $out" >&2
    echo "Fix: the build runs apt-get on the Docker host, so it needs Debian's mirror; or build or load an image yourself and set bondlab:routerImage to it." >&2
    exit 1
}
if ! out=$(build); then
    case "$out" in
    *"buildx component is missing"*)
        # A docker CLI of 23 or later builds through buildx; without the plugin, the classic
        # builder still builds (Docker 28 keeps it, on either image store).
        echo "bondlab: the docker CLI has no buildx plugin: building with the classic builder" >&2
        out=$(DOCKER_BUILDKIT=0 build) || fail ;;
    *) fail ;;
    esac
fi
# -q prints the id last (the classic builder may print warnings before it).
printf '%s\n' "$out" | tail -n 1
