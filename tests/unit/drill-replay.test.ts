import * as fs from "fs";
import * as path from "path";
import { loadAnyLab } from "../../components/labfile/load";
import { parsePing } from "../../drill/ping";
import {
    ReplayReport,
    SEED_REPLAY_LABS,
    SEED_STEPS,
    analyzeStep,
    pingState,
    rejudgeReplay,
    replayMarkdown,
    seedPartly,
    seedSays,
} from "../../drill/replay";

// ping -D output: replies every 200 ms from t0 while `up(t)` holds, else nothing; an ICMP
// error line at each time in `unreachable`.
const T0 = 1_800_000_000_000;
function pingText(seconds: number, up: (ms: number) => boolean, unreachable: number[] = []): string {
    const lines = ["PING 192.168.1.2 (192.168.1.2) 56(84) bytes of data."];
    const stamp = (ms: number) => `[${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, "0")}]`;
    let seq = 1;
    let received = 0;
    for (let ms = T0; ms < T0 + seconds * 1000; seq++, ms += 200) {
        if (up(ms - T0)) {
            lines.push(`${stamp(ms)} 64 bytes from 192.168.1.2: icmp_seq=${seq} ttl=64 time=0.1 ms`);
            received++;
        }
        if (unreachable.includes(ms - T0)) {
            lines.push(`${stamp(ms)} From 192.168.1.1 icmp_seq=${seq} Destination Host Unreachable`);
        }
    }
    lines.push(`${seq - 1} packets transmitted, ${received} received`);
    return lines.join("\n");
}
const step = (id: string) => SEED_STEPS.find((s) => s.id === id)!;
const state = {
    action: "ip link set eth1 down inside centralRouter",
    farActive: "eth2",
    neighbour: "192.168.1.2 lladdr 02:42:ac:11:00:03 FAILED",
};

describe("the seed replay's judgement", () => {
    it("reads the ping's state from the step's last seconds", () => {
        expect(pingState({ expected: 15, replies: 0 })).toBe("dead");
        expect(pingState({ expected: 15, replies: 14 })).toBe("answering");
        expect(pingState({ expected: 15, replies: 7 })).toBe("partial");
    });

    it("counts a step's replies and errors in its own window only, and compares with the transcript", () => {
        // Answering for 10 s, then dead, with two unreachable errors in the dead part; the step
        // holds the replies that arrived from 4.95 s to 29.95 s: probes 26 to 50.
        const ping = parsePing(pingText(30, (ms) => ms < 10_000, [20_000, 24_000]));
        const s = analyzeStep(
            step("eth1-down"),
            "shared",
            ping,
            { at: T0 + 4_950, end: T0 + 29_950, intervalS: 0.2 },
            state,
        );
        expect(s.steady).toEqual({ expected: 15, replies: 0 });
        expect(s.replies).toBe(25);
        expect(s.errors).toBe(2);
        expect(s.errorTexts).toEqual(["Destination Host Unreachable"]);
        expect(s.ping).toBe("dead");
        expect(s.matchesSeed).toBe(true);
        // The seed says the ping never worked over independent channels: a live ping differs.
        const live = analyzeStep(
            step("baseline"),
            "independent",
            parsePing(pingText(5, () => true)),
            { at: T0 - 50, end: T0 + 4_950, intervalS: 0.2 },
            state,
        );
        expect(live.ping).toBe("answering");
        expect(live.matchesSeed).toBe(false);
        // A step the transcript is silent on is not compared.
        expect(
            analyzeStep(step("eth2-up"), "shared", ping, { at: T0 - 50, end: T0 + 4_950, intervalS: 0.2 }, state)
                .matchesSeed,
        ).toBeNull();
    });

    it("says 'partly' where the ping died as the transcript says but its ICMP error never came", () => {
        // Dead from 10 s on, no error at all, the neighbour still REACHABLE (the filtered shared segment).
        const silent = analyzeStep(
            step("eth1-down"),
            "shared",
            parsePing(pingText(30, (ms) => ms < 10_000)),
            { at: T0 + 4_950, end: T0 + 29_950, intervalS: 0.2 },
            { ...state, neighbour: "192.168.1.2 lladdr 02:42:ac:1d:00:04 REACHABLE" },
        );
        expect(silent.matchesSeed).toBe(true);
        expect(seedPartly("shared", silent)).toBe(
            'no "Destination Host Unreachable" (0 ICMP errors; neighbour REACHABLE)',
        );
        const report: ReplayReport = {
            generatedAt: "2026-11-27T00:00:00Z",
            command: "c",
            where: "a test",
            results: [
                {
                    name: "x",
                    lab: "seed-shared",
                    wiring: "shared",
                    setup: "s",
                    stack: "s",
                    pinger: "inetRouter",
                    far: "centralRouter",
                    intervalS: 0.2,
                    options: { mode: "active-backup 1", miimon: "100", fail_over_mac: "active 1" },
                    steps: [silent],
                },
            ],
        };
        const md = replayMarkdown(report);
        expect(md).toContain(
            '| partly reproduced (eth1-down: no "Destination Host Unreachable" (0 ICMP errors; neighbour REACHABLE)) |',
        );
        expect(md).toContain('| partly: no "Destination Host Unreachable"');
        expect(md).toContain("bond options in force: mode active-backup, miimon 100, fail_over_mac active.");
        // With the error, or where the transcript shows none, nothing is missing.
        const ping = parsePing(pingText(30, (ms) => ms < 10_000, [20_000]));
        const loud = analyzeStep(
            step("eth1-down"),
            "shared",
            ping,
            { at: T0 + 4_950, end: T0 + 29_950, intervalS: 0.2 },
            state,
        );
        expect(seedPartly("shared", loud)).toBeNull();
        expect(seedPartly("independent", { ...silent, matchesSeed: true })).toBeNull();
    });

    it("writes each step beside the seed's words", () => {
        const ping = parsePing(pingText(30, (ms) => ms < 10_000, [20_000]));
        const report: ReplayReport = {
            generatedAt: "2026-11-27T00:00:00Z",
            command: "npm run drill -- --replay --matrix --out docs/drill",
            where: "a test",
            results: [
                {
                    name: "x",
                    lab: "seed-shared",
                    wiring: "shared",
                    setup: "a setup line",
                    stack: "s",
                    pinger: "inetRouter",
                    far: "centralRouter",
                    intervalS: 0.2,
                    options: { mode: "active-backup" },
                    steps: [
                        analyzeStep(
                            step("eth1-down"),
                            "shared",
                            ping,
                            { at: T0 + 4_950, end: T0 + 29_950, intervalS: 0.2 },
                            state,
                        ),
                    ],
                },
            ],
        };
        const md = replayMarkdown(report);
        expect(md).toContain(
            "| ip link set eth1 down inside centralRouter | 25 s | dead: 25 replies, 1 × Destination Host Unreachable | eth2 |",
        );
        expect(md).toContain(`| ${seedSays("shared", "eth1-down").says} | same |`);
    });
});

describe("the seed replay's labs", () => {
    it.each(SEED_REPLAY_LABS.map((l) => [l.name, l] as const))(
        "%s is a valid lab, wired as the replay says",
        (_, entry) => {
            const { channels } = loadAnyLab(entry.lab, entry.bondOptions ?? {}).link!;
            const joined = channels.every((c) => c.segment !== undefined);
            expect(joined ? "shared" : "independent").toBe(entry.wiring);
            expect(channels.some((c) => c.macFilter)).toBe(/filter/i.test(entry.name));
        },
    );
});

describe("the committed seed replay (docs/drill/seed-replay.*)", () => {
    const dir = path.join(__dirname, "..", "..", "docs", "drill");
    const report = JSON.parse(fs.readFileSync(path.join(dir, "seed-replay.json"), "utf8")) as ReplayReport;

    it("replays every lab of SEED_REPLAY_LABS, every step", () => {
        expect(report.results.map((r) => r.name)).toEqual(SEED_REPLAY_LABS.map((l) => l.name));
        for (const r of report.results) expect(r.steps.map((s) => s.id)).toEqual(SEED_STEPS.map((s) => s.id));
    });

    it("is judged and written as the current code does (npm run drill -- --render docs/drill)", () => {
        expect(rejudgeReplay(report)).toEqual(report);
        expect(fs.readFileSync(path.join(dir, "seed-replay.md"), "utf8")).toBe(replayMarkdown(report));
    });
});
