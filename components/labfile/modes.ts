// The Linux bonding driver's modes and options, as Documentation/networking/bonding.rst
// describes them. One table says which option a mode accepts, so validation, the apply
// script's arguments and the exported host configs all agree.

export const BOND_MODES = [
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
] as const;
export type BondMode = (typeof BOND_MODES)[number];

const ALL: readonly BondMode[] = BOND_MODES;
// The kernel refuses ARP monitoring in the modes that manage their slaves' MACs or LACP.
const ARP_MODES: readonly BondMode[] = ["balance-rr", "active-backup", "balance-xor", "broadcast"];
const PRIMARY_MODES: readonly BondMode[] = ["active-backup", "balance-tlb", "balance-alb"];

export interface OptionRule {
    /** Modes in which the kernel uses the option. */
    modes: readonly BondMode[];
    kind: "integer" | "enum" | "addresses" | "string" | "mac";
    values?: readonly string[];
    /** For integers: the range the kernel accepts (drivers/net/bonding/bond_options.c); unset: 0 to INT_MAX. */
    min?: number;
    max?: number;
    /** What the option does, in one line. */
    about: string;
    /** A tuning option the drill's report leaves out of "options in force" (it does not shape failover). */
    tuning?: true;
}

export const BOND_OPTIONS: Record<string, OptionRule> = {
    miimon: { modes: ALL, kind: "integer", about: "MII carrier polling interval in ms (sees only the local link)" },
    updelay: {
        modes: ALL,
        kind: "integer",
        about: "ms to wait before using a slave whose link came up (needs miimon)",
    },
    downdelay: {
        modes: ALL,
        kind: "integer",
        about: "ms to wait before disabling a slave whose link went down (needs miimon)",
    },
    use_carrier: { tuning: true, modes: ALL, kind: "integer", max: 1, about: "1: MII monitor reads netif_carrier" },
    arp_interval: {
        modes: ARP_MODES,
        kind: "integer",
        about: "ARP monitoring interval in ms (checks the path end to end)",
    },
    arp_ip_target: {
        modes: ARP_MODES,
        kind: "addresses",
        about: "addresses ARP monitoring probes; `peer` means the other router's bond address",
    },
    arp_missed_max: {
        modes: ARP_MODES,
        kind: "integer",
        min: 1,
        max: 255,
        about: "ARP monitor checks a slave may miss before it is down (kernel 5.19+; default 2)",
    },
    arp_validate: {
        modes: ARP_MODES,
        kind: "enum",
        values: ["none", "active", "backup", "all", "filter", "filter_active", "filter_backup"],
        about: "which slaves must see valid ARP traffic",
    },
    arp_all_targets: {
        modes: ["active-backup"],
        kind: "enum",
        values: ["any", "all"],
        about: "a slave is up when any/all targets answer",
    },
    primary: { modes: PRIMARY_MODES, kind: "string", about: "the slave preferred as active (eth1, eth2, ...)" },
    primary_reselect: {
        modes: PRIMARY_MODES,
        kind: "enum",
        values: ["always", "better", "failure"],
        about: "when the primary takes over again after it recovers",
    },
    fail_over_mac: {
        tuning: true,
        modes: ["active-backup"],
        kind: "enum",
        values: ["none", "active", "follow"],
        about: "how slave MACs follow a failover",
    },
    num_grat_arp: {
        tuning: true,
        modes: ["active-backup", "balance-alb"],
        kind: "integer",
        max: 255,
        about: "gratuitous ARPs sent after a failover",
    },
    xmit_hash_policy: {
        modes: ["balance-xor", "802.3ad", "balance-tlb"],
        kind: "enum",
        values: ["layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4", "vlan+srcmac"],
        about: "which header fields choose the slave for a flow",
    },
    packets_per_slave: {
        tuning: true,
        modes: ["balance-rr"],
        kind: "integer",
        max: 65535,
        about: "packets sent on a slave before moving to the next",
    },
    lacp_rate: {
        modes: ["802.3ad"],
        kind: "enum",
        values: ["slow", "fast"],
        about: "LACPDU rate asked of the partner: slow 30 s, fast 1 s",
    },
    ad_select: {
        tuning: true,
        modes: ["802.3ad"],
        kind: "enum",
        values: ["stable", "bandwidth", "count"],
        about: "aggregator selection policy",
    },
    min_links: {
        tuning: true,
        modes: ["802.3ad"],
        kind: "integer",
        about: "slaves that must be up for the bond to have carrier",
    },
    tlb_dynamic_lb: {
        tuning: true,
        modes: ["balance-tlb"],
        kind: "integer",
        max: 1,
        about: "0: hash flows (xmit_hash_policy) instead of balancing by load",
    },
    all_slaves_active: {
        tuning: true,
        modes: ALL,
        kind: "integer",
        max: 1,
        about: "1: deliver duplicate frames received on inactive slaves",
    },
    resend_igmp: { tuning: true, modes: ALL, kind: "integer", max: 255, about: "IGMP reports sent after a failover" },
};

export type BondOptionValue = number | string | string[];

/** An option's rule by its name; undefined for any other name, toString and __proto__ included. */
export function optionRule(key: string): OptionRule | undefined {
    return Object.hasOwn(BOND_OPTIONS, key) ? BOND_OPTIONS[key] : undefined;
}

/** Modes in which ARP monitoring is allowed by the kernel. */
export function allowsArpMonitoring(mode: BondMode): boolean {
    return ARP_MODES.includes(mode);
}

/** Modes with a single active slave that `primary` selects. */
export function hasPrimary(mode: BondMode): boolean {
    return PRIMARY_MODES.includes(mode);
}
