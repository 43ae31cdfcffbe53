import { readClassicLab } from "../../components/labfile/classic";
import { LabConfigError } from "../../components/labfile/validate";
import { validateTopology } from "../../components/labfile/validate-topology";
import { nodeCheckLines } from "../../components/node-settings";

// Lab files written to break the checks: names that collide inside a node, gateways no
// neighbour holds, keys every JavaScript object has, control characters, names the file
// never wrote. Each is refused with its field and fix, never a stack trace.

type Raw = Record<string, any>;

/** Two routers bonded over two channels (version 2), to vary. */
const pair = (): Raw => ({
    version: 2,
    description: "test",
    nodes: [{ name: "a" }, { name: "b" }],
    links: [
        {
            name: "wan",
            channels: ["ch1", "ch2"],
            bond: { mode: "active-backup", options: { miimon: 100 } },
            ends: { a: { address: "192.168.1.1/24" }, b: { address: "192.168.1.2/24" } },
        },
    ],
});

/** Node a bonded to b (link wan) and to c (link lan): two bonds on a. */
const twoBonds = (aOnWan: Raw = {}, aOnLan: Raw = {}): Raw => ({
    version: 2,
    description: "test",
    nodes: [{ name: "a" }, { name: "b" }, { name: "c" }],
    links: [
        {
            name: "wan",
            channels: ["ch1", "ch2"],
            bond: { mode: "active-backup", options: { miimon: 100 } },
            ends: { a: { address: "192.168.1.1/24", ...aOnWan }, b: { address: "192.168.1.2/24" } },
        },
        {
            name: "lan",
            channels: ["ch3", "ch4"],
            bond: { mode: "active-backup", options: { miimon: 100 } },
            ends: { a: { address: "192.168.2.1/24", ...aOnLan }, c: { address: "192.168.2.2/24" } },
        },
    ],
});

/** Node a on a bonded link, and on a segment (its eth3) with VLAN 100 and c. */
const bondAndSegment = (bond: string): Raw => ({
    ...pair(),
    nodes: [{ name: "a" }, { name: "b" }, { name: "c" }],
    links: [{ ...pair().links[0], ends: { a: { address: "192.168.1.1/24", bond }, b: { address: "192.168.1.2/24" } } }],
    segments: [
        {
            name: "lan",
            ports: {
                a: { vlans: [{ id: 100, address: "10.0.0.1/24" }] },
                c: { vlans: [{ id: 100, address: "10.0.0.2/24" }] },
            },
        },
    ],
});

const edit = (change: (raw: Raw) => void): Raw => {
    const raw = pair();
    change(raw);
    return raw;
};

/** The error a file gets: its issues as "field: message", or the crash if it is not a LabConfigError. */
function issues(check: () => unknown): string[] {
    try {
        check();
    } catch (e) {
        if (e instanceof LabConfigError) return e.issues.map((i) => `${i.field}: ${i.message}`);
        return [`crashed: ${(e as Error).stack}`];
    }
    return [];
}
const v2 = (raw: unknown) => issues(() => validateTopology("test", raw, "test.yaml"));
const v1 = (raw: unknown, overrides = {}) => issues(() => readClassicLab("test", raw, "test.yaml", overrides));

describe("every interface name inside one node is unique", () => {
    it.each<[string, Raw, RegExp]>([
        [
            "one bond name on two links of a node",
            twoBonds({ bond: "uplink" }, { bond: "uplink" }),
            new RegExp(
                /^links\[1\]\.ends\.a\.bond: "uplink" is also a's bond of link wan /.source +
                    /\(links\[0\]\.ends\.a\.bond\): the interfaces inside one node need names of their own .*; /
                        .source +
                    /name this bond otherwise \(links\[1\]\.ends\.a\.bond\), e\.g\. bond0$/.source,
            ),
        ],
        [
            "a bond named like the default name of the node's next bond",
            twoBonds({ bond: "bond1" }),
            new RegExp(
                /^links\[0\]\.ends\.a\.bond: "bond1" is also a's bond of link lan, named by default /.source +
                    /\(links\[1\]\.ends\.a\): .*name this bond otherwise \(links\[0\]\.ends\.a\.bond\), e\.g\. /
                        .source +
                    /bond0$/.source,
            ),
        ],
        [
            "a bond named like the default name of the node's first bond",
            twoBonds({}, { bond: "bond0" }),
            /^links\[1\]\.ends\.a\.bond: "bond0" is also a's bond of link wan, named by default \(links\[0\]\.ends\.a\): .*e\.g\. bond1$/,
        ],
        [
            "a bond named like a VLAN sub-interface of the node's segment port",
            bondAndSegment("eth3.100"),
            /^links\[0\]\.ends\.a\.bond: "eth3\.100" is also a's VLAN 100 on eth3 \(segments\[0\]\.ports\.a\.vlans\[0\]\.id\): /,
        ],
        [
            "a bond named like a VLAN sub-interface of the node's other bond",
            twoBonds({ vlans: [{ id: 10, address: "10.0.10.1/24" }] }, { bond: "bond0.10" }),
            /^links\[1\]\.ends\.a\.bond: "bond0\.10" is also a's VLAN 10 on bond0 \(links\[0\]\.ends\.a\.vlans\[0\]\.id\): /,
        ],
        [
            "a bond named all",
            edit((r) => (r.links[0].ends.a.bond = "all")),
            new RegExp(
                /^links\[0\]\.ends\.a\.bond: "all" is taken by the kernel's settings for every interface /.source +
                    /\(\/proc\/sys\/net\/ipv4\/conf\/all\): call the bond e\.g\. bond0$/.source,
            ),
        ],
        [
            "a bond named default",
            edit((r) => (r.links[0].ends.b.bond = "default")),
            new RegExp(
                /^links\[0\]\.ends\.b\.bond: "default" is taken by the kernel's settings for every /.source +
                    /interface \(\/proc\/sys\/net\/ipv4\/conf\/default\)/.source,
            ),
        ],
    ])("%s is refused", (_, raw, expected) => {
        // The VLAN on bond0 needs a member on c's side too.
        if (raw.links[1]?.ends.a.vlans) raw.links[1].ends.c.vlans = [];
        const found = v2(raw);
        expect(found).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });

    it.each([["all"], ["default"]])("version 1 refuses a bond named %s", (name) => {
        expect(v1({ description: "test", bond: { name, mode: "active-backup", options: { miimon: 100 } } })).toEqual([
            expect.stringMatching(new RegExp(`^bond\\.name: "${name}" is taken by the kernel's settings`)),
        ]);
    });

    it("different nodes may use the same bond name, and one node different ones", () => {
        expect(v2(twoBonds({ bond: "uplink" }, { bond: "downlink" }))).toEqual([]);
        expect(v2(edit((r) => Object.values(r.links[0].ends).forEach((end: any) => (end.bond = "same"))))).toEqual([]);
    });
});

describe("a route's gateway is a neighbour's address, not its subnet's network or broadcast", () => {
    it.each<[string, string, RegExp]>([
        [
            "the broadcast address",
            "192.168.1.255",
            new RegExp(
                /^nodes\[0\]\.routes\[0\]\.via: 192\.168\.1\.255 is the broadcast address of a's /.source +
                    /192\.168\.1\.0\/24 \(192\.168\.1\.1\/24\), which the kernel refuses as a gateway /.source +
                    /\("Nexthop has invalid gateway"\): route via a neighbour's address on that subnet$/.source,
            ),
        ],
        [
            "the network address",
            "192.168.1.0",
            new RegExp(
                /^nodes\[0\]\.routes\[0\]\.via: 192\.168\.1\.0 is the network address of a's /.source +
                    /192\.168\.1\.0\/24 \(192\.168\.1\.1\/24\), which names the subnet, not a neighbour: route /
                        .source +
                    /via a neighbour's address on that subnet$/.source,
            ),
        ],
    ])("%s is refused", (_, via, expected) => {
        expect(v2(edit((r) => (r.nodes[0].routes = [{ to: "10.0.0.0/8", via }])))).toEqual([
            expect.stringMatching(expected),
        ]);
    });

    it("a neighbour's address is taken", () => {
        expect(v2(edit((r) => (r.nodes[0].routes = [{ to: "10.0.0.0/8", via: "192.168.1.2" }])))).toEqual([]);
    });
});

// Keys every JavaScript object has: a lookup by a name from the file must find only what the file or a table holds.
const OBJECT_KEYS = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"];

/** A mapping with `key` as an own key, as the YAML parser makes it (`{ [key]: v }` would set the prototype for __proto__). */
const withKey = (key: string, value: unknown, rest: Raw = {}): Raw =>
    Object.defineProperty({ ...rest }, key, { value, enumerable: true, writable: true, configurable: true });

describe("names that every JavaScript object has are names like any other", () => {
    it.each(OBJECT_KEYS)("bond option %s is refused by name in version 2, without a crash", (key) => {
        const found = v2(edit((r) => (r.links[0].bond.options = withKey(key, 1, { miimon: 100 }))));
        expect(found).toEqual([expect.stringMatching(new RegExp(`^links\\[0\\]\\.bond\\.options\\.${key}: `))]);
        expect(found[0]).toMatch(
            key === "__proto__" ? /names no key, option, node or interface/ : /unknown bonding option/,
        );
    });

    it.each(OBJECT_KEYS)("bond option %s is refused by name in version 1, without a crash", (key) => {
        const raw = { description: "test", bond: { mode: "active-backup", options: withKey(key, 1, { miimon: 100 }) } };
        expect(v1(raw)).toEqual([expect.stringMatching(new RegExp(`^bond\\.options\\.${key}: `))]);
    });

    it.each(OBJECT_KEYS)("a stack-set bond option %s is refused as the stack's, without a crash", (key) => {
        const raw = { description: "test", bond: { mode: "active-backup", options: { miimon: 100 } } };
        const found = v1(raw, withKey(key, 1));
        expect(found).toEqual([expect.stringMatching(new RegExp(`^bondlab:bondOptions\\.${key}: `))]);
        expect(found[0]).toMatch(
            key === "__proto__" ? /"__proto__" names no key, option, node or interface/ : /unknown bonding option/,
        );
    });

    it.each(["constructor", "toString", "hasOwnProperty", "valueOf"])(
        "a node named %s gets the default bond name bond0 on its first bond",
        (name) => {
            // Its one bond is on the second link: no link before names it, whatever an object inherits.
            const raw = twoBonds();
            raw.nodes[0].name = name;
            raw.links[0].ends = { b: { address: "192.168.1.2/24" }, c: { address: "192.168.1.1/24" } };
            raw.links[1].ends = withKey(name, { address: "192.168.2.1/24" }, { c: { address: "192.168.2.2/24" } });
            const topology = validateTopology("test", raw);
            expect(topology.links[1].ends.find((e) => e.node === name)?.interface).toBe("bond0");
        },
    );

    it.each(["constructor", "tostring", "hasownproperty", "valueof"])(
        "a link, channel and segment named %s are plain names",
        (name) => {
            const raw = edit((r) => {
                r.links[0].name = name;
                r.links[0].channels = [name, "ch2"];
            });
            expect(v2(raw)).toEqual([]);
            expect(
                v2(
                    edit(
                        (r) =>
                            (r.links[0].channels = [
                                { name: "ch1", segment: name },
                                { name: "ch2", segment: name },
                            ]),
                    ),
                ),
            ).toEqual([]);
        },
    );

    it("__proto__ as a node's key under ends is refused, not dropped", () => {
        expect(
            v2(edit((r) => (r.links[0].ends = withKey("__proto__", { address: "192.168.1.3/24" }, r.links[0].ends)))),
        ).toEqual([expect.stringMatching(/^links\[0\]\.ends\.__proto__: "__proto__" names no key/)]);
    });
    it("a bond named constructor whose MAC is not known yet checks as unknown, not as Object's constructor", () => {
        // 10.0.0.2 is on two links, so a's ping must be answered by b's bond's own MAC.
        const raw = {
            version: 2,
            description: "test",
            nodes: [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "d" }],
            links: [
                {
                    name: "x",
                    channels: ["ch1", "ch2"],
                    bond: { mode: "active-backup", options: { miimon: 100 } },
                    ends: { a: { address: "10.0.0.1/24" }, b: { address: "10.0.0.2/24", bond: "constructor" } },
                },
                { name: "y", channels: 1, ends: { c: { address: "10.0.0.1/24" }, d: { address: "10.0.0.2/24" } } },
            ],
        };
        expect(nodeCheckLines(validateTopology("test", raw), "a", { b: {} })).toMatch(/^ping 10\.0\.0\.2 \?$/m);
    });
});

describe("control characters in a message are escaped", () => {
    it.each<[string, string, string]>([
        ["a newline", "a\nFAKE: ok: injected", "a\\nFAKE: ok: injected"],
        ["a carriage return", "a\rb", "a\\rb"],
        ["a terminal escape", "a\u001b[2Jb", "a\\u001b[2Jb"],
        ["a line separator", "a\u2028b", "a\\u2028b"],
    ])("%s in a node's name prints as an escape, never a line of its own", (_, name, shown) => {
        let error: unknown;
        try {
            validateTopology(
                "test",
                edit((r) => (r.nodes[0].name = name)),
                "test.yaml",
            );
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(LabConfigError);
        const { message, issues } = error as LabConfigError;
        expect(issues[0].message).toContain(`"${shown}" is not a hostname`);
        // The header, then one line per issue: nothing the file wrote starts a line.
        expect(message.split("\n").slice(1)).toEqual(issues.map(() => expect.stringMatching(/^ {2}- /)));
        expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    });

    it("the source's name is escaped too", () => {
        const error = new LabConfigError("lab\nFAKE.yaml", [{ field: "x\ty", message: "bad\u0007" }]);
        expect(error.message).toBe("lab\\nFAKE.yaml is not a valid lab:\n  - x\\ty: bad\\u0007");
    });
});

describe("a channel named after its link is told as the link's name", () => {
    it("a link name too long for the channels it names is refused at links[i].name, once", () => {
        const found = v2(
            edit((r) => {
                r.links[0].name = "abcdefghijklmn";
                r.links[0].channels = 2;
            }),
        );
        expect(found).toEqual([
            'links[0].name: "abcdefghijklmn" names the link\'s channels abcdefghijklmn-1 to abcdefghijklmn-2, ' +
                "longer than 15 characters (each channel is a Docker network): shorten the link's name to at most 13 characters, " +
                "or name the channels yourself (channels: [ch1, ch2])",
        ]);
    });

    it("a generated channel name that another channel already has says where it comes from", () => {
        const found = v2(
            edit((r) => {
                r.links[0].channels = ["x-1", "ch2"];
                r.nodes.push({ name: "c" });
                r.links.push({
                    name: "x",
                    channels: 1,
                    ends: { a: { address: "10.0.0.1/24" }, c: { address: "10.0.0.2/24" } },
                });
            }),
        );
        expect(found).toEqual([
            'links[1].name: "x-1" (channel 1 of links[1], named after the link) is also links[0].channels[0]: ' +
                "channel names are unique in the lab (each is a Docker network)",
        ]);
    });
});
