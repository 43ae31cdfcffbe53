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

// What both lab file readers share: LabConfigError, which lists every problem of a file with
// its field, the bad value and what is allowed, and the checks of single values (addresses,
// subnets, modes, bond options). The network validator is validate-topology.ts; a version 1
// file is read as a network by classic.ts.

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

export const MAX_CHANNELS = 8;
/** Linux interface names: at most 15 characters. */
export const IFNAMSIZ = 15;

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

/** A zod-style path as the field messages name: nodes[0].routes[1].via, or (file) for the root. */
export function fieldPath(path: (string | number)[]): string {
    return (
        path
            .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
            .join("")
            .replace(/^\./, "") || "(file)"
    );
}

export type Add = (field: string, message: string) => void;

/** A router's (or node's) name is its hostname. */
export const HOSTNAME = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;

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
    else if (ip.toString() === network || ip.toString() === broadcast)
        add(
            field,
            `${ip} is the ${ip.toString() === network ? "network" : "broadcast"} address of its subnet: pick a host address`,
        );
    return ip.toString();
}

export function cidrText([ip, prefix]: [ipaddr.IPv4, number]): string {
    return `${ip}/${prefix}`;
}

export function checkMode(mode: string, add: Add, field = "bond.mode"): BondMode | undefined {
    if ((BOND_MODES as readonly string[]).includes(mode)) return mode as BondMode;
    add(field, `"${mode}" is not a bonding mode${didYouMean(mode, BOND_MODES)}: use one of ${BOND_MODES.join(", ")}`);
    return undefined;
}

/** Why a bond cannot have this name, or undefined. */
export function bondNameProblem(name: string): string | undefined {
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name) || name.length > IFNAMSIZ)
        return `"${name}" is not a Linux interface name: use 1-${IFNAMSIZ} letters, digits, '_', '.' or '-'`;
    if (/^(eth\d+|lo|bonding_masters|all|default)$/.test(name))
        return `"${name}" is taken ${takenBy(name)}: call the bond e.g. bond0`;
    return undefined;
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
    /** The link's channel names. */
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
    if (miimon > 0 && arpInterval > 0)
        add(
            `${prefix}.arp_interval`,
            "miimon and ARP monitoring exclude each other: keep one (set miimon or arp_interval, not both)",
        );
    if (miimon === 0 && arpInterval === 0) {
        const fix = allowsArpMonitoring(mode)
            ? "add miimon: 100 (or arp_interval with arp_ip_target)"
            : "add miimon: 100";
        add(prefix, `no link monitoring: without it a failed slave is never noticed; ${fix}`);
    }
    if (arpInterval > 0 && result.arp_ip_target === undefined)
        add(`${prefix}.arp_ip_target`, "ARP monitoring needs targets to probe: add arp_ip_target: [peer]");
    if (arpInterval === 0 && result.arp_missed_max !== undefined)
        add(
            `${prefix}.arp_missed_max`,
            "arp_missed_max counts missed ARP monitor checks: add arp_interval (and arp_ip_target) or remove it",
        );
    if (arpInterval === 0 && result.arp_ip_target !== undefined)
        add(
            `${prefix}.arp_ip_target`,
            "targets without arp_interval are never probed: add arp_interval (e.g. 200) or remove arp_ip_target",
        );
    for (const key of ["updelay", "downdelay"]) {
        const delay = result[key];
        if (delay === undefined) continue;
        if (miimon === 0)
            add(`${prefix}.${key}`, `${key} works with the MII monitor only: set miimon or remove ${key}`);
        else if (Number(delay) % miimon !== 0)
            add(`${prefix}.${key}`, `${delay} is not a multiple of miimon (${miimon}): the kernel would round it down`);
    }
    if (result.min_links !== undefined && Number(result.min_links) > slaves.count)
        add(
            `${prefix}.min_links`,
            `${result.min_links} is more than the bond's ${slaves.count} channels: ` +
                `the bond would never have carrier; use at most ${slaves.count}`,
        );
    if (result.primary !== undefined && !slaves.primary.includes(String(result.primary)))
        add(`${prefix}.primary`, notASlave(String(result.primary), slaves.primary));
    return result;
}

/** Why `primary` cannot name this: the slaves it may name, as the file names them. */
export function notASlave(primary: string, slaves: readonly string[]): string {
    return `"${primary}" is not a slave of the bond: use one of ${slaves.join(", ")}`;
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
            else if (!ipaddr.IPv4.parse(target).match(subnet))
                add(
                    field,
                    `${target} is outside the bond's subnet ${ipaddr.IPv4.networkAddressFromCIDR(router.address)}/${subnet[1]}: ` +
                        `${router.name}'s probes would not leave through the bond; use \`peer\``,
                );
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
            const [min, max] = [rule.min ?? 0, rule.max ?? 2147483647]; // INT_MAX
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

export function zodIssue(issue: z.ZodIssue, knownKeys: Record<string, string[]>): LabIssue {
    const field = fieldPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        const parent = issue.path.filter((p) => typeof p === "string").join(".");
        const allowed = (Object.hasOwn(knownKeys, parent) ? knownKeys[parent] : undefined) ?? [];
        return { field, message: unknownKeys(issue.keys, allowed) };
    }
    if (issue.code === "invalid_type" && issue.received === "undefined") return { field, message: "is required" };
    return { field, message: issue.message };
}

/** The message for keys the schema does not know, with the ones it does. */
export function unknownKeys(keys: readonly string[], allowed: readonly string[]): string {
    const named = keys.map((k) => `"${k}"${didYouMean(k, allowed)}`).join(", ");
    return `unknown key ${named}: allowed here are ${allowed.join(", ")}`;
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
