import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Channel } from "./channel";
import { DOCKER_ENDPOINT_PRELUDE } from "./docker-endpoint";
import { LabNames } from "./names";
import { script } from "./scripts";
import { NodeSpec } from "./labfile/topology";

export interface NodeOptions {
    readonly node: NodeSpec;
    readonly names: LabNames;
    /** bondlab's router image, for a node that names none. */
    readonly image: pulumi.Input<string>;
    readonly management: docker.Network;
    /** The node's lab networks in interface order (eth1, eth2, ...). */
    readonly ports: readonly Channel[];
    /** node-apply.sh's settings (components/node-settings.ts). */
    readonly net: pulumi.Input<string>;
    /** The commands' docker settings (dockerCommandEnv): the stack's, never this machine's. */
    readonly commandEnv: Readonly<Record<string, string>>;
    /** Where older releases kept the node's container and apply (upgrade-aliases.ts). */
    readonly aliases?: {
        readonly container: pulumi.Input<pulumi.URN | pulumi.Alias>[];
        readonly apply: pulumi.Input<pulumi.URN | pulumi.Alias>[];
    };
}

// Settings reach the script through `docker exec -e NAME`, which copies it from the command's
// environment: values never pass through a shell's quoting. The script stays in the node,
// for its init to rebuild after a restart.
const APPLY_COMMAND =
    DOCKER_ENDPOINT_PRELUDE +
    'docker exec -i -e BONDLAB_NET "$BONDLAB_NODE" ' +
    "sh -c 'mkdir -p /etc/bondlab && cat >/etc/bondlab/apply.sh && exec sh /etc/bondlab/apply.sh'";

/**
 * One node of a network: a container on management and on its lab networks, and the command
 * that builds its bonds, VLANs, addresses and routes (apply).
 */
export class Node extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly apply: command.local.Command;

    constructor(name: string, args: NodeOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Node", name, {}, opts);
        const { node, names } = args;
        this.container = new docker.Container(
            `${name}-container`,
            {
                name: names.container(node.name),
                hostname: node.name,
                image: node.image ?? args.image,
                privileged: node.privileged,
                // Bonds, VLANs and addresses need NET_ADMIN; ping's raw sockets need NET_RAW.
                capabilities: node.privileged ? undefined : { adds: ["NET_ADMIN", "NET_RAW"] },
                // A router forwards between its interfaces; a host does not, whatever the Docker host's default.
                sysctls:
                    node.forwarding === undefined ? undefined : { "net.ipv4.ip_forward": node.forwarding ? "1" : "0" },
                networksAdvanced: [args.management, ...args.ports.map((c) => c.network)].map((n) => ({ name: n.name })),
                // The init rebuilds the node after a restart (fresh interfaces), then idles.
                command: ["sh", "-c", script("router-init")],
                restart: "unless-stopped",
                labels: Object.entries(names.labels).map(([label, value]) => ({ label, value })),
            },
            { parent: this, dependsOn: args.ports.map((c) => c.cable), aliases: args.aliases?.container },
        );
        this.apply = new command.local.Command(
            `${name}-apply`,
            {
                create: APPLY_COMMAND,
                stdin: script("node-apply"),
                environment: { ...args.commandEnv, BONDLAB_NODE: this.container.name, BONDLAB_NET: args.net },
                // A new container has none of it: build it again.
                triggers: [this.container.id],
            },
            { parent: this, aliases: args.aliases?.apply },
        );
        this.registerOutputs({ container: this.container.name, apply: this.apply.stdout });
    }
}
