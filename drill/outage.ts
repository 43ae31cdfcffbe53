// What one direction's probes say about a fault: how many were lost, the outage (the longest
// gap in replies around the fault), whether and when the path came back. Pure: every time is
// in ms from the same clock (the Docker host's, where ping -D and the fault's `date` ran).

import { PingOutput, PingReply } from "./ping";

export interface ProbeWindow {
    /** When ping started. */
    startAt: number;
    /** When ping was stopped. */
    stopAt: number;
    /** When the fault was injected (for failback: when the channel came back). */
    faultAt: number;
    /** The last moment of the fault (flapping: the last change); defaults to faultAt. */
    faultEndAt?: number;
}

/** A run of consecutive probes that got no reply. */
export interface Outage {
    firstSeq: number;
    lastSeq: number;
    lost: number;
    /** The last reply before the run (the probe start when there was none). */
    from: number;
    /** The first reply after it; null when none came before ping stopped. */
    to: number | null;
    /** to - from, or stop - from for an outage still open at the end. */
    ms: number;
}

/** A direction's outcome from its probes. */
export type Outcome = "no-loss" | "recovered" | "partial" | "down";

/**
 * A row's outcome: its directions' combined, or what the row's counters say it did not
 * measure: the path was dead before the fault (a steady-state failure of the variant), or
 * the probes never crossed the channel under test.
 */
export type RowOutcome = Outcome | "dead-before-fault" | "not-tested";

export interface DirectionAnalysis {
    /** When the fault was injected (ms, the Docker host's clock); absent in older reports. */
    faultAt?: number;
    sent: number;
    received: number;
    lost: number;
    duplicates: number;
    /** Probes interval actually achieved (ms): an emulated CPU may not keep up with -i. */
    intervalMs: number;
    /** Probes lost in the outages that end after the fault (or never end). */
    lostAfterFault: number;
    /** Probes sent after the fault, and the share of them lost (percent). */
    sentAfterFault: number;
    lossAfterFaultPct: number;
    /** Outages that end after the fault started (or never end). */
    outages: Outage[];
    /** The longest of them; 0 when nothing was lost after the fault. */
    outageMs: number;
    /** The longest outage lasted until ping stopped: no recovery seen. */
    open: boolean;
    /** First reply after the longest outage, in ms after the fault; null when none. */
    recoveredAfterMs: number | null;
    /** Loss among the last tailMs of probes, in percent. */
    tailLossPct: number;
    outcome: Outcome;
    /** Replies that arrived after a reply to a later probe. */
    reordered: number;
    /** Round-trip times before and after the fault. */
    rttBefore: RttStats | null;
    rttAfter: RttStats | null;
}

export interface RttStats {
    n: number;
    p50: number;
    p95: number;
    max: number;
}

/** Tail loss above this (percent), in at least PARTIAL_RUNS separate runs, with replies still coming: "partial", not "recovered". */
export const PARTIAL_LOSS_PCT = 10;
export const PARTIAL_RUNS = 3;
/** Probes sent this close to the stop may still be in flight: not counted as lost. */
const IN_FLIGHT_MS = 200;

export function analyzeDirection(ping: PingOutput, window: ProbeWindow): DirectionAnalysis {
    const replies = ping.replies;
    const bySeq = new Map<number, PingReply>(replies.map((r) => [r.seq, r]));
    const maxReplied = replies.reduce((m, r) => Math.max(m, r.seq), 0);
    let transmitted = Math.max(ping.transmitted ?? maxReplied, maxReplied);
    const duration = Math.max(window.stopAt - window.startAt, 1);
    const intervalMs = transmitted > 0 ? duration / transmitted : duration;

    // Probes sent in the last moments before the stop, after the last reply, may have been
    // answered after ping stopped listening: they are not evidence of an outage.
    const lastReply = maxReplied > 0 ? bySeq.get(maxReplied)! : null;
    while (transmitted > maxReplied) {
        const sentAt = lastReply
            ? lastReply.at - lastReply.rttMs + (transmitted - maxReplied) * intervalMs
            : window.startAt + transmitted * intervalMs;
        if (sentAt < window.stopAt - IN_FLIGHT_MS) break;
        transmitted--;
    }

    // Runs of unanswered probes.
    const runs: Outage[] = [];
    let seq = 1;
    while (seq <= transmitted) {
        if (bySeq.has(seq)) {
            seq++;
            continue;
        }
        const first = seq;
        while (seq <= transmitted && !bySeq.has(seq)) seq++;
        const last = seq - 1;
        const before = first > 1 ? (bySeq.get(first - 1) ?? null) : null; // answered, by construction
        const after = last < transmitted ? (bySeq.get(last + 1) ?? null) : null;
        const from = before ? before.at : window.startAt;
        const to = after ? after.at : null;
        runs.push({
            firstSeq: first,
            lastSeq: last,
            lost: last - first + 1,
            from,
            to,
            ms: Math.max(0, (to ?? window.stopAt) - from),
        });
    }

    const faultAt = window.faultAt;
    const afterFault = runs.filter((r) => r.to === null || r.to > faultAt);
    const longest = afterFault.reduce<Outage | null>((best, r) => (best && best.ms >= r.ms ? best : r), null);
    const lostAfterFault = afterFault.reduce((n, r) => n + r.lost, 0);

    // The last probe answered before the fault was sent: everything after it counts as "after".
    const sentAt = (r: PingReply) => r.at - r.rttMs;
    const lastBefore = replies.filter((r) => sentAt(r) < faultAt).reduce((m, r) => Math.max(m, r.seq), 0);
    const sentAfterFault = Math.max(0, transmitted - lastBefore);
    let lostAfter = 0;
    for (let s = lastBefore + 1; s <= transmitted; s++) if (!bySeq.has(s)) lostAfter++;

    const open = longest !== null && longest.to === null;
    const { tailLossPct, outcome } = classify({
        sent: transmitted,
        intervalMs: round(intervalMs, 2),
        lostAfterFault,
        outages: afterFault,
    });

    let reordered = 0;
    let highest = 0;
    for (const r of replies) {
        if (r.seq < highest) reordered++;
        highest = Math.max(highest, r.seq);
    }
    const received = replies.filter((r) => r.seq <= transmitted).length;
    return {
        faultAt,
        sent: transmitted,
        received,
        lost: transmitted - received,
        duplicates: ping.duplicates,
        intervalMs: round(intervalMs, 2),
        lostAfterFault,
        sentAfterFault,
        lossAfterFaultPct: sentAfterFault > 0 ? round((100 * lostAfter) / sentAfterFault, 1) : 0,
        outages: afterFault,
        outageMs: longest ? round(longest.ms, 1) : 0,
        open,
        recoveredAfterMs: longest && longest.to !== null ? round(longest.to - faultAt, 1) : null,
        tailLossPct,
        outcome,
        reordered,
        rttBefore: rttStats(replies.filter((r) => sentAt(r) < faultAt).map((r) => r.rttMs)),
        rttAfter: rttStats(replies.filter((r) => sentAt(r) >= (window.faultEndAt ?? faultAt)).map((r) => r.rttMs)),
    };
}

export function rttStats(values: number[]): RttStats | null {
    if (values.length === 0) return null;
    const sorted = [...values].sort((a, b) => a - b);
    const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return {
        n: sorted.length,
        p50: round(pick(0.5), 3),
        p95: round(pick(0.95), 3),
        max: round(sorted[sorted.length - 1], 3),
    };
}

function round(x: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

/**
 * The outcome from the runs of lost probes: "down" when the probes end in an outage still
 * open at the end of the window (no reply after it, whatever share of the tail it covers: a
 * slowed ping sends few probes in its last second) or the tail (the last second of probes)
 * got no reply at all, "partial" when over PARTIAL_LOSS_PCT of it was lost in PARTIAL_RUNS
 * or more separate runs (loss that stays, e.g. round-robin into a dead channel), "recovered"
 * otherwise (one late blip included). Pure, from what the report keeps, so that a report can
 * be classified again from its JSON.
 */
export function classify(d: Pick<DirectionAnalysis, "sent" | "intervalMs" | "lostAfterFault" | "outages">) {
    // The tail whose loss says whether the path is healthy at the end: its last second.
    const tailCount = Math.max(1, Math.round(1000 / Math.max(d.intervalMs, 0.001)));
    const tailFrom = Math.max(1, d.sent - tailCount + 1);
    const tailSize = d.sent - tailFrom + 1;
    let tailLost = 0;
    let tailRuns = 0;
    for (const o of d.outages) {
        const from = Math.max(o.firstSeq, tailFrom);
        const to = Math.min(o.lastSeq, d.sent);
        if (to < from) continue;
        tailLost += to - from + 1;
        tailRuns++;
    }
    const tailLossPct = tailSize > 0 ? round((100 * tailLost) / tailSize, 1) : 100;
    let outcome: Outcome;
    if (d.lostAfterFault === 0) outcome = "no-loss";
    else if (tailSize <= 0 || tailLost >= tailSize || d.outages.some((o) => o.to === null)) outcome = "down";
    else if (tailLossPct > PARTIAL_LOSS_PCT && tailRuns >= PARTIAL_RUNS) outcome = "partial";
    else outcome = "recovered";
    return { tailLossPct, outcome };
}

/** Both directions as one: the worse outage, the worse outcome. */
export function combineDirections(a: DirectionAnalysis, b: DirectionAnalysis) {
    const rank: Record<Outcome, number> = { "no-loss": 0, recovered: 1, partial: 2, down: 3 };
    const worse = rank[a.outcome] >= rank[b.outcome] ? a : b;
    const rec = [a.recoveredAfterMs, b.recoveredAfterMs];
    // In the order a report's row keeps them (judge spreads these into it).
    return {
        outageMs: Math.max(a.outageMs, b.outageMs),
        open: a.open || b.open,
        outcome: worse.outcome,
        recoveredAfterMs:
            a.open || b.open ? null : rec.every((r) => r === null) ? null : Math.max(...rec.map((r) => r ?? 0)),
        lost: a.lost + b.lost,
        sent: a.sent + b.sent,
    };
}

/** Lost probes that make an outage count as a relapse (one or two are a blip). */
export const RELAPSE_MIN_LOST = 3;

/** The fault's time: stored, or (older reports) from the longest outage's end and its recovery time. */
export function faultAtOf(d: DirectionAnalysis): number | null {
    if (d.faultAt !== undefined) return d.faultAt;
    const longest = d.outages.reduce<Outage | null>((best, o) => (best && best.ms >= o.ms ? best : o), null);
    return longest?.to != null && d.recoveredAfterMs !== null ? longest.to - d.recoveredAfterMs : null;
}

/**
 * Outages that began once the path had come back and settled: a reply arrived more than
 * `settleMs` after the fault's last change, then RELAPSE_MIN_LOST or more probes were lost.
 * A recovery followed by such an outage is not a recovery. Pure, from what the report keeps.
 */
export function relapsesOf(d: DirectionAnalysis, faultEndMs: number, settleMs: number): Outage[] {
    const faultAt = faultAtOf(d);
    if (faultAt === null) return [];
    return d.outages.filter((o) => o.lost >= RELAPSE_MIN_LOST && o.from > faultAt + faultEndMs + settleMs);
}

/**
 * The failover's own outage: the longest outage of the row that is not a relapse or a late
 * loss (those are judged on their own), in ms.
 */
export function failoverOutageMs(directions: DirectionAnalysis[], faultEndMs: number, settleMs: number): number {
    return Math.max(
        0,
        ...directions.map((d) => {
            if (d.outcome !== "recovered") return d.outageMs;
            const late = relapsesOf(d, faultEndMs, settleMs);
            return Math.max(0, ...d.outages.filter((o) => !late.includes(o)).map((o) => o.ms));
        }),
    );
}

/** How long after the fault's last change the path counts as settled: the bound, else 1 s. */
export function settleMsOf(bound: { kind: string; ms?: number }): number {
    return bound.kind === "ms" && bound.ms !== undefined ? bound.ms : 1000;
}

/**
 * The harness's share of a cable cut's or return's outage: the cable container changes the two
 * ends one after the other (`skewMs`, as `ip monitor` timed them), and until the second end has
 * changed the bond there has nothing to act on, so the kernel's outage counts from the second
 * end. A skew beyond the outage is the monitor's own reading delay, not the harness's, and one
 * within two probe intervals is below what the probes resolve: 0 then, as for every other fault.
 */
export function harnessSkewMs(fault: string, skewMs: number | null, outageMs: number, probeIntervalMs: number): number {
    if ((fault !== "cut" && fault !== "return") || skewMs === null) return 0;
    return skewMs > 2 * probeIntervalMs && skewMs <= outageMs ? skewMs : 0;
}
