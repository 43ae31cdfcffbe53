import * as ipaddr from "ipaddr.js";
import { endBondOptions, portsOf } from "../node-settings";
import { BondMode } from "../labfile/modes";
import { AddressSpec, RouteSpec, TopologySpec, attachmentsOf, placedAddresses } from "../labfile/topology";

// One node of a network as a host configures it: every interface the lab gives it (bonds,
// their slaves, plain ethernets, VLANs) with its address and the static routes that leave by
// it. Every export format renders this model, so a version 1 lab (read as its network) and a
// version 2 network are written by the same code. eth0 is Docker's management network: not ours.

interface HostInterfaceBase {
    readonly name: string;
    /** The untagged address on this interface, if any. */
    readonly address?: AddressSpec;
    /** The node's routes whose gateway is in this interface's subnet, in the file's order. */
    readonly routes: readonly RouteSpec[];
}

export interface HostBond extends HostInterfaceBase {
    readonly kind: "bond";
    readonly mode: BondMode;
    /** endBondOptions: mode first, in the kernel's names and syntax, `primary` and `peer` resolved. */
    readonly options: readonly [string, string][];
    readonly slaves: readonly string[];
}

export interface HostEthernet extends HostInterfaceBase {
    readonly kind: "ethernet";
    /** The bond this ethernet is a slave of. */
    readonly master?: string;
}

export interface HostVlan extends HostInterfaceBase {
    readonly kind: "vlan";
    /** The interface that carries the tagged frames: a bond or an ethernet. */
    readonly parent: string;
    readonly id: number;
}

export type HostInterface = HostBond | HostEthernet | HostVlan;

export interface HostConfig {
    readonly variant: string;
    readonly node: string;
    /** Bonds in link order, then ethernets in port order (eth1, eth2, ...), then VLANs. */
    readonly interfaces: readonly HostInterface[];
}

/** One node's interfaces, addresses and routes, from the validated network. */
export function hostConfigOf(topology: TopologySpec, node: string): HostConfig {
    const placed = placedAddresses(topology).filter((p) => p.node === node);
    const addressOf = (device: string) => placed.find((p) => p.device === device)?.address;
    const routes = new Map<string, RouteSpec[]>();
    for (const route of topology.nodes.find((n) => n.name === node)!.routes) {
        // The interface whose subnet holds the gateway: validation makes every gateway a neighbour.
        const via = ipaddr.IPv4.parse(route.via);
        const out = placed.find((p) => via.match(ipaddr.IPv4.parseCIDR(p.address.address)));
        if (!out) throw new Error(`${node}'s gateway ${route.via} for ${route.to} is on none of its interfaces`);
        routes.set(out.device, [...(routes.get(out.device) ?? []), route]);
    }
    const configured = (name: string) => ({ name, address: addressOf(name), routes: routes.get(name) ?? [] });

    const bonds: HostBond[] = topology.links.flatMap((link) =>
        link.ends
            .filter((end) => end.node === node && link.bond)
            .map((end) => ({
                kind: "bond" as const,
                ...configured(end.interface),
                mode: link.bond!.mode,
                options: endBondOptions(link, end),
                slaves: end.slaves,
            })),
    );
    const ethernets: HostEthernet[] = portsOf(topology, node).map((port) => ({
        kind: "ethernet",
        ...configured(port.interface),
        master: bonds.find((b) => b.slaves.includes(port.interface))?.name,
    }));
    const vlans: HostVlan[] = attachmentsOf(topology)
        .filter((a) => a.node === node)
        .flatMap((a) =>
            a.vlans.map((v) => ({ kind: "vlan", ...configured(v.interface), parent: a.interface, id: v.id })),
        );
    return { variant: topology.variant, node, interfaces: [...bonds, ...ethernets, ...vlans] };
}

/** The VLANs whose parent is `name`. */
export function vlansOn(host: HostConfig, name: string): HostVlan[] {
    return host.interfaces.filter((i): i is HostVlan => i.kind === "vlan" && i.parent === name);
}

/** The interfaces that stand on their own: all but the bonds' slaves. */
export function topLevel(host: HostConfig): HostInterface[] {
    return host.interfaces.filter((i) => !(i.kind === "ethernet" && i.master !== undefined));
}

/** The bonds of the node. */
export function bondsOf(host: HostConfig): HostBond[] {
    return host.interfaces.filter((i): i is HostBond => i.kind === "bond");
}

/** The default route (to 0.0.0.0/0), apart from the others: several formats write it as a gateway. */
export function isDefault(route: RouteSpec): boolean {
    return route.to === "0.0.0.0/0";
}
