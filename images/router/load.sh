#!/bin/sh
# Make the image bondlab.invalid/router:local exist in the Docker engine that
# DOCKER_HOST (or the docker CLI's default) points to, without any registry:
#
#   DOCKER_HOST=tcp://127.0.0.1:23750 images/router/load.sh
#
# 1. the rootfs tarball is built by build-offline.sh once and cached in
#    ${BONDLAB_CACHE:-$HOME/.cache/bondlab}/router/<hash>/rootfs.tar, where
#    <hash> covers packages.txt, build-offline.sh and labhost/lib.sh;
# 2. it is imported with `docker import`, labelled with the tarball's sha256,
#    and the import is skipped when the image already carries that label.
#    (Uncompressed on purpose: into the TCG lab host VM a plain 19 MB tar
#    imported in about 2.8 s, the gzip -1 stream in about 4 s.)
# Prints nothing on stdout; progress and timings on stderr.
set -eu

BL_PROG=router/load
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/../../labhost/lib.sh"

IMAGE=${BONDLAB_ROUTER_IMAGE:-bondlab.invalid/router:local}
LABEL=org.bondlab.rootfs-sha256

bl_need docker:docker.io sha256sum:coreutils

key=$(bl_hash_files "$here/packages.txt" "$here/build-offline.sh" "$here/../../labhost/lib.sh")
dir=$(bl_cache_dir)/router/$key
tarball=$dir/rootfs.tar

if [ ! -f "$tarball" ] || [ ! -f "$tarball.sha256" ]; then
	t=$(bl_now)
	mkdir -p "$dir"
	"$here/build-offline.sh" "$tarball.$$.tmp" >&2
	sha256sum "$tarball.$$.tmp" | cut -d' ' -f1 >"$tarball.sha256.$$.tmp"
	mv -f "$tarball.$$.tmp" "$tarball"
	mv -f "$tarball.sha256.$$.tmp" "$tarball.sha256"
	bl_log "built the router rootfs in $(bl_since "$t") s: $tarball"
	# Tarballs of earlier package lists or scripts are stale.
	for old in "$(bl_cache_dir)"/router/*; do
		if [ -d "$old" ] && [ "$old" != "$dir" ]; then rm -rf "$old"; fi
	done
else
	bl_log "cached router rootfs: $tarball"
fi
sha=$(cat "$tarball.sha256")

current=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true)
if [ "$current" = "$sha" ]; then
	bl_log "$IMAGE is up to date (rootfs sha256 ${sha%"${sha#????????????}"})"
	exit 0
fi

t=$(bl_now)
size=$(du -k "$tarball" | cut -f1)
docker import \
	-c 'CMD ["sh"]' \
	-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	-c "LABEL $LABEL=$sha" \
	-m "bondlab router rootfs $sha" \
	"$tarball" "$IMAGE" >/dev/null
bl_log "imported $IMAGE (${size} KiB rootfs) in $(bl_since "$t") s"
