// Runs the scenarios one after another on a running lab: for each, probes both ways, breaks
// the channel, watches, repairs, and verifies the lab is as built before the next one.

import * as fs from "fs";
import * as path from "path";
import { Bound, BondSettings, FaultKind, bondSettings, boundExceeded, predictBound } from "./bounds";
import { explain } from "./explain";
import { loadLab } from "../components/spec/load";
import { DrillLab, LabAgents, LabChannel, labOfSpec, masqueradeHazards } from "./lab";
import type { DrillReport } from "./report";
import { DirectionAnalysis, Outcome, analyzeDirection, classify, combineDirections, faultAtOf, hasBaseline, relapsesOf } from "./outage";
import { Carriage, Probe, ProbeOutput, Snapshot, carriage, carriers } from "./probe";
import { FaultTimes, RowPlan, ScenarioName, planRows } from "./scenarios";

export interface DrillOptions {
    scenarios: ScenarioName[];
    /** Seconds between probes (ping -i); 0.01 is 100 probes/s. */
    intervalS: number;
    /** Seconds of probes before the fault. */
    preS: number;
    /** Seconds watched after the fault, fixed; unset: from the bound (1.5 x bound + 2 s, within minPostS..maxPostS). */
    postS?: number;
    minPostS: number;
    maxPostS: number;
    /** Failback: seconds on the other channel before the first comes back. */
    settleS: number;
    /** Seconds verify may wait for the bond to converge after a repair. */
    verifyTimeoutS: number;
    /** Keep each probe's and fault's raw output here (<stack>.<row>.<router>.txt). */
    rawDir?: string;
    onEvent?: (event: DrillEvent) => void;
}

export const DEFAULT_OPTIONS: DrillOptions = {
    scenarios: [],
    intervalS: 0.01,
    preS: 1,
    minPostS: 3,
    maxPostS: 12,
    settleS: 2,
    verifyTimeoutS: 60,
};

export type DrillEvent =
    | { kind: "variant"; stack: string; variant: string; mode: string; rows: number }
    | { kind: "row-start"; row: RowPlan; index: number; total: number; postS: number }
    | { kind: "row-done"; result: RowResult; index: number; total: number }
    | { kind: "note"; text: string };

export type Verdict = "pass" | "fail" | "info" | "error";

export interface RouterView {
    /** The slaves that carried the probes before the fault and at the end of the window. */
    before: Carriage | null;
    after: Carriage | null;
    /** "eth1" or "eth1+eth2": sent / received; "-" none. */
    txBefore: string;
    txAfter: string;
    rxBefore: string;
    rxAfter: string;
    /** Link failures counted per slave during the row. */
    failures: Record<string, number>;
}

export interface RowResult {
    stack: string;
    variant: string;
    mode: string;
    id: string;
    scenario: ScenarioName;
    title: string;
    /** The channel the fault hit: the one the probes travel on. */
    channel: { name: string; interface: string };
    fault: FaultKind;
    /** admin-down: the router whose slave went down. */
    downedBy?: string;
    bound: Bound;
    /** Window in seconds: probes before the fault, watched after it. */
    window: { preS: number; postS: number };
    /** ms relative to the fault (the Docker host's clock). */
    times: {
        probeStart: number; faultIssued: number; faultDone: number; faultEnd: number; probeStop: number;
        /** Flapping: when the channel went down and came back. */
        cuts: number[]; backs: number[];
        /** Between the two ends of the cable changing (a busy kernel lock delays the second). */
        skewMs: number | null;
    } | null;
    /** The Docker host's load average (1 min) when the row started. */
    load: number | null;
    /** Per direction, "inetRouter->centralRouter". */
    directions: Record<string, DirectionAnalysis>;
    outageMs: number;
    open: boolean;
    outcome: Outcome | "error";
    recoveredAfterMs: number | null;
    lost: number;
    sent: number;
    probeIntervalMs: number;
    exceeded: boolean;
    routers: Record<string, RouterView>;
    /** Failback: whether traffic returned to the channel that came back. */
    returned: boolean | null;
    verdict: Verdict;
    reasons: string[];
    explanation: string | null;
    /** Seconds until verify passed after the repair; null when it did not. */
    restoredAfterS: number | null;
    error?: string;
}

export interface VariantResult {
    stack: string;
    variant: string;
    description: string;
    mode: string;
    /** The bond's options in force, as sysfs shows them. */
    options: Record<string, string>;
    settings: BondSettings;
    rows: RowResult[];
    hazards: string[];
    durationS: number;
    /** The lab could not be brought up or drilled (matrix). */
    error?: string;
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

export function postWindowS(bound: Bound, o: Pick<DrillOptions, "postS" | "minPostS" | "maxPostS">): number {
    if (o.postS !== undefined) return o.postS;
    const fromBound = bound.kind === "ms" ? (1.5 * bound.ms) / 1000 + 2 : 0;
    return Math.round(Math.min(o.maxPostS, Math.max(o.minPostS, fromBound)) * 10) / 10;
}

/** Runs the drill on one lab. Throws only when the lab cannot be drilled at all. */
export async function runDrill(lab: DrillLab, options: DrillOptions): Promise<VariantResult> {
    const agents = new LabAgents(lab, options.verifyTimeoutS);
    try {
        return await drillWith(agents, options);
    } finally {
        await agents.close();
    }
}

async function drillWith(agents: LabAgents, options: DrillOptions): Promise<VariantResult> {
    const lab = agents.lab;
    const started = Date.now();
    const emit = options.onEvent ?? (() => undefined);
    const inForce = await agents.optionsInForce();
    const settings = bondSettings(inForce);
    const hazards = await masqueradeHazards(lab).catch(() => []);
    for (const h of hazards) emit({ kind: "note", text: `warning: Docker network ${h}: bonded packets get a rewritten source and no reply` });
    const rows = planRows(lab, options.scenarios, options.settleS);
    emit({ kind: "variant", stack: lab.stack, variant: lab.variant, mode: settings.mode, rows: rows.length });

    const results: RowResult[] = [];
    let restored = await ensureRestored(agents, emit);
    for (const [index, row] of rows.entries()) {
        const routerNames = [lab.routers[0].name, lab.routers[1].name] as const;
        const bound = predictBound(settings, row.fault, routerNames, row.downedBy);
        const postS = postWindowS(bound, options);
        emit({ kind: "row-start", row, index, total: rows.length, postS });
        let result: RowResult;
        if (!restored.ok) {
            result = errorRow(lab, settings, row, bound, { preS: options.preS, postS }, `skipped: the lab was not restored: ${restored.problems}`);
        } else {
            try {
                result = await runRow(agents, settings, row, bound, options, postS);
            } catch (e) {
                result = errorRow(lab, settings, row, bound, { preS: options.preS, postS }, (e as Error).message);
            }
            // Repair whatever the row did, and check the lab is as built before the next row.
            if (row.undo) await row.undo(agents).catch(() => undefined);
            restored = await ensureRestored(agents, emit);
            result.restoredAfterS = restored.ok ? restored.seconds : null;
            if (!restored.ok) result.reasons.push(`lab not restored: ${restored.problems}`);
        }
        results.push(result);
        emit({ kind: "row-done", result, index, total: rows.length });
    }
    return {
        stack: lab.stack,
        variant: lab.variant,
        description: lab.description,
        mode: settings.mode,
        options: inForce,
        settings,
        rows: results,
        hazards,
        durationS: Math.round((Date.now() - started) / 100) / 10,
    };
}

/** Repairs every channel and runs verify; once more if the bond has not converged. */
async function ensureRestored(agents: LabAgents, emit: (e: DrillEvent) => void): Promise<{ ok: boolean; seconds: number; problems: string }> {
    const started = Date.now();
    let problems = "";
    for (let attempt = 1; attempt <= 2; attempt++) {
        const checks = await agents.repairAndVerify().catch((e) => [{ router: "-", ok: false, problems: (e as Error).message }]);
        const bad = checks.filter((c) => !c.ok);
        if (bad.length === 0) return { ok: true, seconds: Math.round((Date.now() - started) / 100) / 10, problems: "" };
        problems = bad.map((c) => c.problems.split("\n").map((l) => l.trim()).filter((l) => l !== "").join("; ")).join("; ");
        emit({ kind: "note", text: `verify after repair (attempt ${attempt}): ${problems}` });
    }
    return { ok: false, seconds: Math.round((Date.now() - started) / 100) / 10, problems };
}

async function runRow(agents: LabAgents, settings: BondSettings, row: RowPlan, bound: Bound, o: DrillOptions, postS: number): Promise<RowResult> {
    const lab = agents.lab;
    // Failback breaks its channel before the probes start: a second of probes finds it first.
    let ch: LabChannel | null = null;
    if (row.prepare) {
        ch = await probeCarryingChannel(agents, o);
        await row.prepare(agents, ch);
    }
    const maxS = o.preS + postS + 300;
    const probes = await Promise.all(lab.routers.map((r) => Probe.start(agents.agent(r.container), { intervalS: o.intervalS, maxS })));
    const snapAll = (label: string) => Promise.all(probes.map((p) => p.snap(label)));
    const b0 = await snapAll("b0");
    await sleep(o.preS);
    const b1 = await snapAll("b1");
    ch ??= carryingChannel(lab, b0, b1);
    const fault = await row.inject(agents, ch);
    const afterS = Math.min(1.5, postS / 3);
    await sleep(Math.max(0, postS - afterS));
    const a0 = await snapAll("a0");
    await sleep(afterS);
    const a1 = await snapAll("a1");
    const outputs = await Promise.all(probes.map((p) => p.stop()));
    if (o.rawDir) {
        fs.mkdirSync(o.rawDir, { recursive: true });
        outputs.forEach((out, i) => fs.writeFileSync(path.join(o.rawDir!, `${lab.stack}.${row.id}.${lab.routers[i].name}.txt`), out.raw));
        fs.writeFileSync(path.join(o.rawDir, `${lab.stack}.${row.id}.fault.json`), JSON.stringify(fault) + "\n");
    }
    return analyzeRow(lab, settings, row, ch, bound, { preS: o.preS, postS }, fault, outputs, [b0, b1, a0, a1]);
}

/**
 * The channel that carries the probes, from both routers' counters between two snapshots:
 * the slave that sent most (over 70 %) of the packets; else (round-robin, broadcast) the
 * first channel. Hashing modes (balance-xor, 802.3ad) put the ping's one flow on one channel,
 * chosen by its ICMP id, new with every ping: breaking another channel would test nothing.
 */
export function carryingChannel(lab: DrillLab, before: Snapshot[], after: Snapshot[]): LabChannel {
    const tx: Record<string, number> = {};
    before.forEach((b, i) => {
        for (const [name, n] of Object.entries(carriage(b, after[i]).tx)) tx[name] = (tx[name] ?? 0) + n;
    });
    const total = Object.values(tx).reduce((a, b) => a + b, 0);
    const [top, n] = Object.entries(tx).sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    const found = lab.channels.find((c) => c.interface === top);
    return total > 0 && n > 0.7 * total && found ? found : lab.channels[0];
}

/** A second of probes to find the channel that carries them. */
async function probeCarryingChannel(agents: LabAgents, o: DrillOptions): Promise<LabChannel> {
    const lab = agents.lab;
    const probes = await Promise.all(lab.routers.map((r) => Probe.start(agents.agent(r.container), { intervalS: o.intervalS, maxS: 60 })));
    const before = await Promise.all(probes.map((p) => p.snap("c0")));
    await sleep(1);
    const after = await Promise.all(probes.map((p) => p.snap("c1")));
    await Promise.all(probes.map((p) => p.stop()));
    return carryingChannel(lab, before, after);
}

/** Everything the row's measurements say: pure, given the probes' outputs. */
export function analyzeRow(
    lab: DrillLab, settings: BondSettings, row: RowPlan, ch: LabChannel, bound: Bound, window: { preS: number; postS: number },
    fault: FaultTimes, outputs: ProbeOutput[], snaps: Snapshot[][],
): RowResult {
    const [a, b] = lab.routers;
    const faultAt = fault.at;
    const faultEndAt = Math.max(fault.done, ...fault.backs);
    const directions: Record<string, DirectionAnalysis> = {};
    const names = [`${a.name}->${b.name}`, `${b.name}->${a.name}`];
    outputs.forEach((out, i) => {
        directions[names[i]] = analyzeDirection(out.ping, { startAt: out.startAt, stopAt: out.stopAt, faultAt, faultEndAt });
    });
    const judged = judge(row.fault, bound, directions, faultEndAt - faultAt);
    const routers: Record<string, RouterView> = {};
    lab.routers.forEach((r, i) => {
        const [b0, b1, a0, a1] = snaps.map((s) => s[i]);
        const before = carriage(b0, b1);
        const after = carriage(a0, a1);
        const failures: Record<string, number> = {};
        for (const s of a1.slaves) failures[s.name] = s.failures - (b0.slaves.find((x) => x.name === s.name)?.failures ?? s.failures);
        routers[r.name] = {
            before, after,
            txBefore: carriers(before.tx), txAfter: carriers(after.tx),
            rxBefore: carriers(before.rx), rxAfter: carriers(after.rx),
            failures,
        };
    });

    const slave = ch.interface;
    const returned = row.fault === "return"
        ? lab.routers.every((r) => {
            const v = routers[r.name];
            return v.after?.active ? v.after.active === slave : v.txAfter.split("+").includes(slave);
        })
        : null;

    const rel = (t: number) => Math.round(t - faultAt);
    const result: RowResult = {
        stack: lab.stack,
        variant: lab.variant,
        mode: settings.mode,
        id: row.id,
        scenario: row.scenario,
        title: row.title(ch),
        channel: { name: ch.name, interface: ch.interface },
        fault: row.fault,
        downedBy: row.downedBy,
        bound,
        window,
        times: {
            probeStart: rel(Math.min(...outputs.map((o) => o.startAt))),
            faultIssued: rel(fault.issued),
            faultDone: rel(fault.done),
            faultEnd: rel(faultEndAt),
            probeStop: rel(Math.max(...outputs.map((o) => o.stopAt))),
            cuts: fault.cuts.map(rel),
            backs: fault.backs.map(rel),
            skewMs: fault.skewMs,
        },
        load: snaps[0]?.[0]?.load ?? null,
        directions,
        ...judged,
        routers,
        returned,
        explanation: null,
        restoredAfterS: null,
    };
    result.explanation = explain(result, settings, lab);
    return result;
}

/**
 * Both directions, the bound and the kind of fault: the row's outcome and verdict. Pure.
 * A direction with no reply before the fault has no baseline: the row says so and judges
 * nothing. A recovery followed by a fresh outage once the path had settled is a relapse.
 */
export function judge(fault: FaultKind, bound: Bound, directions: Record<string, DirectionAnalysis>, faultEndMs = 0) {
    const [da, db] = Object.values(directions);
    const combined = combineDirections(da, db);
    const probeIntervalMs = Math.max(da.intervalMs, db.intervalMs);
    const exceeded = boundExceeded(bound, combined.outageMs, probeIntervalMs);
    const reasons: string[] = [];
    let verdict: Verdict = "pass";
    const noBaseline = Object.entries(directions).filter(([, d]) => !hasBaseline(d)).map(([name]) => name);
    if (fault === "degrade") {
        verdict = "info";
    } else if (noBaseline.length > 0) {
        verdict = "info";
        reasons.push(`no baseline: no reply ${noBaseline.join(" or ")} before the fault, so nothing is judged`);
    } else {
        if (combined.outcome === "down") reasons.push("no recovery");
        if (combined.outcome === "partial") reasons.push("partial loss persists");
        if (exceeded && combined.outcome !== "down") reasons.push("bound exceeded");
        const settleMs = bound.kind === "ms" ? bound.ms : 1000;
        const relapses = Object.values(directions).flatMap((d) => (d.outcome === "recovered" ? relapsesOf(d, faultEndMs, settleMs).map((o) => ({ o, d })) : []));
        if (relapses.length > 0) {
            const first = relapses.reduce((a, b) => (a.o.from <= b.o.from ? a : b));
            const after = (first.o.from - faultAtOf(first.d)!) / 1000;
            reasons.push(`relapse: lost again ${after.toFixed(1)} s after the fault, for ${Math.round(first.o.ms)} ms`);
        }
        if (reasons.length > 0) verdict = "fail";
    }
    return {
        outageMs: combined.outageMs,
        open: combined.open,
        outcome: combined.outcome as Outcome | "error",
        recoveredAfterMs: combined.recoveredAfterMs,
        lost: combined.lost,
        sent: combined.sent,
        probeIntervalMs,
        exceeded,
        reasons,
        verdict,
    };
}

/** A row of a saved report judged again by the current rules (its measurements unchanged). */
export function rejudge(row: RowResult): RowResult {
    if (row.verdict === "error" || Object.keys(row.directions).length !== 2) return row;
    const directions: Record<string, DirectionAnalysis> = {};
    for (const [k, d] of Object.entries(row.directions)) directions[k] = { ...d, ...classify(d) };
    const restoreReasons = row.reasons.filter((r) => r.startsWith("lab not restored"));
    const judged = judge(row.fault, row.bound, directions, row.times?.faultEnd ?? 0);
    return { ...row, directions, ...judged, reasons: [...judged.reasons, ...restoreReasons] };
}

/** A saved report with every row judged and explained again by the current code. */
export function rejudgeReport(report: DrillReport): DrillReport {
    const variants = report.variants.map((v) => {
        const lab = labOfSpec(v.stack, loadLab(v.variant));
        const routers = lab.routers.map((x) => x.name) as [string, string];
        const rows = v.rows.map((r) => {
            // The bound too is a rule: predicted again from the settings the run read.
            const bound = r.verdict === "error" ? r.bound : predictBound(v.settings, r.fault, routers, r.downedBy);
            const row = rejudge({ ...r, bound });
            return { ...row, explanation: explain(row, v.settings, lab) };
        });
        return { ...v, rows };
    });
    return { ...report, variants };
}

function errorRow(lab: DrillLab, settings: BondSettings, row: RowPlan, bound: Bound, window: { preS: number; postS: number }, error: string): RowResult {
    return {
        stack: lab.stack, variant: lab.variant, mode: settings.mode, id: row.id, scenario: row.scenario, title: row.title(lab.channels[0]),
        channel: { name: lab.channels[0].name, interface: lab.channels[0].interface }, fault: row.fault, downedBy: row.downedBy, bound, window, times: null, load: null, directions: {}, outageMs: 0, open: false, outcome: "error",
        recoveredAfterMs: null, lost: 0, sent: 0, probeIntervalMs: 0, exceeded: false, routers: {}, returned: null,
        verdict: "error", reasons: [error], explanation: null, restoredAfterS: null, error,
    };
}
