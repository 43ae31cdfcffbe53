import { E2ELab, exec, leftovers } from "./lab";

// A shared segment and the MAC filter on a real kernel, with the lab the seed's replay uses
// for its second experiment behind VirtualBox's filter (configs/replay/seed-shared-vbox.yaml).
describe("a shared segment behind a VirtualBox-like MAC filter", () => {
    const stack = "e2e-segment";
    const lab = new E2ELab(stack, { "bondlab:variant": "configs/replay/seed-shared-vbox.yaml" });
    const router = (name: string) => lab.container(name);
    const sw = "bondlab-e2e-segment-intnet-switch";
    const pings = async (count: number) => {
        const out = await exec(
            router("inetRouter"),
            "ping",
            "-n",
            "-q",
            "-c",
            String(count),
            "-i",
            "0.2",
            "-W",
            "1",
            "192.168.1.2",
        ).catch((e: Error) => e.message);
        return Number(/(\d+) received/.exec(out)?.[1] ?? "0");
    };
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

    it("loses the ping when centralRouter's bond moves its MAC to eth2, and gets it back with eth1", async () => {
        expect(await pings(5)).toBe(5);
        await exec(router("centralRouter"), "ip", "link", "set", "eth1", "down");
        try {
            // miimon 100 has moved the bond to eth2 long before the probes; frames to the
            // bond's MAC (eth1's as built) now reach eth2, whose filter drops them.
            await new Promise((r) => setTimeout(r, 2000));
            expect(await exec(router("centralRouter"), "cat", "/sys/class/net/bond0/bonding/active_slave")).toBe(
                "eth2",
            );
            expect(await pings(10)).toBe(0);
        } finally {
            await exec(router("centralRouter"), "ip", "link", "set", "eth1", "up");
        }
        await new Promise((r) => setTimeout(r, 2000));
        expect(await pings(5)).toBeGreaterThan(0);
    });

    it("tears down without leaving a container, network or bridge", async () => {
        await lab.down();
        expect(await leftovers(stack)).toEqual([]);
    });
});
