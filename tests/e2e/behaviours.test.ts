import { E2ELab, leftovers } from "./lab";
import { docker } from "../../engine/shell";

// What a fresh lab shows when it cannot be built as asked: an 802.3ad lab whose channels eat
// LACPDUs, and routers with only the capabilities they need. (The LACP lab's own behaviours,
// LACP, idempotent apply, the restart, the wire and a second stack beside it, run on the
// lifecycle suite's LACP lab, which they share.)

describe("an 802.3ad lab whose channels eat LACPDUs", () => {
    const lab = new E2ELab("e2e-nolacp", {
        "bondlab:variant": "lacp",
        "bondlab:lacpPassthrough": false,
        "bondlab:verifyTimeout": 20,
    });
    afterAll(() => lab.down());

    it("fails verify with no LACP partner, and says why", async () => {
        await expect(lab.up()).rejects.toThrow(/LACP: no partner: LACPDUs do not cross the channels/);
    });

    it("still tears down cleanly after the failed update", async () => {
        await lab.down();
        expect(await leftovers(lab.stack)).toEqual([]);
    });
});

describe("routers without privileges", () => {
    const lab = new E2ELab("e2e-unpriv", { "bondlab:variant": "arp-monitor", "bondlab:privileged": false });
    afterAll(() => lab.down());

    it("bond and verify with only NET_ADMIN and NET_RAW", async () => {
        await lab.up();
        const host = await docker(
            "inspect",
            "-f",
            "{{.HostConfig.Privileged}} {{.HostConfig.CapAdd}}",
            lab.container("inetRouter"),
        );
        expect(host.replace(/CAP_/g, "")).toBe("false [NET_ADMIN NET_RAW]"); // engines differ in the prefix
        expect(lab.routers.inetRouter.verify.ping.received).toBeGreaterThan(0);
    });
});
