import { listVariants, loadLab } from "../../components/spec/load";
import { backupsShowLinkState } from "../../components/spec/spec";
import { E2ELab, leftovers } from "./lab";

// Every shipped variant, built by the real program on a real bonding driver.
describe.each(listVariants())("variant %s on a real kernel", (variant) => {
    const spec = loadLab(variant);
    const lab = new E2ELab(`e2e-${variant}`, { "bondlab:variant": variant });
    afterAll(() => lab.down());

    it("comes up verified: right mode, every slave up, the peer reachable both ways", async () => {
        await lab.up();
        for (const router of spec.routers) {
            const verify = lab.routers[router.name].verify;
            expect(verify.mode).toBe(spec.bond.mode);
            expect(verify.slaves.map((s: any) => s.name)).toEqual(spec.channels.map((c) => c.interface));
            const checked = verify.slaves.filter(
                (s: any) => backupsShowLinkState(spec) || s.name === verify.activeSlave,
            );
            expect(checked.length).toBeGreaterThan(0);
            expect(checked.every((s: any) => s.miiStatus === "up")).toBe(true);
            expect(verify.ping.received).toBeGreaterThan(0);
            expect(lab.routers[router.name].procBonding).toContain(`Slave Interface: eth1`);
            if (spec.bond.mode === "802.3ad") {
                expect(verify.aggregator.ports).toBe(spec.channels.length);
                expect(verify.aggregator.partnerMac).not.toBe("00:00:00:00:00:00");
            }
        }
    });

    it("tears down without leaving a container, network or bridge", async () => {
        await lab.down();
        expect(await leftovers(lab.stack)).toEqual([]);
    });
});
