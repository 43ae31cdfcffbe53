#!/bin/sh
# Build (once) the lab host VM: a Debian root (the release BONDLAB_LABHOST_DEBIAN
# names, see lib.sh) with Debian's kernel (which has bonding) and Docker's engine,
# as a raw ext4 disk image plus the kernel and initrd that QEMU boots directly.
#
#   labhost/build.sh            build if needed; print the image folder on stdout
#
# Cache: ${BONDLAB_CACHE:-$HOME/.cache/bondlab}/labhost/<release>-<hash>/{disk.img,vmlinuz,initrd.img,manifest}
# where <hash> covers this script, init.sh and lib.sh; each release keeps its own image. A build runs in a
# temporary folder next to it and is renamed into place only when complete,
# so a killed build never leaves an image that looks finished.
# Needs root (debootstrap, chroot, mke2fs -d) and Debian's apt repositories
# (the mirror is read from this machine's apt sources at run time).
set -eu

BL_PROG=labhost/build
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/lib.sh"

# stdout carries only the image folder (fd 3); everything else goes to stderr.
exec 3>&1 1>&2

# What goes into the VM besides debootstrap's minbase.
BASE_INCLUDE=iproute2,iputils-ping,procps
VM_PACKAGES="systemd-sysv udev kmod docker.io iptables ca-certificates"
DISK_SIZE=${BONDLAB_LABHOST_DISK:-4G}

release=$(bl_labhost_release)
# The kernel comes from the release itself, but for testing: its kernel (7.2) oopsed under
# QEMU's TCG in CI (an int3 at a static branch in __netif_receive_skb_core; docs/lab-host.md),
# so testing's engine runs on Debian 13's kernel, the 6.12 long-term one.
kernel_suite=$release
[ "$release" != forky ] || kernel_suite=trixie
key=$release-$(bl_hash_files "$here/build.sh" "$here/init.sh" "$here/lib.sh")
base=$(bl_cache_dir)/labhost
dest=$base/$key

if [ -f "$dest/disk.img" ] && [ -f "$dest/vmlinuz" ] && [ -f "$dest/initrd.img" ]; then
	bl_log "cached VM image: $dest"
	printf '%s\n' "$dest" >&3
	exit 0
fi

bl_need_root
bl_need debootstrap:debootstrap mke2fs:e2fsprogs chroot:coreutils flock:util-linux
mkdir -p "$base"

# One builder at a time; a second caller waits and then finds the image.
exec 9>"$base/.lock"
flock 9
if [ -f "$dest/disk.img" ]; then
	bl_log "cached VM image (built meanwhile): $dest"
	printf '%s\n' "$dest" >&3
	exit 0
fi

# Leftovers of builds that were killed (we hold the lock, so none is live).
umount_under() {
	# deepest mount points first
	awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
}
for old in "$base"/.tmp-*; do
	[ -d "$old" ] || continue
	bl_log "removing leftovers of an interrupted build: $old"
	umount_under "$old"
	rm -rf --one-file-system "$old"
done

tmp=$base/.tmp-$key-$$
root=$tmp/root

# Long steps run in their own process group (setsid) in the background, so
# that a signal to this script stops them at once: `wait` returns as soon as
# a trapped signal arrives, and cleanup kills the whole group before it
# unmounts and deletes the half-built root.
step_pid=
run_step() { # LOG CMD...
	_log=$1
	shift
	setsid -w "$@" >>"$_log" 2>&1 </dev/null &
	step_pid=$!
	_rc=0
	wait "$step_pid" || _rc=$?
	step_pid=
	return "$_rc"
}
fail_step() { # LOG MESSAGE
	tail -n 30 "$1" >&2
	bl_die "$2 (log above)"
}
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$step_pid" ]; then
		kill -TERM "-$step_pid" 2>/dev/null || true
		n=0
		while kill -0 "-$step_pid" 2>/dev/null && [ "$n" -lt 50 ]; do
			sleep 0.2
			n=$((n + 1))
		done
		kill -KILL "-$step_pid" 2>/dev/null || true
		sleep 0.2
	fi
	if [ -d "$tmp" ]; then
		umount_under "$tmp"
		rm -rf --one-file-system "$tmp"
	fi
	[ "$rc" = 0 ] || bl_log "build failed or interrupted (exit $rc); nothing was cached"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
mkdir -p "$root"

mirror=$(bl_mirror)
t_all=$(bl_now)
bl_log "building VM image $key from $mirror (takes a few minutes)"

t=$(bl_now)
# A debootstrap older than the release has no script for it: testing is bootstrapped as sid is.
script=/usr/share/debootstrap/scripts/$release
[ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
run_step "$tmp/debootstrap.log" debootstrap --variant=minbase --include="$BASE_INCLUDE" \
	"$release" "$root" "$mirror" "$script" || fail_step "$tmp/debootstrap.log" "debootstrap failed"
bl_log "step debootstrap: $(bl_since "$t") s"

# chroot ROOT env -i $CHROOT_ENV CMD...: a clean environment inside the root.
CHROOT_ENV="PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C HOME=/root"

t=$(bl_now)
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
# No service may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
printf 'deb %s %s main\n' "$mirror" "$release" >"$root/etc/apt/sources.list"
[ "$kernel_suite" = "$release" ] || printf 'deb %s %s main\n' "$mirror" "$kernel_suite" >>"$root/etc/apt/sources.list"
# shellcheck disable=SC2086 # $CHROOT_ENV and $VM_PACKAGES split into words on purpose
{
	# Testing's Release file says it expires within days; a mirror frozen in time (a
	# snapshot, as CI's is) serves it expired. Its signature is still checked.
	run_step "$tmp/apt.log" chroot "$root" /usr/bin/env -i $CHROOT_ENV \
		apt-get -o Acquire::Check-Valid-Until=false update -q ||
		fail_step "$tmp/apt.log" "apt-get update in the chroot failed"
	run_step "$tmp/apt.log" chroot "$root" /usr/bin/env -i $CHROOT_ENV \
		apt-get install -y -q --no-install-recommends $VM_PACKAGES "linux-image-amd64/$kernel_suite" ||
		fail_step "$tmp/apt.log" "apt-get install in the chroot failed"
}
bl_log "step packages (kernel, udev, docker.io, ...): $(bl_since "$t") s"

t=$(bl_now)
install -m 755 "$here/init.sh" "$root/sbin/bondlab-init"
echo bondlab-labhost >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tbondlab-labhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf 'nameserver 10.0.2.3\n' >"$root/etc/resolv.conf"
printf '/dev/vda / ext4 rw 0 1\n' >"$root/etc/fstab"
# Debian testing's engine runs with the containerd image store, the default of Docker 29 and
# Docker Desktop: the store the provider's image build fails on (kreuzwerker#534).
store=classic
if [ "$release" = forky ]; then
	mkdir -p "$root/etc/docker"
	printf '{ "features": { "containerd-snapshotter": true } }\n' >"$root/etc/docker/daemon.json"
	store=containerd
fi
rm -f "$root/usr/sbin/policy-rc.d"
# shellcheck disable=SC2086
chroot "$root" /usr/bin/env -i $CHROOT_ENV apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root"/tmp/*
umount "$root/sys" "$root/proc"

vmlinuz=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | tail -n 1)
initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort | tail -n 1)
if [ -z "$vmlinuz" ] || [ -z "$initrd" ]; then bl_die "no kernel or initrd in $root/boot"; fi
cp "$vmlinuz" "$tmp/vmlinuz"
cp "$initrd" "$tmp/initrd.img"
kver=${vmlinuz##*/vmlinuz-}
# shellcheck disable=SC2016 # ${Version} is dpkg-query's, not ours
docker_ver=$(chroot "$root" dpkg-query -W -f '${Version}' docker.io)
bl_log "step configure: $(bl_since "$t") s"

t=$(bl_now)
run_step "$tmp/mke2fs.log" mke2fs -q -t ext4 -L bondlab -d "$root" "$tmp/disk.img" "$DISK_SIZE" ||
	fail_step "$tmp/mke2fs.log" "mke2fs failed"
rm -rf --one-file-system "$root"
bl_log "step mke2fs ($DISK_SIZE sparse, $(du -h "$tmp/disk.img" | cut -f1) used): $(bl_since "$t") s"

cat >"$tmp/manifest" <<EOF
key=$key
release=$release
image_store=$store
kernel=$kver
docker.io=$docker_ver
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
build_seconds=$(bl_since "$t_all")
EOF
rm -f "$tmp"/*.log
mv -T "$tmp" "$dest"
bl_log "built $dest in $(bl_since "$t_all") s (Debian $release, kernel $kver, docker.io $docker_ver, $store image store)"

# Keep only this image of this release; older keys are stale builds of earlier scripts.
for old in "$base/$release"-*; do
	if [ -d "$old" ] && [ "$old" != "$dest" ]; then rm -rf --one-file-system "$old"; fi
done
# Images from before releases were named (a bare hash) are stale too.
for old in "$base"/*; do
	case ${old##*/} in *-*) ;; *) [ ! -d "$old" ] || rm -rf --one-file-system "$old" ;; esac
done
printf '%s\n' "$dest" >&3
