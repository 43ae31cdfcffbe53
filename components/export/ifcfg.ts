import { LabSpec, RouterSpec, bondOptionsFor } from "../spec/spec";
import { lines, origin, prefixOf, slavesOf, vmAdvice } from "./common";

// RHEL/CentOS network-scripts: /etc/sysconfig/network-scripts/ifcfg-*. BONDING_OPTS takes
// the kernel's own names and syntax (key=value separated by spaces; arp_ip_target keeps its
// commas), so every option of modes.ts is expressible here.

export function ifcfgFiles(spec: LabSpec, router: RouterSpec): Record<string, string> {
    const bond = spec.bond.name;
    const options = bondOptionsFor(spec, router)
        .map(([key, value]) => `${key}=${value}`)
        .join(" ");
    // NM_CONTROLLED=no: these files are for the legacy network service; NetworkManager
    // hosts (RHEL 8 and later) take the networkmanager/ export instead.
    const files: Record<string, string> = {
        [`ifcfg-${bond}`]: lines(
            `# ${origin(spec, router)}, for the network service (network-scripts)`,
            ...vmAdvice(spec, "fail_over_mac=active to BONDING_OPTS").map((l) => `# ${l}`),
            `DEVICE=${bond}`,
            `NAME=${bond}`,
            "TYPE=Bond",
            "BONDING_MASTER=yes",
            `BONDING_OPTS="${options}"`,
            `IPADDR=${router.ip}`,
            `PREFIX=${prefixOf(router)}`,
            "ONBOOT=yes",
            "BOOTPROTO=none",
            "NM_CONTROLLED=no",
        ),
    };
    for (const slave of slavesOf(spec)) {
        files[`ifcfg-${slave}`] = lines(
            `# ${origin(spec, router)}: slave ${slave}`,
            `DEVICE=${slave}`,
            `NAME=${bond}-slave-${slave}`,
            "TYPE=Ethernet",
            `MASTER=${bond}`,
            "SLAVE=yes",
            "ONBOOT=yes",
            "BOOTPROTO=none",
            "NM_CONTROLLED=no",
        );
    }
    return files;
}
