import { docker } from "../../engine/shell";
import { pickLab } from "../../drill/lab";
import { tableLine } from "../../drill/report";
import { DEFAULT_OPTIONS, RowResult } from "../../drill/result";
import { runDrill } from "../../drill/run";
import { E2ELab, exec, leftovers, upFromRelease } from "./lab";

// Version 2 networks on a real kernel: the course's homework (a LACP bond, then four hosts in
// two VLANs with the same addresses) and a small enterprise (9 nodes, two bonds of different
// modes, a VLAN trunk over one, routes between three sites).

/** The drill's short windows, as the variants' e2e drills use them. */
const SHORT = { ...DEFAULT_OPTIONS, preS: 1, minPostS: 3, maxPostS: 8 };

/** The MAC a node's interface has. */
const macOf = async (container: string, dev: string) =>
    (await exec(container, "cat", `/sys/class/net/${dev}/address`)).trim();
/** The MAC the node's neighbour table holds for an address. */
const neighbourMac = async (container: string, ip: string) =>
    /lladdr (\S+)/.exec(await exec(container, "ip", "neigh", "show", "to", ip))?.[1];
const ping = (container: string, ip: string) =>
    exec(container, "ping", "-n", "-q", "-c", "1", "-W", "2", ip).then(
        () => true,
        () => false,
    );

describe("vlan-lacp: the homework in one lab", () => {
    const stack = "e2e-vlan";
    const lab = new E2ELab(stack, { "bondlab:variant": "configs/v2/vlan-lacp.yaml" });
    const node = (name: string) => `bondlab-${stack}-${name}`;
    beforeAll(() => lab.up());
    afterAll(() => lab.down());

    it("verifies every node: the LACP bond at both ends, every L2 neighbour answering", () => {
        const nodes = lab.run!.outputs.nodes;
        expect(Object.keys(nodes)).toHaveLength(6);
        for (const report of Object.values<any>(nodes)) expect(report.verify.problems).toBe(0);
        expect(nodes.centralRouter.verify.bonds).toEqual([
            expect.objectContaining({ bond: "bond0", mode: "802.3ad", slaves: "eth1 eth2" }),
        ]);
    });

    it("negotiates LACP across the channels: each router's partner is the other's bond", async () => {
        const proc = await exec(node("centralRouter"), "cat", "/proc/net/bonding/bond0");
        expect(proc).toContain(`Partner Mac Address: ${await macOf(node("inetRouter"), "bond0")}`);
        expect(proc).toMatch(/Number of ports: 2/);
    });

    it("each client reaches its own server, never the same address in the other VLAN", async () => {
        for (const [client, server, other, vlan, otherVlan] of [
            ["testClient1", "testServer1", "testServer2", "eth1.100", "eth1.101"],
            ["testClient2", "testServer2", "testServer1", "eth1.101", "eth1.100"],
        ]) {
            expect(await ping(node(client), "10.10.10.1")).toBe(true);
            const answered = await neighbourMac(node(client), "10.10.10.1");
            expect(answered).toBe(await macOf(node(server), vlan));
            expect(answered).not.toBe(await macOf(node(other), otherVlan));
            // The other VLAN's server never heard of this client.
            const clientMac = await macOf(node(client), vlan);
            expect(await exec(node(other), "ip", "neigh", "show")).not.toContain(clientMac);
        }
    });

    // A network's bonds are checked as strictly as a two-router lab's (bond-status.sh): an
    // option that drifted, or a partner whose LACPDUs stopped, fails verify.
    it("verify fails a bond whose options in force differ from those asked", async () => {
        const router = node("centralRouter");
        await exec(router, "ip", "link", "set", "bond0", "type", "bond", "miimon", "200");
        const drifted = await lab.rerun("lab-centralRouter-verify", { BONDLAB_VERIFY_TIMEOUT: "2" });
        await exec(router, "ip", "link", "set", "bond0", "type", "bond", "miimon", "100");
        expect({ code: drifted.code, stderr: drifted.stderr }).toEqual({
            code: 1,
            stderr: expect.stringContaining("bond0: miimon: 200 in force, 100 asked for"),
        });
        expect((await lab.rerun("lab-centralRouter-verify")).code).toBe(0);
    });

    it("verify fails a bond whose LACP partner's LACPDUs stop arriving", async () => {
        const router = node("centralRouter");
        // Ahead of verify's own counter (pref 49152): the slaves hear no LACPDU from now on.
        const lacpduDrop = (verb: "add" | "del", dev: string) =>
            exec(
                router,
                "tc",
                "filter",
                verb,
                "dev",
                dev,
                "ingress",
                "pref",
                "7",
                ...(verb === "add" ? ["protocol", "0x8809", "matchall", "action", "drop"] : []),
            );
        for (const dev of ["eth1", "eth2"]) await lacpduDrop("add", dev);
        const deaf = await lab.rerun("lab-centralRouter-verify", { BONDLAB_VERIFY_TIMEOUT: "4" });
        for (const dev of ["eth1", "eth2"]) await lacpduDrop("del", dev);
        expect({ code: deaf.code, stderr: deaf.stderr }).toEqual({
            code: 1,
            stderr: expect.stringContaining("LACP: no LACPDU has reached eth1 eth2"),
        });
        expect((await lab.rerun("lab-centralRouter-verify")).code).toBe(0);
    });

    // macFilter on a network's channel (the lab file's lines reach apply as `filter` lines:
    // tests/unit/network.test.ts): the NIC's view of a VirtualBox internal network.
    it("apply filters a NIC to unicast for its own MAC as built, and drops the filter with the setting", async () => {
        const router = node("centralRouter");
        const apply = lab.stackOf.state.find((r) => r.name === "lab-centralRouter-apply")!;
        const net: string = (apply.inputs as any).environment.BONDLAB_NET;
        const ingress = (dev: string) => exec(router, "tc", "filter", "show", "dev", dev, "ingress");
        const filtered = await lab.rerun("lab-centralRouter-apply", {
            BONDLAB_NET: `${net}\nfilter eth1\nfilter eth2`,
        });
        const permanent: Record<string, string> = {};
        const filters: Record<string, string> = {};
        try {
            const proc = await exec(router, "cat", "/proc/net/bonding/bond0");
            for (const slave of ["eth1", "eth2"]) {
                permanent[slave] = new RegExp(`Slave Interface: ${slave}[\\s\\S]*?Permanent HW addr: (\\S+)`).exec(
                    proc,
                )![1];
                filters[slave] = await ingress(slave);
            }
        } finally {
            // The stack's own settings again: apply rebuilds the node without the filter.
            await lab.rerun("lab-centralRouter-apply");
        }
        expect(filtered.code).toBe(0);
        for (const slave of ["eth1", "eth2"]) {
            expect(filters[slave]).toContain(`dst_mac ${permanent[slave]}`);
            expect(filters[slave]).toMatch(/matchall[\s\S]*action order 1: gact action drop/);
        }
        expect(await ingress("eth1")).not.toContain("dst_mac");
        expect((await lab.rerun("lab-centralRouter-verify")).code).toBe(0);
    });

    it("hosts do not forward; routers do", async () => {
        expect((await exec(node("testClient1"), "cat", "/proc/sys/net/ipv4/ip_forward")).trim()).toBe("0");
        expect((await exec(node("centralRouter"), "cat", "/proc/sys/net/ipv4/ip_forward")).trim()).toBe("1");
    });

    it("a node restarted alone comes back by itself: its init rebuilds its VLAN", async () => {
        await docker("restart", "-t", "1", node("testServer1"));
        let back = false;
        for (let i = 0; i < 120 && !back; i++) {
            back = await ping(node("testClient1"), "10.10.10.1");
            if (!back) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(back).toBe(true);
        expect(await neighbourMac(node("testClient1"), "10.10.10.1")).toBe(
            await macOf(node("testServer1"), "eth1.100"),
        );
    });

    it("tears down without leaving a container, network or bridge", async () => {
        await lab.down();
        expect(await leftovers(stack)).toEqual([]);
    });
});

describe("enterprise: nine nodes, two bonds, a VLAN trunk, routes between three sites", () => {
    const stack = "e2e-enterprise";
    const lab = new E2ELab(stack, { "bondlab:variant": "enterprise" });
    const node = (name: string) => `bondlab-${stack}-${name}`;
    afterAll(() => lab.down());

    // Brought up by the release before every lab became one network, then upgraded in place:
    // the checks and the drill below run on the upgraded network.
    it("upgrades in place from 172c815: no Docker object created, replaced or deleted", async () => {
        const { steps, idsBefore, idsAfter } = await upFromRelease(lab, "172c815");
        const changed = steps.filter((s) => s.op !== "same" && /\$(docker|command):/.test(s.urn));
        expect(changed.filter((s) => s.urn.includes("$docker:")).map((s) => s.urn)).toEqual([]);
        expect(idsAfter).toEqual(idsBefore);
        expect(changed.every((s) => s.op === "update")).toBe(true);
    });

    it("verifies every node, including every host's ping to every other host", () => {
        const nodes = lab.run!.outputs.nodes;
        expect(Object.keys(nodes)).toHaveLength(9);
        for (const report of Object.values<any>(nodes)) expect(report.verify.problems).toBe(0);
        // Each host pinged the four others' addresses (its LAN neighbours and the routed ones).
        expect(nodes.office1Client.verify.pinged).toEqual(
            expect.arrayContaining(["10.1.1.10", "192.168.0.10", "10.2.30.10", "10.2.40.10"]),
        );
        expect(nodes.centralRouter.verify.bonds.map((b: any) => [b.bond, b.mode])).toEqual([
            ["bond0", "802.3ad"],
            ["bond1", "active-backup"],
        ]);
    });

    it("carries the office1 VLANs tagged over the active-backup bond", async () => {
        const details = await exec(node("office1Router"), "ip", "-d", "link", "show", "bond0.10");
        expect(details).toMatch(/vlan protocol 802\.1Q id 10/);
        expect(details).toMatch(/@bond0/);
    });

    it("a path crosses the routers: office1's client traces to office2's server", async () => {
        const trace = await exec(node("office1Client"), "traceroute", "-n", "-q", "1", "-w", "2", "10.2.40.10");
        // Busybox prints the header on stderr; each hop is " N  ADDRESS  TIME ms".
        const hops = [...trace.matchAll(/^\s*\d+\s+(\d+\.\d+\.\d+\.\d+)/gm)].map((m) => m[1]);
        expect(hops).toEqual(["10.1.1.1", "192.168.255.5", "192.168.255.10", "10.2.40.10"]);
    });

    // The seed's lesson on a trunk inside a bigger network: each end numbers its own slaves
    // (centralRouter's eth3/eth4, office1Router's eth1/eth2), and the probes cross a VLAN.
    describe("the failover drill on the office1 trunk (--link office1)", () => {
        let rows: RowResult[] = [];
        const row = (id: string) => {
            const found = rows.find((r) => r.id === id);
            if (!found) throw new Error(`no row ${id}: the drill did not run (see beforeAll)`);
            return found;
        };
        const summary = (r: RowResult) => ({ row: r.id, title: r.title, outcome: r.outcome, bound: r.bound.kind });
        beforeAll(async () => {
            if (!lab.run) throw new Error("the network did not come up (see the first test)");
            const trunk = pickLab(stack, lab.run.outputs, "office1");
            rows = (await runDrill(trunk, { ...SHORT, scenarios: ["admin-down", "cable-cut"] })).rows;
            console.log(rows.map((r) => tableLine(r, ["centralRouter", "office1Router"])).join("\n"));
        });

        it("recovers from a cable cut: both ends lose carrier", () => {
            expect(summary(row("cable-cut"))).toEqual(
                expect.objectContaining({ outcome: expect.stringMatching(/^(recovered|no-loss)$/) }),
            );
        });

        it("does not recover when one end downs its own slave: the seed's failure, named per end", () => {
            expect(rows.filter((r) => r.scenario === "admin-down").map(summary)).toEqual([
                expect.objectContaining({
                    title: expect.stringMatching(/^ip link set eth[12] down inside office1Router$/),
                    outcome: "down",
                    bound: "never",
                }),
                expect.objectContaining({
                    title: expect.stringMatching(/^ip link set eth[34] down inside centralRouter$/),
                    outcome: "down",
                    bound: "never",
                }),
            ]);
        });

        it("leaves the network as built: every node verifies again", async () => {
            for (const name of Object.keys(lab.run!.outputs.nodes)) {
                const verify = await lab.rerun(`lab-${name}-verify`);
                expect({ name, code: verify.code, stderr: verify.stderr }).toEqual({ name, code: 0, stderr: "" });
            }
        });
    });

    it("tears down without leaving a container, network or bridge", async () => {
        await lab.down();
        expect(await leftovers(stack)).toEqual([]);
    });
});
