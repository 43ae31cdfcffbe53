import { z } from "zod";
import { BondOptionValue } from "./modes";
import { TopologySpec } from "./topology";
import { LabConfigError, LabIssue, MAX_CHANNELS, notASlave, printable, prototypeKeyIssues, zodIssue } from "./validate";
import { channelSchema, optionValue, validateTopology } from "./validate-topology";

// A version 1 lab file (two routers, one bond, no `version:` key) read as the network it
// describes, the way containerlab reads its brief link syntax into the typed form: one link
// of its channels between its two routers, bonded at both ends. That network is checked by
// the one validator (validateTopology); each problem comes back under the field the file
// wrote, in its words.

const DEFAULT_ROUTERS = [
    { name: "inetRouter", address: "192.168.1.1/24" },
    { name: "centralRouter", address: "192.168.1.2/24" },
];
const DEFAULT_CHANNELS = [{ name: "ch1" }, { name: "ch2" }];
const MIN_CHANNELS = 2;

const classicSchema = z
    .object({
        description: z.string().min(1),
        bond: z
            .object({
                name: z.string().default("bond0"),
                mode: z.string(),
                options: z.record(optionValue).default({}),
            })
            .strict(),
        routers: z.array(z.object({ name: z.string(), address: z.string() }).strict()).default(DEFAULT_ROUTERS),
        channels: z.array(channelSchema).default(DEFAULT_CHANNELS),
        management: z.object({ subnet: z.string().optional() }).strict().default({}),
        privileged: z.boolean().default(true),
    })
    .strict();
type ClassicFile = z.infer<typeof classicSchema>;
type Overrides = Record<string, BondOptionValue | null>;

const KNOWN_KEYS: Record<string, string[]> = {
    "": Object.keys(classicSchema.shape),
    bond: ["name", "mode", "options"],
    routers: ["name", "address"],
    channels: ["name", "subnet", "segment", "macFilter"],
    management: ["subnet"],
};

/**
 * A parsed version 1 lab file as its network. `overrides` are single bond options from stack
 * config (bondlab:bondOptions), merged over the file's (a null value removes the option)
 * before validation. Throws a LabConfigError naming the version 1 fields.
 */
export function readClassicLab(
    variant: string,
    raw: unknown,
    source = variant,
    overrides: Overrides = {},
): TopologySpec {
    const prototypeKeys = prototypeKeyIssues(raw);
    if (prototypeKeys.length > 0) throw new LabConfigError(source, prototypeKeys);
    const parsed = classicSchema.safeParse(raw);
    if (!parsed.success)
        throw new LabConfigError(
            source,
            parsed.error.issues.map((i) => zodIssue(i, KNOWN_KEYS)),
        );
    // The overrides through a Map, then own properties: a key such as "__proto__" stays a key and never reaches a prototype.
    const options = new Map(Object.entries(parsed.data.bond.options));
    for (const [key, value] of Object.entries(overrides)) {
        if (value === null) options.delete(key);
        else options.set(key, value);
    }
    const file = { ...parsed.data, bond: { ...parsed.data.bond, options: Object.fromEntries(options) } };
    // The routers are the link's two ends: there is no link to check without exactly two.
    if (file.routers.length !== 2)
        throw new LabConfigError(source, [
            { field: "routers", message: `the lab has exactly 2 routers, got ${file.routers.length}` },
        ]);
    let network: TopologySpec;
    try {
        network = validateTopology(variant, networkFile(file), source);
    } catch (e) {
        if (!(e instanceof LabConfigError)) throw e;
        throw new LabConfigError(source, classicIssues(e.issues, file, overrides));
    }
    return {
        ...network,
        // Its routers run bondlab's image and keep the Docker host's forwarding, as they always had (NodeSpec).
        nodes: network.nodes.map(({ forwarding: _, image: __, ...node }) => node),
        links: network.links.map((link) => ({ ...link, name: file.bond.name })),
    };
}

/** The routers' interfaces, one per channel: eth1 on the first channel, eth2 on the second... */
function interfacesOf(file: ClassicFile): string[] {
    return file.channels.map((_, i) => `eth${i + 1}`);
}

/**
 * The link's name while it is checked. The lab names its link after the bond (readClassicLab),
 * whose name follows Linux's rule for interfaces (checked at the ends as bond.name), not the
 * stricter one for the names of Docker objects that a link's name follows.
 */
const LINK = "bond";

/** The version 2 file this one means: its routers as nodes, joined by one bonded link. */
function networkFile(file: ClassicFile): unknown {
    const { name, mode, options } = file.bond;
    return {
        version: 2,
        description: file.description,
        nodes: file.routers.map((router) => ({ name: router.name })),
        links: [
            {
                name: LINK,
                // Every key written out, as the lab has always held them (a key left unset is undefined).
                channels: file.channels.map((c) => ({
                    name: c.name,
                    subnet: c.subnet,
                    segment: c.segment,
                    macFilter: c.macFilter,
                })),
                bond: { mode, options: { ...options, ...primaryOf(file) } },
                ends: Object.fromEntries(file.routers.map((r) => [r.name, { address: r.address, bond: name }])),
            },
        ],
        management: { subnet: file.management.subnet },
        privileged: file.privileged,
    };
}

/** Stands for a `primary` that names none of the routers' interfaces: no channel is called so. */
const NOT_AN_INTERFACE = "(not an interface)";

/** Version 1 names the primary by the routers' interface (eth1); a link names it by channel (ch1). */
function primaryOf(file: ClassicFile): { primary?: BondOptionValue } {
    const primary = file.bond.options.primary;
    if (typeof primary !== "string" || primary === "") return {};
    const i = interfacesOf(file).indexOf(primary);
    return { primary: i >= 0 ? file.channels[i].name : NOT_AN_INTERFACE };
}

/** The network's issues as the version 1 file's: its fields, its words, each problem once. */
function classicIssues(issues: readonly LabIssue[], file: ClassicFile, overrides: Overrides): LabIssue[] {
    const paths = classicPaths(file);
    const seen = new Set<string>();
    return issues.flatMap((issue) => {
        const told = classicIssue(issue, file, paths);
        if (told === undefined) return [];
        const blamed = blameStack(told, overrides);
        const key = `${blamed.field}\n${blamed.message}`;
        if (seen.has(key)) return [];
        seen.add(key);
        return [blamed];
    });
}

/** Where the network's fields come from in the version 1 file, most specific first. */
function classicPaths(file: ClassicFile): [string, string][] {
    return [
        // LabConfigError prints names escaped: the fields it holds name the routers so.
        ...file.routers.flatMap((router, i): [string, string][] => {
            const end = `links[0].ends.${printable(router.name)}`;
            return [
                [`${end}.bond`, "bond.name"],
                [end, `routers[${i}]`],
            ];
        }),
        ...file.routers.map((_, i): [string, string] => [`nodes[${i}]`, `routers[${i}]`]),
        ["links[0].bond.options", "bond.options"],
        ["links[0].bond.mode", "bond.mode"],
        ["links[0].channels", "channels"],
    ];
}

/** A path of the network (links[0].ends.inetRouter.address) as the version 1 file's (routers[0].address). */
function classicPath(path: string, paths: [string, string][]): string {
    for (const [from, to] of paths) {
        const rest = path.slice(from.length);
        if (path.startsWith(from) && (rest === "" || rest.startsWith(".") || rest.startsWith("["))) return to + rest;
    }
    return path;
}

/** The network's paths as they appear inside a message, e.g. "(links[0].ends.a.address)". */
const NETWORK_PATH = /\b(?:links|nodes)\[\d+\](?:\.[^\s.()[\]:,'"]+|\[\d+\])*/g;

/** What the network validator says in terms a version 1 file does not use, said in its own. */
const CLASSIC_WORDS: [string, string][] = [
    ["node names must differ", "router names must differ"],
    ["rename the node", "rename the router"],
];

function classicIssue(issue: LabIssue, file: ClassicFile, paths: [string, string][]): LabIssue | undefined {
    const { field } = issue;
    // Fewer than two ends: two routers of one name, told at routers[1].name.
    if (field === "links[0].ends") return undefined;
    // The channel count: a link takes 1 to 8, and a bond of one channel is refused at links[0].bond.
    if (field === "links[0].channels" || field === "links[0].bond")
        return {
            field: "channels",
            message: `a bond here has ${MIN_CHANNELS} to ${MAX_CHANNELS} channels, got ${file.channels.length}`,
        };
    if (field === "links[0].bond.options.primary" && issue.message.includes(NOT_AN_INTERFACE))
        return {
            field: "bond.options.primary",
            message: notASlave(String(file.bond.options.primary), interfacesOf(file)),
        };
    let message = issue.message.replace(NETWORK_PATH, (path) => classicPath(path, paths));
    for (const [network, classic] of CLASSIC_WORDS) message = message.replace(network, classic);
    // The link is the bond, to a file that names no links: "in link bond" reads "in bond bond0".
    message = message.replace(new RegExp(`\\blink ${LINK}(?=[\\s,:)]|$)`, "g"), `bond ${printable(file.bond.name)}`);
    return { field: classicPath(field, paths), message };
}

/** A problem with an option the stack set (bondlab:bondOptions) is the stack's, not the file's. */
function blameStack(issue: LabIssue, overrides: Overrides): LabIssue {
    const { field, message } = issue;
    const key = field.startsWith("bond.options.") ? field.slice("bond.options.".length) : undefined;
    if (key !== undefined && Object.hasOwn(overrides, key)) return { field: `bondlab:bondOptions.${key}`, message };
    const removed = Object.keys(overrides).filter((k) => overrides[k] === null);
    if (field !== "bond.options" || removed.length === 0) return issue;
    return {
        field: "bondlab:bondOptions",
        message:
            `${message} (after bondlab:bondOptions removes ${removed.join(", ")}: ` +
            `\`pulumi config rm --path 'bondlab:bondOptions.${removed[0]}'\` keeps the variant's)`,
    };
}
