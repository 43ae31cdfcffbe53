// The drill matrix, run by `npm run drill -- --matrix --out DIR` under jest (the engine model
// runs the program with jest's module isolation): each subject in turn (a two-router variant,
// or one bonded link of a network: enterprise/wan) is brought up on the lab host through the
// engine model (engine/lab-stack.ts), drilled, and torn down; one combined report is written
// at the end. A jest-run measurement runner, not a test: it asserts nothing,
// and only tools/drill.ts runs it (BONDLAB_DRILL_MATRIX).

import { loadAnyLab } from "../components/labfile/load";
import { bondSettings } from "./bounds";
import { docker } from "./docker";
import { LabStack } from "../engine/lab-stack";
import { pickLab } from "./lab";
import * as fs from "fs";
import * as path from "path";
import { printer, updateReport, writeReport } from "./report";
import { DEFAULT_OPTIONS, DrillOptions, DrillReport, VariantResult } from "./result";
import { runDrill } from "./run";
import { ScenarioName } from "./scenarios";

interface MatrixSettings {
    out: string;
    /** Drill subjects (components/handle.ts drillSubjects): seed, enterprise/wan. */
    variants: string[];
    options: Partial<DrillOptions> & { scenarios: ScenarioName[] };
    command: string;
    where: string | null;
    /** Replace these variants' sections in the report already in `out`, keep the rest. */
    update: boolean;
}

const settings: MatrixSettings | null = process.env.BONDLAB_DRILL_MATRIX
    ? JSON.parse(process.env.BONDLAB_DRILL_MATRIX)
    : null;
const write = (s: string) => void process.stdout.write(s);

(settings ? describe : describe.skip)("drill matrix", () => {
    const s = settings!;
    const options: DrillOptions = { ...DEFAULT_OPTIONS, ...s.options, onEvent: printer(write) };
    const results: VariantResult[] = [];
    const started = Date.now();

    afterAll(async () => {
        const info = await docker("info", "-f", "{{.KernelVersion}}|{{.NCPU}}").catch(() => "|");
        const [kernel, cpus] = info.split("|");
        // The probe options that make rows comparable, in the order report.json keeps them.
        const { intervalS, preS, postS, minPostS, maxPostS, settleS } = options;
        const report: DrillReport = {
            title: "Failover drill: every variant on the lab host",
            generatedAt: new Date().toISOString(),
            command: s.command,
            where: s.where ?? `the lab host (labhost/start.sh), kernel ${kernel}, ${cpus} CPUs`,
            options: { intervalS, preS, postS, minPostS, maxPostS, settleS },
            durationS: Math.round((Date.now() - started) / 1000),
            variants: results,
        };
        const existing = path.join(s.out, "report.json");
        const merged = s.update
            ? updateReport(JSON.parse(fs.readFileSync(existing, "utf8")), report, options.scenarios)
            : report;
        for (const f of writeReport(merged, s.out)) write(`wrote ${f}\n`);
    });

    for (const variant of s?.variants ?? []) {
        it(
            variant,
            async () => {
                const [labName, linkName] = variant.split("/");
                const stack = `drill-${variant.replace("/", "-")}`;
                const loaded = loadAnyLab(labName);
                const link = loaded.link ?? loaded.network.links.find((l) => l.name === linkName)!;
                let upError: Error | null = null;
                // A lab whose verify fails (a slow emulated VM can miss a convergence deadline) gets one more try.
                for (let attempt = 1; attempt <= 2; attempt++) {
                    const lab = new LabStack(stack, { "bondlab:variant": labName });
                    const t = Date.now();
                    try {
                        write(`\n-- ${variant}: bringing the lab up (engine model) ...\n`);
                        await lab.up();
                        write(`-- ${variant}: up in ${Math.round((Date.now() - t) / 1000)} s\n`);
                        results.push(await runDrill(pickLab(stack, lab.outputs, linkName), options));
                        upError = null;
                    } catch (e) {
                        upError = e as Error;
                        write(`-- ${variant}: ${upError.message.split("\n").slice(0, 3).join(" ")}\n`);
                    } finally {
                        const td = Date.now();
                        await lab.down().catch((e) => write(`-- ${variant}: teardown: ${(e as Error).message}\n`));
                        write(`-- ${variant}: torn down in ${Math.round((Date.now() - td) / 1000)} s\n`);
                    }
                    if (!upError) break;
                }
                if (upError) {
                    results.push({
                        stack,
                        variant,
                        description: loaded.network.description,
                        mode: link.bond!.mode,
                        options: {},
                        hazards: [],
                        // The defaults, but no monitor: nothing was read from the bond.
                        settings: bondSettings({ mode: link.bond!.mode, miimon: 0 }),
                        rows: [],
                        durationS: 0,
                        error: upError.message.slice(0, 500),
                    });
                }
            },
            60 * 60 * 1000,
        );
    }
});
