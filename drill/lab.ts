// The lab the drill acts on: the handle of one bonded link that the program publishes in the
// stack output `linkHandles` (components/handle.ts), read from `pulumi stack output` or the
// e2e harness's outputs, and the few things the drill does to it (break a channel, repair
// it, check that it is as built).

import * as ipaddr from "ipaddr.js";
import * as path from "path";
import { HandleChannel, HandleRouter, LabHandle, linkHandle, slaveIn, verifyChecks } from "../components/handle";
import { labNames } from "../components/names";
import { script } from "../components/scripts";
import { hasPrimary } from "../components/labfile/modes";
import { loadAnyLab } from "../components/labfile/load";
import { Agent } from "./agent";
import { docker } from "./docker";
import { nsToMs } from "./probe";
import { MODEL_STATE_DIR, loadCheckpoint } from "../engine/model-checkpoint";
import { runProcess } from "../engine/shell";

export const PROJECT = "bondlab";
export const PROJECT_DIR = path.join(__dirname, "..");

export type LabRouter = HandleRouter;
export type LabChannel = HandleChannel;

export interface DrillLab extends Omit<LabHandle, "routers"> {
    stack: string;
    routers: [LabRouter, LabRouter];
}

/**
 * The drill's view of a stack's handle; refuses a handle that is not one. A link of a network
 * that is more than two routers is named <variant>/<link> in reports (handle.ts drillSubjects).
 */
export function drillLab(stack: string, handle: unknown, link?: string): DrillLab {
    const h = handle as Partial<LabHandle> | undefined;
    const shaped =
        h &&
        typeof h === "object" &&
        Array.isArray(h.routers) &&
        h.routers.length === 2 &&
        Array.isArray(h.channels) &&
        h.channels.length > 0 &&
        h.bond &&
        typeof h.bond.name === "string" &&
        h.routers.every((r) => r && typeof r.container === "string" && r.verify && typeof r.verify === "object");
    if (!shaped) {
        throw new Error(
            `stack ${stack} has no lab handle (its output labHandle): bring it up with this version of bondlab (npm run up -- ${stack})`,
        );
    }
    const full = h as LabHandle;
    const variant = link === undefined ? full.variant : `${full.variant}/${link}`;
    return { ...full, variant, stack, routers: [full.routers[0], full.routers[1]] };
}

/**
 * The lab a drill subject (a variant, or <network>/<link>) makes, through the program's own
 * handle (components/handle.ts): for the drill's pure parts (judging a saved report again,
 * unit tests), which run no stack.
 */
export function labOfSubject(stack: string, subject: string): DrillLab {
    const [variant, linkName] = subject.split("/");
    const loaded = loadAnyLab(variant);
    const link = loaded.link ?? loaded.network.links.find((l) => l.name === linkName);
    const handle = link && linkHandle(loaded.network, link, labNames(PROJECT, stack), { dockerEnv: {} });
    if (!handle) throw new Error(`${subject} is not a bonded link the drill can act on`);
    return drillLab(stack, handle, loaded.link ? undefined : link!.name);
}

/**
 * The handle `pulumi up` published for a stack, read from all its outputs at once
 * (`pulumi stack output --json` with no property name prints every output as one JSON
 * object: pkg/cmd/pulumi/stack/stack_output.go, WriteMany). A two-router lab publishes
 * `labHandle`; a version 2 network publishes `linkHandles`, one per bonded link, and `link`
 * picks one. Where the CLI is missing, the engine model's checkpoint of the stack
 * (engine/model-checkpoint.ts, written by `npm run up` without the CLI) holds the same outputs.
 */
export async function labFromStack(
    stack: string,
    link?: string,
    run = runProcess,
    modelStateDir = MODEL_STATE_DIR,
): Promise<DrillLab> {
    return pickLab(stack, await stackOutputs(stack, run, modelStateDir), link);
}

/** Every output of a stack, read as labFromStack reads them: the CLI, else the engine model's checkpoint. */
export async function stackOutputs(
    stack: string,
    run = runProcess,
    modelStateDir = MODEL_STATE_DIR,
): Promise<StackOutputs> {
    const argv = ["pulumi", "stack", "output", "--json", "--stack", stack];
    let cliMissing = false;
    const out = await run(argv, { env: process.env }).catch((e: Error) => {
        cliMissing = /ENOENT/.test(e.message);
        return { code: 127, stdout: "", stderr: e.message };
    });
    if (cliMissing) {
        // Without the CLI, `npm run up` ran the stack through the engine model: read its checkpoint's outputs.
        const checkpoint = loadCheckpoint(stack, modelStateDir);
        if (checkpoint) return checkpoint.outputs;
    }
    if (out.code !== 0) {
        throw new Error(
            `cannot read stack ${stack}'s outputs (${argv.join(" ")}): ${out.stderr.trim() || `exit ${out.code}`}. ` +
                `The drill needs the Pulumi CLI, logged in to the stack's backend, run from this project` +
                (cliMissing ? `, or a stack that npm run up brought up through the engine model (there is none)` : ""),
        );
    }
    try {
        return JSON.parse(out.stdout) ?? {};
    } catch {
        return {}; // not JSON: drillLab says the stack has no lab handle
    }
}

/** A stack's outputs: its lab's handle (two routers) or its bonded links' (a network), and the rest. */
export type StackOutputs = { labHandle?: unknown; linkHandles?: unknown } & Record<string, unknown>;

/** Every bonded link a stack's outputs describe: its one lab, or each bonded link of its network. */
export function labsOf(stack: string, outputs: StackOutputs): DrillLab[] {
    if (outputs.labHandle) return [pickLab(stack, outputs)];
    const links = Object.keys((outputs.linkHandles as Record<string, unknown> | undefined) ?? {});
    return links.map((link) => pickLab(stack, outputs, link));
}

/** The lab a stack's outputs describe: its two-router lab, or the bonded link `link` of its network. */
export function pickLab(stack: string, outputs: StackOutputs, link?: string): DrillLab {
    const links = outputs.linkHandles && typeof outputs.linkHandles === "object" ? outputs.linkHandles : undefined;
    const names = Object.keys(links ?? {});
    if (link === undefined) {
        if (links && !outputs.labHandle) {
            throw new Error(
                `stack ${stack} is a network: name the bonded link to drill with --link (${names.join(", ") || "it has none"})`,
            );
        }
        return drillLab(stack, outputs.labHandle);
    }
    if (!links) {
        throw new Error(`stack ${stack} is a two-router lab with one bond: drop --link ${link}`);
    }
    if (!names.includes(link)) {
        throw new Error(
            `stack ${stack} has no bonded link ${link}: use one of ${names.join(", ") || "(none: a link of one channel has no bond)"}`,
        );
    }
    // A two-router lab's one link keeps the lab's own name in reports.
    return drillLab(stack, (links as Record<string, unknown>)[link], outputs.labHandle ? undefined : link);
}

/** The bond's name inside one router: the ends of a network's link may name theirs differently. */
export function bondIn(lab: DrillLab, router: LabRouter): string {
    return router.verify.BONDLAB_BOND ?? lab.bond.name;
}

/** Whether the lab's channels share one segment (a switch joins them). */
export function onOneSegment(lab: DrillLab): boolean {
    return lab.channels.some((c) => c.switch !== null);
}

/** Fails with what is missing when the lab's containers are not running. */
export async function checkRunning(lab: DrillLab): Promise<void> {
    const switches = lab.channels.flatMap((c) => (c.switch ? [c.switch] : []));
    const wanted = [
        ...new Set([...lab.routers.map((r) => r.container), ...lab.channels.map((c) => c.cable), ...switches]),
    ];
    const missing: string[] = [];
    for (const name of wanted) {
        const state = await docker("inspect", "-f", "{{.State.Running}}", name).catch(() => "absent");
        if (state !== "true") missing.push(`${name} (${state === "false" ? "stopped" : "absent"})`);
    }
    if (missing.length > 0) {
        throw new Error(
            `the lab of stack ${lab.stack} is not running: ${missing.join(", ")}. Bring it up first (npm run up -- ${lab.stack})`,
        );
    }
}

/**
 * Times an action printed: "at" before the change, "done" after it, each flap's cut and return, and when the kernel
 * announced each changed interface.
 */
export interface ActionTimes {
    at: number | null;
    done: number | null;
    cuts: number[];
    backs: number[];
    ports: { name: string; at: number }[];
}

export function parseActionTimes(stdout: string): ActionTimes {
    const times: ActionTimes = { at: null, done: null, cuts: [], backs: [], ports: [] };
    for (const line of stdout.split("\n")) {
        const [word, ns, portNs] = line.trim().split(/\s+/);
        if (!ns) continue;
        if (word === "port" && portNs) {
            times.ports.push({ name: ns, at: nsToMs(portNs) });
            continue;
        }
        const ms = nsToMs(ns);
        if (word === "at") times.at = ms;
        else if (word === "done") times.done = ms;
        else if (word === "cut") times.cuts.push(ms);
        else if (word === "back") times.backs.push(ms);
    }
    return times;
}

/** The drill's agents in the lab's containers (sh/agent.sh): every step runs through them. */
export class LabAgents {
    private readonly agents = new Map<string, Agent>();

    constructor(
        readonly lab: DrillLab,
        verifyTimeoutS = 60,
    ) {
        const verify = script("bond-status") + "\n" + script("node-verify");
        for (const router of lab.routers) {
            // The slave that was active when the lab was built: the primary, else the first channel's.
            const first = slaveIn(lab.channels[0], router.name);
            const active = hasPrimary(lab.bond.mode) ? router.verify.BONDLAB_ACTIVE || first : "";
            this.agents.set(
                router.container,
                new Agent(
                    router.container,
                    {
                        DRILL_PEER: router.verify.BONDLAB_PEER,
                        DRILL_BOND: bondIn(lab, router),
                        DRILL_VERIFY: verify,
                        DRILL_ACTIVE: active,
                        // verify as the program runs it, but with the drill's own patience.
                        ...router.verify,
                        BONDLAB_CHECKS: verifyChecks(router.verify),
                        BONDLAB_VERIFY_TIMEOUT: String(verifyTimeoutS),
                    },
                    lab.docker,
                ),
            );
        }
        for (const c of lab.channels) this.agents.set(c.cable, new Agent(c.cable, {}, lab.docker));
    }

    /** Starts every agent now: the first action then lands at once, not after an exec's start-up. */
    async start(): Promise<void> {
        await Promise.all([...this.agents.values()].map((a) => a.start()));
    }

    agent(container: string): Agent {
        const a = this.agents.get(container);
        if (!a) throw new Error(`no agent for ${container}`);
        return a;
    }

    /** Runs one action of sh/act.sh in a router or cable container. */
    async act(container: string, ...args: string[]): Promise<ActionTimes> {
        const r = await this.agent(container).command(["act", ...args]);
        if (r.code !== 0)
            throw new Error(
                `${args.join(" ")} in ${container} failed (exit ${r.code}): ${r.lines.join(" ").trim().slice(0, 400)}`,
            );
        return parseActionTimes(r.lines.join("\n"));
    }

    /** The ifindex, in the Docker host, of the bridge port a router's interface hangs on. */
    async peerIndex(router: LabRouter, dev: string): Promise<string> {
        const r = await this.agent(router.container).command(["act", "peer-index", dev]);
        const index = r.lines.map((l) => /^index (\d+)$/.exec(l.trim())?.[1]).find(Boolean);
        if (r.code !== 0 || !index)
            throw new Error(`cannot find the bridge port of ${dev} in ${router.container}: ${r.lines.join(" ")}`);
        return index;
    }

    /** The bond's options in force (sysfs), KEY -> value as sysfs prints it. */
    async optionsInForce(router = this.lab.routers[0]): Promise<Record<string, string>> {
        const r = await this.agent(router.container).command(["act", "options", bondIn(this.lab, router)]);
        if (r.code !== 0)
            throw new Error(`cannot read the bond's options in ${router.container}: ${r.lines.join(" ")}`);
        const options: Record<string, string> = {};
        for (const line of r.lines) {
            const eq = line.indexOf("=");
            if (eq > 0) options[line.slice(0, eq)] = line.slice(eq + 1).trim();
        }
        return options;
    }

    /**
     * Every channel back as built (cables' ports up without qdisc, the routers' slaves up, the
     * active slave of modes that have one back where it was built), then
     * the program's own verify (components/scripts/node-verify.sh) in both routers with the
     * settings the lab was built with: mode and options, every slave up, the expected active
     * slave, LACP partner and aggregator, and a ping across. Verify waits (verifyTimeoutS) for
     * the bond to converge. Each router's result names the problems verify found, one per line.
     */
    async repairAndVerify() {
        await Promise.all(this.lab.channels.map((c) => this.act(c.cable, "clear", c.bridge)));
        return Promise.all(
            this.lab.routers.map(async (router) => {
                const r = await this.agent(router.container).command(["verify"], 240_000);
                const problems = r.lines.filter((l) => l.includes("bondlab verify on")).join("\n");
                return {
                    router: router.name,
                    ok: r.code === 0,
                    problems: problems || (r.code === 0 ? "" : r.lines.slice(-3).join(" ")),
                };
            }),
        );
    }

    async close(): Promise<void> {
        await Promise.all([...this.agents.values()].map((a) => a.close().catch(() => a.kill())));
    }
}

/**
 * Docker networks on the host whose masquerade rule catches the bond's addresses. With the
 * bridges' traffic passing iptables (br_netfilter), such a network (e.g. a management network
 * Docker put in 192.168.0.0/20 once its 172.x pools ran out) rewrites the source of every bonded
 * packet on every bridge, and no ping gets an answer in any lab on the host.
 */
export async function masqueradeHazards(lab: DrillLab): Promise<string[]> {
    const ids = (await docker("network", "ls", "-q", "--filter", "driver=bridge")).split("\n").filter((l) => l !== "");
    if (ids.length === 0) return [];
    const format =
        '{{.Name}}|{{index .Options "com.docker.network.bridge.enable_ip_masquerade"}}|{{range .IPAM.Config}}{{.Subnet}} {{end}}';
    const rows = (await docker("network", "inspect", "-f", format, ...ids)).split("\n");
    const hazards: string[] = [];
    for (const row of rows) {
        const [name, masquerade, subnets] = row.split("|");
        if (masquerade === "false") continue;
        for (const subnet of (subnets ?? "").split(/\s+/).filter((s) => s !== "")) {
            const caught = lab.routers.filter((r) => inSubnet(r.ip, subnet));
            if (caught.length > 0)
                hazards.push(
                    `${name} (${subnet}, masquerading) contains ${caught.map((r) => `${r.name}'s ${r.ip}`).join(" and ")}`,
                );
        }
    }
    return hazards;
}

export function inSubnet(ip: string, cidr: string): boolean {
    if (!ipaddr.IPv4.isValidFourPartDecimal(ip) || !ipaddr.IPv4.isValidCIDR(cidr)) return false;
    return ipaddr.IPv4.parse(ip).match(ipaddr.IPv4.parseCIDR(cidr));
}
