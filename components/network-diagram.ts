import { LabNames } from "./names";
import { AttachmentSpec, TopologySpec } from "./labfile/topology";

/**
 * Any lab as a Mermaid flowchart (the stack's `diagram` output, export's topology.mmd, the
 * README's picture). Every node with its bonds, plain ports and VLANs and their addresses; a
 * bond's slaves drawn as the node's NICs. Every channel its own edge, labelled with its Linux
 * bridge on the Docker host (and a MAC filter, where it has one): the two independent cables
 * of a bond are what the lab is about. A channel joined into a segment runs through the
 * segment's switch, as do the segment's own ports.
 */
export function networkDiagram(topology: TopologySpec, names: LabNames): string {
    const lines = ["flowchart LR"];
    const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, "_");
    const ends = topology.links.flatMap((link) => link.ends.map((end) => ({ link, end })));
    const ports = topology.segments.flatMap((s) => s.ports);
    for (const node of topology.nodes) {
        lines.push(`  subgraph ${id(node.name)}["${node.name} (${node.kind})"]`);
        for (const { link, end } of ends.filter((e) => e.end.node === node.name)) {
            const mode = link.bond && (link.name === end.interface ? "" : `${link.name}: `) + link.bond.mode;
            const box = id(`${node.name}_${end.interface}`);
            lines.push(`    ${box}["${boxText(end, mode || undefined)}"]`);
            // A bond's slaves: the node's NICs, each on its own channel.
            for (const slave of link.bond ? end.slaves : []) {
                lines.push(`    ${id(`${node.name}_${slave}`)}["${slave}"]`);
                lines.push(`    ${box} -.- ${id(`${node.name}_${slave}`)}`);
            }
        }
        for (const port of ports.filter((p) => p.node === node.name))
            lines.push(`    ${id(`${node.name}_${port.interface}`)}["${boxText(port)}"]`);
        lines.push("  end");
    }
    const switches = topology.segments.filter((s) => s.ports.length > 0 || s.channels.length > 0);
    for (const segment of switches) lines.push(`  segment_${id(segment.name)}{{"segment ${segment.name}: switch"}}`);
    for (const link of topology.links) {
        const [a, b] = link.ends;
        link.channels.forEach((channel, i) => {
            // A bond's channel runs slave to slave; a plain link's one channel, port to port.
            const [from, to] = link.bond
                ? [id(`${a.node}_${a.slaves[i]}`), id(`${b.node}_${b.slaves[i]}`)]
                : [id(`${a.node}_${a.interface}`), id(`${b.node}_${b.interface}`)];
            const filter = channel.macFilter ? ", MAC filter" : "";
            const label = `${channel.name}: bridge ${names.bridge(channel.name)}${filter}`;
            if (channel.segment === undefined) {
                lines.push(`  ${from} ---|"${label}"| ${to}`);
            } else {
                lines.push(`  ${from} ---|"${label}"| segment_${id(channel.segment)}`);
                lines.push(`  segment_${id(channel.segment)} ---|"${channel.name}"| ${to}`);
            }
        });
    }
    for (const segment of switches)
        for (const port of segment.ports)
            lines.push(`  segment_${id(segment.name)} --- ${id(`${port.node}_${port.interface}`)}`);
    return lines.join("\n");
}

/** An attachment's box: its interface and address, a bond's link and mode, and its VLANs. */
function boxText(a: AttachmentSpec, bond?: string): string {
    const parts = [a.address ? `${a.interface} ${a.address.address}` : a.interface];
    if (bond) parts.push(bond);
    for (const v of a.vlans) parts.push(`${v.interface} ${v.address}`);
    return parts.join("<br/>");
}
