import * as pulumi from "@pulumi/pulumi";
import { Channel, ChannelOptions } from "./channel";
import { LinkSpec } from "./labfile/topology";

/** A Channel's options for every channel of the link. */
export interface LinkOptions extends Omit<ChannelOptions, "channel"> {
    readonly link: LinkSpec;
    /** Where older releases kept each channel, by its name (upgrade-aliases.ts). */
    readonly channelAliases?: (channel: string) => pulumi.Input<pulumi.URN | pulumi.Alias>[];
}

/**
 * One link of a network: its channels, each a bridge network with its cable. Its ends' bonds
 * (when it has two or more channels) are built by the nodes' apply, which own the interfaces.
 */
export class Link extends pulumi.ComponentResource {
    /** The link's channels by name. */
    public readonly channels: ReadonlyMap<string, Channel>;

    constructor(name: string, args: LinkOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Link", name, {}, opts);
        this.channels = new Map(
            args.link.channels.map((channel) => [
                channel.name,
                new Channel(
                    `${name}-${channel.name}`,
                    { ...args, channel },
                    {
                        parent: this,
                        aliases: args.channelAliases?.(channel.name),
                    },
                ),
            ]),
        );
        this.registerOutputs({ channels: [...this.channels.values()].map((c) => c.network.name) });
    }
}
