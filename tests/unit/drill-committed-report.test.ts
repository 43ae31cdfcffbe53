import * as fs from "fs";
import * as path from "path";
import { drillSubjects } from "../../components/handle";
import { listNetworks, listVariants, loadTopology } from "../../components/labfile/load";
import { rejudgeReport } from "../../drill/judge";
import { markdown, svgChart } from "../../drill/report";
import { DrillReport } from "../../drill/result";
import { SCENARIOS } from "../../drill/scenarios";

// The committed matrix report (docs/drill) is the lab's headline result: it must cover every
// variant and scenario, and its Markdown, chart and verdicts must be what the current code
// makes of its measurements. A change to the judging or the explanations without
// `npm run drill -- --render docs/drill` (or a new run) fails here.

const DIR = path.join(__dirname, "..", "..", "docs", "drill");
const report = JSON.parse(fs.readFileSync(path.join(DIR, "report.json"), "utf8")) as DrillReport;

describe("the committed drill report (docs/drill)", () => {
    it("covers every variant, every bonded link of the networks and every scenario, each row measured and the lab restored", () => {
        const subjects = [...listVariants(), ...listNetworks().flatMap((n) => drillSubjects(loadTopology(n)))];
        expect(subjects).toEqual(expect.arrayContaining(["enterprise/wan", "enterprise/office1"]));
        expect(report.variants.map((v) => v.variant).sort()).toEqual(subjects.sort());
        for (const v of report.variants) {
            expect({ variant: v.variant, error: v.error }).toEqual({ variant: v.variant, error: undefined });
            expect([...new Set(v.rows.map((r) => r.scenario))]).toEqual([...SCENARIOS]);
            const broken = v.rows.filter((r) => r.verdict === "error" || r.restoredAfterS === null);
            expect(broken.map((r) => `${v.variant} ${r.id}: ${r.reasons.join("; ")}`)).toEqual([]);
        }
    });

    it("says how to regenerate it and where it was measured", () => {
        expect(report.command).toMatch(/^npm run drill -- --matrix --out docs\/drill/);
        expect(report.where).toMatch(/\S/);
    });

    it("judges and explains every row as the current code does", () => {
        const again = rejudgeReport(report);
        const verdicts = (r: DrillReport) =>
            r.variants.flatMap((v) => v.rows.map((row) => [v.variant, row.id, row.verdict, row.explanation]));
        expect(verdicts(report)).toEqual(verdicts(again));
    });

    it("has report.md and outage.svg exactly as the drill writes them from report.json", () => {
        expect(fs.readFileSync(path.join(DIR, "report.md"), "utf8")).toBe(markdown(report));
        expect(fs.readFileSync(path.join(DIR, "outage.svg"), "utf8")).toBe(svgChart(report));
    });

    it("heads each section's table with that lab's own two routers, and fills both columns", () => {
        const md = markdown(report);
        for (const v of report.variants) {
            const names = Object.keys(v.rows[0].routers);
            const section = md.split(`### ${v.variant} (`)[1].split("\n### ")[0];
            expect(section).toContain(`| ${names[0]} tx | ${names[1]} tx |`);
            // No row of a measured section leaves a router's carriers blank.
            for (const line of section.split("\n").filter((l) => /^\| (admin|cable|silent|one|fail|flap|degr)/.test(l)))
                expect(line.split(" | ").slice(6, 8)).not.toContain("");
        }
        expect(md).toContain("| centralRouter tx | office1Router tx |");
    });

    it("is linked from the README and from docs/drill.md", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
        expect(readme).toContain("](docs/drill/report.md)");
        const drillDoc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "drill.md"), "utf8");
        expect(drillDoc).toContain("](drill/report.md)");
    });

    // The drill's summary in docs/drill.md retells the report in prose: each figure it gives
    // (a time, a share) must be one the committed report prints, so that a new run cannot
    // leave the prose telling an old one. A range "a-b unit" counts as its two ends. The
    // kernel's own constants that the summary names, and no measurement, are listed apart.
    it("lends docs/drill.md's summary no figure that the committed report does not print", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "drill.md"), "utf8");
        const summary = doc.slice(doc.indexOf("What it shows:"), doc.indexOf("To regenerate it"));
        const printed = [markdown(report), fs.readFileSync(path.join(DIR, "seed-replay.md"), "utf8")]
            .join("\n")
            .replace(/(\d) %/g, "$1%");
        const KERNEL_CONSTANTS = new Set([
            "10 s", // BOND_TLB_REBALANCE_INTERVAL (drivers/net/bonding/bond_alb.c)
            "2 s", // AD_AGGREGATOR_SELECTION_TIMER, the aggregate-wait timer (bond_3ad.c)
        ]);
        const figures = [...summary.matchAll(/(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))? ?(ms|s|%)(?![\w-])/g)];
        expect(figures.length).toBeGreaterThan(20);
        const unprinted = figures.flatMap(([figure, low, high, unit]) =>
            [low, high]
                .filter((n) => n !== undefined)
                .map((n) => (unit === "%" ? `${n}%` : `${n} ${unit}`))
                // A bound the report prints in ms ("6400 ms") may be told in seconds ("6.4 s").
                .filter((f) => !f.endsWith(" s") || !printed.includes(`${Math.round(parseFloat(f) * 1000)} ms`))
                .filter((f) => !KERNEL_CONSTANTS.has(f) && !printed.includes(f))
                .map((f) => `${f} (in "${figure}")`),
        );
        expect(unprinted).toEqual([]);
    });
});
