// The drill's results: what a run measured and how it was judged, as report.json keeps them.
// Types only, shared by the measuring half (run.ts) and the pure half (judge.ts, explain.ts,
// report.ts).

import type { Bound, BondSettings, FaultKind } from "./bounds";
import type { DirectionAnalysis, RowOutcome } from "./outage";
import type { Carriage } from "./probe";
import type { RowPlan, ScenarioName } from "./scenarios";

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
    /** The channel the fault hit; `interfaces` (slave per router) only where the two ends name it differently. */
    channel: { name: string; interface: string; interfaces?: Record<string, string> };
    fault: FaultKind;
    /** admin-down: the router whose slave went down. */
    downedBy?: string;
    /** one-way: the router the channel stopped delivering to. */
    deafRouter?: string;
    bound: Bound;
    /** Window in seconds: probes before the fault, watched after it. */
    window: { preS: number; postS: number };
    /** ms relative to the fault (the Docker host's clock). */
    times: {
        probeStart: number;
        faultIssued: number;
        faultDone: number;
        faultEnd: number;
        probeStop: number;
        /** Flapping: when the channel went down and came back. */
        cuts: number[];
        backs: number[];
        /** Between the two ends of the cable changing (a busy kernel lock delays the second). */
        skewMs: number | null;
    } | null;
    /** The Docker host's load average (1 min) when the row started. */
    load: number | null;
    /** Per direction, "inetRouter->centralRouter". */
    directions: Record<string, DirectionAnalysis>;
    outageMs: number;
    open: boolean;
    outcome: RowOutcome | "error";
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

export interface DrillReport {
    title: string;
    generatedAt: string;
    /** The command that regenerates the report. */
    command: string;
    /** Where it was measured. */
    where: string;
    /** Rows of faults made by hand in the live view (watch/measure.ts), not by the drill's runner. */
    byHand?: boolean;
    options: Pick<DrillOptions, "intervalS" | "preS" | "postS" | "minPostS" | "maxPostS" | "settleS">;
    durationS: number;
    variants: VariantResult[];
    /** Variants measured again later (npm run drill -- --matrix --update), in order. */
    remeasured?: {
        variants: string[];
        /** Only these scenarios' rows, when not all of them. */
        scenarios?: ScenarioName[];
        at: string;
        command: string;
        durationS: number;
    }[];
}
