import { LabNames } from "./names";
import { LabSpec } from "./spec/spec";

/**
 * The lab's topology as a Mermaid flowchart: both routers with their bond, mode and
 * address, and one edge per channel labelled with its Linux bridge on the Docker host.
 */
export function mermaidDiagram(spec: LabSpec, names: LabNames): string {
    const lines = ["flowchart LR"];
    for (const router of spec.routers) {
        lines.push(
            `  subgraph ${router.name}["${router.name}: ${spec.bond.name} ${router.address}, ${spec.bond.mode}"]`,
        );
        for (const channel of spec.channels)
            lines.push(`    ${router.name}_${channel.interface}["${channel.interface}"]`);
        lines.push("  end");
    }
    const [a, b] = spec.routers;
    for (const channel of spec.channels) {
        lines.push(
            `  ${a.name}_${channel.interface} ---|"${channel.name}: bridge ${names.bridge(channel.name)}"| ${b.name}_${channel.interface}`,
        );
    }
    return lines.join("\n");
}
