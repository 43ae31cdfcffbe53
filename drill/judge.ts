// The pure half of the drill: from a row's measurements to its verdict, and a saved report
// judged again by the current rules. Nothing here touches a lab.

import { Bound, BondSettings, FaultKind, boundExceeded, predictBound, routerHit } from "./bounds";
import { explain } from "./explain";
import { loadLab } from "../components/labfile/load";
import { slaveIn } from "../components/handle";
import { DrillLab, LabChannel, labOfSpec, onOneSegment } from "./lab";
import {
    DirectionAnalysis,
    Outcome,
    analyzeDirection,
    classify,
    combineDirections,
    failoverOutageMs,
    faultAtOf,
    hasBaseline,
    relapsesOf,
    settleMsOf,
} from "./outage";
import { ProbeOutput, Snapshot, carriage, carriers } from "./probe";
import type { DrillOptions, DrillReport, RouterView, RowResult, Verdict } from "./result";
import { FaultTimes, RowPlan } from "./scenarios";

export function postWindowS(bound: Bound, o: Pick<DrillOptions, "postS" | "minPostS" | "maxPostS">): number {
    if (o.postS !== undefined) return o.postS;
    const fromBound = bound.kind === "ms" ? (1.5 * bound.ms) / 1000 + 2 : 0;
    return Math.round(Math.min(o.maxPostS, Math.max(o.minPostS, fromBound)) * 10) / 10;
}

/**
 * The channel that carries the probes, from both routers' counters between two snapshots:
 * the slave that sent most (over 70 %) of the packets; else (round-robin, broadcast) the
 * first channel. Hashing modes (balance-xor, 802.3ad) put the ping's one flow on one channel,
 * chosen by its ICMP id, new with every ping: breaking another channel would test nothing.
 */
export function carryingChannel(lab: DrillLab, before: Snapshot[], after: Snapshot[]): LabChannel {
    // Packets per channel: each router counts on its own slave, which may be named differently.
    const tx: Record<string, number> = {};
    before.forEach((b, i) => {
        const router = lab.routers[i].name;
        for (const [slave, n] of Object.entries(carriage(b, after[i]).tx)) {
            const channel = lab.channels.find((c) => slaveIn(c, router) === slave)?.name ?? "";
            tx[channel] = (tx[channel] ?? 0) + n;
        }
    });
    const total = Object.values(tx).reduce((a, b) => a + b, 0);
    const [top, n] = Object.entries(tx).sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    const found = lab.channels.find((c) => c.name === top);
    return total > 0 && n > 0.7 * total && found ? found : lab.channels[0];
}

/** A channel as a report row names it: per router only where the ends number it differently. */
export function channelOfRow(ch: LabChannel): RowResult["channel"] {
    const perRouter = new Set(Object.values(ch.interfaces ?? {})).size > 1;
    return { name: ch.name, interface: ch.interface, ...(perRouter ? { interfaces: ch.interfaces } : {}) };
}

/** Everything the row's measurements say: pure, given the probes' outputs. */
export function analyzeRow(
    lab: DrillLab,
    settings: BondSettings,
    row: RowPlan,
    ch: LabChannel,
    bound: Bound,
    window: { preS: number; postS: number },
    fault: FaultTimes,
    outputs: ProbeOutput[],
    snaps: Snapshot[][],
): RowResult {
    const [a, b] = lab.routers;
    const faultAt = fault.at;
    const faultEndAt = Math.max(fault.done, ...fault.backs);
    const directions: Record<string, DirectionAnalysis> = {};
    const names = [`${a.name}->${b.name}`, `${b.name}->${a.name}`];
    outputs.forEach((out, i) => {
        directions[names[i]] = analyzeDirection(out.ping, {
            startAt: out.startAt,
            stopAt: out.stopAt,
            faultAt,
            faultEndAt,
        });
    });
    const judged = judge(row.fault, bound, directions, faultEndAt - faultAt);
    const routers: Record<string, RouterView> = {};
    lab.routers.forEach((r, i) => {
        const [b0, b1, a0, a1] = snaps.map((s) => s[i]);
        const before = carriage(b0, b1);
        const after = carriage(a0, a1);
        const failures: Record<string, number> = {};
        for (const s of a1.slaves)
            failures[s.name] = s.failures - (b0.slaves.find((x) => x.name === s.name)?.failures ?? s.failures);
        routers[r.name] = {
            before,
            after,
            txBefore: carriers(before.tx),
            txAfter: carriers(after.tx),
            rxBefore: carriers(before.rx),
            rxAfter: carriers(after.rx),
            failures,
        };
    });

    const returned =
        row.fault === "return"
            ? lab.routers.every((r) => {
                  const v = routers[r.name];
                  const slave = slaveIn(ch, r.name);
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
        channel: channelOfRow(ch),
        fault: row.fault,
        downedBy: row.downedBy,
        deafRouter: row.deafRouter,
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
    const settleMs = settleMsOf(bound);
    // The bound is the failover's: a relapse or a late loss fails the row on its own.
    const exceeded = boundExceeded(bound, failoverOutageMs([da, db], faultEndMs, settleMs), probeIntervalMs);
    const reasons: string[] = [];
    let verdict: Verdict = "pass";
    const noBaseline = Object.entries(directions)
        .filter(([, d]) => !hasBaseline(d))
        .map(([name]) => name);
    if (fault === "degrade") {
        verdict = "info";
    } else if (noBaseline.length > 0) {
        verdict = "info";
        reasons.push(`no baseline: no reply ${noBaseline.join(" or ")} before the fault, so nothing is judged`);
    } else {
        if (combined.outcome === "down") reasons.push("no recovery");
        if (combined.outcome === "partial") reasons.push("partial loss persists");
        if (exceeded && combined.outcome !== "down") reasons.push("bound exceeded");
        const late = Object.values(directions).flatMap((d) =>
            d.outcome === "recovered" ? relapsesOf(d, faultEndMs, settleMs).map((o) => ({ o, d })) : [],
        );
        if (late.length > 0) {
            const first = late.reduce((a, b) => (a.o.from <= b.o.from ? a : b));
            const after = (first.o.from - faultAtOf(first.d)!) / 1000;
            // A relapse needs a recovery to relapse from: an earlier outage in that direction.
            // Without one the path held through the fault and broke later, once it had settled.
            const faultAt = faultAtOf(first.d)!;
            const recoveredBefore = first.d.outages.some(
                (o) => o.to !== null && o.to > faultAt && o.to <= first.o.from && !late.some((l) => l.o === o),
            );
            reasons.push(
                recoveredBefore
                    ? `relapse: lost again ${after.toFixed(1)} s after the fault, for ${Math.round(first.o.ms)} ms`
                    : `late loss: held through the fault, then lost ${after.toFixed(1)} s after it, for ${Math.round(first.o.ms)} ms`,
            );
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
            const bound =
                r.verdict === "error"
                    ? r.bound
                    : predictBound(v.settings, r.fault, routers, routerHit(r), onOneSegment(lab));
            const row = rejudge({ ...r, bound });
            return { ...row, explanation: explain(row, v.settings, lab) };
        });
        return { ...v, rows };
    });
    return { ...report, variants };
}
