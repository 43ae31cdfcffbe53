import { loadAnyLab } from "../../components/labfile/load";
import { endBondOptions } from "../../components/node-settings";
import { Bound, bondSettings, boundExceeded, formatBound, monitorOf, predictBound } from "../../drill/bounds";

// The outage bound the bond's options predict, per variant and fault: pure arithmetic.

const ROUTERS = ["inetRouter", "centralRouter"] as const;
/** A variant's bond settings as the kernel takes them (primary as a slave, peer as an address). */
const settingsOf = (variant: string, overrides = {}) => {
    const link = loadAnyLab(variant, overrides).link!;
    return bondSettings(Object.fromEntries(endBondOptions(link, link.ends[0])));
};
const ms = (b: Bound) => (b.kind === "ms" ? b.ms : b.kind);

describe("bondSettings", () => {
    it("reads the options as sysfs shows them (first word of each)", () => {
        const s = bondSettings({
            mode: "802.3ad 4",
            miimon: "100",
            lacp_rate: "fast 1",
            updelay: "0",
            downdelay: "200",
            arp_interval: "0",
            arp_ip_target: "",
        });
        expect(s).toMatchObject({
            mode: "802.3ad",
            miimon: 100,
            lacpRate: "fast",
            downdelay: 200,
            arpInterval: 0,
            arpTargets: 0,
        });
        const ab = bondSettings({
            mode: "active-backup 1",
            arp_interval: "200",
            arp_ip_target: "192.168.1.2",
            arp_missed_max: "3",
            primary: "eth1",
            primary_reselect: "always 0",
        });
        expect(ab).toMatchObject({
            mode: "active-backup",
            arpInterval: 200,
            arpTargets: 1,
            arpMissedMax: 3,
            primary: "eth1",
            primaryReselect: "always",
        });
        expect(monitorOf(ab)).toBe("arp");
    });

    it("reads a lab file's options, with the kernel's defaults for what is not given", () => {
        expect(settingsOf("seed")).toMatchObject({
            mode: "active-backup",
            miimon: 100,
            arpMissedMax: 2,
            lacpRate: "slow",
            primary: "eth1",
        });
        expect(settingsOf("arp-monitor")).toMatchObject({ arpInterval: 200, arpTargets: 1, miimon: 0 });
        // 802.3ad, balance-tlb and balance-alb get miimon 100 from the kernel when nothing monitors.
        expect(bondSettings({ mode: "balance-alb" }).miimon).toBe(100);
        expect(bondSettings({ mode: "balance-rr" }).miimon).toBe(0);
    });
});

describe("predictBound", () => {
    it("seed, eth1 down inside one router: never (the far end's MII monitor sees its carrier, which the bridge keeps up)", () => {
        const b = predictBound(settingsOf("seed"), "admin-down", ROUTERS, "centralRouter");
        expect(b.kind).toBe("never");
        expect(b.formula).toMatch(/inetRouter's MII monitor sees only its own carrier/);
    });

    it(
        "ARP monitoring in active-backup: arp_interval x (arp_missed_max + 1.5), plus an interval to probe the idle backup, " +
            "for any fault on the path",
        () => {
            const s = settingsOf("arp-monitor");
            for (const fault of ["admin-down", "cut", "silent"] as const) {
                expect(predictBound(s, fault, ROUTERS, "centralRouter")).toEqual({
                    kind: "ms",
                    ms: 900,
                    formula: "arp_interval 200 x (arp_missed_max 2 + 1.5) + 200 to probe the idle backup",
                });
            }
            expect(ms(predictBound({ ...s, arpMissedMax: 5 }, "silent", ROUTERS))).toBe(1500);
        },
    );

    it("ARP monitoring in the load-balancing modes: every slave is probed, no backup to wake", () => {
        const s = { ...settingsOf("balance-xor"), miimon: 0, arpInterval: 100, arpTargets: 1 };
        expect(predictBound(s, "cut", ROUTERS)).toEqual({
            kind: "ms",
            ms: 350,
            formula: "arp_interval 100 x (arp_missed_max 2 + 1.5)",
        });
    });

    it("seed on one segment, eth1 down inside one router: only that router's MII monitor must act", () => {
        const b = predictBound(settingsOf("seed"), "admin-down", ROUTERS, "centralRouter", true);
        expect(b).toEqual({
            kind: "ms",
            ms: 100,
            formula: "miimon 100 + downdelay 0 on centralRouter (one segment: the peer need not notice)",
        });
    });

    it("LACP: the far end drops the partner after 3 LACPDU periods: 3 s fast, 90 s slow", () => {
        expect(ms(predictBound(settingsOf("lacp"), "admin-down", ROUTERS, "centralRouter"))).toBe(3000);
        expect(ms(predictBound(settingsOf("lacp"), "silent", ROUTERS))).toBe(3000);
        expect(ms(predictBound(settingsOf("lacp", { lacp_rate: "slow" }), "admin-down", ROUTERS, "inetRouter"))).toBe(
            90000,
        );
        // A lost carrier the MII monitor sees at both ends: miimon.
        expect(ms(predictBound(settingsOf("lacp"), "cut", ROUTERS))).toBe(100);
    });

    it("MII: a cut cable is seen at both ends within miimon + downdelay; a silent channel never", () => {
        expect(predictBound(settingsOf("seed"), "cut", ROUTERS)).toEqual({
            kind: "ms",
            ms: 100,
            formula: "miimon 100 + downdelay 0",
        });
        expect(ms(predictBound(settingsOf("seed", { downdelay: 200 }), "cut", ROUTERS))).toBe(300);
        expect(predictBound(settingsOf("seed"), "silent", ROUTERS).kind).toBe("never");
        for (const v of ["balance-rr", "balance-xor", "balance-tlb", "balance-alb"]) {
            expect(ms(predictBound(settingsOf(v), "cut", ROUTERS))).toBe(100);
            expect(predictBound(settingsOf(v), "admin-down", ROUTERS, "centralRouter").kind).toBe("never");
        }
    });

    it("one way: only the router that hears nothing can notice; the ARP monitor of active-backup never gets out", () => {
        const arp = predictBound(settingsOf("arp-monitor"), "one-way", ROUTERS, "centralRouter");
        expect(arp.kind).toBe("never");
        expect(arp.formula).toMatch(
            /^never: centralRouter's ARP probes still cross the channel and hold the peer on it/,
        );
        // On one segment the peer's answer can take the other channel: the usual ARP bound.
        expect(ms(predictBound(settingsOf("arp-monitor"), "one-way", ROUTERS, "centralRouter", true))).toBe(900);
        // LACP: the deaf end's partner expires, then defaults a short timeout later, and only
        // then do its LACPDUs stop claiming sync and take the peer off the channel: the first
        // such LACPDU may wait 300 ms (3 a second at most), and the peer acts at its next tick.
        expect(predictBound(settingsOf("lacp"), "one-way", ROUTERS, "centralRouter")).toEqual({
            kind: "ms",
            ms: 6400,
            formula:
                "LACP fast: 3 x 1 s until centralRouter's partner expires + 3 s until it defaults " +
                "+ 300 ms LACPDU transmit limit + 100 ms the peer's tick",
        });
        expect(ms(predictBound(settingsOf("lacp", { lacp_rate: "slow" }), "one-way", ROUTERS, "centralRouter"))).toBe(
            93400,
        );
        expect(predictBound(settingsOf("seed"), "one-way", ROUTERS, "centralRouter").formula).toMatch(
            /^never: the MII monitor reads carrier/,
        );
        expect(predictBound(settingsOf("broadcast"), "one-way", ROUTERS, "centralRouter").kind).toBe("none");
    });

    it("broadcast: no outage expected, every frame also crosses the other channel", () => {
        for (const fault of ["admin-down", "cut", "silent", "one-way", "return", "flap"] as const) {
            expect(predictBound(settingsOf("broadcast"), fault, ROUTERS, "centralRouter").kind).toBe("none");
        }
        expect(predictBound(settingsOf("broadcast"), "degrade", ROUTERS).kind).toBe("n/a");
    });

    it("failback: miimon + updelay when the primary takes over again; nothing when traffic stays on the backup", () => {
        expect(predictBound(settingsOf("seed"), "return", ROUTERS)).toEqual({
            kind: "ms",
            ms: 100,
            formula: "miimon 100 + updelay 0",
        });
        expect(ms(predictBound(settingsOf("seed", { updelay: 500 }), "return", ROUTERS))).toBe(600);
        expect(predictBound(settingsOf("seed", { primary_reselect: "failure" }), "return", ROUTERS).kind).toBe("none");
        expect(
            predictBound(settingsOf("seed", { primary: null, primary_reselect: null }), "return", ROUTERS).kind,
        ).toBe("none");
        expect(ms(predictBound(settingsOf("arp-monitor"), "return", ROUTERS))).toBe(900);
        expect(ms(predictBound(settingsOf("balance-rr"), "return", ROUTERS))).toBe(100);
    });

    it("failback in 802.3ad: the LACPDU exchange that makes the port distribute, not the MII monitor", () => {
        // Measured 127-130 ms on lacp/flapping (docs/drill/report.json): more than miimon 100,
        // within the 300 ms transmit limit + the 100 ms tick.
        expect(predictBound(settingsOf("lacp"), "return", ROUTERS)).toEqual({
            kind: "ms",
            ms: 400,
            formula: "LACP: 300 ms LACPDU transmit limit + 100 ms the peer's tick",
        });
        expect(ms(predictBound(settingsOf("lacp", { updelay: 500 }), "return", ROUTERS))).toBe(400);
    });

    it("flapping: the worse of leaving and taking back the channel", () => {
        expect(ms(predictBound(settingsOf("seed", { updelay: 400 }), "flap", ROUTERS))).toBe(500);
        expect(ms(predictBound(settingsOf("seed", { downdelay: 300 }), "flap", ROUTERS))).toBe(400);
    });

    it("a degraded channel has no bound: carrier and LACPDUs stay", () => {
        expect(predictBound(settingsOf("lacp"), "degrade", ROUTERS).kind).toBe("n/a");
        expect(predictBound(settingsOf("arp-monitor"), "degrade", ROUTERS).formula).toMatch(/arp_missed_max/);
    });

    it("no monitor at all: never", () => {
        const s = bondSettings({ mode: "balance-rr" });
        expect(monitorOf(s)).toBe("none");
        expect(predictBound(s, "cut", ROUTERS).kind).toBe("never");
    });
});

describe("boundExceeded", () => {
    it("allows two probe intervals: a gap between replies is up to two intervals longer than the outage", () => {
        const b: Bound = { kind: "ms", ms: 600, formula: "" };
        expect(boundExceeded(b, 630, 20)).toBe(false);
        expect(boundExceeded(b, 641, 20)).toBe(true);
        expect(boundExceeded({ kind: "none", formula: "" }, 35, 20)).toBe(false);
        expect(boundExceeded({ kind: "none", formula: "" }, 60, 20)).toBe(true);
        expect(boundExceeded({ kind: "never", formula: "" }, 1e9, 20)).toBe(false);
    });

    it("formats bounds for the table", () => {
        expect(formatBound({ kind: "ms", ms: 600, formula: "" })).toBe("600 ms");
        expect(formatBound({ kind: "never", formula: "" })).toBe("never");
        expect(formatBound({ kind: "none", formula: "" })).toBe("0 ms");
    });
});
