import * as fs from "fs";
import * as path from "path";
import { BondSettings } from "../../drill/bounds";
import { explain } from "../../drill/explain";
import { labOfSubject } from "../../drill/lab";
import { relapsesOf } from "../../drill/outage";
import { outageText } from "../../drill/report";
import { rejudge } from "../../drill/judge";
import { RowResult } from "../../drill/result";

// Rows judged by what happened, on rows of the committed matrix kept as they were measured
// (and judged then): a recovery that did not hold, an outage that began before the fault, and
// a loss long after a fault that had cost nothing.

interface Fixture {
    variant: string;
    stack: string;
    settings: BondSettings;
    row: RowResult;
}
const fixture = (name: string): Fixture =>
    JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "drill", "rows", `${name}.json`), "utf8"));
const judged = (f: Fixture) => {
    const row = rejudge(f.row);
    return { ...row, explanation: explain(row, f.settings, labOfSubject(f.stack, f.variant)) };
};

describe("a relapse: arp-monitor, eth1 down inside inetRouter", () => {
    const f = fixture("arp-monitor.admin-down-inetRouter");

    it("was judged a pass when only the longest outage counted", () => {
        expect(f.row.verdict).toBe("pass");
        expect(Object.values(f.row.directions).map((d) => d.outages.length)).toEqual([2, 2]);
    });

    it("finds the second outage in each direction, 3.3 s after the fault", () => {
        for (const d of Object.values(f.row.directions)) {
            const relapses = relapsesOf(d, f.row.times!.faultEnd, 900);
            expect(relapses).toHaveLength(1);
            expect(relapses[0].lost).toBeGreaterThanOrEqual(40);
        }
    });

    it("fails the row as a relapse, and the explanation names who went back, from the row's own counters", () => {
        const row = judged(f);
        expect(row.verdict).toBe("fail");
        expect(row.reasons).toEqual(["relapse: lost again 3.3 s after the fault, for 693 ms"]);
        expect(f.row.routers.centralRouter.after!.tx.eth1).toBe(43);
        expect(row.explanation).toMatch(
            new RegExp(
                /^The path came back after an outage of 664 ms, then was lost again 3\.3 s after the fault, for 693 ms: /
                    .source +
                    /centralRouter sent 43 frames on eth1 again after the failover \(eth1 failed 2 times in the row\)/
                        .source,
            ),
        );
        expect(row.explanation).not.toMatch(/inetRouter sent/); // inetRouter sent nothing on eth1 after
    });
});

describe("flapping is not a relapse: the outages follow the channel's changes", () => {
    it("arp-monitor, flapping, still passes", () => {
        const f = fixture("arp-monitor.flapping");
        expect(Object.values(f.row.directions).every((d) => d.outages.length === 7)).toBe(true);
        expect(judged(f)).toMatchObject({ verdict: "pass", reasons: [] });
    });
});

describe("dead before the fault: balance-tlb, cable cut", () => {
    const f = fixture("balance-tlb.cable-cut");

    it("was blamed on the fault", () => {
        expect(f.row.reasons).toEqual(["bound exceeded"]);
        expect(Object.values(f.row.directions).every((d) => d.rttBefore === null)).toBe(true);
    });

    it("now fails as a steady-state failure of the variant, with its evidence, not as an unjudged row", () => {
        const row = judged(f);
        expect(row.verdict).toBe("fail");
        expect(row.outcome).toBe("dead-before-fault");
        expect(row.reasons).toEqual([
            "dead before the fault: no reply inetRouter->centralRouter or centralRouter->inetRouter in the 2.0 s of probes before it",
        ]);
        expect(outageText(row)).toBe("dead before the fault");
        expect(row.explanation).toMatch(
            /^The path was dead before the fault, though verify had passed before the row: /,
        );
        expect(row.explanation).toMatch(
            new RegExp(
                /inetRouter sent on eth1 and received on eth2 \(active slave eth1\), /.source +
                    /centralRouter sent on eth2 and received on eth1 \(active slave eth1\)/.source,
            ),
        );
        expect(row.explanation).toMatch(/centralRouter sent on eth2 while inetRouter received only on its active eth1/);
    });
});

describe("a late loss: lacp, eth1 back after a cut", () => {
    const f = fixture("lacp.failback");

    it("was judged a relapse of an outage that never was, and its skew blamed for the bound", () => {
        expect(f.row.reasons).toEqual(["bound exceeded", "relapse: lost again 2.5 s after the fault, for 514 ms"]);
        expect(f.row.explanation).toMatch(/^514 ms of outage, beyond the 100 ms/);
        // One outage in all, in one direction, 2.5 s after eth1 came back.
        expect(Object.values(f.row.directions).map((d) => d.outages.length)).toEqual([1, 0]);
    });

    it("now says the path held through the fault and broke once it had settled; the failover's bound holds", () => {
        const row = judged(f);
        expect(row.verdict).toBe("fail");
        expect(row.exceeded).toBe(false);
        expect(row.reasons).toEqual(["late loss: held through the fault, then lost 2.5 s after it, for 514 ms"]);
        expect(row.explanation).toMatch(
            /^The path held through the fault, then was lost 2\.5 s after it, for 514 ms, after eth1's last change had settled/,
        );
        expect(row.explanation).toMatch(/aggregate-wait timer/);
        expect(row.explanation).not.toMatch(/came back after an outage|cable changed/);
    });
});

describe("every explanation of the committed report agrees with its row's own data", () => {
    const report = JSON.parse(
        fs.readFileSync(path.join(__dirname, "..", "..", "docs", "drill", "report.json"), "utf8"),
    ) as { variants: { rows: RowResult[] }[] };
    const rows = report.variants.flatMap((v) => v.rows).filter((r) => r.verdict !== "error");

    it.each(rows.map((r) => [`${r.variant} ${r.id}`, r] as [string, RowResult]))("%s", (_, r) => {
        const said = `${r.explanation ?? ""} ${r.bound.formula} ${outageText(r)}`;
        if (r.mode !== "802.3ad") expect(said).not.toMatch(/LACPDU/);
        const lossy = Object.values(r.directions).filter((d) => d.lostAfterFault > 0);
        if (r.verdict === "fail" && lossy.length === 1) expect(r.explanation).toMatch(/one direction/);
        if (Object.values(r.directions).every((d) => d.rttAfter === null))
            expect(said).not.toMatch(/rtt 0 ms|round trip 0\.0 ms/);
        if (r.verdict === "fail") expect(r.explanation).toBeTruthy();
        if (r.reasons.some((x) => x.startsWith("relapse"))) expect(r.explanation).toMatch(/lost again/);
        // "X received N frames from Y on S, its inactive slave": X's counters say so.
        for (const [, far, count, near, slave] of (r.explanation ?? "").matchAll(
            /(\w+) received (\d+) frames from (\w+) on (\w+), its inactive slave/g,
        )) {
            expect(r.routers[far].after?.rx[slave]).toBe(Number(count));
            expect(r.routers[far].after?.active).not.toBe(slave);
            expect(r.routers[near].after?.active).toBe(slave);
        }
        // One way: "X ended with no active slave, Y on S" (or "with S active"): their snapshots say so.
        for (const [, deaf, deafActive, peer, peerActive] of (r.explanation ?? "").matchAll(
            /(\w+) ended with (no active slave|\w+ active), (\w+) on (no slave|\w+)/g,
        )) {
            expect(r.routers[deaf].after?.active ?? null).toBe(
                deafActive === "no active slave" ? null : deafActive.split(" ")[0],
            );
            expect(r.routers[peer].after?.active ?? "no slave").toBe(peerActive);
        }
    });
});
