import * as pulumi from "@pulumi/pulumi";
import { exportNode, forwarding } from "./components/export";
import { dockerCliEnv } from "./components/docker-endpoint";
import { Lab } from "./components/lab";
import { labNames } from "./components/names";
import { Network } from "./components/network";
import { networkDiagram } from "./components/network-diagram";
import { loadAnyLab } from "./components/labfile/load";
import { readStackSettings } from "./components/labfile/settings";
import { LabSpec } from "./components/labfile/spec";
import { TopologySpec, topologyOf } from "./components/labfile/topology";
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
const dockerEnv = dockerCliEnv({ host: docker.get("host"), context: docker.get("context") });
const common = {
    names,
    routerImage: settings.routerImage,
    dockerEnv,
    lacpPassthrough: settings.lacpPassthrough,
    verifyTimeout: settings.verifyTimeout,
};

/**
 * Per node, its host configs in every format (a format that lacks an option of the lab writes
 * NOT-EXPORTED.txt), and for a network's routers the forwarding their container has.
 */
function hostConfigsOf(topology: TopologySpec, routersForward: boolean) {
    return Object.fromEntries(
        topology.nodes.map((n) => [
            n.name,
            { ...exportNode(topology, n.name, "note"), ...(routersForward ? forwarding(topology, n.name) : {}) },
        ]),
    );
}

// The two-router lab: two routers joined by one bond.
function twoRouterLab(spec: LabSpec) {
    const labSpec = settings.privileged === undefined ? spec : { ...spec, privileged: settings.privileged };
    const lab = new Lab("lab", { spec: labSpec, ...common });
    return {
        variant: labSpec.variant,
        description: labSpec.description,
        routers: lab.reports,
        diagram: lab.diagram,
        /** What `npm run drill -- --stack` acts on: the engine, containers, cables, bridges, bond and verify's settings. */
        labHandle: lab.handle,
        /** The same bond as host configs (ifcfg, NetworkManager, netplan, systemd-networkd), per router. */
        hostConfigs: hostConfigsOf(topologyOf(labSpec), false),
    };
}

// A whole network from a version 2 file: nodes, links, segments, VLANs, routes.
function wholeNetwork(topology: TopologySpec) {
    const privileged = settings.privileged;
    const spec =
        privileged === undefined ? topology : { ...topology, nodes: topology.nodes.map((n) => ({ ...n, privileged })) };
    const network = new Network("lab", { topology: spec, ...common });
    return {
        variant: spec.variant,
        description: spec.description,
        /** Per node: its container and what verify found (bonds as the kernel runs them, pings answered). */
        nodes: network.nodes,
        diagram: networkDiagram(spec),
        /** Every node's bonds, ports, VLANs and routes as host configs (a format that cannot express an option says why). */
        hostConfigs: hostConfigsOf(spec, true),
        /** Per bonded link, what `npm run drill -- --stack S --link L` acts on, as labHandle is for a two-router lab. */
        linkHandles: network.linkHandles,
    };
}

const built: Record<string, unknown> = "lab" in loaded ? twoRouterLab(loaded.lab) : wholeNetwork(loaded.network);
export const variant = built.variant;
export const description = built.description;
export const routers = built.routers;
export const diagram = built.diagram;
export const labHandle = built.labHandle;
export const hostConfigs = built.hostConfigs;
export const nodes = built.nodes;
export const linkHandles = built.linkHandles;
