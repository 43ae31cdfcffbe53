import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ModelDriver, statusFromOutputs } from "../../class/drivers";
import { StudentLab, planClass, stackConfigOf } from "../../class/plan";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { loadClass } from "../../class/plan";

// The class file and `npm run class`'s drivers, without a Docker host.

const valid = () => ({
    class: "net101",
    variant: "lacp",
    hosts: { lab1: "ssh://teacher@lab1.example.org", lab2: "tcp://10.0.0.12:2375" },
    students: [
        { name: "alice", host: "lab1" },
        { name: "bob", host: "lab2", variant: "arp-monitor" },
    ],
});

/** The problems planClass reports, as "field: message" lines. */
const problems = (data: unknown): string[] => {
    try {
        planClass(data, "class.yaml");
        return [];
    } catch (e) {
        return (e as any).issues.map((i: any) => `${i.field}: ${i.message}`);
    }
};

describe("a class file", () => {
    it("gives each student a stack <class>-<student> with its variant and its host's docker:host", () => {
        const plan = planClass(valid(), "class.yaml");
        expect(plan.labs.map((l) => [l.stack, l.variant, l.dockerHost])).toEqual([
            ["net101-alice", "lacp", "ssh://teacher@lab1.example.org"],
            ["net101-bob", "arp-monitor", "tcp://10.0.0.12:2375"],
        ]);
        expect(stackConfigOf(plan.labs[1])).toEqual({
            "bondlab:variant": "arp-monitor",
            "docker:host": "tcp://10.0.0.12:2375",
        });
    });

    it("the shipped example is a valid class", () => {
        expect(loadClass(path.join(__dirname, "..", "..", "configs", "class", "example.yaml")).labs).toHaveLength(4);
    });

    it.each([
        [
            "a student on an unknown host",
            { students: [{ name: "a", host: "lab9" }] },
            /students\.0\.host: "lab9" is not one of the hosts \(lab1, lab2\)/,
        ],
        [
            "a student listed twice",
            {
                students: [
                    { name: "a", host: "lab1" },
                    { name: "a", host: "lab2" },
                ],
            },
            /students\.1\.name: "a" is listed twice/,
        ],
        [
            "an unknown variant",
            { students: [{ name: "a", host: "lab1", variant: "lacpp" }] },
            /students\.0\.variant: no such variant "lacpp": use one of arp-monitor/,
        ],
        [
            "no variant at all",
            { variant: undefined, students: [{ name: "a", host: "lab1" }] },
            /students\.0\.variant: no variant: set variant: for the class or for this student/,
        ],
        [
            "a name that is not a safe stack name",
            { students: [{ name: "Alice Smith", host: "lab1" }] },
            /students\.0\.name: lower-case letters, digits and '-'/,
        ],
        ["a name too long for the stacks", { class: "c".repeat(31) }, /class: lower-case letters/],
        [
            "a Docker host with a space or a shell word",
            { hosts: { lab1: "tcp://a b", lab2: "ssh://$(reboot)" } },
            /hosts\.lab1: "tcp:\/\/a b" is not a Docker endpoint such as ssh:\/\/user@host/,
        ],
        [
            "a Docker host with no scheme",
            { hosts: { lab1: "10.0.0.12:2375" } },
            /hosts\.lab1: "10\.0\.0\.12:2375" is not a Docker endpoint/,
        ],
        ["no students", { students: [] }, /students: list at least one student/],
        ["a key it does not know", { teacher: "me" }, /\(file\): Unrecognized key\(s\) in object: 'teacher'/],
    ])("refuses %s, naming the field", (_what, change, expected) => {
        const found = problems({ ...valid(), ...change });
        expect(found.join("\n")).toMatch(expected);
    });

    it.each(["tcp:///", "ssh://user@", "tcp://:2375", "unix:///"])(
        "refuses the Docker endpoint %s, which names no host",
        (endpoint) => {
            const found = problems({ ...valid(), hosts: { lab1: endpoint, lab2: "tcp://10.0.0.12:2375" } });
            expect(found).toEqual([
                `hosts.lab1: "${endpoint}" names no host: write a Docker endpoint such as ` +
                    "ssh://user@host, tcp://10.0.0.12:2375 or unix:///var/run/docker.sock",
            ]);
        },
    );

    it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])(
        "refuses a student on the host %s, which every object has but the file does not name",
        (host) => {
            expect(problems({ ...valid(), students: [{ name: "alice", host }] })).toEqual([
                `students.0.host: "${host}" is not one of the hosts (lab1, lab2)`,
            ]);
        },
    );

    it("plans a student on a host named like an object's member as that host, a string", () => {
        const plan = planClass(
            {
                ...valid(),
                hosts: { constructor: "tcp://10.0.0.13:2375" },
                students: [{ name: "constructor", host: "constructor" }],
            },
            "class.yaml",
        );
        expect(plan.labs.map((l) => [l.stack, l.dockerHost])).toEqual([["net101-constructor", "tcp://10.0.0.13:2375"]]);
    });

    it("takes the Docker endpoints that name a host", () => {
        const endpoints = ["ssh://lab", "ssh://user@lab:2222", "tcp://10.0.0.12:2375", "unix:///var/run/docker.sock"];
        const hosts = Object.fromEntries(endpoints.map((e, i) => [`lab${i}`, e]));
        expect(problems({ ...valid(), hosts, students: [{ name: "a", host: "lab0" }] })).toEqual([]);
    });

    it("refuses a file that is not YAML, or too big, in plain words", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-class-"));
        const bad = path.join(dir, "bad.yaml");
        fs.writeFileSync(bad, "class: [unclosed");
        expect(() => loadClass(bad)).toThrow(/bad\.yaml is not a valid class file:\n {2}- \(yaml\): /);
        fs.writeFileSync(bad, "#".repeat(1024 * 1024 + 1));
        expect(() => loadClass(bad)).toThrow(/is 1\.0 MB: a class file is at most 1 MB of YAML/);
        fs.rmSync(dir, { recursive: true });
    });
});

describe("a lab's status", () => {
    const verify = (received: number) => ({ mode: "802.3ad", activeSlave: "", ping: { sent: 5, received } });

    it("is verified when every router's verify reached its peer, and says so per router", () => {
        const s = statusFromOutputs({
            routers: { inetRouter: { verify: verify(5) }, centralRouter: { verify: verify(4) } },
        });
        expect(s).toEqual({
            state: "verified",
            detail: "inetRouter: 802.3ad, ping 5/5; centralRouter: 802.3ad, ping 4/5",
        });
    });

    it("is failed when one router's ping got nothing back, and absent without outputs", () => {
        expect(statusFromOutputs({ routers: { a: { verify: verify(5) }, b: { verify: verify(0) } } }).state).toBe(
            "failed",
        );
        expect(statusFromOutputs(undefined).state).toBe("absent");
    });

    it("is judged by its nodes where the stack has them (every lab now), not by its routers", () => {
        const node = { problems: 1, bonds: [{ bond: "bond0", mode: "802.3ad", slaves: "eth1 eth2", activeSlave: "" }] };
        const s = statusFromOutputs({
            routers: { inetRouter: { verify: verify(5) } },
            nodes: { inetRouter: { verify: { ...node, pinged: ["192.168.1.2"] } } },
        });
        expect(s).toEqual({ state: "failed", detail: "inetRouter: bond0 802.3ad, 1 problem" });
    });
});

describe("a network lab's status (version 2: its nodes' verify)", () => {
    /** A vlan-lacp stack's outputs as `pulumi up` leaves them, every node verified. */
    const network = (): Record<string, any> =>
        JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "class", "vlan-lacp.outputs.json"), "utf8"));
    /** The fixture with one node's verify changed. */
    const withNode = (node: string, verify: Record<string, unknown> | undefined) => {
        const outputs = network();
        outputs.nodes[node].verify = verify && { ...outputs.nodes[node].verify, ...verify };
        return outputs;
    };

    /** A student of the class whose lab is the shipped vlan-lacp network. */
    const [erin] = planClass(
        { ...valid(), students: [{ name: "erin", host: "lab1", variant: "vlan-lacp" }] },
        "class.yaml",
    ).labs;

    it.each([
        [
            "every node's verify found no problems",
            network(),
            "verified",
            "inetRouter: bond0 802.3ad, 1 ping answered; centralRouter: bond0 802.3ad, 1 ping answered; " +
                "testClient1: no bond, 1 ping answered; testServer1: no bond, 1 ping answered; " +
                "testClient2: no bond, 1 ping answered; testServer2: no bond, 1 ping answered",
        ],
        [
            "one node's verify found problems",
            withNode("testClient2", { problems: 2 }),
            "failed",
            /testClient2: no bond, 2 problems/,
        ],
        [
            "one node's bond had one problem",
            withNode("centralRouter", { problems: 1 }),
            "failed",
            /centralRouter: bond0 802\.3ad, 1 problem;/,
        ],
        ["a node without verify output", withNode("testServer1", undefined), "failed", /testServer1: no verify output/],
        [
            "an active-backup bond, which names its active slave",
            withNode("inetRouter", {
                bonds: [{ bond: "bond0", mode: "active-backup", slaves: "eth1 eth2", activeSlave: "eth1" }],
            }),
            "verified",
            /^inetRouter: bond0 active-backup active eth1, 1 ping answered;/,
        ],
    ])("%s", (_what, outputs, state, detail) => {
        const status = statusFromOutputs(outputs);
        expect(status.state).toBe(state);
        if (typeof detail === "string") expect(status.detail).toBe(detail);
        else expect(status.detail).toMatch(detail);
    });

    it("through the engine model: a class with a network lab reports it verified, node by node", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-class-net-"));
        const driver = new ModelDriver(dir, {}, () => new MemoryRealizer());
        const up = await driver.up(erin);
        expect(up.state).toBe("verified");
        expect(up.detail).toMatch(
            /^inetRouter: bond0 802\.3ad, 1 ping answered; centralRouter: bond0 802\.3ad, 1 ping answered; testClient1: no bond,/,
        );
        expect(await driver.status(erin)).toEqual(up);
        fs.rmSync(dir, { recursive: true });
    }, 60_000); // the first up compiles and runs the whole program

    it("through the engine model: a network whose node had verify problems reads not verified, naming the node", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-class-net-"));
        // The checkpoint a model stack keeps, its outputs those of an update whose testServer2 verify found 3 problems.
        const outputs = withNode("testServer2", { problems: 3 });
        fs.writeFileSync(path.join(dir, `${erin.stack}.json`), JSON.stringify({ state: [], outputs }));
        const status = await new ModelDriver(dir, {}, () => new MemoryRealizer()).status(erin);
        expect(status.state).toBe("failed");
        expect(status.detail).toMatch(/testServer2: no bond, 3 problems$/);
        fs.rmSync(dir, { recursive: true });
    });
});

describe("the engine-model driver", () => {
    const plan = planClass(valid(), "class.yaml");
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-class-state-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("keeps each stack's checkpoint between runs, as the real engine does, and each lab talks to its own host", async () => {
        const realizers = new Map<string, MemoryRealizer>();
        const realizerFor = (lab: StudentLab) => {
            if (!realizers.has(lab.host)) realizers.set(lab.host, new MemoryRealizer());
            return realizers.get(lab.host)!;
        };
        const up = await new ModelDriver(dir, {}, realizerFor).up(plan.labs[0]);
        expect(up.state).toBe("verified");
        // A later run (a new process, a new driver) finds the stack as the first left it.
        const later = new ModelDriver(dir, {}, realizerFor);
        expect((await later.status(plan.labs[0])).state).toBe("verified");
        expect((await later.status(plan.labs[1])).state).toBe("absent");
        expect(realizers.get("lab1")!.events.some((e) => e.startsWith("start"))).toBe(true);
        expect(realizers.has("lab2")).toBe(false);
        // A second up of the same stack changes nothing: the state was really kept.
        const before = realizers.get("lab1")!.events.length;
        await later.up(plan.labs[0]);
        expect(
            realizers
                .get("lab1")!
                .events.slice(before)
                .filter((e) => /^(start|update|delete)/.test(e)),
        ).toEqual([]);
        await later.down(plan.labs[0]);
        expect((await later.status(plan.labs[0])).state).toBe("absent");
        expect(fs.readdirSync(dir)).toEqual([]);
    });

    it("reports a failed up as failed, even though the last good outputs stay", async () => {
        const realizer = new MemoryRealizer();
        const driver = new ModelDriver(dir, {}, () => realizer);
        expect((await driver.up(plan.labs[0])).state).toBe("verified");
        const broken = new ModelDriver(dir, { "bondlab:verifyTimeout": "-5" }, () => realizer);
        const failed = await broken.up(plan.labs[0]);
        expect(failed.state).toBe("failed");
        expect(failed.detail).toMatch(/verifyTimeout/);
        expect(await broken.status(plan.labs[0])).toEqual(failed);
    });
});
