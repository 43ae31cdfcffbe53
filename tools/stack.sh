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
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
mkdir -p .pulumi-state
pulumi stack select --create "$stack"
case $action in
up) pulumi up --yes --stack "$stack" ;;
down) pulumi destroy --yes --stack "$stack" ;;
*) echo "usage: stack.sh up|down [STACK]" >&2; exit 2 ;;
esac
