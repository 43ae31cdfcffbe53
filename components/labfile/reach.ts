import * as ipaddr from "ipaddr.js";
import { NodeSpec, PlacedAddress, RouteSpec, TopologySpec, placedAddresses } from "./topology";

// Where a packet goes in a lab's network, worked out from the file alone: each node's
// connected subnets and static routes, longest prefix first, hop by hop; routers forward,
// hosts do not. `npm run validate` uses it to say which hosts reach which before anything
// runs, and a VLAN lab's isolation falls out of it: the same address in another VLAN is
// another L2 network, so a packet to it reaches the host in the sender's own VLAN.

/** A subnet as numbers, for matching without parsing: its network and block size (the smaller, the longer its prefix). */
interface Subnet {
    readonly network: number;
    readonly size: number;
}
type Placed = PlacedAddress & Subnet;
type Route = RouteSpec & Subnet;

export interface Delivery {
    /** The node the packet reached, if it reached one. */
    readonly reached?: string;
    /** The nodes it crossed, from the sender. */
    readonly path: readonly string[];
    /** Why it stopped short, when it did. */
    readonly dropped?: string;
    /** The sender's address on the interface the packet left by (where a reply goes). */
    readonly source?: string;
}

export interface HostPair {
    readonly from: string;
    readonly to: string;
    readonly ip: string;
    readonly delivery: Delivery;
    readonly reply?: Delivery;
}

const MAX_HOPS = 32;

/** Every network's host pairs, worked out once: validate and each node's checks ask for the same table. */
const pairsOf = new WeakMap<TopologySpec, readonly HostPair[]>();

export class Reach {
    /** Each node's addresses, in file order. */
    private readonly byNode = new Map<string, Placed[]>();
    /** Each node's connected subnets, for the longest match in a few look-ups rather than a scan. */
    private readonly subnets = new Map<string, ConnectedSubnets>();
    /** Who holds an address in an L2 network: `<domain> <ip>` to the first in file order. */
    private readonly owners = new Map<string, Placed>();
    private readonly nodes = new Map<string, { kind: NodeSpec["kind"]; routes: Route[] }>();

    constructor(private readonly topology: TopologySpec) {
        for (const p of placedAddresses(topology)) {
            const placed = { ...p, ...numericSubnet(...ipaddr.IPv4.parseCIDR(p.address.address)) };
            const own = this.byNode.get(p.node);
            if (own) own.push(placed);
            else this.byNode.set(p.node, [placed]);
            if (!this.subnets.has(p.node)) this.subnets.set(p.node, new ConnectedSubnets());
            this.subnets.get(p.node)!.add(placed);
            const key = `${p.domain} ${p.address.ip}`;
            if (!this.owners.has(key)) this.owners.set(key, placed);
        }
        for (const node of topology.nodes) {
            if (this.nodes.has(node.name)) continue;
            const routes = node.routes.map((r) => ({ ...r, ...numericSubnet(...ipaddr.IPv4.parseCIDR(r.to)) }));
            this.nodes.set(node.name, { kind: node.kind, routes });
        }
    }

    /** Where a packet from `from` to `ip` ends up. */
    send(from: string, ip: string): Delivery {
        const path = [from];
        const dst = numeric(ipaddr.IPv4.parse(ip));
        let at = from;
        let source: string | undefined;
        for (let hop = 0; hop < MAX_HOPS; hop++) {
            const own = this.byNode.get(at) ?? [];
            if (this.subnets.get(at)?.holds(ip)) return { reached: at, path, source: source ?? ip };
            if (hop > 0 && this.nodes.get(at)!.kind === "host")
                return { path, dropped: `${at} is a host and does not forward` };
            const next = this.nextHop(at, own, ip, dst);
            if ("dropped" in next) return { path, dropped: next.dropped };
            source ??= next.source;
            at = next.node;
            path.push(at);
        }
        return { path, dropped: `a routing loop (${path.slice(-4).join(" -> ")})` };
    }

    /**
     * Every host's packets to every other host's addresses, with where each went and, when it
     * arrived, where the reply to the sender's address went (a ping needs both).
     */
    hostPairs(): readonly HostPair[] {
        const known = pairsOf.get(this.topology);
        if (known) return known;
        const hosts = this.topology.nodes.filter((n) => n.kind === "host").map((n) => n.name);
        const pairs = hosts.flatMap((from) =>
            hosts
                .filter((to) => to !== from)
                .flatMap((to) =>
                    (this.byNode.get(to) ?? []).map((p) => {
                        const delivery = this.send(from, p.address.ip);
                        const reply = delivery.reached === to ? this.send(to, delivery.source!) : undefined;
                        return { from, to, ip: p.address.ip, delivery, reply };
                    }),
                ),
        );
        pairsOf.set(this.topology, pairs);
        return pairs;
    }

    private nextHop(
        at: string,
        own: Placed[],
        ip: string,
        dst: number,
    ): { node: string; source: string } | { dropped: string } {
        const connected = this.subnets.get(at)?.longestMatch(dst);
        const route = longest(
            this.nodes.get(at)!.routes.filter((r) => inSubnet(dst, r)),
            (r) => -r.size,
        );
        if (connected && (!route || connected.size <= route.size)) {
            const owner = this.owners.get(`${connected.domain} ${ip}`);
            return owner
                ? { node: owner.node, source: connected.address.ip }
                : { dropped: `nothing answers ${ip} in ${connected.domain} (${at}'s ${connected.address.address})` };
        }
        if (!route) return { dropped: `${at} has no route to ${ip}` };
        const via = numeric(ipaddr.IPv4.parse(route.via));
        const out = own.find((p) => inSubnet(via, p));
        const gateway = out && this.owners.get(`${out.domain} ${route.via}`);
        if (!out || !gateway) return { dropped: `${at}'s gateway ${route.via} for ${route.to} answers nowhere` };
        return { node: gateway.node, source: out.address.ip };
    }
}

/** One node's addresses by subnet: which holds an address, and the longest prefix that matches one. */
class ConnectedSubnets {
    private readonly ips = new Set<string>();
    /** The first address placed in each subnet (`network/size`), as file order has it. */
    private readonly bySubnet = new Map<string, Placed>();
    /** Block sizes present, smallest (longest prefix) first. */
    private sizes: number[] = [];

    add(p: Placed): void {
        this.ips.add(p.address.ip);
        const key = `${p.network}/${p.size}`;
        if (!this.bySubnet.has(key)) this.bySubnet.set(key, p);
        if (!this.sizes.includes(p.size)) this.sizes = [...this.sizes, p.size].sort((a, b) => a - b);
    }

    holds(ip: string): boolean {
        return this.ips.has(ip);
    }

    /** The subnet with the longest prefix that holds `address`; among equals, the first in file order. */
    longestMatch(address: number): Placed | undefined {
        for (const size of this.sizes) {
            const found = this.bySubnet.get(`${address - (address % size)}/${size}`);
            if (found) return found;
        }
        return undefined;
    }
}

/** The first item of the highest rank: what a stable sort, highest first, puts first. */
function longest<T>(items: T[], rank: (item: T) => number): T | undefined {
    let best: T | undefined;
    for (const item of items) if (best === undefined || rank(item) > rank(best)) best = item;
    return best;
}

function numeric(ip: ipaddr.IPv4): number {
    return ip.octets.reduce((n, octet) => n * 256 + octet, 0);
}

function numericSubnet(ip: ipaddr.IPv4, prefix: number): Subnet {
    const size = 2 ** (32 - prefix);
    const address = numeric(ip);
    return { network: address - (address % size), size: size };
}

function inSubnet(address: number, subnet: Subnet): boolean {
    return address - (address % subnet.size) === subnet.network;
}
