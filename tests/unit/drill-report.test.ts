import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dockerCliEnv } from "../../components/docker-endpoint";
import { verifyChecks } from "../../components/handle";
import { loadAnyLab } from "../../components/labfile/load";
import { endBondOptions } from "../../components/node-settings";
import { bondSettings, predictBound } from "../../drill/bounds";
import { explain } from "../../drill/explain";
import { LabAgents, inSubnet, labFromStack, labOfSubject, pickLab } from "../../drill/lab";
import { RegisteredResource, Stack } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { saveCheckpoint } from "../../engine/model-checkpoint";
import { parseProbeOutput, parseSnapshot } from "../../drill/probe";
import { analyzeRow, carryingChannel, postWindowS } from "../../drill/judge";
import { markdown, outageText, svgChart, tableLine, updateReport } from "../../drill/report";
import { DrillReport, RowResult } from "../../drill/result";
import { FaultTimes, parseScenarioList, planRows } from "../../drill/scenarios";

// From captured probe outputs to the report: the analysis of a whole row, the plain-words
// explanation, the Markdown and the SVG; and the lab of a stack from the handle the program publishes.

const FIXTURES = path.join(__dirname, "fixtures", "drill");
const ROUTERS: [string, string] = ["inetRouter", "centralRouter"];

/** A row of a captured run, analysed as the drill does at the end of it. */
function capturedRow(variant: string, rowId: string, options: Record<string, string> = {}): RowResult {
    const link = loadAnyLab(variant).link!;
    const lab = labOfSubject(`drill-${variant}`, variant);
    const settings = bondSettings({ ...Object.fromEntries(endBondOptions(link, link.ends[0])), ...options });
    const plan = planRows(lab, parseScenarioList(undefined)).find((r) => r.id === rowId)!;
    const bound = predictBound(settings, plan.fault, ROUTERS, plan.downedBy);
    const outputs = ROUTERS.map((r) =>
        parseProbeOutput(fs.readFileSync(path.join(FIXTURES, `${variant}.${rowId}.${r}.txt`), "utf8")),
    );
    const raw = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${variant}.${rowId}.fault.json`), "utf8"));
    const fault: FaultTimes = { issued: raw.at, skewMs: null, ...raw };
    const snaps = [0, 1, 2, 3].map((i) => outputs.map((o) => o.snapshots[i]));
    const channel = carryingChannel(lab, snaps[0], snaps[1]);
    return analyzeRow(lab, settings, plan, channel, bound, { preS: 1, postS: 4 }, fault, outputs, snaps);
}

describe("a whole row from captured probes", () => {
    const seed = capturedRow("seed", "admin-down-centralRouter");
    const arp = capturedRow("arp-monitor", "admin-down-centralRouter");
    // The same probes judged against a tighter setting: arp_interval 150, arp_missed_max 1 predict 525 ms.
    const arpTight = capturedRow("arp-monitor", "admin-down-centralRouter", {
        arp_missed_max: "1",
        arp_interval: "150",
    });

    it("seed: no recovery, bound never, the far router still sending on eth1, and why in plain words", () => {
        expect(seed).toMatchObject({
            outcome: "down",
            open: true,
            verdict: "fail",
            reasons: ["no recovery"],
            exceeded: false,
        });
        expect(seed.bound.kind).toBe("never");
        expect(seed.routers.inetRouter).toMatchObject({ txBefore: "eth1", txAfter: "eth1", rxAfter: "eth2" });
        expect(seed.routers.centralRouter).toMatchObject({ txBefore: "eth1", txAfter: "eth2" });
        expect(seed.routers.centralRouter.failures).toEqual({ eth1: 1, eth2: 0 });
        expect(seed.explanation).toMatch(/centralRouter left eth1, but inetRouter's eth1 kept its carrier/);
        expect(seed.explanation).toMatch(/sees only the local carrier and the bridge hides the far end/);
        expect(seed.explanation).toMatch(/ARP monitoring \(arp-monitor\) or LACP \(lacp\)/);
        // The receive side, from inetRouter's own counters, and the root cause.
        const dropped = seed.routers.inetRouter.after!.rx.eth2;
        expect(dropped).toBeGreaterThan(0);
        expect(seed.explanation).toContain(
            `inetRouter received ${dropped} frames from centralRouter on eth2, its inactive slave, and dropped them`,
        );
        expect(seed.explanation).toMatch(/The root cause is isolation: each channel is a wire of its own/);
        expect(outageText(seed)).toMatch(/^no recovery \(≥6\.\d s\)$/);
    });

    it("seed without primary: the same loss, and why eth1's return would not end it", () => {
        const noPrimary = capturedRow("seed", "admin-down-centralRouter", { primary: "", primary_reselect: "" });
        expect(noPrimary.outcome).toBe("down");
        expect(noPrimary.explanation).toContain(
            "Without primary, bringing eth1 back does not help either: nothing moves centralRouter's bond back to it",
        );
        expect(seed.explanation).not.toContain("Without primary");
    });

    it("arp-monitor: recovered on eth2 at both ends within the 900 ms its options predict, then lost the path again", () => {
        // Kept as measured: a second outage 1.7 s after the fault, in both directions at once,
        // while centralRouter's new active slave eth2 failed once. A recovery that did not hold.
        expect(arp).toMatchObject({
            outcome: "recovered",
            open: false,
            exceeded: false,
            verdict: "fail",
            reasons: ["relapse: lost again 1.7 s after the fault, for 546 ms"],
        });
        expect(arp.explanation).toBe(
            "The path came back after an outage of 709 ms, then was lost again 1.7 s after the fault, for 546 ms: " +
                "no router sent on eth1 again, but centralRouter's eth2 failed 1 time in the row: " +
                "the monitor dropped the slave it had failed over to, then took it back.",
        );
        expect(arp.outageMs).toBeCloseTo(708.7, 0);
        expect(arp.bound).toMatchObject({ kind: "ms", ms: 900 });
        expect(arp.routers.inetRouter).toMatchObject({ txBefore: "eth1", txAfter: "eth2" });
        expect(arp.routers.centralRouter).toMatchObject({ txBefore: "eth1", txAfter: "eth2" });
        expect(tableLine(arp, ROUTERS)).toMatch(
            /^arp-monitor\s+admin-down-centralRouter\s+709 ms\s+900 ms\s+\d+\/\d+\s+eth1→eth2\s+eth1→eth2\s+✗$/,
        );
    });

    it("the same outage against arp_interval 150, arp_missed_max 1: beyond 525 ms + two probe intervals, and why", () => {
        expect(arpTight).toMatchObject({
            outcome: "recovered",
            exceeded: true,
            verdict: "fail",
            reasons: ["bound exceeded", "relapse: lost again 1.7 s after the fault, for 546 ms"],
        });
        expect(arpTight.explanation).toMatch(/^709 ms of outage, beyond the 525 ms the options predict/);
        expect(arpTight.explanation).toMatch(/ARP monitor acts only on its ticks/);
        expect(tableLine(arpTight, ROUTERS)).toMatch(
            /^arp-monitor\s+admin-down-centralRouter\s+709 ms\s+525 ms\s+\d+\/\d+\s+eth1→eth2\s+eth1→eth2\s+✗$/,
        );
    });

    it("lacp: the far end drops the silent partner after 3 LACPDU periods: 2.7 s, within the 3 s bound", () => {
        const lacp = capturedRow("lacp", "admin-down-centralRouter");
        expect(lacp).toMatchObject({
            outcome: "recovered",
            exceeded: false,
            verdict: "pass",
            reasons: [],
            channel: { name: "ch1", interface: "eth1" },
        });
        expect(lacp.bound).toMatchObject({ kind: "ms", ms: 3000 });
        // awk on the captures: seq 218..359 lost, 2679.0 ms; the other way seq 191..318, 2724.0 ms.
        expect(lacp.directions["inetRouter->centralRouter"].outageMs).toBeCloseTo(2679.0, 0);
        expect(lacp.directions["centralRouter->inetRouter"].outageMs).toBeCloseTo(2724.0, 0);
        expect(lacp.outageMs).toBeCloseTo(2724.0, 0);
        expect(lacp.routers.inetRouter).toMatchObject({ txBefore: "eth1", txAfter: "eth2" });
        expect(lacp.routers.centralRouter.failures).toEqual({ eth1: 1, eth2: 0 });
        expect(lacp.explanation).toBeNull();
    });

    it("balance-tlb: loss from sending where the peer does not receive is named as such, not blamed on the degraded channel", () => {
        const tlb = bondSettings({ mode: "balance-tlb 5", miimon: "100" });
        const lab = labOfSubject("drill-balance-tlb", "balance-tlb");
        const view = (active: string, tx: string) => ({
            ...arp.routers.inetRouter,
            after: { ...arp.routers.inetRouter.after!, active },
            txAfter: tx,
        });
        const astray: RowResult = {
            ...arp,
            variant: "balance-tlb",
            mode: "balance-tlb",
            fault: "degrade",
            verdict: "info",
            routers: { inetRouter: view("eth1", "eth2"), centralRouter: view("eth1", "eth2") },
        };
        expect(explain(astray, tlb, lab)).toMatch(
            new RegExp(
                /^More than the degradation: .*balance-tlb receives only on its active slave \(eth1\) /.source +
                    /but spreads what it sends over every slave: inetRouter and centralRouter sent the probes on eth2/
                        .source,
            ),
        );
        const onActive = {
            ...astray,
            routers: { inetRouter: view("eth1", "eth1"), centralRouter: view("eth1", "eth1") },
        };
        expect(explain(onActive, tlb, lab)).toMatch(/^Part of the traffic crosses the bad channel/);
    });

    it("writes Markdown with the matrix, the explanations and the regenerating command", () => {
        const report: DrillReport = {
            title: "Failover drill",
            generatedAt: "2026-11-26T03:00:00.000Z",
            command: "npm run drill -- --matrix --out docs/drill",
            where: "somewhere",
            options: { intervalS: 0.01, preS: 1, minPostS: 3, maxPostS: 12, settleS: 2 },
            durationS: 120,
            variants: [
                {
                    stack: "drill-seed",
                    variant: "seed",
                    description: "d",
                    mode: "active-backup",
                    options: { mode: "active-backup 1", miimon: "100" },
                    settings: bondSettings({ mode: "active-backup" }),
                    rows: [seed],
                    hazards: [],
                    durationS: 60,
                },
                {
                    stack: "drill-arp-monitor",
                    variant: "arp-monitor",
                    description: "d",
                    mode: "active-backup",
                    options: {},
                    settings: bondSettings({ mode: "active-backup" }),
                    rows: [arpTight],
                    hazards: [],
                    durationS: 60,
                },
            ],
        };
        const md = markdown(report);
        expect(md).toContain("Regenerate: `npm run drill -- --matrix --out docs/drill`");
        expect(md).toContain("| scenario | seed | arp-monitor |");
        expect(md).toMatch(/\| admin-down-centralRouter \| ✗ no recovery \(≥6\.\d s\) \| ✗ 709 ms \|/);
        expect(md).toContain("**seed, admin-down-centralRouter** (no recovery): centralRouter left eth1");
        expect(md).toContain("| admin-down-centralRouter | ip link set eth1 down inside centralRouter | no recovery");
        const svg = svgChart(report);
        expect(svg.startsWith("<svg")).toBe(true);
        expect(svg.trim().endsWith("</svg>")).toBe(true);
        expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThanOrEqual(4);
        expect(svg).toContain("seed, admin-down-centralRouter: no recovery");

        // --update: one variant measured again replaces its section only, and the report says so.
        const again = {
            ...report,
            generatedAt: "2026-11-27T18:00:00.000Z",
            command: "npm run drill -- --matrix --variants arp-monitor --update --out docs/drill",
            durationS: 95,
            variants: [{ ...report.variants[1], durationS: 77 }],
        };
        const updated = updateReport(report, again);
        expect(updated.variants.map((v) => [v.variant, v.durationS])).toEqual([
            ["seed", 60],
            ["arp-monitor", 77],
        ]);
        expect(updated.generatedAt).toBe(report.generatedAt);
        expect(markdown(updated)).toContain(
            "Measured again: arp-monitor, 2026-11-27, 95 s " +
                "(`npm run drill -- --matrix --variants arp-monitor --update --out docs/drill`); 1 row below is from this run.",
        );
        // The first run is credited only with the rows still from it.
        expect(markdown(updated)).toContain(
            "somewhere, 2026-11-26, 2 min (120 s); 1 row below is from this run, of 2 rows, in 2 variants.",
        );
        // --update --scenarios: only those rows of each variant are replaced, in the drill's order.
        const rowOf = (r: RowResult, id: string, scenario: RowResult["scenario"], durationS = 0) => ({
            ...r,
            id,
            scenario,
            restoredAfterS: durationS,
        });
        const full = {
            ...report,
            variants: [
                {
                    ...report.variants[0],
                    rows: [
                        rowOf(seed, "admin-down-centralRouter", "admin-down"),
                        rowOf(seed, "cable-cut", "cable-cut"),
                    ],
                },
            ],
        };
        const oneWay = {
            ...again,
            command:
                "npm run drill -- --matrix --variants seed --update --scenarios one-way,cable-cut --out docs/drill",
            variants: [
                {
                    ...report.variants[0],
                    durationS: 30,
                    rows: [rowOf(seed, "cable-cut", "cable-cut", 9), rowOf(seed, "one-way-centralRouter", "one-way")],
                },
            ],
        };
        const merged = updateReport(full, oneWay, ["cable-cut", "one-way"]);
        expect(merged.variants[0].rows.map((r) => [r.id, r.restoredAfterS])).toEqual([
            ["admin-down-centralRouter", 0],
            ["cable-cut", 9],
            ["one-way-centralRouter", 0],
        ]);
        expect(merged.variants[0].durationS).toBe(60);
        expect(markdown(merged)).toContain(
            "Measured again: the cable-cut, one-way rows of seed, 2026-11-27, 95 s " +
                "(`npm run drill -- --matrix --variants seed --update --scenarios one-way,cable-cut --out docs/drill`); " +
                "2 rows below are from this run.",
        );
        expect(() => updateReport(report, { ...again, options: { ...report.options, intervalS: 0.02 } })).toThrow(
            /measure again with the same options/,
        );
    });
});

describe("the lab of a stack: the handle the program publishes (stack output labHandle)", () => {
    let resources: RegisteredResource[];
    let outputs: Record<string, any>;
    beforeAll(async () => {
        const stackFile = {
            "bondlab:variant": "lacp",
            "bondlab:bondOptions": { lacp_rate: "slow" },
            "bondlab:privileged": false,
        };
        ({ resources, outputs } = await new Stack({ name: "lacp-slow", stackFile }, new MemoryRealizer()).up());
    });
    /** A runProcess whose program is not installed, as spawn reports it. */
    const cliMissing = async (): Promise<never> => {
        throw new Error("spawn pulumi ENOENT");
    };
    const answering =
        (stdout: string, code = 0, stderr = "") =>
        async () => ({ code, stdout, stderr });

    it("reads `pulumi stack output --json labHandle`: the program's own names and verify's own settings", async () => {
        const calls: string[][] = [];
        const lab = await labFromStack("lacp-slow", undefined, async (argv) => {
            calls.push(argv);
            return { code: 0, stdout: JSON.stringify(outputs, null, 4), stderr: "" };
        });
        expect(calls).toEqual([["pulumi", "stack", "output", "--json", "--stack", "lacp-slow"]]);
        expect(lab).toMatchObject({ stack: "lacp-slow", variant: "lacp", bond: { name: "bond0", mode: "802.3ad" } });
        // The names are those of the containers the program declared, not worked out again.
        const containers = resources
            .filter((r) => r.type === "docker:index/container:Container")
            .map((r) => r.inputs.name)
            .sort();
        expect([...lab.routers.map((r) => r.container), ...lab.channels.map((c) => c.cable)].sort()).toEqual(
            containers,
        );
        expect(lab.channels.map((c) => c.bridge)).toEqual(
            resources
                .filter((r) => r.name.endsWith("-network") && r.name !== "lab-management")
                .map((r) => r.inputs.options["com.docker.network.bridge.name"]),
        );
        // The drill's verify checks what the program's verify checked, with its timeout.
        for (const router of lab.routers) {
            const { environment } = resources.find((r) => r.name === `lab-${router.name}-verify`)!.inputs;
            expect(verifyChecks(router.verify)).toBe(environment.BONDLAB_CHECKS);
            expect(router.verify.BONDLAB_VERIFY_TIMEOUT).toBe(environment.BONDLAB_VERIFY_TIMEOUT);
        }
        expect(lab.routers[0].verify.BONDLAB_OPTIONS).toMatch(/lacp_rate slow/);
        // The engine as the machine that ran `up` reached it (the provider's rules), which the
        // commands' own inputs leave out so that previews elsewhere stay calm.
        expect(lab.docker).toEqual(dockerCliEnv({}));
        expect(resources.find((r) => r.name === "lab-host-check")!.inputs.environment).not.toHaveProperty(
            "DOCKER_HOST",
        );
    });

    it("says what it ran and what to do when the CLI cannot answer", async () => {
        await expect(
            labFromStack("nope", undefined, answering("", 255, "error: no stack named 'nope' found")),
        ).rejects.toThrow(
            new RegExp(
                /cannot read stack nope's outputs \(pulumi stack output --json --stack nope\): /.source +
                    /error: no stack named 'nope' found\. The drill needs the Pulumi CLI/.source,
            ),
        );
        const noModelState = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-model-"));
        try {
            await expect(labFromStack("dev", undefined, cliMissing, noModelState)).rejects.toThrow(
                new RegExp(
                    /spawn pulumi ENOENT\. The drill needs the Pulumi CLI.*/.source +
                        /or a stack that npm run up brought up through the engine model \(there is none\)/.source,
                ),
            );
        } finally {
            fs.rmSync(noModelState, { recursive: true, force: true });
        }
    });

    it("reads the engine model's checkpoint where the CLI is missing (a stack npm run up brought up without it)", async () => {
        const modelState = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-model-"));
        try {
            saveCheckpoint("lacp-slow", { state: [], outputs }, modelState);
            const lab = await labFromStack("lacp-slow", undefined, cliMissing, modelState);
            expect(lab).toMatchObject({
                stack: "lacp-slow",
                variant: "lacp",
                bond: { name: "bond0", mode: "802.3ad" },
            });
        } finally {
            fs.rmSync(modelState, { recursive: true, force: true });
        }
    });

    it("refuses an output that is not a lab handle (a stack brought up by an older bondlab)", async () => {
        await expect(labFromStack("old", undefined, answering(""))).rejects.toThrow(
            /stack old has no lab handle \(its output labHandle\): bring it up with this version/,
        );
        await expect(labFromStack("old", undefined, answering('{"labHandle": {"routers": []}}'))).rejects.toThrow(
            /has no lab handle/,
        );
    });

    it("spots a masquerading network that catches the bond's addresses", () => {
        expect(inSubnet("192.168.1.1", "192.168.0.0/20")).toBe(true);
        expect(inSubnet("192.168.1.1", "192.168.16.0/20")).toBe(false);
        expect(inSubnet("192.168.1.1", "0.0.0.0/0")).toBe(true);
    });
});

describe("scenarios and windows", () => {
    it("parses --scenarios; all by default; admin-down makes two rows, the far router of the seed's experiment first", () => {
        expect(parseScenarioList("cable-cut,silent")).toEqual(["cable-cut", "silent"]);
        expect(() => parseScenarioList("cable-cut,oops")).toThrow(/unknown scenario oops/);
        const lab = labOfSubject("x", "seed");
        expect(planRows(lab, parseScenarioList("")).map((r) => r.id)).toEqual([
            "admin-down-centralRouter",
            "admin-down-inetRouter",
            "cable-cut",
            "silent",
            "one-way-centralRouter",
            "failback",
            "flapping",
            "degraded",
        ]);
    });

    it("one way: netem on the one bridge port that leads into the far router, found by its slave's iflink", async () => {
        const lab = labOfSubject("x", "seed");
        const [row] = planRows(lab, parseScenarioList("one-way"));
        const ch = lab.channels[0];
        expect(row).toMatchObject({ id: "one-way-centralRouter", fault: "one-way", deafRouter: "centralRouter" });
        expect(row.title(ch)).toBe("ch1 drops every frame into centralRouter, carries the other way");
        const calls: string[][] = [];
        const agents = {
            peerIndex: async (router: { container: string }, dev: string) => {
                calls.push(["peer-index", router.container, dev]);
                return "387";
            },
            act: async (container: string, ...args: string[]) => {
                calls.push([container, ...args]);
                return { at: 1000, done: 1001, cuts: [], backs: [], ports: [] };
            },
        } as unknown as LabAgents;
        await row.inject(agents, ch);
        expect(calls).toEqual([
            ["peer-index", lab.routers[1].container, "eth1"],
            [ch.cable, "netem-port", ch.bridge, "387", "loss", "100%"],
        ]);
    });

    it("breaks the channel that carries the probes: the one a hashed flow uses, else the first", () => {
        const lab = labOfSubject("x", "lacp");
        const snap = (tx1: number, tx2: number) =>
            parseSnapshot(`snap s 1795662594485299850 slave=eth1:up:0:${tx1}:0 slave=eth2:up:0:${tx2}:0`)!;
        expect(carryingChannel(lab, [snap(10, 10), snap(10, 10)], [snap(12, 110), snap(11, 95)]).name).toBe("ch2");
        expect(carryingChannel(lab, [snap(10, 10), snap(10, 10)], [snap(60, 60), snap(60, 60)]).name).toBe("ch1");
        expect(carryingChannel(lab, [snap(10, 10), snap(10, 10)], [snap(10, 10), snap(10, 10)]).name).toBe("ch1");
    });

    it("watches 1.5 x the bound + 2 s after the fault, within limits", () => {
        const o = { minPostS: 3, maxPostS: 12 };
        expect(postWindowS({ kind: "ms", ms: 3000, formula: "" }, o)).toBe(6.5);
        expect(postWindowS({ kind: "ms", ms: 100, formula: "" }, o)).toBe(3);
        expect(postWindowS({ kind: "ms", ms: 90000, formula: "" }, o)).toBe(12);
        expect(postWindowS({ kind: "never", formula: "" }, o)).toBe(3);
        expect(postWindowS({ kind: "never", formula: "" }, { ...o, postS: 5 })).toBe(5);
    });
});

describe("a bonded link of a network: the handle the program publishes per link (stack output linkHandles)", () => {
    let resources: RegisteredResource[];
    let outputs: Record<string, any>;
    beforeAll(async () => {
        const stackFile = { "bondlab:variant": "enterprise" };
        ({ resources, outputs } = await new Stack({ name: "ent", stackFile }, new MemoryRealizer()).up());
    });

    it("publishes every bonded link, and no link of one channel", () => {
        expect(Object.keys(outputs.linkHandles).sort()).toEqual(["office1", "wan"]);
        expect(outputs.labHandle).toBeUndefined();
    });

    it("gives the trunk's ends their own bond, slaves, primary and the VLAN to ping across", () => {
        const lab = pickLab("ent", outputs, "office1");
        expect(lab.routers.map((r) => r.name)).toEqual(["centralRouter", "office1Router"]);
        const [central, office] = lab.routers;
        // centralRouter's second link: its bond1 over eth3 and eth4; office1Router's only one: bond0 over eth1, eth2.
        expect(central.verify).toMatchObject({
            BONDLAB_BOND: "bond1",
            BONDLAB_SLAVES: "eth3 eth4",
            BONDLAB_ACTIVE: "eth3",
            BONDLAB_PEER: "192.168.255.6",
            BONDLAB_PING_DEV: "bond1.10",
            BONDLAB_OPTIONS: "mode active-backup miimon 100 primary eth3",
        });
        expect(office.verify).toMatchObject({
            BONDLAB_BOND: "bond0",
            BONDLAB_SLAVES: "eth1 eth2",
            BONDLAB_ACTIVE: "eth1",
            BONDLAB_PEER: "192.168.255.5",
            BONDLAB_PING_DEV: "bond0.10",
        });
        expect(central.ip).toBe("192.168.255.5");
        expect(lab.channels.map((c) => [c.name, c.interface, c.interfaces])).toEqual([
            ["of1a", "eth3/eth1", { centralRouter: "eth3", office1Router: "eth1" }],
            ["of1b", "eth4/eth2", { centralRouter: "eth4", office1Router: "eth2" }],
        ]);
    });

    it("acts on each end's own slave: the carrying channel and the admin-down rows", () => {
        const lab = pickLab("ent", outputs, "office1");
        // centralRouter counts on eth3/eth4, office1Router on eth1/eth2: the second channel carries.
        const snap = (a: string, b: string, tx1: number, tx2: number) =>
            parseSnapshot(`snap s 1795662594485299850 slave=${a}:up:0:${tx1}:0 slave=${b}:up:0:${tx2}:0`)!;
        const before = [snap("eth3", "eth4", 10, 10), snap("eth1", "eth2", 10, 10)];
        const after = [snap("eth3", "eth4", 11, 90), snap("eth1", "eth2", 12, 80)];
        const ch = carryingChannel(lab, before, after);
        expect(ch.name).toBe("of1b");
        const rows = planRows(lab, parseScenarioList("admin-down"));
        expect(rows.map((r) => r.title(ch))).toEqual([
            "ip link set eth2 down inside office1Router",
            "ip link set eth4 down inside centralRouter",
        ]);
    });

    it("names containers and cables as the program declared them", () => {
        const lab = pickLab("ent", outputs, "wan");
        const declared = resources
            .filter((r) => r.type === "docker:index/container:Container")
            .map((r) => r.inputs.name as string);
        for (const name of [...lab.routers.map((r) => r.container), ...lab.channels.map((c) => c.cable)])
            expect(declared).toContain(name);
        expect(lab.routers[0].verify).toMatchObject({ BONDLAB_PING_DEV: "bond0", BONDLAB_PEER: "192.168.255.2" });
        expect(lab.channels.map((c) => c.interface)).toEqual(["eth1", "eth2"]);
    });

    it("names a network's link <network>/<link> in reports, and re-judging a saved report finds the same lab", () => {
        const lab = pickLab("ent", outputs, "wan");
        expect(lab.variant).toBe("enterprise/wan");
        const again = labOfSubject("ent", "enterprise/wan");
        expect({ ...again, docker: {} }).toEqual({ ...lab, docker: {} });
        expect(() => labOfSubject("ent", "enterprise/nowhere")).toThrow(
            "enterprise/nowhere is not a bonded link the drill can act on",
        );
    });

    it("asks for --link on a network, names the links, and refuses --link on a two-router lab", () => {
        expect(() => pickLab("ent", outputs)).toThrow(
            "stack ent is a network: name the bonded link to drill with --link (wan, office1)",
        );
        expect(() => pickLab("ent", outputs, "office2")).toThrow(
            "stack ent has no bonded link office2: use one of wan, office1",
        );
        const lab = { labHandle: labOfSubject("x", "lacp") };
        expect(() => pickLab("lacp", lab, "wan")).toThrow(
            "stack lacp is a two-router lab with one bond: drop --link wan",
        );
        expect(pickLab("lacp", lab).routers.map((r) => r.name)).toEqual(["inetRouter", "centralRouter"]);
    });
});
