#!/bin/sh
# A router container's main process. After a restart the container has fresh interfaces
# and no bond: rebuild it from the settings the last apply saved, then idle until stopped.
trap 'exit 0' TERM INT
if [ -f /etc/bondlab/apply.sh ]; then
    sh /etc/bondlab/apply.sh || echo "bondlab: could not rebuild the bond after a restart" >&2
fi
while :; do
    sleep 3600 &
    wait $!
done
