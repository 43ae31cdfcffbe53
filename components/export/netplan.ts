import * as YAML from "yaml";
import { RuleTable, lines, origin, translate, vmAdvice } from "./common";
import { HostBond, HostConfig, HostInterface, bondsOf, isDefault, topLevel } from "./host";

// netplan (Ubuntu): one YAML file per node, with its ethernets, bonds and VLANs and the routes
// under the interface they leave by. netplan names the bond parameters itself (netplan(5),
// "Properties for device type bonds"). Intervals are written as plain numbers, which
// netplan reads as milliseconds: a suffixed "100ms" reaches NetworkManager unchanged as
// miimon=100ms when the renderer is NetworkManager (netplan 0.106), and NM refuses that.

type Value = string | number | boolean | string[];
const ms = (v: string) => Number(v);
const flag = (v: string) => v !== "0";

// The *-slave-* spellings: netplan 0.106 calls them *-member-* but keeps these as aliases,
// and older netplan knows only these.
export const NETPLAN_PARAMETERS: RuleTable<Value> = {
    mode: { key: "mode" },
    miimon: { key: "mii-monitor-interval", value: ms },
    updelay: { key: "up-delay", value: ms },
    downdelay: { key: "down-delay", value: ms },
    use_carrier: { unsupported: "netplan has no bond parameter for it" },
    arp_interval: { key: "arp-interval", value: ms },
    arp_ip_target: { key: "arp-ip-targets", value: (v) => v.split(",") },
    arp_missed_max: { unsupported: "netplan has no bond parameter for it" },
    arp_validate: { key: "arp-validate", values: ["none", "active", "backup", "all"] },
    arp_all_targets: { key: "arp-all-targets" },
    primary: { key: "primary" },
    primary_reselect: { key: "primary-reselect-policy" },
    fail_over_mac: { key: "fail-over-mac-policy" },
    num_grat_arp: { key: "gratuitous-arp", value: Number },
    xmit_hash_policy: {
        key: "transmit-hash-policy",
        values: ["layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4"],
    },
    packets_per_slave: { key: "packets-per-slave", value: Number },
    lacp_rate: { key: "lacp-rate" },
    ad_select: { key: "ad-select" },
    min_links: { key: "min-links", value: Number },
    tlb_dynamic_lb: { unsupported: "netplan has no bond parameter for it" },
    all_slaves_active: { key: "all-slaves-active", value: flag },
    resend_igmp: { key: "resend-igmp", value: Number },
};

export function netplanFiles(host: HostConfig): Record<string, string> {
    const bonds = bondsOf(host);
    const parameters = bonds.map((b) => translate("netplan", NETPLAN_PARAMETERS, b.options));
    // A kind of interface the node lacks gets no section (undefined: YAML leaves it out).
    const section = <T extends HostInterface>(list: T[], settings: (iface: T, i: number) => object) =>
        list.length > 0 ? Object.fromEntries(list.map((iface, i) => [iface.name, settings(iface, i)])) : undefined;
    const config = {
        network: {
            version: 2,
            ethernets: section(
                host.interfaces.filter((i) => i.kind === "ethernet"),
                (e) => ({ ...addresses(e), ...routes(e) }),
            ),
            bonds: section(bonds, (b, i) => ({
                interfaces: b.slaves,
                ...addresses(b),
                parameters: Object.fromEntries(parameters[i].map((p) => [p.key, p.value])),
                ...routes(b),
            })),
            vlans: section(
                host.interfaces.filter((i) => i.kind === "vlan"),
                (v) => ({ id: v.id, link: v.parent, ...addresses(v), ...routes(v) }),
            ),
        },
    };
    // Whose parameters: "the bond's" where the node has one.
    const whose = (bond: HostBond) => (bonds.length === 1 ? "the bond's" : `${bond.name}'s`);
    const header = lines(
        `# ${origin(host, ...topLevel(host))} for netplan.`,
        "# Copy to /etc/netplan/ (mode 600), then: netplan generate && netplan apply",
        ...bonds.flatMap((b) => vmAdvice(b, `fail-over-mac-policy: active to ${whose(b)} parameters`)),
    );
    return { "60-bondlab.yaml": header + YAML.stringify(config) };
}

function addresses(iface: HostInterface): { addresses?: string[] } {
    return iface.address ? { addresses: [iface.address.address] } : {};
}

function routes(iface: HostInterface): { routes?: { to: string; via: string }[] } {
    if (iface.routes.length === 0) return {};
    return { routes: iface.routes.map((r) => ({ to: isDefault(r) ? "default" : r.to, via: r.via })) };
}
