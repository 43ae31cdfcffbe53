// The lab handle: a running lab's containers, bridges and bond, found from a stack name the
// way the program names them, and the few things the drill does to it (break a channel,
// repair it, check that it is as built). Works on any lab `pulumi up` built, and on the
// e2e harness's labs, which carry the same names.

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { labNames } from "../components/names";
import { script } from "../components/scripts";
import { BondOptionValue, hasPrimary } from "../components/spec/modes";
import { loadLab } from "../components/spec/load";
import { LabSpec, backupsShowLinkState, bondOptionsFor, expectedActiveSlave, peerOf } from "../components/spec/spec";
import { Agent } from "./agent";
import { docker } from "./docker";
import { nsToMs } from "./probe";

export const PROJECT = "bondlab";
export const PROJECT_DIR = path.join(__dirname, "..");

export interface LabRouter {
    name: string;
    ip: string;
    container: string;
}

export interface LabChannel {
    name: string;
    /** The slave inside each router (eth1, ...). */
    interface: string;
    /** The Linux bridge on the Docker host. */
    bridge: string;
    /** The cable container (host network namespace, NET_ADMIN) that can cut or degrade it. */
    cable: string;
}

export interface DrillLab {
    stack: string;
    spec: LabSpec;
    bond: string;
    routers: [LabRouter, LabRouter];
    channels: LabChannel[];
}

/** The lab of a stack, given its validated spec. */
export function labOf(stack: string, spec: LabSpec): DrillLab {
    const names = labNames(PROJECT, stack);
    const router = (i: 0 | 1): LabRouter => ({ name: spec.routers[i].name, ip: spec.routers[i].ip, container: `${names.prefix}-${spec.routers[i].name}` });
    return {
        stack,
        spec,
        bond: spec.bond.name,
        routers: [router(0), router(1)],
        channels: spec.channels.map((c) => ({ name: c.name, interface: c.interface, bridge: names.bridge(c.name), cable: `${names.prefix}-${c.name}-cable` })),
    };
}

export interface StackConfig {
    variant: string;
    bondOptions: Record<string, BondOptionValue | null>;
    privileged?: boolean;
    dockerHost?: string;
}

/** The settings of Pulumi.<stack>.yaml that shape the lab (the project's defaults otherwise). */
export function readStackConfig(stack: string, projectDir = PROJECT_DIR): StackConfig {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file ${path.relative(process.cwd(), file) || file}: is "${stack}" a stack of this project? (pulumi stack ls)`);
    const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config = doc.config ?? {};
    const value = (key: string) => {
        const v = config[key];
        // `pulumi config set --secret` stores {secure: ...}: not something the lab's shape uses.
        return v && typeof v === "object" && "secure" in (v as object) ? undefined : v;
    };
    const variant = value("bondlab:variant");
    const bondOptions = value("bondlab:bondOptions");
    const privileged = value("bondlab:privileged");
    const dockerHost = value("docker:host");
    return {
        variant: typeof variant === "string" ? variant : "seed",
        bondOptions: bondOptions && typeof bondOptions === "object" ? (bondOptions as Record<string, BondOptionValue | null>) : {},
        privileged: typeof privileged === "boolean" ? privileged : privileged === "true" ? true : privileged === "false" ? false : undefined,
        dockerHost: typeof dockerHost === "string" ? dockerHost : undefined,
    };
}

/** The lab `pulumi up` built for a stack. */
export function labFromStack(stack: string, projectDir = PROJECT_DIR): { lab: DrillLab; config: StackConfig } {
    const config = readStackConfig(stack, projectDir);
    const variant = /\.ya?ml$/.test(config.variant) && !path.isAbsolute(config.variant) ? path.join(projectDir, config.variant) : config.variant;
    const spec = loadLab(variant, config.bondOptions);
    return { lab: labOf(stack, config.privileged === undefined ? spec : { ...spec, privileged: config.privileged }), config };
}

/** Fails with what is missing when the lab's containers are not running. */
export async function checkRunning(lab: DrillLab): Promise<void> {
    const wanted = [...lab.routers.map((r) => r.container), ...lab.channels.map((c) => c.cable)];
    const missing: string[] = [];
    for (const name of wanted) {
        const state = await docker("inspect", "-f", "{{.State.Running}}", name).catch(() => "absent");
        if (state !== "true") missing.push(`${name} (${state === "false" ? "stopped" : "absent"})`);
    }
    if (missing.length > 0) {
        throw new Error(`the lab of stack ${lab.stack} is not running: ${missing.join(", ")}. Bring it up first (npm run up -- ${lab.stack})`);
    }
}

/** Times an action printed: "at" before the change, "done" after it, each flap's cut and return, and when the kernel announced each changed interface. */
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

export interface VerifyResult {
    router: string;
    ok: boolean;
    /** The problems verify names, one per line, when not ok. */
    problems: string;
}

/** The drill's agents in the lab's containers (sh/agent.sh): every step runs through them. */
export class LabAgents {
    private readonly agents = new Map<string, Agent>();

    constructor(readonly lab: DrillLab, verifyTimeoutS = 60) {
        const spec = lab.spec;
        const verify = script("bond-status") + "\n" + script("bond-verify");
        // The slave that was active when the lab was built: the primary, else the first channel's.
        const active = hasPrimary(spec.bond.mode) ? (expectedActiveSlave(spec) ?? spec.channels[0].interface) : "";
        lab.routers.forEach((router, i) => {
            this.agents.set(router.container, new Agent(router.container, {
                DRILL_PEER: peerOf(spec, spec.routers[i]).ip,
                DRILL_BOND: spec.bond.name,
                DRILL_VERIFY: verify,
                DRILL_ACTIVE: active,
                BONDLAB_BOND: spec.bond.name,
                BONDLAB_OPTIONS: bondOptionsFor(spec, spec.routers[i]).map(([k, v]) => `${k} ${v}`).join(" "),
                BONDLAB_SLAVES: spec.channels.map((c) => c.interface).join(" "),
                BONDLAB_ACTIVE: expectedActiveSlave(spec) ?? "",
                BONDLAB_BACKUPS: backupsShowLinkState(spec) ? "up" : "unknown",
                BONDLAB_PEER: peerOf(spec, spec.routers[i]).ip,
                BONDLAB_VERIFY_TIMEOUT: String(verifyTimeoutS),
            }));
        });
        for (const c of lab.channels) this.agents.set(c.cable, new Agent(c.cable));
    }

    agent(container: string): Agent {
        const a = this.agents.get(container);
        if (!a) throw new Error(`no agent for ${container}`);
        return a;
    }

    /** Runs one action of sh/act.sh in a router or cable container. */
    async act(container: string, ...args: string[]): Promise<ActionTimes> {
        const r = await this.agent(container).command(["act", ...args]);
        if (r.code !== 0) throw new Error(`${args.join(" ")} in ${container} failed (exit ${r.code}): ${r.lines.join(" ").trim().slice(0, 400)}`);
        return parseActionTimes(r.lines.join("\n"));
    }

    /** The bond's options in force (sysfs), KEY -> value as sysfs prints it. */
    async optionsInForce(router = this.lab.routers[0]): Promise<Record<string, string>> {
        const r = await this.agent(router.container).command(["act", "options", this.lab.bond]);
        if (r.code !== 0) throw new Error(`cannot read the bond's options in ${router.container}: ${r.lines.join(" ")}`);
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
     * the program's own verify (components/scripts/bond-verify.sh) in both routers with the
     * settings the lab was built with: mode and options, every slave up, the expected active
     * slave, LACP partner and aggregator, and a ping across. Verify waits (verifyTimeoutS) for
     * the bond to converge.
     */
    async repairAndVerify(): Promise<VerifyResult[]> {
        await Promise.all(this.lab.channels.map((c) => this.act(c.cable, "clear", c.bridge)));
        return Promise.all(this.lab.routers.map(async (router) => {
            const r = await this.agent(router.container).command(["verify"], 240_000);
            const problems = r.lines.filter((l) => l.includes("bondlab verify on")).join("\n");
            return { router: router.name, ok: r.code === 0, problems: problems || (r.code === 0 ? "" : r.lines.slice(-3).join(" ")) };
        }));
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
    const rows = (await docker("network", "inspect", "-f",
        '{{.Name}}|{{index .Options "com.docker.network.bridge.enable_ip_masquerade"}}|{{range .IPAM.Config}}{{.Subnet}} {{end}}', ...ids)).split("\n");
    const hazards: string[] = [];
    for (const row of rows) {
        const [name, masquerade, subnets] = row.split("|");
        if (masquerade === "false") continue;
        for (const subnet of (subnets ?? "").trim().split(/\s+/).filter((s) => s !== "")) {
            const caught = lab.routers.filter((r) => inSubnet(r.ip, subnet));
            if (caught.length > 0) hazards.push(`${name} (${subnet}, masquerading) contains ${caught.map((r) => `${r.name}'s ${r.ip}`).join(" and ")}`);
        }
    }
    return hazards;
}

export function inSubnet(ip: string, cidr: string): boolean {
    const [base, bitsText] = cidr.split("/");
    const bits = Number(bitsText);
    const toInt = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^\d+\.\d+\.\d+\.\d+$/.test(base ?? "") || !(bits >= 0 && bits <= 32)) return false;
    const size = 2 ** (32 - bits);
    return Math.floor(toInt(ip) / size) === Math.floor(toInt(base) / size);
}
