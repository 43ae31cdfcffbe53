// The seed's transcript replayed on every lab of SEED_REPLAY_LABS, run by
// `npm run drill -- --replay --matrix --out DIR` under jest (the engine model runs the program
// with jest's module isolation): each lab in turn is brought up on the lab host through the
// engine model (engine/lab-stack.ts), replayed and torn down; one report (seed-replay.md,
// seed-replay.json) is written at the end. A jest-run measurement runner, not a test: it asserts nothing.

import { LabStack } from "../engine/lab-stack";
import { docker } from "./docker";
import { drillLab } from "./lab";
import { ReplayReport, ReplayResult, SEED_REPLAY_LABS, writeReplay } from "./replay";
import { runReplay } from "./replay-run";

interface ReplaySettings {
    out: string;
    intervalS: number;
    command: string;
    where: string | null;
}

const settings: ReplaySettings | null = process.env.BONDLAB_DRILL_REPLAY
    ? JSON.parse(process.env.BONDLAB_DRILL_REPLAY)
    : null;
const write = (s: string) => void process.stdout.write(s);

(settings ? describe : describe.skip)("seed replay", () => {
    const s = settings!;
    const results: ReplayResult[] = [];
    const started = Date.now();

    afterAll(async () => {
        const info = await docker("info", "-f", "{{.KernelVersion}}|{{.NCPU}}").catch(() => "|");
        const [kernel, cpus] = info.split("|");
        const report: ReplayReport = {
            generatedAt: new Date().toISOString(),
            durationS: Math.round((Date.now() - started) / 1000),
            command: s.command,
            where: s.where ?? `the lab host (labhost/start.sh), kernel ${kernel}, ${cpus} CPUs`,
            results,
        };
        for (const f of writeReplay(report, s.out)) write(`wrote ${f}\n`);
    });

    SEED_REPLAY_LABS.forEach((entry, i) => {
        it(
            entry.name,
            async () => {
                const stack = `replay-${i + 1}`;
                const lab = new LabStack(stack, {
                    "bondlab:variant": entry.lab,
                    ...(entry.bondOptions ? { "bondlab:bondOptions": entry.bondOptions } : {}),
                });
                const base = { name: entry.name, lab: entry.lab, wiring: entry.wiring, setup: entry.setup };
                try {
                    write(`\n-- ${entry.name}: bringing the lab up ...\n`);
                    await lab.up();
                    const measured = await runReplay(drillLab(stack, lab.handle), entry.wiring, {
                        intervalS: s.intervalS,
                        verifyTimeoutS: 60,
                        onLine: (l) => write(l + "\n"),
                    });
                    results.push({ ...base, ...measured });
                } catch (e) {
                    write(`-- ${entry.name}: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}\n`);
                    results.push({
                        ...base,
                        stack,
                        pinger: "",
                        far: "",
                        intervalS: s.intervalS,
                        options: {},
                        steps: [],
                        error: (e as Error).message.slice(0, 500),
                    });
                } finally {
                    await lab.down().catch((e) => write(`-- ${entry.name}: teardown: ${(e as Error).message}\n`));
                }
            },
            30 * 60 * 1000,
        );
    });
});
