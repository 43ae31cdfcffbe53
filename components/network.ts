import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { BondStatus } from "./bond-state";
import { Channel } from "./channel";
import { DOCKER_ENDPOINT_PRELUDE, DockerProviderConfig, dockerCliEnv, dockerCommandEnv } from "./docker-endpoint";
import { firstHost, labFoundation } from "./foundation";
import { LabHandle, linkHandle } from "./handle";
import { LabNames } from "./names";
import { NetworkMacs, nodeCheckLines, nodeNetLines, portsOf } from "./node-settings";
import { script } from "./scripts";
import { Segment } from "./segment";
import { Link } from "./link";
import { Node } from "./node";
import { TopologySpec, twoRouterLink } from "./labfile/topology";
import {
    channelAliases,
    networkAliases,
    nodeAliases,
    nodeCommandAliases,
    nodeContainerAliases,
} from "./upgrade-aliases";

export interface NetworkOptions {
    /** The validated network (labfile/load.ts loadAnyLab: a version 1 file's too). */
    readonly topology: TopologySpec;
    readonly names: LabNames;
    /** A node image to use as it is; unset builds images/router on the Docker host. */
    readonly routerImage?: string;
    /** The docker provider's settings (docker:host, docker:context): whose engine the commands use. */
    readonly docker: DockerProviderConfig;
    /** Let LACPDUs cross the channels (default true). */
    readonly lacpPassthrough?: boolean;
    /** Seconds each node's verify waits for its bonds and pings (default 90). */
    readonly verifyTimeout?: number;
}

/** What verify reports of one node: its bonds as the kernel runs them, and who answered its pings. */
export interface NodeStatus {
    node: string;
    problems: number;
    bonds: { bond: string; mode: string; slaves: string; activeSlave: string }[];
    pinged: string[];
    /** The pinged addresses that answered. */
    answered: string[];
    /** Each bond as bond-status.sh reports it, /proc/net/bonding included (`raw`). */
    states: Record<string, Omit<BondStatus, "ping">>;
}

/** A two-router lab's router as its `routers` output shows it: its bond as verify found it. */
export interface RouterReport {
    containerName: pulumi.Output<string>;
    /** The bond (mode, options in force, slaves, LACP) and the ping to the peer across it. */
    verify: pulumi.Output<Omit<BondStatus, "raw">>;
    /** /proc/net/bonding/<bond> as the kernel printed it during verify. */
    procBonding: pulumi.Output<string>;
}

export interface NodeReport {
    containerName: pulumi.Output<string>;
    verify: pulumi.Output<NodeStatus>;
}

// Settings reach the script through `docker exec -e NAME`, which copies each from the
// command's environment: values never pass through a shell's quoting.
const VERIFY_COMMAND =
    DOCKER_ENDPOINT_PRELUDE + 'docker exec -i -e BONDLAB_CHECKS -e BONDLAB_VERIFY_TIMEOUT "$BONDLAB_NODE" sh -s';

/**
 * Every lab, as a network: a Link per link (its channels, each a bridge network with its
 * cable), a network and cable per segment with ports of its own, a switch per segment that
 * link channels join, and a Node per node (its container and its apply). Then, on each node,
 * a verify that checks its bonds and pings its neighbours: it runs once every node is built,
 * since it checks who answered against the other nodes' MACs. A version 1 file is two
 * routers joined by one bonded link; older releases' resources are found by their aliases
 * (upgrade-aliases.ts).
 */
export class Network extends pulumi.ComponentResource {
    public readonly nodes: Record<string, NodeReport>;
    /** What `npm run drill -- --link` acts on, per bonded link whose ends can ping across it. */
    public readonly linkHandles: Record<string, LabHandle>;
    /** A two-router lab's routers (labfile/topology.ts twoRouterLink), as older releases' Lab published them. */
    public readonly routers?: Record<string, RouterReport>;
    /** A two-router lab's handle for the drill: its one link's, as older releases published it. */
    public readonly labHandle?: LabHandle;

    constructor(name: string, args: NetworkOptions, opts?: pulumi.ComponentResourceOptions) {
        super(
            "bondlab:index:Network",
            name,
            {},
            { ...opts, aliases: [...networkAliases(name), ...(opts?.aliases ?? [])] },
        );
        const { topology, names } = args;
        const commandEnv = dockerCommandEnv(args.docker);
        // A two-router lab also keeps the outputs, and the older resources' names, of the Lab it once was.
        const found = twoRouterLink(topology);
        const twoRouter = typeof found === "string" ? undefined : found;
        const twoRouterBond = twoRouter?.ends[0].interface;
        const { image, hostCheck, management } = labFoundation(name, this, {
            names,
            routerImage: args.routerImage,
            commandEnv,
            managementSubnet: topology.management.subnet,
        });
        const afterCheck = { parent: this, dependsOn: [hostCheck] };
        const common = { names, image: image.imageId, lacpPassthrough: args.lacpPassthrough };

        // Every lab network by name: each link's channels, and each segment with ports of its own.
        const networks = new Map<string, Channel>();
        for (const link of topology.links)
            for (const [n, channel] of new Link(
                `${name}-${link.name}`,
                { link, ...common, channelAliases: (c) => channelAliases(this, name, c) },
                afterCheck,
            ).channels)
                networks.set(n, channel);
        for (const segment of topology.segments.filter((s) => s.ports.length > 0)) {
            const channel = { name: segment.name, subnet: segment.subnet, macFilter: false };
            networks.set(segment.name, new Channel(`${name}-${segment.name}`, { channel, ...common }, afterCheck));
        }
        const switches = topology.segments
            .filter((s) => s.channels.length > 0)
            .map((segment) => {
                const joined = [...segment.channels, ...(segment.ports.length > 0 ? [segment.name] : [])];
                const channels = joined.map((n) => networks.get(n)!);
                return new Segment(
                    `${name}-${segment.name}`,
                    { segment: segment.name, channels, ...common },
                    afterCheck,
                );
            });

        const subnets = pulumi
            .all([...networks].map(([n, channel]) => channel.subnet.apply((s) => [n, s] as const)))
            .apply((entries) => Object.fromEntries(entries) as Record<string, string>);
        const mgmt = management.ipamConfigs.apply((configs) => {
            const subnet = configs?.[0]?.subnet ?? topology.management.subnet ?? "";
            return { subnet, gateway: configs?.[0]?.gateway || firstHost(subnet) };
        });

        const nodes = topology.nodes.map(
            (node) =>
                new Node(
                    `${name}-${node.name}`,
                    {
                        node,
                        ...common,
                        management,
                        ports: portsOf(topology, node.name).map((p) => networks.get(p.network)!),
                        net: pulumi.all([subnets, mgmt]).apply(([s, m]) => nodeNetLines(topology, node.name, s, m)),
                        commandEnv,
                        aliases: {
                            container: nodeContainerAliases(this),
                            apply: nodeCommandAliases(this, name, node.name, "apply", twoRouterBond),
                        },
                    },
                    // The nodes come up on finished wires: cables in place, segments joined.
                    {
                        parent: this,
                        dependsOn: [hostCheck, ...switches.map((s) => s.switch)],
                        aliases: nodeAliases(this),
                    },
                ),
        );
        const containers = nodes.map((n) => n.container);
        const applies = nodes.map((n) => n.apply);
        // Each apply's last line is its node's interfaces and MACs.
        const macs: pulumi.Output<NetworkMacs> = pulumi
            .all(applies.map((a) => a.stdout))
            .apply((outs) => Object.fromEntries(outs.map((out, i) => [topology.nodes[i].name, lastJson(out).macs])));

        this.nodes = {};
        topology.nodes.forEach((node, i) => {
            const verify = new command.local.Command(
                `${name}-${node.name}-verify`,
                {
                    create: VERIFY_COMMAND,
                    stdin: script("bond-status") + "\n" + script("node-verify"),
                    environment: {
                        ...commandEnv,
                        BONDLAB_NODE: containers[i].name,
                        BONDLAB_CHECKS: macs.apply((m) => nodeCheckLines(topology, node.name, m)),
                        BONDLAB_VERIFY_TIMEOUT: String(args.verifyTimeout ?? 90),
                    },
                    // Whatever verify checks being replaced makes it run again.
                    triggers: [
                        ...containers.map((c) => c.id),
                        ...[...networks.values()].map((c) => c.cable.id),
                        ...switches.map((s) => s.switch.id),
                    ],
                    logging: "stderr",
                },
                {
                    parent: nodes[i],
                    dependsOn: applies,
                    aliases: nodeCommandAliases(this, name, node.name, "verify", twoRouterBond),
                },
            );
            this.nodes[node.name] = {
                containerName: containers[i].name,
                verify: verify.stdout.apply((out) => lastJson(out) as NodeStatus),
            };
        });
        // The handle is an output, read by tools: the engine as this machine reaches it now.
        const handleOptions = { dockerEnv: dockerCliEnv(args.docker), verifyTimeout: args.verifyTimeout };
        this.linkHandles = Object.fromEntries(
            topology.links.flatMap((link) => {
                const handle = linkHandle(topology, link, names, handleOptions);
                return handle ? [[link.name, handle]] : [];
            }),
        );
        if (twoRouter) {
            const bond = twoRouterBond!;
            this.routers = Object.fromEntries(
                twoRouter.ends.map((end) => {
                    const peer = twoRouter.ends.find((e) => e !== end)!.address!.ip;
                    const status = this.nodes[end.node].verify;
                    return [
                        end.node,
                        {
                            containerName: this.nodes[end.node].containerName,
                            verify: status.apply((s) => bondReport(s, bond, peer)),
                            procBonding: status.apply((s) => s.states?.[bond]?.raw ?? ""),
                        },
                    ];
                }),
            );
            this.labHandle = this.linkHandles[twoRouter.name];
        }
        this.registerOutputs({ nodes: this.nodes, linkHandles: this.linkHandles, routers: this.routers });
    }
}

/** The last line of a script's output, as JSON (node-apply.sh and node-verify.sh end so). */
export function lastJson(stdout: string): any {
    const last = stdout.trim().split("\n").pop() ?? "";
    try {
        return JSON.parse(last);
    } catch (e) {
        throw new Error(`expected JSON on the last line (${(e as Error).message}): ${last.slice(0, 300)}`);
    }
}

/**
 * One bond of a node's verify, as a two-router lab's `routers` output shows it. A verify that
 * never ran (an update that failed before it) reports no bond: exists false, no ping answered.
 */
function bondReport(status: Partial<NodeStatus>, bond: string, peer: string): Omit<BondStatus, "raw"> {
    const { raw: _, ...state } = status.states?.[bond] ?? { bond, exists: false };
    return {
        ...(state as Omit<BondStatus, "raw" | "ping">),
        ...(status.problems === undefined ? {} : { problems: status.problems }),
        ping: { peer, sent: 1, received: status.answered?.includes(peer) ? 1 : 0 },
    };
}
