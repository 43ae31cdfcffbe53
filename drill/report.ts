// The drill's outputs: a table in the terminal while it runs, and in the --out folder the
// results as JSON, a Markdown report and an SVG chart of the outage per scenario and variant
// (hand-written SVG: no charting dependency).

import * as fs from "fs";
import * as path from "path";
import { BOND_OPTIONS, BondMode } from "../components/labfile/modes";
import { Bound, boundRules, formatBound } from "./bounds";
import type { DrillEvent, DrillReport, RowResult } from "./result";
import { harnessSkewMs } from "./outage";
import { SCENARIOS, ScenarioName } from "./scenarios";

// ---------------------------------------------------------------- cells

export function mark(row: RowResult): string {
    return { pass: "✓", fail: "✗", info: "·", error: "!" }[row.verdict];
}

function seconds(ms: number): string {
    return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** Rows that measured nothing about their fault: dead before it, or their channel not crossed. */
export function unmeasured(row: RowResult): boolean {
    return row.outcome === "dead-before-fault" || row.outcome === "not-tested";
}

/** The outage as one short cell: "0", "110 ms", "no recovery (≥5.2 s)", "partial, 50% lost", "not tested". */
export function outageText(row: RowResult): string {
    if (row.verdict === "error") return "error";
    if (row.outcome === "dead-before-fault") return "dead before the fault";
    if (row.outcome === "not-tested") return "not tested";
    if (row.fault === "degrade") {
        const d = Object.values(row.directions);
        const loss = Math.max(...d.map((x) => x.lossAfterFaultPct));
        const p50 = Math.max(...d.map((x) => x.rttAfter?.p50 ?? 0));
        // A path that ends in an open outage is down, whatever share of the probes it lost.
        if (row.outcome === "down") return `no recovery (≥${seconds(row.outageMs)}), ${loss.toFixed(0)}% lost`;
        if (d.every((x) => x.rttAfter === null)) return `${loss.toFixed(0)}% lost, no reply`;
        return `${loss.toFixed(0)}% lost, rtt ${p50.toFixed(0)} ms`;
    }
    switch (row.outcome) {
        case "no-loss":
            return "0";
        case "down":
            return `no recovery (≥${seconds(row.outageMs)})`;
        case "partial": {
            const tail = Math.max(...Object.values(row.directions).map((d) => d.tailLossPct));
            return `partial, ${tail.toFixed(0)}% lost`;
        }
        default: {
            // Both figures where the cable's two ends changed apart: the harness's skew is not the kernel's.
            const skew = harnessSkewMs(row.fault, row.times?.skewMs ?? null, row.outageMs, row.probeIntervalMs);
            if (skew === 0) return seconds(row.outageMs);
            return `${seconds(row.outageMs)} (${seconds(row.outageMs - skew)} from the second end)`;
        }
    }
}

/** The bound with its formula, without saying "never" twice. */
export function boundText(b: Bound): string {
    return b.kind === "ms" || b.kind === "none" ? `${formatBound(b)}: ${b.formula}` : b.formula;
}

/** The options in force that the mode uses, as sysfs shows them (first word), zero delays left out. */
export function optionsText(mode: string, options: Record<string, string>): string {
    const shown = Object.entries(options)
        .map(([k, v]) => [k, v.split(/\s+/)[0] ?? ""] as [string, string])
        .filter(([k, v]) => {
            if (k === "mode") return true;
            const rule = BOND_OPTIONS[k];
            if (!rule || !rule.modes.includes(mode as BondMode) || v === "") return false;
            if (["updelay", "downdelay", "arp_interval", "miimon"].includes(k) && v === "0") return false;
            if (k.startsWith("arp_") && k !== "arp_interval" && Number(options.arp_interval?.split(" ")[0] ?? 0) === 0)
                return false;
            return !rule.tuning;
        });
    return shown
        .sort(([a], [b]) => (a === "mode" ? -1 : b === "mode" ? 1 : 0))
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
}

function carriersText(row: RowResult, router: string): string {
    const v = row.routers[router];
    if (!v) return "";
    return v.txBefore === v.txAfter ? v.txBefore : `${v.txBefore}→${v.txAfter}`;
}

// ---------------------------------------------------------------- terminal

const DEFAULT_ROUTERS: [string, string] = ["inetRouter", "centralRouter"];

/** The terminal table's column widths: variant, scenario, outage, bound, lost/sent, tx of each router, mark. */
const WIDTHS = [12, 28, 24, 9, 10, 15, 15, 2];

function padded(cells: string[]): string {
    return cells
        .map((c, i) => c.padEnd(WIDTHS[i]))
        .join(" ")
        .trimEnd();
}

export function tableHeader(routers: [string, string]): string {
    const tx = routers.map((r) => `${r.slice(0, 4)} tx`);
    const head = padded(["variant", "scenario", "outage", "bound", "lost/sent", ...tx, ""]);
    return head + "\n" + WIDTHS.map((w) => "-".repeat(w)).join(" ");
}

export function tableLine(row: RowResult, routers: [string, string]): string {
    const lost = row.sent ? `${row.lost}/${row.sent}` : "";
    const tx = routers.map((r) => carriersText(row, r));
    return padded([row.variant, row.id, outageText(row), formatBound(row.bound), lost, ...tx, mark(row)]);
}

/** Prints the table as rows complete, with progress lines in between. */
export function printer(write: (s: string) => void, tty = Boolean(process.stdout.isTTY)): (e: DrillEvent) => void {
    let routers = DEFAULT_ROUTERS;
    let headerShown = false;
    const started = Date.now();
    const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
    return (e) => {
        switch (e.kind) {
            case "variant":
                write(`\n== ${e.variant} (stack ${e.stack}, ${e.mode}): ${e.rows} rows\n`);
                break;
            case "row-start":
                if (!headerShown) {
                    write(tableHeader(routers) + "\n");
                    headerShown = true;
                }
                const what = e.row.title({
                    name: "the probes' channel",
                    interface: "its slave",
                    interfaces: {},
                    bridge: "",
                    cable: "",
                    switch: null,
                    macFilter: false,
                });
                write(
                    `   [${e.index + 1}/${e.total}] ${e.row.id}: ${what}; ` +
                        `watching ${e.postS} s after the fault ... (${elapsed()})${tty ? "\r" : "\n"}`,
                );
                break;
            case "row-done": {
                routers = twoRouters(e.result) ?? routers;
                write((tty ? "\x1b[2K" : "") + tableLine(e.result, routers) + "\n");
                if (e.result.verdict !== "error") write(`   ${e.result.title}\n`);
                if (e.result.explanation && e.result.verdict !== "pass") write(`   ${e.result.explanation}\n`);
                break;
            }
            case "note":
                write(`${tty ? "\x1b[2K" : ""}   ${e.text}\n`);
                break;
        }
    };
}

// ---------------------------------------------------------------- files

/**
 * The report with some variants measured again: their sections replaced (new ones added),
 * the rest kept as measured, and the re-measurement recorded. Measured for some `scenarios`
 * only, a variant keeps its section and only those scenarios' rows are replaced (or added, in
 * the drill's order). The probe options must be the same, or the rows would not compare.
 */
export function updateReport(
    old: DrillReport,
    fresh: DrillReport,
    scenarios: readonly ScenarioName[] = SCENARIOS,
): DrillReport {
    if (JSON.stringify(old.options) !== JSON.stringify(fresh.options))
        throw new Error(
            `the report was measured with ${JSON.stringify(old.options)}, this run with ${JSON.stringify(fresh.options)}: ` +
                "measure again with the same options, or the whole matrix",
        );
    const some = scenarios.length > 0 && SCENARIOS.some((name) => !scenarios.includes(name));
    const replaced = new Map(fresh.variants.map((v) => [v.variant, v]));
    const kept = old.variants.map((v) => {
        const again = replaced.get(v.variant);
        if (!again || !some) return again ?? v;
        const rank = (r: RowResult) => SCENARIOS.indexOf(r.scenario);
        const rows = [...v.rows.filter((r) => !scenarios.includes(r.scenario)), ...again.rows];
        // sort is stable: each scenario's rows stay in the order the drill ran them.
        return { ...v, rows: rows.sort((a, b) => rank(a) - rank(b)) };
    });
    const added = fresh.variants.filter((v) => !old.variants.some((o) => o.variant === v.variant));
    return {
        ...old,
        variants: [...kept, ...added],
        remeasured: [
            ...(old.remeasured ?? []),
            {
                variants: fresh.variants.map((v) => v.variant),
                ...(some ? { scenarios: [...scenarios] } : {}),
                at: fresh.generatedAt,
                command: fresh.command,
                durationS: fresh.durationS,
            },
        ],
    };
}

export function writeReport(report: DrillReport, dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const files = {
        "report.json": JSON.stringify(report, null, 2) + "\n",
        "report.md": markdown(report),
        "outage.svg": svgChart(report),
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return Object.keys(files).map((f) => path.join(dir, f));
}

/** Rows of the report, each with the variant's result per row id. */
function rowIds(report: DrillReport): { id: string; title: string }[] {
    const seen = new Map<string, string>();
    for (const v of report.variants) for (const r of v.rows) if (!seen.has(r.id)) seen.set(r.id, r.title);
    return [...seen].map(([id, title]) => ({ id, title }));
}

function mdEscape(s: string): string {
    return s.replace(/\|/g, "\\|");
}

export function markdown(report: DrillReport): string {
    const out: string[] = [];
    const variants = report.variants;
    out.push(`# ${report.title}`, "");
    out.push(`${report.byHand ? "Measured with" : "Regenerate"}: \`${report.command}\``, "");
    out.push(...measuredLines(report));
    out.push(
        `Probes: \`ping -D -i ${report.options.intervalS}\` from each router to the other; outage = the longest gap in replies ` +
            "around the fault (Docker host's clock for both the fault and the replies). ✓ recovered within the bound, " +
            "✗ no recovery (an outage still open at the end of the window), loss that stays, the bound exceeded " +
            '(by more than two probe intervals), or "dead before the fault" (no reply before it: the variant failed in ' +
            'its steady state), · informational: a degraded link, or "not tested" (the per-slave counters show the probes ' +
            "never crossed the channel under test: before the fault, or for failback after the return).",
        "",
    );

    out.push("## Outage per scenario", "");
    out.push(`| scenario | ${variants.map((v) => v.variant).join(" | ")} |`);
    out.push(`| --- | ${variants.map(() => "---").join(" | ")} |`);
    for (const { id } of rowIds(report)) {
        const cells = variants.map((v) => {
            const r = v.rows.find((x) => x.id === id);
            return r ? `${mark(r)} ${outageText(r)}` : "";
        });
        out.push(`| ${id} | ${cells.map(mdEscape).join(" | ")} |`);
    }
    out.push("", "![outage per scenario and variant](outage.svg)", "");

    // A section of explanations for the rows that match, left out when none does.
    const section = (title: string, which: (r: RowResult) => boolean, name: (r: RowResult) => string) => {
        const rows = variants.flatMap((v) => v.rows.filter(which));
        if (rows.length > 0)
            out.push(`## ${title}`, "", ...rows.map((r) => `- ${name(r)}: ${r.explanation ?? ""}`), "");
    };
    section(
        "Why did the ping stop?",
        (r) => r.verdict === "fail" || r.verdict === "error",
        (r) => `**${r.variant}, ${r.id}** (${r.reasons.join(", ")})`,
    );
    section(
        "Not tested: the probes never crossed the channel",
        (r) => r.outcome === "not-tested",
        (r) => `**${r.variant}, ${r.id}**`,
    );
    section(
        "Degraded link: what each mode does with it",
        (r) => r.fault === "degrade" && r.verdict !== "error",
        (r) => `**${r.variant}**`,
    );

    out.push("## Rows", "");
    for (const v of variants) {
        out.push(`### ${v.variant} (stack ${v.stack}, ${v.mode})`, "");
        out.push(`${v.description}`, "");
        if (v.error) {
            out.push(`Not drilled: ${v.error}`, "");
            continue;
        }
        out.push(`Options in force: ${optionsText(v.mode, v.options)}. Drill time ${Math.round(v.durationS)} s.`, "");
        if (v.hazards.length > 0) out.push(`Warning: ${v.hazards.join("; ")}.`, "");
        const routers = v.rows.map(twoRouters).find((r) => r) ?? DEFAULT_ROUTERS;
        out.push(
            `| row | fault | outage | bound | back after | lost/sent | ${routers[0]} tx | ${routers[1]} tx | active after | load | |`,
        );
        out.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (const r of v.rows) {
            const active = routers.map((n) => r.routers[n]?.after?.active ?? "-").join(" / ");
            const rec =
                r.recoveredAfterMs === null || r.fault === "degrade" || r.fault === "flap"
                    ? "-"
                    : `${Math.round(r.recoveredAfterMs)} ms`;
            const load = r.load === null ? "" : r.load.toFixed(1);
            const lost = r.sent ? `${r.lost}/${r.sent}` : "";
            const tx = routers.map((n) => carriersText(r, n));
            const cells = [r.id, r.title, outageText(r), boundText(r.bound), rec, lost, ...tx, active, load, mark(r)];
            out.push(`| ${cells.map(mdEscape).join(" | ")} |`);
            if (r.verdict === "error") out.push(`| | ${mdEscape(r.error ?? "")} | | | | | | | | | |`);
        }
        out.push("");
    }

    out.push("## How it is measured", "");
    out.push(
        report.byHand
            ? "- Each row: a fault made from the live view (`npm run watch`, a key or a click) on the channel and end the user " +
                  "chose, on the lab as it was then (not repaired first), with the drill's own fault; the view's probes " +
                  `(ping every ${report.options.intervalS} s each way) from ${report.options.preS} s before the fault ` +
                  "to the row's window after it (1.5 x the bound + 2 s, within limits), or to the next action if it came " +
                  "sooner (a row whose next action came before its bound and a second more is not judged); " +
                  "the routers' bond state from the view's ticks (5 a second)."
            : "- Each row: every channel is repaired and the program's own verify passes in both routers " +
                  "(mode and options in force, slaves, active slave, LACP partner, a ping across); " +
                  `probes run ${report.options.preS} s, the fault is made on the channel the probes travel on ` +
                  "(the first, unless the mode hashes their one flow onto another: balance-xor, 802.3ad) " +
                  "(from its cable container, or `ip link set` inside a router), the routers are watched for the row's window " +
                  "(1.5 x the bound + 2 s, within limits), then everything is repaired again. " +
                  "A small agent shell in each container runs the steps, so no `docker exec` start-up sits between them.",
        "- Times: the probes' reply times (`ping -D`) and the fault's " +
            "(`date +%s%N`, and the kernel's link events as `ip monitor` read them) " +
            "all come from the Docker host's clock. Back after: the first reply after the outage, counted from the fault.",
        "- Outage: the longest run of unanswered probes that ends after the fault, from the reply before it to the reply after it " +
            '(or to the end of the window: no recovery). Recovered: replies again; "partial": over 10 % of the last second\'s probes ' +
            "lost, scattered in 3 or more runs (e.g. round-robin still sending every other packet into the dead channel).",
        `- Bound: ${boundRules().join("; ")}. ` +
            "Exceeded: outage > bound + 2 probe intervals (a gap between replies is up to two intervals longer than the outage itself); " +
            "a cut cable's or a return's outage counts from the second end's change, as `ip monitor` timed both ends " +
            "(the cable container changes them one after the other: that skew is the harness's, not the kernel's; " +
            "the table gives both figures). " +
            "A loss once the path had settled after the fault's last change is a relapse, unless the row's counters show the flow " +
            "moving back onto the returning slave then: that is failback, judged against the failback bound. " +
            "The bounds of each variant's rows, as the drill computed them:",
        ...boundsPerVariant(report),
        ...disclosures(report),
        "- tx columns: the slaves that sent the probes' packets before the fault → at the end of the window " +
            "(/sys/class/net/ethN/statistics); " +
            "active after: /proc/net/bonding's active slave at the end; " +
            "load: the Docker host's 1-minute load average when the row started.",
        "",
    );
    return out.join("\n");
}

/**
 * What shapes the numbers beyond the rules above, from the report's own data: the probe
 * interval as measured (ping sends slower than asked), the router's keeper and the rows that
 * lean on it, and what the e2e tests hold a lab to.
 */
export function disclosures(report: DrillReport): string[] {
    const rows = report.variants.flatMap((v) => v.rows).filter((r) => r.probeIntervalMs > 0);
    const intervals = rows.map((r) => r.probeIntervalMs).sort((a, b) => a - b);
    const lines: string[] = [];
    if (intervals.length > 0) {
        const median = intervals[Math.floor(intervals.length / 2)];
        lines.push(
            `- Probe interval: \`ping -i ${report.options.intervalS}\` asks for ${report.options.intervalS * 1000} ms; ` +
                `the ${intervals.length} rows measured ${median.toFixed(1)} ms (median; ` +
                `${intervals[0].toFixed(1)}-${intervals[intervals.length - 1].toFixed(1)} ms), ` +
                "each row's own in `report.json` (probeIntervalMs), which its tolerance uses.",
        );
    }
    const kept = report.variants.filter(
        (v) => v.settings.mode === "active-backup" && v.settings.arpInterval > 0 && v.settings.primary !== null,
    );
    if (kept.length > 0)
        lines.push(
            `- The router's keeper: in ${kept.map((v) => v.variant).join(", ")} (active-backup, ARP monitor, a primary) ` +
                "a bond that left its primary after a silence returns to it only because each router's init, while the " +
                "bond is off a primary that has carrier, sends a gratuitous ARP out of the primary every 2 s " +
                "(router-init.sh `keep_primary`): the failback and flapping rows, and every row's restore, lean on it.",
        );
    lines.push(
        "- The e2e tests (tests/e2e/variants.test.ts) hold a recovery to twice its bound; the verdicts here hold it to the bound.",
    );
    return lines;
}

/**
 * Who measured the rows below, from the report's own record: the first run (its date and
 * duration) and each later one, with the rows each still has in the report (a later run
 * replaces the rows it measured again).
 */
export function measuredLines(report: DrillReport): string[] {
    const later = report.remeasured ?? [];
    const rows = report.variants.flatMap((v) => v.rows.map((r) => ({ variant: v.variant, scenario: r.scenario })));
    // A row is from the last run that measured its variant (and scenario, when a run named some).
    const runOf = (row: { variant: string; scenario: string }) => {
        for (let i = later.length - 1; i >= 0; i--) {
            const r = later[i];
            if (r.variants.includes(row.variant) && (!r.scenarios || r.scenarios.some((s) => s === row.scenario)))
                return i;
        }
        return -1;
    };
    const count = (i: number) => rows.filter((r) => runOf(r) === i).length;
    const plural = (n: number, word = "row") => `${n} ${word}${n === 1 ? "" : "s"}`;
    const fromIt = (n: number) => `${plural(n)} below ${n === 1 ? "is" : "are"} from this run`;
    const links = report.variants.filter((v) => v.variant.includes("/")).length;
    const labs = [
        plural(report.variants.length - links, "variant"),
        ...(links > 0 ? [`${plural(links, "bonded link")} of the networks`] : []),
    ].join(" and ");
    const first =
        count(-1) === rows.length
            ? `all ${plural(rows.length)} below`
            : `${fromIt(count(-1))}, of ${plural(rows.length)}`;
    const out = [
        `Measured: ${report.where}, ${report.generatedAt.slice(0, 10)}, ` +
            `${Math.round(report.durationS / 60)} min (${report.durationS} s); ${first}, in ${labs}.`,
        "",
    ];
    later.forEach((r, i) =>
        out.push(
            `Measured again: ${r.scenarios ? `the ${r.scenarios.join(", ")} rows of ` : ""}${r.variants.join(", ")}, ` +
                `${r.at.slice(0, 10)}, ${Math.round(r.durationS)} s (\`${r.command}\`); ` +
                `${fromIt(count(i))}.`,
            "",
        ),
    );
    return out;
}

/** "  - arp-monitor: 900 ms (admin-down-…, cable-cut): formula; never (one-way-…): …", from the rows' bounds. */
function boundsPerVariant(report: DrillReport): string[] {
    return report.variants.map((v) => {
        const groups = new Map<string, string[]>();
        for (const r of v.rows) {
            const text = boundText(r.bound);
            groups.set(text, [...(groups.get(text) ?? []), r.id]);
        }
        const parts = [...groups].map(([text, ids]) => `${ids.join(", ")}: ${text}`);
        return `  - ${v.variant}: ${parts.join("; ")}`;
    });
}

/** The two routers a row recorded (a network's link names its own ends), if it recorded both. */
function twoRouters(row: RowResult): [string, string] | undefined {
    const names = Object.keys(row.routers);
    return names.length === 2 ? [names[0], names[1]] : undefined;
}

// ---------------------------------------------------------------- SVG

const PALETTE = "#4e79a7 #f28e2b #e15759 #76b7b2 #59a14f #edc948 #b07aa1 #9c755f #bab0ac #ff9da7".split(" ");

function esc(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Grouped bars: one group per scenario row, one bar per variant, log scale from 10 ms. */
export function svgChart(report: DrillReport): string {
    const rows = rowIds(report).filter(
        ({ id }) => !report.variants.every((v) => v.rows.find((r) => r.id === id)?.fault === "degrade"),
    );
    const variants = report.variants;
    const barW = 11;
    const groupGap = 24;
    const groupW = Math.max(96, Math.max(1, variants.length) * barW + groupGap);
    const left = 64;
    const top = 62;
    const plotH = 300;
    const width = Math.max(640, left + rows.length * groupW + 20);
    const legendRows = Math.ceil((variants.length + 2) / 5);
    const height = top + plotH + 48 + legendRows * 18;
    const minMs = 10;
    const largest = Math.max(
        1000,
        ...variants.flatMap((v) => v.rows.flatMap((r) => [r.outageMs, r.bound.kind === "ms" ? r.bound.ms : 0])),
    );
    const maxMs = 10 ** Math.ceil(Math.log10(largest * 1.2));
    const decades = Math.log10(maxMs) - Math.log10(minMs);
    const y = (ms: number) =>
        top + plotH - (plotH * (Math.log10(Math.min(Math.max(ms, minMs), maxMs)) - Math.log10(minMs))) / decades;
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
            `font-family="sans-serif" font-size="11">`,
        `<defs><pattern id="open" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
            `<rect width="3" height="6" fill="#222"/></pattern></defs>`,
        `<rect width="100%" height="100%" fill="white"/>`,
        `<text x="${left}" y="18" font-size="14" font-weight="bold">${esc(report.title)}: outage per scenario and variant</text>`,
        `<text x="${left}" y="34" fill="#555">` +
            "bar: longest gap in replies after the fault (log scale); hatched: no recovery, at least that long;</text>",
        `<text x="${left}" y="48" fill="#555">black tick: the bound the options predict; dot: nothing lost; red ✗: the row failed</text>`,
    ];
    for (let ms = minMs; ms <= maxMs; ms *= 10) {
        parts.push(
            `<line x1="${left}" x2="${width - 10}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`,
            `<text x="${left - 6}" y="${y(ms) + 4}" text-anchor="end" fill="#555">${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}</text>`,
        );
    }
    rows.forEach(({ id }, g) => {
        const gx = left + (groupW - variants.length * barW) / 2 + g * groupW;
        variants.forEach((v, i) => {
            const r = v.rows.find((x) => x.id === id);
            // A row dead before its fault, or whose probes never crossed its channel, measured nothing about it: no bar.
            if (!r || r.verdict === "error" || unmeasured(r)) return;
            const x = gx + i * barW;
            const color = PALETTE[i % PALETTE.length];
            const title = `<title>${esc(`${v.variant}, ${id}: ${outageText(r)} (bound ${formatBound(r.bound)})`)}</title>`;
            if (r.outageMs > 0) {
                const h = top + plotH - y(r.outageMs);
                parts.push(
                    `<rect x="${x}" y="${y(r.outageMs)}" width="${barW - 2}" height="${h}" fill="${color}">${title}</rect>`,
                );
                if (r.outcome === "down" || r.outcome === "partial")
                    parts.push(
                        `<rect x="${x}" y="${y(r.outageMs)}" width="${barW - 2}" height="${h}" ` +
                            `fill="url(#open)" opacity="0.45">${title}</rect>`,
                    );
            } else {
                parts.push(
                    `<circle cx="${x + (barW - 2) / 2}" cy="${top + plotH - 4}" r="3" fill="${color}">${title}</circle>`,
                );
            }
            if (r.bound.kind === "ms")
                parts.push(
                    `<line x1="${x - 1}" x2="${x + barW - 1}" y1="${y(r.bound.ms)}" y2="${y(r.bound.ms)}" ` +
                        `stroke="black" stroke-width="2"/>`,
                );
            if (r.verdict === "fail")
                parts.push(
                    `<text x="${x + (barW - 2) / 2}" y="${y(Math.max(r.outageMs, minMs)) - 3}" ` +
                        `text-anchor="middle" font-size="9" fill="#c00">✗</text>`,
                );
        });
        const label = id.replace(/^admin-down-(.+?)(Router)?$/, "$1 down");
        parts.push(
            `<text x="${left + g * groupW + groupW / 2}" y="${top + plotH + 16}" text-anchor="middle">${esc(label)}</text>`,
        );
    });
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
    const legend = [
        ...variants.map((v, i) => ({ text: v.variant, color: PALETTE[i % PALETTE.length], hatch: false })),
        { text: "no recovery", color: "#bbb", hatch: true },
    ];
    legend.forEach((item, i) => {
        const lx = left + (i % 5) * 120;
        const ly = top + plotH + 40 + Math.floor(i / 5) * 18;
        parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${item.color}"/>`);
        if (item.hatch)
            parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="url(#open)" opacity="0.45"/>`);
        parts.push(`<text x="${lx + 14}" y="${ly}">${esc(item.text)}</text>`);
    });
    parts.push("</svg>");
    return parts.join("\n") + "\n";
}
