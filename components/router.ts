import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Channel } from "./channel";
import { LabNames } from "./names";
import { script } from "./scripts";
import { RouterSpec } from "./labfile/spec";

export interface RouterOptions {
    readonly router: RouterSpec;
    readonly names: LabNames;
    readonly image: pulumi.Input<string>;
    /** The management network: the router's eth0, like Vagrant's NAT interface. */
    readonly management: docker.Network;
    /** The channels, in order: they become eth1, eth2, ... inside the router. */
    readonly channels: readonly Channel[];
    /** Privileged container, or only the capabilities bonding and ping need. */
    readonly privileged: boolean;
}

/** One router: a container attached to the management network and to every channel. */
export class Router extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    /** The container's name, for `docker exec`. */
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: RouterOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Router", name, {}, opts);
        const { router, names } = args;
        this.container = new docker.Container(
            `${name}-container`,
            {
                name: names.container(router.name),
                hostname: router.name,
                image: args.image,
                privileged: args.privileged,
                // Creating a bond needs NET_ADMIN; ping's raw sockets need NET_RAW. Nothing else.
                capabilities: args.privileged ? undefined : { adds: ["NET_ADMIN", "NET_RAW"] },
                networksAdvanced: [args.management, ...args.channels.map((c) => c.network)].map((n) => ({
                    name: n.name,
                })),
                // The init rebuilds the bond after a restart (fresh interfaces), then idles.
                command: ["sh", "-c", script("router-init")],
                restart: "unless-stopped",
                labels: Object.entries(names.labels).map(([label, value]) => ({ label, value })),
            },
            { parent: this, dependsOn: args.channels.map((c) => c.cable) },
        );
        this.containerName = this.container.name;
        this.registerOutputs({ container: this.container, containerName: this.containerName });
    }
}
