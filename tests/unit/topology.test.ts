import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIGS_DIR, listVariants, loadAnyLab, loadTopology } from "../../components/labfile/load";
import { endBondOptions } from "../../components/node-settings";
import { twoRouterLink } from "../../components/labfile/topology";
import { LabConfigError } from "../../components/labfile/validate";
import { validateTopology } from "../../components/labfile/validate-topology";

const V2_DIR = path.join(CONFIGS_DIR, "v2");

/** The two-router lab as a version 2 file, to vary one field at a time. */
const classic = () => ({
    version: 2,
    description: "test",
    nodes: [{ name: "inetRouter" }, { name: "centralRouter" }] as Record<string, unknown>[],
    links: [
        {
            name: "wan",
            channels: ["ch1", "ch2"] as unknown[],
            bond: { mode: "active-backup", options: { miimon: 100 } as Record<string, unknown> },
            ends: {
                inetRouter: { address: "192.168.1.1/24" },
                centralRouter: { address: "192.168.1.2/24" },
            } as Record<string, unknown>,
        } as Record<string, unknown>,
    ],
    segments: [] as Record<string, unknown>[],
});

/** The VLAN lab (configs/v2/vlan-lacp.yaml) as data, to vary. */
const vlanLab = () => YAML.parse(fs.readFileSync(path.join(V2_DIR, "vlan-lacp.yaml"), "utf8"));

function issues(raw: unknown): string[] {
    try {
        validateTopology("test", raw, "test.yaml");
    } catch (e) {
        if (e instanceof LabConfigError) return e.issues.map((i) => `${i.field}: ${i.message}`);
        throw e;
    }
    return [];
}

describe("version 1 lab files mean what they meant", () => {
    // What each one was before (validateLab, then topologyOf) is frozen in classic-lab.test.ts.
    it.each(listVariants())("%s is two routers joined by one bonded link, its slaves eth1, eth2...", (variant) => {
        const { network, link } = loadAnyLab(variant);
        expect(loadTopology(variant)).toEqual(network);
        expect(network.links).toEqual([link]);
        expect(twoRouterLink(network)).toBe(link);
        const slaves = link!.channels.map((_, i) => `eth${i + 1}`);
        expect(link!.ends.map((e) => e.slaves)).toEqual([slaves, slaves]);
    });

    it("a primary named by interface in version 1 is the channel's name in the network, the slave in the kernel", () => {
        const link = loadTopology("seed").links[0];
        expect(link.bond?.options.primary).toBe("ch1");
        expect(endBondOptions(link, link.ends[0])).toContainEqual(["primary", "eth1"]);
    });
});

describe("version 2 lab files", () => {
    it("the classic lab in version 2 builds exactly the version 1 lab", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-v2-"));
        const v2 = classic();
        (v2.links[0].bond as { options: object }).options = { miimon: 100, primary: "ch1" };
        const v1 = {
            description: "test",
            bond: { mode: "active-backup", options: { miimon: 100, primary: "eth1" } },
        };
        fs.writeFileSync(path.join(dir, "lab.yaml"), YAML.stringify(v2));
        fs.writeFileSync(path.join(dir, "old.yaml"), YAML.stringify(v1));
        const { variant: _, links: builtLinks, ...built } = loadAnyLab(path.join(dir, "lab.yaml")).network;
        const { variant: __, links: oldLinks, ...old } = loadAnyLab(path.join(dir, "old.yaml")).network;
        expect(built).toEqual(old);
        // The same link but for its name (a version 1 file names it after its bond).
        expect(builtLinks.map((l) => ({ ...l, name: "" }))).toEqual(oldLinks.map((l) => ({ ...l, name: "" })));
    });

    it.each(fs.readdirSync(V2_DIR))("configs/v2/%s is valid", (file) => {
        expect(() => loadTopology(path.join(V2_DIR, file))).not.toThrow();
    });

    it("a larger network has no two-router link, and says what it holds beyond one", () => {
        const loaded = loadAnyLab(path.join(V2_DIR, "vlan-lacp.yaml"));
        expect(loaded.link).toBeUndefined();
        expect(loaded.beyond).toBe("6 nodes and 1 link");
        expect(loaded.network.nodes).toHaveLength(6);
    });

    it("a shipped network is found by its name, and a name never walks out of configs/", () => {
        expect(loadAnyLab("vlan-lacp")).toHaveProperty("network.variant", "vlan-lacp");
        expect(() => loadAnyLab("v2/../seed")).toThrow(
            /no such variant: use one of arp-monitor, .*, enterprise, vlan-lacp,/,
        );
    });

    it("stack-set bond options are refused for a version 2 file, naming the key", () => {
        expect(() => loadAnyLab(path.join(V2_DIR, "vlan-lacp.yaml"), { miimon: 200 })).toThrow(
            /bondlab:bondOptions: a version 2 lab file sets its bonds' options itself/,
        );
    });

    it("numbers each node's interfaces in file order: links' channels, then segment ports", () => {
        const topology = loadTopology(path.join(V2_DIR, "enterprise.yaml"));
        const central = [...topology.links.flatMap((l) => l.ends), ...topology.segments.flatMap((s) => s.ports)]
            .filter((a) => a.node === "centralRouter")
            .map((a) => a.interface);
        expect(central).toEqual(["bond0", "bond1", "eth5", "eth6"]);
        const office1 = topology.links[1].ends[1];
        expect([office1.node, office1.interface, office1.slaves]).toEqual(["office1Router", "bond0", ["eth1", "eth2"]]);
        expect(office1.vlans.map((v) => v.interface)).toEqual(["bond0.10", "bond0.20"]);
        expect(topology.nodes.find((n) => n.name === "centralRouter")?.routes).toContainEqual({
            to: "0.0.0.0/0",
            via: "192.168.255.1",
        });
    });

    it("the same address in two VLANs is the point of the VLAN lab; twice in one VLAN it is refused", () => {
        expect(issues(vlanLab())).toEqual([]);
        const lab = vlanLab();
        lab.segments[0].ports.testServer2.vlans[0].id = 100;
        lab.segments[0].ports.testClient2.vlans[0].id = 100;
        expect(issues(lab)).toEqual([
            expect.stringMatching(
                /^segments\[0\]\.ports\.testClient2\.vlans\[0\]\.address: 10\.10\.10\.254 is also testClient1's .* VLAN 100/,
            ),
            expect.stringMatching(
                /^segments\[0\]\.ports\.testServer2\.vlans\[0\]\.address: 10\.10\.10\.1 is also testServer1's/,
            ),
        ]);
    });
});

type Raw = ReturnType<typeof classic>;
const edit = (change: (raw: Raw) => void): Raw => {
    const raw = classic();
    change(raw);
    return raw;
};
const link = (raw: Raw) => raw.links[0] as Record<string, any>;

describe("bad version 2 files are refused with the field, the value and the fix", () => {
    it.each<[string, unknown, RegExp]>([
        ["an unknown version", { ...classic(), version: 3 }, /^version: 3 is not a lab file version: write version: 2/],
        [
            "a misspelt top-level key",
            { ...classic(), node: [] },
            /^\(file\): unknown key "node" \(did you mean nodes\?\)/,
        ],
        ["one node", edit((r) => r.nodes.pop()), /^nodes: a lab has 2 to 32 nodes, got 1/],
        [
            "a node that is no hostname",
            edit((r) => (r.nodes[0].name = "inet_router")),
            /^nodes\[0\]\.name: "inet_router" is not a hostname/,
        ],
        [
            "two nodes whose names differ only in case",
            edit((r) => r.nodes.push({ name: "InetRouter" })),
            /^nodes\[2\]\.name: "InetRouter" is used twice: node names must differ \(Docker ignores case\)/,
        ],
        [
            "a node on nothing",
            edit((r) => r.nodes.push({ name: "lonely" })),
            /^nodes\[2\]: lonely is on no link and no segment: connect it/,
        ],
        [
            "a node named like a cable",
            edit((r) => r.nodes.push({ name: "ch1-cable" })),
            /^nodes\[2\]\.name: "ch1-cable" is the name of channel ch1's cable container/,
        ],
        ["a bad node kind", edit((r) => (r.nodes[0].kind = "switch")), /^nodes\[0\]\.kind: Invalid enum value/],
        [
            "an end that is no node",
            edit((r) => {
                const ends = link(r).ends;
                ends.centralRoutr = ends.centralRouter;
                delete ends.centralRouter;
            }),
            /^links\[0\]\.ends\.centralRoutr: "centralRoutr" is not a node \(did you mean centralRouter\?\)/,
        ],
        [
            "a link of one end",
            edit((r) => delete link(r).ends.centralRouter),
            /^links\[0\]\.ends: a link has exactly two ends, each under its node's name; got 1 \(inetRouter\)/,
        ],
        [
            "two channels without a bond",
            edit((r) => delete link(r).bond),
            /^links\[0\]\.bond: is required: a link of 2 channels is bonded at both ends/,
        ],
        [
            "a bond over one channel",
            edit((r) => (link(r).channels = ["ch1"])),
            /^links\[0\]\.bond: a link of one channel has nothing to bond/,
        ],
        [
            "nine channels",
            edit((r) => (link(r).channels = 9)),
            /^links\[0\]\.channels: a link has 1 to 8 channels, got 9/,
        ],
        [
            "a mode at one end",
            edit((r) => (link(r).ends.inetRouter = { address: "192.168.1.1/24", mode: "802.3ad" })),
            /^links\[0\]\.ends\.inetRouter: the mode is set once per link \(links\[\]\.bond\.mode\): both ends of a bond run the same mode/,
        ],
        [
            "a misspelt end key",
            edit((r) => (link(r).ends.inetRouter = { adress: "192.168.1.1/24" })),
            /^links\[0\]\.ends\.inetRouter: unknown key "adress" \(did you mean address\?\)/,
        ],
        [
            "a bad mode",
            edit((r) => (link(r).bond.mode = "lacp")),
            /^links\[0\]\.bond\.mode: "lacp" is not a bonding mode/,
        ],
        [
            "a primary named by interface",
            edit((r) => (link(r).bond.options.primary = "eth1")),
            /^links\[0\]\.bond\.options\.primary: "eth1" is not a slave of the bond: use one of ch1, ch2/,
        ],
        [
            "min_links over the channels",
            edit((r) => (link(r).bond = { mode: "802.3ad", options: { miimon: 100, min_links: 3 } })),
            /^links\[0\]\.bond\.options\.min_links: 3 is more than the bond's 2 channels/,
        ],
        [
            "an ARP target that is the router itself",
            edit((r) => (link(r).bond.options = { arp_interval: 200, arp_ip_target: ["peer", "192.168.1.1"] })),
            /^links\[0\]\.bond\.options\.arp_ip_target: 192\.168\.1\.1 is inetRouter's own address/,
        ],
        [
            "`peer` with an end that has no address",
            edit((r) => {
                link(r).bond.options = { arp_interval: 200, arp_ip_target: ["peer"] };
                link(r).ends.inetRouter = { vlans: [{ id: 10, address: "10.0.0.1/24" }] };
                link(r).ends.centralRouter = { address: "192.168.1.2/24", vlans: [{ id: 10, address: "10.0.0.2/24" }] };
            }),
            /^links\[0\]\.bond\.options\.arp_ip_target: `peer` is the other end's address: give both ends an address/,
        ],
        [
            "an end with nothing on it",
            edit((r) => (link(r).ends.inetRouter = {})),
            /^links\[0\]\.ends\.inetRouter: inetRouter has neither an address nor VLANs here/,
        ],
        [
            "a VLAN id out of range",
            edit(
                (r) =>
                    (link(r).ends.inetRouter = {
                        address: "192.168.1.1/24",
                        vlans: [{ id: 4095, address: "10.0.0.1/24" }],
                    }),
            ),
            /^links\[0\]\.ends\.inetRouter\.vlans\[0\]\.id: 4095 is not a VLAN id: use 1 to 4094/,
        ],
        [
            "a VLAN id twice on one parent",
            edit((r) => {
                const vlans = [
                    { id: 10, address: "10.0.0.1/24" },
                    { id: 10, address: "10.0.1.1/24" },
                ];
                link(r).ends.inetRouter = { address: "192.168.1.1/24", vlans };
            }),
            /^links\[0\]\.ends\.inetRouter\.vlans\[1\]\.id: VLAN 10 is on inetRouter's bond0 twice: a VLAN id appears once per interface/,
        ],
        [
            "a VLAN at one end only",
            edit(
                (r) =>
                    (link(r).ends.inetRouter = {
                        address: "192.168.1.1/24",
                        vlans: [{ id: 10, address: "10.0.0.1/24" }],
                    }),
            ),
            /^links\[0\]\.ends\.inetRouter\.vlans\[0\]\.id: only inetRouter is in link wan, VLAN 10: a VLAN needs a member/,
        ],
        [
            "a VLAN name too long for Linux",
            edit((r) => {
                for (const [node, address, vlan] of [
                    ["inetRouter", "192.168.1.1/24", "10.0.0.1/24"],
                    ["centralRouter", "192.168.1.2/24", "10.0.0.2/24"],
                ])
                    link(r).ends[node] = { bond: "uplinkbond1", address, vlans: [{ id: 1000, address: vlan }] };
            }),
            /^links\[0\]\.ends\.inetRouter\.vlans\[0\]\.id: uplinkbond1\.1000 is longer than Linux's 15 characters/,
        ],
        [
            "two ends in different subnets",
            edit((r) => (link(r).ends.centralRouter = { address: "192.168.2.2/24" })),
            /^links\[0\]\.ends\.centralRouter\.address: 192\.168\.2\.2\/24 is not in 192\.168\.1\.1\/24's subnet .*: addresses in/,
        ],
        [
            "one address at both ends",
            edit((r) => (link(r).ends.centralRouter = { address: "192.168.1.1/24" })),
            /^links\[0\]\.ends\.centralRouter\.address: 192\.168\.1\.1 is also inetRouter's address in link wan/,
        ],
        [
            "an address in octal-looking form",
            edit((r) => (link(r).ends.centralRouter = { address: "192.168.01.2/24" })),
            /^links\[0\]\.ends\.centralRouter\.address: "192\.168\.01\.2\/24" is not an IPv4 address with a prefix in plain decimal/,
        ],
        [
            "a channel name used by two links",
            edit((r) => {
                r.nodes.push({ name: "office" });
                r.links.push({
                    name: "lan",
                    channels: ["ch1"],
                    ends: { centralRouter: { address: "10.0.0.1/24" }, office: { address: "10.0.0.2/24" } },
                });
            }),
            /^links\[1\]\.channels\[0\]\.name: "ch1" is also links\[0\]\.channels\[0\]: channel names are unique in the lab/,
        ],
        [
            "two subnets on one node that overlap",
            edit((r) => {
                r.nodes.push({ name: "office" });
                r.links.push({
                    name: "lan",
                    channels: ["ch3"],
                    ends: { centralRouter: { address: "192.168.1.130/25" }, office: { address: "192.168.1.131/25" } },
                });
            }),
            /^links\[1\]\.ends\.centralRouter\.address: 192\.168\.1\.130\/25 overlaps centralRouter's 192\.168\.1\.2\/24/,
        ],
        [
            "a segment that joins one port",
            edit((r) => r.segments.push({ name: "lan", ports: { inetRouter: { address: "10.0.0.1/24" } } })),
            /^segments\[0\]: segment "lan" joins only one port or channel: a segment is one L2 network for two or more/,
        ],
        [
            "a port of a node that does not exist",
            edit((r) =>
                r.segments.push({
                    name: "lan",
                    ports: { inetRouter: { address: "10.0.0.1/24" }, client: { address: "10.0.0.2/24" } },
                }),
            ),
            /^segments\[0\]\.ports\.client: "client" is not a node/,
        ],
        [
            "a segment that only one channel names",
            edit((r) => (link(r).channels = [{ name: "ch1", segment: "lan" }, "ch2"])),
            /^links\[0\]\.channels\[0\]\.segment: segment "lan" has only this channel: .*give another channel segment: lan, or remove it$/,
        ],
        [
            "a segment of channels named mgmt, told where a channel names it",
            edit(
                (r) =>
                    (link(r).channels = [
                        { name: "ch1", segment: "mgmt" },
                        { name: "ch2", segment: "mgmt" },
                    ]),
            ),
            /^links\[0\]\.channels\[0\]\.segment: "mgmt" is the management network's name/,
        ],
        [
            "a bond over one channel, whose options are checked all the same",
            edit((r) => {
                link(r).channels = ["ch1"];
                link(r).bond.options.lacp_rate = "fast";
            }),
            /^links\[0\]\.bond\.options\.lacp_rate: lacp_rate does not apply to mode active-backup/,
        ],
        [
            "an LACP link whose channels join a segment",
            edit((r) => {
                link(r).bond.mode = "802.3ad";
                link(r).channels = [
                    { name: "ch1", segment: "intnet" },
                    { name: "ch2", segment: "intnet" },
                ];
            }),
            /^links\[0\]\.channels\[0\]\.segment: 802\.3ad needs each channel to be its own link/,
        ],
        [
            "a route via a stranger",
            edit((r) => (r.nodes[0].routes = [{ to: "10.0.0.0/8", via: "192.168.9.1" }])),
            /^nodes\[0\]\.routes\[0\]\.via: 192\.168\.9\.1 is not on any of inetRouter's subnets \(192\.168\.1\.0\/24\): a gateway must be/,
        ],
        [
            "a route via the node itself",
            edit((r) => (r.nodes[0].routes = [{ to: "default", via: "192.168.1.1" }])),
            /^nodes\[0\]\.routes\[0\]\.via: 192\.168\.1\.1 is inetRouter's own address: route via a neighbour/,
        ],
        [
            "a route into a connected subnet",
            edit((r) => (r.nodes[0].routes = [{ to: "192.168.1.128/25", via: "192.168.1.2" }])),
            /^nodes\[0\]\.routes\[0\]\.to: 192\.168\.1\.128\/25 is inside inetRouter's connected 192\.168\.1\.0\/24/,
        ],
        [
            "a route to the same place twice",
            edit(
                (r) =>
                    (r.nodes[0].routes = [
                        { to: "default", via: "192.168.1.2" },
                        { to: "0.0.0.0/0", via: "192.168.1.2" },
                    ]),
            ),
            /^nodes\[0\]\.routes\[1\]\.to: 0\.0\.0\.0\/0 is routed twice on inetRouter/,
        ],
        [
            "a route with host bits",
            edit((r) => (r.nodes[0].routes = [{ to: "10.1.2.3/8", via: "192.168.1.2" }])),
            /^nodes\[0\]\.routes\[0\]\.to: "10\.1\.2\.3\/8" has host bits set: the subnet is 10\.0\.0\.0\/8/,
        ],
    ])("%s", (_, raw, expected) => {
        expect(issues(raw)).toContainEqual(expect.stringMatching(expected));
    });

    it("`peer` with an end whose address is refused is told at the address only", () => {
        const found = issues(
            edit((r) => {
                link(r).bond.options = { arp_interval: 200, arp_ip_target: ["peer"] };
                link(r).ends.inetRouter = { address: "192.168.1.1" };
            }),
        );
        expect(found).toEqual([
            expect.stringMatching(/^links\[0\]\.ends\.inetRouter\.address: "192\.168\.1\.1" is not/),
        ]);
    });

    it("a summary route may cover a connected subnet", () => {
        expect(issues(edit((r) => (r.nodes[0].routes = [{ to: "192.168.0.0/16", via: "192.168.1.2" }])))).toEqual([]);
    });
});
