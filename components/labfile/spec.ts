import { BondMode, BondOptionValue } from "./modes";

// The typed, validated lab: everything the components need, nothing they must re-check.

export interface RouterSpec {
    /** Hostname and name in outputs, e.g. inetRouter. */
    readonly name: string;
    /** The bond's address with its prefix, e.g. 192.168.1.1/24. */
    readonly address: string;
    /** The bond's address without the prefix. */
    readonly ip: string;
}

export interface ChannelSpec {
    /** The channel's name in the lab, e.g. ch1. */
    readonly name: string;
    /** The slave's name inside each router: eth1 for the first channel, eth2 for the second... */
    readonly interface: string;
    /** The Docker network's subnet; undefined lets Docker pick a free one. */
    readonly subnet?: string;
    /**
     * The shared segment this channel joins, if any: channels of one segment are joined by a
     * switch into one L2 network (the seed's "all four NICs on one intnet").
     */
    readonly segment?: string;
    /**
     * Each NIC on this channel receives only unicast frames addressed to its own MAC as built
     * (plus broadcast and multicast), the way a VirtualBox internal network delivers frames.
     */
    readonly macFilter: boolean;
}

export interface BondSpec {
    /** The bond's interface name inside each router, e.g. bond0. */
    readonly name: string;
    readonly mode: BondMode;
    /** Options besides mode, in the kernel's names; `peer` targets are still symbolic here. */
    readonly options: Readonly<Record<string, BondOptionValue>>;
}

export interface LabSpec {
    /** The lab variant's name, e.g. seed or lacp. */
    readonly variant: string;
    /** One line on what the variant teaches. */
    readonly description: string;
    readonly bond: BondSpec;
    readonly routers: readonly [RouterSpec, RouterSpec];
    readonly channels: readonly ChannelSpec[];
    /** The management network (each router's eth0); undefined subnet lets Docker pick. */
    readonly management: { readonly subnet?: string };
    /** Run routers privileged; false gives them only NET_ADMIN and NET_RAW. */
    readonly privileged: boolean;
}

/** The shared segments, each with its channels in lab order. */
export function segmentsOf(spec: LabSpec): { name: string; channels: ChannelSpec[] }[] {
    const segments = new Map<string, ChannelSpec[]>();
    for (const channel of spec.channels) {
        if (channel.segment !== undefined)
            segments.set(channel.segment, [...(segments.get(channel.segment) ?? []), channel]);
    }
    return [...segments].map(([name, channels]) => ({ name, channels }));
}

/** The other router of the pair. */
export function peerOf(spec: LabSpec, router: RouterSpec): RouterSpec {
    return spec.routers[0].name === router.name ? spec.routers[1] : spec.routers[0];
}

/**
 * The bond's options for one router, mode first, in the kernel's names and value syntax
 * (lists joined with commas), with `peer` resolved to the other router's address.
 * The apply script, verify and every exported host config are built from this one list.
 */
export function bondOptionsFor(spec: LabSpec, router: RouterSpec): [string, string][] {
    const options: [string, string][] = [["mode", spec.bond.mode]];
    for (const [key, value] of Object.entries(spec.bond.options)) {
        const text = Array.isArray(value)
            ? value.map((v) => (v === "peer" ? peerOf(spec, router).ip : v)).join(",")
            : String(value);
        options.push([key, text]);
    }
    return options;
}

/** The slave the verify step expects to carry traffic, when the mode has one. */
export function expectedActiveSlave(spec: LabSpec): string | undefined {
    const primary = spec.bond.options.primary;
    return typeof primary === "string" ? primary : undefined;
}

/**
 * Whether verify can expect backup slaves to be up. Under ARP monitoring in active-backup a
 * backup counts as up only when ARP traffic reaches it; here each channel is its own wire and
 * the peer sends only over its active slave, so backups read "down" until a failover probes
 * them. (On one shared switch they would see the active slave's broadcasts.)
 */
export function backupsShowLinkState(spec: LabSpec): boolean {
    return !backupsUnseen(spec.bond);
}

/** The same rule for any bond, a network's links included: its backups read "down" as built. */
export function backupsUnseen(bond: Pick<BondSpec, "mode" | "options">): boolean {
    return bond.mode === "active-backup" && Number(bond.options.arp_interval ?? 0) > 0;
}
