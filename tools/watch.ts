// npm run watch -- --stack STACK [--link LINK] [--record FILE] [--save DIR] [--for S]: the live
// view of a running lab's bonded link in the terminal: each router's bond and slaves, the ping
// both ways, every change with its time, and why the ping dies when it does. Keys break and
// restore the channels with the drill's own faults, and each fault is measured as a drill row
// (--save DIR keeps them as a drill report).
//
// npm run watch -- --replay FILE [--speed N | --end]: plays a recording back, no lab needed.
//
// Exit 0, or 2 on bad arguments or a stack that cannot be watched.
import * as net from "net";
import * as readline from "readline";
import { parseArgs } from "util";
import logUpdate = require("log-update");
import { AutomationDriver, ModelDriver } from "../class/drivers";
import { checkRunning, labFromStack, stackOutputs } from "../drill/lab";
import { MODEL_STATE_DIR, loadCheckpoint } from "../engine/model-checkpoint";
import { ClassWatch, classLines } from "../watch/class";
import { loadClass } from "../class/plan";
import { WATCH_ACTIONS, WatchActionKind, checkAction } from "../watch/actions";
import { whereMeasured } from "../drill/docker";
import { writeReport } from "../drill/report";
import { LiveWatch } from "../watch/live";
import { handReport } from "../watch/measure";
import { readRecording } from "../watch/recording";
import { clock, renderFrame } from "../watch/render";
import { WatchSession } from "../watch/session";
import { WatchModel, WatchState } from "../watch/state";
import { whyLines } from "../watch/why";
import { ClassSource, WebSource, WebView, newToken, startClassWeb, startWeb } from "../watch/web";

const USAGE = [
    "usage: npm run watch -- --stack STACK [--link LINK] [--web] [--record FILE] [--for SECONDS] [--tick SECONDS]",
    "       npm run watch -- --replay FILE [--web] [--speed N | --end]",
    "       npm run watch -- --class CLASS.yaml --web [--engine pulumi|model]   (a tile per student's lab)",
    "--web: the view as a page too, on 127.0.0.1 (--listen ADDR to serve others, --port N, default any free port)",
    "--link: which bonded link of a network (a version 2 lab file); --record: save what the view sees (JSON lines)",
    "--save DIR: the faults made from the view, measured as drill rows, as a drill report in DIR (report.json, report.md)",
    "--for: stop after that many seconds; --speed: replay N times faster; --end: print only the replay's last frame",
    "--tick: a bond is read at once on a kernel link event, after a probe's line at most this often,",
    "        and this often with no probe (default 0.25 s)",
].join("\n");

/** Keys of the live view: the fault on the selected channel (and, where it has one, end). */
const KEYS: Record<string, WatchActionKind> = {
    d: "admin-down",
    u: "admin-up",
    c: "cut",
    s: "silent",
    o: "one-way",
    g: "degraded",
    r: "restore",
};

type Args = {
    stack?: string;
    link?: string;
    record?: string;
    save?: string;
    for?: string;
    tick?: string;
    replay?: string;
    class?: string;
    engine?: string;
    speed?: string;
    end?: boolean;
    web?: boolean;
    listen?: string;
    port?: string;
    help?: boolean;
};

function parse(argv: string[]): Args {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" },
            link: { type: "string" },
            record: { type: "string" },
            save: { type: "string" },
            for: { type: "string" },
            tick: { type: "string" },
            replay: { type: "string" },
            class: { type: "string" },
            engine: { type: "string" },
            speed: { type: "string" },
            end: { type: "boolean" },
            web: { type: "boolean" },
            listen: { type: "string" },
            port: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
        strict: true,
    });
    const a = values as Args;
    const sources = [a.stack, a.replay, a.class].filter((x) => x !== undefined).length;
    if (!a.help && sources !== 1)
        throw new Error("give one of --stack (a running lab), --replay (a recording) or --class (a class file)");
    if (a.class !== undefined && !a.web) throw new Error("--class shows the class as a page: add --web");
    if (a.engine !== undefined && a.class === undefined) throw new Error("--engine goes with --class");
    if (a.engine !== undefined && a.engine !== "pulumi" && a.engine !== "model")
        throw new Error(`--engine ${JSON.stringify(a.engine)}: pulumi or model, as npm run class takes`);
    if (a.class !== undefined && (a.record ?? a.save ?? a.link) !== undefined)
        throw new Error("--record, --save and --link go with --stack: open a lab's own view for them");
    if ((a.listen !== undefined || a.port !== undefined) && !a.web)
        throw new Error("--listen and --port go with --web");
    if (a.listen !== undefined && net.isIP(a.listen) === 0)
        throw new Error(
            `--listen ${JSON.stringify(a.listen)}: an IP address to listen on, such as 127.0.0.1 or 0.0.0.0`,
        );
    if (a.port !== undefined && !(Number.isInteger(Number(a.port)) && Number(a.port) >= 0 && Number(a.port) <= 65535))
        throw new Error(`--port ${JSON.stringify(a.port)}: a TCP port, 0-65535 (0: any free port)`);
    for (const [flag, value, min] of [
        ["--for", a.for, 1],
        ["--tick", a.tick, 0.1],
        ["--speed", a.speed, 0.1],
    ] as const) {
        if (value !== undefined && !(Number(value) >= min && Number(value) <= 86400))
            throw new Error(`${flag} ${JSON.stringify(value)}: a number of at least ${min}`);
    }
    return a;
}

/** Draws the model: frames on a terminal, else one line per event and why-line as they come. */
class Screen {
    private readonly tty = process.stdout.isTTY === true;
    private timer: NodeJS.Timeout | null = null;
    private drawnAt = 0;
    private printed = 0;
    private lastWhy = "";

    constructor(
        private readonly model: WatchModel,
        private readonly footer: () => string[] = () => [],
    ) {}

    changed(): void {
        if (!this.tty) return this.log();
        // At most ten frames a second, however fast the lines come; the first change after a
        // quiet spell at once.
        if (this.timer) return;
        const draw = () => {
            this.timer = null;
            this.drawnAt = Date.now();
            logUpdate(this.frame());
        };
        const wait = this.drawnAt + 100 - Date.now();
        if (wait <= 0) draw();
        else this.timer = setTimeout(draw, wait);
    }

    frame(state: WatchState = this.model.state): string {
        return renderFrame(state, {
            width: Math.max(60, (process.stdout.columns ?? 120) - 1),
            eventRows: Math.max(5, (process.stdout.rows ?? 44) - 30),
            height: process.stdout.rows,
            color: this.tty,
            footer: this.footer(),
        });
    }

    private log(): void {
        const events = this.model.state.events;
        for (const e of events.slice(this.printed)) console.log(`${clock(e.at)} ${e.node} ${e.text}`);
        this.printed = events.length;
        const why = whyLines(this.model.state).join(" ");
        if (why !== this.lastWhy && why !== "") console.log(`why: ${why}`);
        this.lastWhy = why;
    }

    close(): void {
        if (this.timer) clearTimeout(this.timer);
        if (this.tty) {
            logUpdate(this.frame());
            logUpdate.done();
        } else {
            this.log();
            console.log(this.frame());
        }
    }
}

/** Starts the page when --web asks for it (a lab's, or a class's), and says where it is. */
async function maybeWeb(a: Args, source: WebSource | null, classSource?: ClassSource): Promise<WebView | null> {
    if (!a.web) return null;
    const host = a.listen ?? "127.0.0.1";
    const o = { host, port: Number(a.port ?? 0), token: newToken() };
    const view = classSource ? await startClassWeb(classSource, o) : await startWeb(source!, o);
    if (host !== "127.0.0.1")
        console.error(
            `watch: warning: the page listens on ${host}, not only on this machine: ` +
                "anyone who can reach it and has the URL's token can break the lab",
        );
    console.log(`watch: the page is at ${view.url}`);
    return view;
}

async function watchStack(a: Args, argv: string[]): Promise<number> {
    const lab = await labFromStack(a.stack!, a.link);
    // The engine the program built the lab on, whatever this shell's DOCKER_HOST says.
    Object.assign(process.env, lab.docker);
    await checkRunning(lab);
    const selected = { channel: 0, router: 1 };
    const footer = () =>
        !process.stdin.isTTY
            ? []
            : [
                  `selected: ${lab.channels[selected.channel].name}, end ${lab.routers[selected.router].name}` +
                      `   keys: 1-${lab.channels.length} channel, tab end, ` +
                      Object.entries(KEYS)
                          .map(([k, v]) => `${k} ${v}`)
                          .join(", ") +
                      ", q quit",
              ];
    const live = new LiveWatch(lab, a.record ?? null, a.tick ? Number(a.tick) : undefined);
    const screen = new Screen(live.model, footer);
    live.onChange(() => screen.changed());
    const saver = a.save ? reportSaver(a.save, live.session, argv, await whereMeasured()) : null;
    live.start();
    const web = await maybeWeb(a, live);

    const done = new Promise<void>((resolve) => {
        if (a.for) setTimeout(resolve, Number(a.for) * 1000);
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
        if (process.stdin.isTTY) {
            readline.emitKeypressEvents(process.stdin);
            process.stdin.setRawMode(true);
            process.stdin.on("keypress", (text: string | undefined, key: { name?: string; ctrl?: boolean }) => {
                if (key.name === "q" || (key.ctrl && key.name === "c")) return resolve();
                if (key.name === "tab") selected.router = 1 - selected.router;
                else if (text && /^[1-9]$/.test(text) && Number(text) <= lab.channels.length)
                    selected.channel = Number(text) - 1;
                else if (text && KEYS[text]) {
                    const action = checkAction(
                        {
                            kind: KEYS[text],
                            channel: lab.channels[selected.channel].name,
                            router: lab.routers[selected.router].name,
                        },
                        lab,
                    );
                    void live.act(action);
                }
                screen.changed();
            });
        }
    });
    await done;
    if (process.stdin.isTTY) {
        process.stdin.setRawMode(false);
        process.stdin.pause();
    }
    await web?.close();
    await live.stop();
    screen.close();
    if (a.record) console.log(`recorded to ${a.record}`);
    saver?.close();
    return 0;
}

/**
 * --save DIR: the rows measured so far as a drill report, written again each time a row is
 * judged, so that a watch stopped any way leaves what it measured.
 */
function reportSaver(dir: string, session: WatchSession, argv: string[], where: string) {
    if (!session.hand)
        throw new Error(
            `--save ${dir}: this recording keeps no lab handle to measure its faults against (recorded before bondlab measured them)`,
        );
    const hand = session.hand;
    const started = Date.now();
    const command = `npm run watch -- ${argv.map((x) => (/^[\w./,:=+-]+$/.test(x) ? x : JSON.stringify(x))).join(" ")}`;
    let saved = 0;
    const save = () => {
        const rows = hand.rows.flatMap((r) => (r.result ? [r.result] : []));
        if (rows.length === saved) return;
        saved = rows.length;
        const options = session.model.state.nodes[hand.lab.routers[0].name].options;
        const durationS = Math.round((Date.now() - started) / 100) / 10;
        writeReport(handReport(hand.lab, options, rows, { command, where, durationS }), dir);
    };
    const off = session.onChange(save);
    return {
        close: () => {
            off();
            save();
            if (saved > 0) console.log(`${saved} row${saved === 1 ? "" : "s"} measured by hand: ${dir}/report.md`);
            else console.log(`no fault was measured: nothing written to ${dir}`);
        },
    };
}

async function replay(a: Args, argv: string[]): Promise<number> {
    const { header, lines } = readRecording(a.replay!);
    const session = new WatchSession(header.lab, header.handle ?? null);
    const screen = new Screen(session.model, () => [`replay of ${a.replay} (recorded ${header.recorded})`]);
    session.onChange(() => screen.changed());
    const saver = a.save
        ? reportSaver(a.save, session, argv, `a recording made ${header.recorded}, played back from ${a.replay}`)
        : null;
    const web = await maybeWeb(a, session);
    const speed = a.speed ? Number(a.speed) : 1;
    const stopAt = a.for ? Date.now() + Number(a.for) * 1000 : Infinity;
    const t0 = lines[0]?.t ?? 0;
    const started = Date.now();
    for (const l of lines) {
        if (!a.end) {
            const wait = (l.t - t0) / speed - (Date.now() - started);
            if (Date.now() + wait > stopAt) break;
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        session.apply(l, a.end);
    }
    session.changed();
    // The page stays up after the replay's end until the user stops it.
    if (web)
        await new Promise<void>((resolve) => {
            process.once("SIGINT", () => resolve());
            if (a.for) setTimeout(resolve, Math.max(0, stopAt - Date.now()));
        });
    await web?.close();
    screen.close();
    saver?.close();
    return 0;
}

/**
 * --class FILE --web: a tile per student's bonded link, each watched on its own lab's engine;
 * stacks and their status read as `npm run class` reads them (--engine as it takes it).
 */
async function watchClass(a: Args): Promise<number> {
    const plan = loadClass(a.class!);
    const model = a.engine === "model";
    const driver = model ? new ModelDriver() : new AutomationDriver();
    const outputsOf = async (stack: string) => {
        if (!model) return stackOutputs(stack);
        const checkpoint = loadCheckpoint(stack, MODEL_STATE_DIR);
        if (!checkpoint) throw new Error(`no stack ${stack} in the engine model's state (npm run class -- up first)`);
        return checkpoint.outputs;
    };
    const watch = await ClassWatch.open(plan, driver, outputsOf);
    watch.start();
    const view = await maybeWeb(a, null, watch);
    let shown = "";
    const show = () => {
        const text = classLines(watch.tiles().tiles).join("\n");
        if (text === shown) return;
        shown = text;
        if (process.stdout.isTTY) logUpdate(text);
    };
    const timer = setInterval(show, 500);
    show();
    if (!process.stdout.isTTY) console.log(shown);
    await new Promise<void>((resolve) => {
        if (a.for) setTimeout(resolve, Number(a.for) * 1000);
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
    });
    clearInterval(timer);
    await view?.close();
    await watch.stop();
    if (process.stdout.isTTY) logUpdate.done();
    else console.log(classLines(watch.tiles().tiles).join("\n"));
    return 0;
}

async function main(argv: string[]): Promise<number> {
    let a: Args;
    try {
        a = parse(argv);
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (a.help) {
        console.log(
            `${USAGE}\nkeys: ${Object.entries(KEYS)
                .map(([k, v]) => `${k} ${v}`)
                .join(", ")}; actions: ${WATCH_ACTIONS.join(", ")}`,
        );
        return 0;
    }
    try {
        if (a.class) return await watchClass(a);
        return a.replay ? await replay(a, argv) : await watchStack(a, argv);
    } catch (e) {
        console.error(`watch: ${(e as Error).message}`);
        return 2;
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
