import { ExportError, lines, origin, stableUuid, vmAdvice } from "./common";
import { HostConfig, HostInterface, bondsOf, isDefault, topLevel, vlansOn } from "./host";

/** Kernel options NetworkManager's bond.options refuses ("not among [...]"), with the reason. */
export const NM_UNKNOWN: Readonly<Record<string, string>> = {
    arp_missed_max: "bond.options has no arp_missed_max in NetworkManager 1.42 (Debian 12)",
};

// NetworkManager: the same profiles twice, as nmcli scripts and as keyfiles. NM's
// bond.options takes the kernel's option names, every one of modes.ts but those it does not
// know yet (NM_UNKNOWN, read off Debian 12's NetworkManager 1.42, which refuses them).
// Lists are the one catch: a keyfile stores arp_ip_target comma separated, while nmcli's
// bond.options is itself a comma separated list, so there the targets are separated by
// spaces (nmcli turns them back into commas, and shows them that way too).

export function networkManagerFiles(host: HostConfig): Record<string, string> {
    for (const bond of bondsOf(host)) {
        const unknown = bond.options.find(([k]) => k in NM_UNKNOWN);
        if (unknown) throw new ExportError("networkmanager", unknown[0], NM_UNKNOWN[unknown[0]]);
    }
    const uuid = (name: string) => stableUuid("bondlab", host.variant, host.node, name);
    const files: Record<string, string> = {};
    // One script per interface that stands on its own: a bond with its slaves and VLANs, an
    // ethernet with its VLANs. Each profile is also a keyfile.
    for (const top of topLevel(host).filter((i) => i.kind !== "vlan")) {
        const vlans = vlansOn(host, top.name);
        const slaves = (top.kind === "bond" ? top.slaves : []).map((ifname) => ({
            ifname,
            name: `${top.name}-slave-${ifname}`,
        }));
        const script = [
            "#!/bin/sh",
            `# ${origin(host, top, ...vlans)} as NetworkManager profiles.`,
            "# Run as root where NetworkManager runs. Or copy the .nmconnection files beside this",
            "# script to /etc/NetworkManager/system-connections/ (mode 600), then: nmcli connection reload",
            ...(top.kind === "bond" ? vmAdvice(top, "fail_over_mac=active to bond.options") : []),
            "set -eu",
            ...add(top, uuid(top.name)),
            ...slaves.map(
                (s) =>
                    `nmcli connection add type ethernet con-name ${s.name} ifname ${s.ifname} ` +
                    `connection.uuid ${uuid(s.name)} master ${top.name} slave-type bond`,
            ),
            ...vlans.flatMap((v) => add(v, uuid(v.name))),
        ];
        files[`nmcli-${top.name}.sh`] = lines(...script);
        files[`${top.name}.nmconnection`] = profile(top, uuid(top.name));
        for (const s of slaves) {
            files[`${s.name}.nmconnection`] = keyfile({
                connection: {
                    id: s.name,
                    uuid: uuid(s.name),
                    type: "ethernet",
                    "interface-name": s.ifname,
                    master: top.name,
                    "slave-type": "bond",
                },
            });
        }
        for (const v of vlans) files[`${v.name}.nmconnection`] = profile(v, uuid(v.name));
    }
    return files;
}

/** The nmcli command that adds a bond's, a plain ethernet's or a VLAN's profile. */
function add(iface: HostInterface, uuid: string): string[] {
    const first = `nmcli connection add type ${iface.kind} con-name ${iface.name} ifname ${iface.name} \\`;
    if (iface.kind === "bond") {
        const options = iface.options.map(([k, v]) => `${k}=${k === "arp_ip_target" ? v.replace(/,/g, " ") : v}`);
        return [
            first,
            `    connection.uuid ${uuid} connection.autoconnect-slaves yes \\`,
            `    bond.options ${quote(options.join(","))} \\`,
            `    ${ip(iface)}`,
        ];
    }
    const vlan = iface.kind === "vlan" ? ` vlan.parent ${iface.parent} vlan.id ${iface.id}` : "";
    return [first, `    connection.uuid ${uuid}${vlan} \\`, `    ${ip(iface)}`];
}

/** nmcli's IP settings: the address, the default route as the gateway, the other routes; no IPv6. */
function ip(iface: HostInterface): string {
    if (!iface.address) return "ipv4.method disabled ipv6.method disabled";
    const gateway = iface.routes.find(isDefault);
    const routes = iface.routes.filter((r) => !isDefault(r)).map((r) => `${r.to} ${r.via}`);
    return [
        `ipv4.method manual ipv4.addresses ${iface.address.address}`,
        ...(gateway ? [`ipv4.gateway ${gateway.via}`] : []),
        ...(routes.length > 0 ? [`ipv4.routes ${quote(routes.join(", "))}`] : []),
        "ipv6.method disabled",
    ].join(" ");
}

/** The keyfile of a bond's, a plain ethernet's or a VLAN's profile. */
function profile(iface: HostInterface, uuid: string): string {
    const connection = { id: iface.name, uuid, type: iface.kind, "interface-name": iface.name };
    // NM keeps the default route's gateway beside the address it is reached by: address1=ADDRESS,GATEWAY.
    const gateway = iface.routes.find(isDefault);
    const ipv4 = iface.address
        ? {
              method: "manual",
              address1: gateway ? `${iface.address.address},${gateway.via}` : iface.address.address,
              ...Object.fromEntries(
                  iface.routes.filter((r) => !isDefault(r)).map((r, i) => [`route${i + 1}`, `${r.to},${r.via}`]),
              ),
          }
        : { method: "disabled" };
    if (iface.kind === "bond")
        // autoconnect-slaves: bringing the bond up brings its slaves up with it.
        return keyfile({
            connection: { ...connection, "autoconnect-slaves": "1" },
            bond: Object.fromEntries(iface.options),
            ipv4,
            ipv6: { method: "disabled" },
        });
    return keyfile({
        connection,
        ...(iface.kind === "vlan" ? { vlan: { id: String(iface.id), parent: iface.parent } } : {}),
        ipv4,
        ipv6: { method: "disabled" },
    });
}

/** An NM keyfile: one [section] per setting, key=value lines (values here need no escaping). */
function keyfile(settings: Record<string, Record<string, string>>): string {
    return Object.entries(settings)
        .map(([name, keys]) => lines(`[${name}]`, ...Object.entries(keys).map(([k, v]) => `${k}=${v}`)))
        .join("\n");
}

/** Single-quotes a shell word. */
function quote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}
