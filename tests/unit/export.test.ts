import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { EXPORT_FORMATS, ExportError, exportNetwork, fileMode } from "../../components/export";
import { HostConfig, hostConfigOf } from "../../components/export/host";
import { NETPLAN_PARAMETERS } from "../../components/export/netplan";
import { NETWORKD_BOND_KEYS } from "../../components/export/networkd";
import { networkDiagram } from "../../components/network-diagram";
import { labNames } from "../../components/names";
import { endBondOptions } from "../../components/node-settings";
import { BOND_OPTIONS } from "../../components/labfile/modes";
import { listNetworks, listVariants, loadTopology } from "../../components/labfile/load";
import { LinkEndSpec, LinkSpec, TopologySpec, placedAddresses } from "../../components/labfile/topology";
import { readClassicLab } from "../../components/labfile/classic";
import { validateTopology } from "../../components/labfile/validate-topology";

// The exported host configs: golden files for the seed, every format's options parsed back
// and compared with endBondOptions for every bond of every node (of every variant, of the
// shipped networks, and of labs that use every option), every format's addresses, VLANs and
// routes read back and compared with the network, then the files checked by the real tools
// where Debian packages them:
//   netplan generate (netplan.io), systemd-networkd itself in a throwaway namespace
//   (systemd), nmcli --offline (network-manager), shellcheck, bash for the ifcfg files and
//   `ip route add` (iproute2, in a throwaway namespace) for their route files.
// A missing tool skips its checks with the apt-get line that brings it.

const GOLDEN = path.join(__dirname, "golden");
/** Every case's files, written once for the tools to read. */
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-export-"));
type Formats = Record<string, Record<string, string> | ExportError>;

interface Case {
    name: string;
    /** What is exported: a version 1 lab as the network it is read as, as exportNetwork takes it. */
    topology: TopologySpec;
    /** Whether the case is a version 1 lab: two routers, one bond. */
    classic?: boolean;
    /** Formats that must refuse the lab with an ExportError naming the option. */
    refused?: Record<string, string>;
}

/** A case of a version 1 lab. */
const v1 = (name: string, topology: TopologySpec, refused?: Record<string, string>): Case => ({
    name,
    classic: true,
    topology,
    refused,
});

/** A lab of the default topology with these bond options. */
const lab = (name: string, mode: string, options: object) =>
    readClassicLab(name, { description: name, bond: { mode, options } });

const CASES: Case[] = [
    ...listVariants().map((v) => v1(v, loadTopology(v))),
    ...listNetworks().map((n) => ({ name: n, topology: loadTopology(n) })),
    // What the shipped networks lack: VLANs on a plain (one-channel) link, beside its untagged address.
    {
        name: "vlan-on-link",
        topology: validateTopology("vlan-on-link", {
            version: 2,
            description: "VLANs on a plain link",
            nodes: [{ name: "r1", routes: [{ to: "10.9.0.0/16", via: "10.0.20.2" }] }, { name: "r2" }],
            links: [
                {
                    name: "trunk",
                    channels: 1,
                    ends: {
                        r1: { address: "10.0.0.1/30", vlans: [{ id: 20, address: "10.0.20.1/30" }] },
                        r2: { address: "10.0.0.2/30", vlans: [{ id: 20, address: "10.0.20.2/30" }] },
                    },
                },
            ],
        }),
    },
    // Every option of modes.ts, spread over labs the kernel accepts.
    v1(
        "every-mii",
        lab("every-mii", "active-backup", {
            miimon: 100,
            updelay: 200,
            downdelay: 300,
            primary: "eth2",
            primary_reselect: "better",
            fail_over_mac: "active",
            num_grat_arp: 3,
            all_slaves_active: 1,
            resend_igmp: 2,
        }),
    ),
    v1(
        "every-arp",
        lab("every-arp", "active-backup", {
            arp_interval: 250,
            arp_ip_target: ["peer", "192.168.1.254"],
            arp_validate: "all",
            arp_all_targets: "all",
        }),
    ),
    v1("every-rr", lab("every-rr", "balance-rr", { miimon: 50, packets_per_slave: 4 })),
    v1(
        "every-lacp",
        lab("every-lacp", "802.3ad", {
            miimon: 100,
            lacp_rate: "fast",
            ad_select: "bandwidth",
            min_links: 1,
            xmit_hash_policy: "encap3+4",
        }),
    ),
    v1(
        "every-tlb",
        lab("every-tlb", "balance-tlb", {
            miimon: 100,
            tlb_dynamic_lb: 0,
            xmit_hash_policy: "layer2+3",
            primary: "eth1",
        }),
        { netplan: "tlb_dynamic_lb" },
    ),
    v1("use-carrier", lab("use-carrier", "balance-alb", { miimon: 100, use_carrier: 1 }), {
        netplan: "use_carrier",
        "systemd-networkd": "use_carrier",
    }),
    v1(
        "arp-missed",
        lab("arp-missed", "balance-xor", { arp_interval: 200, arp_ip_target: ["peer"], arp_missed_max: 3 }),
        { netplan: "arp_missed_max", "systemd-networkd": "arp_missed_max", networkmanager: "arp_missed_max" },
    ),
    v1(
        "arp-filter",
        lab("arp-filter", "active-backup", {
            arp_interval: 200,
            arp_ip_target: ["peer"],
            arp_validate: "filter_active",
        }),
        { netplan: "arp_validate=filter_active", "systemd-networkd": "arp_validate=filter_active" },
    ),
];

/** A case by name (a shipped network's, here). */
const caseOf = (name: string) => CASES.find((c) => c.name === name)!;

function render(host: HostConfig): Formats {
    const out: Formats = {};
    for (const [format, renderFormat] of Object.entries(EXPORT_FORMATS)) {
        try {
            out[format] = renderFormat(host);
        } catch (e) {
            if (!(e instanceof ExportError)) throw e;
            out[format] = e;
        }
    }
    return out;
}

/** Every node of every case, with its model and its folder on disk. */
const NODES = CASES.flatMap((c) =>
    c.topology.nodes.map((n) => ({
        label: `${c.name} ${n.name}`,
        case: c,
        node: n.name,
        host: hostConfigOf(c.topology, n.name),
        dir: path.join(TMP, c.name, n.name),
    })),
);

/** The bonded link ends of a node: each a bond, whose options endBondOptions gives. */
const bondEnds = (topology: TopologySpec, node: string): { link: LinkSpec; end: LinkEndSpec }[] =>
    topology.links.flatMap((link) =>
        link.bond ? link.ends.filter((e) => e.node === node).map((end) => ({ link, end })) : [],
    );

interface Rendered {
    case: Case;
    node: string;
    files: Record<string, string>;
    dir: string;
}
/** Every (case, node) whose `format` rendered, with its files and their folder on disk. */
function rendered(format: string): [string, Rendered][] {
    return NODES.flatMap((n): [string, Rendered][] => {
        const files = render(n.host)[format];
        if (files instanceof ExportError) return [];
        return [[n.label, { case: n.case, node: n.node, files, dir: path.join(n.dir, format) }]];
    });
}

beforeAll(() => {
    for (const { host, dir } of NODES) {
        for (const [format, files] of Object.entries(render(host))) {
            if (files instanceof ExportError) continue;
            fs.mkdirSync(path.join(dir, format), { recursive: true });
            for (const [file, content] of Object.entries(files))
                fs.writeFileSync(path.join(dir, format, file), content, { mode: fileMode(`${format}/${file}`) });
        }
    }
});
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

// ---------------------------------------------------------------- parsing the formats back

/** The sections of an INI-style file (systemd units, NM keyfiles) in order, each with its key=value entries. */
function sections(text: string): { name: string; entries: [string, string][] }[] {
    const found: { name: string; entries: [string, string][] }[] = [];
    for (const line of text.split("\n")) {
        if (/^\s*([#;].*)?$/.test(line)) continue;
        const header = line.match(/^\[(.+)\]$/);
        if (header) found.push({ name: header[1], entries: [] });
        else found.at(-1)?.entries.push([line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]);
    }
    return found;
}
/** [section, key, value] of an INI-style file. */
const ini = (text: string): [string, string, string][] =>
    sections(text).flatMap(({ name, entries }) => entries.map(([k, v]): [string, string, string] => [name, k, v]));
const sectionOf = (text: string, name: string) =>
    ini(text)
        .filter(([s]) => s === name)
        .map(([, k, v]) => [k, v] as [string, string]);
/** The one value of a key in a section, if present. */
const valueOf = (text: string, section: string, key: string) => sectionOf(text, section).find(([k]) => k === key)?.[1];

// The formats' names for the kernel's options, written out here again on purpose: a wrong
// name in an exporter must not be read back by the same mistake.
const FROM_NETPLAN: Record<string, string> = {
    mode: "mode",
    "mii-monitor-interval": "miimon",
    "up-delay": "updelay",
    "down-delay": "downdelay",
    "arp-interval": "arp_interval",
    "arp-ip-targets": "arp_ip_target",
    "arp-validate": "arp_validate",
    "arp-all-targets": "arp_all_targets",
    primary: "primary",
    "primary-reselect-policy": "primary_reselect",
    "fail-over-mac-policy": "fail_over_mac",
    "gratuitous-arp": "num_grat_arp",
    "transmit-hash-policy": "xmit_hash_policy",
    "packets-per-slave": "packets_per_slave",
    "lacp-rate": "lacp_rate",
    "ad-select": "ad_select",
    "min-links": "min_links",
    "all-slaves-active": "all_slaves_active",
    "resend-igmp": "resend_igmp",
};
const FROM_NETWORKD: Record<string, string> = {
    Mode: "mode",
    MIIMonitorSec: "miimon",
    UpDelaySec: "updelay",
    DownDelaySec: "downdelay",
    ARPIntervalSec: "arp_interval",
    ARPIPTargets: "arp_ip_target",
    ARPValidate: "arp_validate",
    ARPAllTargets: "arp_all_targets",
    PrimaryReselectPolicy: "primary_reselect",
    FailOverMACPolicy: "fail_over_mac",
    GratuitousARP: "num_grat_arp",
    TransmitHashPolicy: "xmit_hash_policy",
    PacketsPerSlave: "packets_per_slave",
    LACPTransmitRate: "lacp_rate",
    AdSelect: "ad_select",
    MinLinks: "min_links",
    DynamicTransmitLoadBalancing: "tlb_dynamic_lb",
    AllSlavesActive: "all_slaves_active",
    ResendIGMP: "resend_igmp",
};
/** A netplan value in the kernel's syntax: plain numbers (netplan's milliseconds), booleans as 1/0, lists with commas. */
function fromNetplan(value: unknown): string {
    if (Array.isArray(value)) return value.join(",");
    if (typeof value === "boolean") return value ? "1" : "0";
    return String(value);
}
const NETWORKD_BOOLEANS = ["AllSlavesActive", "DynamicTransmitLoadBalancing"];
/** A networkd value in the kernel's syntax: time spans must say ms (networkd's unit is seconds). */
function fromNetworkd(key: string, value: string): string {
    if (key.endsWith("Sec")) return value.match(/^(\d+)ms$/)?.[1] ?? `?${value}`;
    if (NETWORKD_BOOLEANS.includes(key))
        return { true: "1", yes: "1", "1": "1", false: "0", no: "0", "0": "0" }[value] ?? `?${value}`;
    return value.replace(/ /g, ",");
}

/** The options a format's files carry for the bond of one link end, in the kernel's names and syntax. */
const PARSE: Record<string, (files: Record<string, string>, end: LinkEndSpec) => [string, string][]> = {
    ifcfg: (files, end) => {
        const opts = sourced(files[`ifcfg-${end.interface}`], '"$BONDING_OPTS"');
        return opts.split(" ").map((kv) => kv.split("=", 2) as [string, string]);
    },
    networkmanager: (files, end) => {
        const keyfile = sectionOf(files[`${end.interface}.nmconnection`], "bond");
        const quoted = files[`nmcli-${end.interface}.sh`].match(/ bond\.options '([^']*)'/)![1];
        const script = quoted
            .split(",")
            .map((kv) => kv.split("=", 2))
            .map(([k, v]) => [k, k === "arp_ip_target" ? v.replace(/ /g, ",") : v] as [string, string]);
        expect(script).toEqual(keyfile);
        return keyfile;
    },
    netplan: (files, end) => {
        const parameters = YAML.parse(files["60-bondlab.yaml"]).network.bonds[end.interface].parameters;
        return Object.entries(parameters).map(([k, v]) => [FROM_NETPLAN[k] ?? `?${k}`, fromNetplan(v)]);
    },
    "systemd-networkd": (files, end) => {
        const bond = sectionOf(files[`10-${end.interface}.netdev`], "Bond").map(
            ([k, v]) => [FROM_NETWORKD[k] ?? `?${k}`, fromNetworkd(k, v)] as [string, string],
        );
        const primaries = end.slaves.filter((slave) =>
            sectionOf(files[`20-${slave}.network`], "Network").some(([k, v]) => k === "PrimarySlave" && v === "true"),
        );
        return [...bond, ...primaries.map((slave) => ["primary", slave] as [string, string])];
    },
};

/**
 * An ifcfg file's variables as the network service reads them: bash sources the file (and
 * must say nothing), then prints `words`, e.g. '"$DEVICE $IPADDR"'.
 */
function sourced(text: string, words: string): string {
    const file = path.join(fs.mkdtempSync(path.join(TMP, "ifcfg-")), "ifcfg");
    fs.writeFileSync(file, text);
    const result = spawnSync("bash", ["-euc", `. "$1"; printf %s ${words}`, "bash", file], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return result.stdout;
}

/** What a node's files say about its interfaces: addresses, VLANs and routes, one line each. */
interface View {
    /** "DEV ADDRESS/PREFIX" */
    addresses: string[];
    /** "DEV on PARENT id ID" */
    vlans: string[];
    /** "TO via GATEWAY dev DEV", TO being 0.0.0.0/0 for the default route */
    routes: string[];
}
const DEFAULT = "0.0.0.0/0";

/** Each format's files read back into a View, without the exporter's code. */
const VIEW: Record<string, (files: Record<string, string>) => View> = {
    ifcfg: (files) => {
        const view: View = { addresses: [], vlans: [], routes: [] };
        for (const [file, text] of Object.entries(files)) {
            if (file.startsWith("ifcfg-")) {
                const fields = '"${DEVICE}|${IPADDR:-}|${PREFIX:-}|${VLAN:-}|${PHYSDEV:-}|${VLAN_ID:-}"';
                const [device, ip, prefix, vlan, physdev, id] = sourced(text, fields).split("|");
                expect(file).toBe(`ifcfg-${device}`);
                if (ip) view.addresses.push(`${device} ${ip}/${prefix}`);
                if (vlan === "yes") view.vlans.push(`${device} on ${physdev} id ${id}`);
            } else if (file.startsWith("route-")) {
                for (const line of text.split("\n").filter((l) => !/^\s*(#.*)?$/.test(l))) {
                    const [, to, via, dev] = line.match(/^(\S+) via (\S+) dev (\S+)$/) ?? [, `?${line}`, "", ""];
                    expect(file).toBe(`route-${dev}`);
                    view.routes.push(`${to === "default" ? DEFAULT : to} via ${via} dev ${dev}`);
                }
            }
        }
        return view;
    },
    networkmanager: (files) => {
        const view: View = { addresses: [], vlans: [], routes: [] };
        for (const text of Object.entries(files)
            .filter(([f]) => f.endsWith(".nmconnection"))
            .map(([, t]) => t)) {
            const dev = valueOf(text, "connection", "interface-name")!;
            const [address, gateway] = (valueOf(text, "ipv4", "address1") ?? "").split(",");
            if (address) view.addresses.push(`${dev} ${address}`);
            if (gateway) view.routes.push(`${DEFAULT} via ${gateway} dev ${dev}`);
            for (const [, value] of sectionOf(text, "ipv4").filter(([k]) => /^route\d+$/.test(k))) {
                const [to, via] = value.split(",");
                view.routes.push(`${to} via ${via} dev ${dev}`);
            }
            if (valueOf(text, "connection", "type") === "vlan")
                view.vlans.push(`${dev} on ${valueOf(text, "vlan", "parent")} id ${valueOf(text, "vlan", "id")}`);
        }
        return view;
    },
    netplan: (files) => {
        const view: View = { addresses: [], vlans: [], routes: [] };
        const network = YAML.parse(files["60-bondlab.yaml"]).network;
        for (const kind of ["ethernets", "bonds", "vlans"]) {
            for (const [dev, settings] of Object.entries<any>(network[kind] ?? {})) {
                for (const address of settings.addresses ?? []) view.addresses.push(`${dev} ${address}`);
                for (const route of settings.routes ?? [])
                    view.routes.push(`${route.to === "default" ? DEFAULT : route.to} via ${route.via} dev ${dev}`);
                if (kind === "vlans") view.vlans.push(`${dev} on ${settings.link} id ${settings.id}`);
            }
        }
        return view;
    },
    "systemd-networkd": (files) => {
        const view: View = { addresses: [], vlans: [], routes: [] };
        const parents = new Map<string, string>();
        const networks = Object.entries(files).filter(([f]) => f.endsWith(".network"));
        for (const [, text] of networks) {
            const dev = valueOf(text, "Match", "Name")!;
            for (const [key, value] of sectionOf(text, "Network")) {
                if (key === "Address") view.addresses.push(`${dev} ${value}`);
                if (key === "VLAN") parents.set(value, dev);
            }
            for (const route of sections(text).filter((s) => s.name === "Route")) {
                const get = (key: string) => route.entries.find(([k]) => k === key)?.[1];
                view.routes.push(`${get("Destination") ?? DEFAULT} via ${get("Gateway")} dev ${dev}`);
            }
        }
        for (const [, text] of Object.entries(files).filter(([f]) => f.endsWith(".netdev"))) {
            if (valueOf(text, "NetDev", "Kind") !== "vlan") continue;
            const dev = valueOf(text, "NetDev", "Name")!;
            view.vlans.push(`${dev} on ${parents.get(dev)} id ${valueOf(text, "VLAN", "Id")}`);
        }
        return view;
    },
};
const sortedView = (view: View): View => ({
    addresses: [...view.addresses].sort(),
    vlans: [...view.vlans].sort(),
    routes: [...view.routes].sort(),
});
const sorted = (options: [string, string][]) => [...options].sort(([a], [b]) => a.localeCompare(b));

// ---------------------------------------------------------------- the tests

describe("golden files: the seed, every format, both routers", () => {
    const files = exportNetwork(loadTopology("seed"));
    const dir = path.join(GOLDEN, "seed");
    if (process.env.UPDATE_GOLDEN) {
        fs.rmSync(dir, { recursive: true, force: true });
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), content);
        }
    }

    it("has exactly the golden files (UPDATE_GOLDEN=1 rewrites them after a deliberate change)", () => {
        const golden = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) =>
            fs.statSync(path.join(dir, f)).isFile(),
        );
        expect(Object.keys(files).sort()).toEqual(golden.sort());
    });

    it.each(Object.keys(files))("%s", (file) => {
        expect(files[file]).toBe(fs.readFileSync(path.join(dir, file), "utf8"));
    });

    it("keeps the course's ifcfg-bond0 options", () => {
        for (const router of ["inetRouter", "centralRouter"]) {
            expect(files[`${router}/ifcfg/ifcfg-bond0`]).toContain(
                'BONDING_OPTS="mode=active-backup miimon=100 primary=eth1 primary_reselect=always"\n',
            );
        }
    });
});

describe("every option of modes.ts has a rule or a reason where the format renames options (ifcfg and NM take the kernel's names)", () => {
    it.each([
        ["netplan", NETPLAN_PARAMETERS],
        ["systemd-networkd", NETWORKD_BOND_KEYS],
    ])("%s", (_, table) => {
        expect(Object.keys(table).sort()).toEqual(["mode", ...Object.keys(BOND_OPTIONS)].sort());
    });
});

describe("one list of bond options: a version 1 lab's link end has the file's options as the kernel takes them", () => {
    it.each(CASES.filter((c) => c.classic).map((c) => [c.name, c.topology] as const))("%s", (_, topology) => {
        const [link] = topology.links;
        for (const end of link.ends) {
            const peer = link.ends.find((e) => e !== end)!.address!.ip;
            const options = endBondOptions(link, end);
            // Mode first, then the file's options in its order; primary a slave, `peer` the other end.
            expect(options[0]).toEqual(["mode", link.bond!.mode]);
            expect(options.slice(1).map(([k]) => k)).toEqual(Object.keys(link.bond!.options));
            for (const [key, value] of options.slice(1)) {
                const asked = link.bond!.options[key];
                if (key === "primary") expect(end.slaves[link.channels.findIndex((c) => c.name === asked)]).toBe(value);
                else if (Array.isArray(asked))
                    expect(value).toBe(asked.map((v) => (v === "peer" ? peer : v)).join(","));
                else expect(value).toBe(String(asked));
            }
        }
    });

    it("covers every shipped variant", () => {
        const covered = CASES.filter((c) => c.classic).map((c) => c.name);
        expect(covered).toEqual(expect.arrayContaining(listVariants()));
    });
});

describe("the options in every format are exactly endBondOptions', for every bond of every node", () => {
    const rows = NODES.filter((n) => bondEnds(n.case.topology, n.node).length > 0).flatMap((n) =>
        Object.keys(EXPORT_FORMATS).map((f) => [n.label, f, n] as const),
    );
    it.each(rows)("%s %s", (_, format, { case: { topology, refused }, node, host }) => {
        const files = render(host)[format];
        if (refused?.[format]) {
            expect(files).toBeInstanceOf(ExportError);
            expect((files as ExportError).message).toMatch(
                new RegExp(`^${format} cannot express the bond option ${refused[format].replace(/[+.]/g, "\\$&")}: `),
            );
            return;
        }
        if (files instanceof ExportError) throw files;
        for (const { link, end } of bondEnds(topology, node)) {
            const parsed = PARSE[format](files, end);
            expect(sorted(parsed)).toEqual(sorted(endBondOptions(link, end)));
            if (format === "ifcfg") expect(parsed[0][0]).toBe("mode"); // the network service writes them in order
        }
    });

    it("covers both bonds of enterprise's centralRouter", () => {
        expect(rows.filter(([label]) => label === "enterprise centralRouter")).toHaveLength(4);
        expect(bondEnds(caseOf("enterprise").topology, "centralRouter").map((b) => b.end.interface)).toEqual([
            "bond0",
            "bond1",
        ]);
    });

    it("no shipped variant or network is refused by any format", () => {
        for (const topology of [...listVariants(), ...listNetworks()].map((v) => loadTopology(v)))
            for (const node of topology.nodes)
                expect(
                    Object.values(render(hostConfigOf(topology, node.name))).filter((f) => f instanceof ExportError),
                ).toEqual([]);
    });
});

describe("addresses, VLANs and routes: every format of every node says what the network says", () => {
    /** The node's addresses, VLANs and routes read off the network itself (routes without their device). */
    const expected = (topology: TopologySpec, node: string) => {
        const attachments = [...topology.links.flatMap((l) => l.ends), ...topology.segments.flatMap((s) => s.ports)];
        return {
            addresses: placedAddresses(topology)
                .filter((p) => p.node === node)
                .map((p) => `${p.device} ${p.address.address}`)
                .sort(),
            vlans: attachments
                .filter((a) => a.node === node)
                .flatMap((a) => a.vlans.map((v) => `${v.interface} on ${a.interface} id ${v.id}`))
                .sort(),
            routes: topology.nodes
                .find((n) => n.name === node)!
                .routes.map((r) => `${r.to} via ${r.via}`)
                .sort(),
        };
    };
    const rows = NODES.filter((n) => !n.case.classic || n.case.name === "seed").map((n) => [n.label, n] as const);

    it.each(rows)("%s", (_, { case: { topology }, node, host }) => {
        const views = Object.entries(render(host)).map(([format, files]) => {
            if (files instanceof ExportError) throw files;
            return [format, sortedView(VIEW[format](files))] as const;
        });
        const want = expected(topology, node);
        for (const [format, view] of views) {
            const withoutDevice = view.routes.map((r) => r.replace(/ dev \S+$/, "")).sort();
            expect({ format, ...view, routes: withoutDevice }).toEqual({ format, ...want });
        }
        // Each route leaves by the same interface in every format.
        for (const [format, view] of views)
            expect({ format, routes: view.routes }).toEqual({ format, routes: views[0][1].routes });
    });

    it("reads something: VLANs on bonds, plain links and segment ports, and every route", () => {
        const views = rows.map(([, n]) =>
            VIEW["systemd-networkd"](render(n.host)["systemd-networkd"] as Record<string, string>),
        );
        expect(views.flatMap((v) => v.vlans)).toEqual(
            expect.arrayContaining(["bond1.10 on bond1 id 10", "eth1.20 on eth1 id 20", "eth1.100 on eth1 id 100"]),
        );
        const routes = rows.flatMap(([, n]) => n.case.topology.nodes.find((node) => node.name === n.node)!.routes);
        expect(views.flatMap((v) => v.routes)).toHaveLength(routes.length);
        expect(routes.length).toBeGreaterThan(10);
    });
});

describe("VLANs and routes land where they should", () => {
    /** Exported files of one node of a shipped network, by "<format>/<file>". */
    const exported = (network: string, node: string) => {
        const files = exportNetwork(caseOf(network).topology);
        const prefix = `${node}/`;
        return Object.fromEntries(
            Object.entries(files)
                .filter(([f]) => f.startsWith(prefix))
                .map(([f, c]) => [f.slice(prefix.length), c]),
        );
    };

    it.each([
        // network, node, VLAN, parent, id, address
        ["enterprise", "centralRouter", "bond1.10", "bond1", 10, "192.168.255.5/30"],
        ["enterprise", "centralRouter", "bond1.20", "bond1", 20, "192.168.20.1/30"],
        ["enterprise", "office1Router", "bond0.10", "bond0", 10, "192.168.255.6/30"],
        ["enterprise", "office2Router", "eth2.30", "eth2", 30, "10.2.30.1/24"],
        ["enterprise", "office2Router", "eth2.40", "eth2", 40, "10.2.40.1/24"],
        ["enterprise", "office2Client", "eth1.30", "eth1", 30, "10.2.30.10/24"],
        ["vlan-lacp", "testClient1", "eth1.100", "eth1", 100, "10.10.10.254/24"],
        ["vlan-lacp", "testServer2", "eth1.101", "eth1", 101, "10.10.10.1/24"],
    ])("%s %s: %s on %s, VLAN %d, %s", (network, node, vlan, parent, id, address) => {
        const files = exported(network, node);
        const [ip, prefix] = address.split("/");
        const ifcfg = files[`ifcfg/ifcfg-${vlan}`];
        for (const line of [
            `DEVICE=${vlan}`,
            "VLAN=yes",
            `PHYSDEV=${parent}`,
            `VLAN_ID=${id}`,
            `IPADDR=${ip}`,
            `PREFIX=${prefix}`,
        ])
            expect(ifcfg).toContain(`\n${line}\n`);

        const keyfile = files[`networkmanager/${vlan}.nmconnection`];
        expect(valueOf(keyfile, "connection", "type")).toBe("vlan");
        expect(sectionOf(keyfile, "vlan")).toEqual([
            ["id", String(id)],
            ["parent", parent],
        ]);
        expect(valueOf(keyfile, "ipv4", "address1")?.split(",")[0]).toBe(address);
        expect(files[`networkmanager/nmcli-${parent}.sh`]).toContain(`vlan.parent ${parent} vlan.id ${id} `);

        const netplan = YAML.parse(files["netplan/60-bondlab.yaml"]).network;
        expect(netplan.vlans[vlan]).toMatchObject({ id, link: parent, addresses: [address] });
        expect({ ...netplan.ethernets, ...netplan.bonds }).toHaveProperty([parent]);

        const netdev = files[`systemd-networkd/10-${vlan}.netdev`];
        expect(sectionOf(netdev, "NetDev")).toEqual([
            ["Name", vlan],
            ["Kind", "vlan"],
        ]);
        expect(sectionOf(netdev, "VLAN")).toEqual([["Id", String(id)]]);
        expect(sectionOf(files[`systemd-networkd/20-${parent}.network`], "Network")).toContainEqual(["VLAN", vlan]);
        expect(sectionOf(files[`systemd-networkd/20-${vlan}.network`], "Network")).toContainEqual(["Address", address]);
    });

    it("a trunk without an untagged address has none in any format", () => {
        // centralRouter's bond1 carries VLANs 10 and 20 only; office2Router's eth2 VLANs 30 and 40.
        for (const [node, trunk] of [
            ["centralRouter", "bond1"],
            ["office2Router", "eth2"],
        ]) {
            const files = exported("enterprise", node);
            expect(files[`ifcfg/ifcfg-${trunk}`]).not.toMatch(/IPADDR|PREFIX/);
            expect(sectionOf(files[`networkmanager/${trunk}.nmconnection`], "ipv4")).toEqual([["method", "disabled"]]);
            expect(files[`networkmanager/nmcli-${trunk}.sh`]).toContain("ipv4.method disabled ipv6.method disabled");
            const netplan = YAML.parse(files["netplan/60-bondlab.yaml"]).network;
            expect({ ...netplan.ethernets, ...netplan.bonds }[trunk].addresses).toBeUndefined();
            expect(sectionOf(files[`systemd-networkd/20-${trunk}.network`], "Network").map(([k]) => k)).toEqual([
                "VLAN",
                "VLAN",
            ]);
        }
    });

    it.each([
        // network, node, device, to, via
        ["enterprise", "centralRouter", "bond0", "default", "192.168.255.1"],
        ["enterprise", "centralRouter", "bond1.10", "10.1.0.0/16", "192.168.255.6"],
        ["enterprise", "centralRouter", "eth5", "10.2.0.0/16", "192.168.255.10"],
        ["enterprise", "inetRouter", "bond0", "192.168.0.0/16", "192.168.255.2"],
        ["enterprise", "inetRouter", "bond0", "10.0.0.0/8", "192.168.255.2"],
        ["enterprise", "office1Router", "bond0.10", "default", "192.168.255.5"],
        ["enterprise", "office2Client", "eth1.30", "default", "10.2.30.1"],
    ])("%s %s: %s, to %s via %s", (network, node, dev, to, via) => {
        const files = exported(network, node);
        const isDefault = to === "default";
        expect(files[`ifcfg/route-${dev}`].split("\n")).toContainEqual(`${to} via ${via} dev ${dev}`);

        const keyfile = files[`networkmanager/${dev}.nmconnection`];
        const script = Object.entries(files).find(([f, t]) => f.endsWith(".sh") && t.includes(` ifname ${dev} `))![1];
        if (isDefault) {
            expect(valueOf(keyfile, "ipv4", "address1")).toMatch(new RegExp(`,${via.replace(/\./g, "\\.")}$`));
            expect(script).toContain(`ipv4.gateway ${via} `);
        } else {
            expect(sectionOf(keyfile, "ipv4")).toContainEqual([expect.stringMatching(/^route\d+$/), `${to},${via}`]);
            expect(script).toMatch(
                new RegExp(`ipv4\\.routes '[^']*${to.replace(/\./g, "\\.")} ${via.replace(/\./g, "\\.")}\\b`),
            );
        }

        const netplan = YAML.parse(files["netplan/60-bondlab.yaml"]).network;
        const iface = { ...netplan.ethernets, ...netplan.bonds, ...netplan.vlans }[dev];
        expect(iface.routes).toContainEqual({ to, via });

        const routes = sections(files[`systemd-networkd/20-${dev}.network`]).filter((r) => r.name === "Route");
        expect(routes.map((r) => r.entries)).toContainEqual(
            isDefault
                ? [["Gateway", via]]
                : [
                      ["Destination", to],
                      ["Gateway", via],
                  ],
        );
    });
});

// ---------------------------------------------------------------- real validators

const PATH = `${process.env.PATH}:/usr/sbin:/sbin`;
const run = (cmd: string, args: string[], input?: string) =>
    spawnSync(cmd, args, { encoding: "utf8", input, env: { ...process.env, PATH } });
const has = (cmd: string) => run("sh", ["-c", `command -v ${cmd}`]).status === 0;

/** `it` when the check can run here, else a skip that says what to install. */
function withTool(available: boolean, install: string) {
    if (!available) console.warn(`skipped: ${install}`);
    return available ? it : it.skip;
}

describe("netplan generate accepts the netplan files and renders what our networkd files say", () => {
    const check = withTool(has("netplan"), "netplan checks need `apt-get install netplan.io`");
    check.each(rendered("netplan"))("%s", (_, { dir }) => {
        const root = fs.mkdtempSync(path.join(TMP, "netplan-"));
        fs.mkdirSync(path.join(root, "etc", "netplan"), { recursive: true });
        fs.copyFileSync(path.join(dir, "60-bondlab.yaml"), path.join(root, "etc", "netplan", "60-bondlab.yaml"));
        fs.chmodSync(path.join(root, "etc", "netplan", "60-bondlab.yaml"), 0o600);
        const result = run("netplan", ["generate", "--root-dir", root]);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);

        // netplan's own networkd rendering of our YAML must say what our networkd export says:
        // the same netdevs (bonds with their options, VLANs with their ids) and per interface
        // the same addresses, bond membership, VLANs and routes.
        const generatedDir = path.join(root, "run", "systemd", "network");
        const oursDir = path.join(dir, "..", "systemd-networkd");
        const generated = (file: string) => fs.readFileSync(path.join(generatedDir, `10-netplan-${file}`), "utf8");
        const ours = (file: string) => fs.readFileSync(path.join(oursDir, file), "utf8");
        const names = (folder: string, pattern: RegExp) =>
            fs
                .readdirSync(folder)
                .flatMap((f) => f.match(pattern)?.[1] ?? [])
                .sort();
        const netdevs = names(oursDir, /^10-(.+)\.netdev$/);
        const networks = names(oursDir, /^20-(.+)\.network$/);
        expect(names(generatedDir, /^10-netplan-(.+)\.netdev$/)).toEqual(netdevs);
        expect(names(generatedDir, /^10-netplan-(.+)\.network$/)).toEqual(networks);

        const normalize = (entries: [string, string][]) =>
            sorted(entries.map(([k, v]) => [k, NETWORKD_BOOLEANS.includes(k) ? fromNetworkd(k, v) : v]));
        for (const name of netdevs)
            for (const section of ["NetDev", "Bond", "VLAN"])
                expect({ name, section, entries: normalize(sectionOf(generated(`${name}.netdev`), section)) }).toEqual({
                    name,
                    section,
                    entries: normalize(sectionOf(ours(`10-${name}.netdev`), section)),
                });
        const said = (text: string) => ({
            network: sectionOf(text, "Network")
                .filter(([k]) => ["Address", "Bond", "PrimarySlave", "VLAN"].includes(k))
                .sort(),
            // netplan spells the default route out; ours leaves networkd's default destination.
            routes: sections(text)
                .filter((r) => r.name === "Route")
                .map((r) => ({ Destination: DEFAULT, ...Object.fromEntries(r.entries) }))
                .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
        });
        for (const name of networks)
            expect({ name, ...said(generated(`${name}.network`)) }).toEqual({
                name,
                ...said(ours(`20-${name}.network`)),
            });
    });
});

const NETWORKD = "/lib/systemd/systemd-networkd";
/** Can we run networkd in a mount and network namespace of its own (root, unshare)? */
const canSandbox = () =>
    process.getuid?.() === 0 &&
    fs.existsSync(NETWORKD) &&
    fs.existsSync("/etc/systemd/network") &&
    run("unshare", ["--mount", "--net", "true"]).status === 0;

/**
 * systemd-networkd's log of loading `dir` as its only configuration. It runs in a new network
 * namespace (the bond it creates, if the kernel lets it, is gone with the namespace) and a
 * new mount namespace whose /run and config folders are empty, and it is stopped as soon as
 * it has loaded its files and enumerated the (empty) namespace's links.
 */
function networkdLog(dir: string): Promise<string> {
    const sandbox = [
        "set -e",
        "mount -t tmpfs tmpfs /run",
        // networkd runs as systemd-network once started: its state folder must be its own.
        "install -d -o systemd-network -g systemd-network /run/systemd/netif 2>/dev/null || mkdir -p /run/systemd/netif",
        "mount -t tmpfs tmpfs /usr/lib/systemd/network",
        "mount -t tmpfs tmpfs /etc/systemd/network",
        'cp "$1"/* /etc/systemd/network/',
        `exec ${NETWORKD}`,
    ].join("\n");
    return new Promise((resolve) => {
        const child = spawn(
            "unshare",
            ["--mount", "--net", "--propagation", "private", "sh", "-c", sandbox, "sh", dir],
            {
                env: { ...process.env, PATH, SYSTEMD_LOG_TARGET: "console", SYSTEMD_LOG_LEVEL: "debug" },
            },
        );
        let log = "";
        const stop = setTimeout(() => child.kill("SIGTERM"), 10_000);
        const collect = (chunk: Buffer) => {
            log += chunk.toString();
            if (log.includes("Enumeration completed")) child.kill("SIGTERM");
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        child.on("close", () => {
            clearTimeout(stop);
            resolve(log);
        });
    });
}

describe("systemd-networkd loads the networkd files without a warning", () => {
    const check = withTool(
        canSandbox(),
        "networkd checks need root, unshare (util-linux) and systemd's systemd-networkd",
    );
    check(
        "reports every problem it is fed (the check can fail)",
        async () => {
            const dir = fs.mkdtempSync(path.join(TMP, "networkd-bad-"));
            fs.writeFileSync(
                path.join(dir, "10-bond0.netdev"),
                "[NetDev]\nName=bond0\nKind=bond\n\n[Bond]\nMode=active-backup\nARPValidate=filter_active\nMIIMonitor=100\n",
            );
            fs.writeFileSync(
                path.join(dir, "20-eth1.network"),
                "[Match]\nName=eth1\n\n[Network]\nBond=bond0\nPrimarySlav=true\n",
            );
            const log = await networkdLog(dir);
            expect(log).toMatch(/10-bond0\.netdev:7: Failed to parse bond arp validate/);
            expect(log).toMatch(/10-bond0\.netdev:8: Unknown key 'MIIMonitor'/);
            expect(log).toMatch(/20-eth1\.network:6: Unknown key 'PrimarySlav'/);
        },
        15_000,
    );
    check.each(rendered("systemd-networkd"))(
        "%s",
        async (_, { files, dir }) => {
            const log = await networkdLog(dir);
            // Every netdev, bond and VLAN alike, loaded as what it is.
            for (const netdev of Object.keys(files).filter((f) => f.endsWith(".netdev"))) {
                const name = netdev.replace(/^10-(.+)\.netdev$/, "$1");
                expect(log).toContain(`${name}: loaded "${valueOf(files[netdev], "NetDev", "Kind")}"`);
            }
            expect(log).toContain("Enumeration completed");
            // Its complaints about a file start with the file's path and line.
            expect(log.split("\n").filter((line) => line.startsWith("/etc/systemd/network/"))).toEqual([]);
        },
        15_000,
    );
});

const NMCLI = run("sh", ["-c", "command -v nmcli"]).stdout.trim();
const nmOffline =
    NMCLI !== "" && run(NMCLI, ["--offline", "connection", "add", "type", "bond", "ifname", "bond0"]).status === 0;

/** A keyfile as NM itself writes it back: sections of key=value, with empty sections dropped. */
function nmSettings(text: string): Record<string, Record<string, string>> {
    const settings: Record<string, Record<string, string>> = {};
    for (const [section, key, value] of ini(text.replace(/^Warning: .*\n/gm, "")))
        (settings[section] ??= {})[key] = value;
    return settings;
}

describe("NetworkManager (nmcli --offline) builds the same profiles from the script and reads the keyfiles unchanged", () => {
    const check = withTool(
        nmOffline,
        "NetworkManager checks need `apt-get install network-manager` (1.40 or later, for nmcli --offline)",
    );
    check.each(rendered("networkmanager"))("%s", (_, { case: { topology }, node, files, dir }) => {
        // Run the scripts themselves, with an nmcli that prints each profile instead of adding it.
        const bin = fs.mkdtempSync(path.join(TMP, "nmcli-"));
        fs.writeFileSync(
            path.join(bin, "nmcli"),
            `#!/bin/sh\nexec ${NMCLI} --offline "$@" > "${bin}/$(ls "${bin}" | wc -l).out"\n`,
            { mode: 0o755 },
        );
        const scripts = Object.keys(files).filter((f) => f.endsWith(".sh"));
        expect(scripts.length).toBeGreaterThan(0);
        for (const file of scripts) {
            const script = spawnSync("sh", [path.join(dir, file)], {
                encoding: "utf8",
                env: { ...process.env, PATH: `${bin}:${PATH}` },
            });
            expect({ file, stderr: script.stderr, status: script.status }).toEqual({ file, stderr: "", status: 0 });
        }
        const fromScript = fs
            .readdirSync(bin)
            .filter((f) => f.endsWith(".out"))
            .map((f) => nmSettings(fs.readFileSync(path.join(bin, f), "utf8")));

        const keyfiles = Object.keys(files)
            .filter((f) => f.endsWith(".nmconnection"))
            .sort();
        // One profile per keyfile, named after it, and the scripts add each once.
        expect(fromScript.map((s) => `${s.connection.id}.nmconnection`).sort()).toEqual(keyfiles);
        const options = new Map(
            bondEnds(topology, node).map(({ link, end }) => [end.interface, endBondOptions(link, end)]),
        );
        for (const keyfile of keyfiles) {
            const read = run(NMCLI, ["--offline", "connection", "modify"], files[keyfile]);
            expect(read.status).toBe(0);
            const ours = nmSettings(read.stdout);
            const theirs = fromScript.find((s) => s.connection.id === ours.connection.id)!;
            // nmcli add spells out NM 1.40's default; our keyfiles leave it to the NM that reads them.
            if (theirs.ipv6) delete theirs.ipv6["addr-gen-mode"];
            expect(ours).toEqual(theirs);
            // NM drops bond options it does not know without a word: what it kept must be all of them.
            if (ours.bond) expect(sorted(Object.entries(ours.bond))).toEqual(sorted(options.get(ours.connection.id)!));
        }
    });
});

describe("shellcheck passes the nmcli scripts", () => {
    const check = withTool(has("shellcheck"), "script checks need `apt-get install shellcheck`");
    check.each(rendered("networkmanager"))("%s", (_, { files, dir }) => {
        const scripts = Object.keys(files).filter((f) => f.endsWith(".sh"));
        const result = run(
            "shellcheck",
            scripts.map((f) => path.join(dir, f)),
        );
        expect(result.stdout + result.stderr).toBe("");
        expect(result.status).toBe(0);
    });
});

describe("the ifcfg files: bash sources every one, and the kernel takes every route file's lines", () => {
    it.each(rendered("ifcfg"))("%s: sourced, each naming its own device", (_, { files }) => {
        for (const [file, text] of Object.entries(files).filter(([f]) => f.startsWith("ifcfg-")))
            expect(sourced(text, '"$DEVICE"')).toBe(file.replace(/^ifcfg-/, ""));
    });

    // ifup-routes hands each line of route-DEV to `ip route add` as it stands, once the
    // interfaces are up with their addresses: here veths (the one link type every Docker
    // host's kernel has) of the same names and addresses in a throwaway network namespace, so
    // a gateway that is not on that interface's subnet is refused as it would be on the host.
    const canNetns = process.getuid?.() === 0 && has("ip") && run("unshare", ["--net", "true"]).status === 0;
    const check = withTool(canNetns, "route checks need root, unshare (util-linux) and ip (iproute2)");
    const withRoutes = rendered("ifcfg").filter(([, r]) => Object.keys(r.files).some((f) => f.startsWith("route-")));
    check.each(withRoutes)("%s: ip route add takes every route", (_, { case: { topology }, node, dir }) => {
        const script = [
            "set -eu",
            'cd "$1"',
            "n=0",
            "for f in ifcfg-*; do",
            "  n=$((n + 1))",
            '  ( . "./$f"; ip link add "$DEVICE" type veth peer name "peer$n"',
            '    if [ -n "${IPADDR:-}" ]; then ip address add "$IPADDR/$PREFIX" dev "$DEVICE"; fi',
            '    ip link set "peer$n" up; ip link set "$DEVICE" up )',
            "done",
            "for f in route-*; do",
            // ifup-routes' own loop: every line that is not blank or a comment.
            '  { cat "$f"; echo; } | while read -r line; do',
            '    if [[ ! "$line" =~ ^[[:space:]]*(\\#.*)?$ ]]; then ip route add $line; fi',
            "  done",
            "done",
            "ip -4 route show",
        ].join("\n");
        const result = run("unshare", ["--net", "bash", "-c", script, "bash", dir]);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const table = result.stdout.split("\n").map((l) => l.trim());
        for (const route of topology.nodes.find((n) => n.name === node)!.routes) {
            const to = route.to === DEFAULT ? "default" : route.to;
            expect(table).toContainEqual(
                expect.stringMatching(
                    new RegExp(`^${to.replace(/\./g, "\\.")} via ${route.via.replace(/\./g, "\\.")} dev `),
                ),
            );
        }
    });

    it("checks the routes of every node that has some", () => {
        const routed = NODES.filter(
            (n) => n.case.topology.nodes.find((node) => node.name === n.node)!.routes.length > 0,
        );
        expect(withRoutes.map(([label]) => label)).toEqual(routed.map((n) => n.label));
        expect(withRoutes.map(([label]) => label)).toEqual(
            expect.arrayContaining(["enterprise centralServer", "vlan-on-link r1"]),
        );
    });
});

describe("npm run export", () => {
    const ROOT = path.join(__dirname, "..", "..");
    const exportTool = (...args: string[]) =>
        spawnSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin"), "--transpile-only", "tools/export.ts", ...args],
            { cwd: ROOT, encoding: "utf8" },
        );

    it("writes every variant's routers in every format, the diagram, and a summary", () => {
        const out = path.join(TMP, "tool");
        const result = exportTool("--variant", "all", "--out", out);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(fs.readdirSync(out).sort()).toEqual([...listVariants(), ...listNetworks()].sort());
        for (const variant of listVariants()) {
            expect(result.stdout).toContain(`${variant}: 25 files for inetRouter, centralRouter`);
            const files = exportNetwork(loadTopology(variant));
            for (const [file, content] of Object.entries(files)) {
                expect(fs.readFileSync(path.join(out, variant, file), "utf8")).toBe(content);
                expect(fs.statSync(path.join(out, variant, file)).mode & 0o777).toBe(fileMode(file));
            }
        }
        for (const network of listNetworks()) {
            const files = exportNetwork(loadTopology(network));
            expect(result.stdout).toContain(`${network}: ${Object.keys(files).length} files for `);
            for (const [file, content] of Object.entries(files))
                expect(fs.readFileSync(path.join(out, network, file), "utf8")).toBe(content);
        }
        expect(fs.readdirSync(path.join(out, "seed", "inetRouter")).sort()).toEqual(Object.keys(EXPORT_FORMATS).sort());
    });

    it("writes every node of a network in every format, its diagram, and a summary naming the nodes", () => {
        const out = path.join(TMP, "tool-enterprise");
        const result = exportTool("--variant", "enterprise", "--out", out);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const topology = loadTopology("enterprise");
        const nodes = topology.nodes.map((n) => n.name);
        const files = exportNetwork(topology);
        const dir = path.join(out, "enterprise");
        expect(result.stdout).toContain(
            `enterprise: ${Object.keys(files).length} files for 9 nodes (${nodes.join(", ")}) in ${dir}\n`,
        );
        expect(fs.readdirSync(dir).sort()).toEqual([...nodes, "topology.mmd"].sort());
        // Every format per node, and a router's forwarding, which the lab's container has too.
        for (const { name, kind } of topology.nodes)
            expect(fs.readdirSync(path.join(dir, name)).sort()).toEqual(
                [...Object.keys(EXPORT_FORMATS), ...(kind === "router" ? ["sysctl.d"] : [])].sort(),
            );
        expect(
            fs.readFileSync(path.join(dir, "centralRouter", "sysctl.d", "90-bondlab-forwarding.conf"), "utf8"),
        ).toMatch(/^net\.ipv4\.ip_forward = 1$/m);
        expect(fs.readFileSync(path.join(dir, "topology.mmd"), "utf8")).toBe(
            networkDiagram(topology, labNames("bondlab", topology.variant)) + "\n",
        );
        for (const [file, content] of Object.entries(files)) {
            expect(fs.readFileSync(path.join(dir, file), "utf8")).toBe(content);
            expect(fs.statSync(path.join(dir, file)).mode & 0o777).toBe(fileMode(file));
        }
    });

    it("takes a version 2 lab file by its path", () => {
        const out = path.join(TMP, "tool-path");
        const result = exportTool("--variant", path.join("configs", "v2", "vlan-lacp.yaml"), "--out", out);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(/^vlan-lacp: \d+ files for 6 nodes \(inetRouter, centralRouter, testClient1, /);
        expect(fs.readdirSync(path.join(out, "vlan-lacp", "testClient1", "ifcfg")).sort()).toEqual([
            "ifcfg-eth1",
            "ifcfg-eth1.100",
        ]);
    });

    it("names the shipped variants when the variant is unknown, and writes nothing", () => {
        const out = path.join(TMP, "tool-bad");
        const result = exportTool("--variant", "lacpp", "--out", out);
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(/no such variant: use one of arp-monitor, .*, seed/);
        expect(fs.existsSync(out)).toBe(false);
    });

    it("explains its arguments", () => {
        const result = exportTool("--variant", "seed");
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(
            "--out is required\nusage: npm run export -- --variant <name | all | lab.yaml> --out DIR",
        );
    });
});

describe("advice for hosts in VMs: fail_over_mac", () => {
    // Where active-backup writes its MAC into every slave, a hypervisor that filters MAC
    // changes breaks the first failover: each format says how it writes the fix.
    const spelled: Record<string, string> = {
        ifcfg: "fail_over_mac=active to BONDING_OPTS",
        netplan: "fail-over-mac-policy: active to the bond's parameters",
        "systemd-networkd": "FailOverMACPolicy=active under [Bond]",
        networkmanager: "fail_over_mac=active to bond.options",
    };
    const advised = (topology: TopologySpec, node: string, format: string, setting = spelled[format]) => {
        const files = render(hostConfigOf(topology, node))[format];
        if (files instanceof ExportError) throw files;
        return Object.values(files).some((text) =>
            text.includes(`# ${setting}: at failover the bond then takes the new active slave's own MAC.`),
        );
    };
    const router = (topology: TopologySpec) => [topology, topology.nodes[0].name] as const;

    it("covers every format", () => {
        expect(Object.keys(spelled).sort()).toEqual(Object.keys(EXPORT_FORMATS).sort());
    });

    it.each(Object.keys(spelled))(
        "%s: advised for the seed (active-backup), not where fail_over_mac is set or the mode is not active-backup",
        (format) => {
            expect(advised(...router(loadTopology("seed")), format)).toBe(true);
            expect(
                advised(...router(lab("fom", "active-backup", { miimon: 100, fail_over_mac: "active" })), format),
            ).toBe(false);
            expect(advised(...router(loadTopology("lacp")), format)).toBe(false);
        },
    );

    it.each(Object.keys(spelled))("%s: per active-backup bond of a network's node", (format) => {
        const { topology } = caseOf("enterprise");
        expect(advised(topology, "office1Router", format)).toBe(true);
        expect(advised(topology, "inetRouter", format)).toBe(false); // 802.3ad only
        // centralRouter's bond1 is active-backup, its bond0 802.3ad: netplan's one file names the bond.
        const setting = format === "netplan" ? "fail-over-mac-policy: active to bond1's parameters" : spelled[format];
        expect(advised(topology, "centralRouter", format, setting)).toBe(true);
    });
});
