import * as pulumi from "@pulumi/pulumi";
import { exportNode, forwarding } from "./components/export";
import { labNames } from "./components/names";
import { Network } from "./components/network";
import { networkDiagram } from "./components/network-diagram";
import { loadAnyLab } from "./components/labfile/load";
import { readStackSettings } from "./components/labfile/settings";
import { TopologySpec } from "./components/labfile/topology";
import { LabConfigError } from "./components/labfile/validate";

// Read the stack's settings, validate them and the lab before registering anything, build it.
const docker = new pulumi.Config("docker");
const { loaded, settings } = (() => {
    try {
        const settings = readStackSettings((key) => new pulumi.Config("bondlab").get(key));
        return { loaded: loadAnyLab(settings.variant, settings.bondOptions), settings };
    } catch (e) {
        // A clean message naming the field, not a stack trace.
        if (e instanceof LabConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
})();
const names = labNames(pulumi.getProject(), pulumi.getStack());
const common = {
    names,
    routerImage: settings.routerImage,
    docker: { host: docker.get("host"), context: docker.get("context") },
    lacpPassthrough: settings.lacpPassthrough,
    verifyTimeout: settings.verifyTimeout,
};

/**
 * Per node, its host configs in every format (a format that lacks an option of the lab writes
 * NOT-EXPORTED.txt), and for a router that forwards, the forwarding its container has.
 */
function hostConfigsOf(topology: TopologySpec) {
    return Object.fromEntries(
        topology.nodes.map((n) => [
            n.name,
            { ...exportNode(topology, n.name, "note"), ...forwarding(topology, n.name) },
        ]),
    );
}

// Every lab is a network: nodes, links, segments, VLANs, routes. A version 1 file is two
// routers joined by one bonded link; such a lab also keeps the outputs it always had.
const privileged = settings.privileged;
const topology =
    privileged === undefined
        ? loaded.network
        : { ...loaded.network, nodes: loaded.network.nodes.map((n) => ({ ...n, privileged })) };
const network = new Network("lab", { topology, ...common });

export const variant = topology.variant;
export const description = topology.description;
/** Per node: its container and what verify found (bonds as the kernel runs them, pings answered). */
export const nodes = network.nodes;
export const diagram = networkDiagram(topology, names);
/** Every node's bonds, ports, VLANs and routes as host configs (a format that cannot express an option says why). */
export const hostConfigs = hostConfigsOf(topology);
/** Per bonded link, what `npm run drill -- --stack S --link L` acts on. */
export const linkHandles = network.linkHandles;
/** A two-router lab's routers: each one's bond as verify found it, and /proc/net/bonding. */
export const routers = network.routers;
/** A two-router lab's one link as `npm run drill -- --stack S` takes it; kept for one release beside linkHandles. */
export const labHandle = network.labHandle;
