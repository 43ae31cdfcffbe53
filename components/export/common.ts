import * as crypto from "crypto";
import { AddressSpec } from "../labfile/topology";
import { HostBond, HostConfig, HostInterface } from "./host";

// What the exporters share: the error for an option a format cannot say, the table type
// that maps the kernel's option names onto a format's, and small naming helpers.

/** A bond option (or one of its values) that a host config format has no way to express. */
export class ExportError extends Error {
    constructor(
        readonly format: string,
        readonly option: string,
        reason: string,
    ) {
        super(`${format} cannot express the bond option ${option}: ${reason}`);
        this.name = "ExportError";
    }
}

/** How one kernel option is written in a format. */
export interface Rule<T> {
    /** The format's name for the option. */
    readonly key: string;
    /** The format's value from the kernel's text (lists comma separated); the text itself if absent. */
    readonly value?: (kernel: string) => T;
    /** The values the format documents, when they are fewer than the kernel's. */
    readonly values?: readonly string[];
}

/** Every option of modes.ts, either with its rule or with why the format cannot express it. */
export type RuleTable<T> = Readonly<Record<string, Rule<T> | { readonly unsupported: string }>>;

/** A kernel option as the format writes it. */
export interface Translated<T> {
    readonly option: string;
    readonly key: string;
    readonly value: T;
}

/** Translates a bond's options (endBondOptions) into a format, or throws an ExportError naming the option and the format. */
export function translate<T>(
    format: string,
    table: RuleTable<T>,
    options: readonly [string, string][],
): Translated<T>[] {
    return options.map(([option, text]) => {
        const rule = table[option];
        if (rule === undefined) throw new ExportError(format, option, "the exporter has no rule for it");
        if ("unsupported" in rule) throw new ExportError(format, option, rule.unsupported);
        if (rule.values && !rule.values.includes(text)) {
            throw new ExportError(format, `${option}=${text}`, `${rule.key} takes only ${rule.values.join(", ")}`);
        }
        return { option, key: rule.key, value: rule.value ? rule.value(text) : (text as unknown as T) };
    });
}

/** A prefix length, e.g. 24 for 192.168.1.1/24. */
export function prefixOf(address: AddressSpec): number {
    return Number(address.address.split("/")[1]);
}

/** An interface as comments name it: bond0 (active-backup), bond1.10 (VLAN 10 on bond1), eth5. */
function describe(iface: HostInterface): string {
    if (iface.kind === "bond") return `${iface.name} (${iface.mode})`;
    if (iface.kind === "vlan") return `${iface.name} (VLAN ${iface.id} on ${iface.parent})`;
    return iface.name;
}

/** The interface a file of `iface` belongs to: a slave's bond, else the interface itself. */
export function ownerOf(host: HostConfig, iface: HostInterface): HostInterface {
    if (iface.kind !== "ethernet" || iface.master === undefined) return iface;
    return host.interfaces.find((i) => i.name === iface.master)!;
}

/** One comment line that says where a file came from: the lab, the node and the interfaces. */
export function origin(host: HostConfig, ...ifaces: HostInterface[]): string {
    return `bondlab ${host.variant}: ${host.node}'s ${ifaces.map(describe).join(", ")}`;
}

/**
 * Comment lines ("# ...") for a host that runs in a VM: an active-backup bond writes its
 * MAC into every slave (fail_over_mac none), and a hypervisor that filters a guest's MAC
 * changes then delivers the bond's frames to the old slave only, so the first failover
 * loses the path. `setting` is how the format writes fail_over_mac active.
 */
export function vmAdvice(bond: HostBond, setting: string): string[] {
    const policy = bond.options.find(([key]) => key === "fail_over_mac")?.[1];
    if (bond.mode !== "active-backup" || (policy !== undefined && policy !== "none")) return [];
    return [
        "# In a VM whose hypervisor filters the guest's MAC changes (a VirtualBox internal network,",
        "# Hyper-V without MAC address spoofing, a VMware port group that rejects MAC changes), add",
        `# ${setting}: at failover the bond then takes the new active slave's own MAC.`,
    ];
}

/**
 * A UUID derived from the names (RFC 4122 version 5 layout over SHA-1), so exports are
 * reproducible and adding the same profile twice fails instead of duplicating it.
 */
export function stableUuid(...names: string[]): string {
    const hash = crypto.createHash("sha1").update(names.join("/")).digest();
    hash[6] = (hash[6] & 0x0f) | 0x50;
    hash[8] = (hash[8] & 0x3f) | 0x80;
    const hex = hash.subarray(0, 16).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Text lines as a file: joined with newlines, with a final newline. */
export function lines(...text: string[]): string {
    return text.join("\n") + "\n";
}
