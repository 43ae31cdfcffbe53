import { DEBUG_IMAGE, E2ELab, exec, leftovers, restartRouters } from "./lab";
import { docker, runProcess } from "../../engine/shell";
import { LabHandle } from "../../components/handle";
import { labNames } from "../../components/names";

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

// What only a real kernel can show: LACP across the channels, idempotent apply, recovery
// after a container restart, two stacks side by side, and a clean teardown.

describe("an 802.3ad lab beside a seed lab", () => {
    const lacp = new E2ELab("e2e-lacp-b", { "bondlab:variant": "lacp" });
    const seed = new E2ELab("e2e-seed-b", { "bondlab:variant": "seed" });
    afterAll(async () => {
        await seed.down();
        await lacp.down();
    });

    it("negotiates LACP with the other router as partner, every channel in one aggregator", async () => {
        await lacp.up();
        const inet = lacp.routers.inetRouter.verify;
        const central = lacp.routers.centralRouter.verify;
        expect(inet.aggregator.ports).toBe(2);
        expect(inet.aggregator.partnerMac).toBe(central.mac);
        expect(central.aggregator.partnerMac).toBe(inet.mac);
        expect(new Set(inet.slaves.map((s: any) => s.aggregatorId))).toEqual(new Set([inet.aggregator.id]));
    });

    it("applies idempotently: a second run changes nothing", async () => {
        const before = await exec(lacp.container("inetRouter"), "ip", "-d", "-o", "link", "show", "bond0");
        const again = await lacp.rerun("lab-inetRouter-apply");
        expect(again.code).toBe(0);
        expect(again.stdout).toContain("unchanged");
        expect(await exec(lacp.container("inetRouter"), "ip", "-d", "-o", "link", "show", "bond0")).toBe(before);
    });

    it("updates a bond option in place, as pulumi up does when only the option changed", async () => {
        const net = lacp.commandEnv("lab-inetRouter-apply").BONDLAB_NET;
        expect(net).toContain("lacp_rate fast");
        const changed = { BONDLAB_NET: net.replace("lacp_rate fast", "lacp_rate slow") };
        expect((await lacp.rerun("lab-inetRouter-apply", changed)).code).toBe(0);
        expect(await exec(lacp.container("inetRouter"), "cat", "/sys/class/net/bond0/bonding/lacp_rate")).toBe(
            "slow 0",
        );
        const back = await lacp.rerun("lab-inetRouter-apply");
        expect(back.code).toBe(0);
        expect(await exec(lacp.container("inetRouter"), "cat", "/sys/class/net/bond0/bonding/lacp_rate")).toBe(
            "fast 1",
        );
    });

    it("rebuilds the bond and its LACP pass-through after a router container restarts", async () => {
        const router = lacp.container("centralRouter");
        await restartRouters([router]);
        // verify waits for LACP to converge again; it fails when the partner never returns.
        const verify = await lacp.rerun("lab-centralRouter-verify");
        expect(verify.stderr).toBe("");
        expect(verify.code).toBe(0);
        const state = JSON.parse(verify.stdout.trim().split("\n").pop()!).states.bond0;
        expect(state.aggregator.ports).toBe(2);
        expect(state.aggregator.partnerMac).not.toBe("00:00:00:00:00:00");
    });

    it("makes each channel a wire: over a minute, every frame on it comes from a router's NIC", async () => {
        // The channels as the program built them (its labHandle output).
        const { channels } = lacp.handle as LabHandle;
        const nics = new Set<string>();
        for (const router of ["inetRouter", "centralRouter"]) {
            const macs = await exec(
                lacp.container(router),
                "sh",
                "-c",
                "cat /sys/class/net/eth1/address /sys/class/net/eth2/address /sys/class/net/bond0/address; " +
                    "sed -n 's/^Permanent HW addr: //p' /proc/net/bonding/bond0",
            );
            for (const mac of macs.split("\n")) nics.add(mac.trim());
        }
        // While the capture runs, each router asks each channel for the address Docker keeps
        // for the host there (the IPAM gateway): a host that is a station would answer.
        const captures = channels.map(({ bridge }) =>
            hostRun("timeout", "60", "tcpdump", "-i", bridge, "-e", "-n", "-q", "-l", "-Z", "root"),
        );
        await new Promise((r) => setTimeout(r, 5000));
        for (const channel of channels) {
            const gateway = await docker(
                "network",
                "inspect",
                "-f",
                "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
                labNames("bondlab", lacp.stack).network(channel.name),
            );
            for (const router of ["inetRouter", "centralRouter"]) {
                await exec(
                    lacp.container(router),
                    "busybox",
                    "arping",
                    "-c",
                    "3",
                    "-w",
                    "4",
                    "-I",
                    channel.interface,
                    gateway,
                ).catch(() => "no answer");
            }
        }
        const frames = (await Promise.all(captures)).map((text) =>
            text
                .split("\n")
                .filter((l) => l.trim() !== "")
                .map((l) => l.split(" ")[1]),
        );
        for (const [i, { bridge }] of channels.entries()) {
            expect(frames[i].length).toBeGreaterThan(0); // LACPDUs and the routers' ARP at least
            const addresses = await hostRun("ip", "-o", "addr", "show", "dev", bridge);
            const strangers = [...new Set(frames[i].filter((mac) => !nics.has(mac)))];
            expect({ bridge, addresses, strangers }).toEqual({ bridge, addresses: "", strangers: [] });
        }
    });

    it("runs a second stack on the same Docker host without touching the first", async () => {
        await seed.up();
        expect(seed.routers.inetRouter.verify.activeSlave).toBe("eth1");
        await seed.down();
        expect(await leftovers(seed.stack)).toEqual([]);
        const verify = await lacp.rerun("lab-inetRouter-verify");
        expect(verify.code).toBe(0);
    });

    it("leaves nothing behind", async () => {
        await lacp.down();
        expect(await leftovers(lacp.stack)).toEqual([]);
    });
});

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
