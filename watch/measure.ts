// A fault made from the live view, measured as the drill measures a row: the view's own
// probes (5 a second each way) and ticks from preS before the fault to the drill's post window
// after it, through the drill's analyzeRow (outage, bound, verdict and explanation). Pure: the
// same lines and faults give the same rows, live or replayed.

import { Bound, BondSettings, bondSettings, formatBound, predictBound, routerHit } from "../drill/bounds";
import { analyzeRow, errorRow, postWindowS } from "../drill/judge";
import { DrillLab, LabChannel, onOneSegment } from "../drill/lab";
import { PingOutput } from "../drill/ping";
import { ProbeOutput, Snapshot } from "../drill/probe";
import { mark, outageText } from "../drill/report";
import { DEFAULT_OPTIONS, DrillReport, RowResult } from "../drill/result";
import { FaultTimes, OneFaultScenario, RowPlan, faultRow } from "../drill/scenarios";
import { parseAgentLine, Tick } from "./stream";
import type { WatchAction, WatchActionKind } from "./actions";

/** Seconds of probes before the fault: a baseline of ten of the view's probes each way. */
export const PRE_S = 2;
/** The least baseline a row is judged on: a few of the view's ticks before the fault. */
const MIN_PRE_S = 0.5;
/** The view's probes: ping -i of sh/watch.sh. */
const PROBE_INTERVAL_S = 0.2;

/** The actions the drill has a row for, and that row's scenario. */
const MEASURED: Partial<Record<WatchActionKind, OneFaultScenario>> = {
    "admin-down": "admin-down",
    cut: "cable-cut",
    silent: "silent",
    "one-way": "one-way",
    degraded: "degraded",
};

/** A row measured by hand, as the view shows it: measuring until `until`, then its result. */
export interface HandRow {
    title: string;
    /** ms, the Docker host's clock. */
    faultAt: number;
    until: number;
    result: RowResult | null;
}

interface Probe {
    /** When the view first heard of it: its reply, or ping's "no answer yet". */
    at: number;
    reply: { at: number; rttMs: number } | null;
}

/** The least of a row's window that says anything: its bound, and a second of probes after it. */
const minWindowMs = (bound: Bound) => (bound.kind === "ms" ? bound.ms : 0) + 1000;

/** A row just judged, and when and for whom the view logs it. */
export interface Closed {
    result: RowResult;
    at: number;
    node: string;
}

interface Open {
    view: HandRow;
    node: string;
    plan: RowPlan;
    ch: LabChannel;
    bound: Bound;
    settings: BondSettings;
    fault: FaultTimes;
    startAt: number;
}

/** Keeps what the view heard for as long as a row may need it, and measures the rows. */
export class HandRows {
    private readonly probes = new Map<string, Map<number, Probe>>();
    private readonly ticks = new Map<string, Tick[]>();
    private open: Open | null = null;
    private count = 0;

    constructor(
        readonly lab: DrillLab,
        /** The bond's options in force, as the view's agent read them. */
        private readonly options: () => Record<string, string>,
        /** Where the view shows the rows: measuring, then judged. */
        readonly rows: HandRow[] = [],
    ) {}

    /** One agent line; closes the open row once the Docker host's clock passes its end. */
    line(node: string, text: string): Closed | null {
        const line = parseAgentLine(text);
        if (!line) return null;
        if (line.kind === "tick") {
            const ticks = this.ticks.get(node) ?? [];
            ticks.push(line.tick);
            this.ticks.set(node, this.trimmed(ticks, line.tick.at));
            return this.open && line.tick.at >= this.open.view.until ? this.close(this.open.view.until) : null;
        }
        if (line.kind === "reply" || line.kind === "no-answer" || line.kind === "ping-error") {
            const probes = this.probes.get(node) ?? new Map<number, Probe>();
            this.probes.set(node, probes);
            const at = line.at ?? Math.max(...[...probes.values()].map((p) => p.at), 0);
            const known = probes.get(line.seq);
            if (!known) probes.set(line.seq, { at, reply: null });
            if (line.kind === "reply") probes.get(line.seq)!.reply ??= { at, rttMs: line.rttMs };
            if (probes.size > 4 * 60 * 5) probes.delete(probes.keys().next().value!);
        }
        return null;
    }

    /** An action was asked for at `at`: the row still measuring ends there, judged on what it saw until then. */
    interrupt(at: number): Closed | null {
        return this.open ? this.close(Math.max(at, this.open.fault.done)) : null;
    }

    /** A fault an action made, with its own times: a fault the drill has a row for starts one. */
    fault(action: WatchAction, times: FaultTimes): HandRow | null {
        const scenario = MEASURED[action.kind];
        if (!scenario) return null;
        const router = this.lab.routers.find((r) => r.name === action.router)!;
        const plan = faultRow(scenario, router);
        const ch = this.lab.channels.find((c) => c.name === action.channel)!;
        const settings = bondSettings(this.options());
        const names = [this.lab.routers[0].name, this.lab.routers[1].name] as const;
        const bound = predictBound(settings, plan.fault, names, routerHit(plan), onOneSegment(this.lab));
        const postS = postWindowS(bound, DEFAULT_OPTIONS);
        this.count++;
        const view: HandRow = {
            title: plan.title(ch),
            faultAt: times.at,
            until: times.done + postS * 1000,
            result: null,
        };
        this.rows.push(view);
        this.open = {
            view,
            node: action.router,
            plan: { ...plan, id: `${plan.id}-by-hand-${this.count}` },
            ch,
            bound,
            settings,
            fault: times,
            startAt: times.issued - PRE_S * 1000,
        };
        return view;
    }

    /** The open row, judged on the probes and ticks up to `stopAt`. */
    private close(stopAt: number): Closed {
        const o = this.open!;
        this.open = null;
        const postS = Math.round((stopAt - o.fault.done) / 100) / 10;
        // A fault made within PRE_S of the view's start: the window starts with the view's first
        // ticks from both routers, and the baseline is what came in before the fault.
        const heardFrom = Math.max(...this.lab.routers.map((r) => this.ticks.get(r.name)?.[0]?.at ?? Infinity));
        const startAt = Math.max(o.startAt, heardFrom);
        const preS = Math.round((o.fault.issued - startAt) / 100) / 10;
        const outputs = this.lab.routers.map((r) => this.probeOutput(r.name, startAt, stopAt));
        const afterS = Math.min(1.5, postS / 3);
        const snaps = [startAt, o.fault.issued, stopAt - afterS * 1000, stopAt].map((t, i) =>
            this.lab.routers.map((r) => this.snapshotAt(r.name, t, ["b0", "b1", "a0", "a1"][i])),
        );
        let result: RowResult;
        if (snaps.some((s) => s.some((x) => x === null)) || postS <= 0 || !(preS > 0)) {
            result = this.unmeasured(o, postS, "the view heard no bond state before the fault");
        } else if (preS < MIN_PRE_S) {
            result = this.unmeasured(
                o,
                postS,
                `the view had heard the bond for only ${preS} s before the fault: too little to tell where the probes went`,
                preS,
            );
        } else if (stopAt < o.fault.done + minWindowMs(o.bound)) {
            result = this.unmeasured(
                o,
                postS,
                `cut short: the next action came ${postS} s after the fault, before ` +
                    (o.bound.kind === "ms" ? `its bound (${o.bound.ms} ms) and a second more` : "a second") +
                    " had passed",
            );
        } else {
            result = analyzeRow(
                this.lab,
                o.settings,
                o.plan,
                o.ch,
                o.bound,
                { preS, postS },
                o.fault,
                outputs,
                snaps as Snapshot[][],
            );
        }
        o.view.result = result;
        return { result, at: stopAt, node: o.node };
    }

    private unmeasured(o: Open, postS: number, why: string, preS = PRE_S): RowResult {
        return errorRow(this.lab, o.settings, o.plan, o.bound, { preS, postS }, why, o.ch);
    }

    /** One direction's probes in the window, numbered from 1 as a ping started for the row would. */
    private probeOutput(node: string, startAt: number, stopAt: number): ProbeOutput {
        const inWindow = [...(this.probes.get(node) ?? new Map<number, Probe>())]
            .filter(([, p]) => p.at >= startAt && p.at <= stopAt)
            .sort((a, b) => a[0] - b[0]);
        const base = (inWindow[0]?.[0] ?? 1) - 1;
        const replies = inWindow
            .filter(([, p]) => p.reply !== null && p.reply.at <= stopAt)
            .map(([seq, p]) => ({ seq: seq - base, at: p.reply!.at, rttMs: p.reply!.rttMs }))
            .sort((a, b) => a.at - b.at);
        const last = inWindow[inWindow.length - 1]?.[0];
        const ping: PingOutput = {
            peer: null,
            replies,
            duplicates: 0,
            errors: [],
            transmitted: last === undefined ? 0 : last - base,
            received: replies.length,
        };
        return { startAt, stopAt, snapshots: [], ping, pingText: "", raw: "" };
    }

    /** The bond as the last tick at or before `at` showed it, as the drill's probe snapshots it. */
    private snapshotAt(node: string, at: number, label: string): Snapshot | null {
        const tick = [...(this.ticks.get(node) ?? [])].reverse().find((t) => t.at <= at);
        if (!tick) return null;
        return {
            label,
            at: tick.at,
            active: tick.active,
            slaves: tick.slaves.map((s) => ({ name: s.name, mii: s.mii, failures: s.failures, tx: s.tx, rx: s.rx })),
            load: null,
        };
    }

    /** Ticks old enough that no row can still need them go (a row reaches PRE_S before its fault). */
    private trimmed(ticks: Tick[], now: number): Tick[] {
        const keepFrom = Math.min(this.open?.startAt ?? now, now) - (PRE_S + 1) * 1000;
        const first = ticks.findIndex((t) => t.at >= keepFrom);
        return first <= 0 ? ticks : ticks.slice(first - 1);
    }
}

/** A judged row in one line of the event log: verdict, outage, bound and the reasons of a failure. */
export function rowLine(row: RowResult): string {
    const why = row.reasons.length > 0 ? ` (${row.reasons.join("; ")})` : "";
    if (row.verdict === "error") return `measured ${row.title}: ${mark(row)} not judged${why}`;
    return (
        `measured ${row.title}: ${mark(row)} ${row.verdict}, outage ${outageText(row)}, ` +
        `bound ${formatBound(row.bound)}${why}`
    );
}

/** The rows measured by hand as a drill report: what `npm run drill -- --render DIR` renders again. */
export function handReport(
    lab: DrillLab,
    options: Record<string, string>,
    rows: RowResult[],
    o: { command: string; where: string; durationS: number },
): DrillReport {
    const settings = bondSettings(options);
    return {
        title: `Faults made by hand in the live view of stack ${lab.stack}`,
        generatedAt: new Date().toISOString(),
        command: o.command,
        where: o.where,
        byHand: true,
        options: {
            intervalS: PROBE_INTERVAL_S,
            preS: PRE_S,
            minPostS: DEFAULT_OPTIONS.minPostS,
            maxPostS: DEFAULT_OPTIONS.maxPostS,
            settleS: DEFAULT_OPTIONS.settleS,
        },
        durationS: o.durationS,
        variants: [
            {
                stack: lab.stack,
                variant: lab.variant,
                description: lab.description,
                mode: settings.mode,
                options,
                settings,
                rows,
                hazards: [],
                durationS: o.durationS,
            },
        ],
    };
}

/** A row as the views show it: words only, the same in the terminal and on the page. */
export interface RowCells {
    title: string;
    verdict: RowResult["verdict"] | "measuring";
    mark: string;
    outage: string;
    bound: string;
    reasons: string;
    explanation: string | null;
}

export function rowCells(row: HandRow, now: number): RowCells {
    const r = row.result;
    if (!r) {
        const left = Math.max(0, (row.until - now) / 1000);
        return {
            title: row.title,
            verdict: "measuring",
            mark: "…",
            outage: `${left.toFixed(1)} s of its window left`,
            bound: "",
            reasons: "",
            explanation: null,
        };
    }
    return {
        title: r.title,
        verdict: r.verdict,
        mark: mark(r),
        outage: outageText(r),
        bound: r.verdict === "error" ? "" : formatBound(r.bound),
        reasons: r.reasons.join("; "),
        explanation: r.explanation,
    };
}
