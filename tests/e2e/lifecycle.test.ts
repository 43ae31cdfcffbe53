import * as path from "path";
import { docker, runProcess } from "../../engine/shell";
import { LabHandle } from "../../components/handle";
import { labNames } from "../../components/names";
import { DEBUG_IMAGE, E2ELab, IMAGE, changes, exec, leftovers, restartRouters } from "./lab";

// Updates, not just creates: each case is `pulumi up` of one config, then `pulumi up` of the
// next on the same stack, through the engine model on the real kernel. Every update must end
// with verify having run against the lab as it now is, or fail naming the cause; `pulumi
// destroy` must then leave nothing. The LACP lab also shows what only a real kernel can: LACP
// across the channels, idempotent apply, recovery after a container restart, each channel a
// wire, a second stack beside it, and channels that eat LACPDUs failing verify (with the
// routers' capabilities cut to NET_ADMIN and NET_RAW on the seed lab). (npm run test:lifecycle)

const FIXTURES = path.join(__dirname, "fixtures");
const lab = (file: string) => path.join(FIXTURES, `${file}.yaml`);

/** Runs a program in the Docker host's network namespace (where the channels' bridges are). */
async function hostRun(...argv: string[]): Promise<string> {
    const r = await runProcess([
        "docker",
        "run",
        "--rm",
        "--network",
        "host",
        "--cap-add",
        "NET_ADMIN",
        "--cap-add",
        "NET_RAW",
        DEBUG_IMAGE,
        ...argv,
    ]);
    // timeout's 124: the capture ran its full time, as meant.
    if (r.code !== 0 && r.code !== 124)
        throw new Error(`${argv.join(" ")} in the host's namespace: ${r.stderr.trim()}`);
    return r.stdout.trim();
}

/**
 * Listens on each channel's bridge for `seconds` while each router asks each channel for the
 * address Docker keeps for the host there (the IPAM gateway): a host that is a station would
 * answer. Per channel: frames seen, the bridge's addresses, and the senders that are no
 * router NIC (the channels as the program built them: its labHandle output).
 */
async function listenOnWires(l: E2ELab, seconds: number) {
    const { channels } = l.handle as LabHandle;
    const nics = new Set<string>();
    for (const router of ["inetRouter", "centralRouter"]) {
        const macs = await exec(
            l.container(router),
            "sh",
            "-c",
            "cat /sys/class/net/eth1/address /sys/class/net/eth2/address /sys/class/net/bond0/address; " +
                "sed -n 's/^Permanent HW addr: //p' /proc/net/bonding/bond0",
        );
        for (const mac of macs.split("\n")) nics.add(mac.trim());
    }
    const captures = channels.map(({ bridge }) =>
        hostRun("timeout", String(seconds), "tcpdump", "-i", bridge, "-e", "-n", "-q", "-l", "-Z", "root"),
    );
    await new Promise((r) => setTimeout(r, 5000));
    // Every router asks on every channel at once: each asking waits out its 4 s for no answer.
    await Promise.all(
        channels.map(async (channel) => {
            const gateway = await docker(
                "network",
                "inspect",
                "-f",
                "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
                labNames("bondlab", l.stack).network(channel.name),
            );
            await Promise.all(
                ["inetRouter", "centralRouter"].map((router) =>
                    exec(
                        l.container(router),
                        "busybox",
                        "arping",
                        "-c",
                        "3",
                        "-w",
                        "4",
                        "-I",
                        channel.interface,
                        gateway,
                    ).catch(() => "no answer"),
                ),
            );
        }),
    );
    const senders = (await Promise.all(captures)).map((text) =>
        text
            .split("\n")
            .filter((line) => line.trim() !== "")
            .map((line) => line.split(" ")[1]),
    );
    return Promise.all(
        channels.map(async ({ name, bridge }, i) => ({
            channel: name,
            bridge,
            frames: senders[i].length,
            addresses: await hostRun("ip", "-o", "addr", "show", "dev", bridge),
            strangers: [...new Set(senders[i].filter((mac) => !nics.has(mac)))],
        })),
    );
}

const verified = (l: E2ELab, router: string) => l.routers[router].verify;

/** The seed lab of the topology changes; it first comes up beside the LACP lab, a second stack. */
const seedLab = new E2ELab("lc-seed", { "bondlab:variant": lab("seed-two") });

describe("an LACP lab through its updates", () => {
    const l = new E2ELab("lc-lacp", { "bondlab:variant": "lacp" });
    afterAll(() => l.down());

    it("comes up, and a preview right after shows no change at all", async () => {
        await l.up();
        const preview = await l.stackOf.preview();
        expect(changes(preview.steps)).toEqual([]);
    });

    it("negotiates LACP with the other router as partner, every channel in one aggregator", async () => {
        const inet = l.routers.inetRouter.verify;
        const central = l.routers.centralRouter.verify;
        expect(inet.aggregator.ports).toBe(2);
        expect(inet.aggregator.partnerMac).toBe(central.mac);
        expect(central.aggregator.partnerMac).toBe(inet.mac);
        expect(new Set(inet.slaves.map((s: any) => s.aggregatorId))).toEqual(new Set([inet.aggregator.id]));
    });

    it("applies idempotently: a second run changes nothing", async () => {
        const before = await exec(l.container("inetRouter"), "ip", "-d", "-o", "link", "show", "bond0");
        const again = await l.rerun("lab-inetRouter-apply");
        expect(again.code).toBe(0);
        expect(again.stdout).toContain("unchanged");
        expect(await exec(l.container("inetRouter"), "ip", "-d", "-o", "link", "show", "bond0")).toBe(before);
    });

    it("rebuilds the bond and its LACP pass-through after a router container restarts", async () => {
        const router = l.container("centralRouter");
        await restartRouters([router]);
        // verify waits for LACP to converge again; it fails when the partner never returns.
        const verify = await l.rerun("lab-centralRouter-verify");
        expect(verify.stderr).toBe("");
        expect(verify.code).toBe(0);
        const state = JSON.parse(verify.stdout.trim().split("\n").pop()!).states.bond0;
        expect(state.aggregator.ports).toBe(2);
        expect(state.aggregator.partnerMac).not.toBe("00:00:00:00:00:00");
    });

    it("makes each channel a wire: over 20 s, every frame on it comes from a router's NIC", async () => {
        for (const wire of await listenOnWires(l, 20)) {
            expect(wire.frames).toBeGreaterThan(0); // LACPDUs and the routers' ARP at least
            expect({ bridge: wire.bridge, addresses: wire.addresses, strangers: wire.strangers }).toEqual({
                bridge: wire.bridge,
                addresses: "",
                strangers: [],
            });
        }
    });

    it("runs a second stack on the same Docker host without touching the first", async () => {
        // The seed lab of the next cases comes up beside this one.
        await seedLab.up();
        expect(seedLab.routers.inetRouter.verify.activeSlave).toBe("eth1");
        expect((await l.rerun("lab-inetRouter-verify")).code).toBe(0);
    });

    it("LACP pass-through off: the cables eat LACPDUs, and verify fails with no partner, saying why", async () => {
        l.stackOf.stackFile = { ...l.stackOf.stackFile, "bondlab:lacpPassthrough": false, "bondlab:verifyTimeout": 20 };
        await expect(l.up()).rejects.toThrow(/LACP: no partner: LACPDUs do not cross the channels/);
    });

    it("destroy after the failed update leaves nothing, and the stack beside it still verifies", async () => {
        await l.down();
        expect(await leftovers(l.stack)).toEqual([]);
        expect((await seedLab.rerun("lab-inetRouter-verify")).code).toBe(0);
    });
});

describe("a seed lab through its topology changes", () => {
    const l = seedLab;
    const OTHER_IMAGE = "bondlab.invalid/router:lifecycle";
    afterAll(async () => {
        await l.down();
        await docker("image", "rm", OTHER_IMAGE).catch(() => undefined);
    });
    const set = (settings: Record<string, unknown>) => (l.stackOf.stackFile = { ...l.stackOf.stackFile, ...settings });
    const slaves = (router: string) => verified(l, router).slaves.map((s: { name: string }) => s.name);

    it("comes up over two channels", async () => {
        if (!l.run) await l.up(); // it came up beside the LACP lab, unless that failed first
        expect(slaves("inetRouter")).toEqual(["eth1", "eth2"]);
    });

    it("privileged off: both routers are replaced, and bond and verify with only NET_ADMIN and NET_RAW", async () => {
        set({ "bondlab:privileged": false });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["replace lab-inetRouter-container", "replace lab-centralRouter-container"]),
        );
        const host = await docker(
            "inspect",
            "-f",
            "{{.HostConfig.Privileged}} {{.HostConfig.CapAdd}}",
            l.container("inetRouter"),
        );
        expect(host.replace(/CAP_/g, "")).toBe("false [NET_ADMIN NET_RAW]"); // engines differ in the prefix
        expect(verified(l, "inetRouter").ping.received).toBeGreaterThan(0);
    });

    it("a channel added: a third network and slave, verified", async () => {
        set({ "bondlab:variant": lab("seed-three") });
        await l.up();
        expect(slaves("centralRouter")).toEqual(["eth1", "eth2", "eth3"]);
    });

    it("a channel renamed: the new network is created before the old one goes, and Docker takes it", async () => {
        set({ "bondlab:variant": lab("seed-uplink") });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["create lab-bond0-uplink-network", "delete lab-bond0-ch3-network"]),
        );
        expect(await docker("network", "ls", "-q", "--filter", "name=bondlab-lc-seed-ch3")).toBe("");
        expect(slaves("centralRouter")).toEqual(["eth1", "eth2", "eth3"]);
    });

    it("a channel removed: its network and cable are deleted last, the bond keeps two slaves", async () => {
        set({ "bondlab:variant": lab("seed-two") });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["delete lab-bond0-uplink-network", "delete lab-bond0-uplink-cable"]),
        );
        expect(slaves("inetRouter")).toEqual(["eth1", "eth2"]);
    });

    it("routerImage changed: every container is replaced on the new image and verified", async () => {
        // A different image (another id), built offline on top of the lab host's.
        await runProcess(["docker", "build", "-q", "-t", OTHER_IMAGE, "-"], {
            stdin: `FROM ${IMAGE}\nLABEL org.bondlab.test=lifecycle\n`,
        });
        const otherId = await docker("image", "inspect", "-f", "{{.Id}}", OTHER_IMAGE);
        set({ "bondlab:routerImage": OTHER_IMAGE });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["replace lab-inetRouter-container", "replace lab-bond0-ch1-cable"]),
        );
        expect(await docker("inspect", "-f", "{{.Image}}", l.container("inetRouter"))).toBe(otherId);
        expect(verified(l, "inetRouter").ping.received).toBeGreaterThan(0);
    });

    // Two changes in one update: the variant (seed -> LACP, the bond rebuilt as 802.3ad) and a
    // channel's subnet (tests/e2e/fixtures/lacp-subnet.v2.yaml is the lacp lab, ch1 moved).
    it("to LACP with a channel's subnet changed: its network is replaced with its cable, which silences the new bridge", async () => {
        const cable = labNames("bondlab", l.stack).cable("ch1");
        const before = await docker("inspect", "-f", "{{.Id}}", cable);
        set({ "bondlab:variant": lab("lacp-subnet.v2") });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["replace lab-bond0-ch1-network", "replace lab-bond0-ch1-cable"]),
        );
        expect(changes(steps)).not.toContain("replace lab-bond0-ch2-cable");
        expect(await docker("inspect", "-f", "{{.Id}}", cable)).not.toBe(before);
        expect(verified(l, "inetRouter").mode).toBe("802.3ad");
        expect(verified(l, "inetRouter").aggregator.ports).toBe(2);
        // The proof is on the wire: the new bridge carries the routers' frames only.
        const ch1 = (await listenOnWires(l, 20)).find((w) => w.channel === "ch1")!;
        expect(ch1.frames).toBeGreaterThan(0);
        expect({ addresses: ch1.addresses, strangers: ch1.strangers }).toEqual({ addresses: "", strangers: [] });
    });

    it("destroy leaves nothing", async () => {
        await l.down();
        expect(await leftovers(l.stack)).toEqual([]);
    });
});
