// The drill's scenarios: what each one breaks on a running lab, how long it watches, and how it
// repairs the channel afterwards. Faults are made from the channel's cable container (ports of
// the bridge, tc) or inside a router (`ip link set`), on the channel that carries the probes
// (run.ts carryingChannel).

import { FaultKind } from "./bounds";
import { slaveIn } from "../components/handle";
import { ActionTimes, DrillLab, LabAgents, LabChannel, LabRouter } from "./lab";

export const SCENARIOS = ["admin-down", "cable-cut", "silent", "one-way", "failback", "flapping", "degraded"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Frames through a degraded channel, each way: netem arguments. */
export const DEGRADE_NETEM = ["delay", "20ms", "loss", "10%"];
/** Flapping: cycles of the channel going down then up (seconds). */
// (Each change also costs a `date` and a `sleep` process: on an emulated CPU the achieved
// cycle is longer; the row records the actual moments.)
export const FLAP = { count: 4, downS: 0.3, upS: 0.5 };

/** What a scenario's fault did, in the Docker host's clock (ms). */
export type FaultTimes = ReturnType<typeof faultTimes>;

export interface RowPlan {
    /** Unique within a drill: the scenario, and the router for admin-down. */
    id: string;
    scenario: ScenarioName;
    fault: FaultKind;
    /** admin-down: the router whose slave goes down. */
    downedBy?: string;
    /** one-way: the router the channel stops delivering to (its own frames still cross). */
    deafRouter?: string;
    /** What happens to channel ch, in a few words. */
    title: (ch: LabChannel) => string;
    /**
     * Before the probes start, on the channel that carries them (failback: the cut, then
     * time for the bond to settle on the other channel). Rows without it pick their channel
     * from the probes' counters just before the fault.
     */
    prepare?: (agents: LabAgents, ch: LabChannel) => Promise<void>;
    /** Makes the fault (or the failback) happen on channel ch. */
    inject: (agents: LabAgents, ch: LabChannel) => Promise<FaultTimes>;
    /** Anything the runner's repair (every channel clear and up, every slave up) does not undo. */
    undo?: (agents: LabAgents) => Promise<void>;
}

export function faultTimes(t: ActionTimes) {
    if (t.at === null || t.done === null) throw new Error("the fault printed no time");
    // The monitor reads the kernel's events a little late on a busy CPU: keep its time within the action's.
    const ports = t.ports.map((p) => p.at).filter((x) => Number.isFinite(x) && x >= t.at! && x <= t.done! + 1000);
    const first = ports.length > 0 ? Math.min(Math.min(...ports), t.done) : t.at;
    return {
        /** The fault's first change: when the kernel announced the first changed interface, else "at" of the action. */
        at: first,
        /** "at" of the action: just before ip (or tc) started. */
        issued: t.at,
        /** Between the first and the last changed interface (the two ends of a cable), when known. */
        skewMs: ports.length > 1 ? Math.round(Math.max(...ports) - Math.min(...ports)) : null,
        /** After its last change. */
        done: t.done,
        /** Flapping: the moments the channel went down and came back. */
        cuts: t.cuts,
        backs: t.backs,
    };
}

/**
 * The drill's faults, one function per kind, on channel ch: what every row below injects, and
 * what the live view (watch/) does at a key or a click. `router` is the end that acts
 * (admin-down) or goes deaf (one-way).
 */
export const FAULTS = {
    adminDown: (agents: LabAgents, ch: LabChannel, router: LabRouter) =>
        agents.act(router.container, "link", slaveIn(ch, router.name), "down"),
    adminUp: (agents: LabAgents, ch: LabChannel, router: LabRouter) =>
        agents.act(router.container, "link", slaveIn(ch, router.name), "up"),
    cut: (agents: LabAgents, ch: LabChannel) => agents.act(ch.cable, "ports", ch.bridge, "down"),
    silent: (agents: LabAgents, ch: LabChannel) => agents.act(ch.cable, "netem", ch.bridge, "loss", "100%"),
    oneWay: async (agents: LabAgents, ch: LabChannel, deaf: LabRouter) => {
        const port = await agents.peerIndex(deaf, slaveIn(ch, deaf.name));
        return agents.act(ch.cable, "netem-port", ch.bridge, port, "loss", "100%");
    },
    degrade: (agents: LabAgents, ch: LabChannel) => agents.act(ch.cable, "netem", ch.bridge, ...DEGRADE_NETEM),
    /** The channel as built: no qdisc, every port up. */
    clear: (agents: LabAgents, ch: LabChannel) => agents.act(ch.cable, "clear", ch.bridge),
};

/** The scenarios whose row is one fault, made at once: what the live view measures when a key or a click makes it. */
export type OneFaultScenario = Exclude<ScenarioName, "failback" | "flapping">;

/**
 * The row of a one-fault scenario. `router` is the end it hits where it has one: whose slave
 * goes down (admin-down), which hears nothing (one-way).
 */
export function faultRow(scenario: OneFaultScenario, router: LabRouter): RowPlan {
    const r = router.name;
    const row = (
        fault: FaultKind,
        title: RowPlan["title"],
        act: (agents: LabAgents, ch: LabChannel) => Promise<ActionTimes>,
        more: Partial<RowPlan> = {},
    ): RowPlan => ({
        id: scenario,
        scenario,
        fault,
        title,
        inject: async (a, ch) => faultTimes(await act(a, ch)),
        ...more,
    });
    switch (scenario) {
        case "admin-down":
            return row(
                "admin-down",
                (ch) => `ip link set ${slaveIn(ch, r)} down inside ${r}`,
                (a, ch) => FAULTS.adminDown(a, ch, router),
                { id: `admin-down-${r}`, downedBy: r },
            );
        case "cable-cut":
            return row("cut", (ch) => `${ch.name} loses carrier at both ends`, FAULTS.cut);
        case "silent":
            return row("silent", (ch) => `${ch.name} keeps carrier, drops every frame`, FAULTS.silent);
        case "one-way":
            return row(
                "one-way",
                (ch) => `${ch.name} drops every frame into ${r}, carries the other way`,
                (a, ch) => FAULTS.oneWay(a, ch, router),
                { id: `one-way-${r}`, deafRouter: r },
            );
        case "degraded":
            return row("degrade", (ch) => `${ch.name}: netem ${DEGRADE_NETEM.join(" ")} each way`, FAULTS.degrade);
    }
}

/**
 * The rows of the given scenarios, in the drill's order. Each breaks the channel that carries
 * the probes (the runner picks it: the active slave's, or the one the probes' flow hashes to).
 */
export function planRows(lab: DrillLab, scenarios: readonly ScenarioName[], settleS = 3): RowPlan[] {
    const rows: RowPlan[] = [];
    const [first, second] = lab.routers;
    for (const scenario of SCENARIOS.filter((s) => scenarios.includes(s))) {
        switch (scenario) {
            case "admin-down":
                // The seed's experiment first: the far router of the pair downs its slave.
                rows.push(faultRow(scenario, second), faultRow(scenario, first));
                break;
            case "one-way": // the far router of the pair goes deaf, as in admin-down's first row
            case "cable-cut":
            case "silent":
            case "degraded":
                rows.push(faultRow(scenario, second));
                break;
            case "failback":
                rows.push({
                    id: "failback",
                    scenario,
                    fault: "return",
                    title: (ch) => `${ch.name} comes back after a cut`,
                    prepare: async (agents, ch) => {
                        await FAULTS.cut(agents, ch);
                        await new Promise((r) => setTimeout(r, settleS * 1000));
                    },
                    inject: async (agents, ch) => faultTimes(await FAULTS.clear(agents, ch)),
                });
                break;
            case "flapping":
                rows.push({
                    id: "flapping",
                    scenario,
                    fault: "flap",
                    title: (ch) => `${ch.name} down ${FLAP.downS} s / up ${FLAP.upS} s, ${FLAP.count} times`,
                    inject: async (agents, ch) => {
                        const cycles = [FLAP.count, FLAP.downS, FLAP.upS].map(String);
                        return faultTimes(await agents.act(ch.cable, "flap", ch.bridge, ...cycles));
                    },
                });
                break;
        }
    }
    return rows;
}

/** `a,b` from the command line: known scenario names, or every scenario when empty. */
export function parseScenarioList(text: string | undefined): ScenarioName[] {
    if (!text || text.trim() === "" || text.trim() === "all") return [...SCENARIOS];
    const names = text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    if (names.length === 0) throw new Error(`no scenario in "${text}": use ${SCENARIOS.join(", ")} (or all)`);
    const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
    if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(", ")}: use ${SCENARIOS.join(", ")}`);
    return names as ScenarioName[];
}
