import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { LabNames } from "./names";
import { script } from "./scripts";
import { ChannelSpec } from "./labfile/topology";

export interface ChannelOptions {
    readonly channel: ChannelSpec;
    readonly names: LabNames;
    /** Image that holds iproute2, for the cable container. */
    readonly image: pulumi.Input<string>;
    /** Let LACPDUs cross the channel (default true); false shows what a switch that eats them does. */
    readonly lacpPassthrough?: boolean;
}

/**
 * One physical channel between the routers: a Docker bridge network, plus a small "cable"
 * container in the host's network namespace that makes the bridge behave like a wire
 * (LACPDUs pass, the Docker host neither speaks nor listens there) and is where drills cut
 * or degrade the channel.
 */
export class Channel extends pulumi.ComponentResource {
    public readonly network: docker.Network;
    public readonly cable: docker.Container;
    /** The Linux bridge of the channel on the Docker host. */
    public readonly bridge: string;
    /** The network's subnet, given in the lab file or picked by Docker. */
    public readonly subnet: pulumi.Output<string>;

    constructor(name: string, args: ChannelOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Channel", name, {}, opts);
        const { channel, names } = args;
        this.bridge = names.bridge(channel.name);
        const labels = Object.entries(names.labels).map(([label, value]) => ({ label, value }));

        this.network = new docker.Network(
            `${name}-network`,
            {
                name: names.network(channel.name),
                driver: "bridge",
                // Not internal: the engine's isolation rules for internal networks drop bonded
                // traffic whose addresses lie outside the network's subnet. No masquerade either:
                // the channel is a cable, not a way out. And no gateway address on the bridge
                // (inhibit_ipv4): a cable carries the two NICs' frames only, never the Docker
                // host's ARP. The cable container keeps IPv6 and everything else off it.
                options: {
                    "com.docker.network.bridge.name": this.bridge,
                    "com.docker.network.bridge.enable_ip_masquerade": "false",
                    "com.docker.network.bridge.inhibit_ipv4": "true",
                },
                ipamConfigs: channel.subnet ? [{ subnet: channel.subnet }] : undefined,
                labels,
            },
            { parent: this },
        );
        this.subnet = this.network.ipamConfigs.apply((c) => c?.[0]?.subnet ?? channel.subnet ?? "");

        this.cable = new docker.Container(
            `${name}-cable`,
            {
                name: names.cable(channel.name),
                image: args.image,
                networkMode: "host",
                capabilities: { drops: ["ALL"], adds: ["NET_ADMIN"] },
                envs: [
                    `BONDLAB_BRIDGE=${this.bridge}`,
                    `BONDLAB_LACP_PASSTHROUGH=${args.lacpPassthrough === false ? 0 : 1}`,
                ],
                command: ["sh", "-c", script("cable")],
                restart: "unless-stopped",
                labels,
            },
            // The cable silences the bridge once, when it starts: a new network (a changed
            // subnet, say) must get a new cable. Its inputs name the bridge, which stays the
            // same, and dependsOn alone replaces nothing, so the network is in its replaceWith
            // (pulumi/pulumi v3.248.0 step_generator.go diff: "marked for replacement because
            // ... (in its ReplaceWith list) is being replaced").
            { parent: this, dependsOn: [this.network], replaceWith: [this.network] },
        );

        this.registerOutputs({ network: this.network, cable: this.cable, bridge: this.bridge, subnet: this.subnet });
    }
}
