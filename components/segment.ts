import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Channel } from "./channel";
import { LabNames } from "./names";
import { script } from "./scripts";

export interface SegmentOptions {
    /** The segment's name in the lab file, e.g. intnet. */
    readonly segment: string;
    /** The channels that join it, in lab order. */
    readonly channels: readonly Channel[];
    readonly names: LabNames;
    /** Image that holds iproute2 and tc, for the switch container. */
    readonly image: pulumi.Input<string>;
}

/**
 * A shared segment: several channels joined into one L2 network by a switch, the way the
 * seed's author put all four NICs on one VirtualBox internal network. The switch is a small
 * container with a port on each channel's network and a Linux bridge between them, all in its
 * own network namespace, so removing the container removes the segment and leaves nothing.
 */
export class Segment extends pulumi.ComponentResource {
    public readonly switch: docker.Container;

    constructor(name: string, args: SegmentOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Segment", name, {}, opts);
        this.switch = new docker.Container(
            `${name}-switch`,
            {
                name: args.names.switch(args.segment),
                image: args.image,
                // Its own namespace: bridging its ports needs NET_ADMIN there, nothing on the host.
                capabilities: { drops: ["ALL"], adds: ["NET_ADMIN"] },
                networksAdvanced: args.channels.map((c) => ({ name: c.network.name })),
                command: ["sh", "-c", script("switch")],
                restart: "unless-stopped",
                labels: Object.entries(args.names.labels).map(([label, value]) => ({ label, value })),
            },
            { parent: this, dependsOn: args.channels.map((c) => c.network) },
        );
        this.registerOutputs({ switch: this.switch });
    }
}
