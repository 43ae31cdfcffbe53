// The pure half of the drill: from a row's measurements to its verdict, and a saved report
// judged again by the current rules. Nothing here touches a lab.

import {
    Bound,
    BondSettings,
    FaultKind,
    boundExceeded,
    formatBound,
    predictBound,
    rejoinEarliestMs,
    returnBound,
    routerHit,
} from "./bounds";
import { explain } from "./explain";
import { slaveIn } from "../components/handle";
import { DrillLab, LabChannel, labOfSubject, onOneSegment } from "./lab";
import {
    DirectionAnalysis,
    RowOutcome,
    analyzeDirection,
    classify,
    combineDirections,
    failoverOutageMs,
    faultAtOf,
    harnessSkewMs,
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
    window: RowResult["window"],
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
        const window = { startAt: out.startAt, stopAt: out.stopAt, faultAt, faultEndAt };
        directions[names[i]] = analyzeDirection(out.ping, window);
    });
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
    const times = {
        probeStart: rel(Math.min(...outputs.map((o) => o.startAt))),
        faultIssued: rel(fault.issued),
        faultDone: rel(fault.done),
        faultEnd: rel(faultEndAt),
        probeStop: rel(Math.max(...outputs.map((o) => o.stopAt))),
        cuts: fault.cuts.map(rel),
        backs: fault.backs.map(rel),
        skewMs: fault.skewMs,
    };
    const evidence = rowEvidence({ fault: row.fault, bound, channel: channelOfRow(ch), routers, times }, settings);
    const judged = judge(row.fault, bound, directions, faultEndAt - faultAt, evidence);
    const result: RowResult = {
        ...rowHead(lab, settings, row, ch, bound, window),
        times,
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

type EvidenceRow = Pick<RowResult, "fault" | "bound" | "channel" | "routers" | "times">;

/** What a row's counters and times say beyond its probes' replies; the failback window needs the bond's settings. */
export function rowEvidence(row: EvidenceRow, settings?: BondSettings) {
    return {
        /** Why the row did not test what it names (the probes never crossed its channel); null when it did. */
        untested: untestedReason(row),
        /** Flap or return: when the flow could fail back onto the returning slave; null when the data does not show it did. */
        failback: settings ? failbackWindow(row, settings) : null,
        /** Cut or return: how far apart the cable's two ends changed (`ip monitor`); null when not measured. */
        skewMs: row.times?.skewMs ?? null,
    };
}

/**
 * A row tests its channel only if the per-slave counters show the probes crossing it: before
 * the fault (the fault then hit them), and for failback after the return (the flow used the
 * returning channel). A hashed flow (balance-xor, 802.3ad) may stay on the other channel,
 * and its 0 ms would say nothing. A failback bound of 0 (broadcast, a bond that stays on its
 * backup) expects no move, so there is nothing the counters must show.
 */
function untestedReason(row: EvidenceRow): string | null {
    const routers = Object.entries(row.routers ?? {});
    if (routers.length === 0) return null;
    const back = row.fault === "return";
    if (back && row.bound.kind === "none") return null;
    const crossed = routers.some(([name, v]) =>
        (back ? v.txAfter : v.txBefore).split("+").includes(slaveIn(row.channel, name)),
    );
    if (crossed) return null;
    const sent = routers.map(([name, v]) => `${name} sent on ${v.txBefore || "-"} → ${v.txAfter || "-"}`).join(", ");
    return back
        ? `not tested: the probes never used ${row.channel.interface} after it came back (${sent})`
        : `not tested: the probes did not cross ${row.channel.interface} before the fault (${sent})`;
}

/**
 * Flap and return rows: the window in which an outage is the flow failing back onto the
 * returning slave. It opens when that slave can carry again after its last return
 * (rejoinEarliestMs), and closes when the last snapshots began, which show every router
 * sending on it: the flow moved back in between. Null when the counters do not show that.
 */
function failbackWindow(row: EvidenceRow, s: BondSettings) {
    if ((row.fault !== "flap" && row.fault !== "return") || !row.times) return null;
    const routers = Object.entries(row.routers ?? {});
    const slaves = routers.map(([name]) => slaveIn(row.channel, name));
    const endedOnIt = routers.length > 0 && routers.every(([, v], i) => v.txAfter.split("+").includes(slaves[i]));
    const lastWindowMs = Math.max(0, ...routers.map(([, v]) => v.after?.ms ?? 0));
    const bound = returnBound(s);
    if (!endedOnIt || lastWindowMs === 0 || bound.kind !== "ms") return null;
    const lastBack = Math.max(0, ...row.times.backs);
    return {
        slave: row.channel.interface,
        fromMs: lastBack + rejoinEarliestMs(s),
        toMs: row.times.probeStop - lastWindowMs,
        bound,
    };
}

/**
 * Both directions, the bound and the kind of fault: the row's outcome and verdict. Pure.
 * A direction with no reply before the fault makes the row "dead before the fault": the
 * variant failed in its steady state. A recovery followed by a fresh outage once the path had
 * settled is a relapse, unless it is the flow failing back onto the returning slave (judged
 * against the failback bound). A row whose counters show the probes never crossed its channel
 * did not test it: "not tested", never a pass.
 */
export function judge(
    fault: FaultKind,
    bound: Bound,
    directions: Record<string, DirectionAnalysis>,
    faultEndMs: number,
    evidence: ReturnType<typeof rowEvidence>,
) {
    const [da, db] = Object.values(directions);
    const combined = combineDirections(da, db);
    const probeIntervalMs = Math.max(da.intervalMs, db.intervalMs);
    const settleMs = settleMsOf(bound);
    // The bound is the failover's: a relapse, a failback or a late loss is judged on its own;
    // and the kernel's, counted from the second end of a cut cable (the harness's skew is not its).
    const failoverMs = failoverOutageMs([da, db], faultEndMs, settleMs);
    const skewMs = harnessSkewMs(fault, evidence.skewMs, failoverMs, probeIntervalMs);
    const exceeded = boundExceeded(bound, failoverMs - skewMs, probeIntervalMs);
    const dead = deadBeforeFault(directions);
    let reasons: string[] = [];
    let outcome: RowOutcome = combined.outcome;
    let verdict: Verdict = "pass";
    if (dead) {
        outcome = "dead-before-fault";
        reasons.push(dead);
    } else if (fault === "degrade") {
        // No bound applies to a lossy channel, but a path that ends dead is no degraded link.
        if (combined.outcome === "down") reasons.push("no recovery");
    } else {
        if (combined.outcome === "down") reasons.push("no recovery");
        if (combined.outcome === "partial") reasons.push("partial loss persists");
        if (exceeded && combined.outcome !== "down") reasons.push("bound exceeded");
        reasons.push(...lateReasons(directions, faultEndMs, settleMs, probeIntervalMs, evidence.failback));
    }
    if (reasons.length > 0) verdict = "fail";
    else if (fault === "degrade") verdict = "info";
    if (!dead && evidence.untested) {
        // A failure stays one; what would have passed measured nothing about the channel.
        if (verdict === "fail") reasons = [...reasons, evidence.untested];
        else {
            outcome = "not-tested";
            verdict = "info";
            reasons = [evidence.untested];
        }
    }
    return { ...combined, outcome: outcome as RowOutcome | "error", probeIntervalMs, exceeded, reasons, verdict };
}

/** "dead before the fault: ..." when a direction got no reply to any probe sent before it; else null. */
function deadBeforeFault(directions: Record<string, DirectionAnalysis>): string | null {
    // No reply to a probe sent before the fault: the path did not work before it.
    const dead = Object.entries(directions).filter(([, d]) => d.rttBefore === null);
    if (dead.length === 0) return null;
    // The run of lost probes from the start: how long the path had been dead when the fault came.
    const deadMs = dead.map(([, d]) => {
        const first = d.outages.find((o) => o.firstSeq === 1);
        const faultAt = faultAtOf(d);
        return first && faultAt !== null ? faultAt - first.from : null;
    });
    const known = deadMs.filter((ms): ms is number => ms !== null);
    const span = known.length === dead.length ? ` in the ${(Math.min(...known) / 1000).toFixed(1)} s of probes` : "";
    return `dead before the fault: no reply ${dead.map(([name]) => name).join(" or ")}${span} before it`;
}

/** Relapses, failbacks beyond their bound and late losses: outages once the path had settled. */
function lateReasons(
    directions: Record<string, DirectionAnalysis>,
    faultEndMs: number,
    settleMs: number,
    probeIntervalMs: number,
    window: ReturnType<typeof failbackWindow>,
): string[] {
    const late = Object.values(directions).flatMap((d) =>
        d.outcome === "recovered" ? relapsesOf(d, faultEndMs, settleMs).map((o) => ({ o, d })) : [],
    );
    // The late outages that fall in the failback window: the flow moving back, not a relapse.
    const failbacks = late.filter(({ o, d }) => {
        const faultAt = faultAtOf(d)!;
        return window !== null && o.from >= faultAt + window.fromMs && o.to !== null && o.to <= faultAt + window.toMs;
    });
    const reasons: string[] = [];
    if (failbacks.length > 0 && window) {
        const worst = failbacks.reduce((a, b) => (a.o.ms >= b.o.ms ? a : b));
        if (boundExceeded(window.bound, worst.o.ms, probeIntervalMs)) {
            const after = (worst.o.from - faultAtOf(worst.d)!) / 1000;
            reasons.push(
                `failback beyond its bound: lost ${Math.round(worst.o.ms)} ms ${after.toFixed(1)} s after the fault, ` +
                    `as the flow moved back onto ${window.slave} (failback bound ${formatBound(window.bound)})`,
            );
        }
    }
    const rest = late.filter((l) => !failbacks.includes(l));
    if (rest.length === 0) return reasons;
    const first = rest.reduce((a, b) => (a.o.from <= b.o.from ? a : b));
    const faultAt = faultAtOf(first.d)!;
    const after = (first.o.from - faultAt) / 1000;
    // A relapse needs a recovery to relapse from: an earlier outage in that direction.
    // Without one the path held through the fault and broke later, once it had settled.
    const recoveredBefore = first.d.outages.some(
        (o) => o.to !== null && o.to > faultAt && o.to <= first.o.from && !rest.some((l) => l.o === o),
    );
    reasons.push(
        recoveredBefore
            ? `relapse: lost again ${after.toFixed(1)} s after the fault, for ${Math.round(first.o.ms)} ms`
            : `late loss: held through the fault, then lost ${after.toFixed(1)} s after it, for ${Math.round(first.o.ms)} ms`,
    );
    return reasons;
}

/** A row of a saved report judged again by the current rules (its measurements unchanged). */
export function rejudge(row: RowResult, settings?: BondSettings): RowResult {
    if (row.verdict === "error" || Object.keys(row.directions).length !== 2) return row;
    const directions: Record<string, DirectionAnalysis> = {};
    for (const [k, d] of Object.entries(row.directions)) directions[k] = { ...d, ...classify(d) };
    const restoreReasons = row.reasons.filter((r) => r.startsWith("lab not restored"));
    const evidence = rowEvidence(row, settings);
    const judged = judge(row.fault, row.bound, directions, row.times?.faultEnd ?? 0, evidence);
    return { ...row, directions, ...judged, reasons: [...judged.reasons, ...restoreReasons] };
}

/** A saved report with every row judged and explained again by the current code. */
export function rejudgeReport(report: DrillReport): DrillReport {
    const variants = report.variants.map((v) => {
        const lab = labOfSubject(v.stack, v.variant);
        const routers = lab.routers.map((x) => x.name) as [string, string];
        const rows = v.rows.map((r) => {
            // The bound too is a rule: predicted again from the settings the run read.
            const bound =
                r.verdict === "error"
                    ? r.bound
                    : predictBound(v.settings, r.fault, routers, routerHit(r), onOneSegment(lab));
            const row = rejudge({ ...r, bound }, v.settings);
            return { ...row, explanation: explain(row, v.settings, lab) };
        });
        return { ...v, rows };
    });
    return { ...report, variants };
}

/** What a row is, measured or not: its lab, its fault on channel ch, its bound and its window. */
function rowHead(
    lab: DrillLab,
    settings: BondSettings,
    row: RowPlan,
    ch: LabChannel,
    bound: Bound,
    window: RowResult["window"],
) {
    return {
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
    };
}

/** A row that could not be measured (the lab broke, the window was cut short): kept, with why. */
export function errorRow(
    lab: DrillLab,
    settings: BondSettings,
    row: RowPlan,
    bound: Bound,
    window: RowResult["window"],
    error: string,
    ch: LabChannel = lab.channels[0],
): RowResult {
    return {
        ...rowHead(lab, settings, row, ch, bound, window),
        times: null,
        load: null,
        directions: {},
        outageMs: 0,
        open: false,
        outcome: "error",
        recoveredAfterMs: null,
        lost: 0,
        sent: 0,
        probeIntervalMs: 0,
        exceeded: false,
        routers: {},
        returned: null,
        verdict: "error",
        reasons: [error],
        explanation: null,
        restoredAfterS: null,
        error,
    };
}
