import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labOfSubject } from "../../drill/lab";
import { checkAction } from "../../watch/actions";
import { RecordedLine, readRecording } from "../../watch/recording";
import { clock, renderFrame } from "../../watch/render";
import { WatchSession } from "../../watch/session";
import { PingView, WatchLab, WatchModel, direction } from "../../watch/state";
import { lacpBits, parseAgentLine } from "../../watch/stream";
import { whyLines } from "../../watch/why";

// The live view's model, fed streams recorded from real labs on the lab host VM with
// `npm run watch -- --stack S --record FILE` while a key broke a channel and another restored it.
// The seed's is the recording docs/watch.md hands to students.

const SEED = path.join(__dirname, "..", "..", "docs", "watch", "seed-admin-down.jsonl");
const LACP = path.join(__dirname, "fixtures", "watch", "lacp-cut-silent.jsonl");

/** A recording fed line by line, as a replay feeds it; `until` stops after the first line that makes it true. */
function replay(file: string) {
    const name = path.basename(file);
    const { header, lines } = readRecording(file);
    const session = new WatchSession(header.lab, header.handle ?? null);
    const model = session.model;
    let next = 0;
    const feed = (l: RecordedLine) => session.apply(l, true);
    return {
        model,
        session,
        until(done: () => boolean): void {
            while (next < lines.length && !done()) feed(lines[next++]);
            if (!done()) throw new Error(`${name}: the recording ended before the moment the test waits for`);
        },
        toEnd(): void {
            while (next < lines.length) feed(lines[next++]);
        },
    };
}

/** A seed-like lab of routers a and b joined by `channels` channels (ethN at both ends), built on eth1. */
const twoRouters = (channels: number): WatchLab => ({
    stack: "t",
    variant: "seed",
    mode: "active-backup",
    routers: [
        { name: "a", ip: "10.0.0.1", container: "ca" },
        { name: "b", ip: "10.0.0.2", container: "cb" },
    ],
    channels: Array.from({ length: channels }, (_, i) => ({
        name: `ch${i + 1}`,
        interfaces: { a: `eth${i + 1}`, b: `eth${i + 1}` },
    })),
    builtActive: { a: "eth1", b: "eth1" },
});

const hasEvent = (model: WatchModel, node: string, re: RegExp) =>
    model.state.events.some((e) => e.node === node && re.test(e.text));

describe("the agent's lines", () => {
    it("reads a tick: the active slave, and per slave admin state, carrier, MII, failures, counters and LACP bytes", () => {
        const line = parseAgentLine(
            "tick 1796589735960089490 active=- agg=2 slave=eth1:up:1:up:0:42:46:2:61:61 slave=eth2:down:-:down:3:0:6:1:69:5",
        );
        expect(line).toEqual({
            kind: "tick",
            tick: {
                at: 1796589735960.0896,
                active: null,
                aggregator: "2",
                slaves: [
                    expect.objectContaining({ name: "eth1", admin: "up", carrier: true, mii: "up", tx: 42, rx: 46 }),
                    expect.objectContaining({ name: "eth2", admin: "down", carrier: null, mii: "down", failures: 3 }),
                ],
            },
        });
        if (line?.kind !== "tick") throw new Error("not a tick");
        expect(line.tick.slaves[0]).toMatchObject({ aggregator: "2", actor: 61, partner: 61 });
    });

    it("reads ping -D -O: a reply, and a probe with no answer", () => {
        expect(parseAgentLine("[1796589552.117773] 64 bytes from 192.168.1.2: icmp_seq=2 ttl=64 time=1.26 ms")).toEqual(
            {
                kind: "reply",
                seq: 2,
                at: 1796589552117.773,
                rttMs: 1.26,
            },
        );
        expect(parseAgentLine("[1796589552.5] no answer yet for icmp_seq=7")).toEqual({
            kind: "no-answer",
            seq: 7,
            at: 1796589552500,
        });
        expect(parseAgentLine("PING 192.168.1.2 (192.168.1.2) 56(84) bytes of data.")).toBeNull();
    });

    it("names the LACP port state bits as IEEE 802.1AX numbers them", () => {
        // 61 = activity, aggregation, synchronization, collecting, distributing: a port in the aggregate.
        expect(lacpBits(61)).toEqual(["activity", "aggregation", "synchronization", "collecting", "distributing"]);
        expect(lacpBits(69)).toEqual(["activity", "aggregation", "defaulted"]);
    });
});

describe("a ping's silence", () => {
    const lab = twoRouters(1);
    const reply = (seq: number, at: number, rtt = 1) =>
        `[${at.toFixed(6)}] 64 bytes from 10.0.0.2: icmp_seq=${seq} ttl=64 time=${rtt} ms`;
    const quiet = (seq: number, at: number) => `[${at.toFixed(6)}] no answer yet for icmp_seq=${seq}`;

    const feed = (lines: string[]) => {
        const m = new WatchModel(lab);
        const events = lines.flatMap((l) => m.feed("a", l));
        return { m, ping: m.state.pings[direction("a", "b")], texts: events.map((e) => `${e.at} ${e.text}`) };
    };

    it("runs from the last reply to the first, and tells replies held back (late) from probes lost", () => {
        const { ping, texts } = feed([
            reply(1, 100),
            quiet(2, 101),
            quiet(3, 102),
            quiet(4, 103),
            reply(3, 104, 2000),
            reply(4, 104, 1000),
            reply(5, 105),
            reply(6, 106),
        ]);
        expect(texts).toEqual([
            "101000 ping a→b: no reply to icmp_seq 2",
            "104000 ping a→b: answered again after 4000 ms without a reply (1 probe lost, 2 answered late)",
        ]);
        expect(ping.probes.map((p) => `${p.seq}${p.ok ? "" : "x"}`)).toEqual(["1", "2x", "3", "4", "5", "6"]);
        expect([ping.sent, ping.answered, ping.lostSince, ping.run]).toEqual([6, 5, null, null]);
    });

    it("counts as late a held-back reply that arrives after the first reply to a new probe", () => {
        // As recorded on the lab host: ARP's queue let the first reply to a new probe out
        // between the held-back ones.
        const { texts } = feed([
            reply(1, 100),
            quiet(2, 101),
            quiet(3, 102),
            reply(2, 103),
            reply(4, 103.1),
            reply(3, 103.2),
        ]);
        expect(texts).toEqual(["101000 ping a→b: no reply to icmp_seq 2"]);
        const more = feed([
            reply(1, 100),
            quiet(2, 101),
            quiet(3, 102),
            reply(2, 103),
            reply(4, 103.1),
            reply(3, 103.2),
            reply(5, 104),
        ]);
        expect(more.texts[1]).toBe(
            "103000 ping a→b: answered again after 3000 ms without a reply (0 probes lost, 2 answered late)",
        );
        expect(more.ping.lostSince).toBeNull();
    });

    it("says the path is back at the first reply, before the silence is told", () => {
        const { ping } = feed([reply(1, 100), quiet(2, 101), reply(3, 102)]);
        expect(ping.lostSince).toBeNull();
        expect(ping.run).toMatchObject({ since: 100000, backAt: 102000 });
    });
});

describe("why, on a silent channel", () => {
    it("names the fault the MII monitor cannot see: every slave up at both ends, and no reply", () => {
        const m = new WatchModel(twoRouters(2));
        const tick = (s: number, n: number) =>
            `tick ${s}000000000 active=eth1 agg=- slave=eth1:up:1:up:0:${n}:${n}:-:-:- slave=eth2:up:1:up:0:0:0:-:-:-`;
        for (const node of ["a", "b"]) {
            m.feed(node, "option mode=active-backup miimon=100 arp_interval=0 primary=eth1");
            m.feed(node, tick(100, 10));
            m.feed(node, `[100.000000] 64 bytes from 10.0.0.9: icmp_seq=1 ttl=64 time=1 ms`);
            m.feed(node, `[101.000000] no answer yet for icmp_seq=2`);
            m.feed(node, tick(103, 20));
        }
        expect(whyLines(m.state)).toEqual([
            "Every slave at both ends has carrier and MII up, yet no reply came for 3.0 s: a channel that drops frames " +
                "while keeping its carrier is invisible to the MII monitor, which reads only carrier. " +
                "ARP monitoring (arp-monitor) or LACP (lacp) test the path end to end and recover.",
        ]);
    });
});

describe("the seed's experiment, watched: eth1 down inside centralRouter, then restore", () => {
    const r = replay(SEED);
    const s = r.model.state;
    const forward = () => s.pings[direction("inetRouter", "centralRouter")];
    const back = () => s.pings[direction("centralRouter", "inetRouter")];

    it("shows both bonds on eth1 and the ping answering before the fault", () => {
        r.until(() => forward().answered >= 10 && back().answered >= 10);
        expect(s.nodes.inetRouter.tick?.active).toBe("eth1");
        expect(s.nodes.centralRouter.tick?.active).toBe("eth1");
        expect(s.nodes.inetRouter.options).toMatchObject({ mode: "active-backup", miimon: "100", primary: "eth1" });
        expect(whyLines(s)).toEqual([]);
    });

    it("logs the action, then centralRouter leaving eth1 for eth2, then the ping dying both ways", () => {
        // Two seconds of silence both ways.
        const silent = (p: PingView) => p.lostSince !== null && s.now - p.lostSince > 2000;
        r.until(() => silent(forward()) && silent(back()));
        const texts = s.events.map((e) => `${e.node}: ${e.text}`);
        // The count the event names is the bond's own, as /proc/net/bonding printed it.
        const failures = s.nodes.centralRouter.tick!.slaves.find((x) => x.name === "eth1")!.failures;
        expect(texts).toEqual(
            expect.arrayContaining([
                "centralRouter: you: ip link set eth1 down inside centralRouter",
                `centralRouter: eth1: set down, MII down, link failure count ${failures}; active slave eth1 → eth2`,
            ]),
        );
        expect(hasEvent(r.model, "inetRouter", /^ping inetRouter→centralRouter: no reply to icmp_seq \d+$/)).toBe(true);
        expect(hasEvent(r.model, "centralRouter", /^ping centralRouter→inetRouter: no reply to icmp_seq \d+$/)).toBe(
            true,
        );
        // inetRouter saw nothing: its own bond did not change.
        expect(s.events.filter((e) => e.node === "inetRouter" && !e.text.startsWith("ping"))).toEqual([]);
    });

    it("shows the two ends on different channels, with inetRouter's eth1 keeping carrier and MII up", () => {
        const central = s.nodes.centralRouter.tick!;
        const inet = s.nodes.inetRouter.tick!;
        expect(central.active).toBe("eth2");
        expect(central.slaves.find((x) => x.name === "eth1")).toMatchObject({ admin: "down", mii: "down" });
        expect(inet.active).toBe("eth1");
        expect(inet.slaves.find((x) => x.name === "eth1")).toMatchObject({ admin: "up", carrier: true, mii: "up" });
    });

    it("says why in the drill's words, with the silence the timeline shows", () => {
        const why = whyLines(s);
        expect(why).toHaveLength(1);
        expect(why[0]).toMatch(
            /^centralRouter's active slave is eth2, inetRouter's is eth1: the two ends are on different channels\./,
        );
        expect(why[0]).toContain(
            "centralRouter left eth1, but inetRouter's eth1 kept its carrier: the MII monitor sees only the local carrier",
        );
        expect(why[0]).toContain("an active-backup bond takes in only what arrives on its active slave");
        // The frames it cites are the ones inetRouter's counters show arriving on its inactive eth2.
        const cited = /inetRouter receives centralRouter's frames on eth2 \(([\d.]+)\/s\), its inactive slave/.exec(
            why[0],
        );
        expect(cited?.[1]).toBe(s.nodes.inetRouter.rates.eth2.rx.toFixed(1));
        expect(Number(cited?.[1])).toBeGreaterThan(0);
        const seconds = Number(/no reply for ([\d.]+) s/.exec(why[0])![1]);
        const longest = Math.max(s.now - forward().lostSince!, s.now - back().lostSince!);
        expect(seconds).toBe(Number((longest / 1000).toFixed(1)));
    });

    it("draws it: centralRouter on eth2 with eth1 DOWN, and the dead ping", () => {
        const frame = renderFrame(s, { width: 140, eventRows: 10, color: false });
        expect(frame).toMatch(/centralRouter bond0 active-backup {2}active eth2/);
        expect(frame).toMatch(/eth1 +ch1 +DOWN/);
        expect(frame).toMatch(/ping inetRouter→centralRouter +no reply for [\d.]+ s/);
        expect(frame).toContain("why: centralRouter's active slave is eth2");
    });

    it("while the repaired path comes back, blames no silent channel: the bonds just changed", () => {
        r.until(() => hasEvent(r.model, "centralRouter", /^eth1: set up, MII up; active slave eth2 → eth1$/));
        // The recording holds this moment: both ends on eth1 again, the ping not answering yet.
        expect(forward().lostSince).not.toBeNull();
        const why = whyLines(s);
        expect(why).toHaveLength(1);
        expect(why[0]).toMatch(
            /^Every slave at both ends is up again, the last bond change [\d.]+ s ago; no reply yet, for [\d.]+ s\.$/,
        );
        expect(why[0]).not.toContain("invisible to the MII monitor");
    });

    it("after restore: the ping answers again, its gap, lost and late counts agreeing with ping's own lines", () => {
        r.toEnd();
        const { lines } = readRecording(SEED);
        for (const ping of [forward(), back()]) {
            const again = s.events.find((e) => e.text.startsWith(`ping ${ping.from}→${ping.to}: answered again`))!;
            const [, gapMs, lost, late] =
                /after (\d+) ms without a reply \((\d+) probes? lost(?:, (\d+) answered late)?\)$/
                    .exec(again.text)!
                    .map((x) => Number(x ?? 0));
            // Counted again from ping's raw lines: a probe -O reported unanswered (or an ICMP error
            // answered) is lost unless a reply to it came after all, then it was late (held in ARP's queue).
            const raw = lines.filter((l) => l.node === ping.from && l.line).map((l) => parseAgentLine(l.line!));
            const reported = new Map<number, number>();
            const replied = new Map<number, number>();
            for (const l of raw) {
                if (l?.kind === "no-answer" || l?.kind === "ping-error")
                    if (!reported.has(l.seq)) reported.set(l.seq, l.at ?? 0);
                if (l?.kind === "reply" && !replied.has(l.seq)) replied.set(l.seq, l.at);
            }
            const quiet = [...reported.keys()];
            expect(lost).toBe(quiet.filter((seq) => !replied.has(seq)).length);
            expect(late).toBe(quiet.filter((seq) => replied.has(seq)).length);
            const firstQuiet = Math.min(...quiet);
            // The silence: from the last reply before the run to the first after it, late or not.
            const firstBack = Math.min(...[...replied].filter(([seq]) => seq >= firstQuiet).map(([, at]) => at));
            const lastBefore = Math.max(...[...replied].filter(([seq]) => seq < firstQuiet).map(([, at]) => at));
            expect(gapMs).toBe(Math.round(firstBack - lastBefore));
            expect(ping.lostSince).toBeNull();
        }
        expect(s.nodes.centralRouter.tick?.active).toBe("eth1");
        expect(hasEvent(r.model, "centralRouter", /^eth1: set up, MII up; active slave eth2 → eth1$/)).toBe(true);
        expect(hasEvent(r.model, "centralRouter", /^verify passed on both routers$/)).toBe(true);
        expect(whyLines(s)).toEqual([]);
    });
});

describe("the frame docs/watch.md shows", () => {
    it("is what the view draws from the committed recording at that moment", () => {
        const text = fs.readFileSync(SEED.replace(/\.jsonl$/, ".txt"), "utf8").trimEnd();
        const [, clockShown] = /· active-backup {3}(\S+) \(the Docker host's clock\)/.exec(text)!;
        const r = replay(SEED);
        r.until(() => clock(r.model.state.now) === clockShown);
        const { header } = readRecording(SEED);
        const frame = renderFrame(r.model.state, {
            width: 119,
            eventRows: 14,
            color: false,
            footer: [`replay of docs/watch/seed-admin-down.jsonl (recorded ${header.recorded})`],
        });
        expect(frame.split("\n").map((l) => l.trimEnd())).toEqual(text.split("\n").map((l) => l.trimEnd()));
    });
});

describe("LACP watched: ch1 cut, restored, then silent", () => {
    const r = replay(LACP);
    const s = r.model.state;
    const noted = (text: string) => () => s.events.some((e) => e.text.startsWith(`you: ${text}`));

    it("survives a cut cable: both ends lose carrier, and any probe lost is answered for again before ch1 is back", () => {
        r.until(noted("cut ch1"));
        const cutAt = s.events[s.events.length - 1].at;
        r.until(noted("restore"));
        const during = s.events.filter((e) => e.at >= cutAt);
        const silences = during.filter((e) => /: no reply to icmp_seq/.test(e.text)).length;
        const recoveries = during.filter((e) => /: answered again after/.test(e.text)).length;
        expect(recoveries).toBe(silences);
        for (const ping of Object.values(s.pings)) expect(ping.lostSince).toBeNull();
        for (const router of ["inetRouter", "centralRouter"])
            expect(hasEvent(r.model, router, /^eth1: carrier lost, MII down, link failure count \d+$/)).toBe(true);
    });

    it("logs every LACP state change with the bits that changed, as the state bytes say", () => {
        r.until(() => s.events.some((e) => /verify passed/.test(e.text)));
        const changes = s.events.flatMap((e) => [
            ...e.text.matchAll(/(actor|partner) state (\d+) → (\d+) \(([^)]*)\)/g),
        ]);
        expect(changes.length).toBeGreaterThan(4);
        for (const [, , was, now, diff] of changes) {
            const [a, b] = [lacpBits(Number(was)), lacpBits(Number(now))];
            const expected = [
                ...b.filter((x) => !a.includes(x)).map((x) => `+${x}`),
                ...a.filter((x) => !b.includes(x)).map((x) => `-${x}`),
            ];
            expect(diff.split(" ")).toEqual(expected);
        }
        // Back in the aggregate at both ends: collecting and distributing, the partner in sync.
        for (const router of ["inetRouter", "centralRouter"]) {
            const eth1 = s.nodes[router].tick!.slaves.find((x) => x.name === "eth1")!;
            expect(lacpBits(eth1.actor)).toEqual(
                expect.arrayContaining(["synchronization", "collecting", "distributing"]),
            );
            expect(lacpBits(eth1.partner)).toEqual(
                expect.arrayContaining(["synchronization", "collecting", "distributing"]),
            );
        }
        expect(whyLines(s)).toEqual([]);
    });

    it("on a silent channel: the LACPDUs stop, the port leaves the aggregate, the ping comes back and why says so", () => {
        r.until(noted("ch1 keeps carrier"));
        r.toEnd();
        for (const router of ["inetRouter", "centralRouter"]) {
            expect(
                hasEvent(r.model, router, /^eth1: actor state 63 → \d+ \(\+expired -collecting -distributing\)/),
            ).toBe(true);
            const eth1 = s.nodes[router].tick!.slaves.find((x) => x.name === "eth1")!;
            // Carrier and MII stay up: only LACP sees the silence.
            expect(eth1).toMatchObject({ carrier: true, mii: "up" });
            expect(lacpBits(eth1.actor)).toContain("defaulted");
            expect(lacpBits(eth1.actor)).not.toContain("distributing");
        }
        const silentAt = s.events.find((e) => e.text.startsWith("you: ch1 keeps carrier"))!.at;
        const back = s.events.filter((e) => e.at > silentAt && /answered again/.test(e.text));
        expect(back.length).toBeGreaterThan(0);
        for (const ping of Object.values(s.pings)) expect(ping.lostSince).toBeNull();
        const why = whyLines(s);
        const deaf = (router: string) =>
            `${router}'s eth1 (ch1) hears no LACPDU from its partner (defaulted): ` +
            "LACP takes the port out of the aggregate, so the traffic stays on the other channels.";
        expect(why).toEqual([deaf("inetRouter"), deaf("centralRouter")]);
    });
});

describe("actions from a key or a request", () => {
    const lab = labOfSubject("dev", "seed");

    it("are checked against the lab's channels and routers before anything runs", () => {
        expect(checkAction({ kind: "cut", channel: "ch1", router: "inetRouter" }, lab)).toEqual({
            kind: "cut",
            channel: "ch1",
            router: "inetRouter",
        });
        expect(() => checkAction({ kind: "rm -rf", channel: "ch1", router: "inetRouter" }, lab)).toThrow(
            /unknown action "rm -rf": use one of admin-down, admin-up, cut, silent, one-way, degraded, restore/,
        );
        expect(() => checkAction({ kind: "cut", channel: "ch9", router: "inetRouter" }, lab)).toThrow(
            /unknown channel "ch9": use one of ch1, ch2/,
        );
        expect(() => checkAction({ kind: "cut", channel: "ch1", router: "toString" }, lab)).toThrow(
            /unknown router "toString"/,
        );
    });
});

describe("a recording that is not one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "watch-"));
    const write = (text: string) => {
        const file = path.join(dir, `r${Math.random()}.jsonl`);
        fs.writeFileSync(file, text);
        return file;
    };
    const header = fs.readFileSync(SEED, "utf8").split("\n")[0];

    it("is refused with the line that is wrong", () => {
        expect(() => readRecording(write("hello\n"))).toThrow(/:1: not JSON/);
        expect(() => readRecording(write('{"format":"other"}\n'))).toThrow(/:1: not a bondlab watch recording/);
        expect(() => readRecording(write(`${header}\n{"t":1,"node":"nobody","line":"x"}\n`))).toThrow(
            /:2: not a recorded line/,
        );
        expect(() => readRecording(path.join(dir, "missing.jsonl"))).toThrow(/cannot read the recording .*ENOENT/);
    });
});

describe("the agent (watch/sh/watch.sh) on a bond's sysfs", () => {
    const ROOT = path.join(__dirname, "..", "..");
    /** A bond's sysfs as the kernel writes it: one value per file, an empty file for none. */
    function sysfs(files: Record<string, string>): string {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-sysfs-"));
        for (const [file, value] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), value);
        }
        return root;
    }
    const slave = (name: string, mii: string, failures: string, agg: string) => ({
        [`${name}/bonding_slave/mii_status`]: `${mii}\n`,
        [`${name}/bonding_slave/link_failure_count`]: `${failures}\n`,
        [`${name}/bonding_slave/ad_aggregator_id`]: `${agg}\n`,
        [`${name}/bonding_slave/ad_actor_oper_port_state`]: "61\n",
        [`${name}/bonding_slave/ad_partner_oper_port_state`]: "5\n",
        [`${name}/statistics/tx_packets`]: "42\n",
        [`${name}/statistics/rx_packets`]: "46\n",
        [`${name}/carrier`]: "1\n",
        [`${name}/flags`]: "0x1003\n",
    });
    /** The agent's first tick, without a peer (its ticks are then paced by a sleep). */
    function firstTick(root: string): string {
        const r = spawnSync("sh", ["-c", `(sleep 1; exit 0) | sh ${path.join(ROOT, "watch", "sh", "watch.sh")}`], {
            encoding: "utf8",
            env: { ...process.env, WATCH_SYSFS: root, WATCH_BOND: "bond0", WATCH_PEER: "" },
        });
        return r.stdout
            .split("\n")
            .find((l) => l.startsWith("tick "))!
            .replace(/^tick \d+/, "tick T");
    }

    it("reads 802.3ad: the aggregator, each slave's MII in one word, failures, counters and LACP bytes", () => {
        const root = sysfs({
            "bond0/bonding/mode": "802.3ad 4\n",
            "bond0/bonding/active_slave": "",
            "bond0/bonding/slaves": "eth1 eth2\n",
            "bond0/bonding/ad_aggregator": "2\n",
            ...slave("eth1", "up", "0", "2"),
            ...slave("eth2", "going down", "3", "1"),
        });
        expect(firstTick(root)).toBe(
            "tick T active=- agg=2 slave=eth1:up:1:up:0:42:46:2:61:5 slave=eth2:up:1:going-down:3:42:46:1:61:5",
        );
    });

    it("says None where an active-backup bond has no active slave, and no aggregator where 802.3ad has none", () => {
        const backup = sysfs({
            "bond0/bonding/mode": "active-backup 1\n",
            "bond0/bonding/active_slave": "",
            "bond0/bonding/slaves": "eth1\n",
            ...slave("eth1", "down", "1", "N/A"),
        });
        expect(firstTick(backup)).toBe("tick T active=None agg=- slave=eth1:up:1:down:1:42:46:-:-:-");
        const lacp = sysfs({
            "bond0/bonding/mode": "802.3ad 4\n",
            "bond0/bonding/slaves": "",
            "bond0/bonding/ad_aggregator": "0\n",
        });
        expect(firstTick(lacp)).toBe("tick T active=- agg=-");
        expect(firstTick(sysfs({ "lo/flags": "0x9\n" }))).toBe("tick T error=no-bond");
    });

    /**
     * The agent's lines with the stand-ins in `bin` first on PATH and a minute's tick: stdin
     * stays open until a stand-in touches `printed` (and its lines are read), and closing it
     * ends the agent.
     */
    function agentLines(bin: string, printed: string, root: string, peer: string): string[] {
        const input = `until [ -e ${printed} ]; do sleep 0.05; done; sleep 0.5`;
        const r = spawnSync("sh", ["-c", `(${input}) | sh ${path.join(ROOT, "watch", "sh", "watch.sh")}`], {
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${bin}:${process.env.PATH}`,
                WATCH_SYSFS: root,
                WATCH_PEER: peer,
                WATCH_TICK: "60",
            },
        });
        return r.stdout.split("\n").filter((l) => l !== "");
    }

    it("prints every probe's line, and ticks on them at most every --tick seconds", () => {
        // Stand-ins: a ping whose five lines come at once, then nothing more, and a kernel that
        // sends no link event. With a minute's tick only the first line is followed by a tick.
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-ping-"));
        const printed = path.join(bin, "printed");
        fs.writeFileSync(
            path.join(bin, "ping"),
            [
                "#!/bin/sh",
                "for seq in 1 2 3 4 5; do",
                '    echo "[1796589735.$seq] 64 bytes from 192.168.1.2: icmp_seq=$seq ttl=64 time=0.5 ms"',
                "done",
                `touch ${printed}`,
                "exec sleep 60",
            ].join("\n"),
            { mode: 0o755 },
        );
        fs.writeFileSync(path.join(bin, "ip"), "#!/bin/sh\nexec sleep 60\n", { mode: 0o755 });
        const root = sysfs({
            "bond0/bonding/mode": "active-backup 1\n",
            "bond0/bonding/active_slave": "eth1\n",
            "bond0/bonding/slaves": "eth1\n",
            ...slave("eth1", "up", "0", "N/A"),
        });
        const lines = agentLines(bin, printed, root, "192.168.1.2");
        expect(lines.filter((l) => l.includes("icmp_seq="))).toHaveLength(5);
        expect(lines.filter((l) => l.startsWith("tick "))).toHaveLength(1);
        // The tick follows the first probe's line.
        expect(lines.findIndex((l) => l.startsWith("tick "))).toBe(
            lines.findIndex((l) => l.includes("icmp_seq=1 ")) + 1,
        );
    });

    it("ticks on each of the kernel's link events as well as on its pacer, and prints none of the events", () => {
        // A stand-in for `ip -o monitor link`: two RTM_NEWLINK lines, as a slave going down and
        // the bond's failover print them, then nothing more. The pacer ticks once (a minute's idle
        // tick), so every further tick is an event's.
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-ip-"));
        const printed = path.join(bin, "printed");
        fs.writeFileSync(
            path.join(bin, "ip"),
            [
                "#!/bin/sh",
                '[ "$*" = "-o monitor link" ] || exit 1',
                'echo "3: eth1: <BROADCAST,MULTICAST,SLAVE> mtu 1500 master bond0 state DOWN"',
                'echo "4: bond0: <BROADCAST,MULTICAST,MASTER,UP,LOWER_UP> mtu 1500 state UP"',
                `touch ${printed}`,
                "exec sleep 60",
            ].join("\n"),
            { mode: 0o755 },
        );
        const root = sysfs({
            "bond0/bonding/mode": "active-backup 1\n",
            "bond0/bonding/active_slave": "eth2\n",
            "bond0/bonding/slaves": "eth1 eth2\n",
            ...slave("eth1", "down", "1", "N/A"),
            ...slave("eth2", "up", "0", "N/A"),
        });
        const lines = agentLines(bin, printed, root, "");
        expect(lines.filter((l) => l.startsWith("tick "))).toHaveLength(3);
        expect(lines.every((l) => /^(hello|option|tick) /.test(l))).toBe(true);
        expect(lines.at(-1)).toMatch(
            /^tick \d+ active=eth2 agg=- slave=eth1:up:1:down:1:42:46:-:-:- slave=eth2:up:1:up:0/,
        );
    });
});
