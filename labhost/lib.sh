# shellcheck shell=sh
# Helpers shared by the lab host scripts (labhost/*.sh) and the offline router
# image build (images/router/*.sh). Source it; it defines functions and sets
# nothing else. Every message goes to stderr: callers keep stdout for results.

bl_log() {
	printf '%s: %s\n' "${BL_PROG:-bondlab}" "$*" >&2
}

bl_die() {
	bl_log "error: $*"
	exit 1
}

# Root of every cached artefact: VM images, router tarballs, run state.
bl_cache_dir() {
	printf '%s\n' "${BONDLAB_CACHE:-${HOME:-/root}/.cache/bondlab}"
}

# Wall clock in seconds with nanoseconds, for timings.
bl_now() {
	date +%s.%N
}

# Seconds elapsed since a bl_now value, one decimal.
bl_since() {
	awk -v a="$1" -v b="$(bl_now)" 'BEGIN { printf "%.1f", b - a }'
}

# The Debian release the lab host VM runs, from BONDLAB_LABHOST_DEBIAN: each brings its own
# kernel and Docker engine (docker.io), so one variable picks the engine a lab is tested on.
#   bookworm  Debian 12: kernel 6.1, Docker 20.10, classic image store
#   trixie    Debian 13: kernel 6.12, Docker 26.1, classic image store
#   forky     Debian testing: Docker 28.5 with the containerd image store turned on
#             (features.containerd-snapshotter), as Docker 29 has it by default, on
#             Debian 13's kernel (build.sh says why)
# "testing" is taken as forky. Prints the release, or fails naming the choices.
BL_LABHOST_RELEASES="bookworm trixie forky"
bl_labhost_release() {
	_bl_r=${BONDLAB_LABHOST_DEBIAN:-forky}
	[ "$_bl_r" != testing ] || _bl_r=forky
	case " $BL_LABHOST_RELEASES " in
	*" $_bl_r "*) printf '%s\n' "$_bl_r" ;;
	*) bl_die "BONDLAB_LABHOST_DEBIAN=$_bl_r is not a lab host release; use one of: $BL_LABHOST_RELEASES (or testing)" ;;
	esac
	unset _bl_r
}

# Short content hash of the given files, in order (cache keys).
bl_hash_files() {
	cat "$@" | sha256sum | cut -c1-16
}

# The Debian archive to use, read at run time from this machine's apt sources
# (never written into a file): BONDLAB_DEBIAN_MIRROR if set, else the first
# deb822 stanza under /etc/apt/sources.list.d/*.sources whose Suites include
# plain "bookworm", else the first URIs: line there, else the first `deb` line
# of /etc/apt/sources.list.
bl_mirror() {
	if [ -n "${BONDLAB_DEBIAN_MIRROR:-}" ]; then
		printf '%s\n' "$BONDLAB_DEBIAN_MIRROR"
		return 0
	fi
	_bl_m=
	for _bl_f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$_bl_f" ] || continue
		_bl_m=$(awk '
			function flush() {
				if (uri != "" && suites ~ /(^| )bookworm( |$)/ && types ~ /(^| )deb( |$)/ && best == "") best = uri
				uri = ""; suites = ""; types = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^[ \t]*#/ { next }
			tolower($1) == "uris:" { uri = $2; if (first == "") first = $2 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 " " }
			tolower($1) == "types:" { $1 = ""; types = $0 " " }
			END { flush(); if (best != "") print best; else if (first != "") print "?" first }
		' "$_bl_f")
		case $_bl_m in
		'') ;;
		'?'*) [ -n "${_bl_first:-}" ] || _bl_first=${_bl_m#?} ;;
		*) break ;;
		esac
		_bl_m=
	done
	[ -n "$_bl_m" ] || _bl_m=${_bl_first:-}
	if [ -z "$_bl_m" ] && [ -r /etc/apt/sources.list ]; then
		_bl_m=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
	fi
	unset _bl_f _bl_first
	[ -n "$_bl_m" ] || bl_die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list (set BONDLAB_DEBIAN_MIRROR)"
	printf '%s\n' "${_bl_m%/}"
	unset _bl_m
}

# bl_need CMD:PACKAGE ...: make sure each command exists; as root, install the
# missing ones from the machine's Debian apt sources, else fail with a hint.
bl_need() {
	_bl_missing=
	for _bl_spec in "$@"; do
		command -v "${_bl_spec%%:*}" >/dev/null 2>&1 || _bl_missing="$_bl_missing ${_bl_spec#*:}"
	done
	[ -n "$_bl_missing" ] || return 0
	if [ "$(id -u)" != 0 ] || [ -n "${BONDLAB_NO_APT:-}" ]; then
		bl_die "missing tools; install the Debian packages:$_bl_missing"
	fi
	bl_log "installing missing Debian packages:$_bl_missing"
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $_bl_missing >&2; then
		DEBIAN_FRONTEND=noninteractive apt-get update >&2 || true
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $_bl_missing >&2 ||
			bl_die "could not install:$_bl_missing"
	fi
	unset _bl_missing _bl_spec
}

bl_need_root() {
	[ "$(id -u)" = 0 ] || bl_die "must run as root (it uses chroot, mounts and mke2fs -d)"
}
