import { bondSettings } from "../../drill/bounds";
import { parseSnapshot, Snapshot } from "../../drill/probe";
import { steadyWindow } from "../../drill/run";

// A row's pre-fault window is taken again until the bonds hold still. A fresh-clone CI run
// showed why: after arp-monitor's admin-down-centralRouter row both routers were still on
// eth2 when the next row's window began, so the drill downed eth2, the keeper moved both
// bonds home to eth1 the same moment, and the row measured "no loss" for a fault it never felt.

const snap = (active: string | null): Snapshot =>
    parseSnapshot(
        `snap b 1795662594485299850${active ? ` active=${active}` : ""} slave=eth1:up:0:10:10 slave=eth2:up:0:10:10`,
    )!;
const arpMonitor = bondSettings({
    mode: "active-backup 1",
    arp_interval: "100",
    primary: "eth1",
    primary_reselect: "always 0",
});

describe("a steady pre-fault window", () => {
    it("is not steady while an active-backup bond with a primary is still off it", () => {
        expect(steadyWindow(arpMonitor, [snap("eth2"), snap("eth2")], [snap("eth2"), snap("eth2")])).toBe(false);
        expect(steadyWindow(arpMonitor, [snap("eth1"), snap("eth1")], [snap("eth1"), snap("eth1")])).toBe(true);
    });

    it("is not steady when a bond changed its active slave during the window", () => {
        expect(steadyWindow(arpMonitor, [snap("eth2"), snap("eth1")], [snap("eth1"), snap("eth1")])).toBe(false);
        const noPrimary = bondSettings({ mode: "active-backup 1", miimon: "100" });
        expect(steadyWindow(noPrimary, [snap("eth1"), snap("eth2")], [snap("eth1"), snap("eth1")])).toBe(false);
        expect(steadyWindow(noPrimary, [snap("eth2"), snap("eth2")], [snap("eth2"), snap("eth2")])).toBe(true);
    });

    it("does not wait for a primary that primary_reselect failure keeps off, nor in modes without an active slave", () => {
        const failure = bondSettings({ mode: "active-backup 1", primary: "eth1", primary_reselect: "failure 2" });
        expect(steadyWindow(failure, [snap("eth2"), snap("eth2")], [snap("eth2"), snap("eth2")])).toBe(true);
        const lacp = bondSettings({ mode: "802.3ad 4", primary: "eth1" });
        expect(steadyWindow(lacp, [snap(null), snap(null)], [snap(null), snap(null)])).toBe(true);
    });

    it("does not wait for a primary that is down (failback breaks it first) or not one of the bond's slaves", () => {
        const eth1Down = parseSnapshot(
            "snap b 1795662594485299850 active=eth2 slave=eth1:down:1:10:10 slave=eth2:up:0:10:10",
        )!;
        expect(steadyWindow(arpMonitor, [eth1Down, eth1Down], [eth1Down, eth1Down])).toBe(true);
        const elsewhere = bondSettings({ mode: "active-backup 1", primary: "eth7" });
        expect(steadyWindow(elsewhere, [snap("eth2"), snap("eth2")], [snap("eth2"), snap("eth2")])).toBe(true);
    });
});
