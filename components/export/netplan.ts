import * as YAML from "yaml";
import { LabSpec, RouterSpec, bondOptionsFor } from "../spec/spec";
import { RuleTable, lines, origin, slavesOf, translate, vmAdvice } from "./common";

// netplan (Ubuntu): one YAML file. netplan names the bond parameters itself (netplan(5),
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

export function netplanFiles(spec: LabSpec, router: RouterSpec): Record<string, string> {
    const parameters = translate("netplan", NETPLAN_PARAMETERS, bondOptionsFor(spec, router));
    const slaves = slavesOf(spec);
    const config = {
        network: {
            version: 2,
            ethernets: Object.fromEntries(slaves.map((s) => [s, {}])),
            bonds: {
                [spec.bond.name]: {
                    interfaces: slaves,
                    addresses: [router.address],
                    parameters: Object.fromEntries(parameters.map((p) => [p.key, p.value])),
                },
            },
        },
    };
    const header = lines(
        `# ${origin(spec, router)} for netplan.`,
        "# Copy to /etc/netplan/ (mode 600), then: netplan generate && netplan apply",
        ...vmAdvice(spec, "fail-over-mac-policy: active to the bond's parameters").map((l) => `# ${l}`),
    );
    return { "60-bondlab.yaml": header + YAML.stringify(config) };
}
