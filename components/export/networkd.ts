import { LabSpec, RouterSpec, bondOptionsFor } from "../spec/spec";
import { RuleTable, lines, origin, slavesOf, translate, vmAdvice } from "./common";

// systemd-networkd: a .netdev that creates the bond, a .network for its address and one
// .network per slave (systemd.netdev(5), [Bond]; systemd.network(5), Bond= and PrimarySlave=).
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

export function networkdFiles(spec: LabSpec, router: RouterSpec): Record<string, string> {
    const bond = spec.bond.name;
    const options = translate("systemd-networkd", NETWORKD_BOND_KEYS, bondOptionsFor(spec, router));
    const primary = options.find((o) => o.option === "primary")?.value;
    const comment = `# ${origin(spec, router)} for systemd-networkd: copy to /etc/systemd/network/`;
    const files: Record<string, string> = {
        [`10-${bond}.netdev`]: lines(
            comment,
            ...vmAdvice(spec, "FailOverMACPolicy=active under [Bond]").map((l) => `# ${l}`),
            "[NetDev]",
            `Name=${bond}`,
            "Kind=bond",
            "",
            "[Bond]",
            ...options.filter((o) => o.option !== "primary").map((o) => `${o.key}=${o.value}`),
        ),
        [`20-${bond}.network`]: lines(comment, "[Match]", `Name=${bond}`, "", "[Network]", `Address=${router.address}`),
    };
    for (const slave of slavesOf(spec)) {
        files[`20-${slave}.network`] = lines(
            comment,
            "[Match]",
            `Name=${slave}`,
            "",
            "[Network]",
            `Bond=${bond}`,
            ...(slave === primary ? ["PrimarySlave=true"] : []),
        );
    }
    return files;
}
