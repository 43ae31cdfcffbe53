import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as ipaddr from "ipaddr.js";
import * as path from "path";
import { DOCKER_ENDPOINT_PRELUDE } from "./docker-endpoint";
import { LabNames } from "./names";
import { script } from "./scripts";

/**
 * The router image's name when the program builds it. Its registry part is a name under the
 * reserved .invalid domain (RFC 2606), so when the image is missing the provider's pull can
 * never fetch someone else's image from a public registry and run it privileged.
 */
export const ROUTER_IMAGE = "bondlab.invalid/router:local";
const ROUTER_IMAGE_DIR = path.join(__dirname, "..", "images", "router");

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
        /** The commands' docker settings (dockerCommandEnv): the stack's, never this machine's. */
        commandEnv: Readonly<Record<string, string>>;
        managementSubnet?: string;
    },
): { image: docker.RemoteImage; hostCheck: command.local.Command; management: docker.Network } {
    const { names, commandEnv } = args;
    const labels = Object.entries(names.labels).map(([label, value]) => ({ label, value }));
    const image = args.routerImage
        ? new docker.RemoteImage(`${name}-router-image`, { name: args.routerImage, keepLocally: true }, { parent })
        : builtRouterImage(name, parent, commandEnv);

    // Fails early, before any network or container exists, on a host that cannot bond.
    const hostCheck = new command.local.Command(
        `${name}-host-check`,
        {
            create: DOCKER_ENDPOINT_PRELUDE + script("host-check"),
            environment: { ...commandEnv, BONDLAB_IMAGE: image.imageId },
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
 * The router image the program builds (bondlab:routerImage unset): the docker CLI builds
 * images/router on the lab's Docker host (scripts/router-image-build.sh), then the image
 * resource finds it there by name. The provider's own build fails on the containerd image
 * store (kreuzwerker/terraform-provider-docker#534) and against a remote DOCKER_HOST (#972);
 * the CLI's works on both stores and sends the context to a remote host.
 */
function builtRouterImage(
    name: string,
    parent: pulumi.Resource,
    commandEnv: Readonly<Record<string, string>>,
): docker.RemoteImage {
    const files = hashFiles(ROUTER_IMAGE_DIR);
    // A changed hash is an update, and an update runs `create` again: the image is rebuilt.
    const build = new command.local.Command(
        `${name}-router-image-build`,
        {
            create: DOCKER_ENDPOINT_PRELUDE + script("router-image-build"),
            environment: {
                ...commandEnv,
                BONDLAB_IMAGE: ROUTER_IMAGE,
                // Relative to the project, where pulumi runs commands, so previews do not
                // depend on where the repository is checked out.
                BONDLAB_IMAGE_CONTEXT: "images/router",
                BONDLAB_IMAGE_FILES: files,
            },
        },
        { parent },
    );
    // resource_docker_image_funcs.go findImage: the local image by name first, a pull only when
    // it is missing; the build above has made it. `triggers` replaces the resource, so its
    // imageId follows a rebuild and the routers are recreated on the new image.
    return new docker.RemoteImage(
        `${name}-router-image`,
        { name: ROUTER_IMAGE, keepLocally: true, triggers: { files } },
        {
            parent,
            dependsOn: [build],
            // A stack the provider's build made holds `build` in its state: ignoring it keeps that
            // image and its routers as they are (step_generator.go processIgnoreChanges). The
            // provider builds only on create, so the old value never runs again but in a
            // replacement, where it builds as it did when the stack was made.
            ignoreChanges: ["build"],
        },
    );
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

/** Docker's default gateway: the subnet's first host address. */
export function firstHost(subnet: string): string {
    if (!ipaddr.IPv4.isValidCIDR(subnet)) return "";
    const bytes = ipaddr.IPv4.networkAddressFromCIDR(subnet).toByteArray();
    bytes[3] += 1;
    return ipaddr.fromByteArray(bytes).toString();
}
