#!/bin/sh
# Make `debian:bookworm-slim`, the base of images/router/Dockerfile, exist in the Docker
# engine DOCKER_HOST points to, without any registry: Debian's minbase of bookworm from
# the Debian mirror of this machine's apt sources (debootstrap), trimmed like the slim
# image (no docs, man pages or apt lists), imported with `docker import`.
#
#   DOCKER_HOST=tcp://127.0.0.1:23750 images/router/debian-base.sh
#
# For the lab host VM, which has no registry but reaches Debian's mirror: there the
# program's own build of images/router (bondlab:routerImage unset) runs as it would online.
# Needs root (debootstrap). The tarball is cached in
# ${BONDLAB_CACHE:-$HOME/.cache/bondlab}/debian-base/<hash>/rootfs.tar; the import is
# skipped when the engine already has the image with that tarball's label.
set -eu

BL_PROG=router/debian-base
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/../../labhost/lib.sh"

IMAGE=debian:bookworm-slim
LABEL=org.bondlab.rootfs-sha256

bl_need debootstrap:debootstrap docker:docker.io sha256sum:coreutils tar:tar
bl_need_root

dir=$(bl_cache_dir)/debian-base/$(bl_hash_files "$here/debian-base.sh" "$here/../../labhost/lib.sh")
tarball=$dir/rootfs.tar
if [ ! -f "$tarball.sha256" ]; then
	t=$(bl_now)
	mkdir -p "$dir"
	work=$(mktemp -d "${TMPDIR:-/tmp}/bondlab-debian-base.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	debootstrap --variant=minbase bookworm "$work/root" "$(bl_mirror)" >"$work/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$work/debootstrap.log" >&2; bl_die "debootstrap failed"; }
	rm -rf "$work/root/usr/share/doc" "$work/root/usr/share/man" "$work/root/usr/share/locale" \
		"$work/root/var/lib/apt/lists"/* "$work/root/var/cache/apt"/*.bin "$work/root/var/cache/apt/archives"/*.deb
	tar -C "$work/root" --numeric-owner -cf "$tarball.$$.tmp" .
	sha256sum "$tarball.$$.tmp" | cut -d' ' -f1 >"$tarball.sha256.$$.tmp"
	mv -f "$tarball.$$.tmp" "$tarball"
	mv -f "$tarball.sha256.$$.tmp" "$tarball.sha256"
	bl_log "built the Debian base in $(bl_since "$t") s: $tarball"
fi
sha=$(cat "$tarball.sha256")

current=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true)
[ "$current" != "$sha" ] || { bl_log "$IMAGE is up to date"; exit 0; }
t=$(bl_now)
docker import -c 'CMD ["bash"]' -c "LABEL $LABEL=$sha" "$tarball" "$IMAGE" >/dev/null
bl_log "imported $IMAGE ($(du -k "$tarball" | cut -f1) KiB) in $(bl_since "$t") s"
