#!/bin/sh
# Build the bondlab router root file system as a small tarball, from Debian
# packages only (no registry, no host files):
#
#   images/router/build-offline.sh OUT.tar [DEBUG.tar]
#
# DEBUG.tar, when given, is the same root plus tcpdump (images/debug): the
# debug image. tcpdump's libpcap pulls in libcrypto and half of systemd's
# libraries, more than the whole router otherwise, so the router goes without.
#
# It downloads the packages of packages.txt and their dependencies from the
# Debian mirror of this machine's apt sources (a private apt state in a
# temporary folder: the host's apt state is neither read nor changed),
# unpacks them with dpkg-deb -x, and keeps only the router's programs (ip,
# bridge, tc, ping, ethtool, busybox, dash, and coreutils' date and
# timeout), the shared libraries
# they load (resolved by the packages' own dynamic loader) and a few /etc files.
#
# /bin/sh is dash and busybox applets are linked for the usual utilities, but
# never for ip, ping, tc, bridge, ethtool or tcpdump: busybox's `ip` accepts
# `ip link add ... type bond mode 802.3ad` and silently makes a round-robin
# bond, so `ip` must always be iproute2's (/usr/bin/ip).
# The result is deterministic for a given set of packages (sorted, mtime 0,
# owner root). load.sh caches it and imports it into Docker.
set -eu

BL_PROG=router/build-offline
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=labhost/lib.sh
. "$here/../../labhost/lib.sh"

[ $# -eq 1 ] || [ $# -eq 2 ] || bl_die "usage: $0 OUT.tar [DEBUG.tar]"
out=$1
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
debug_out=${2:-}
case $debug_out in "" | /*) ;; *) debug_out=$(pwd)/$debug_out ;; esac

bl_need apt-get:apt dpkg-deb:dpkg tar:tar
arch=$(dpkg --print-architecture)
[ "$arch" = amd64 ] || bl_die "only amd64 is supported (this machine is $arch)"
multiarch=x86_64-linux-gnu
loader=/lib64/ld-linux-x86-64.so.2

# Programs to keep: path inside the Debian packages -> path in the image
# (merged /usr: /bin, /sbin and /lib are links into /usr).
PROGRAMS="
/bin/ip usr/bin/ip
/sbin/bridge usr/sbin/bridge
/sbin/tc usr/sbin/tc
/bin/ping usr/bin/ping
/sbin/ethtool usr/sbin/ethtool
/bin/busybox usr/bin/busybox
/bin/dash usr/bin/dash
/bin/date usr/bin/date
/usr/bin/timeout usr/bin/timeout
"
# Busybox applets that must never be linked: the shell is dash, and these
# names belong to iproute2, iputils, ethtool and tcpdump.
NO_APPLET=" sh ash hush ip ipaddr iplink ipneigh iproute iprule iptunnel ping ping6 tc bridge ethtool tcpdump "

# The debug image's programs, on top of the router's.
DEBUG_PROGRAMS="
/usr/bin/tcpdump usr/bin/tcpdump
"

packages=$(sed -e 's/#.*//' "$here/packages.txt" | tr -s ' \t\n' '   ')
[ -n "${packages# }" ] || bl_die "no packages in $here/packages.txt"
debug_packages=""
if [ -n "$debug_out" ]; then
	debug_packages=$(sed -e 's/#.*//' "$here/../debug/packages.txt" | tr -s ' \t\n' '   ')
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bondlab-router.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
t_all=$(bl_now)

# --- download, with a private apt configuration and state -------------------
t=$(bl_now)
mirror=$(bl_mirror)
apt_dir=$work/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$apt_dir/prefs"
: >"$apt_dir/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ -r "$keyring" ]; then
	printf 'deb [signed-by=%s] %s bookworm main\n' "$keyring" "$mirror" >"$apt_dir/sources.list"
else
	printf 'deb %s bookworm main\n' "$mirror" >"$apt_dir/sources.list"
fi
apt_private() {
	apt-get -q \
		-o Dir::Etc::SourceList="$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts="$apt_dir/parts" \
		-o Dir::Etc::PreferencesParts="$apt_dir/prefs" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::State::status="$apt_dir/status" \
		-o Dir::Cache="$apt_dir/cache" \
		-o Dir::Cache::archives="$apt_dir/archives" \
		-o Debug::NoLocking=1 \
		-o APT::Architecture="$arch" -o APT::Architectures="$arch" \
		-o Acquire::Languages=none \
		-o APT::Install-Recommends=false \
		"$@"
}
apt_private update >"$work/apt.log" 2>&1 || {
	tail -n 20 "$work/apt.log" >&2
	bl_die "apt-get update from $mirror failed"
}
# An empty dpkg status: apt resolves (and downloads) the full dependency closure.
# shellcheck disable=SC2086 # the package list splits into words on purpose
apt_private install -y -d $packages $debug_packages >>"$work/apt.log" 2>&1 || {
	tail -n 20 "$work/apt.log" >&2
	bl_die "downloading $packages $debug_packages failed"
}
debs=$(find "$apt_dir/archives" -maxdepth 1 -name '*.deb' | sort)
bl_log "step download ($(echo "$debs" | wc -l) .deb from $mirror): $(bl_since "$t") s"

# --- unpack everything into a staging tree ----------------------------------
t=$(bl_now)
stage=$work/stage
mkdir -p "$stage"
for deb in $debs; do
	dpkg-deb -x "$deb" "$stage"
done
bl_log "step unpack: $(bl_since "$t") s"

# --- assemble the image root -------------------------------------------------
t=$(bl_now)
root=$work/root
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib/$multiarch" "$root/usr/lib64" \
	"$root/etc" "$root/root" "$root/proc" "$root/sys" "$root/dev" "$root/run" \
	"$root/tmp" "$root/var/tmp" "$root/var/log"
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s ../run "$root/var/run"

# Find a file of the staging tree under either side of the /usr merge.
stage_path() {
	for p in "$stage$1" "$stage/usr$1" "$stage${1#/usr}"; do
		[ -e "$p" ] && { printf '%s\n' "$p"; return 0; }
	done
	return 1
}

# Shared libraries a program loads, as resolved by the staged glibc loader
# restricted to the staged library folders (the host's are never used).
# (libc6's /lib64 loader entry is an absolute link, which would lead to the
# host's loader: use the file it names inside the staging tree.)
stage_loader=$(stage_path "/lib/$multiarch/${loader##*/}") || bl_die "no ${loader##*/} in the Debian packages"
libpath=$stage/lib/$multiarch:$stage/usr/lib/$multiarch
needed_libs() {
	"$stage_loader" --library-path "$libpath" --list "$1" | awk -v stage="$stage" '
		/not found/ { print "MISSING " $1; next }
		$2 == "=>" && $3 ~ /^\// { print $3 }
	'
}

# Copies PROGRAMS ("SRC DST" lines) into the root ROOT, with every library they load.
install_programs() {
	into=$1
	libs=
	while read -r src dst; do
		[ -n "$src" ] || continue
		f=$(stage_path "$src") || bl_die "$src is in none of the packages"
		cp "$f" "$into/$dst"
		chmod 755 "$into/$dst"
		these=$(needed_libs "$into/$dst") || bl_die "cannot resolve the libraries of $dst"
		libs="$libs
$these"
	done <<EOF
$2
EOF
	libs=$(echo "$libs" | sed '/^$/d' | sort -u)
	case $libs in *MISSING*) bl_die "unresolved libraries: $(echo "$libs" | grep MISSING | tr '\n' ' ')" ;; esac
	for lib in $libs; do
		case $lib in
		"$stage"/*) ;;
		*) bl_die "library $lib resolved outside the Debian packages" ;;
		esac
		# Keep the real file name (ip -V reads libbpf's version from it) and the
		# soname link the loader looks up.
		real=$(readlink -f "$lib")
		case $real in
		"$stage"/*) ;;
		*) bl_die "library $lib links outside the Debian packages ($real)" ;;
		esac
		cp "$real" "$into/usr/lib/$multiarch/${real##*/}"
		[ "${real##*/}" = "${lib##*/}" ] || ln -sf "${real##*/}" "$into/usr/lib/$multiarch/${lib##*/}"
	done
}
install_programs "$root" "$PROGRAMS"
cp "$stage_loader" "$root/usr/lib/$multiarch/${loader##*/}"
ln -s "../lib/$multiarch/${loader##*/}" "$root/usr$loader"

# dash is /bin/sh.
ln -s dash "$root/usr/bin/sh"

# Busybox applets for the usual utilities, never over a real program.
for applet in $("$stage_loader" --library-path "$libpath" "$root/usr/bin/busybox" --list); do
	case $NO_APPLET in *" $applet "*) continue ;; esac
	if [ -e "$root/usr/bin/$applet" ] || [ -e "$root/usr/sbin/$applet" ] || [ -L "$root/usr/bin/$applet" ]; then
		continue
	fi
	ln -s busybox "$root/usr/bin/$applet"
done

# Data files of iproute2 (rt_tables, ...) and tc's netem distribution tables.
[ -d "$stage/etc/iproute2" ] && cp -R "$stage/etc/iproute2" "$root/etc/"
[ -d "$stage/usr/share/iproute2" ] && mkdir -p "$root/usr/share" && cp -R "$stage/usr/share/iproute2" "$root/usr/share/"
[ -d "$stage/usr/lib/tc" ] && cp -R "$stage/usr/lib/tc" "$root/usr/lib/"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
printf 'bondlab router image: Debian bookworm packages %s\n' "$packages" >"$root/etc/bondlab-router"
# The Debian packages the files come from (all of the unpacked closure).
for deb in $debs; do
	# shellcheck disable=SC2016 # dpkg-deb's format, not ours
	dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb"
done >"$root/etc/bondlab-router.packages"
bl_log "step assemble: $(bl_since "$t") s"

# --- smoke test: the programs run with only the image's libraries ------------
t=$(bl_now)
img_loader=$root/usr/lib/$multiarch/${loader##*/}
for dst in $(echo "$PROGRAMS" | awk 'NF == 2 { print $2 }'); do
	if "$img_loader" --library-path "$root/usr/lib/$multiarch" --list "$root/$dst" | grep -q 'not found'; then
		bl_die "$dst misses a library in the image"
	fi
done
"$img_loader" --library-path "$root/usr/lib/$multiarch" "$root/usr/bin/ip" -V 2>/dev/null | grep -q iproute2 ||
	bl_die "ip -V does not report iproute2"
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # expanded inside the image's shell
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c '
		set -e
		[ "$(command -v ip)" = /usr/bin/ip ]
		ip -V 2>/dev/null | grep -q iproute2
		[ "$(echo a | awk "{ print \$1 }")" = a ]
		case $(date +%s%N) in *N | ????????????????????*) exit 1 ;; esac
		tc -V >/dev/null 2>&1; ping -V >/dev/null; ethtool --version >/dev/null
		rc=0; timeout 0.1 sleep 2 || rc=$?; [ "$rc" = 124 ]
	' || bl_die "smoke test in a chroot of the image failed"
fi
bl_log "step smoke test: $(bl_since "$t") s"

# --- tarballs ----------------------------------------------------------------
# ROOT into OUT, deterministic: sorted, mtime 0, owner root.
tarball() {
	t=$(bl_now)
	mkdir -p "$(dirname "$2")"
	tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf "$2.part" .
	mv -f "$2.part" "$2"
	bl_log "step tar ($(du -k "$2" | cut -f1) KiB, $(tar -tf "$2" | wc -l) entries): $(bl_since "$t") s"
}
tarball "$root" "$out"

# --- the debug image: the router plus tcpdump --------------------------------
if [ -n "$debug_out" ]; then
	debug_root=$work/debug-root
	cp -a "$root" "$debug_root"
	install_programs "$debug_root" "$DEBUG_PROGRAMS"
	# The user tcpdump drops privileges to (it refuses to run without it).
	echo 'tcpdump:x:101:101:tcpdump:/nonexistent:/bin/false' >>"$debug_root/etc/passwd"
	echo 'tcpdump:x:101:' >>"$debug_root/etc/group"
	printf 'bondlab debug image: the router plus Debian bookworm packages %s\n' "$debug_packages" >>"$debug_root/etc/bondlab-router"
	img_loader=$debug_root/usr/lib/$multiarch/${loader##*/}
	"$img_loader" --library-path "$debug_root/usr/lib/$multiarch" "$debug_root/usr/bin/tcpdump" --version >/dev/null 2>&1 ||
		bl_die "tcpdump --version fails in the debug image"
	tarball "$debug_root" "$debug_out"
fi
bl_log "built $out${debug_out:+ and $debug_out} in $(bl_since "$t_all") s"
