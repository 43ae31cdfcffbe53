import { LabNames } from "./names";
import { endExpectations } from "./node-settings";
import { BondMode } from "./labfile/modes";
import { LinkEndSpec, LinkSpec, TopologySpec, twoRouterLink } from "./labfile/topology";

/**
 * What a tool needs to act on one bonded link of a running lab, published per link as the
 * stack output `linkHandles` (and, for a two-router lab, its one link as `labHandle` too):
 * the Docker engine, the link's two ends as the routers, its cables and bridges, the bond,
 * and verify's settings per end. `npm run drill` reads it (`pulumi stack output --json`, or
 * the harness's outputs) instead of working names and settings out again.
 */
export interface LabHandle {
    variant: string;
    description: string;
    /** The environment that points the `docker` CLI at the lab's engine (docker-endpoint.ts). */
    docker: Record<string, string>;
    bond: { name: string; mode: BondMode };
    routers: HandleRouter[];
    channels: HandleChannel[];
}

export interface HandleRouter {
    name: string;
    ip: string;
    container: string;
    /** verify's settings (BONDLAB_*), exactly as the program's verify command gets them. */
    verify: Record<string, string>;
}

export interface HandleChannel {
    name: string;
    /** The slave's name in reports: eth1, or eth3/eth1 where the two ends number it differently. */
    interface: string;
    /** The slave inside each router, by the router's name. */
    interfaces: Record<string, string>;
    /** The Linux bridge on the Docker host. */
    bridge: string;
    /** The cable container (host network namespace, NET_ADMIN) that can cut or degrade it. */
    cable: string;
    /** The switch container of the shared segment the channel joins; null for a channel of its own. */
    switch: string | null;
    /** Whether its NICs receive only unicast addressed to their own MAC as built (macFilter). */
    macFilter: boolean;
}

/**
 * A handle router's verify settings as node-verify.sh's checks (components/node-settings.ts
 * writes the same lines for a node): its bond, strictly, and a ping to the peer.
 */
export function verifyChecks(verify: Record<string, string>): string {
    const slaves = verify.BONDLAB_SLAVES.split(" ").join(",");
    return [
        `bond ${verify.BONDLAB_BOND} ${slaves} ${verify.BONDLAB_ACTIVE || "-"} ${verify.BONDLAB_BACKUPS || "up"} ${verify.BONDLAB_OPTIONS}`,
        `ping ${verify.BONDLAB_PEER} -`,
    ].join("\n");
}

/** A channel's slave inside one router (handles older than `interfaces` name it once for both). */
export function slaveIn(
    channel: Pick<HandleChannel, "interface"> & { interfaces?: Record<string, string> },
    router: string,
): string {
    return channel.interfaces?.[router] ?? channel.interface;
}

/**
 * Where one end of a link pings the other across it: the peer's untagged address over the
 * bond itself, else over the first VLAN both ends carry (a trunk may have no untagged address).
 */
function pingAcross(link: LinkSpec, end: LinkEndSpec): { peer: string; device: string } | undefined {
    const other = link.ends.find((e) => e !== end)!;
    if (end.address && other.address) return { peer: other.address.ip, device: end.interface };
    for (const vlan of end.vlans) {
        const theirs = other.vlans.find((v) => v.id === vlan.id);
        if (theirs) return { peer: theirs.ip, device: vlan.interface };
    }
    return undefined;
}

/** The links of a network the drill can act on: bonded, with an address at each end to ping across. */
export function drillableLinks(topology: TopologySpec): string[] {
    return topology.links.filter((l) => l.bond && l.ends.every((e) => pingAcross(l, e))).map((l) => l.name);
}

/**
 * What the drill names a link in its reports: a two-router lab by its variant alone (seed),
 * any other network's link as <variant>/<link> (enterprise/wan).
 */
export function drillSubjects(topology: TopologySpec): string[] {
    if (typeof twoRouterLink(topology) !== "string") return [topology.variant];
    return drillableLinks(topology).map((link) => `${topology.variant}/${link}`);
}

/** The drill's handle of one bonded link of a network: its two ends as the routers, its channels. */
export function linkHandle(
    topology: TopologySpec,
    link: LinkSpec,
    names: LabNames,
    options: { dockerEnv: Readonly<Record<string, string>>; verifyTimeout?: number },
): LabHandle | undefined {
    const bond = link.bond;
    if (!bond) return undefined;
    const ping = link.ends.map((end) => pingAcross(link, end));
    if (ping.some((p) => p === undefined)) return undefined;
    const slaveNames = link.channels.map((_, i) => link.ends.map((e) => e.slaves[i]));
    return {
        variant: topology.variant,
        description: topology.description,
        docker: { ...options.dockerEnv },
        bond: { name: link.ends[0].interface, mode: bond.mode },
        routers: link.ends.map((end, i) => {
            const want = endExpectations(link, end);
            return {
                name: end.node,
                ip: ping[1 - i]!.peer,
                container: names.container(end.node),
                verify: {
                    BONDLAB_BOND: want.bond,
                    BONDLAB_OPTIONS: want.options,
                    BONDLAB_SLAVES: want.slaves.join(" "),
                    BONDLAB_ACTIVE: want.active,
                    BONDLAB_BACKUPS: want.backups,
                    BONDLAB_PEER: ping[i]!.peer,
                    BONDLAB_PING_DEV: ping[i]!.device,
                    BONDLAB_VERIFY_TIMEOUT: String(options.verifyTimeout ?? 90),
                },
            };
        }),
        channels: link.channels.map((c, i) => ({
            name: c.name,
            interface: [...new Set(slaveNames[i])].join("/"),
            interfaces: Object.fromEntries(link.ends.map((e) => [e.node, e.slaves[i]])),
            bridge: names.bridge(c.name),
            cable: names.cable(c.name),
            switch: c.segment === undefined ? null : names.switch(c.segment),
            macFilter: c.macFilter,
        })),
    };
}
