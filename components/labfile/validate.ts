import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import {
    BOND_MODES,
    BOND_OPTIONS,
    BondMode,
    BondOptionValue,
    OptionRule,
    allowsArpMonitoring,
    optionRule,
} from "./modes";
import { ChannelSpec, LabSpec, RouterSpec } from "./spec";

// Turns a lab file (already parsed from YAML) into a LabSpec, or throws a LabConfigError
// listing every problem with its field, the bad value and what is allowed. It runs before
// any resource is registered, so a bad file never leaves a half-built lab behind.

export interface LabIssue {
    /** Dotted path of the field, e.g. bond.options.lacp_rate. */
    readonly field: string;
    readonly message: string;
}

export class LabConfigError extends Error {
    readonly source: string;
    /** Every issue with its control characters escaped, as printed. */
    readonly issues: readonly LabIssue[];

    constructor(
        source: string,
        issues: readonly LabIssue[],
        /** What the source should have been: "lab", "class file". */
        what = "lab",
    ) {
        const shown = issues.map((i) => ({ field: printable(i.field), message: printable(i.message) }));
        super(`${printable(source)} is not a valid ${what}:\n` + shownIssues(shown).join("\n"));
        this.name = "LabConfigError";
        this.source = printable(source);
        this.issues = shown;
    }
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const ESCAPES: ReadonlyMap<string, string> = new Map([
    ["\n", "\\n"],
    ["\r", "\\r"],
    ["\t", "\\t"],
]);

/**
 * Text from a lab file with its control characters escaped (\n, \u001b): a name holding a
 * newline or a terminal escape must not print as a line, or a colour, of its own.
 */
export function printable(text: string): string {
    return text.replace(CONTROL, (c) => ESCAPES.get(c) ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** At most this many problems are printed: a garbage file must not print megabytes. */
export const MAX_ISSUES_SHOWN = 20;

function shownIssues(issues: readonly LabIssue[]): string[] {
    const lines = issues
        .slice(0, MAX_ISSUES_SHOWN)
        .map((i) => `  - ${i.field}: ${i.message.length > 300 ? i.message.slice(0, 300) + "..." : i.message}`);
    if (issues.length > MAX_ISSUES_SHOWN) lines.push(`  ... and ${issues.length - MAX_ISSUES_SHOWN} more`);
    return lines;
}

export const MIN_CHANNELS = 2;
export const MAX_CHANNELS = 8;
const IFNAMSIZ = 15; // Linux interface names: at most 15 characters.

const DEFAULT_ROUTERS = [
    { name: "inetRouter", address: "192.168.1.1/24" },
    { name: "centralRouter", address: "192.168.1.2/24" },
];
const DEFAULT_CHANNELS = [{ name: "ch1" }, { name: "ch2" }];

const optionValue = z.union([z.number(), z.string(), z.array(z.string())]);
const labFileSchema = z
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
        channels: z
            .array(
                z
                    .object({
                        name: z.string(),
                        subnet: z.string().optional(),
                        segment: z.string().optional(),
                        macFilter: z.boolean().default(false),
                    })
                    .strict(),
            )
            .default(DEFAULT_CHANNELS),
        management: z.object({ subnet: z.string().optional() }).strict().default({}),
        privileged: z.boolean().default(true),
    })
    .strict();
type LabFile = z.infer<typeof labFileSchema>;

const TOP_LEVEL_KEYS = Object.keys(labFileSchema.shape);
const KNOWN_KEYS: Record<string, string[]> = {
    "": TOP_LEVEL_KEYS,
    bond: ["name", "mode", "options"],
    routers: ["name", "address"],
    channels: ["name", "subnet", "segment", "macFilter"],
    management: ["subnet"],
};

/**
 * Validates a parsed lab file. `overrides` are single bond options from stack config,
 * merged over the file's (a null value removes the option) before validation.
 */
export function validateLab(
    variant: string,
    raw: unknown,
    source = variant,
    overrides: Record<string, BondOptionValue | null> = {},
): LabSpec {
    const prototypeKeys = prototypeKeyIssues(raw);
    if (prototypeKeys.length > 0) throw new LabConfigError(source, prototypeKeys);
    const parsed = labFileSchema.safeParse(raw);
    if (!parsed.success) {
        throw new LabConfigError(
            source,
            parsed.error.issues.map((i) => zodIssue(i)),
        );
    }
    const file = withOverrides(parsed.data, overrides);
    const issues: LabIssue[] = [];
    // A problem with an option the stack set (bondlab:bondOptions) is the stack's, not the file's.
    const add = (field: string, message: string) => {
        const key = field.startsWith("bond.options.") ? field.slice("bond.options.".length) : undefined;
        if (key !== undefined && Object.hasOwn(overrides, key))
            issues.push({ field: `bondlab:bondOptions.${key}`, message });
        else if (field === "bond.options" && Object.values(overrides).includes(null)) {
            const removed = Object.keys(overrides).filter((k) => overrides[k] === null);
            issues.push({
                field: "bondlab:bondOptions",
                message:
                    `${message} (after bondlab:bondOptions removes ${removed.join(", ")}: ` +
                    `\`pulumi config rm --path 'bondlab:bondOptions.${removed[0]}'\` keeps the variant's)`,
            });
        } else issues.push({ field, message });
    };

    const routers = checkRouters(file, add);
    const channels = checkChannels(file, add);
    checkDockerNames(routers, channels, add);
    checkSubnets(file, routers, add);
    const mode = checkMode(file.bond.mode, add);
    checkBondName(file.bond.name, add);
    const options = mode
        ? checkOptions(
              mode,
              file.bond.options,
              { count: channels.length, primary: channels.map((c) => c.interface) },
              add,
          )
        : {};
    checkSegments(channels, mode, add);
    checkArpTargets(routers, options, add);

    if (issues.length > 0) throw new LabConfigError(source, issues);
    return {
        variant,
        description: file.description,
        bond: { name: file.bond.name, mode: mode!, options },
        routers: routers as [RouterSpec, RouterSpec],
        channels,
        management: { subnet: file.management.subnet },
        privileged: file.privileged,
    };
}

function withOverrides(file: LabFile, overrides: Record<string, BondOptionValue | null>): LabFile {
    // A Map, then own properties: a key such as "__proto__" stays a key and never reaches a prototype.
    const options = new Map(Object.entries(file.bond.options));
    for (const [key, value] of Object.entries(overrides)) {
        if (value === null) options.delete(key);
        else options.set(key, value);
    }
    return { ...file, bond: { ...file.bond, options: Object.fromEntries(options) } };
}

/**
 * "__proto__" as a key anywhere in the file: the schema would drop it without a word (it
 * never copies that key), so it is refused here, with its path, before the schema runs.
 */
export function prototypeKeyIssues(raw: unknown): LabIssue[] {
    const issues: LabIssue[] = [];
    const path: (string | number)[] = [];
    const walk = (value: unknown): void => {
        if (value === null || typeof value !== "object") return;
        if (!Array.isArray(value) && Object.hasOwn(value, "__proto__"))
            issues.push({
                field: fieldPath([...path, "__proto__"]),
                message: '"__proto__" names no key, option, node or interface bondlab knows: remove it',
            });
        // The path is built only for a hit: a large file has many values and few of these.
        for (const [key, child] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
            path.push(key);
            walk(child);
            path.pop();
        }
    };
    walk(raw);
    return issues;
}

function fieldPath(path: (string | number)[]): string {
    return path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
        .join("")
        .replace(/^\./, "");
}

export type Add = (field: string, message: string) => void;

/** A router's (or node's) name is its hostname. */
export const HOSTNAME = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;

function checkRouters(file: LabFile, add: Add): RouterSpec[] {
    if (file.routers.length !== 2) {
        add("routers", `the lab has exactly 2 routers, got ${file.routers.length}`);
    }
    const seen = new Set<string>();
    return file.routers.map((router, i) => {
        const field = `routers[${i}]`;
        if (!HOSTNAME.test(router.name)) {
            add(
                `${field}.name`,
                `"${router.name}" is not a hostname: use 1-63 letters, digits or '-', starting with a letter`,
            );
        }
        if (seen.has(router.name.toLowerCase()))
            add(`${field}.name`, `"${router.name}" is used twice: router names must differ`);
        seen.add(router.name.toLowerCase());
        const ip = checkHostAddress(`${field}.address`, router.address, add);
        return { name: router.name, address: router.address, ip: ip ?? "" };
    });
}

// Four-part decimal only: "192.168.1/24", "010.0.0.1" and hex forms are read differently by
// different tools (ipaddr.js, iproute2, Docker), so none of them is taken.
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
export const FOUR_PART = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const PREFIX = /^(3[0-2]|[12]?\d)$/;

/** Is `value` "a.b.c.d/n" written plainly in decimal? */
export function isPlainCidr(value: string): boolean {
    const [ip, prefix, extra] = value.split("/");
    return extra === undefined && FOUR_PART.test(ip) && prefix !== undefined && PREFIX.test(prefix);
}

// Parsed once: a large file asks for every address.
const SPECIAL_RANGES: [[ipaddr.IPv4, number], string][] = [
    ["0.0.0.0/8", '0.0.0.0/8 means "this host" and is never a peer\'s address'],
    ["127.0.0.0/8", "127.0.0.0/8 is loopback: it never leaves a host"],
    ["169.254.0.0/16", "169.254.0.0/16 is link-local, the kernel's own fallback range"],
    ["224.0.0.0/4", "224.0.0.0/4 is multicast"],
    ["240.0.0.0/4", "240.0.0.0/4 is reserved (and 255.255.255.255 is broadcast)"],
].map(([cidr, why]) => [ipaddr.IPv4.parseCIDR(cidr), why]);

/** Why an address of a special range cannot serve in the lab, or undefined. */
export function specialRange(ip: string): string | undefined {
    const address = ipaddr.IPv4.parse(ip);
    return SPECIAL_RANGES.find(([cidr]) => address.match(cidr))?.[1];
}

export function checkHostAddress(field: string, value: string, add: Add): string | undefined {
    if (!isPlainCidr(value)) {
        add(field, `"${value}" is not an IPv4 address with a prefix in plain decimal: write it like 192.168.1.1/24`);
        return undefined;
    }
    const special = specialRange(value.split("/")[0]);
    if (special) {
        add(field, `${value}: ${special}; use a private address such as 192.168.1.1/24`);
        return undefined;
    }
    const [ip, prefix] = ipaddr.IPv4.parseCIDR(value);
    const network = ipaddr.IPv4.networkAddressFromCIDR(value).toString();
    const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(value).toString();
    if (prefix > 30) add(field, `/${prefix} leaves no room for two routers: use /30 or shorter`);
    else if (ip.toString() === network || ip.toString() === broadcast) {
        add(
            field,
            `${ip} is the ${ip.toString() === network ? "network" : "broadcast"} address of its subnet: pick a host address`,
        );
    }
    return ip.toString();
}

/** Container names are `<stack>-<router>` and `<stack>-<channel>-cable`: they must not meet. */
function checkDockerNames(routers: RouterSpec[], channels: ChannelSpec[], add: Add): void {
    routers.forEach((router, i) => {
        const cable = channels.find((c) => `${c.name}-cable` === router.name.toLowerCase());
        if (cable)
            add(
                `routers[${i}].name`,
                `"${router.name}" is the name of channel ${cable.name}'s cable container: rename the router`,
            );
        const segment = channels.find(
            (c) => c.segment !== undefined && `${c.segment}-switch` === router.name.toLowerCase(),
        );
        if (segment)
            add(
                `routers[${i}].name`,
                `"${router.name}" is the name of segment ${segment.segment}'s switch container: rename the router`,
            );
    });
}

function checkChannels(file: LabFile, add: Add): ChannelSpec[] {
    const count = file.channels.length;
    if (count < MIN_CHANNELS || count > MAX_CHANNELS) {
        add("channels", `a bond here has ${MIN_CHANNELS} to ${MAX_CHANNELS} channels, got ${count}`);
    }
    const seen = new Set<string>();
    return file.channels.map((channel, i) => {
        const field = `channels[${i}].name`;
        if (!/^[a-z0-9][a-z0-9-]*$/.test(channel.name) || channel.name.length > IFNAMSIZ) {
            add(field, `"${channel.name}" must be 1-${IFNAMSIZ} lower-case letters, digits or '-'`);
        }
        if (seen.has(channel.name)) add(field, `"${channel.name}" is used twice: channel names must differ`);
        if (channel.name === "mgmt")
            add(field, `"mgmt" is the management network's name: call the channel e.g. ch${i + 1}`);
        seen.add(channel.name);
        return {
            name: channel.name,
            interface: `eth${i + 1}`,
            subnet: channel.subnet,
            segment: channel.segment,
            macFilter: channel.macFilter,
        };
    });
}

/** Segment names end up in container names: short and plain, like channel names. */
export const SEGMENT_NAME = /^[a-z0-9][a-z0-9-]{0,14}$/;

function checkSegments(channels: ChannelSpec[], mode: BondMode | undefined, add: Add): void {
    const members = new Map<string, number[]>();
    channels.forEach((channel, i) => {
        if (channel.segment === undefined) return;
        const field = `channels[${i}].segment`;
        if (!SEGMENT_NAME.test(channel.segment)) {
            add(
                field,
                `"${channel.segment}" must be 1-15 lower-case letters, digits or '-', starting with a letter or digit, e.g. intnet`,
            );
            return;
        }
        if (channels.some((c) => c.name === channel.segment)) {
            add(field, `"${channel.segment}" is also a channel's name: call the segment e.g. intnet`);
        }
        members.set(channel.segment, [...(members.get(channel.segment) ?? []), i]);
    });
    for (const [segment, indexes] of members) {
        if (indexes.length < 2) {
            add(
                `channels[${indexes[0]}].segment`,
                `segment "${segment}" has only this channel: a segment joins two or more channels into one L2 network; ` +
                    `give another channel segment: ${segment}, or remove it`,
            );
        }
    }
    if (mode === "802.3ad" && members.size > 0) {
        const first = channels.findIndex((c) => c.segment !== undefined);
        add(
            `channels[${first}].segment`,
            "802.3ad needs each channel to be its own link to the partner, and a segment's switch (a plain Linux bridge) " +
                "drops LACPDUs: remove segment, or use active-backup",
        );
    }
}

function checkSubnets(file: LabFile, routers: RouterSpec[], add: Add): void {
    const subnets: { field: string; cidr: [ipaddr.IPv4, number] }[] = [];
    const take = (field: string, value: string | undefined) => {
        if (value === undefined) return;
        if (!isPlainCidr(value)) {
            add(field, `"${value}" is not an IPv4 subnet in plain decimal: write it like 10.250.1.0/24`);
            return;
        }
        const special = specialRange(value.split("/")[0]);
        const cidr = ipaddr.IPv4.parseCIDR(value);
        if (special) {
            add(field, `${value}: ${special}; use a private subnet such as 10.250.1.0/24`);
            return;
        }
        if (cidr[1] < 8) {
            add(field, `/${cidr[1]} covers ${cidr[1] === 0 ? "every address" : "far more than a lab"}: use /8 to /29`);
            return;
        }
        const network = ipaddr.IPv4.networkAddressFromCIDR(value).toString();
        if (cidr[0].toString() !== network)
            add(field, `"${value}" has host bits set: the subnet is ${network}/${cidr[1]}`);
        else if (cidr[1] > 29)
            add(field, `/${cidr[1]} is too small for a Docker network with two routers: use /29 or shorter`);
        subnets.push({ field, cidr });
    };
    take("management.subnet", file.management.subnet);
    file.channels.forEach((c, i) => take(`channels[${i}].subnet`, c.subnet));

    const valid = routers.filter((r) => r.ip !== "");
    if (valid.length === 2) {
        const [a, b] = valid.map((r) => ipaddr.IPv4.parseCIDR(r.address));
        if (a[0].toString() === b[0].toString()) {
            add("routers[1].address", `${b[0]} is also routers[0]'s address: each router needs its own`);
        } else if (a[1] !== b[1] || !b[0].match(a)) {
            add(
                "routers[1].address",
                `${valid[1].address} is not in ${valid[0].address}'s subnet: both bond addresses must share one subnet`,
            );
        }
        // The bond subnet must not overlap a Docker network, or the router would route bond traffic out of eth0.
        subnets.push({
            field: "routers[0].address",
            cidr: [ipaddr.IPv4.parse(ipaddr.IPv4.networkAddressFromCIDR(valid[0].address).toString()), a[1]],
        });
    }
    for (let i = 0; i < subnets.length; i++) {
        for (let j = i + 1; j < subnets.length; j++) {
            if (overlaps(subnets[i].cidr, subnets[j].cidr)) {
                add(
                    subnets[j].field,
                    `${cidrText(subnets[j].cidr)} overlaps ${subnets[i].field} (${cidrText(subnets[i].cidr)}): subnets must not overlap`,
                );
            }
        }
    }
}

export function overlaps(a: [ipaddr.IPv4, number], b: [ipaddr.IPv4, number]): boolean {
    return a[0].match(b) || b[0].match(a);
}

export function cidrText([ip, prefix]: [ipaddr.IPv4, number]): string {
    return `${ip}/${prefix}`;
}

export function checkMode(mode: string, add: Add, field = "bond.mode"): BondMode | undefined {
    if ((BOND_MODES as readonly string[]).includes(mode)) return mode as BondMode;
    add(field, `"${mode}" is not a bonding mode${didYouMean(mode, BOND_MODES)}: use one of ${BOND_MODES.join(", ")}`);
    return undefined;
}

export function checkBondName(name: string, add: Add, field = "bond.name"): void {
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name) || name.length > IFNAMSIZ) {
        add(field, `"${name}" is not a Linux interface name: use 1-${IFNAMSIZ} letters, digits, '_', '.' or '-'`);
    } else if (/^(eth\d+|lo|bonding_masters|all|default)$/.test(name)) {
        add(field, `"${name}" is taken ${takenBy(name)}: call the bond e.g. bond0`);
    }
}

/** What already holds a name the kernel or the routers keep for themselves. */
function takenBy(name: string): string {
    if (name === "bonding_masters") return "by the bonding driver's control file";
    // The kernel keeps /proc/sys/net/ipv4/conf/all and .../default for settings of every interface.
    if (name === "all" || name === "default")
        return `by the kernel's settings for every interface (/proc/sys/net/ipv4/conf/${name})`;
    return "by the routers' own interfaces";
}

/** The bond's slaves as the options see them: how many, and what `primary` may name. */
export interface SlaveChoices {
    readonly count: number;
    /** v1: the routers' interfaces (eth1, ...); v2: the link's channel names. */
    readonly primary: readonly string[];
}

export function checkOptions(
    mode: BondMode,
    options: Record<string, BondOptionValue>,
    slaves: SlaveChoices,
    add: Add,
    prefix = "bond.options",
): Record<string, BondOptionValue> {
    const result: Record<string, BondOptionValue> = {};
    const known = Object.keys(BOND_OPTIONS);
    for (const [key, value] of Object.entries(options)) {
        const field = `${prefix}.${key}`;
        const rule = optionRule(key);
        if (key === "mode") {
            add(field, "the mode is set by bond.mode, not in options");
            continue;
        }
        if (!rule) {
            add(field, `unknown bonding option${didYouMean(key, known)}: known options are ${known.join(", ")}`);
            continue;
        }
        if (!rule.modes.includes(mode)) {
            add(
                field,
                `${key} does not apply to mode ${mode}: it is used only in ${rule.modes.join(", ")}; remove it or change bond.mode`,
            );
            continue;
        }
        const normalized = checkValue(field, key, rule, value, add);
        if (normalized !== undefined) result[key] = normalized;
    }

    const miimon = Number(result.miimon ?? 0);
    const arpInterval = Number(result.arp_interval ?? 0);
    if (miimon > 0 && arpInterval > 0) {
        add(
            `${prefix}.arp_interval`,
            "miimon and ARP monitoring exclude each other: keep one (set miimon or arp_interval, not both)",
        );
    }
    if (miimon === 0 && arpInterval === 0) {
        const fix = allowsArpMonitoring(mode)
            ? "add miimon: 100 (or arp_interval with arp_ip_target)"
            : "add miimon: 100";
        add(prefix, `no link monitoring: without it a failed slave is never noticed; ${fix}`);
    }
    if (arpInterval > 0 && result.arp_ip_target === undefined) {
        add(`${prefix}.arp_ip_target`, "ARP monitoring needs targets to probe: add arp_ip_target: [peer]");
    }
    if (arpInterval === 0 && result.arp_missed_max !== undefined) {
        add(
            `${prefix}.arp_missed_max`,
            "arp_missed_max counts missed ARP monitor checks: add arp_interval (and arp_ip_target) or remove it",
        );
    }
    if (arpInterval === 0 && result.arp_ip_target !== undefined) {
        add(
            `${prefix}.arp_ip_target`,
            "targets without arp_interval are never probed: add arp_interval (e.g. 200) or remove arp_ip_target",
        );
    }
    for (const key of ["updelay", "downdelay"]) {
        const delay = result[key];
        if (delay === undefined) continue;
        if (miimon === 0)
            add(`${prefix}.${key}`, `${key} works with the MII monitor only: set miimon or remove ${key}`);
        else if (Number(delay) % miimon !== 0)
            add(`${prefix}.${key}`, `${delay} is not a multiple of miimon (${miimon}): the kernel would round it down`);
    }
    if (result.min_links !== undefined && Number(result.min_links) > slaves.count) {
        add(
            `${prefix}.min_links`,
            `${result.min_links} is more than the bond's ${slaves.count} channels: ` +
                `the bond would never have carrier; use at most ${slaves.count}`,
        );
    }
    if (result.primary !== undefined && !slaves.primary.includes(String(result.primary))) {
        add(
            `${prefix}.primary`,
            `"${result.primary}" is not a slave of the bond: use one of ${slaves.primary.join(", ")}`,
        );
    }
    return result;
}

/** Each router's ARP targets once `peer` is its peer's address: distinct, reachable, not itself. */
export function checkArpTargets(
    routers: readonly { name: string; address: string; ip: string }[],
    options: Record<string, BondOptionValue>,
    add: Add,
    field = "bond.options.arp_ip_target",
): void {
    const targets = options.arp_ip_target;
    if (!Array.isArray(targets) || routers.length !== 2 || routers.some((r) => r.ip === "")) return;
    routers.forEach((router, i) => {
        const peer = routers[1 - i];
        const resolved = targets.map((t) => (t === "peer" ? peer.ip : t));
        const subnet = ipaddr.IPv4.parseCIDR(router.address);
        const seen = new Set<string>();
        for (const target of resolved) {
            const special = specialRange(target);
            if (special) add(field, `${target}: ${special}; probe the peer's address (\`peer\`)`);
            else if (target === router.ip)
                add(field, `${target} is ${router.name}'s own address: a router cannot probe itself; use \`peer\``);
            else if (!ipaddr.IPv4.parse(target).match(subnet)) {
                add(
                    field,
                    `${target} is outside the bond's subnet ${ipaddr.IPv4.networkAddressFromCIDR(router.address)}/${subnet[1]}: ` +
                        `${router.name}'s probes would not leave through the bond; use \`peer\``,
                );
            }
            if (seen.has(target))
                add(
                    field,
                    `${target} is listed twice for ${router.name} (\`peer\` is ${peer.ip} there): list each target once`,
                );
            seen.add(target);
        }
    });
}

function checkValue(
    field: string,
    key: string,
    rule: OptionRule,
    value: BondOptionValue,
    add: Add,
): BondOptionValue | undefined {
    switch (rule.kind) {
        case "integer": {
            const [min, max] = [rule.min ?? 0, rule.max ?? 2147483647];
            if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
                add(field, `${JSON.stringify(value)} is not a whole number of 0 or more`);
                return undefined;
            }
            if (value < min || value > max) {
                add(field, `${value} is outside what the kernel takes for ${key}: ${min} to ${max}`);
                return undefined;
            }
            return value;
        }
        case "enum":
            if (typeof value === "string" && rule.values!.includes(value)) return value;
            add(
                field,
                `${JSON.stringify(value)} is not allowed${didYouMean(String(value), rule.values!)}: use one of ${rule.values!.join(", ")}`,
            );
            return undefined;
        case "addresses": {
            const list = typeof value === "string" ? value.split(",").map((s) => s.trim()) : value;
            if (!Array.isArray(list) || list.length === 0 || list.length > 16) {
                add(field, "give 1 to 16 IPv4 addresses (or `peer`) as a list");
                return undefined;
            }
            const bad = list.filter((a) => a !== "peer" && !FOUR_PART.test(String(a)));
            if (bad.length > 0) {
                add(field, `${bad.map((b) => JSON.stringify(b)).join(", ")} is not an IPv4 address (or \`peer\`)`);
                return undefined;
            }
            return list.map(String);
        }
        default:
            if (typeof value === "string" && value.length > 0) return value;
            add(field, `${JSON.stringify(value)} must be a name`);
            return undefined;
    }
}

export function zodIssue(issue: z.ZodIssue, knownKeys: Record<string, string[]> = KNOWN_KEYS): LabIssue {
    const field =
        issue.path
            .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
            .join("")
            .replace(/^\./, "") || "(file)";
    if (issue.code === "unrecognized_keys") {
        const parent = issue.path.filter((p) => typeof p === "string").join(".");
        const allowed = (Object.hasOwn(knownKeys, parent) ? knownKeys[parent] : undefined) ?? [];
        const keys = issue.keys.map((k) => `"${k}"${didYouMean(k, allowed)}`).join(", ");
        return { field, message: `unknown key ${keys}: allowed here are ${allowed.join(", ")}` };
    }
    if (issue.code === "invalid_type" && issue.received === "undefined") {
        return { field, message: "is required" };
    }
    return { field, message: issue.message };
}

/** " (did you mean x?)" when a known name is one or two edits away. */
export function didYouMean(value: string, known: readonly string[]): string {
    let best: string | undefined;
    let bestDistance = 3;
    for (const candidate of known) {
        const d = editDistance(value.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) [best, bestDistance] = [candidate, d];
    }
    return best ? ` (did you mean ${best}?)` : "";
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}
