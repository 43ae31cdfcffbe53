// npm run validate [-- <lab file or variant>...]: checks without touching Docker.
// With no argument: Pulumi.yaml and every Pulumi.<stack>.yaml under the rules the Pulumi CLI
// applies before a program runs (engine/config.ts), and the lab each stack names.
// With arguments: those lab files or variants.
// Exit 0 with a one-line summary per item, or 1 with every bad field and its fix.
import { StackConfigError, listStacks, loadStackFile, stackConfig } from "../engine/config";
import { PROJECT_DIR } from "../engine/engine";
import { drillableLinks } from "../components/handle";
import { loadAnyLab } from "../components/labfile/load";
import { readStackSettings } from "../components/labfile/settings";
import { checkDockerHost } from "../components/docker-endpoint";
import { endBondOptions } from "../components/node-settings";
import { Delivery, Reach } from "../components/labfile/reach";
import { AttachmentSpec, TopologySpec } from "../components/labfile/topology";
import { LabConfigError } from "../components/labfile/validate";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
    console.log(
        "usage: npm run validate [-- <lab.yaml | variant> ...]   (no argument: Pulumi.yaml and every stack file)",
    );
    process.exit(0);
}

let failed = false;
const check = (label: string, fn: () => string) => {
    try {
        console.log(`${label}: ok: ${fn()}`);
    } catch (e) {
        if (!(e instanceof LabConfigError) && !(e instanceof StackConfigError)) throw e;
        // A stack file's own refusal already starts with its name (engine/config.ts loadStackFile).
        console.error(e.message.startsWith(`${label}`) ? e.message : `${label}: ${e.message}`);
        failed = true;
    }
};
const summary = (target: string, overrides: Record<string, any> = {}) => {
    const loaded = loadAnyLab(target, overrides);
    const link = loaded.link;
    if (!link) return networkSummary(loaded.network);
    const [a, b] = link.ends;
    const options = endBondOptions(link, a)
        .map(([k, v]) => `${k} ${v}`)
        .join(" ");
    const ends = `${a.node} ${a.address!.address} <-> ${b.node} ${b.address!.address}`;
    return `${a.interface} ${options}; ${ends} over ${link.channels.length} channels`;
};

/** A version 2 network: what it holds, one line per part, and which hosts answer a ping. */
function networkSummary(topology: TopologySpec): string {
    const at = (a: AttachmentSpec) =>
        [a.address ? `${a.node} ${a.interface} ${a.address.address}` : `${a.node} ${a.interface}`]
            .concat(a.vlans.map((v) => `${v.interface} ${v.address}`))
            .join(", ");
    const hosts = topology.nodes.filter((n) => n.kind === "host").length;
    const lines = [
        `${topology.nodes.length} nodes (${topology.nodes.length - hosts} routers, ${hosts} hosts), ` +
            `${plural(topology.links.length, "link")}, ${plural(topology.segments.length, "segment")}; ` +
            drillNote(topology),
        ...topology.links.map(
            (l) =>
                `link ${l.name}: ${l.bond ? `bonded ${l.bond.mode}` : "plain"} over ${l.channels.map((c) => c.name).join(", ")}: ` +
                l.ends.map(at).join(" <-> "),
        ),
        ...topology.segments.map((s) => `segment ${s.name}: ${s.ports.map(at).join("; ")}`),
        ...topology.nodes
            .filter((n) => n.routes.length > 0)
            .map((n) => `${n.name} routes: ${n.routes.map((r) => `${r.to} via ${r.via}`).join(", ")}`),
    ];
    return [...lines, ...reachSummary(topology)].join("\n    ");
}

/** Which links `npm run drill -- --link` can break. */
function drillNote(topology: TopologySpec): string {
    const links = drillableLinks(topology);
    return links.length > 0 ? `the drill takes --link ${links.join(" or ")}` : "no bonded link for the drill";
}

/** Which hosts reach which, worked out from the file (components/labfile/reach.ts). */
function reachSummary(topology: TopologySpec): string[] {
    const pairs = new Reach(topology).hostPairs();
    if (pairs.length === 0) return [];
    const missed = pairs.filter((p) => p.delivery.reached !== p.to || p.reply?.reached !== p.from);
    const shown = missed.slice(0, 12).map(({ from, to, ip, delivery, reply }) => {
        const end = (d: Delivery) =>
            d.reached ? `arrives at ${d.reached}` : `stops at ${d.path.at(-1)}: ${d.dropped}`;
        const where =
            delivery.reached === to
                ? `arrives, but the reply to ${delivery.source} ${end(reply!)}`
                : delivery.reached === from
                  ? "arrives at itself"
                  : end(delivery);
        return `  ${from} -> ${to} (${ip}) ${where}`;
    });
    if (missed.length > shown.length) shown.push(`  ... and ${missed.length - shown.length} more`);
    return [
        `reach: ${pairs.length - missed.length} of ${pairs.length} host-to-host addresses answer a ping from the file's routes` +
            (missed.length > 0 ? "; the others:" : ""),
        ...shown,
    ];
}

if (args.length > 0) {
    for (const target of args) check(target, () => summary(target));
} else {
    for (const stack of listStacks(PROJECT_DIR)) {
        check(`Pulumi.${stack}.yaml`, () => {
            const stackFile = loadStackFile(PROJECT_DIR, stack);
            const config = withStringHint(() => stackConfig(PROJECT_DIR, stack, stackFile), stackFile);
            const settings = readStackSettings((key) => config[`bondlab:${key}`]);
            checkDockerHost(config["docker:host"]);
            return summary(settings.variant, settings.bondOptions);
        });
    }
}
process.exit(failed ? 1 : 0);

/**
 * The CLI's own refusal of bondlab:bondOptions stored as a string, with the fix: `pulumi
 * config set` without --path stores its value as a string (pkg/cmd/pulumi/config/config_set.go
 * config.NewValue), and `pulumi up` refuses a string for an object key before the program runs.
 */
function withStringHint<T>(resolve: () => T, stackFile: Record<string, unknown>): T {
    try {
        return resolve();
    } catch (e) {
        const key = ["bondlab:bondOptions", "bondOptions"].find((k) => typeof stackFile[k] === "string");
        if (!(e instanceof StackConfigError) || !key || !/'(bondlab:)?bondOptions' must be/.test(e.message)) throw e;
        throw new StackConfigError(
            `${e.message}: it holds the string ${JSON.stringify(stackFile[key])} (pulumi config set without --path); ` +
                `set each option with --path instead: pulumi config rm ${key}; ` +
                "pulumi config set --path 'bondlab:bondOptions.miimon' 200",
        );
    }
}

function plural(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
