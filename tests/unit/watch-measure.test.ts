import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rejudgeReport } from "../../drill/judge";
import { markdown, writeReport } from "../../drill/report";
import type { RowResult } from "../../drill/result";
import { handReport, rowCells, rowLine } from "../../watch/measure";
import { readRecording } from "../../watch/recording";
import { renderFrame } from "../../watch/render";
import { WatchSession } from "../../watch/session";

// Faults made from the live view and measured as drill rows. The fixture was recorded on the
// lab host VM from the seed lab with `npm run watch -- --stack dev --web --record F`, while
// requests to the page's /action made, each followed by restore: admin-down of centralRouter's
// eth1 (restored 5 s later), a cut of ch1, admin-down of inetRouter's eth1 restored at once,
// ch1 degraded, and a cut of ch2 (the backup channel).

const FIXTURE = path.join(__dirname, "fixtures", "watch", "seed-by-hand.jsonl");
const OLD = path.join(__dirname, "..", "..", "docs", "watch", "seed-admin-down.jsonl");

function replayAll(file: string) {
    const { header, lines } = readRecording(file);
    const session = new WatchSession(header.lab, header.handle ?? null);
    for (const l of lines) session.apply(l, true);
    return { session, lines, rows: session.model.state.rows.map((r) => r.result!) };
}

const { session, lines, rows } = replayAll(FIXTURE);
const byId = (prefix: string, n: number) => rows.find((r) => r.id === `${prefix}-by-hand-${n}`)!;

/** The window of a row, in the Docker host's clock. */
function windowOf(row: RowResult) {
    const faultAt = Object.values(row.directions)[0].faultAt!;
    return { faultAt, startAt: faultAt + row.times!.probeStart, stopAt: faultAt + row.times!.probeStop };
}

/** The probes of `node` left unanswered in the window, recounted from ping's own lines. */
function unansweredFromLines(node: string, startAt: number, stopAt: number): number {
    const at = (l: string) => Number(/^\[(\d+\.\d+)\]/.exec(l)?.[1]) * 1000;
    const own = lines.filter((l) => l.node === node && l.line !== undefined).map((l) => l.line!);
    const answered = new Set(
        own.filter((l) => /bytes from/.test(l) && at(l) <= stopAt).map((l) => /icmp_seq=(\d+)/.exec(l)![1]),
    );
    const silent = own.filter((l) => /no answer yet/.test(l) && at(l) >= startAt && at(l) <= stopAt);
    return silent.filter((l) => !answered.has(/icmp_seq=(\d+)/.exec(l)![1])).length;
}

/** A slave's link failure count in the last tick at or before `t`, read from the tick's raw words. */
function failuresAt(node: string, slave: string, t: number): number {
    let count = 0;
    for (const l of lines) {
        const words = l.node === node && l.line?.startsWith("tick ") ? l.line.split(" ") : null;
        if (!words || Number(words[1].slice(0, -6)) > t) continue;
        const s = words.find((w) => w.startsWith(`slave=${slave}:`));
        if (s) count = Number(s.split(":")[4]);
    }
    return count;
}

describe("a fault made from the live view, measured as a drill row", () => {
    it("measures every fault the drill has a row for, in order, and not restore", () => {
        expect(rows.map((r) => r.id)).toEqual([
            "admin-down-centralRouter-by-hand-1",
            "cable-cut-by-hand-2",
            "admin-down-inetRouter-by-hand-3",
            "degraded-by-hand-4",
            "cable-cut-by-hand-5",
        ]);
    });

    it("judges the seed's experiment as the drill does: no recovery, a bound of never, and isolation named", () => {
        const row = byId("admin-down-centralRouter", 1);
        expect(row.verdict).toBe("fail");
        expect(row.outcome).toBe("down");
        expect(row.reasons).toEqual(["no recovery"]);
        expect(row.bound.kind).toBe("never");
        expect(row.explanation).toMatch(/root cause is isolation/);
        // centralRouter moved to eth2 and counted eth1's failure; inetRouter stayed on eth1.
        expect(row.routers.centralRouter.txAfter).toBe("eth2");
        expect(row.routers.inetRouter.txAfter).toBe("eth1");
        const { faultAt, stopAt } = windowOf(row);
        expect(row.routers.centralRouter.failures.eth1).toBe(
            failuresAt("centralRouter", "eth1", stopAt) - failuresAt("centralRouter", "eth1", faultAt - 2000),
        );
        expect(row.routers.centralRouter.failures.eth1).toBe(1);
    });

    it("counts as lost the probes ping itself reported unanswered in the row's window", () => {
        for (const row of rows.filter((r) => r.verdict !== "error")) {
            const { startAt, stopAt } = windowOf(row);
            for (const [dir, d] of Object.entries(row.directions)) {
                const reported = unansweredFromLines(dir.split("->")[0], startAt, stopAt);
                // As in the drill, the last probe of an outage still open at the stop may be
                // in flight (sent within 200 ms of it, by the probes' measured pace): not lost.
                const inFlight = reported - d.lost;
                const allowed = d.open ? [0, 1] : [0];
                expect({ row: row.id, dir, counted: allowed.includes(inFlight) }).toEqual({
                    row: row.id,
                    dir,
                    counted: true,
                });
            }
        }
    });

    it("passes a cut cable within its bound, with one link failure at both ends of ch1", () => {
        const row = byId("cable-cut", 2);
        expect(row.verdict).toBe("pass");
        expect(row.bound).toMatchObject({ kind: "ms", ms: 100 });
        expect(row.outageMs).toBeLessThanOrEqual(100 + 2 * row.probeIntervalMs);
        for (const r of ["inetRouter", "centralRouter"]) expect(row.routers[r].failures).toEqual({ eth1: 1, eth2: 0 });
    });

    it("does not judge a fault whose next action came before a second had passed", () => {
        const row = byId("admin-down-inetRouter", 3);
        expect(row.verdict).toBe("error");
        expect(row.reasons[0]).toMatch(/^cut short: the next action came 0\.\d s after the fault, before a second/);
    });

    it("keeps a degraded channel informational, with the loss its probes saw", () => {
        const row = byId("degraded", 4);
        expect(row.verdict).toBe("info");
        expect(row.bound.kind).toBe("n/a");
        const lost = Object.values(row.directions).reduce((n, d) => n + d.lostAfterFault, 0);
        expect(lost).toBeGreaterThan(0);
    });

    it("calls a cut of the channel the probes did not cross 'not tested', naming what they crossed", () => {
        const row = byId("cable-cut", 5);
        expect(row.outcome).toBe("not-tested");
        expect(row.verdict).toBe("info");
        expect(row.reasons[0]).toMatch(/did not cross eth2 before the fault/);
    });

    it("logs each judged row once, in the words of rowLine", () => {
        const logged = session.model.state.events.filter((e) => e.text.startsWith("measured "));
        expect(logged.map((e) => e.text)).toEqual(rows.map(rowLine));
    });

    it("shows a row as measuring until its window ends", () => {
        const { header, lines: all } = readRecording(FIXTURE);
        const live = new WatchSession(header.lab, header.handle ?? null);
        const faultAt = all.findIndex((l) => l.fault !== undefined);
        for (const l of all.slice(0, faultAt + 3)) live.apply(l, true);
        const cells = rowCells(live.model.state.rows[0], live.model.state.now);
        expect(cells.verdict).toBe("measuring");
        expect(cells.outage).toMatch(/^\d\.\d s of its window left$/);
        const frame = renderFrame(live.model.state, { width: 160, eventRows: 5, color: false });
        expect(frame).toMatch(
            /faults measured as drill rows\n… measuring ip link set eth1 down inside centralRouter: \d\.\d s of its window left/,
        );
    });

    it("measures a fault made within 2 s of the view's start from what it heard until then", () => {
        // The fixture from shortly before its first fault was asked for, as if the view had started then.
        const { header, lines: all } = readRecording(FIXTURE);
        const askedT = all.find((l) => l.action !== undefined)!.t;
        const opening = all.filter((l) => /^(hello|option) /.test(l.line ?? ""));
        const from = (ms: number) => {
            const late = new WatchSession(header.lab, header.handle ?? null);
            for (const l of [...opening, ...all.filter((l) => l.t >= askedT - ms && l.t < askedT + 8000)])
                late.apply(l, true);
            return late.model.state.rows[0].result!;
        };
        const row = from(1200);
        expect(row.window.preS).toBeGreaterThanOrEqual(0.5);
        expect(row.window.preS).toBeLessThan(2);
        expect([row.verdict, row.outcome, row.reasons]).toEqual(["fail", "down", ["no recovery"]]);
        // Too little heard to know where the probes went: kept, not judged.
        const early = from(0);
        expect(early.verdict).toBe("error");
        expect(early.reasons[0]).toMatch(/^the view had heard the bond for only 0\.\d s before the fault/);
    });

    it("measures nothing from a recording made before rows were (no lab handle in its header)", () => {
        expect(replayAll(OLD).session.hand).toBeNull();
        expect(replayAll(OLD).rows).toEqual([]);
    });
});

describe("the rows saved as a drill report (--save DIR)", () => {
    const report = handReport(session.hand!.lab, session.model.state.nodes.inetRouter.options, rows, {
        command: "npm run watch -- --replay seed-by-hand.jsonl --save DIR",
        where: "a recording",
        durationS: 60,
    });

    it("is judged the same again by the drill's --render (same rules, same bounds)", () => {
        const again = rejudgeReport(JSON.parse(JSON.stringify(report)));
        const verdicts = (r: typeof report) => r.variants[0].rows.map((x) => [x.id, x.verdict, x.outcome, x.reasons]);
        expect(verdicts(again)).toEqual(verdicts(report));
    });

    it("says how the rows were made, not how the drill's runner makes them", () => {
        const md = markdown(report);
        expect(md).toMatch(/^# Faults made by hand in the live view of stack dev/);
        expect(md).toMatch(/a fault made from the live view .* \(not repaired first\)/);
        expect(md).not.toMatch(/every channel is repaired and the program's own verify passes/);
        expect(md).toMatch(/\| admin-down-centralRouter-by-hand-1 \| ip link set eth1 down inside centralRouter \|/);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-hand-"));
        try {
            expect(writeReport(report, dir).map((f) => path.basename(f))).toEqual([
                "report.json",
                "report.md",
                "outage.svg",
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
