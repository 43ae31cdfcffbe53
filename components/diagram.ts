import { LabNames } from "./names";
import { LabSpec, segmentsOf } from "./labfile/spec";

/**
 * The lab's topology as a Mermaid flowchart: both routers with their bond, mode and
 * address, and one edge per channel labelled with its Linux bridge on the Docker host. A
 * channel on a shared segment runs through the segment's switch; a MAC filter is named.
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
    for (const { name } of segmentsOf(spec)) lines.push(`  segment_${name}{{"segment ${name}: switch"}}`);
    const [a, b] = spec.routers;
    for (const channel of spec.channels) {
        const label = `${channel.name}: bridge ${names.bridge(channel.name)}${channel.macFilter ? ", MAC filter" : ""}`;
        const from = `${a.name}_${channel.interface}`;
        const to = `${b.name}_${channel.interface}`;
        if (channel.segment === undefined) {
            lines.push(`  ${from} ---|"${label}"| ${to}`);
        } else {
            lines.push(`  ${from} ---|"${label}"| segment_${channel.segment}`);
            lines.push(`  segment_${channel.segment} ---|"${channel.name}"| ${to}`);
        }
    }
    return lines.join("\n");
}
