import * as path from "path";
import { NetworkMacs, endOptions, nodeCheckLines, nodeNetLines, portsOf } from "../../components/node-settings";
import { linkHandle } from "../../components/handle";
import { labNames } from "../../components/names";
import { CONFIGS_DIR, loadTopology } from "../../components/labfile/load";
import { RegisteredResource, Stack } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";

const V2 = path.join(CONFIGS_DIR, "v2");
const vlanLab = () => loadTopology(path.join(V2, "vlan-lacp.yaml"));
const enterprise = () => loadTopology(path.join(V2, "enterprise.yaml"));

describe("what each node of a network is told", () => {
    it("ports in interface order: links' channels, then segment ports", () => {
        expect(portsOf(enterprise(), "centralRouter")).toEqual([
            { interface: "eth1", network: "wan1" },
            { interface: "eth2", network: "wan2" },
            { interface: "eth3", network: "of1a" },
            { interface: "eth4", network: "of1b" },
            { interface: "eth5", network: "of2" },
            { interface: "eth6", network: "centrallan" },
        ]);
    });

    it("bond options per end: mode first, the primary as that end's slave", () => {
        const office1 = enterprise().links[1];
        expect(endOptions(office1, office1.ends[0])).toBe("mode active-backup miimon 100 primary eth3");
        expect(endOptions(office1, office1.ends[1])).toBe("mode active-backup miimon 100 primary eth1");
    });

    it("ARP targets: `peer` is the other end's address", () => {
        const topology = loadTopology("arp-monitor");
        const [link] = topology.links;
        expect(endOptions(link, link.ends[0])).toMatch(/arp_ip_target 192\.168\.1\.2\b/);
        expect(endOptions(link, link.ends[1])).toMatch(/arp_ip_target 192\.168\.1\.1\b/);
    });

    it("apply's settings: management, ports by Docker's subnets, bonds, VLANs, addresses, routes", () => {
        const subnets = { wan1: "10.96.0.0/26", wan2: "10.96.0.64/26", of1a: "10.96.0.128/26", of1b: "10.96.0.192/26" };
        const lines = nodeNetLines(
            enterprise(),
            "office1Router",
            { ...subnets, office1lan: "10.96.1.0/26" },
            {
                subnet: "10.96.2.0/26",
                gateway: "10.96.2.1",
            },
        );
        expect(lines.split("\n")).toEqual([
            "mgmt eth0 10.96.2.0/26 10.96.2.1",
            "port eth1 10.96.0.128/26",
            "port eth2 10.96.0.192/26",
            "port eth3 10.96.1.0/26",
            "bond bond0 eth1,eth2 mode active-backup miimon 100 primary eth1",
            "vlan bond0.10 bond0 10",
            "vlan bond0.20 bond0 20",
            "addr bond0.10 192.168.255.6/30",
            "addr bond0.20 192.168.20.2/30",
            "addr eth3 10.1.1.1/24",
            "route default 192.168.255.5",
        ]);
    });

    it("verify's checks: bonds, every L2 neighbour, and a host's routed peers", () => {
        const lines = nodeCheckLines(enterprise(), "office1Client", {}).split("\n");
        expect(lines).toEqual(expect.arrayContaining(["ping 10.1.1.1 -", "ping 10.1.1.10 -", "ping 10.2.40.10 -"]));
        expect(lines).toHaveLength(2 + 3); // two neighbours, three hosts beyond the LAN
        expect(nodeCheckLines(enterprise(), "centralRouter", {}).split("\n")).toEqual(
            expect.arrayContaining([
                "bond bond0 eth1,eth2 - up mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4",
                "bond bond1 eth3,eth4 eth3 up mode active-backup miimon 100 primary eth3",
            ]),
        );
    });

    it("verify expects what the drill's handle expects of each bonded end, an ARP monitor's unseen backups too", () => {
        const topology = loadTopology("arp-monitor");
        const [link] = topology.links;
        const [bondLine] = nodeCheckLines(topology, "centralRouter", {}).split("\n");
        const handle = linkHandle(topology, link, labNames("bondlab", "dev"), { dockerEnv: {} })!;
        const settings = handle.routers.find((r) => r.name === "centralRouter")!.verify;
        expect(bondLine).toBe(
            `bond ${settings.BONDLAB_BOND} ${settings.BONDLAB_SLAVES.replace(" ", ",")} ` +
                `${settings.BONDLAB_ACTIVE} unknown ${settings.BONDLAB_OPTIONS}`,
        );
        expect(settings.BONDLAB_OPTIONS).toMatch(/^mode active-backup .*arp_ip_target 192\.168\.1\.1\b/);
    });

    it("apply filters the NICs of a macFilter channel, and only those", () => {
        const topology = loadTopology(path.join(CONFIGS_DIR, "replay", "seed-shared-vbox.yaml"));
        const subnets = Object.fromEntries(topology.links[0].channels.map((c, i) => [c.name, `10.97.${i}.0/24`]));
        const lines = nodeNetLines(topology, "inetRouter", subnets, { subnet: "10.96.2.0/26", gateway: "10.96.2.1" });
        const filtered = topology.links[0].channels.filter((c) => c.macFilter);
        expect(filtered.length).toBeGreaterThan(0);
        expect(lines.split("\n").filter((l) => l.startsWith("filter "))).toEqual(
            portsOf(topology, "inetRouter")
                .filter((p) => filtered.some((c) => c.name === p.network))
                .map((p) => `filter ${p.interface}`),
        );
        expect(nodeNetLines(enterprise(), "centralRouter", {}, { subnet: "", gateway: "" })).not.toMatch(/^filter /m);
    });

    it("in the VLAN lab a ping must be answered by the MAC of the node in the sender's own VLAN", () => {
        const macs: NetworkMacs = {
            testServer1: { "eth1.100": "02:00:00:00:01:00" },
            testServer2: { "eth1.101": "02:00:00:00:02:00" },
        };
        expect(nodeCheckLines(vlanLab(), "testClient1", macs)).toBe("ping 10.10.10.1 02:00:00:00:01:00");
        expect(nodeCheckLines(vlanLab(), "testClient2", macs)).toBe("ping 10.10.10.1 02:00:00:00:02:00");
    });
});

describe("the VLAN lab's program (stack dev, engine model)", () => {
    let resources: RegisteredResource[];
    let outputs: Record<string, any>;
    const realizer = new MemoryRealizer();
    const byName = (name: string) => resources.find((r) => r.name === name)!;
    beforeAll(async () => {
        ({ resources, outputs } = await new Stack(
            { name: "dev", stackFile: { "bondlab:variant": "configs/v2/vlan-lacp.yaml" } },
            realizer,
        ).up());
    });

    it("is built of components: a Network, a Link per link, a Node per node", () => {
        const count = (type: string) => resources.filter((r) => r.type === type).length;
        expect([count("bondlab:index:Network"), count("bondlab:index:Link"), count("bondlab:index:Node")]).toEqual([
            1, 1, 6,
        ]);
        expect(byName("lab-testClient1-verify").urn).toMatch(
            /::bondlab:index:Network\$bondlab:index:Node\$command:local:Command::lab-testClient1-verify$/,
        );
    });

    it("one network per channel and per segment with ports, besides management", () => {
        const networks = resources.filter((r) => r.type === "docker:index/network:Network").map((r) => r.inputs.name);
        expect(networks.sort()).toEqual([
            "bondlab-dev-ch1",
            "bondlab-dev-ch2",
            "bondlab-dev-mgmt",
            "bondlab-dev-testlan",
        ]);
        expect(byName("lab-testlan-cable").inputs.networkMode).toBe("host");
    });

    it("routers forward and hosts do not, whatever the Docker host's default", () => {
        expect(byName("lab-centralRouter-container").inputs.sysctls).toEqual({ "net.ipv4.ip_forward": "1" });
        expect(byName("lab-testClient1-container").inputs.sysctls).toEqual({ "net.ipv4.ip_forward": "0" });
    });

    it("each node sits on management, then its networks in interface order", () => {
        expect(byName("lab-centralRouter-container").inputs.networksAdvanced.map((n: any) => n.name)).toEqual([
            "bondlab-dev-mgmt",
            "bondlab-dev-ch1",
            "bondlab-dev-ch2",
            "bondlab-dev-testlan",
        ]);
    });

    it("verify runs after every node's apply and again when a node or a cable is replaced", () => {
        const verify = byName("lab-testClient1-verify");
        const applies = resources.filter((r) => r.name.endsWith("-apply"));
        expect(applies).toHaveLength(6);
        for (const apply of applies) {
            expect(realizer.at(`end ${apply.name}`)).toBeGreaterThanOrEqual(0);
            expect(realizer.at(`end ${apply.name}`)).toBeLessThan(realizer.at(`start ${verify.name}`));
        }
        expect(verify.inputs.triggers).toHaveLength(6 + 3);
    });

    it("outputs every node's verify and a diagram of every node, link, segment and VLAN", () => {
        expect(Object.keys(outputs.nodes)).toEqual([
            "inetRouter",
            "centralRouter",
            "testClient1",
            "testServer1",
            "testClient2",
            "testServer2",
        ]);
        expect(outputs.diagram).toMatch(/inetRouter_bond0\["bond0 192\.168\.255\.1\/30<br\/>wan: 802\.3ad"\]/);
        // Each channel of the bond its own cable, slave to slave.
        expect(outputs.diagram).toMatch(/inetRouter_eth1 ---\|"ch1: bridge \S+"\| centralRouter_eth1/);
        expect(outputs.diagram).toMatch(/inetRouter_eth2 ---\|"ch2: bridge \S+"\| centralRouter_eth2/);
        expect(outputs.diagram).toMatch(/testClient2_eth1\["eth1<br\/>eth1\.101 10\.10\.10\.254\/24"\]/);
        expect(outputs.routers).toBeUndefined();
    });
});

describe("one lab, written either way", () => {
    // Every lab is built as a network: a version 1 file and the version 2 file of the same two
    // routers and bonded link declare the same resources with the same inputs (macFilter and a
    // shared segment included), so the e2e replay on one stands for both.
    it("seed-shared-vbox as a version 1 and a version 2 file: the same resources, inputs and outputs", async () => {
        const build = async (file: string) => {
            const stackFile = { "bondlab:variant": path.join(CONFIGS_DIR, "replay", file) };
            const { resources, outputs } = await new Stack({ name: "vbox", stackFile }, new MemoryRealizer()).up();
            return {
                resources: resources.map((r) => ({ urn: r.urn, inputs: r.inputs })),
                routers: outputs.routers,
                handle: { ...outputs.labHandle, variant: undefined, description: undefined },
            };
        };
        const [v1, v2] = [await build("seed-shared-vbox.yaml"), await build("seed-shared-vbox.v2.yaml")];
        expect(v2.resources.map((r) => r.urn)).toEqual(v1.resources.map((r) => r.urn));
        expect(v2).toEqual(v1);
        expect(v1.handle.channels.map((c: any) => [c.macFilter, c.switch])).toEqual([
            [true, "bondlab-vbox-intnet-switch"],
            [true, "bondlab-vbox-intnet-switch"],
        ]);
    }, 60_000);
});
