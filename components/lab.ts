import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Bond, BondStatus } from "./bond";
import { Channel } from "./channel";
import { mermaidDiagram } from "./diagram";
import { LabHandle, labHandle } from "./handle";
import { LabNames } from "./names";
import { Router } from "./router";
import { script } from "./scripts";
import { Segment } from "./segment";
import { LabSpec, segmentsOf } from "./labfile/spec";

export interface LabOptions {
    /** The validated lab (see labfile/validate.ts). */
    readonly spec: LabSpec;
    readonly names: LabNames;
    /** A router image to use as it is; unset builds images/router on the Docker host. */
    readonly routerImage?: string;
    /** Environment that points the commands' `docker` CLI at the provider's engine (docker-endpoint.ts). */
    readonly dockerEnv: Readonly<Record<string, string>>;
    /** Let LACPDUs cross the channels (default true). */
    readonly lacpPassthrough?: boolean;
    /** Seconds verify waits for each bond to converge (default 90). */
    readonly verifyTimeout?: number;
}

export interface RouterReport {
    containerName: pulumi.Output<string>;
    /** verify's structured view of the bond (mode, options in force, slaves, LACP, ping). */
    verify: pulumi.Output<Omit<BondStatus, "raw">>;
    /** /proc/net/bonding/<bond> as the kernel printed it during verify. */
    procBonding: pulumi.Output<string>;
}

/**
 * The router image's name when the program builds it. Its registry part is a name under the
 * reserved .invalid domain (RFC 2606), so when the image is missing the provider's pull can
 * never fetch someone else's image from a public registry and run it privileged.
 */
export const ROUTER_IMAGE = "bondlab.invalid/router:local";
const ROUTER_IMAGE_DIR = path.join(__dirname, "..", "images", "router");

/** The whole lab: management network, channels, two routers and the bond between them. */
export class Lab extends pulumi.ComponentResource {
    public readonly channels: Channel[];
    public readonly segments: Segment[];
    public readonly routers: Router[];
    public readonly bond: Bond;
    public readonly reports: Record<string, RouterReport>;
    public readonly diagram: string;
    /** The running lab for tools (the drill): containers, cables, bridges, bond, verify's settings. */
    public readonly handle: LabHandle;

    constructor(name: string, args: LabOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Lab", name, {}, opts);
        const { spec, names } = args;
        const dockerEnv = args.dockerEnv;

        const { image, hostCheck, management } = labFoundation(name, this, {
            names,
            routerImage: args.routerImage,
            dockerEnv,
            managementSubnet: spec.management.subnet,
        });
        const afterCheck = { parent: this, dependsOn: [hostCheck] };

        this.channels = spec.channels.map(
            (channel) =>
                new Channel(
                    `${name}-${channel.name}`,
                    {
                        channel,
                        names,
                        image: image.imageId,
                        lacpPassthrough: args.lacpPassthrough,
                    },
                    afterCheck,
                ),
        );

        this.segments = segmentsOf(spec).map(
            (segment) =>
                new Segment(
                    `${name}-${segment.name}`,
                    {
                        segment: segment.name,
                        channels: segment.channels.map((c) => this.channels[spec.channels.indexOf(c)]),
                        names,
                        image: image.imageId,
                    },
                    afterCheck,
                ),
        );

        // The routers come up on finished wires: cables in place, segments joined.
        this.routers = spec.routers.map(
            (router) =>
                new Router(
                    `${name}-${router.name}`,
                    {
                        router,
                        names,
                        image: image.imageId,
                        management,
                        channels: this.channels,
                        privileged: spec.privileged,
                    },
                    { ...afterCheck, dependsOn: [hostCheck, ...this.segments.map((s) => s.switch)] },
                ),
        );

        this.bond = new Bond(
            `${name}-${spec.bond.name}`,
            {
                spec,
                routers: [this.routers[0], this.routers[1]],
                channels: this.channels,
                segments: this.segments,
                management,
                dockerEnv,
                verifyTimeout: args.verifyTimeout,
            },
            { parent: this },
        );

        this.reports = Object.fromEntries(
            spec.routers.map((router, i) => [
                router.name,
                {
                    containerName: this.routers[i].containerName,
                    verify: this.bond.statuses[i].apply(({ raw, ...rest }) => rest),
                    procBonding: this.bond.statuses[i].apply((s) => s.raw),
                },
            ]),
        );
        this.diagram = mermaidDiagram(spec, names);
        this.handle = labHandle(spec, names, { dockerEnv, verifyTimeout: args.verifyTimeout });
        this.registerOutputs({ reports: this.reports, diagram: this.diagram, handle: this.handle });
    }
}

/**
 * What every lab stands on: the router image, a check that the Docker host can bond (before
 * any network or container exists), and the management network.
 */
export function labFoundation(
    name: string,
    parent: pulumi.Resource,
    args: {
        names: LabNames;
        routerImage?: string;
        dockerEnv: Readonly<Record<string, string>>;
        managementSubnet?: string;
    },
): { image: docker.RemoteImage; hostCheck: command.local.Command; management: docker.Network } {
    const { names, dockerEnv } = args;
    const labels = Object.entries(names.labels).map(([label, value]) => ({ label, value }));
    const image = new docker.RemoteImage(
        `${name}-router-image`,
        args.routerImage
            ? { name: args.routerImage, keepLocally: true }
            : {
                  name: ROUTER_IMAGE,
                  keepLocally: true,
                  // Relative to the project (pulumi runs programs there), so previews do not
                  // depend on where the repository is checked out.
                  build: { context: "images/router" },
                  // The provider builds only on create: a change to the image's files must replace it.
                  triggers: { files: hashFiles(ROUTER_IMAGE_DIR) },
              },
        { parent },
    );

    // Fails early, before any network or container exists, on a host that cannot bond.
    const hostCheck = new command.local.Command(
        `${name}-host-check`,
        {
            create: script("host-check"),
            environment: { ...dockerEnv, BONDLAB_IMAGE: image.imageId },
        },
        { parent },
    );

    // Management reaches the routers from the Docker host; it needs no way out. Docker's
    // masquerade rule would also rewrite bonded packets crossing a channel's bridge
    // whenever Docker picked a management subnet that holds the bond's addresses.
    const management = new docker.Network(
        `${name}-management`,
        {
            name: `${names.prefix}-mgmt`,
            driver: "bridge",
            options: {
                "com.docker.network.bridge.name": names.managementBridge,
                "com.docker.network.bridge.enable_ip_masquerade": "false",
            },
            ipamConfigs: args.managementSubnet ? [{ subnet: args.managementSubnet }] : undefined,
            labels,
        },
        { parent, dependsOn: [hostCheck] },
    );

    return { image, hostCheck, management };
}

/**
 * sha256 over a folder's files, subfolders included: each file's path relative to `dir`
 * ("/"-separated) and contents, in path order. For a flat folder the paths are the names
 * alone, so the hash is the one a flat listing gave.
 */
export function hashFiles(dir: string): string {
    const hash = crypto.createHash("sha256");
    for (const file of filesUnder(dir).sort()) {
        hash.update(`${file}\0`)
            .update(contentsOf(path.join(dir, file)))
            .update("\0");
    }
    return hash.digest("hex");
}

/** Every file under `dir`, as paths relative to it; a symbolic link counts as a file and is not followed. */
function filesUnder(dir: string, prefix = ""): string[] {
    return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
        return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
    });
}

/** A file's bytes, or a symbolic link's target (what the build context would copy). */
function contentsOf(file: string): Buffer {
    return fs.lstatSync(file).isSymbolicLink() ? Buffer.from(fs.readlinkSync(file)) : fs.readFileSync(file);
}
