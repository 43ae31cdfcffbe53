import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { firstHost } from "./bond";
import { Channel } from "./channel";
import { labFoundation } from "./lab";
import { LabNames } from "./names";
import { NetworkMacs, nodeCheckLines, nodeNetLines, portsOf } from "./node-settings";
import { script } from "./scripts";
import { Segment } from "./segment";
import { NodeSpec, TopologySpec } from "./spec/topology";

export interface NetworkOptions {
    /** The validated network (spec/validate-topology.ts). */
    readonly topology: TopologySpec;
    readonly names: LabNames;
    /** A node image to use as it is; unset builds images/router on the Docker host. */
    readonly routerImage?: string;
    /** Environment that points the commands' `docker` CLI at the provider's engine (docker-endpoint.ts). */
    readonly dockerEnv: Readonly<Record<string, string>>;
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
}

export interface NodeReport {
    containerName: pulumi.Output<string>;
    verify: pulumi.Output<NodeStatus>;
}

// Settings reach the scripts through `docker exec -e NAME`, which copies each from the
// command's environment: values never pass through a shell's quoting. The apply script stays
// in the node, for its init to rebuild after a restart.
const APPLY_COMMAND =
    'docker exec -i -e BONDLAB_NET "$BONDLAB_NODE" ' +
    "sh -c 'mkdir -p /etc/bondlab && cat >/etc/bondlab/apply.sh && exec sh /etc/bondlab/apply.sh'";
const VERIFY_COMMAND = 'docker exec -i -e BONDLAB_CHECKS -e BONDLAB_VERIFY_TIMEOUT "$BONDLAB_NODE" sh -s';

/**
 * A whole lab network from a version 2 file: every link's channels (a bridge network and a
 * cable each), every segment (its own network for its ports, and a switch when link channels
 * join it), every node (a container on management and on its networks), and per node a
 * command that builds its bonds, VLANs, addresses and routes (apply) and one that checks
 * them and pings its neighbours (verify).
 */
export class Network extends pulumi.ComponentResource {
    public readonly nodes: Record<string, NodeReport>;

    constructor(name: string, args: NetworkOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Network", name, {}, opts);
        const { topology, names } = args;
        const { image, hostCheck, management } = labFoundation(name, this, {
            names,
            routerImage: args.routerImage,
            dockerEnv: args.dockerEnv,
            managementSubnet: topology.management.subnet,
        });
        const afterCheck = { parent: this, dependsOn: [hostCheck] };
        const wire = (channel: { name: string; subnet?: string; macFilter: boolean }) =>
            new Channel(
                `${name}-${channel.name}`,
                {
                    channel: { ...channel, interface: "" },
                    names,
                    image: image.imageId,
                    lacpPassthrough: args.lacpPassthrough,
                },
                afterCheck,
            );

        // Every lab network by name: each link channel, and each segment with ports of its own.
        const networks = new Map<string, Channel>();
        for (const link of topology.links)
            for (const channel of link.channels) networks.set(channel.name, wire(channel));
        for (const segment of topology.segments.filter((s) => s.ports.length > 0))
            networks.set(segment.name, wire({ name: segment.name, subnet: segment.subnet, macFilter: false }));
        const switches = topology.segments
            .filter((s) => s.channels.length > 0)
            .map(
                (segment) =>
                    new Segment(
                        `${name}-${segment.name}`,
                        {
                            segment: segment.name,
                            channels: [...segment.channels, ...(segment.ports.length > 0 ? [segment.name] : [])].map(
                                (n) => networks.get(n)!,
                            ),
                            names,
                            image: image.imageId,
                        },
                        afterCheck,
                    ),
            );

        const subnets = pulumi
            .all([...networks].map(([n, channel]) => channel.subnet.apply((s) => [n, s] as const)))
            .apply((entries) => Object.fromEntries(entries) as Record<string, string>);
        const mgmt = management.ipamConfigs.apply((configs) => {
            const subnet = configs?.[0]?.subnet ?? topology.management.subnet ?? "";
            return { subnet, gateway: configs?.[0]?.gateway || firstHost(subnet) };
        });

        const containers = topology.nodes.map((node) =>
            this.container(name, node, args, image, management, networks, [
                hostCheck,
                ...switches.map((s) => s.switch),
            ]),
        );
        const applies = topology.nodes.map(
            (node, i) =>
                new command.local.Command(
                    `${name}-${node.name}-apply`,
                    {
                        create: APPLY_COMMAND,
                        stdin: script("node-apply"),
                        environment: {
                            ...args.dockerEnv,
                            BONDLAB_NODE: containers[i].name,
                            BONDLAB_NET: pulumi
                                .all([subnets, mgmt])
                                .apply(([s, m]) => nodeNetLines(topology, node.name, s, m)),
                        },
                        // A new container has none of it: build it again.
                        triggers: [containers[i].id],
                    },
                    { parent: this },
                ),
        );
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
                    stdin: script("node-verify"),
                    environment: {
                        ...args.dockerEnv,
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
                { parent: this, dependsOn: applies },
            );
            this.nodes[node.name] = {
                containerName: containers[i].name,
                verify: verify.stdout.apply((out) => lastJson(out) as NodeStatus),
            };
        });
        this.registerOutputs({ nodes: this.nodes });
    }

    /** A node: a container on management first, then on its lab networks in interface order. */
    private container(
        name: string,
        node: NodeSpec,
        args: NetworkOptions,
        image: docker.RemoteImage,
        management: docker.Network,
        networks: Map<string, Channel>,
        dependsOn: pulumi.Resource[],
    ): docker.Container {
        const ports = portsOf(args.topology, node.name).map((p) => networks.get(p.network)!);
        return new docker.Container(
            `${name}-${node.name}-container`,
            {
                name: args.names.container(node.name),
                hostname: node.name,
                image: node.image ?? image.imageId,
                privileged: node.privileged,
                // Bonds, VLANs and addresses need NET_ADMIN; ping's raw sockets need NET_RAW.
                capabilities: node.privileged ? undefined : { adds: ["NET_ADMIN", "NET_RAW"] },
                // A router forwards between its interfaces; a host does not, whatever the Docker host's default.
                sysctls: { "net.ipv4.ip_forward": node.kind === "router" ? "1" : "0" },
                networksAdvanced: [management, ...ports.map((c) => c.network)].map((n) => ({ name: n.name })),
                // The init rebuilds the node after a restart (fresh interfaces), then idles.
                command: ["sh", "-c", script("router-init")],
                restart: "unless-stopped",
                labels: Object.entries(args.names.labels).map(([label, value]) => ({ label, value })),
            },
            { parent: this, dependsOn: [...dependsOn, ...ports.map((c) => c.cable)] },
        );
    }
}

/** The last line of a script's output, as JSON. */
function lastJson(stdout: string): any {
    const last = stdout.trim().split("\n").pop() ?? "";
    try {
        return JSON.parse(last);
    } catch (e) {
        throw new Error(`expected JSON on the last line (${(e as Error).message}): ${last.slice(0, 300)}`);
    }
}
