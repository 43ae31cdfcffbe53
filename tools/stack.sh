#!/bin/sh
# npm run up [-- STACK] and npm run down [-- STACK]: pulumi up / destroy of one lab stack
# (default dev, the seed lab) with the project's local state and no passphrase prompt.
set -eu
action=$1
stack=${2:-dev}
cd "$(dirname "$0")/.."
if ! command -v pulumi >/dev/null; then
    echo "bondlab: the Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/" >&2
    exit 1
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
    pulumi up --yes --stack "$stack"
    ;;
down)
    # A stack that does not exist has nothing to remove: select it, never create it.
    if ! err=$(pulumi stack select "$stack" 2>&1); then
        case $err in
        *"no stack named"*) echo "bondlab: there is no stack $stack: nothing to remove" >&2 && exit 0 ;;
        *) echo "$err" >&2 && exit 1 ;;
        esac
    fi
    pulumi destroy --yes --stack "$stack"
    ;;
*) echo "usage: stack.sh up|down [STACK]" >&2; exit 2 ;;
esac
