import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { SubnetIndex } from "./subnet-index";
import {
    AddressSpec,
    AttachmentSpec,
    LinkEndSpec,
    LinkSpec,
    NodeSpec,
    RouteSpec,
    SegmentSpec,
    PlacedAddress,
    TopologySpec,
    VlanSpec,
    attachmentsOf,
    linkDomain,
    placedAddresses,
} from "./topology";
import {
    Add,
    FOUR_PART,
    HOSTNAME,
    IFNAMSIZ,
    LabConfigError,
    LabIssue,
    MAX_CHANNELS,
    bondNameProblem,
    checkArpTargets,
    checkHostAddress,
    checkMode,
    checkOptions,
    cidrText,
    didYouMean,
    fieldPath,
    isPlainCidr,
    prototypeKeyIssues,
    specialRange,
    unknownKeys,
    zodIssue,
} from "./validate";

// Turns a version 2 lab file (already parsed from YAML) into a TopologySpec, or throws a
// LabConfigError listing every problem with its field, value and fix. It is the one lab
// validator: a version 1 file is read as a network and checked here too (classic.ts). It runs
// before any resource is registered, so a bad file never leaves a half-built lab behind.

export const MAX_NODES = 32;
const MAX_ROUTES = 64;
/** Link, channel and segment names end up in Docker object names: short and plain. */
const SHORT_NAME = /^[a-z0-9][a-z0-9-]{0,14}$/;

const vlanSchema = z.object({ id: z.number(), address: z.string() }).strict();
const portSchema = z.object({ address: z.string().optional(), vlans: z.array(vlanSchema).default([]) }).strict();
const endSchema = portSchema.extend({ bond: z.string().optional() }).strict();
/** A channel, as both versions write it. */
export const channelSchema = z
    .object({
        name: z.string(),
        subnet: z.string().optional(),
        segment: z.string().optional(),
        macFilter: z.boolean().default(false),
    })
    .strict();
/** A bond option's value, as both versions write it. */
export const optionValue = z.union([z.number(), z.string(), z.array(z.string())]);
const routeSchema = z.object({ to: z.string(), via: z.string() }).strict();
const nodeSchema = z
    .object({
        name: z.string(),
        kind: z.enum(["router", "host"]).default("router"),
        image: z.string().optional(),
        privileged: z.boolean().optional(),
        routes: z.array(routeSchema).default([]),
    })
    .strict();
const bondSchema = z.object({ mode: z.string(), options: z.record(optionValue).default({}) }).strict();
const linkSchema = z
    .object({
        name: z.string(),
        channels: z.union([z.number(), z.array(z.union([z.string(), channelSchema]))]),
        bond: bondSchema.optional(),
        ends: z.record(endSchema),
    })
    .strict();
const segmentSchema = z
    .object({ name: z.string(), subnet: z.string().optional(), ports: z.record(portSchema).default({}) })
    .strict();
const managementSchema = z.object({ subnet: z.string().optional() }).strict();
const topologySchema = z
    .object({
        version: z.literal(2),
        description: z.string().min(1),
        nodes: z.array(nodeSchema),
        links: z.array(linkSchema).default([]),
        segments: z.array(segmentSchema).default([]),
        management: managementSchema.default({}),
        privileged: z.boolean().default(true),
    })
    .strict();
type TopologyFile = z.infer<typeof topologySchema>;
type LinkFile = z.infer<typeof linkSchema>;
type PortFile = z.infer<typeof portSchema>;

const keysOf = (schema: z.AnyZodObject) => Object.keys(schema.shape);
const KNOWN_KEYS: Record<string, string[]> = {
    "": keysOf(topologySchema),
    nodes: keysOf(nodeSchema),
    "nodes.routes": keysOf(routeSchema),
    links: keysOf(linkSchema),
    "links.channels": keysOf(channelSchema),
    "links.bond": keysOf(bondSchema),
    segments: keysOf(segmentSchema),
    management: keysOf(managementSchema),
};

/** What a name that is not a SHORT_NAME must be, with an example. */
function notShort(name: string, example: string): string {
    return `"${name}" must be 1-15 lower-case letters, digits or '-', starting with a letter or digit, e.g. ${example}`;
}

/** Does this parsed file say it is a version 2 lab file? */
export function isTopologyFile(raw: unknown): boolean {
    return typeof raw === "object" && raw !== null && "version" in raw;
}

export function validateTopology(variant: string, raw: unknown, source = variant): TopologySpec {
    const prototypeKeys = prototypeKeyIssues(raw);
    if (prototypeKeys.length > 0) throw new LabConfigError(source, prototypeKeys);
    const parsed = topologySchema.safeParse(raw);
    if (!parsed.success) throw new LabConfigError(source, parsed.error.issues.map(topologyZodIssue));
    const file = parsed.data;
    const issues: LabIssue[] = [];
    const add: Add = (field, message) => issues.push({ field, message });

    const nodes = checkNodes(file, add);
    const interfaces = new InterfaceCounter();
    const bonds = new BondCounter();
    const links = file.links.map((link, i) => checkLink(link, i, nodes, interfaces, bonds, add));
    const segments = checkSegments(file, links, nodes, interfaces, add);
    checkNames(file, links, segments, add);
    checkInterfaceNames(file, links, segments, add);
    checkConnected(nodes, links, segments, add);
    const placed = placedAddresses({ links, segments });
    const placedOn = groupBy(placed, (p) => p.node);
    checkDomains(links, segments, placed, add);
    checkSubnets(file, links, placedOn, add);
    const routes = checkRoutes(file, placedOn, add);

    if (issues.length > 0) throw new LabConfigError(source, issues);
    return {
        variant,
        description: file.description,
        nodes: nodes.map((node) => ({ ...node, routes: routes.get(node.name) ?? [] })),
        links,
        segments,
        management: file.management,
    };
}

/** Each node numbers its interfaces eth1, eth2, ... in file order: links' channels, then segment ports. */
class InterfaceCounter {
    private readonly used = new Map<string, number>();
    next(node: string): string {
        const n = (this.used.get(node) ?? 0) + 1;
        this.used.set(node, n);
        return `eth${n}`;
    }
}

/**
 * A bond left unnamed is bond<n>, n counting the links before it with a bond: key whose ends
 * name the node (counted as the file goes, not by re-reading every earlier link).
 */
class BondCounter {
    private readonly seen = new Map<string, number>();
    defaultName(node: string): string {
        return `bond${this.seen.get(node) ?? 0}`;
    }
    count(link: LinkFile): void {
        if (link.bond === undefined) return;
        for (const node of Object.keys(link.ends)) this.seen.set(node, (this.seen.get(node) ?? 0) + 1);
    }
}

function checkNodes(file: TopologyFile, add: Add): NodeSpec[] {
    if (file.nodes.length < 2 || file.nodes.length > MAX_NODES)
        add("nodes", `a lab has 2 to ${MAX_NODES} nodes, got ${file.nodes.length}`);
    const seen = new Set<string>();
    return file.nodes.map((node, i) => {
        const field = `nodes[${i}]`;
        if (!HOSTNAME.test(node.name))
            add(
                `${field}.name`,
                `"${node.name}" is not a hostname: use 1-63 letters, digits or '-', starting with a letter`,
            );
        else if (seen.has(node.name.toLowerCase()))
            add(`${field}.name`, `"${node.name}" is used twice: node names must differ (Docker ignores case)`);
        seen.add(node.name.toLowerCase());
        if (node.image !== undefined && !/^[a-z0-9][a-z0-9._\-/:@]{0,254}$/.test(node.image))
            add(`${field}.image`, `"${node.image}" is not an image reference: write it like alpine:3.20`);
        return {
            name: node.name,
            kind: node.kind,
            image: node.image,
            privileged: node.privileged ?? file.privileged,
            forwarding: node.kind === "router",
            routes: [],
        };
    });
}

function nodeRef(field: string, name: string, nodes: NodeSpec[], add: Add): void {
    const names = nodes.map((n) => n.name);
    if (!names.includes(name))
        add(
            field,
            `"${name}" is not a node${didYouMean(name, names)}: name one of ${names.join(", ")}, or add it under nodes`,
        );
}

function checkLink(
    link: LinkFile,
    i: number,
    nodes: NodeSpec[],
    interfaces: InterfaceCounter,
    bonds: BondCounter,
    add: Add,
): LinkSpec {
    const field = `links[${i}]`;
    if (!SHORT_NAME.test(link.name)) add(`${field}.name`, notShort(link.name, "wan"));

    const channels = (
        typeof link.channels === "number"
            ? Array.from(
                  { length: Math.max(0, Math.min(link.channels, MAX_CHANNELS)) },
                  (_, c) => `${link.name}-${c + 1}`,
              )
            : link.channels
    ).map((c) => (typeof c === "string" ? { name: c, macFilter: false } : c));
    const count = typeof link.channels === "number" ? link.channels : channels.length;
    if (!Number.isInteger(count) || count < 1 || count > MAX_CHANNELS)
        add(`${field}.channels`, `a link has 1 to ${MAX_CHANNELS} channels, got ${count}`);

    let bond: LinkSpec["bond"];
    if (count >= 2 && link.bond === undefined)
        add(
            `${field}.bond`,
            `is required: a link of ${count} channels is bonded at both ends; add bond: { mode: active-backup, options: { miimon: 100 } }`,
        );
    if (count === 1 && link.bond !== undefined)
        add(
            `${field}.bond`,
            "a link of one channel has nothing to bond: remove bond, or give the link two or more channels",
        );
    // A bond is checked whatever the channel count, so that every problem is told at once.
    if (link.bond !== undefined) {
        const mode = checkMode(link.bond.mode, add, `${field}.bond.mode`);
        const options = mode
            ? checkOptions(
                  mode,
                  link.bond.options,
                  { count, primary: channels.map((c) => c.name) },
                  add,
                  `${field}.bond.options`,
              )
            : {};
        if (mode) bond = { mode, options };
    }

    const names = Object.keys(link.ends);
    if (names.length !== 2)
        add(
            `${field}.ends`,
            `a link has exactly two ends, each under its node's name; got ${names.length}${names.length ? ` (${names.join(", ")})` : ""}`,
        );
    const ends = names.slice(0, 2).map((node): LinkEndSpec => {
        const endField = `${field}.ends.${node}`;
        const end = link.ends[node];
        nodeRef(endField, node, nodes, add);
        const slaves = channels.map(() => interfaces.next(node));
        let parent = slaves[0] ?? "eth?";
        if (link.bond !== undefined || count >= 2) {
            parent = end.bond ?? bonds.defaultName(node);
            const problem = bondNameProblem(parent);
            if (problem) add(`${endField}.bond`, problem);
        } else if (end.bond !== undefined) {
            add(`${endField}.bond`, "a link of one channel has no bond to name: remove bond");
        }
        return { node, slaves, ...checkPort(endField, node, parent, end, add) };
    });

    const none: LinkEndSpec = { node: "", interface: "", vlans: [], slaves: [] };
    const resolved: [LinkEndSpec, LinkEndSpec] = [ends[0] ?? none, ends[1] ?? none];
    if (bond && Array.isArray(bond.options.arp_ip_target)) {
        const optionsField = `${field}.bond.options.arp_ip_target`;
        // An end whose address is refused is told at its address, not here.
        const unaddressed = names.some((node) => link.ends[node].address === undefined);
        if (unaddressed && bond.options.arp_ip_target.includes("peer"))
            add(optionsField, "`peer` is the other end's address: give both ends an address, or list the targets");
        else
            checkArpTargets(
                resolved.map((end) => ({
                    name: end.node,
                    address: end.address?.address ?? "",
                    ip: end.address?.ip ?? "",
                })),
                bond.options,
                add,
                optionsField,
            );
    }
    bonds.count(link);
    return { name: link.name, channels, bond, ends: resolved };
}

/** An end or port: its address, and its VLANs on the parent interface. */
function checkPort(
    field: string,
    node: string,
    parent: string,
    port: PortFile,
    add: Add,
): Omit<AttachmentSpec, "node"> {
    const address = port.address === undefined ? undefined : addressOf(`${field}.address`, port.address, add);
    const seen = new Set<number>();
    const vlans = port.vlans.map((vlan, v): VlanSpec => {
        const vlanField = `${field}.vlans[${v}]`;
        if (!Number.isInteger(vlan.id) || vlan.id < 1 || vlan.id > 4094)
            add(`${vlanField}.id`, `${vlan.id} is not a VLAN id: use 1 to 4094 (0 and 4095 are reserved by 802.1Q)`);
        else if (seen.has(vlan.id))
            add(
                `${vlanField}.id`,
                `VLAN ${vlan.id} is on ${node}'s ${parent} twice: a VLAN id appears once per interface`,
            );
        seen.add(vlan.id);
        const name = `${parent}.${vlan.id}`;
        if (name.length > IFNAMSIZ)
            add(
                `${vlanField}.id`,
                `${name} is longer than Linux's ${IFNAMSIZ} characters: give the bond a shorter name`,
            );
        return {
            id: vlan.id,
            interface: name,
            ...(addressOf(`${vlanField}.address`, vlan.address, add) ?? { address: vlan.address, ip: "" }),
        };
    });
    if (address === undefined && port.address === undefined && vlans.length === 0)
        add(
            field,
            `${node} has neither an address nor VLANs here, so nothing crosses: add address: (e.g. 192.168.1.1/24) or vlans:`,
        );
    return { interface: parent, address, vlans };
}

function addressOf(field: string, value: string, add: Add): AddressSpec | undefined {
    const ip = checkHostAddress(field, value, add);
    return ip === undefined ? undefined : { address: value, ip };
}

function checkSegments(
    file: TopologyFile,
    links: LinkSpec[],
    nodes: NodeSpec[],
    interfaces: InterfaceCounter,
    add: Add,
): SegmentSpec[] {
    const joined = groupBy(
        links.flatMap((l) => l.channels.filter((c) => c.segment !== undefined)),
        (c) => c.segment!,
    );
    const channelsOf = (segment: string) => (joined.get(segment) ?? []).map((c) => c.name);
    const declared = file.segments.map((segment, s): SegmentSpec => {
        const field = `segments[${s}]`;
        if (!SHORT_NAME.test(segment.name)) add(`${field}.name`, notShort(segment.name, "lan"));
        const ports = Object.entries(segment.ports).map(([node, port]) => {
            const portField = `${field}.ports.${node}`;
            nodeRef(portField, node, nodes, add);
            return { node, ...checkPort(portField, node, interfaces.next(node), port, add) };
        });
        return { name: segment.name, subnet: segment.subnet, ports, channels: channelsOf(segment.name) };
    });
    const seen = new Set<string>();
    declared.forEach((segment, s) => {
        if (seen.has(segment.name))
            add(`segments[${s}].name`, `"${segment.name}" is used twice: segment names must differ`);
        seen.add(segment.name);
    });
    // A channel's segment that is not declared is a segment of channels only, as in version 1 files.
    const implicit = [...joined.keys()]
        .filter((name) => name !== "" && !seen.has(name))
        .map((name): SegmentSpec => ({ name, ports: [], channels: channelsOf(name) }));
    const segments = [...declared, ...implicit];

    const channelAt = channelFields(links, "segment");
    segments.forEach((segment, s) => {
        const field = s < declared.length ? `segments[${s}]` : (channelAt.get(segment.channels[0] ?? "") ?? "links");
        if (s >= declared.length && !SHORT_NAME.test(segment.name)) add(field, notShort(segment.name, "intnet"));
        const members = segment.ports.length + segment.channels.length;
        // A segment named only by channels (never declared) has one of them, or it would not be.
        if (s >= declared.length && members < 2)
            add(
                field,
                `segment "${segment.name}" has only this channel: a segment joins two or more channels into one L2 network; ` +
                    `give another channel segment: ${segment.name}, or remove it`,
            );
        else if (members < 2)
            add(
                field,
                `segment "${segment.name}" joins ${members === 0 ? "nothing" : "only one port or channel"}: ` +
                    "a segment is one L2 network for two or more; add ports (ports: { nodeName: { address: ... } }) or remove it",
            );
    });
    links.forEach((link, i) => {
        const first = link.channels.findIndex((c) => c.segment !== undefined);
        if (link.bond?.mode === "802.3ad" && first >= 0)
            add(
                `links[${i}].channels[${first}].segment`,
                "802.3ad needs each channel to be its own link to the partner, and a segment's switch (a plain Linux bridge) " +
                    "drops LACPDUs: remove segment, or use active-backup",
            );
    });
    return segments;
}

/** The field of each channel by its name (its first use): links[i].channels[c].<key>. */
function channelFields(links: LinkSpec[], key: string): Map<string, string> {
    const fields = new Map<string, string>();
    links.forEach((link, i) =>
        link.channels.forEach((channel, c) => {
            if (!fields.has(channel.name)) fields.set(channel.name, `links[${i}].channels[${c}].${key}`);
        }),
    );
    return fields;
}

/** Names that become Docker objects must be unique and must not meet each other's. */
function checkNames(file: TopologyFile, links: LinkSpec[], segments: SegmentSpec[], add: Add): void {
    const linkNames = new Set<string>();
    links.forEach((link, i) => {
        if (linkNames.has(link.name)) add(`links[${i}].name`, `"${link.name}" is used twice: link names must differ`);
        linkNames.add(link.name);
    });
    const channelNames = new Map<string, string>();
    const segmentNames = new Set(segments.map((s) => s.name));
    links.forEach((link, i) =>
        link.channels.forEach((channel, c) => {
            const generated = typeof file.links[i].channels === "number";
            const field = generated ? `links[${i}].name` : `links[${i}].channels[${c}].name`;
            const named = generated
                ? `"${channel.name}" (channel ${c + 1} of links[${i}], named after the link)`
                : `"${channel.name}"`;
            if (generated && !SHORT_NAME.test(channel.name)) {
                // An unfit link name is told once, at links[i].name; a long one only here, once.
                // Channels of `channels: <n>` are <link>-1, <link>-2...: the link's name must leave room.
                if (SHORT_NAME.test(link.name) && c === 0)
                    add(
                        field,
                        `"${link.name}" names the link's channels ${link.name}-1 to ${link.name}-${link.channels.length}, ` +
                            `longer than ${IFNAMSIZ} characters (each channel is a Docker network): shorten the link's name ` +
                            `to at most ${IFNAMSIZ - `-${link.channels.length}`.length} characters, ` +
                            "or name the channels yourself (channels: [ch1, ch2])",
                    );
            } else if (!SHORT_NAME.test(channel.name)) add(field, notShort(channel.name, "ch1"));
            else if (channel.name === "mgmt")
                add(field, '"mgmt" is the management network\'s name: call the channel e.g. ch1');
            else if (channelNames.has(channel.name))
                add(
                    field,
                    `${named} is also ${channelNames.get(channel.name)}: ` +
                        "channel names are unique in the lab (each is a Docker network)",
                );
            else if (segmentNames.has(channel.name))
                add(
                    field,
                    `${named} is also a segment's name: each is a Docker network, so call one of them otherwise`,
                );
            channelNames.set(
                channel.name,
                generated ? `channel ${c + 1} of links[${i}], named after the link` : field.replace(/\.name$/, ""),
            );
        }),
    );
    segments.forEach((segment) => {
        if (segment.name !== "mgmt") return;
        // Where the file names the segment: its declaration, or else the first channel that joins it.
        const s = file.segments.findIndex((d) => d.name === segment.name);
        const at = channelFields(links, "segment").get(segment.channels[0] ?? "") ?? "segments";
        add(s >= 0 ? `segments[${s}].name` : at, '"mgmt" is the management network\'s name: call the segment e.g. lan');
    });
    // Container names: <stack>-<node>, <stack>-<channel or segment>-cable, <stack>-<segment>-switch.
    file.nodes.forEach((node, n) => {
        const name = node.name.toLowerCase();
        const taken = [
            ...[...channelNames.keys()]
                .filter((c) => `${c}-cable` === name)
                .map((c) => `channel ${c}'s cable container`),
            ...segments.filter((s) => `${s.name}-switch` === name).map((s) => `segment ${s.name}'s switch container`),
            ...segments
                .filter((s) => s.ports.length > 0 && `${s.name}-cable` === name)
                .map((s) => `segment ${s.name}'s cable container`),
        ];
        if (taken.length > 0) add(`nodes[${n}].name`, `"${node.name}" is the name of ${taken[0]}: rename the node`);
    });
}

/** An interface inside a node, with where the file names it (or would). */
interface NamedInterface {
    readonly name: string;
    /** What it is, for messages: "bond of link wan", "VLAN 10 on bond0", "eth3 of segment lan". */
    readonly what: string;
    readonly field: string;
    /** The file wrote this name (a bond's name, or a VLAN on such a bond), rather than bondlab choosing it. */
    readonly chosen: boolean;
    /** How to give it another name. */
    readonly fix: string;
}

/**
 * Every interface name inside one node is unique: a bond named twice, or like another link's
 * default bond or a VLAN sub-interface, would be one device to the kernel and one file
 * written over another in the export.
 */
function checkInterfaceNames(file: TopologyFile, links: LinkSpec[], segments: SegmentSpec[], add: Add): void {
    const all: (NamedInterface & { node: string })[] = [];
    const put = (node: string, named: NamedInterface) => all.push({ ...named, node });
    links.forEach((link, i) =>
        link.ends.forEach((end) => {
            const field = `links[${i}].ends.${end.node}`;
            const ends = file.links[i].ends;
            const chosen = Object.hasOwn(ends, end.node) && ends[end.node].bond !== undefined;
            end.slaves.forEach((slave) =>
                put(end.node, { name: slave, what: `${slave} of link ${link.name}`, field, chosen: false, fix: "" }),
            );
            // A name refused as a bond's (eth1, lo) is told once, at the bond's name.
            if (end.slaves.length >= 2 && bondNameProblem(end.interface) === undefined)
                put(end.node, {
                    name: end.interface,
                    what: `bond of link ${link.name}${chosen ? "" : ", named by default"}`,
                    field: chosen ? `${field}.bond` : field,
                    chosen,
                    fix: `name this bond otherwise (${field}.bond)`,
                });
            vlansOf(end, field, chosen).forEach((named) => put(end.node, named));
        }),
    );
    segments.forEach((segment, s) =>
        segment.ports.forEach((port) => {
            const field = `segments[${s}].ports.${port.node}`;
            put(port.node, {
                name: port.interface,
                what: `${port.interface} of segment ${segment.name}`,
                field,
                chosen: false,
                fix: "",
            });
            vlansOf(port, field, false).forEach((named) => put(port.node, named));
        }),
    );
    // Each name once on the node; a clash is told where the file chose the name.
    for (const [node, named] of groupBy(all, (n) => n.node)) {
        const used = new Set(named.map((n) => n.name));
        const first = new Map<string, NamedInterface>();
        for (const item of named) {
            const earlier = first.get(item.name);
            if (!earlier) {
                first.set(item.name, item);
                continue;
            }
            const [blamed, other] = !item.chosen && earlier.chosen ? [earlier, item] : [item, earlier];
            let free = 0; // the first bond<n> the node does not use yet
            while (used.has(`bond${free}`)) free++;
            add(
                blamed.field,
                `"${item.name}" is also ${node}'s ${other.what} (${other.field}): the interfaces inside one node ` +
                    "need names of their own (the kernel and the exported files know each by its name); " +
                    `${blamed.fix}, e.g. bond${free}`,
            );
        }
    }
}

function vlansOf(attachment: AttachmentSpec, field: string, chosen: boolean): NamedInterface[] {
    return attachment.vlans.map((vlan, v) => ({
        name: vlan.interface,
        what: `VLAN ${vlan.id} on ${attachment.interface}`,
        field: `${field}.vlans[${v}].id`,
        chosen,
        fix: `give the VLAN another id, or ${attachment.interface} another name`,
    }));
}

/** Every node takes part in the network. */
function checkConnected(nodes: NodeSpec[], links: LinkSpec[], segments: SegmentSpec[], add: Add): void {
    const attached = new Set(attachmentsOf({ links, segments }).map((a) => a.node));
    nodes.forEach((node, n) => {
        if (!attached.has(node.name))
            add(
                `nodes[${n}]`,
                `${node.name} is on no link and no segment: connect it (links[].ends or segments[].ports) or remove it`,
            );
    });
}

/**
 * L2 domains: each link's wire, and each segment, with the links whose channels join a
 * segment merged into it; each VLAN id is a domain of its own inside its parent's. Inside one
 * domain addresses are unique and share one subnet; the same address in two VLANs is fine
 * (that is what a VLAN lab shows).
 */
function checkDomains(links: LinkSpec[], segments: SegmentSpec[], placed: PlacedAddress[], add: Add): void {
    const vlanMembers = new Map<string, { field: string; nodes: Set<string> }>();
    const member = (domain: string, field: string, attachment: AttachmentSpec) =>
        attachment.vlans.forEach((vlan, v) => {
            const key = `${domain}, VLAN ${vlan.id}`;
            const members = vlanMembers.get(key) ?? { field: `${field}.vlans[${v}].id`, nodes: new Set<string>() };
            members.nodes.add(attachment.node);
            vlanMembers.set(key, members);
        });
    links.forEach((link, i) =>
        link.ends.forEach((end) => member(linkDomain(link), `links[${i}].ends.${end.node}`, end)),
    );
    segments.forEach((segment, s) =>
        segment.ports.forEach((port) => member(`segment ${segment.name}`, `segments[${s}].ports.${port.node}`, port)),
    );

    for (const [key, members] of vlanMembers) {
        if (members.nodes.size < 2)
            add(
                members.field,
                `only ${[...members.nodes][0]} is in ${key}: a VLAN needs a member on the other side; add the same id there`,
            );
    }
    for (const [domain, inDomain] of groupBy(placed, (p) => p.domain)) {
        const first = inDomain[0];
        const firstCidr = ipaddr.IPv4.parseCIDR(first.address.address);
        const byIp = new Map<string, PlacedAddress>();
        for (const p of inDomain) if (!byIp.has(p.address.ip)) byIp.set(p.address.ip, p);
        for (const other of inDomain.slice(1)) {
            const same = byIp.get(other.address.ip);
            if (same !== other && same !== undefined)
                add(
                    other.field,
                    `${other.address.ip} is also ${same.node}'s address in ${domain} (${same.field}): ` +
                        `addresses are unique in one L2 network; give ${other.node} another`,
                );
            else if (!sameSubnet(firstCidr, ipaddr.IPv4.parseCIDR(other.address.address)))
                add(
                    other.field,
                    `${other.address.address} is not in ${first.address.address}'s subnet (${first.field}): ` +
                        `addresses in ${domain} share one subnet`,
                );
        }
    }
}

/** Items by a key, each list in the items' order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const group = groups.get(keyOf(item));
        if (group) group.push(item);
        else groups.set(keyOf(item), [item]);
    }
    return groups;
}

function sameSubnet(a: [ipaddr.IPv4, number], b: [ipaddr.IPv4, number]): boolean {
    return a[1] === b[1] && b[0].match(a);
}

/** Each node's addresses in subnets of their own, and Docker's subnets apart from each other and from them. */
function checkSubnets(file: TopologyFile, links: LinkSpec[], placedOn: Map<string, PlacedAddress[]>, add: Add): void {
    const docker: { field: string; cidr: [ipaddr.IPv4, number] }[] = [];
    const take = (field: string, value: string | undefined) => {
        if (value === undefined) return;
        if (!isPlainCidr(value))
            return add(field, `"${value}" is not an IPv4 subnet in plain decimal: write it like 10.250.1.0/24`);
        const special = specialRange(value.split("/")[0]);
        if (special) return add(field, `${value}: ${special}; use a private subnet such as 10.250.1.0/24`);
        const cidr = ipaddr.IPv4.parseCIDR(value);
        if (cidr[1] < 8 || cidr[1] > 29)
            return add(field, `/${cidr[1]} does not fit a Docker network here: use /8 to /29`);
        const hostBits = hostBitsSet(value);
        if (hostBits) return add(field, hostBits);
        docker.push({ field, cidr });
    };
    take("management.subnet", file.management.subnet);
    links.forEach((link, i) => link.channels.forEach((c, j) => take(`links[${i}].channels[${j}].subnet`, c.subnet)));
    file.segments.forEach((s, i) => take(`segments[${i}].subnet`, s.subnet));
    // Each subnet is told once, against the first one before it that it overlaps.
    const dockerIndex = new SubnetIndex();
    docker.forEach((d, j) => {
        const i = dockerIndex.firstOverlap(d.cidr);
        if (i !== undefined)
            add(
                d.field,
                `${cidrText(d.cidr)} overlaps ${docker[i].field} (${cidrText(docker[i].cidr)}): subnets must not overlap`,
            );
        dockerIndex.add(j, d.cidr);
    });

    // On one node, two interfaces in overlapping subnets leave the kernel one route for both.
    for (const [node, placed] of placedOn) {
        const own = new SubnetIndex();
        placed.forEach((p, i) => {
            const cidr = ipaddr.IPv4.parseCIDR(p.address.address);
            const e = own.firstOverlap(cidr);
            own.add(i, cidr);
            const earlier = e === undefined ? undefined : placed[e];
            if (earlier)
                add(
                    p.field,
                    `${p.address.address} overlaps ${node}'s ${earlier.address.address} (${earlier.field}): ` +
                        "one node's interfaces need subnets apart",
                );
            // Bonded traffic must not be routed out of eth0, the management network.
            const d = dockerIndex.firstOverlap(cidr);
            const clash = d === undefined ? undefined : docker[d];
            if (clash)
                add(
                    p.field,
                    `${p.address.address} overlaps ${clash.field} (${cidrText(clash.cidr)}): subnets must not overlap`,
                );
        });
    }
}

/** Static routes: to a subnet not already connected, via a neighbour on a connected subnet. */
function checkRoutes(file: TopologyFile, placedOn: Map<string, PlacedAddress[]>, add: Add): Map<string, RouteSpec[]> {
    const result = new Map<string, RouteSpec[]>();
    file.nodes.forEach((node, n) => {
        if (node.routes.length > MAX_ROUTES)
            add(`nodes[${n}].routes`, `${node.routes.length} routes: a node here takes at most ${MAX_ROUTES}`);
        const own = (placedOn.get(node.name) ?? []).map((p) => p.address);
        const seen = new Set<string>();
        const routes: RouteSpec[] = [];
        node.routes.slice(0, MAX_ROUTES).forEach((route, r) => {
            const field = `nodes[${n}].routes[${r}]`;
            const to = route.to === "default" ? "0.0.0.0/0" : route.to;
            const toProblem = destinationProblem(route.to, to, node.name, own, seen);
            if (toProblem) add(`${field}.to`, toProblem);
            seen.add(to);
            const viaProblem = gatewayProblem(route.via, node.name, own);
            if (viaProblem) add(`${field}.via`, viaProblem);
            if (!toProblem && !viaProblem) routes.push({ to, via: route.via });
        });
        result.set(node.name, routes);
    });
    return result;
}

/** Why a route's destination (`to`, with default spelled out) is refused on this node, or undefined. */
function destinationProblem(
    written: string,
    to: string,
    node: string,
    own: AddressSpec[],
    seen: ReadonlySet<string>,
): string | undefined {
    const [ip, prefix] = to.split("/");
    if (!isPlainCidr(to) || (to !== "0.0.0.0/0" && specialRange(ip)))
        return `"${written}" is not a destination: write a subnet like 10.0.2.0/24, or default`;
    const hostBits = hostBitsSet(to);
    if (hostBits) return hostBits;
    if (seen.has(to)) return `${written} is routed twice on ${node}: keep one route per destination`;
    // A summary route may cover a connected subnet (the longest prefix wins); one inside it is dead.
    const direct = own.find(
        (a) =>
            to !== "0.0.0.0/0" &&
            ipaddr.IPv4.parse(ip).match(cidrOf(a.address)) &&
            Number(prefix) >= cidrOf(a.address)[1],
    );
    if (direct)
        return (
            `${to} is inside ${node}'s connected ${cidrText(cidrOf(direct.address))} ` +
            `(${direct.address}): routes are for subnets the node does not reach directly`
        );
    return undefined;
}

/**
 * Why a gateway is refused, or undefined: it must be a neighbour on one of the node's subnets,
 * and not that subnet's network or broadcast address (no neighbour holds either, and the kernel
 * refuses the broadcast one: "Nexthop has invalid gateway").
 */
function gatewayProblem(via: string, node: string, own: AddressSpec[]): string | undefined {
    if (!FOUR_PART.test(via)) return `"${via}" is not an IPv4 address in plain decimal: write it like 192.168.1.2`;
    if (own.some((a) => a.ip === via)) return `${via} is ${node}'s own address: route via a neighbour`;
    const gateway = ipaddr.IPv4.parse(via);
    const on = own.find((a) => gateway.match(cidrOf(a.address)));
    if (!on) {
        const nets = own.map((a) => cidrText(cidrOf(a.address))).join(", ") || "none";
        return `${via} is not on any of ${node}'s subnets (${nets}): a gateway must be a direct neighbour`;
    }
    const subnet = `${node}'s ${cidrText(cidrOf(on.address))} (${on.address})`;
    const fix = "route via a neighbour's address on that subnet";
    if (via === ipaddr.IPv4.networkAddressFromCIDR(on.address).toString())
        return `${via} is the network address of ${subnet}, which names the subnet, not a neighbour: ${fix}`;
    if (via === ipaddr.IPv4.broadcastAddressFromCIDR(on.address).toString())
        return (
            `${via} is the broadcast address of ${subnet}, ` +
            `which the kernel refuses as a gateway ("Nexthop has invalid gateway"): ${fix}`
        );
    return undefined;
}

/** Why a plain CIDR is not a subnet's own address (its host bits are set), or undefined. */
function hostBitsSet(value: string): string | undefined {
    const [ip, prefix] = value.split("/");
    const network = ipaddr.IPv4.networkAddressFromCIDR(value).toString();
    return ip === network ? undefined : `"${value}" has host bits set: the subnet is ${network}/${prefix}`;
}

function cidrOf(address: string): [ipaddr.IPv4, number] {
    const [, prefix] = ipaddr.IPv4.parseCIDR(address);
    return [ipaddr.IPv4.parse(ipaddr.IPv4.networkAddressFromCIDR(address).toString()), prefix];
}

/** zod's issues with version 2's keys; a key under a node's name in ends or ports is checked by hand. */
function topologyZodIssue(issue: z.ZodIssue): LabIssue {
    if (issue.code === "unrecognized_keys") {
        const path = issue.path.filter((p) => typeof p === "string");
        const under = path[path.length - 2];
        const last = path[path.length - 1];
        // Keys under a node's name: a link's end (ends.<node>) or a segment's port (ports.<node>).
        const schema =
            last === "vlans" ? vlanSchema : under === "ends" ? endSchema : under === "ports" ? portSchema : undefined;
        const allowed = schema && keysOf(schema);
        if (issue.keys.includes("mode") && under === "ends")
            return {
                field: fieldPath(issue.path),
                message: "the mode is set once per link (links[].bond.mode): both ends of a bond run the same mode",
            };
        if (allowed) return { field: fieldPath(issue.path), message: unknownKeys(issue.keys, allowed) };
    }
    if (issue.code === "invalid_literal" && issue.path.join(".") === "version")
        return {
            field: "version",
            message: `${JSON.stringify(issue.received)} is not a lab file version: write version: 2 (or leave it out for a version 1 file)`,
        };
    return zodIssue(issue, KNOWN_KEYS);
}
