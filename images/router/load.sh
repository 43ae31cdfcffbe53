#!/bin/sh
# Make the images bondlab.invalid/router:local and its debug twin
# bondlab.invalid/router-debug:local (the router plus tcpdump) exist in the
# Docker engine that DOCKER_HOST (or the docker CLI's default) points to,
# without any registry:
#
#   DOCKER_HOST=tcp://127.0.0.1:23750 images/router/load.sh
#
# 1. the rootfs tarballs are built by build-offline.sh once and cached in
#    ${BONDLAB_CACHE:-$HOME/.cache/bondlab}/router/<hash>/{rootfs,debug}.tar,
#    where <hash> covers both package lists, build-offline.sh and labhost/lib.sh;
# 2. each is imported with `docker import`, labelled with the tarball's sha256,
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
DEBUG_IMAGE=${BONDLAB_DEBUG_IMAGE:-bondlab.invalid/router-debug:local}
LABEL=org.bondlab.rootfs-sha256

bl_need docker:docker.io sha256sum:coreutils

key=$(bl_hash_files "$here/packages.txt" "$here/../debug/packages.txt" "$here/build-offline.sh" "$here/../../labhost/lib.sh")
dir=$(bl_cache_dir)/router/$key

if [ ! -f "$dir/rootfs.tar.sha256" ] || [ ! -f "$dir/debug.tar.sha256" ]; then
	t=$(bl_now)
	mkdir -p "$dir"
	"$here/build-offline.sh" "$dir/rootfs.tar.$$.tmp" "$dir/debug.tar.$$.tmp" >&2
	for name in rootfs debug; do
		sha256sum "$dir/$name.tar.$$.tmp" | cut -d' ' -f1 >"$dir/$name.tar.sha256.$$.tmp"
		mv -f "$dir/$name.tar.$$.tmp" "$dir/$name.tar"
		mv -f "$dir/$name.tar.sha256.$$.tmp" "$dir/$name.tar.sha256"
	done
	bl_log "built the router rootfs and its debug twin in $(bl_since "$t") s: $dir"
	# Tarballs of earlier package lists or scripts are stale.
	for old in "$(bl_cache_dir)"/router/*; do
		if [ -d "$old" ] && [ "$old" != "$dir" ]; then rm -rf "$old"; fi
	done
else
	bl_log "cached router rootfs: $dir"
fi

# import TARBALL IMAGE: docker import, unless IMAGE already holds TARBALL.
import() {
	sha=$(cat "$1.sha256")
	current=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$2" 2>/dev/null || true)
	if [ "$current" = "$sha" ]; then
		bl_log "$2 is up to date (rootfs sha256 ${sha%"${sha#????????????}"})"
		return 0
	fi
	t=$(bl_now)
	docker import \
		-c 'CMD ["sh"]' \
		-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		-c "LABEL $LABEL=$sha" \
		-m "bondlab rootfs $sha" \
		"$1" "$2" >/dev/null
	bl_log "imported $2 ($(du -k "$1" | cut -f1) KiB rootfs) in $(bl_since "$t") s"
}
import "$dir/rootfs.tar" "$IMAGE"
import "$dir/debug.tar" "$DEBUG_IMAGE"
