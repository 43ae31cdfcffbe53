#!/bin/sh
# npm run up [-- STACK] and npm run down [-- STACK]: pulumi up / destroy of one lab stack
# (default dev, the seed lab) with the project's local state and no passphrase prompt.
# Where the Pulumi CLI is missing, the program runs through bondlab's engine model
# (tools/model-stack.ts). Where no Docker host with bonding is reachable, up starts the lab
# host VM (labhost/start.sh) and uses it; down stops it again once no lab up put there remains.
set -eu
action=${1:-}
stack=${2:-dev}
cd "$(dirname "$0")/.."
case $action in up | down) ;; *) echo "usage: stack.sh up|down [STACK]" >&2 && exit 2 ;; esac
say() { echo "bondlab: $*" >&2; }
# The router image the lab host VM holds (components/foundation.ts, ROUTER_IMAGE): it has no registry to build from.
LABHOST_IMAGE=bondlab.invalid/router:local
# One file per stack that up placed on the lab host VM, and "booted" while a VM up started runs.
marks=${BONDLAB_LABHOST_MARKS:-.pulumi-state/.labhost}

# The user chose a Docker engine: DOCKER_HOST, DOCKER_CONTEXT, a docker context in use, or the
# stack's docker:host. The program's host check judges whether it can bond.
docker_host_given() {
    [ -n "${DOCKER_HOST:-}" ] || [ -n "${DOCKER_CONTEXT:-}" ] ||
        grep -q '^ *docker:host:' "Pulumi.$stack.yaml" 2>/dev/null ||
        { command -v docker >/dev/null && [ "$(docker context show 2>/dev/null || echo default)" != default ]; }
}

# Why the local Docker engine cannot serve (nothing when it can): it must answer, and on Linux
# its kernel, which is this machine's, must have the bonding driver.
local_engine_lacks() {
    if ! command -v docker >/dev/null; then
        echo "no docker CLI"
    elif ! timeout 15 docker version >/dev/null 2>&1; then
        echo "no local Docker engine answers"
    elif [ "$(uname -s)" = Linux ] && ! [ -d /sys/module/bonding ] && ! modprobe bonding 2>/dev/null &&
        ! modinfo bonding >/dev/null 2>&1; then
        echo "this machine's kernel has no bonding driver"
    fi
}

labhost_running() {
    pid=$(cat "${BONDLAB_CACHE:-${HOME:-/root}/.cache/bondlab}/run/labhost.pid" 2>/dev/null) &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'qemu-system.*bondlab-labhost'
}

use_labhost() {
    running=no
    labhost_running && running=yes
    line=$(labhost/start.sh) || exit 1
    eval "$line"
    export DOCKER_HOST
    mkdir -p "$marks"
    [ "$running" = yes ] || : >"$marks/booted"
    : >"$marks/$stack"
}

stop_labhost_if_unused() {
    rm -f "$marks/$stack"
    [ -f "$marks/booted" ] || return 0
    [ -z "$(find "$marks" -type f ! -name booted)" ] || return 0
    [ -z "$(docker ps -aq --filter label=org.bondlab.stack 2>/dev/null)" ] || return 0
    say "no lab remains on the lab host VM that npm run up started: stopping it"
    labhost/stop.sh
    rm -f "$marks/booted"
}

if ! docker_host_given; then
    if [ "$action" = up ] && lacks=$(local_engine_lacks) && [ -n "$lacks" ]; then
        say "no Docker host with bonding ($lacks, and DOCKER_HOST is unset): starting bondlab's lab host VM (labhost/start.sh; its first start builds its image, which takes some minutes)"
        use_labhost
        say "the lab runs on the lab host VM ($DOCKER_HOST); npm run down removes it, and stops the VM once no lab remains"
    elif [ "$action" = down ] && [ -f "$marks/$stack" ]; then
        use_labhost
    fi
fi
on_labhost=no
[ ! -f "$marks/$stack" ] || on_labhost=yes

if ! command -v pulumi >/dev/null; then
    say "no Pulumi CLI here: running the program through bondlab's engine model (the engine's rules, engine/). Its state is .pulumi-state/.bondlab-model/$stack.json, which the CLI does not read: to move to the real engine (https://www.pulumi.com/docs/install/), npm run down first, then npm run up with the CLI"
    [ "$on_labhost" = no ] || export BONDLAB_MODEL_ROUTER_IMAGE="$LABHOST_IMAGE"
    status=0
    npx --no-install ts-node --transpile-only tools/model-stack.ts "$action" "$stack" || status=$?
    [ "$action" = up ] || [ "$status" -ne 0 ] || [ "$on_labhost" = no ] || stop_labhost_if_unused
    exit "$status"
fi

# Local state needs a passphrase for secrets; an empty one is accepted. Set yours to use one.
# A passphrase file of yours is left to work: the CLI takes PULUMI_CONFIG_PASSPHRASE first, so
# an empty one set here would hide it.
if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE=""
fi
mkdir -p .pulumi-state
case $action in
up)
    pulumi stack select --create "$stack"
    if [ "$on_labhost" = yes ] && [ -z "$(pulumi config get bondlab:routerImage --stack "$stack" 2>/dev/null)" ]; then
        say "setting bondlab:routerImage to $LABHOST_IMAGE, which the lab host VM holds (it cannot build images/router: no registry)"
        pulumi config set bondlab:routerImage "$LABHOST_IMAGE" --stack "$stack"
    fi
    pulumi up --yes --stack "$stack"
    ;;
down)
    # A stack that does not exist has nothing to remove: select it, never create it.
    if ! err=$(pulumi stack select "$stack" 2>&1); then
        case $err in
        *"no stack named"*) say "there is no stack $stack: nothing to remove" && exit 0 ;;
        *) echo "$err" >&2 && exit 1 ;;
        esac
    fi
    pulumi destroy --yes --stack "$stack"
    [ "$on_labhost" = no ] || stop_labhost_if_unused
    ;;
esac
