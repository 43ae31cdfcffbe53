import { readClassicLab } from "../../components/labfile/classic";
import { LabConfigError } from "../../components/labfile/validate";
import { loadAnyLab, listVariants } from "../../components/labfile/load";

const lab = (bond: object, rest: object = {}) => ({ description: "test", bond, ...rest });
const ab = { mode: "active-backup", options: { miimon: 100 } };

/** The issues readClassicLab reports for a lab, as "field: message" lines. */
function issues(raw: unknown, overrides = {}): string[] {
    try {
        readClassicLab("test", raw, "test.yaml", overrides);
    } catch (e) {
        if (e instanceof LabConfigError) return e.issues.map((i) => `${i.field}: ${i.message}`);
        throw e;
    }
    return [];
}

describe("the shipped variants", () => {
    it.each(listVariants())("%s is valid", (variant) => {
        expect(loadAnyLab(variant).link).toBeDefined();
    });

    it("include the seed's failure, its fixes and every bonding mode", () => {
        const modes = new Set(listVariants().map((v) => loadAnyLab(v).link!.bond!.mode));
        expect(modes).toEqual(
            new Set([
                "balance-rr",
                "active-backup",
                "balance-xor",
                "broadcast",
                "802.3ad",
                "balance-tlb",
                "balance-alb",
            ]),
        );
        expect(listVariants()).toEqual(expect.arrayContaining(["seed", "arp-monitor", "lacp"]));
    });

    it("default to the seed topology", () => {
        const { network, link } = loadAnyLab("seed");
        expect(link!.ends.map((e) => [e.node, e.interface, e.address!.address, e.slaves])).toEqual([
            ["inetRouter", "bond0", "192.168.1.1/24", ["eth1", "eth2"]],
            ["centralRouter", "bond0", "192.168.1.2/24", ["eth1", "eth2"]],
        ]);
        expect(network.nodes.map((n) => n.privileged)).toEqual([true, true]);
    });
});

describe("bad lab files are refused with the field, the value and the fix", () => {
    it.each<[string, unknown, RegExp]>([
        ["a misspelt key", { ...lab(ab), chanels: [] }, /^\(file\): unknown key "chanels" \(did you mean channels\?\)/],
        [
            "a misspelt bond key",
            lab({ ...ab, opts: {} }),
            /^bond: unknown key "opts": allowed here are name, mode, options/,
        ],
        [
            "an unknown mode",
            lab({ mode: "lacp", options: { miimon: 100 } }),
            /^bond\.mode: "lacp" is not a bonding mode: use one of balance-rr, /,
        ],
        [
            "a misspelt option",
            lab({ mode: "active-backup", options: { miimom: 100 } }),
            /^bond\.options\.miimom: unknown bonding option \(did you mean miimon\?\)/,
        ],
        [
            "lacp_rate outside 802.3ad",
            lab({ mode: "balance-rr", options: { miimon: 100, lacp_rate: "fast" } }),
            /^bond\.options\.lacp_rate: lacp_rate does not apply to mode balance-rr: it is used only in 802\.3ad/,
        ],
        [
            "primary outside active-backup/tlb/alb",
            lab({ mode: "802.3ad", options: { miimon: 100, primary: "eth1" } }),
            /^bond\.options\.primary: .*only in active-backup, balance-tlb, balance-alb/,
        ],
        [
            "ARP monitoring in 802.3ad",
            lab({ mode: "802.3ad", options: { arp_interval: 100, arp_ip_target: ["peer"] } }),
            /^bond\.options\.arp_interval: arp_interval does not apply to mode 802\.3ad/,
        ],
        [
            "miimon with ARP monitoring",
            lab({ mode: "active-backup", options: { miimon: 100, arp_interval: 200, arp_ip_target: ["peer"] } }),
            /^bond\.options\.arp_interval: miimon and ARP monitoring exclude each other/,
        ],
        [
            "ARP monitoring without targets",
            lab({ mode: "active-backup", options: { arp_interval: 200 } }),
            /^bond\.options\.arp_ip_target: ARP monitoring needs targets/,
        ],
        [
            "a malformed ARP target",
            lab({ mode: "active-backup", options: { arp_interval: 200, arp_ip_target: ["192.168.1.300"] } }),
            /^bond\.options\.arp_ip_target: "192\.168\.1\.300" is not an IPv4 address/,
        ],
        [
            "no link monitoring",
            lab({ mode: "balance-rr", options: {} }),
            /^bond\.options: no link monitoring.*add miimon: 100/,
        ],
        [
            "an option value out of its set",
            lab({ mode: "802.3ad", options: { miimon: 100, lacp_rate: "fsat" } }),
            /^bond\.options\.lacp_rate: "fsat" is not allowed \(did you mean fast\?\): use one of slow, fast/,
        ],
        [
            "a negative interval",
            lab({ mode: "balance-rr", options: { miimon: -5 } }),
            /^bond\.options\.miimon: -5 is not a whole number/,
        ],
        [
            "updelay that is not a multiple of miimon",
            lab({ mode: "balance-rr", options: { miimon: 100, updelay: 150 } }),
            /^bond\.options\.updelay: 150 is not a multiple of miimon/,
        ],
        [
            "a primary that is not a slave",
            lab({ mode: "active-backup", options: { miimon: 100, primary: "eth3" } }),
            /^bond\.options\.primary: "eth3" is not a slave of the bond: use one of eth1, eth2/,
        ],
        [
            "a primary named by channel, as a version 2 file names it",
            lab({ mode: "active-backup", options: { miimon: 100, primary: "ch1" } }),
            /^bond\.options\.primary: "ch1" is not a slave of the bond: use one of eth1, eth2$/,
        ],
        [
            "a malformed address",
            lab(ab, {
                routers: [
                    { name: "a", address: "192.168.1.1" },
                    { name: "b", address: "192.168.1.2/24" },
                ],
            }),
            /^routers\[0\]\.address: "192\.168\.1\.1" is not an IPv4 address with a prefix/,
        ],
        [
            "a duplicate address",
            lab(ab, {
                routers: [
                    { name: "a", address: "10.0.0.1/24" },
                    { name: "b", address: "10.0.0.1/24" },
                ],
            }),
            /^routers\[1\]\.address: 10\.0\.0\.1 is also a's address in bond bond0 \(routers\[0\]\.address\): .*; give b another$/,
        ],
        [
            "bond addresses in two subnets",
            lab(ab, {
                routers: [
                    { name: "a", address: "10.0.0.1/24" },
                    { name: "b", address: "10.0.1.2/24" },
                ],
            }),
            /^routers\[1\]\.address: 10\.0\.1\.2\/24 is not in 10\.0\.0\.1\/24's subnet \(routers\[0\]\.address\): .* share one subnet/,
        ],
        [
            "a network address as bond address",
            lab(ab, {
                routers: [
                    { name: "a", address: "10.0.0.0/24" },
                    { name: "b", address: "10.0.0.2/24" },
                ],
            }),
            /^routers\[0\]\.address: 10\.0\.0\.0 is the network address/,
        ],
        [
            "overlapping channel subnets",
            lab(ab, {
                channels: [
                    { name: "a", subnet: "10.9.0.0/16" },
                    { name: "b", subnet: "10.9.4.0/24" },
                ],
            }),
            /^channels\[1\]\.subnet: 10\.9\.4\.0\/24 overlaps channels\[0\]\.subnet/,
        ],
        [
            "a channel subnet over the bond subnet",
            lab(ab, { channels: [{ name: "a", subnet: "192.168.0.0/16" }, { name: "b" }] }),
            /^routers\[0\]\.address: 192\.168\.1\.1\/24 overlaps channels\[0\]\.subnet \(192\.168\.0\.0\/16\): subnets must not overlap/,
        ],
        [
            "a segment of one channel",
            lab(ab, { channels: [{ name: "a", segment: "lan" }, { name: "b" }] }),
            /^channels\[0\]\.segment: segment "lan" has only this channel: .*give another channel segment: lan, or remove it/,
        ],
        [
            "a segment name that cannot name a container",
            lab(ab, {
                channels: [
                    { name: "a", segment: "Int Net" },
                    { name: "b", segment: "Int Net" },
                ],
            }),
            /^channels\[0\]\.segment: "Int Net" must be 1-15 lower-case letters, digits or '-'/,
        ],
        [
            "802.3ad over a segment",
            lab(
                { mode: "802.3ad", options: { miimon: 100 } },
                {
                    channels: [
                        { name: "a", segment: "lan" },
                        { name: "b", segment: "lan" },
                    ],
                },
            ),
            /^channels\[0\]\.segment: 802\.3ad needs each channel to be its own link.*remove segment/,
        ],
        [
            "a router named like a segment's switch",
            lab(ab, {
                routers: [
                    { name: "lan-switch", address: "10.0.0.1/24" },
                    { name: "b", address: "10.0.0.2/24" },
                ],
                channels: [
                    { name: "a", segment: "lan" },
                    { name: "b", segment: "lan" },
                ],
            }),
            /^routers\[0\]\.name: "lan-switch" is the name of segment lan's switch container/,
        ],
        [
            "macFilter that is not true or false",
            lab(ab, { channels: [{ name: "a", macFilter: "yes" }, { name: "b" }] }),
            /^channels\.0\.macFilter|^channels\[0\]\.macFilter/,
        ],
        [
            "a subnet with host bits",
            lab(ab, { channels: [{ name: "a", subnet: "10.9.0.1/24" }, { name: "b" }] }),
            /^channels\[0\]\.subnet: "10\.9\.0\.1\/24" has host bits set: the subnet is 10\.9\.0\.0\/24/,
        ],
        ["one channel", lab(ab, { channels: [{ name: "a" }] }), /^channels: a bond here has 2 to 8 channels, got 1/],
        [
            "nine channels",
            lab(ab, { channels: Array.from({ length: 9 }, (_, i) => ({ name: `c${i}` })) }),
            /^channels: a bond here has 2 to 8 channels, got 9/,
        ],
        [
            "duplicate channel names",
            lab(ab, { channels: [{ name: "a" }, { name: "a" }] }),
            /^channels\[1\]\.name: "a" is also channels\[0\]: channel names are unique in the lab/,
        ],
        [
            "duplicate router names",
            lab(ab, {
                routers: [
                    { name: "r", address: "10.0.0.1/24" },
                    { name: "r", address: "10.0.0.2/24" },
                ],
            }),
            /^routers\[1\]\.name: "r" is used twice/,
        ],
        [
            "three routers",
            lab(ab, { routers: [1, 2, 3].map((i) => ({ name: `r${i}`, address: `10.0.0.${i}/24` })) }),
            /^routers: the lab has exactly 2 routers, got 3/,
        ],
        [
            "a bond name too long for Linux",
            lab({ ...ab, name: "bond-to-the-uplink" }),
            /^bond\.name: "bond-to-the-uplink" is not a Linux interface name: use 1-15/,
        ],
        [
            "a channel name too long",
            lab(ab, { channels: [{ name: "a-very-long-channel" }, { name: "b" }] }),
            /^channels\[0\]\.name: "a-very-long-channel" must be 1-15/,
        ],
        [
            "a router name that is not a hostname",
            lab(ab, {
                routers: [
                    { name: "inet router", address: "10.0.0.1/24" },
                    { name: "b", address: "10.0.0.2/24" },
                ],
            }),
            /^routers\[0\]\.name: "inet router" is not a hostname/,
        ],
        ["a missing mode", lab({ options: { miimon: 100 } }), /^bond\.mode: is required/],
        [
            "a three-part address",
            lab(ab, {
                routers: [
                    { name: "a", address: "192.168.1/24" },
                    { name: "b", address: "192.168.1.2/24" },
                ],
            }),
            /^routers\[0\]\.address: "192\.168\.1\/24" is not an IPv4 address with a prefix in plain decimal/,
        ],
        [
            "an address with a leading zero",
            lab(ab, {
                routers: [
                    { name: "a", address: "010.0.0.1/24" },
                    { name: "b", address: "10.0.0.2/24" },
                ],
            }),
            /^routers\[0\]\.address: "010\.0\.0\.1\/24" is not .* plain decimal/,
        ],
        [
            "a hexadecimal subnet",
            lab(ab, { channels: [{ name: "a", subnet: "0x0a090000/16" }, { name: "b" }] }),
            /^channels\[0\]\.subnet: "0x0a090000\/16" is not an IPv4 subnet in plain decimal/,
        ],
        [
            "a loopback address",
            lab(ab, {
                routers: [
                    { name: "a", address: "127.0.0.1/8" },
                    { name: "b", address: "127.0.0.2/8" },
                ],
            }),
            /^routers\[0\]\.address: 127\.0\.0\.1\/8: 127\.0\.0\.0\/8 is loopback/,
        ],
        [
            "a multicast subnet",
            lab(ab, { channels: [{ name: "a", subnet: "224.1.0.0/16" }, { name: "b" }] }),
            /^channels\[0\]\.subnet: 224\.1\.0\.0\/16: 224\.0\.0\.0\/4 is multicast/,
        ],
        [
            "a /0 subnet",
            lab(ab, { management: { subnet: "0.0.0.0/0" } }),
            /^management\.subnet: 0\.0\.0\.0\/0: 0\.0\.0\.0\/8 means "this host"/,
        ],
        [
            "a /4 subnet",
            lab(ab, { management: { subnet: "16.0.0.0/4" } }),
            /^management\.subnet: \/4 does not fit a Docker network here: use \/8 to \/29/,
        ],
        [
            "miimon beyond the kernel's int",
            lab({ mode: "balance-rr", options: { miimon: 2 ** 31 } }),
            /^bond\.options\.miimon: 2147483648 is outside what the kernel takes for miimon: 0 to 2147483647/,
        ],
        [
            "use_carrier 2",
            lab({ mode: "balance-rr", options: { miimon: 100, use_carrier: 2 } }),
            /^bond\.options\.use_carrier: 2 is outside .*: 0 to 1/,
        ],
        [
            "num_grat_arp 300",
            lab({ mode: "active-backup", options: { miimon: 100, num_grat_arp: 300 } }),
            /^bond\.options\.num_grat_arp: 300 is outside .*: 0 to 255/,
        ],
        [
            "a duplicate ARP target once peer resolves",
            lab({ mode: "active-backup", options: { arp_interval: 200, arp_ip_target: ["peer", "192.168.1.2"] } }),
            /^bond\.options\.arp_ip_target: 192\.168\.1\.2 is listed twice for inetRouter \(`peer` is 192\.168\.1\.2 there\)/,
        ],
        [
            "ARP target 0.0.0.0",
            lab({ mode: "active-backup", options: { arp_interval: 200, arp_ip_target: ["0.0.0.0"] } }),
            /^bond\.options\.arp_ip_target: 0\.0\.0\.0: 0\.0\.0\.0\/8 means "this host"/,
        ],
        [
            "an ARP target outside the bond's subnet",
            lab({ mode: "active-backup", options: { arp_interval: 200, arp_ip_target: ["10.1.1.1"] } }),
            /^bond\.options\.arp_ip_target: 10\.1\.1\.1 is outside the bond's subnet 192\.168\.1\.0\/24/,
        ],
        [
            "a router probing itself",
            lab({ mode: "active-backup", options: { arp_interval: 200, arp_ip_target: ["192.168.1.1"] } }),
            /^bond\.options\.arp_ip_target: 192\.168\.1\.1 is inetRouter's own address: a router cannot probe itself/,
        ],
        [
            "min_links above the channel count",
            lab({ mode: "802.3ad", options: { miimon: 100, min_links: 3 } }),
            /^bond\.options\.min_links: 3 is more than the bond's 2 channels/,
        ],
        ["a bond named lo", lab({ ...ab, name: "lo" }), /^bond\.name: "lo" is taken by the routers' own interfaces/],
        [
            "a channel named mgmt",
            lab(ab, { channels: [{ name: "mgmt" }, { name: "b" }] }),
            /^channels\[0\]\.name: "mgmt" is the management network's name/,
        ],
        [
            "a router named like a cable",
            lab(ab, {
                routers: [
                    { name: "ch1-cable", address: "10.0.0.1/24" },
                    { name: "b", address: "10.0.0.2/24" },
                ],
            }),
            /^routers\[0\]\.name: "ch1-cable" is the name of channel ch1's cable container/,
        ],
    ])("%s", (_, raw, expected) => {
        const found = issues(raw);
        expect(found.some((line) => expected.test(line))).toBe(true);
    });

    it("reports every problem at once", () => {
        expect(
            issues(
                lab(
                    { mode: "802.3ad", options: { lacp_rate: "fsat", primary: "eth1" } },
                    { channels: [{ name: "a" }] },
                ),
            ),
        ).toHaveLength(4);
    });

    it("applies stack overrides before validation, null removes an option, and problems with them name bondlab:bondOptions", () => {
        expect(issues(lab(ab), { lacp_rate: "fast" })[0]).toMatch(
            /^bondlab:bondOptions\.lacp_rate: lacp_rate does not apply to mode active-backup/,
        );
        expect(issues(lab(ab), { miimon: null })[0]).toMatch(/^bondlab:bondOptions: no link monitoring/);
        const network = readClassicLab("t", lab(ab), "t", { miimon: 250 });
        expect(network.links[0].bond?.options.miimon).toBe(250);
        expect(issues(lab(ab), { primary: "eth7" })).toEqual([
            'bondlab:bondOptions.primary: "eth7" is not a slave of the bond: use one of eth1, eth2',
        ]);
    });

    it("names the lab's one link after the bond, whatever Linux allows in the bond's name", () => {
        const network = readClassicLab("t", lab({ ...ab, name: "Bond_0.up" }));
        expect(network.links.map((l) => [l.name, l.ends.map((e) => e.interface)])).toEqual([
            ["Bond_0.up", ["Bond_0.up", "Bond_0.up"]],
        ]);
    });

    it("tells a bond name once, though both routers use it", () => {
        expect(issues(lab({ ...ab, name: "eth1" }))).toEqual([
            'bond.name: "eth1" is taken by the routers\' own interfaces: call the bond e.g. bond0',
        ]);
    });
});

describe("files that are not lab files get a plain message, never a stack trace", () => {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "bondlab-files-"));
    const message = (name: string, content: string | Buffer): string => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content);
        try {
            loadAnyLab(file);
        } catch (e) {
            if (e instanceof LabConfigError) return e.message;
            throw e;
        }
        throw new Error("accepted");
    };
    const bomb = [
        "a: &a [x, x, x, x, x, x, x, x, x, x]",
        ...Array.from(
            { length: 8 },
            (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10).fill(`*${"abcdefgh"[i]}`).join(", ")}]`,
        ),
    ].join("\n");

    it.each<[string, string | Buffer, RegExp]>([
        ["empty.yaml", "  \n", /\(file\): is empty: a lab file needs at least description: and bond:/],
        ["binary.yaml", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff]), /\(file\): is not text \(binary data\)/],
        ["list.yaml", "- a\n- b\n", /\(file\): holds a list, not a mapping/],
        ["scalar.yaml", "hello\n", /\(file\): holds a single string, not a mapping/],
        ["null.yaml", "~\n", /\(file\): holds nothing, not a mapping/],
        ["two.yaml", "description: a\n---\ndescription: b\n", /\(yaml\): holds 2 YAML documents: a lab file is one/],
        ["bomb.yaml", bomb, /\(yaml\): .*alias.*: write the values out instead of repeating aliases/i],
        ["bad.yaml", "description: [unclosed\n", /\(yaml\): /],
        [
            "big.yaml",
            "description: " + "x".repeat(1024 * 1024 + 10) + "\n",
            /\(file\): is 1\.0 MB: a lab file is at most 1 MB/,
        ],
    ])("%s", (name, content, expected) => {
        expect(message(name, content)).toMatch(expected);
    });

    it("prints at most 20 problems, then how many more", () => {
        const channels = Array.from({ length: 30 }, () => "  - {name: BAD_NAME}").join("\n");
        const text = message(
            "many.yaml",
            `description: many\nbond: {mode: active-backup, options: {miimon: 100}}\nchannels:\n${channels}\n`,
        );
        expect(text.split("\n").filter((l) => l.startsWith("  - "))).toHaveLength(20);
        expect(text).toMatch(/\n {2}\.\.\. and \d+ more$/);
    });
});
