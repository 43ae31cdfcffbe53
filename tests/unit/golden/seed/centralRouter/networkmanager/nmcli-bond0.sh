#!/bin/sh
# bondlab seed: centralRouter's bond0 (active-backup) as NetworkManager profiles.
# Run as root where NetworkManager runs. Or copy the .nmconnection files beside this
# script to /etc/NetworkManager/system-connections/ (mode 600), then: nmcli connection reload
# In a VM whose hypervisor filters the guest's MAC changes (a VirtualBox internal network,
# Hyper-V without MAC address spoofing, a VMware port group that rejects MAC changes), add
# fail_over_mac=active to bond.options: at failover the bond then takes the new active slave's own MAC.
set -eu
nmcli connection add type bond con-name bond0 ifname bond0 \
    connection.uuid 81e4db27-7197-5f60-b1a7-e77f334b0e5f connection.autoconnect-slaves yes \
    bond.options 'mode=active-backup,miimon=100,primary=eth1,primary_reselect=always' \
    ipv4.method manual ipv4.addresses 192.168.1.2/24 ipv6.method disabled
nmcli connection add type ethernet con-name bond0-slave-eth1 ifname eth1 connection.uuid 9fd7647d-540d-5969-819d-bcd789d379e1 master bond0 slave-type bond
nmcli connection add type ethernet con-name bond0-slave-eth2 ifname eth2 connection.uuid 47dead90-0433-5c77-9030-c634800a8218 master bond0 slave-type bond
