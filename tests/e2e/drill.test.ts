import { listVariants } from "../../components/spec/load";
import { drillLab } from "../../drill/lab";
import { tableHeader, tableLine } from "../../drill/report";
import { DEFAULT_OPTIONS, RowResult } from "../../drill/result";
import { runDrill } from "../../drill/run";
import { ScenarioName } from "../../drill/scenarios";
import { E2ELab, leftovers } from "./lab";

// The failover drill on a real kernel: the seed's failure reproduced (eth1 down inside one
// router kills the ping for good), its fixes (ARP monitoring, LACP) recovering within twice
// the bound their options predict, and every variant surviving a cut cable. Short windows:
// the cut only, plus the one-sided admin down where it is the point, and for the ARP monitor
// the silent failure that only it can see (and after which only gratuitous ARPs bring the
// primary back: the drill's restore must manage that too).

const SHORT = { ...DEFAULT_OPTIONS, preS: 1, minPostS: 3, maxPostS: 8 };
const ONE_SIDED = ["seed", "seed-no-primary", "seed-shared", "arp-monitor", "lacp"];

/** What a failed expectation should show: the row as the drill saw it. */
const summary = (row: RowResult) => ({
    row: row.id,
    outcome: row.outcome,
    outageMs: row.outageMs,
    bound: row.bound,
    explanation: row.explanation,
    reasons: row.reasons,
});

describe.each(listVariants())("failover drill on %s", (variant) => {
    const stack = `drill-t-${variant}`;
    const lab = new E2ELab(stack, { "bondlab:variant": variant });
    const scenarios: ScenarioName[] = [
        ...(ONE_SIDED.includes(variant) ? ["admin-down" as const] : []),
        "cable-cut",
        ...(variant === "arp-monitor" ? ["silent" as const] : []),
    ];
    let rows: RowResult[] = [];
    const row = (id: string) => {
        const found = rows.find((r) => r.id === id);
        if (!found) throw new Error(`no row ${id}: the drill did not run (see beforeAll)`);
        return found;
    };

    beforeAll(async () => {
        await lab.up();
        const result = await runDrill(drillLab(stack, lab.handle), { ...SHORT, scenarios });
        rows = result.rows;
        const routers: [string, string] = ["inetRouter", "centralRouter"];
        console.log([tableHeader(routers), ...rows.map((r) => tableLine(r, routers))].join("\n"));
    });
    afterAll(() => lab.down());

    it("recovers from a cable cut: both ends lose carrier and every monitor sees it", () => {
        const cut = row("cable-cut");
        expect(summary(cut)).toEqual(
            expect.objectContaining({ outcome: expect.stringMatching(/^(recovered|no-loss)$/) }),
        );
    });

    if (variant === "seed-shared") {
        it("survives eth1 going down inside one router: on one segment the peer hears the failover", () => {
            for (const id of ["admin-down-centralRouter", "admin-down-inetRouter"]) {
                expect(summary(row(id))).toEqual(
                    expect.objectContaining({ outcome: expect.stringMatching(/^(recovered|no-loss)$/) }),
                );
            }
        });
    }

    if (variant === "seed" || variant === "seed-no-primary") {
        it("does not recover when eth1 goes down inside one router: the seed's failure", () => {
            for (const id of ["admin-down-centralRouter", "admin-down-inetRouter"]) {
                const r = row(id);
                expect(summary(r)).toEqual(expect.objectContaining({ outcome: "down" }));
                expect(r.bound.kind).toBe("never");
                expect(r.explanation).toMatch(/sees only the local carrier/);
            }
        });
    }

    if (variant === "arp-monitor" || variant === "lacp") {
        it("recovers from eth1 going down inside one router within twice the predicted bound", () => {
            for (const id of ["admin-down-centralRouter", "admin-down-inetRouter"]) {
                const r = row(id);
                // "recovered", not "no loss": the drill breaks the channel the probes travel on,
                // so the monitor had to act, and the outage measures how fast it did.
                expect(summary(r)).toEqual(expect.objectContaining({ outcome: "recovered" }));
                expect(r.bound.kind).toBe("ms");
                if (r.bound.kind === "ms") expect(r.outageMs).toBeLessThanOrEqual(2 * r.bound.ms);
            }
        });
    }

    if (variant === "arp-monitor") {
        it("recovers from a silent failure (carrier kept, every frame dropped) that no MII monitor sees", () => {
            const r = row("silent");
            expect(summary(r)).toEqual(
                expect.objectContaining({ outcome: expect.stringMatching(/^(recovered|no-loss)$/) }),
            );
            expect(r.routers.inetRouter.txAfter).toBe("eth2");
            expect(r.routers.centralRouter.txAfter).toBe("eth2");
        });
    }

    it("leaves the lab as it found it, then nothing behind", async () => {
        expect(rows.filter((r) => r.restoredAfterS === null).map((r) => `${r.id}: ${r.reasons.join("; ")}`)).toEqual(
            [],
        );
        await lab.down();
        expect(await leftovers(stack)).toEqual([]);
    });
});
