import { labNames } from "../names";
import { networkDiagram } from "../network-diagram";
import { TopologySpec } from "../labfile/topology";
import { HostConfig, hostConfigOf } from "./host";
import { ifcfgFiles } from "./ifcfg";
import { netplanFiles } from "./netplan";
import { networkdFiles } from "./networkd";
import { networkManagerFiles } from "./networkmanager";
import { ExportError, lines } from "./common";

// Every host config format for one node, and a whole lab or network as one tree of files:
// <node>/<format>/<file> plus topology.mmd. A version 1 lab is exported as the network it is
// read as (labfile/classic.ts), node by node like any other. Pure functions: writing is tools/export.ts's job.

export { ExportError };

export type ExportFormat = (host: HostConfig) => Record<string, string>;

/** The formats, by the folder name each gets. */
export const EXPORT_FORMATS: Readonly<Record<string, ExportFormat>> = {
    ifcfg: ifcfgFiles,
    networkmanager: networkManagerFiles,
    netplan: netplanFiles,
    "systemd-networkd": networkdFiles,
};

/**
 * One node's files in every format, as "<format>/<file>" -> content. A format that cannot
 * express an option of the lab throws ExportError, or with `unsupported: "note"` (the stack
 * output: a valid lab must deploy whatever a format lacks) gets "<format>/NOT-EXPORTED.txt"
 * saying why.
 */
export function exportNode(
    topology: TopologySpec,
    node: string,
    unsupported: "throw" | "note" = "throw",
): Record<string, string> {
    const host = hostConfigOf(topology, node);
    const files: Record<string, string> = {};
    for (const [format, render] of Object.entries(EXPORT_FORMATS)) {
        let rendered: Record<string, string>;
        try {
            rendered = render(host);
        } catch (e) {
            if (unsupported === "throw" || !(e instanceof ExportError)) throw e;
            rendered = { "NOT-EXPORTED.txt": `${e.message}\n` };
        }
        for (const [file, content] of Object.entries(rendered)) files[`${format}/${file}`] = content;
    }
    return files;
}

/** A lab's files: "<node>/<format>/<file>" for every node, its routers' forwarding, and topology.mmd. */
export function exportNetwork(topology: TopologySpec): Record<string, string> {
    const files: Record<string, string> = {
        "topology.mmd": networkDiagram(topology, labNames("bondlab", topology.variant)) + "\n",
    };
    for (const node of topology.nodes)
        for (const [file, content] of Object.entries({
            ...exportNode(topology, node.name),
            ...forwarding(topology, node.name),
        }))
            files[`${node.name}/${file}`] = content;
    return files;
}

/**
 * A network's router forwards between its interfaces (components/node.ts sets
 * net.ipv4.ip_forward to 1, and to 0 on hosts); a host it is carried to must too, whatever
 * its network configuration tool: a sysctl.d file, which every format leaves to systemd.
 * A two-router lab's routers set nothing (NodeSpec.forwarding), and get no file.
 */
export function forwarding(topology: TopologySpec, node: string): Record<string, string> {
    if (topology.nodes.find((n) => n.name === node)?.forwarding !== true) return {};
    return {
        "sysctl.d/90-bondlab-forwarding.conf": lines(
            `# bondlab ${topology.variant}: ${node} routes between its interfaces.`,
            "# Copy to /etc/sysctl.d/, then: sysctl --system",
            "net.ipv4.ip_forward = 1",
        ),
    };
}

/**
 * The mode a file should have: NetworkManager ignores keyfiles that others can read, and
 * netplan warns about world-readable YAML; the nmcli script is meant to be run.
 */
export function fileMode(file: string): number {
    if (file.endsWith(".nmconnection") || /netplan\/.*\.yaml$/.test(file)) return 0o600;
    if (file.endsWith(".sh")) return 0o755;
    return 0o644;
}
