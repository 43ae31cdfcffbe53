import { Reach } from "./labfile/reach";
import { LinkEndSpec, LinkSpec, TopologySpec, attachmentsOf, backupsUnseen, placedAddresses } from "./labfile/topology";

// What a node of a version 2 network is told: its ports in order, the lines node-apply.sh
// builds it from, and the checks node-verify.sh runs. Pure functions of the validated
// network (plus Docker's subnets and the nodes' MACs once known), so they are unit-tested
// without Docker.

/** One of a node's interfaces on a lab network: a link's channel or a segment's own network. */
export interface NodePort {
    readonly interface: string;
    /** The channel's or segment's name (its Docker network is named after it). */
    readonly network: string;
}

/** A node's ports in interface order (eth1, eth2, ...): its links' channels, then its segment ports. */
export function portsOf(topology: TopologySpec, node: string): NodePort[] {
    const ports: NodePort[] = [];
    for (const link of topology.links)
        for (const end of link.ends.filter((e) => e.node === node))
            end.slaves.forEach((slave, i) => ports.push({ interface: slave, network: link.channels[i].name }));
    for (const segment of topology.segments)
        for (const port of segment.ports.filter((p) => p.node === node))
            ports.push({ interface: port.interface, network: segment.name });
    return ports;
}

/**
 * The bond options of one end, mode first, in the kernel's names and value syntax (lists joined
 * with commas): `primary` becomes that end's slave on the named channel, `peer` in
 * arp_ip_target the other end's address. node-apply.sh and every exported host config take this.
 */
export function endBondOptions(link: LinkSpec, end: LinkEndSpec): [string, string][] {
    const peer = link.ends.find((e) => e !== end)!;
    const options: [string, string][] = [["mode", link.bond!.mode]];
    for (const [key, value] of Object.entries(link.bond!.options)) {
        if (key === "primary") options.push([key, end.slaves[link.channels.findIndex((c) => c.name === value)]]);
        else if (Array.isArray(value))
            options.push([key, value.map((v) => (v === "peer" ? peer.address!.ip : v)).join(",")]);
        else options.push([key, String(value)]);
    }
    return options;
}

/** The bond options of one end as `ip link add type bond` takes them. */
export function endOptions(link: LinkSpec, end: LinkEndSpec): string {
    return endBondOptions(link, end)
        .map(([k, v]) => `${k} ${v}`)
        .join(" ");
}

/** What verify checks one end's bond against: bond-status.sh's expectations, in one place for the node and the drill. */
export interface EndExpectations {
    readonly bond: string;
    /** The options asked for, as `ip link add type bond` takes them: each must be in force. */
    readonly options: string;
    readonly slaves: readonly string[];
    /** The slave that must be active (the primary's), or "" where none is asked for. */
    readonly active: string;
    /** "unknown" where backups read down as built (ARP-monitored active-backup), else "up". */
    readonly backups: "up" | "unknown";
}

export function endExpectations(link: LinkSpec, end: LinkEndSpec): EndExpectations {
    const bond = link.bond!;
    const primary = link.channels.findIndex((c) => c.name === bond.options.primary);
    return {
        bond: end.interface,
        options: endOptions(link, end),
        slaves: end.slaves,
        active: primary >= 0 ? end.slaves[primary] : "",
        backups: backupsUnseen(bond) ? "unknown" : "up",
    };
}

/**
 * node-apply.sh's settings for one node. `subnets` maps each lab network (channel or segment
 * name) to the subnet Docker gave it; `management` is eth0's subnet and gateway.
 */
export function nodeNetLines(
    topology: TopologySpec,
    node: string,
    subnets: Readonly<Record<string, string>>,
    management: { subnet: string; gateway: string },
): string {
    const lines = [`mgmt eth0 ${management.subnet} ${management.gateway}`];
    const ports = portsOf(topology, node);
    for (const port of ports) lines.push(`port ${port.interface} ${subnets[port.network]}`);
    // macFilter: the NIC takes only unicast addressed to its own MAC as built (a VirtualBox internal network's rule).
    const filtered = new Set(topology.links.flatMap((l) => l.channels.filter((c) => c.macFilter).map((c) => c.name)));
    for (const port of ports.filter((p) => filtered.has(p.network))) lines.push(`filter ${port.interface}`);
    for (const link of topology.links)
        for (const end of link.ends.filter((e) => e.node === node && link.bond))
            lines.push(`bond ${end.interface} ${end.slaves.join(",")} ${endOptions(link, end)}`);
    for (const a of attachmentsOf(topology).filter((a) => a.node === node))
        for (const vlan of a.vlans) lines.push(`vlan ${vlan.interface} ${a.interface} ${vlan.id}`);
    for (const placed of placedAddresses(topology).filter((p) => p.node === node))
        lines.push(`addr ${placed.device} ${placed.address.address}`);
    for (const route of topology.nodes.find((n) => n.name === node)!.routes)
        lines.push(`route ${route.to === "0.0.0.0/0" ? "default" : route.to} ${route.via}`);
    return lines.join("\n");
}

/** Each node's interfaces and their MACs, as node-apply.sh prints them. */
export type NetworkMacs = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** A device's MAC as its node's apply printed it, or "?": own keys only, a bond named constructor included. */
function macOf(macs: NetworkMacs, node: string, device: string): string {
    const devices = Object.hasOwn(macs, node) ? macs[node] : undefined;
    return devices && Object.hasOwn(devices, device) ? devices[device] : "?";
}

/**
 * node-verify.sh's checks for one node:
 *   bond NAME SLAVES ACTIVE|- BACKUPS OPTIONS   bond-status.sh's strict check (every option in force
 *                                       as asked, the slaves, the active slave, the LACP partner)
 *                                       and, for 802.3ad, LACPDUs still arriving on every slave
 *   ping IP MAC|-                       IP answers; with a MAC, the answer came from that MAC
 * Pings go to every L2 neighbour, and from a host to every host its routes reach. Where the
 * same address lives in another L2 network (the VLAN lab), the MAC proves which one answered.
 */
export function nodeCheckLines(topology: TopologySpec, node: string, macs: NetworkMacs): string {
    const lines: string[] = [];
    for (const link of topology.links) {
        if (!link.bond) continue;
        for (const end of link.ends.filter((e) => e.node === node)) {
            const want = endExpectations(link, end);
            lines.push(
                `bond ${want.bond} ${want.slaves.join(",")} ${want.active || "-"} ${want.backups} ${want.options}`,
            );
        }
    }
    const placed = placedAddresses(topology);
    const elsewhere = (ip: string, domain: string) => placed.some((p) => p.address.ip === ip && p.domain !== domain);
    const pinged = new Set<string>();
    for (const own of placed.filter((p) => p.node === node)) {
        for (const other of placed.filter((p) => p.domain === own.domain && p.node !== node)) {
            const mac = elsewhere(other.address.ip, other.domain) ? macOf(macs, other.node, other.device) : "-";
            lines.push(`ping ${other.address.ip} ${mac}`);
            pinged.add(other.address.ip);
        }
    }
    if (topology.nodes.find((n) => n.name === node)?.kind === "host") {
        for (const pair of new Reach(topology).hostPairs().filter((p) => p.from === node)) {
            const answered = pair.delivery.reached === pair.to && pair.reply?.reached === node;
            if (answered && !pinged.has(pair.ip)) {
                lines.push(`ping ${pair.ip} -`);
                pinged.add(pair.ip);
            }
        }
    }
    return lines.join("\n");
}
