import { BondMode, BondOptionValue } from "./modes";

// The typed, validated network of a version 2 lab file: any nodes, links of one or more
// channels (two or more are bonded at both ends), shared segments, VLANs and static routes.
// A version 1 lab (two routers, one bond) is read as the same network with one link
// (classic.ts); twoRouterLink() finds that link again for the outputs such labs keep.

/** An address on an interface, with its prefix (192.168.1.1/24) and without it (192.168.1.1). */
export interface AddressSpec {
    readonly address: string;
    readonly ip: string;
}

/** An 802.1Q sub-interface, e.g. bond0.100. */
export interface VlanSpec extends AddressSpec {
    readonly id: number;
    /** The sub-interface's name inside the node: <parent>.<id>. */
    readonly interface: string;
}

/** Where a node meets a link or a segment: the interface that carries its address and VLANs. */
export interface AttachmentSpec {
    readonly node: string;
    /** bond0 for a bonded link's end, else the node's own ethN. */
    readonly interface: string;
    /** The untagged address, if any (a trunk may carry VLANs only). */
    readonly address?: AddressSpec;
    readonly vlans: readonly VlanSpec[];
}

/** One end of a link: its attachment, plus the node's interface for each of the link's channels. */
export interface LinkEndSpec extends AttachmentSpec {
    /** The node's interface on each channel, in channel order (the bond's slaves when bonded). */
    readonly slaves: readonly string[];
}

/** One channel (physical cable) of a link: its own Docker network. */
export interface ChannelSpec {
    /** The channel's name in the lab, e.g. ch1. */
    readonly name: string;
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

export interface LinkBondSpec {
    readonly mode: BondMode;
    /**
     * Options besides mode, in the kernel's names. Still symbolic: `peer` in arp_ip_target is
     * the other end's address, and `primary` names one of the link's channels.
     */
    readonly options: Readonly<Record<string, BondOptionValue>>;
}

export interface LinkSpec {
    /** The link's name, e.g. wan: the drill's --link. */
    readonly name: string;
    /** Its channels (physical cables), each its own Docker network. */
    readonly channels: readonly ChannelSpec[];
    /** Present when the link has two or more channels: both ends bond them. */
    readonly bond?: LinkBondSpec;
    readonly ends: readonly [LinkEndSpec, LinkEndSpec];
}

export interface RouteSpec {
    /** The destination subnet; 0.0.0.0/0 for `default`. */
    readonly to: string;
    readonly via: string;
}

export interface NodeSpec {
    /** Hostname and name in outputs, e.g. centralRouter. */
    readonly name: string;
    /** A router forwards between its interfaces; a host does not. */
    readonly kind: "router" | "host";
    /** An image to run as it is; unset runs bondlab's router image. */
    readonly image?: string;
    readonly privileged: boolean;
    /**
     * net.ipv4.ip_forward in its container: on for a network's routers, off for its hosts.
     * Unset for the routers of a two-router lab, whose containers never set it and keep the
     * Docker host's default: setting it now would replace them on upgrade.
     */
    readonly forwarding?: boolean;
    readonly routes: readonly RouteSpec[];
}

/** A shared L2 network: nodes' ports on one switch, plus any link channels joined into it. */
export interface SegmentSpec {
    readonly name: string;
    /** The Docker network's subnet for the ports; undefined lets Docker pick. */
    readonly subnet?: string;
    readonly ports: readonly AttachmentSpec[];
    /** Names of link channels that join this segment. */
    readonly channels: readonly string[];
}

export interface TopologySpec {
    /** The lab variant's name, e.g. vlan-lacp. */
    readonly variant: string;
    readonly description: string;
    readonly nodes: readonly NodeSpec[];
    readonly links: readonly LinkSpec[];
    readonly segments: readonly SegmentSpec[];
    readonly management: { readonly subnet?: string };
}

/**
 * Whether verify can expect a bond's backup slaves to be up. Under ARP monitoring in
 * active-backup a backup counts as up only when ARP traffic reaches it; on a link each channel
 * is its own wire and the peer sends only over its active slave, so backups read "down" until
 * a failover probes them. (On one shared switch they would see the active slave's broadcasts.)
 */
export function backupsUnseen(bond: LinkBondSpec): boolean {
    return bond.mode === "active-backup" && Number(bond.options.arp_interval ?? 0) > 0;
}

/**
 * The one link of a two-router lab, when the network is one: two routers on bondlab's image
 * joined by one bonded link, with addresses on the bond and nothing else. Such a lab keeps
 * the outputs older releases published (`routers`, `labHandle`). Anything more returns what
 * it holds beyond that, for messages.
 */
export function twoRouterLink(topology: TopologySpec): LinkSpec | string {
    const [link, ...more] = topology.links;
    const custom = topology.nodes.find((n) => n.kind !== "router" || n.image !== undefined || n.routes.length > 0);
    if (topology.nodes.length !== 2 || more.length > 0 || !link?.bond)
        return `${count(topology.nodes.length, "node")} and ${count(topology.links.length, "link")}`;
    if (custom)
        return (
            `node ${custom.name} is a ${custom.kind}` +
            `${custom.image ? " with its own image" : ""}${custom.routes.length ? " with routes" : ""}`
        );
    if (topology.segments.some((s) => s.ports.length > 0)) return "segments with ports";
    if (link.ends.some((e) => e.vlans.length > 0 || e.address === undefined))
        return "VLANs, or a bond end without an address";
    if (link.ends[0].interface !== link.ends[1].interface) return "bonds of different names at the two ends";
    if (topology.nodes[0].privileged !== topology.nodes[1].privileged) return "one privileged router and one not";
    return link;
}

function count(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** An address with the L2 network it sits on and the lab-file field that set it. */
export interface PlacedAddress {
    readonly node: string;
    /** "link wan", "segment testlan", "segment testlan, VLAN 100" */
    readonly domain: string;
    readonly address: AddressSpec;
    /** The interface that holds it: bond0, eth3, eth3.100. */
    readonly device: string;
    readonly field: string;
}

/** Where the nodes meet the network: the links' ends, then the segments' ports. */
export function attachmentsOf(topology: Pick<TopologySpec, "links" | "segments">): AttachmentSpec[] {
    return [...topology.links.flatMap((l) => l.ends), ...topology.segments.flatMap((s) => s.ports)];
}

/** The L2 network of a link's wire: its own, or the segment its channels join. */
export function linkDomain(link: Pick<LinkSpec, "name" | "channels">): string {
    const joined = link.channels.find((c) => c.segment !== undefined)?.segment;
    return joined ? `segment ${joined}` : `link ${link.name}`;
}

/** Every valid address of the network with its L2 network: a link, a segment, or a VLAN on one. */
export function placedAddresses(topology: Pick<TopologySpec, "links" | "segments">): PlacedAddress[] {
    const result: PlacedAddress[] = [];
    const place = (domain: string, field: string, attachment: AttachmentSpec) => {
        const { node, address } = attachment;
        if (address && address.ip !== "")
            result.push({ node, domain, address, device: attachment.interface, field: `${field}.address` });
        attachment.vlans.forEach((v, k) => {
            if (v.ip !== "")
                result.push({
                    node,
                    domain: `${domain}, VLAN ${v.id}`,
                    address: v,
                    device: v.interface,
                    field: `${field}.vlans[${k}].address`,
                });
        });
    };
    topology.links.forEach((link, i) =>
        link.ends.forEach((end) => place(linkDomain(link), `links[${i}].ends.${end.node}`, end)),
    );
    topology.segments.forEach((segment, s) =>
        segment.ports.forEach((port) => place(`segment ${segment.name}`, `segments[${s}].ports.${port.node}`, port)),
    );
    return result;
}
