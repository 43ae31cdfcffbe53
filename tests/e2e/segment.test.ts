import * as fs from "fs";
import * as path from "path";
import { drillLab } from "../../drill/lab";
import { ReplayResult } from "../../drill/replay";
import { runReplay } from "../../drill/replay-run";
import { E2ELab, exec, leftovers } from "./lab";

// A shared segment and the MAC filter on a real kernel, with the lab the seed's replay uses
// for its second experiment behind VirtualBox's filter, written as a version 2 file
// (configs/replay/seed-shared-vbox.v2.yaml): the version 1 file builds the same resources
// (tests/unit/network.test.ts), so the committed replay's row is expected here.
describe("a shared segment behind a VirtualBox-like MAC filter", () => {
    const stack = "e2e-segment";
    const lab = new E2ELab(stack, { "bondlab:variant": "configs/replay/seed-shared-vbox.v2.yaml" });
    const router = (name: string) => lab.container(name);
    const sw = "bondlab-e2e-segment-intnet-switch";
    beforeAll(() => lab.up());
    afterAll(() => lab.down());

    it("joins both channels in the switch, which is no station: no address on it", async () => {
        const ports = (await exec(sw, "ip", "-o", "link", "show", "master", "segment")).trim().split("\n");
        expect(ports).toHaveLength(2);
        const addresses = (await exec(sw, "ip", "-o", "addr", "show"))
            .trim()
            .split("\n")
            .filter((l) => !/^\d+: lo\s/.test(l));
        expect(addresses).toEqual([]);
    });

    it("lets each slave receive unicast only to its own MAC as built", async () => {
        for (const name of ["inetRouter", "centralRouter"]) {
            const proc = await exec(router(name), "cat", "/proc/net/bonding/bond0");
            for (const slave of ["eth1", "eth2"]) {
                const permanent = new RegExp(`Slave Interface: ${slave}[\\s\\S]*?Permanent HW addr: (\\S+)`).exec(
                    proc,
                )![1];
                const filters = await exec(router(name), "tc", "filter", "show", "dev", slave, "ingress");
                expect(filters).toContain(`dst_mac ${permanent}`);
                expect(filters).toMatch(/matchall[\s\S]*action order 1: gact action drop/);
            }
        }
    });

    it("replays the seed's transcript: the ping survives eth2 down, dies with eth1 down, resumes with eth1", async () => {
        // The bond keeps eth1's MAC (fail_over_mac none); once it moves to eth2, frames to
        // that MAC reach eth2, whose filter drops them, until eth1 is back.
        const result = await runReplay(drillLab(stack, lab.handle), "shared", { intervalS: 0.2, verifyTimeoutS: 60 });
        const states = (r: Pick<ReplayResult, "steps">) =>
            Object.fromEntries(r.steps.map((s) => [s.id, [s.ping, s.farActive]]));
        expect(states(result)).toEqual({
            baseline: ["answering", "eth1"],
            "eth2-down": ["answering", "eth1"],
            "eth2-up": ["answering", "eth1"],
            "eth1-down": ["dead", "eth2"],
            "eth1-up": ["answering", "eth1"],
        });
        // The committed replay's row for the version 1 file, step by step.
        const committed = JSON.parse(
            fs.readFileSync(path.join(__dirname, "../../docs/drill/seed-replay.json"), "utf8"),
        );
        const row = committed.results.find(
            (r: ReplayResult) => r.lab === "configs/replay/seed-shared-vbox.yaml" && !/fail_over_mac/.test(r.name),
        );
        expect(states(result)).toEqual(states(row));
        expect(result.steps.every((s) => s.matchesSeed !== false)).toBe(true);
    });

    it("tears down without leaving a container, network or bridge", async () => {
        await lab.down();
        expect(await leftovers(stack)).toEqual([]);
    });
});
