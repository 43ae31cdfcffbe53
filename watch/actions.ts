// What the live view can do to the lab: the drill's own faults (drill/scenarios.ts FAULTS) on
// one channel, at one end where the fault has one, and the drill's repair. An action is data,
// checked against this lab's channels and routers before anything runs.

import { DEGRADE_NETEM, FAULTS, FaultTimes, faultTimes } from "../drill/scenarios";
import { ActionTimes, DrillLab, LabAgents, LabChannel, LabRouter } from "../drill/lab";

export const WATCH_ACTIONS = ["admin-down", "admin-up", "cut", "silent", "one-way", "degraded", "restore"] as const;
export type WatchActionKind = (typeof WATCH_ACTIONS)[number];

export interface WatchAction {
    kind: WatchActionKind;
    /** The channel's name (restore: every channel). */
    channel: string;
    /** The end that acts (admin-down, admin-up) or goes deaf (one-way). */
    router: string;
}

/** The names an action may use: a lab's channels and routers. */
type Names = { channels: { name: string }[]; routers: { name: string }[] };

/** An action from outside (a key, a request): refused unless every field names something of this lab. */
export function checkAction(input: unknown, lab: Names): WatchAction {
    const a = (input ?? {}) as Record<string, unknown>;
    if (typeof a.kind !== "string" || !(WATCH_ACTIONS as readonly string[]).includes(a.kind))
        throw new Error(`unknown action ${JSON.stringify(a.kind)}: use one of ${WATCH_ACTIONS.join(", ")}`);
    if (!lab.channels.some((c) => c.name === a.channel))
        throw new Error(
            `unknown channel ${JSON.stringify(a.channel)}: use one of ${lab.channels.map((c) => c.name).join(", ")}`,
        );
    if (!lab.routers.some((r) => r.name === a.router))
        throw new Error(
            `unknown router ${JSON.stringify(a.router)}: use one of ${lab.routers.map((r) => r.name).join(", ")}`,
        );
    return { kind: a.kind as WatchActionKind, channel: a.channel as string, router: a.router as string };
}

/** The JSON schema of an action on this lab: what the web view's server takes, and nothing else. */
export function actionSchema(lab: Names) {
    return {
        type: "object",
        required: ["kind", "channel", "router"],
        additionalProperties: false,
        properties: {
            kind: { type: "string", enum: [...WATCH_ACTIONS] },
            channel: { type: "string", enum: lab.channels.map((c) => c.name) },
            router: { type: "string", enum: lab.routers.map((r) => r.name) },
        },
    } as const;
}

/** What an action does, in the event log's words. */
export function describeAction(a: WatchAction, lab: DrillLab): string {
    const ch = lab.channels.find((c) => c.name === a.channel)!;
    const slave = ch.interfaces[a.router];
    switch (a.kind) {
        case "admin-down":
            return `you: ip link set ${slave} down inside ${a.router}`;
        case "admin-up":
            return `you: ip link set ${slave} up inside ${a.router}`;
        case "cut":
            return `you: cut ${ch.name} (both ends lose carrier)`;
        case "silent":
            return `you: ${ch.name} keeps carrier, drops every frame`;
        case "one-way":
            return `you: ${ch.name} drops every frame into ${a.router}`;
        case "degraded":
            return `you: ${ch.name} degraded (netem ${DEGRADE_NETEM.join(" ")} each way)`;
        case "restore":
            return "you: restore every channel as built, then verify";
    }
}

/** What an action did: a fault's own times (the drill's FaultTimes), or what restore's verify said. */
export type Performed = { times: FaultTimes | null; verify: string };

/** Runs an action through the drill's faults, or its repair and verify for restore. */
export async function perform(agents: LabAgents, a: WatchAction): Promise<Performed> {
    const lab = agents.lab;
    const ch: LabChannel = lab.channels.find((c) => c.name === a.channel)!;
    const router: LabRouter = lab.routers.find((r) => r.name === a.router)!;
    const fault = async (p: Promise<ActionTimes>): Promise<Performed> => ({ times: faultTimes(await p), verify: "" });
    switch (a.kind) {
        case "admin-down":
            return fault(FAULTS.adminDown(agents, ch, router));
        case "admin-up":
            return fault(FAULTS.adminUp(agents, ch, router));
        case "cut":
            return fault(FAULTS.cut(agents, ch));
        case "silent":
            return fault(FAULTS.silent(agents, ch));
        case "one-way":
            return fault(FAULTS.oneWay(agents, ch, router));
        case "degraded":
            return fault(FAULTS.degrade(agents, ch));
        case "restore": {
            const checks = await agents.repairAndVerify();
            const bad = checks.filter((c) => !c.ok);
            return {
                times: null,
                verify:
                    bad.length === 0
                        ? "verify passed on both routers"
                        : `verify failed: ${bad.map((c) => `${c.router}: ${c.problems.split("\n").join("; ")}`).join("; ")}`,
            };
        }
    }
}
