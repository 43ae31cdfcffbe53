import { HostConfig, HostInterface, isDefault } from "./host";
import { lines, origin, ownerOf, prefixOf, vmAdvice } from "./common";

// RHEL/CentOS network-scripts: /etc/sysconfig/network-scripts/ifcfg-* per interface, and
// route-* for the static routes that leave by one. BONDING_OPTS takes the kernel's own names
// and syntax (key=value separated by spaces; arp_ip_target keeps its commas), so every option
// of modes.ts is expressible here.

export function ifcfgFiles(host: HostConfig): Record<string, string> {
    const files: Record<string, string> = {};
    for (const iface of host.interfaces) {
        // NM_CONTROLLED=no: these files are for the legacy network service; NetworkManager
        // hosts (RHEL 8 and later) take the networkmanager/ export instead.
        files[`ifcfg-${iface.name}`] = lines(
            ...header(host, iface),
            ...device(iface),
            ...(iface.address ? [`IPADDR=${iface.address.ip}`, `PREFIX=${prefixOf(iface.address)}`] : []),
            "ONBOOT=yes",
            "BOOTPROTO=none",
            "NM_CONTROLLED=no",
        );
        // ifup-routes passes each line to `ip route add` as it stands, and skips comments.
        if (iface.routes.length > 0)
            files[`route-${iface.name}`] = lines(
                `# ${origin(host, iface)}: static routes, for the network service (ifup-routes)`,
                ...iface.routes.map((r) => `${isDefault(r) ? "default" : r.to} via ${r.via} dev ${iface.name}`),
            );
    }
    return files;
}

function header(host: HostConfig, iface: HostInterface): string[] {
    if (iface.kind === "ethernet" && iface.master !== undefined)
        return [`# ${origin(host, ownerOf(host, iface))}: slave ${iface.name}`];
    return [
        `# ${origin(host, iface)}, for the network service (network-scripts)`,
        ...(iface.kind === "bond" ? vmAdvice(iface, "fail_over_mac=active to BONDING_OPTS") : []),
    ];
}

/** The lines that say what the interface is, before its address. */
function device(iface: HostInterface): string[] {
    const named = [`DEVICE=${iface.name}`];
    if (iface.kind === "bond") {
        const options = iface.options.map(([key, value]) => `${key}=${value}`).join(" ");
        return [...named, `NAME=${iface.name}`, "TYPE=Bond", "BONDING_MASTER=yes", `BONDING_OPTS="${options}"`];
    }
    if (iface.kind === "vlan")
        return [...named, `NAME=${iface.name}`, "VLAN=yes", `PHYSDEV=${iface.parent}`, `VLAN_ID=${iface.id}`];
    if (iface.master !== undefined)
        return [
            ...named,
            `NAME=${iface.master}-slave-${iface.name}`,
            "TYPE=Ethernet",
            `MASTER=${iface.master}`,
            "SLAVE=yes",
        ];
    return [...named, `NAME=${iface.name}`, "TYPE=Ethernet"];
}
