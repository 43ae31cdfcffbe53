import * as fs from "fs";
import * as path from "path";
import { parseActionTimes } from "../../drill/lab";
import { analyzeDirection, combineDirections, rttStats } from "../../drill/outage";
import { parsePing } from "../../drill/ping";
import { carriage, carriers, nsToMs, parseProbeOutput, parseSnapshot } from "../../drill/probe";
import { faultTimes } from "../../drill/scenarios";

// The drill's parsing and outage arithmetic, on probe outputs captured on the lab host VM
// (fixtures/drill/<variant>.<row>.<router>.txt, as `npm run drill -- --raw` keeps them) and
// on small hand-made ping outputs for the corner cases.

const FIXTURES = path.join(__dirname, "fixtures", "drill");
const probe = (name: string) => parseProbeOutput(fs.readFileSync(path.join(FIXTURES, `${name}.txt`), "utf8"));
const fault = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.fault.json`), "utf8"));
const analyze = (name: string, router: string) => {
    const out = probe(`${name}.${router}`);
    const f = fault(name);
    return analyzeDirection(out.ping, {
        startAt: out.startAt,
        stopAt: out.stopAt,
        faultAt: f.at,
        faultEndAt: Math.max(f.done, ...f.backs),
    });
};

describe("parsePing", () => {
    it("reads replies with their -D timestamps, sequence and round trip", () => {
        const out = parsePing(
            [
                "PING 192.168.1.2 (192.168.1.2) 56(84) bytes of data.",
                "[1795661559.505368] 64 bytes from 192.168.1.2: icmp_seq=1 ttl=64 time=0.979 ms",
                "[1795661559.527099] 64 bytes from 192.168.1.2: icmp_seq=3 ttl=64 time=0.582 ms",
                "",
                "--- 192.168.1.2 ping statistics ---",
                "3 packets transmitted, 2 received, 33.3333% packet loss, time 40ms",
                "rtt min/avg/max/mdev = 0.582/0.780/0.979/0.198 ms",
            ].join("\n"),
        );
        expect(out.peer).toBe("192.168.1.2");
        expect(out.replies).toEqual([
            { seq: 1, at: 1795661559505.368, rttMs: 0.979 },
            { seq: 3, at: 1795661559527.099, rttMs: 0.582 },
        ]);
        expect(out.transmitted).toBe(3);
        expect(out.received).toBe(2);
    });

    it("counts DUP! replies (broadcast mode answers once per channel) as duplicates, not replies", () => {
        const out = parsePing(
            [
                "[1795661559.505368] 64 bytes from 192.168.1.2: icmp_seq=1 ttl=64 time=0.979 ms",
                "[1795661559.505901] 64 bytes from 192.168.1.2: icmp_seq=1 ttl=64 time=1.51 ms (DUP!)",
                "[1795661559.525368] 64 bytes from 192.168.1.2: icmp_seq=2 ttl=64 time=0.8 ms",
                "2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 20ms",
            ].join("\n"),
        );
        expect(out.replies.map((r) => r.seq)).toEqual([1, 2]);
        expect(out.duplicates).toBe(1);
        expect(out.received).toBe(2);
    });

    it("reads ICMP errors and the summary with errors", () => {
        const out = parsePing(
            [
                "[1795661559.505368] From 192.168.1.1 icmp_seq=7 Destination Host Unreachable",
                "9 packets transmitted, 0 received, +1 errors, 100% packet loss, time 90ms",
            ].join("\n"),
        );
        expect(out.errors).toEqual([{ seq: 7, at: 1795661559505.368, text: "Destination Host Unreachable" }]);
        expect(out.replies).toEqual([]);
        expect(out.transmitted).toBe(9);
    });

    it("keeps sequence numbers growing past icmp_seq 65535", () => {
        const out = parsePing(
            [65534, 65535, 0, 1]
                .map((s, i) => `[1795661559.${500 + i}000] 64 bytes from 192.168.1.2: icmp_seq=${s} ttl=64 time=0.5 ms`)
                .join("\n"),
        );
        expect(out.replies.map((r) => r.seq)).toEqual([65534, 65535, 65536, 65537]);
    });

    it("parses a captured probe: as many replies as ping's own summary says", () => {
        const out = probe("arp-monitor.admin-down-centralRouter.inetRouter");
        expect(out.ping.transmitted).toBe(514);
        expect(out.ping.received).toBe(462);
        expect(out.ping.replies).toHaveLength(462);
        expect(out.ping.duplicates).toBe(0);
        expect(out.startAt).toBeCloseTo(1795662589807.032, 3);
        expect(out.stopAt).toBeCloseTo(1795662602867.914, 3);
        expect(out.snapshots.map((s) => s.label)).toEqual(["b0", "b1", "a0", "a1"]);
    });
});

describe("snapshots and counters", () => {
    it("parses a snapshot line: active slave, per-slave MII, failures and packet counters, load", () => {
        expect(
            parseSnapshot(
                "snap b1 1795662594485299850 load=3.20 active=eth1 slave=eth1:up:22:14589:14804 slave=eth2:down:25:5971:5993",
            ),
        ).toEqual({
            label: "b1",
            at: 1795662594485.29985,
            load: 3.2,
            active: "eth1",
            slaves: [
                { name: "eth1", mii: "up", failures: 22, tx: 14589, rx: 14804 },
                { name: "eth2", mii: "down", failures: 25, tx: 5971, rx: 5993 },
            ],
        });
        expect(parseSnapshot("snap a0 1795662594485299850 slave=eth1:up:0:1:2")!.active).toBeNull();
        expect(parseSnapshot("ready 1795662594485299850")).toBeNull();
    });

    it("converts date +%s%N without losing the microseconds", () => {
        expect(nsToMs("1795662594485299850")).toBe(1795662594485.29985);
        expect(nsToMs("garbage")).toBeNaN();
    });

    it("tells which slave carried the probes before and after the failover (captured, arp-monitor)", () => {
        const [b0, b1, a0, a1] = probe("arp-monitor.admin-down-centralRouter.inetRouter").snapshots;
        const before = carriage(b0, b1);
        const after = carriage(a0, a1);
        expect(before.tx).toEqual({ eth1: 246, eth2: 0 });
        expect(carriers(before.tx)).toBe("eth1");
        expect(after.active).toBe("eth2");
        expect(carriers(after.tx)).toBe("eth2");
        expect(carriers(after.rx)).toBe("eth2");
    });

    it("shows the seed's failure in the counters: inetRouter still sends on eth1, the replies arrive on eth2", () => {
        const [, , a0, a1] = probe("seed.admin-down-centralRouter.inetRouter").snapshots;
        const after = carriage(a0, a1);
        expect(after.active).toBe("eth1");
        expect(carriers(after.tx)).toBe("eth1");
        expect(carriers(after.rx)).toBe("eth2");
    });

    it("names both slaves when both carry a real share, none when nothing moved", () => {
        expect(carriers({ eth1: 50, eth2: 48 })).toBe("eth1+eth2");
        expect(carriers({ eth1: 100, eth2: 3 })).toBe("eth1");
        expect(carriers({ eth1: 1, eth2: 0 })).toBe("-");
    });

    it("reads a fault's times; the kernel's port events give the fault time and the skew between the cable's ends", () => {
        const t = parseActionTimes(
            [
                "at 1795663180605146960",
                "done 1795663181524589690",
                "port veth77bf482 1795663181162680000",
                "port veth4b72d28 1795663181280157000",
            ].join("\n"),
        );
        expect(t.ports.map((p) => p.name)).toEqual(["veth77bf482", "veth4b72d28"]);
        const f = faultTimes(t);
        expect(f.at).toBeCloseTo(1795663181162.68, 2);
        expect(f.issued).toBeCloseTo(1795663180605.147, 2);
        expect(f.skewMs).toBe(117);
        const flap = parseActionTimes(
            "at 1000000000000000000\ncut 1000000000100000000\nback 1000000000400000000\ndone 1000000000500000000\n",
        );
        expect(flap.cuts).toEqual([1000000000100]);
        expect(flap.backs).toEqual([1000000000400]);
        expect(faultTimes(flap).skewMs).toBeNull();
    });
});

describe("analyzeDirection on captured probes", () => {
    it("seed, eth1 down inside centralRouter: inetRouter's probes never come back (open outage, no recovery)", () => {
        const a = analyze("seed.admin-down-centralRouter", "inetRouter");
        expect(a.outcome).toBe("down");
        expect(a.open).toBe(true);
        expect(a.recoveredAfterMs).toBeNull();
        expect(a.lost).toBe(294);
        expect(a.outages).toHaveLength(1);
        expect(a.outages[0].firstSeq).toBe(207);
        // From the last reply (seq 206) to the stop: at least this long, still going.
        expect(a.outageMs).toBeCloseTo(1795662761248.646 - 1795662755146.673, 0);
        expect(a.tailLossPct).toBe(100);
    });

    it("arp-monitor, eth1 down inside centralRouter: a 709 ms gap, then the path is back on eth2", () => {
        const a = analyze("arp-monitor.admin-down-centralRouter", "inetRouter");
        expect(a.outcome).toBe("recovered");
        expect(a.open).toBe(false);
        // The gap awk finds in the capture: seq 234..275 lost, 708.7 ms between the replies around it.
        expect(a.outages[0]).toMatchObject({ firstSeq: 234, lastSeq: 275, lost: 42 });
        expect(a.outageMs).toBeCloseTo(708.7, 0);
        expect(a.lost).toBe(52);
        expect(a.recoveredAfterMs).toBeGreaterThan(0);
        expect(a.recoveredAfterMs).toBeLessThan(1000);
        expect(a.tailLossPct).toBeLessThanOrEqual(10);
        const b = analyze("arp-monitor.admin-down-centralRouter", "centralRouter");
        expect(b.outageMs).toBeCloseTo(700.0, 0);
        const both = combineDirections(a, b);
        expect(both.outageMs).toBe(a.outageMs);
        expect(both.outcome).toBe("recovered");
        expect(both.lost).toBe(a.lost + b.lost);
    });

    it("seed, flapping: one outage per cut and return, the longest counted", () => {
        const a = analyze("seed.flapping", "inetRouter");
        expect(a.outages.map((o) => o.lost)).toEqual([13, 10, 2, 2, 5, 2, 6]);
        expect(a.outageMs).toBeCloseTo(509.0, 0);
        expect(a.outcome).toBe("recovered");
    });

    it("arp-monitor, degraded channel: scattered single losses, a longer round trip, no outage worth the name", () => {
        const a = analyze("arp-monitor.degraded", "inetRouter");
        expect(a.lossAfterFaultPct).toBeGreaterThan(10);
        expect(a.lossAfterFaultPct).toBeLessThan(30);
        expect(a.rttBefore!.p50).toBeLessThan(5);
        // 20 ms of netem each way: the round trip grows by about 40 ms.
        expect(a.rttAfter!.p50).toBeGreaterThan(38);
        expect(a.outages.filter((o) => o.lost === 1).length).toBeGreaterThan(a.outages.length / 2);
    });
});

describe("analyzeDirection corner cases", () => {
    const line = (seq: number, t: number, rtt = 0.5) =>
        `[${(t / 1000).toFixed(6)}] 64 bytes from 10.0.0.2: icmp_seq=${seq} ttl=64 time=${rtt} ms`;
    const run = (seqs: number[], transmitted: number, extra: Partial<{ faultAt: number; stopAt: number }> = {}) => {
        const text =
            seqs.map((s) => line(s, 1_000_000 + s * 10)).join("\n") +
            `\n${transmitted} packets transmitted, ${seqs.length} received`;
        return analyzeDirection(parsePing(text), {
            startAt: 1_000_000,
            stopAt: extra.stopAt ?? 1_000_000 + transmitted * 10,
            faultAt: extra.faultAt ?? 1_000_000 + 50,
        });
    };
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

    it("no loss: outcome no-loss, outage 0", () => {
        const a = run(range(1, 100), 100);
        expect(a).toMatchObject({ outcome: "no-loss", outageMs: 0, lost: 0, open: false });
    });

    it("does not count the last probes, still in flight when ping stopped, as an outage", () => {
        const a = run(range(1, 98), 100);
        expect(a.sent).toBe(98);
        expect(a.outcome).toBe("no-loss");
    });

    it("loss before the fault is not the fault's outage", () => {
        const a = run([...range(1, 3), ...range(8, 200)], 200, { faultAt: 1_000_000 + 1000 });
        expect(a.outages).toEqual([]);
        expect(a.lost).toBe(4);
        expect(a.outcome).toBe("no-loss");
    });

    it("every other probe lost to the end (round-robin into a dead channel): partial, not recovered", () => {
        const a = run(
            range(1, 400).filter((s) => s < 10 || s % 2 === 0),
            400,
        );
        expect(a.outcome).toBe("partial");
        expect(a.tailLossPct).toBeCloseTo(50, 0);
        expect(a.outageMs).toBeCloseTo(20, 5);
    });

    it("counts replies that overtake earlier ones (a delayed channel in round-robin)", () => {
        const text =
            [line(1, 1000), line(3, 1020), line(2, 1030), line(4, 1040)].join("\n") +
            "\n4 packets transmitted, 4 received";
        const a = analyzeDirection(parsePing(text), { startAt: 990, stopAt: 1300, faultAt: 995 });
        expect(a.reordered).toBe(1);
    });

    it("rttStats: median, 95th percentile, max", () => {
        expect(rttStats([5, 1, 3, 2, 4])).toEqual({ n: 5, p50: 3, p95: 5, max: 5 });
        expect(rttStats([])).toBeNull();
    });
});
