import { RuleTable, lines, origin, ownerOf, translate, vmAdvice } from "./common";
import { HostConfig, HostInterface, bondsOf, isDefault, vlansOn } from "./host";

// systemd-networkd: a .netdev that creates each bond and VLAN, and a .network per interface
// for its address, its bond or VLANs and its routes (systemd.netdev(5), [Bond] and [VLAN];
// systemd.network(5), Bond=, PrimarySlave=, VLAN= and [Route]).
// Its time spans default to seconds, so intervals carry "ms".

const ms = (v: string) => `${v}ms`;
const bool = (v: string) => (v === "0" ? "false" : "true");

/** Kernel option -> [Bond] key of the .netdev; `primary` goes to the slave's .network instead. */
export const NETWORKD_BOND_KEYS: RuleTable<string> = {
    mode: { key: "Mode" },
    miimon: { key: "MIIMonitorSec", value: ms },
    updelay: { key: "UpDelaySec", value: ms },
    downdelay: { key: "DownDelaySec", value: ms },
    use_carrier: { unsupported: "[Bond] has no key for it" },
    arp_interval: { key: "ARPIntervalSec", value: ms },
    arp_ip_target: { key: "ARPIPTargets", value: (v) => v.split(",").join(" ") },
    arp_missed_max: { unsupported: "[Bond] has no key for it in systemd 252 (Debian 12)" },
    arp_validate: { key: "ARPValidate", values: ["none", "active", "backup", "all"] },
    arp_all_targets: { key: "ARPAllTargets" },
    primary: { key: "PrimarySlave" },
    primary_reselect: { key: "PrimaryReselectPolicy" },
    fail_over_mac: { key: "FailOverMACPolicy" },
    num_grat_arp: { key: "GratuitousARP" },
    xmit_hash_policy: { key: "TransmitHashPolicy", values: ["layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4"] },
    packets_per_slave: { key: "PacketsPerSlave" },
    lacp_rate: { key: "LACPTransmitRate" },
    ad_select: { key: "AdSelect" },
    min_links: { key: "MinLinks" },
    tlb_dynamic_lb: { key: "DynamicTransmitLoadBalancing", value: bool },
    all_slaves_active: { key: "AllSlavesActive", value: bool },
    resend_igmp: { key: "ResendIGMP" },
};

export function networkdFiles(host: HostConfig): Record<string, string> {
    const files: Record<string, string> = {};
    const comment = (iface: HostInterface) =>
        `# ${origin(host, ownerOf(host, iface))} for systemd-networkd: copy to /etc/systemd/network/`;
    const primaries: string[] = [];
    for (const bond of bondsOf(host)) {
        const options = translate("systemd-networkd", NETWORKD_BOND_KEYS, bond.options);
        primaries.push(...options.filter((o) => o.option === "primary").map((o) => o.value));
        files[`10-${bond.name}.netdev`] = lines(
            comment(bond),
            ...vmAdvice(bond, "FailOverMACPolicy=active under [Bond]"),
            "[NetDev]",
            `Name=${bond.name}`,
            "Kind=bond",
            "",
            "[Bond]",
            ...options.filter((o) => o.option !== "primary").map((o) => `${o.key}=${o.value}`),
        );
    }
    for (const vlan of host.interfaces.filter((i) => i.kind === "vlan"))
        files[`10-${vlan.name}.netdev`] = lines(
            comment(vlan),
            "[NetDev]",
            `Name=${vlan.name}`,
            "Kind=vlan",
            "",
            "[VLAN]",
            `Id=${vlan.id}`,
        );
    for (const iface of host.interfaces) {
        const slave = iface.kind === "ethernet" && iface.master !== undefined;
        files[`20-${iface.name}.network`] = lines(
            comment(iface),
            "[Match]",
            `Name=${iface.name}`,
            "",
            "[Network]",
            ...(iface.address ? [`Address=${iface.address.address}`] : []),
            ...(slave ? [`Bond=${iface.master}`] : []),
            ...(primaries.includes(iface.name) ? ["PrimarySlave=true"] : []),
            ...vlansOn(host, iface.name).map((v) => `VLAN=${v.name}`),
            // The default route is a gateway alone; networkd fills in 0.0.0.0/0.
            ...iface.routes.flatMap((r) => [
                "",
                "[Route]",
                ...(isDefault(r) ? [] : [`Destination=${r.to}`]),
                `Gateway=${r.via}`,
            ]),
        );
    }
    return files;
}
