// npm run drill -- --stack <stack> [--link L] [--scenarios a,b] [--out DIR]: the failover drill
// on a running lab (pulumi up), or on the bonded link L of a running network (version 2 lab
// file): breaks the channel that carries the probes in several ways, measures the outage with
// probes both ways, compares it with what the bond's options predict, says why the ping
// stopped where it did not recover, and writes report.json, report.md and outage.svg to DIR.
//
// npm run drill -- --matrix --out DIR [--variants a,b] [--scenarios a,b]: brings up each
// variant in turn on the lab host through the engine model (run under jest, whose module
// isolation it needs), drills it, tears it down, and writes one combined report. A network
// of more than two routers takes part once per bonded link: enterprise/wan, enterprise/office1.
//
// npm run drill -- --replay --stack <stack> | --replay --matrix --out DIR: the seed's
// transcript replayed (drill/replay.ts): eth2 down, up, eth1 down, up inside centralRouter
// while inetRouter pings; on a running lab, or on every lab of SEED_REPLAY_LABS in turn with
// one report (seed-replay.md, seed-replay.json) in DIR.
//
// npm run drill -- --render DIR: judges the rows of DIR/report.json again (same measurements,
// current rules and wording) and writes report.json, report.md and outage.svg again.
//
// Exit 0 when every row passed, 1 when a row failed (no recovery, loss that stays, bound
// exceeded), 2 on bad arguments or a lab that cannot be drilled.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { listNetworks, listVariants, loadTopology } from "../components/labfile/load";
import { drillSubjects } from "../components/handle";
import { whereMeasured } from "../drill/docker";
import { PROJECT_DIR, checkRunning, labFromStack, onOneSegment } from "../drill/lab";
import { rejudgeReport } from "../drill/judge";
import { printer, writeReport } from "../drill/report";
import { DEFAULT_OPTIONS, DrillOptions, DrillReport } from "../drill/result";
import { runDrill } from "../drill/run";
import { SCENARIOS, parseScenarioList } from "../drill/scenarios";
import { ReplayReport, rejudgeReplay, replayMarkdown, writeReplay } from "../drill/replay";
import { runReplay } from "../drill/replay-run";
import { OutDirError, checkOutDir, refuseSymlinksIn } from "./out-dir";

/** The replay's ping: 5 a second, slow enough to read, fast enough to time each step. */
const REPLAY_INTERVAL_S = 0.2;

const USAGE = [
    `usage: npm run drill -- --stack STACK [--link LINK] [--scenarios ${SCENARIOS.join(",")}] [--out DIR]`,
    "       npm run drill -- --matrix --out DIR [--variants a,b [--update]] [--scenarios a,b]",
    "       npm run drill -- --replay --stack STACK | --replay --matrix --out DIR",
    "       npm run drill -- --render DIR",
    "--link: which bonded link of a network (a version 2 lab file) to drill; its two ends act as the two routers",
    "--variants: variants, and networks' links as NETWORK/LINK (enterprise/wan); default every one",
    `options: --interval S (probe interval, default ${DEFAULT_OPTIONS.intervalS}), ` +
        `--pre S (probes before the fault, default ${DEFAULT_OPTIONS.preS}),`,
    "         --post S (fixed window after the fault; default from the bound, " +
        `${DEFAULT_OPTIONS.minPostS}-${DEFAULT_OPTIONS.maxPostS} s), --max-post S,`,
    "         --where TEXT (the report's line on where it was measured), --raw (keep every probe's output in DIR/raw)",
].join("\n");

type Args = {
    render?: string;
    stack?: string;
    link?: string;
    scenarios?: string;
    out?: string;
    matrix?: boolean;
    variants?: string;
    update?: boolean;
    interval?: string;
    pre?: string;
    post?: string;
    "max-post"?: string;
    where?: string;
    raw?: boolean;
    help?: boolean;
    replay?: boolean;
};

function parse(argv: string[]): Args {
    return parseArgs({
        args: argv,
        options: {
            render: { type: "string" },
            stack: { type: "string" },
            link: { type: "string" },
            scenarios: { type: "string" },
            out: { type: "string" },
            matrix: { type: "boolean" },
            variants: { type: "string" },
            update: { type: "boolean" },
            interval: { type: "string" },
            pre: { type: "string" },
            post: { type: "string" },
            "max-post": { type: "string" },
            where: { type: "string" },
            raw: { type: "boolean" },
            help: { type: "boolean", short: "h" },
            replay: { type: "boolean" },
        },
    }).values as Args;
}

/** Seconds each timing flag takes: ping cannot probe faster than every 5 ms without flooding the VM. */
const BOUNDS: Record<string, [number, number]> = {
    interval: [0.005, 1],
    pre: [0.5, 60],
    post: [1, 600],
    "max-post": [1, 600],
};

function numberArg(value: string | undefined, name: string): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    const [min, max] = BOUNDS[name];
    if (!Number.isFinite(n) || n < min || n > max)
        throw new Error(`--${name} takes seconds from ${min} to ${max}, not "${value}"`);
    return n;
}

function commandLine(argv: string[]): string {
    const quoted = argv.map((a) => (/^[\w./,:=+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
    return `npm run drill -- ${quoted.join(" ")}`;
}

async function drillStack(args: Args, options: DrillOptions, argv: string[]): Promise<number> {
    const lab = await labFromStack(args.stack!, args.link);
    // The engine the program built the lab on, whatever this shell's DOCKER_HOST says.
    Object.assign(process.env, lab.docker);
    await checkRunning(lab);
    const started = Date.now();
    const result = await runDrill(lab, { ...options, onEvent: printer((s) => process.stdout.write(s)) });
    const failed = result.rows.filter((r) => r.verdict === "fail" || r.verdict === "error").length;
    console.log(`\n${result.rows.length} rows in ${Math.round((Date.now() - started) / 1000)} s; ${failed} failed`);
    if (args.out) {
        const report: DrillReport = {
            title: `Failover drill: stack ${lab.stack}${args.link ? `, link ${args.link}` : ""} (${result.variant})`,
            generatedAt: new Date().toISOString(),
            command: commandLine(argv),
            where: args.where ?? (await whereMeasured()),
            options: pick(options),
            durationS: Math.round((Date.now() - started) / 1000),
            variants: [result],
        };
        for (const f of writeReport(report, args.out)) console.log(`wrote ${f}`);
    }
    return failed > 0 ? 1 : 0;
}

export function pick(o: DrillOptions): DrillReport["options"] {
    return {
        intervalS: o.intervalS,
        preS: o.preS,
        postS: o.postS,
        minPostS: o.minPostS,
        maxPostS: o.maxPostS,
        settleS: o.settleS,
    };
}

/** The matrix runs under jest (the engine model needs its module isolation): drill/matrix-jest-runner.ts. */
function drillMatrix(args: Args, options: DrillOptions, argv: string[]): Promise<number> {
    const subjects = [...listVariants(), ...listNetworks().flatMap((n) => drillSubjects(loadTopology(n)))];
    const variants = args.variants ? args.variants.split(",").map((v) => v.trim()) : subjects;
    const unknown = variants.filter((v) => !subjects.includes(v));
    if (unknown.length > 0) throw new Error(`unknown variant ${unknown.join(", ")}: use ${subjects.join(", ")}`);
    return underJest("drill/matrix-jest-runner.ts", "BONDLAB_DRILL_MATRIX", {
        out: path.resolve(args.out!),
        variants,
        options: { ...pick(options), scenarios: options.scenarios, rawDir: options.rawDir },
        command: commandLine(argv),
        where: args.where ?? null,
        update: args.update === true,
    });
}

/** The seed's steps on a running lab: prints each step's outcome beside the seed's transcript. */
async function replayStack(args: Args, options: DrillOptions): Promise<number> {
    const lab = await labFromStack(args.stack!);
    Object.assign(process.env, lab.docker);
    await checkRunning(lab);
    const wiring = onOneSegment(lab) ? "shared" : "independent";
    const measured = await runReplay(lab, wiring, {
        intervalS: options.intervalS,
        verifyTimeoutS: options.verifyTimeoutS,
        onLine: (l) => console.log(l),
    });
    console.log(
        replayMarkdown({
            generatedAt: new Date().toISOString(),
            command: "",
            where: await whereMeasured(),
            results: [{ name: `stack ${lab.stack}`, lab: lab.variant, wiring, setup: lab.description, ...measured }],
        }),
    );
    return 0;
}

/** A runner file under jest with the e2e harness's lab host set-up; its settings in ENV. */
function underJest(file: string, envName: string, payload: unknown): Promise<number> {
    const config = {
        rootDir: PROJECT_DIR,
        preset: "ts-jest",
        testEnvironment: "node",
        testMatch: [`<rootDir>/${file}`],
        globalSetup: "<rootDir>/labhost/jest-setup.ts",
        globalTeardown: "<rootDir>/labhost/jest-teardown.ts",
        setupFilesAfterEnv: ["<rootDir>/labhost/jest-wait.ts"],
    };
    const env = { ...process.env, [envName]: JSON.stringify(payload) };
    const jest = path.join(PROJECT_DIR, "node_modules", ".bin", "jest");
    return new Promise((resolve, reject) => {
        const child = spawn(jest, ["--config", JSON.stringify(config), "--runInBand", "--silent=false"], {
            env,
            stdio: "inherit",
            cwd: PROJECT_DIR,
        });
        child.on("error", reject);
        child.on("close", (code) => resolve(code === 0 ? 0 : 1));
    });
}

/**
 * --out before the drill starts: a folder we can create or write, holding no symbolic link
 * (the report's writers follow paths as they are, so a link inside could lead them out).
 */
function checkDrillOut(out: string): void {
    const dir = checkOutDir(out);
    if (fs.existsSync(dir)) refuseSymlinksIn(dir, out);
}

/** The report of a past run, with its explanations and files written again from its JSON. */
function renderAgain(dir: string): string[] {
    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) as DrillReport;
    const written = writeReport(rejudgeReport(report), dir);
    const replay = path.join(dir, "seed-replay.json");
    if (!fs.existsSync(replay)) return written;
    return [
        ...written,
        ...writeReplay(rejudgeReplay(JSON.parse(fs.readFileSync(replay, "utf8")) as ReplayReport), dir),
    ];
}

async function main(argv: string[]): Promise<number> {
    let args: Args;
    let options: DrillOptions;
    try {
        args = parse(argv);
        if (args.help) {
            console.log(USAGE);
            return 0;
        }
        if (args.render) {
            for (const f of renderAgain(args.render)) console.log(`wrote ${f}`);
            return 0;
        }
        if (!args.matrix && !args.stack) throw new Error("--stack (or --matrix) is required");
        if (args.matrix && args.stack) throw new Error("--matrix brings its own labs up: no --stack");
        if (args.link !== undefined && (!args.stack || args.replay))
            throw new Error("--link picks a bonded link of a running network: give it with --stack, without --replay");
        if (args.matrix && !args.out) throw new Error("--matrix needs --out DIR");
        if (args.update && !(args.matrix && args.variants))
            throw new Error(
                "--update measures some variants again into an existing report: give --matrix and --variants",
            );
        if (args.update && !fs.existsSync(path.join(args.out!, "report.json")))
            throw new Error(`--update: no report to update in ${args.out} (no report.json)`);
        if (args.out !== undefined) checkDrillOut(args.out);
        options = {
            ...DEFAULT_OPTIONS,
            scenarios: parseScenarioList(args.scenarios),
            intervalS: numberArg(args.interval, "interval") ?? DEFAULT_OPTIONS.intervalS,
            preS: numberArg(args.pre, "pre") ?? DEFAULT_OPTIONS.preS,
            postS: numberArg(args.post, "post"),
            maxPostS: numberArg(args["max-post"], "max-post") ?? DEFAULT_OPTIONS.maxPostS,
        };
        if (args.raw && !args.out) throw new Error("--raw keeps the probes' output under --out DIR: give --out");
        if (args.raw) options.rawDir = path.resolve(args.out!, "raw");
    } catch (e) {
        // A bad --out is one plain line: the usage says nothing about it.
        console.error(e instanceof OutDirError ? e.message : `${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    try {
        if (args.replay && args.matrix) {
            return await underJest("drill/replay-jest-runner.ts", "BONDLAB_DRILL_REPLAY", {
                out: path.resolve(args.out!),
                intervalS: args.interval ? options.intervalS : REPLAY_INTERVAL_S,
                command: commandLine(argv),
                where: args.where ?? null,
            });
        }
        if (args.replay)
            return await replayStack(args, {
                ...options,
                intervalS: args.interval ? options.intervalS : REPLAY_INTERVAL_S,
            });
        return args.matrix ? await drillMatrix(args, options, argv) : await drillStack(args, options, argv);
    } catch (e) {
        console.error(`drill: ${(e as Error).message}`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
