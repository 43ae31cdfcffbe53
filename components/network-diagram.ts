import { TopologySpec } from "./labfile/topology";

/**
 * A version 2 network as a Mermaid flowchart: every node with its bonds, plain ports and
 * VLANs and their addresses; one edge per link (labelled with its channels and, when bonded,
 * the mode) and one hub per segment with an edge to each port.
 */
export function networkDiagram(topology: TopologySpec): string {
    const lines = ["flowchart LR"];
    const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, "_");
    const attachments = [...topology.links.flatMap((l) => l.ends), ...topology.segments.flatMap((s) => s.ports)];
    for (const node of topology.nodes) {
        lines.push(`  subgraph ${id(node.name)}["${node.name} (${node.kind})"]`);
        for (const a of attachments.filter((a) => a.node === node.name)) {
            const parts = [a.address ? `${a.interface} ${a.address.address}` : a.interface];
            for (const v of a.vlans) parts.push(`${v.interface} ${v.address}`);
            lines.push(`    ${id(`${node.name}_${a.interface}`)}["${parts.join("<br/>")}"]`);
        }
        lines.push("  end");
    }
    for (const link of topology.links) {
        const [a, b] = link.ends;
        const label = `${link.name}: ${link.channels.map((c) => c.name).join(", ")}${link.bond ? `, ${link.bond.mode}` : ""}`;
        lines.push(`  ${id(`${a.node}_${a.interface}`)} ===|"${label}"| ${id(`${b.node}_${b.interface}`)}`);
    }
    for (const segment of topology.segments) {
        lines.push(`  segment_${id(segment.name)}{{"segment ${segment.name}"}}`);
        for (const port of segment.ports)
            lines.push(`  segment_${id(segment.name)} --- ${id(`${port.node}_${port.interface}`)}`);
    }
    return lines.join("\n");
}
