import { LabSpec, RouterSpec, bondOptionsFor } from "../spec/spec";
import { ExportError, lines, origin, slavesOf, stableUuid, vmAdvice } from "./common";

/** Kernel options NetworkManager's bond.options refuses ("not among [...]"), with the reason. */
export const NM_UNKNOWN: Readonly<Record<string, string>> = {
    arp_missed_max: "bond.options has no arp_missed_max in NetworkManager 1.42 (Debian 12)",
};

// NetworkManager: the same profiles twice, as an nmcli script and as keyfiles. NM's
// bond.options takes the kernel's option names, every one of modes.ts but those it does not
// know yet (NM_UNKNOWN, read off Debian 12's NetworkManager 1.42, which refuses them).
// Lists are the one catch: a keyfile stores arp_ip_target comma separated, while nmcli's
// bond.options is itself a comma separated list, so there the targets are separated by
// spaces (nmcli turns them back into commas, and shows them that way too).

export function networkManagerFiles(spec: LabSpec, router: RouterSpec): Record<string, string> {
    const bond = spec.bond.name;
    const options = bondOptionsFor(spec, router);
    const unknown = options.find(([k]) => k in NM_UNKNOWN);
    if (unknown) throw new ExportError("networkmanager", unknown[0], NM_UNKNOWN[unknown[0]]);
    const uuid = (name: string) => stableUuid("bondlab", spec.variant, router.name, name);
    const slaves = slavesOf(spec).map((ifname) => ({ ifname, name: `${bond}-slave-${ifname}` }));

    const nmcliOptions = options.map(([k, v]) => `${k}=${k === "arp_ip_target" ? v.replace(/,/g, " ") : v}`).join(",");
    const script = [
        "#!/bin/sh",
        `# ${origin(spec, router)} as NetworkManager profiles.`,
        "# Run as root where NetworkManager runs. Or copy the .nmconnection files beside this",
        "# script to /etc/NetworkManager/system-connections/ (mode 600), then: nmcli connection reload",
        ...vmAdvice(spec, "fail_over_mac=active to bond.options").map((l) => `# ${l}`),
        "set -eu",
        `nmcli connection add type bond con-name ${bond} ifname ${bond} \\`,
        `    connection.uuid ${uuid(bond)} connection.autoconnect-slaves yes \\`,
        `    bond.options ${quote(nmcliOptions)} \\`,
        `    ipv4.method manual ipv4.addresses ${router.address} ipv6.method disabled`,
        ...slaves.map(
            (s) =>
                `nmcli connection add type ethernet con-name ${s.name} ifname ${s.ifname} ` +
                `connection.uuid ${uuid(s.name)} master ${bond} slave-type bond`,
        ),
    ];
    const files: Record<string, string> = {
        [`nmcli-${bond}.sh`]: lines(...script),
        // autoconnect-slaves: bringing the bond up brings its slaves up with it.
        [`${bond}.nmconnection`]: keyfile({
            connection: { id: bond, uuid: uuid(bond), type: "bond", "interface-name": bond, "autoconnect-slaves": "1" },
            bond: Object.fromEntries(options),
            ipv4: { method: "manual", address1: router.address },
            ipv6: { method: "disabled" },
        }),
    };
    for (const s of slaves) {
        files[`${s.name}.nmconnection`] = keyfile({
            connection: {
                id: s.name,
                uuid: uuid(s.name),
                type: "ethernet",
                "interface-name": s.ifname,
                master: bond,
                "slave-type": "bond",
            },
        });
    }
    return files;
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
