// Runs the scenarios one after another on a running lab: for each, probes both ways, breaks
// the channel, watches, repairs, and verifies the lab is as built before the next one.

import * as fs from "fs";
import * as path from "path";
import { Bound, BondSettings, bondSettings, predictBound, routerHit } from "./bounds";
import { analyzeRow, carryingChannel, errorRow, postWindowS } from "./judge";
import { DrillLab, LabAgents, LabChannel, masqueradeHazards, onOneSegment } from "./lab";
import { Probe, Snapshot } from "./probe";
import type { DrillEvent, DrillOptions, RowResult, VariantResult } from "./result";
import { RowPlan, planRows } from "./scenarios";

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const secondsSince = (started: number) => Math.round((Date.now() - started) / 100) / 10;

/** Runs the drill on one lab. Throws only when the lab cannot be drilled at all. */
export async function runDrill(lab: DrillLab, options: DrillOptions): Promise<VariantResult> {
    const agents = new LabAgents(lab, options.verifyTimeoutS);
    try {
        const started = Date.now();
        const emit = options.onEvent ?? (() => undefined);
        const inForce = await agents.optionsInForce();
        const settings = bondSettings(inForce);
        const hazards = await masqueradeHazards(lab).catch(() => []);
        for (const h of hazards)
            emit({
                kind: "note",
                text: `warning: Docker network ${h}: bonded packets get a rewritten source and no reply`,
            });
        const rows = planRows(lab, options.scenarios, options.settleS);
        emit({ kind: "variant", stack: lab.stack, variant: lab.variant, mode: settings.mode, rows: rows.length });

        const results: RowResult[] = [];
        let restored = await ensureRestored(agents, emit);
        for (const [index, row] of rows.entries()) {
            const routerNames = [lab.routers[0].name, lab.routers[1].name] as const;
            const bound = predictBound(settings, row.fault, routerNames, routerHit(row), onOneSegment(lab));
            const postS = postWindowS(bound, options);
            const window = { preS: options.preS, postS };
            emit({ kind: "row-start", row, index, total: rows.length, postS });
            let result: RowResult;
            if (!restored.ok) {
                const why = `skipped: the lab was not restored: ${restored.problems}`;
                result = errorRow(lab, settings, row, bound, window, why);
            } else {
                try {
                    result = await runRow(agents, settings, row, bound, options, window);
                } catch (e) {
                    result = errorRow(lab, settings, row, bound, window, (e as Error).message);
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
            durationS: secondsSince(started),
        };
    } finally {
        await agents.close();
    }
}

/** Repairs every channel and runs verify; once more if the bond has not converged. */
async function ensureRestored(
    agents: LabAgents,
    emit: (e: DrillEvent) => void,
): Promise<{ ok: boolean; seconds: number; problems: string }> {
    const started = Date.now();
    let problems = "";
    for (let attempt = 1; attempt <= 2; attempt++) {
        const checks = await agents
            .repairAndVerify()
            .catch((e) => [{ router: "-", ok: false, problems: (e as Error).message }]);
        const bad = checks.filter((c) => !c.ok);
        if (bad.length === 0) return { ok: true, seconds: secondsSince(started), problems: "" };
        problems = bad
            .map((c) =>
                c.problems
                    .split("\n")
                    .map((l) => l.trim())
                    .filter((l) => l !== "")
                    .join("; "),
            )
            .join("; ");
        emit({ kind: "note", text: `verify after repair (attempt ${attempt}): ${problems}` });
    }
    return { ok: false, seconds: secondsSince(started), problems };
}

async function runRow(
    agents: LabAgents,
    settings: BondSettings,
    row: RowPlan,
    bound: Bound,
    o: DrillOptions,
    window: RowResult["window"],
): Promise<RowResult> {
    const postS = window.postS;
    const lab = agents.lab;
    const maxS = o.preS + postS + 300;
    const probes = await Promise.all(
        lab.routers.map((r) => Probe.start(agents.agent(r.container), { intervalS: o.intervalS, maxS })),
    );
    const snapAll = (label: string) => Promise.all(probes.map((p) => p.snap(label)));
    // Failback breaks its channel before the fault (the return): the one these very probes
    // use, found from their counters over a second. A flow hashed by layer3+4 lands by its
    // ICMP id, so a second ping (another id) could pick the other channel, and the return
    // would then never carry the probes: "not tested" (lacp and balance-xor did, #20).
    let ch: LabChannel | null = null;
    if (row.prepare) {
        const c0 = await snapAll("c0");
        await sleep(1);
        ch = carryingChannel(lab, c0, await snapAll("c1"));
        await row.prepare(agents, ch);
    }
    // The pre-fault window must show where the fault will hit the flow. After the last row's
    // repair a bond may still be on its way back to its primary (router-init.sh's keeper
    // moves an ARP-monitored one within seconds), so the window is taken again until it is
    // steady: once a bond moved between windows, the fault hit the channel the flow had left.
    let b0 = await snapAll("b0");
    await sleep(o.preS);
    let b1 = await snapAll("b1");
    for (let w = 1; w < MAX_PRE_WINDOWS && !steadyWindow(settings, b0, b1); w++) {
        b0 = b1;
        await sleep(o.preS);
        b1 = await snapAll("b1");
    }
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
        outputs.forEach((out, i) =>
            fs.writeFileSync(path.join(o.rawDir!, `${lab.stack}.${row.id}.${lab.routers[i].name}.txt`), out.raw),
        );
        fs.writeFileSync(path.join(o.rawDir, `${lab.stack}.${row.id}.fault.json`), JSON.stringify(fault) + "\n");
    }
    return analyzeRow(lab, settings, row, ch, bound, window, fault, outputs, [b0, b1, a0, a1]);
}

/** Pre-fault windows a row waits at most for its bonds to hold still (a bond that never does is drilled as it is). */
const MAX_PRE_WINDOWS = 10;

/**
 * No bond changed its active slave during the window, and an active-backup bond whose primary
 * takes over again (primary_reselect other than failure) is on it while that slave is up (a row that
 * broke it beforehand, failback, keeps its bond on the backup).
 */
export function steadyWindow(settings: BondSettings, before: Snapshot[], after: Snapshot[]): boolean {
    const toPrimary =
        settings.mode === "active-backup" && settings.primary !== null && settings.primaryReselect !== "failure";
    return after.every((b, i) => {
        if (b.active !== before[i]?.active) return false;
        const primaryUp = b.slaves.some((s) => s.name === settings.primary && s.mii === "up");
        return !toPrimary || !primaryUp || b.active === settings.primary;
    });
}
