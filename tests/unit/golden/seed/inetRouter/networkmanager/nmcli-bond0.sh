#!/bin/sh
# bondlab seed: inetRouter's bond0 (active-backup) as NetworkManager profiles.
# Run as root where NetworkManager runs. Or copy the .nmconnection files beside this
# script to /etc/NetworkManager/system-connections/ (mode 600), then: nmcli connection reload
# In a VM whose hypervisor filters the guest's MAC changes (a VirtualBox internal network,
# Hyper-V without MAC address spoofing, a VMware port group that rejects MAC changes), add
# fail_over_mac=active to bond.options: at failover the bond then takes the new active slave's own MAC.
set -eu
nmcli connection add type bond con-name bond0 ifname bond0 \
    connection.uuid 65962be0-ad75-5704-ac2a-8e0df5ab0e98 connection.autoconnect-slaves yes \
    bond.options 'mode=active-backup,miimon=100,primary=eth1,primary_reselect=always' \
    ipv4.method manual ipv4.addresses 192.168.1.1/24 ipv6.method disabled
nmcli connection add type ethernet con-name bond0-slave-eth1 ifname eth1 connection.uuid 1df4f223-275d-51e5-806b-fcd55ce1f097 master bond0 slave-type bond
nmcli connection add type ethernet con-name bond0-slave-eth2 ifname eth2 connection.uuid 6c453523-ac73-5455-92e5-124312d97b69 master bond0 slave-type bond
