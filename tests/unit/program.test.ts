import * as path from "path";
import { hashFiles } from "../../components/foundation";
import { RegisteredResource, Stack } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { listNetworks, loadTopology } from "../../components/labfile/load";

const byType = (resources: RegisteredResource[], type: string) => resources.filter((r) => r.type === type);
const byName = (resources: RegisteredResource[], name: string) => {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource ${name}; have ${resources.map((r) => r.name).join(", ")}`);
    return found;
};
const env = (r: RegisteredResource) => r.inputs.environment as Record<string, string>;
/** An apply's settings (BONDLAB_NET) or a verify's checks (BONDLAB_CHECKS) of this kind, one per line, without the kind. */
const lines = (r: RegisteredResource, kind: string) =>
    (env(r).BONDLAB_NET ?? env(r).BONDLAB_CHECKS)
        .split("\n")
        .filter((l) => l.startsWith(`${kind} `))
        .map((l) => l.slice(kind.length + 1));
/** The bond options a router's apply builds its bond0 with. */
const bondOptions = (r: RegisteredResource) => lines(r, "bond")[0].replace(/^bond0 eth1,eth2 /, "");
/** One `pulumi up` of a new stack whose stack file holds `stackFile`, through the engine model. */
const run = (stackFile: Record<string, unknown>, stack = "dev", realizer = new MemoryRealizer()) =>
    new Stack({ name: stack, stackFile }, realizer).up();

describe("the seed lab (stack dev)", () => {
    let resources: RegisteredResource[];
    let outputs: Record<string, any>;
    beforeAll(async () => {
        ({ resources, outputs } = await run({ "bondlab:variant": "seed" }));
    });

    it("creates a management network and one bridge network per channel", () => {
        const networks = byType(resources, "docker:index/network:Network");
        expect(networks.map((n) => n.inputs.name).sort()).toEqual([
            "bondlab-dev-ch1",
            "bondlab-dev-ch2",
            "bondlab-dev-mgmt",
        ]);
        for (const name of ["lab-bond0-ch1-network", "lab-bond0-ch2-network"]) {
            const network = byName(resources, name);
            expect(network.inputs.internal).toBeFalsy();
            expect(network.inputs.options["com.docker.network.bridge.enable_ip_masquerade"]).toBe("false");
            // No host address on a channel's bridge: the Docker host is not a station on the wire.
            expect(network.inputs.options["com.docker.network.bridge.inhibit_ipv4"]).toBe("true");
            expect(network.inputs.options["com.docker.network.bridge.name"].length).toBeLessThanOrEqual(15);
            expect(network.inputs.labels).toContainEqual({ label: "org.bondlab.stack", value: "dev" });
        }
    });

    it("keeps the management network from masquerading bond traffic", () => {
        expect(
            byName(resources, "lab-management").inputs.options["com.docker.network.bridge.enable_ip_masquerade"],
        ).toBe("false");
    });

    it("gives each channel a cable on the host network with only NET_ADMIN", () => {
        const cable = byName(resources, "lab-bond0-ch1-cable");
        expect(cable.inputs.networkMode).toBe("host");
        expect(cable.inputs.capabilities).toEqual({ drops: ["ALL"], adds: ["NET_ADMIN"] });
        expect(cable.inputs.privileged).toBeFalsy();
        const bridge = byName(resources, "lab-bond0-ch1-network").inputs.options["com.docker.network.bridge.name"];
        expect(cable.inputs.envs).toEqual([`BONDLAB_BRIDGE=${bridge}`, "BONDLAB_LACP_PASSTHROUGH=1"]);
    });

    it("attaches each privileged router to management first, then the channels in order", () => {
        for (const router of ["inetRouter", "centralRouter"]) {
            const container = byName(resources, `lab-${router}-container`);
            expect(container.inputs.hostname).toBe(router);
            expect(container.inputs.privileged).toBe(true);
            expect(container.inputs.networksAdvanced.map((n: any) => n.name)).toEqual([
                "bondlab-dev-mgmt",
                "bondlab-dev-ch1",
                "bondlab-dev-ch2",
            ]);
        }
    });

    it("applies the seed's options on both routers with the subnets Docker picked", () => {
        const apply = byName(resources, "lab-inetRouter-apply");
        expect(lines(apply, "bond")).toEqual([
            "bond0 eth1,eth2 mode active-backup miimon 100 primary eth1 primary_reselect always",
        ]);
        expect(lines(apply, "addr")).toEqual(["bond0 192.168.1.1/24"]);
        expect(env(apply).BONDLAB_NODE).toBe("bondlab-dev-inetRouter");
        const subnets = ["lab-bond0-ch1-network", "lab-bond0-ch2-network"].map(
            (n) => byName(resources, n).state.ipamConfigs[0].subnet,
        );
        expect(lines(apply, "port")).toEqual([`eth1 ${subnets[0]}`, `eth2 ${subnets[1]}`]);
        expect(lines(apply, "mgmt")).toEqual([expect.stringMatching(/^eth0 10\.99\.\d+\.0\/24 10\.99\.\d+\.1$/)]);
        expect(lines(byName(resources, "lab-centralRouter-apply"), "addr")).toEqual(["bond0 192.168.1.2/24"]);
        // A two-router lab's routers keep the forwarding the Docker host gives them, as they always had.
        expect(byName(resources, "lab-inetRouter-container").inputs.sysctls).toBeUndefined();
    });

    it("verifies the bond strictly, with the expected active slave, and pings the peer", () => {
        const verify = byName(resources, "lab-inetRouter-verify");
        expect(lines(verify, "bond")).toEqual([
            "bond0 eth1,eth2 eth1 up mode active-backup miimon 100 primary eth1 primary_reselect always",
        ]);
        expect(lines(verify, "ping")).toEqual(["192.168.1.2 -"]);
        expect(lines(byName(resources, "lab-centralRouter-verify"), "ping")).toEqual(["192.168.1.1 -"]);
    });

    it("re-applies the bond when its router is replaced, and verifies again when a router or a cable is", () => {
        const idOf = (name: string) => byName(resources, name).id;
        expect(byName(resources, "lab-inetRouter-apply").inputs.triggers).toEqual([idOf("lab-inetRouter-container")]);
        expect(byName(resources, "lab-inetRouter-verify").inputs.triggers).toEqual(
            [
                "lab-inetRouter-container",
                "lab-centralRouter-container",
                "lab-bond0-ch1-cable",
                "lab-bond0-ch2-cable",
            ].map(idOf),
        );
    });

    it("exports each router's container, verify JSON and raw bonding text, and a diagram", () => {
        expect(outputs.routers.inetRouter.containerName).toBe("bondlab-dev-inetRouter");
        expect(outputs.routers.inetRouter.verify.mode).toBe("active-backup");
        expect(outputs.routers.inetRouter.verify.raw).toBeUndefined();
        expect(outputs.routers.centralRouter.procBonding).toContain("Bonding Mode");
        expect(outputs.routers.inetRouter.verify.ping).toEqual({ peer: "192.168.1.2", sent: 1, received: 1 });
        expect(outputs.labHandle.routers.map((r: any) => r.container)).toEqual([
            "bondlab-dev-inetRouter",
            "bondlab-dev-centralRouter",
        ]);
        expect(outputs.linkHandles.bond0).toBeDefined();
        expect(outputs.diagram).toContain("inetRouter_bond0");
        expect(outputs.variant).toBe("seed");
    });
});

describe("order of creation", () => {
    it("checks the host first, applies after the containers exist and verifies after both applies", async () => {
        const realizer = new MemoryRealizer(40);
        await run({ "bondlab:variant": "lacp" }, "lacp", realizer);
        const checked = realizer.at("end lab-host-check");
        for (const name of [
            "lab-management",
            "lab-bond0-ch1-network",
            "lab-bond0-ch2-network",
            "lab-inetRouter-container",
        ]) {
            expect(realizer.at(`start ${name}`)).toBeGreaterThan(checked);
        }
        for (const router of ["inetRouter", "centralRouter"]) {
            expect(realizer.at(`start lab-${router}-apply`)).toBeGreaterThan(
                realizer.at(`end lab-${router}-container`),
            );
            expect(realizer.at(`start lab-${router}-container`)).toBeGreaterThan(
                realizer.at("end lab-bond0-ch2-cable"),
            );
            for (const other of ["inetRouter", "centralRouter"]) {
                expect(realizer.at(`start lab-${router}-verify`)).toBeGreaterThan(
                    realizer.at(`end lab-${other}-apply`),
                );
            }
        }
    }, 30_000); // random step latency: the run takes seconds
});

describe("variants", () => {
    const expected: Record<string, string> = {
        seed: "mode active-backup miimon 100 primary eth1 primary_reselect always",
        "arp-monitor":
            "mode active-backup arp_interval 200 arp_ip_target 192.168.1.2 arp_validate active primary eth1 primary_reselect always",
        lacp: "mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4",
        "balance-rr": "mode balance-rr miimon 100",
        "balance-xor": "mode balance-xor miimon 100 xmit_hash_policy layer3+4",
        broadcast: "mode broadcast miimon 100",
        "balance-tlb": "mode balance-tlb miimon 100",
        "balance-alb": "mode balance-alb miimon 100",
        "seed-no-primary": "mode active-backup miimon 100",
        "seed-shared": "mode active-backup miimon 100 primary eth1 primary_reselect always",
    };
    it.each(Object.entries(expected))("%s applies its own options", async (variant, options) => {
        const { resources } = await run({ "bondlab:variant": variant }, variant);
        expect(bondOptions(byName(resources, "lab-inetRouter-apply"))).toBe(options);
        // Two routers, two cables, and seed-shared's switch.
        expect(byType(resources, "docker:index/container:Container")).toHaveLength(variant === "seed-shared" ? 5 : 4);
        // The router image's build, the host check, and each router's apply and verify.
        expect(byType(resources, "command:local:Command")).toHaveLength(6);
    });

    it.each(listNetworks())("the network %s: a Node per node, each with its apply and verify", async (network) => {
        const { resources, outputs } = await run({ "bondlab:variant": network }, network);
        const topology = loadTopology(network);
        const nodes = resources.filter((r) => r.type === "bondlab:index:Node").map((r) => r.name);
        expect(nodes).toEqual(topology.nodes.map((n) => `lab-${n.name}`));
        for (const node of topology.nodes) {
            expect(byName(resources, `lab-${node.name}-apply`)).toBeDefined();
            expect(byName(resources, `lab-${node.name}-verify`)).toBeDefined();
        }
        expect(Object.keys(outputs.nodes)).toEqual(topology.nodes.map((n) => n.name));
        expect(Object.keys(outputs.linkHandles)).toEqual(topology.links.filter((l) => l.bond).map((l) => l.name));
        // Every node's host configs, its VLAN sub-interfaces included.
        expect(Object.keys(outputs.hostConfigs)).toEqual(topology.nodes.map((n) => n.name));
        for (const node of topology.nodes) {
            const vlans = [...topology.links.flatMap((l) => l.ends), ...topology.segments.flatMap((s) => s.ports)]
                .filter((a) => a.node === node.name)
                .flatMap((a) => a.vlans.map((v) => v.interface));
            for (const vlan of vlans) expect(outputs.hostConfigs[node.name]).toHaveProperty([`ifcfg/ifcfg-${vlan}`]);
            expect(Object.keys(outputs.hostConfigs[node.name]).includes("sysctl.d/90-bondlab-forwarding.conf")).toBe(
                node.kind === "router",
            );
        }
    });

    it("points ARP monitoring of each router at the other one", async () => {
        const { resources } = await run({ "bondlab:variant": "arp-monitor" }, "arp-monitor");
        expect(bondOptions(byName(resources, "lab-centralRouter-apply"))).toContain("arp_ip_target 192.168.1.1");
    });

    it("runs routers with only NET_ADMIN and NET_RAW when privileged is off", async () => {
        const { resources } = await run({ "bondlab:variant": "lacp", "bondlab:privileged": "false" }, "lacp");
        const router = byName(resources, "lab-inetRouter-container");
        expect(router.inputs.privileged).toBe(false);
        expect(router.inputs.capabilities).toEqual({ adds: ["NET_ADMIN", "NET_RAW"] });
    });

    it("turns off LACP pass-through on every cable when asked", async () => {
        const { resources } = await run({ "bondlab:variant": "lacp", "bondlab:lacpPassthrough": "false" }, "lacp");
        expect(byName(resources, "lab-bond0-ch2-cable").inputs.envs).toContain("BONDLAB_LACP_PASSTHROUGH=0");
    });

    it("uses a given router image as it is instead of building one", async () => {
        const { resources } = await run({
            "bondlab:variant": "seed",
            "bondlab:routerImage": "bondlab.invalid/router:local",
        });
        const image = byType(resources, "docker:index/remoteImage:RemoteImage")[0];
        expect(image.inputs.name).toBe("bondlab.invalid/router:local");
        expect(image.inputs.build).toBeUndefined();
        expect(resources.find((r) => r.name === "lab-router-image-build")).toBeUndefined();
    });

    it("builds the router image with the docker CLI, on the lab's Docker host, before the image resource finds it", async () => {
        const { resources } = await run({ "bondlab:variant": "seed", "docker:host": "tcp://10.1.2.3:2375" });
        const build = byName(resources, "lab-router-image-build");
        expect(build.inputs.create).toContain("docker build -q");
        expect(build.inputs.environment).toEqual({
            DOCKER_HOST: "tcp://10.1.2.3:2375",
            BONDLAB_IMAGE: "bondlab.invalid/router:local",
            BONDLAB_IMAGE_CONTEXT: "images/router",
            BONDLAB_IMAGE_FILES: hashFiles(path.join(__dirname, "..", "..", "images", "router")),
        });
        // Not the provider's build, which fails on the containerd image store (#22): a lookup by
        // name, replaced (triggers) when the image's files change.
        const image = byType(resources, "docker:index/remoteImage:RemoteImage")[0];
        expect(image.inputs).toEqual({
            name: "bondlab.invalid/router:local",
            keepLocally: true,
            triggers: { files: build.inputs.environment.BONDLAB_IMAGE_FILES },
        });
    });

    it("builds a lab file of three channels with explicit subnets", async () => {
        const { resources } = await run({ "bondlab:variant": `${__dirname}/fixtures/three-channels.yaml` }, "three");
        expect(byType(resources, "docker:index/network:Network")).toHaveLength(4);
        expect(byName(resources, "lab-bond0-ch3-network").inputs.ipamConfigs).toEqual([{ subnet: "10.251.3.0/24" }]);
        const apply = byName(resources, "lab-inetRouter-apply");
        expect(lines(apply, "port")).toEqual(["eth1 10.251.1.0/24", "eth2 10.251.2.0/24", "eth3 10.251.3.0/24"]);
        expect(lines(apply, "mgmt")).toEqual(["eth0 10.251.0.0/24 10.251.0.1"]);
    });
});

describe("a shared segment (seed-shared)", () => {
    let resources: RegisteredResource[];
    let outputs: Record<string, any>;
    beforeAll(async () => {
        ({ resources, outputs } = await run({ "bondlab:variant": "seed-shared" }, "shared"));
    });

    it("joins the segment's channels with one switch container, in its own namespace, with only NET_ADMIN", () => {
        const sw = byName(resources, "lab-intnet-switch");
        expect(sw.inputs.name).toBe("bondlab-shared-intnet-switch");
        expect(sw.inputs.networksAdvanced.map((n: any) => n.name)).toEqual([
            "bondlab-shared-ch1",
            "bondlab-shared-ch2",
        ]);
        expect(sw.inputs.networkMode).toBeUndefined();
        expect(sw.inputs.privileged).toBeFalsy();
        expect(sw.inputs.capabilities).toEqual({ drops: ["ALL"], adds: ["NET_ADMIN"] });
        expect(sw.inputs.labels).toContainEqual({ label: "org.bondlab.stack", value: "shared" });
    });

    it("brings the routers up on joined wires and verifies again when the switch is replaced", async () => {
        const realizer = new MemoryRealizer(40);
        await run({ "bondlab:variant": "seed-shared" }, "shared", realizer);
        for (const router of ["inetRouter", "centralRouter"]) {
            expect(realizer.at(`start lab-${router}-container`)).toBeGreaterThan(realizer.at("end lab-intnet-switch"));
        }
        expect(realizer.at("start lab-intnet-switch")).toBeGreaterThan(realizer.at("end lab-bond0-ch2-network"));
        const sw = byName(resources, "lab-intnet-switch");
        expect(byName(resources, "lab-inetRouter-verify").inputs.triggers).toContain(sw.id);
    });

    it("draws both channels through the segment's switch", () => {
        expect(outputs.diagram).toContain(`segment_intnet{{"segment intnet: switch"}}`);
        expect(outputs.diagram).toMatch(/inetRouter_eth1 ---\|"ch1: bridge \S+"\| segment_intnet/);
        expect(outputs.diagram).toContain(`segment_intnet ---|"ch2"| centralRouter_eth2`);
    });

    it("publishes the switch in the lab handle", () => {
        expect(outputs.labHandle.channels.map((c: any) => c.switch)).toEqual([
            "bondlab-shared-intnet-switch",
            "bondlab-shared-intnet-switch",
        ]);
    });
});

describe("macFilter", () => {
    it("reaches apply as the filtered slaves, and only when some channel asks for it", async () => {
        const filtered = await run(
            { "bondlab:variant": `${__dirname}/../../configs/replay/seed-shared-vbox.yaml` },
            "vbox",
        );
        expect(lines(byName(filtered.resources, "lab-inetRouter-apply"), "filter")).toEqual(["eth1", "eth2"]);
        expect(filtered.outputs.labHandle.channels.map((c: any) => c.macFilter)).toEqual([true, true]);
        const plain = await run({ "bondlab:variant": "seed" });
        expect(lines(byName(plain.resources, "lab-inetRouter-apply"), "filter")).toEqual([]);
    });
});

describe("two stacks on one Docker host", () => {
    it("share no container, network or bridge name", async () => {
        const names = async (stack: string) => {
            const { resources } = await run({ "bondlab:variant": "seed" }, stack);
            return resources
                .flatMap((r) => [r.inputs.name, r.inputs.options?.["com.docker.network.bridge.name"]])
                .filter(Boolean);
        };
        const [a, b] = await Promise.all([names("dev"), names("lacp")]);
        expect(a.filter((n) => b.includes(n) && n !== "bondlab.invalid/router:local")).toEqual([]);
    });
});

describe("pulumi preview --diff stays calm", () => {
    const inputsByName = (resources: RegisteredResource[]) =>
        Object.fromEntries(resources.map((r) => [r.name, r.inputs]));

    it("an unchanged config gives identical inputs", async () => {
        const [a, b] = await Promise.all([
            run({ "bondlab:variant": "lacp" }, "lacp"),
            run({ "bondlab:variant": "lacp" }, "lacp"),
        ]);
        expect(inputsByName(b.resources)).toEqual(inputsByName(a.resources));
    });

    it("changing a bond option changes only the bond's commands", async () => {
        const before = inputsByName((await run({ "bondlab:variant": "lacp" }, "lacp")).resources);
        const after = inputsByName(
            (await run({ "bondlab:variant": "lacp", "bondlab:bondOptions": { lacp_rate: "slow" } }, "lacp")).resources,
        );
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
        const changed = Object.keys(after).filter(
            (name) => JSON.stringify(after[name]) !== JSON.stringify(before[name]),
        );
        expect(changed.sort()).toEqual([
            "lab-centralRouter-apply",
            "lab-centralRouter-verify",
            "lab-inetRouter-apply",
            "lab-inetRouter-verify",
        ]);
        // An update of these commands, not a replacement: triggers stay the same.
        for (const name of changed) expect(after[name].triggers).toEqual(before[name].triggers);
    });
});

describe("bad input", () => {
    it("fails before any resource is registered, naming the field", async () => {
        const realizer = new MemoryRealizer();
        await expect(
            run({ "bondlab:variant": "lacp", "bondlab:bondOptions": { primary: "eth1" } }, "lacp", realizer),
        ).rejects.toThrow(/bondlab:bondOptions\.primary: primary does not apply to mode 802\.3ad/);
        expect(realizer.events).toEqual([]);
    });

    it("names the shipped variants when the variant is unknown", async () => {
        await expect(run({ "bondlab:variant": "lacpp" })).rejects.toThrow(
            /no such variant: use one of arp-monitor, balance-alb/,
        );
    });
});

describe("the README and docs", () => {
    it("shows the seed stack's diagram as the program exports it (README)", async () => {
        const { outputs } = await run({ "bondlab:variant": "seed" }, "dev");
        const readme = require("fs").readFileSync(`${__dirname}/../../README.md`, "utf8") as string;
        expect(readme).toContain("```mermaid\n" + outputs.diagram + "\n```");
    });

    it("shows the enterprise stack's diagram as the program exports it (docs/lab-file.md)", async () => {
        const { outputs } = await run({ "bondlab:variant": "enterprise" }, "enterprise");
        const doc = require("fs").readFileSync(`${__dirname}/../../docs/lab-file.md`, "utf8") as string;
        expect(doc).toContain("```mermaid\n" + outputs.diagram + "\n```");
    });
});

describe("host configs in the stack outputs", () => {
    it("do not stop a valid lab when a format lacks one of its options: that format says why", async () => {
        const { outputs } = await run(
            { "bondlab:variant": "arp-monitor", "bondlab:bondOptions": { arp_missed_max: 3 } },
            "arp-monitor",
        );
        const files = outputs.hostConfigs.inetRouter;
        expect(files["netplan/NOT-EXPORTED.txt"]).toBe(
            "netplan cannot express the bond option arp_missed_max: netplan has no bond parameter for it\n",
        );
        expect(files["networkmanager/NOT-EXPORTED.txt"]).toMatch(
            /^networkmanager cannot express the bond option arp_missed_max/,
        );
        expect(files["ifcfg/ifcfg-bond0"]).toContain("arp_missed_max=3");
    });

    it("carry the seed's options as the ifcfg BONDING_OPTS of each router", async () => {
        const { outputs } = await run({ "bondlab:variant": "seed" });
        // The two-router lab's routers do not forward (only a network's do), and their exports say nothing of it.
        expect(Object.keys(outputs.hostConfigs.inetRouter).filter((f) => f.startsWith("sysctl.d/"))).toEqual([]);
        expect(outputs.hostConfigs.inetRouter["ifcfg/ifcfg-bond0"]).toContain(
            'BONDING_OPTS="mode=active-backup miimon=100 primary=eth1 primary_reselect=always"',
        );
        expect(Object.keys(outputs.hostConfigs.centralRouter)).toEqual(
            expect.arrayContaining(["netplan/60-bondlab.yaml"]),
        );
    });
});
