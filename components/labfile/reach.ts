import * as ipaddr from "ipaddr.js";
import { PlacedAddress, TopologySpec, placedAddresses } from "./topology";

// Where a packet goes in a lab's network, worked out from the file alone: each node's
// connected subnets and static routes, longest prefix first, hop by hop; routers forward,
// hosts do not. `npm run validate` uses it to say which hosts reach which before anything
// runs, and a VLAN lab's isolation falls out of it: the same address in another VLAN is
// another L2 network, so a packet to it reaches the host in the sender's own VLAN.

interface Placed extends PlacedAddress {
    readonly cidr: [ipaddr.IPv4, number];
}

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

const MAX_HOPS = 32;

export class Reach {
    private readonly placed: Placed[];

    constructor(private readonly topology: TopologySpec) {
        this.placed = placedAddresses(topology).map((p) => ({ ...p, cidr: ipaddr.IPv4.parseCIDR(p.address.address) }));
    }

    /** Where a packet from `from` to `ip` ends up. */
    send(from: string, ip: string): Delivery {
        const path = [from];
        let at = from;
        let source: string | undefined;
        for (let hop = 0; hop < MAX_HOPS; hop++) {
            const own = this.placed.filter((p) => p.node === at);
            if (own.some((p) => p.address.ip === ip)) return { reached: at, path, source: source ?? ip };
            if (hop > 0 && this.kindOf(at) === "host") return { path, dropped: `${at} is a host and does not forward` };
            const next = this.nextHop(at, own, ip);
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
    hostPairs(): { from: string; to: string; ip: string; delivery: Delivery; reply?: Delivery }[] {
        const hosts = this.topology.nodes.filter((n) => n.kind === "host").map((n) => n.name);
        return hosts.flatMap((from) =>
            hosts
                .filter((to) => to !== from)
                .flatMap((to) =>
                    this.placed
                        .filter((p) => p.node === to)
                        .map((p) => {
                            const delivery = this.send(from, p.address.ip);
                            const reply = delivery.reached === to ? this.send(to, delivery.source!) : undefined;
                            return { from, to, ip: p.address.ip, delivery, reply };
                        }),
                ),
        );
    }

    private nextHop(at: string, own: Placed[], ip: string): { node: string; source: string } | { dropped: string } {
        const dst = ipaddr.IPv4.parse(ip);
        const connected = own.filter((p) => dst.match(p.cidr)).sort((a, b) => b.cidr[1] - a.cidr[1])[0];
        const route = this.topology.nodes
            .find((n) => n.name === at)!
            .routes.filter((r) => dst.match(ipaddr.IPv4.parseCIDR(r.to)))
            .sort((a, b) => prefixOf(b.to) - prefixOf(a.to))[0];
        if (connected && (!route || connected.cidr[1] >= prefixOf(route.to))) {
            const owner = this.placed.find((p) => p.domain === connected.domain && p.address.ip === ip);
            return owner
                ? { node: owner.node, source: connected.address.ip }
                : { dropped: `nothing answers ${ip} in ${connected.domain} (${at}'s ${connected.address.address})` };
        }
        if (!route) return { dropped: `${at} has no route to ${ip}` };
        const via = ipaddr.IPv4.parse(route.via);
        const out = own.find((p) => via.match(p.cidr));
        const gateway = out && this.placed.find((p) => p.domain === out.domain && p.address.ip === route.via);
        if (!out || !gateway) return { dropped: `${at}'s gateway ${route.via} for ${route.to} answers nowhere` };
        return { node: gateway.node, source: out.address.ip };
    }

    private kindOf(node: string): "router" | "host" {
        return this.topology.nodes.find((n) => n.name === node)!.kind;
    }
}

function prefixOf(cidr: string): number {
    return Number(cidr.split("/")[1]);
}
