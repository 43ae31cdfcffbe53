import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { EXPORT_FORMATS, ExportError, exportLab, fileMode } from "../../components/export";
import { NETPLAN_PARAMETERS } from "../../components/export/netplan";
import { NETWORKD_BOND_KEYS } from "../../components/export/networkd";
import { BOND_OPTIONS } from "../../components/spec/modes";
import { listVariants, loadLab } from "../../components/spec/load";
import { LabSpec, RouterSpec, bondOptionsFor } from "../../components/spec/spec";
import { validateLab } from "../../components/spec/validate";

// The exported host configs: golden files for the seed, every format's options parsed back
// and compared with bondOptionsFor for every variant (and for labs that use every option),
// then the files checked by the real tools where Debian packages them:
//   netplan generate (netplan.io), systemd-networkd itself in a throwaway namespace
//   (systemd), nmcli --offline (network-manager), shellcheck, bash for the ifcfg files.
// A missing tool skips its checks with the apt-get line that brings it.

const GOLDEN = path.join(__dirname, "golden");
/** Every case's files, written once for the tools to read. */
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-export-"));
type Formats = Record<string, Record<string, string> | ExportError>;

interface Case {
    name: string;
    spec: LabSpec;
    /** Formats that must refuse the lab with an ExportError naming the option. */
    refused?: Record<string, string>;
}

/** A lab of the default topology with these bond options. */
const lab = (name: string, mode: string, options: object) =>
    validateLab(name, { description: name, bond: { mode, options } });

const CASES: Case[] = [
    ...listVariants().map((v) => ({ name: v, spec: loadLab(v) })),
    // Every option of modes.ts, spread over labs the kernel accepts.
    {
        name: "every-mii",
        spec: lab("every-mii", "active-backup", {
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
    },
    {
        name: "every-arp",
        spec: lab("every-arp", "active-backup", {
            arp_interval: 250,
            arp_ip_target: ["peer", "192.168.1.254"],
            arp_validate: "all",
            arp_all_targets: "all",
        }),
    },
    { name: "every-rr", spec: lab("every-rr", "balance-rr", { miimon: 50, packets_per_slave: 4 }) },
    {
        name: "every-lacp",
        spec: lab("every-lacp", "802.3ad", {
            miimon: 100,
            lacp_rate: "fast",
            ad_select: "bandwidth",
            min_links: 1,
            xmit_hash_policy: "encap3+4",
        }),
    },
    {
        name: "every-tlb",
        spec: lab("every-tlb", "balance-tlb", {
            miimon: 100,
            tlb_dynamic_lb: 0,
            xmit_hash_policy: "layer2+3",
            primary: "eth1",
        }),
        refused: { netplan: "tlb_dynamic_lb" },
    },
    {
        name: "use-carrier",
        spec: lab("use-carrier", "balance-alb", { miimon: 100, use_carrier: 1 }),
        refused: { netplan: "use_carrier", "systemd-networkd": "use_carrier" },
    },
    {
        name: "arp-missed",
        spec: lab("arp-missed", "balance-xor", { arp_interval: 200, arp_ip_target: ["peer"], arp_missed_max: 3 }),
        refused: { netplan: "arp_missed_max", "systemd-networkd": "arp_missed_max", networkmanager: "arp_missed_max" },
    },
    {
        name: "arp-filter",
        spec: lab("arp-filter", "active-backup", {
            arp_interval: 200,
            arp_ip_target: ["peer"],
            arp_validate: "filter_active",
        }),
        refused: { netplan: "arp_validate=filter_active", "systemd-networkd": "arp_validate=filter_active" },
    },
];

function render(spec: LabSpec, router: RouterSpec): Formats {
    const out: Formats = {};
    for (const [format, renderFormat] of Object.entries(EXPORT_FORMATS)) {
        try {
            out[format] = renderFormat(spec, router);
        } catch (e) {
            if (!(e instanceof ExportError)) throw e;
            out[format] = e;
        }
    }
    return out;
}

interface Rendered {
    spec: LabSpec;
    router: RouterSpec;
    files: Record<string, string>;
    dir: string;
}
/** Every (case, router) whose `format` rendered, with its files and their folder on disk. */
function rendered(format: string): [string, Rendered][] {
    return CASES.flatMap(({ name, spec }) =>
        spec.routers.flatMap((router): [string, Rendered][] => {
            const files = render(spec, router)[format];
            if (files instanceof ExportError) return [];
            return [
                [`${name} ${router.name}`, { spec, router, files, dir: path.join(TMP, name, router.name, format) }],
            ];
        }),
    );
}

beforeAll(() => {
    for (const { name, spec } of CASES) {
        for (const router of spec.routers) {
            for (const [format, files] of Object.entries(render(spec, router))) {
                if (files instanceof ExportError) continue;
                const dir = path.join(TMP, name, router.name, format);
                fs.mkdirSync(dir, { recursive: true });
                for (const [file, content] of Object.entries(files))
                    fs.writeFileSync(path.join(dir, file), content, { mode: fileMode(`${format}/${file}`) });
            }
        }
    }
});
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

// ---------------------------------------------------------------- parsing the formats back

/** [section, key, value] of an INI-style file (systemd units, NM keyfiles). */
function ini(text: string): [string, string, string][] {
    let section = "";
    const entries: [string, string, string][] = [];
    for (const line of text.split("\n")) {
        if (/^\s*([#;].*)?$/.test(line)) continue;
        const header = line.match(/^\[(.+)\]$/);
        if (header) section = header[1];
        else entries.push([section, line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]);
    }
    return entries;
}
const sectionOf = (text: string, name: string) =>
    ini(text)
        .filter(([s]) => s === name)
        .map(([, k, v]) => [k, v] as [string, string]);

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

/** The bond options a format's files carry, in the kernel's names and syntax. */
const PARSE: Record<string, (files: Record<string, string>, spec: LabSpec) => [string, string][]> = {
    ifcfg: (files, spec) => {
        const file = path.join(fs.mkdtempSync(path.join(TMP, "ifcfg-")), "ifcfg");
        fs.writeFileSync(file, files[`ifcfg-${spec.bond.name}`]);
        // The network service sources these files: so does this check.
        const opts = spawnSync("bash", ["-euc", '. "$1"; printf %s "$BONDING_OPTS"', "bash", file], {
            encoding: "utf8",
        });
        expect(opts.stderr).toBe("");
        return opts.stdout.split(" ").map((kv) => kv.split("=", 2) as [string, string]);
    },
    networkmanager: (files, spec) => {
        const keyfile = sectionOf(files[`${spec.bond.name}.nmconnection`], "bond");
        const quoted = files[`nmcli-${spec.bond.name}.sh`].match(/ bond\.options '([^']*)'/)![1];
        const script = quoted
            .split(",")
            .map((kv) => kv.split("=", 2))
            .map(([k, v]) => [k, k === "arp_ip_target" ? v.replace(/ /g, ",") : v] as [string, string]);
        expect(script).toEqual(keyfile);
        return keyfile;
    },
    netplan: (files, spec) => {
        const parameters = YAML.parse(files["60-bondlab.yaml"]).network.bonds[spec.bond.name].parameters;
        return Object.entries(parameters).map(([k, v]) => [FROM_NETPLAN[k] ?? `?${k}`, fromNetplan(v)]);
    },
    "systemd-networkd": (files, spec) => {
        const bond = sectionOf(files[`10-${spec.bond.name}.netdev`], "Bond").map(
            ([k, v]) => [FROM_NETWORKD[k] ?? `?${k}`, fromNetworkd(k, v)] as [string, string],
        );
        const primaries = spec.channels.filter((c) =>
            sectionOf(files[`20-${c.interface}.network`], "Network").some(
                ([k, v]) => k === "PrimarySlave" && v === "true",
            ),
        );
        return [...bond, ...primaries.map((c) => ["primary", c.interface] as [string, string])];
    },
};
const sorted = (options: [string, string][]) => [...options].sort(([a], [b]) => a.localeCompare(b));

// ---------------------------------------------------------------- the tests

describe("golden files: the seed, every format, both routers", () => {
    const files = exportLab(loadLab("seed"));
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

describe("the options in every format are exactly bondOptionsFor's", () => {
    const rows = CASES.flatMap((c) =>
        c.spec.routers.flatMap((r) => Object.keys(EXPORT_FORMATS).map((f) => [c.name, r.name, f, c, r] as const)),
    );
    it.each(rows)("%s %s %s", (_, __, format, { spec, refused }, router) => {
        const files = render(spec, router)[format];
        if (refused?.[format]) {
            expect(files).toBeInstanceOf(ExportError);
            expect((files as ExportError).message).toMatch(
                new RegExp(`^${format} cannot express the bond option ${refused[format].replace(/[+.]/g, "\\$&")}: `),
            );
            return;
        }
        if (files instanceof ExportError) throw files;
        const parsed = PARSE[format](files, spec);
        expect(sorted(parsed)).toEqual(sorted(bondOptionsFor(spec, router)));
        if (format === "ifcfg") expect(parsed[0][0]).toBe("mode"); // the network service writes them in order
    });

    it("no shipped variant is refused by any format", () => {
        for (const variant of listVariants()) {
            const spec = loadLab(variant);
            for (const router of spec.routers)
                expect(Object.values(render(spec, router)).filter((f) => f instanceof ExportError)).toEqual([]);
        }
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
    check.each(rendered("netplan"))("%s", (_, { spec, router, dir }) => {
        const root = fs.mkdtempSync(path.join(TMP, "netplan-"));
        fs.mkdirSync(path.join(root, "etc", "netplan"), { recursive: true });
        fs.copyFileSync(path.join(dir, "60-bondlab.yaml"), path.join(root, "etc", "netplan", "60-bondlab.yaml"));
        fs.chmodSync(path.join(root, "etc", "netplan", "60-bondlab.yaml"), 0o600);
        const result = run("netplan", ["generate", "--root-dir", root]);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);

        // netplan's own networkd rendering of our YAML must say what our networkd export says.
        const generated = (file: string) =>
            fs.readFileSync(path.join(root, "run", "systemd", "network", `10-netplan-${file}`), "utf8");
        const ours = (file: string) => fs.readFileSync(path.join(dir, "..", "systemd-networkd", file), "utf8");
        const bond = spec.bond.name;
        const normalize = (entries: [string, string][]) =>
            sorted(entries.map(([k, v]) => [k, NETWORKD_BOOLEANS.includes(k) ? fromNetworkd(k, v) : v]));
        expect(normalize(sectionOf(generated(`${bond}.netdev`), "Bond"))).toEqual(
            normalize(sectionOf(ours(`10-${bond}.netdev`), "Bond")),
        );
        expect(sectionOf(generated(`${bond}.network`), "Network")).toContainEqual(["Address", router.address]);
        for (const c of spec.channels) {
            const pick = (entries: [string, string][]) => entries.filter(([k]) => k === "Bond" || k === "PrimarySlave");
            expect(pick(sectionOf(generated(`${c.interface}.network`), "Network"))).toEqual(
                pick(sectionOf(ours(`20-${c.interface}.network`), "Network")),
            );
        }
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
        async (_, { spec, dir }) => {
            const log = await networkdLog(dir);
            expect(log).toContain(`${spec.bond.name}: loaded "bond"`);
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
    check.each(rendered("networkmanager"))("%s", (_, { spec, router, files, dir }) => {
        // Run the script itself, with an nmcli that prints each profile instead of adding it.
        const bin = fs.mkdtempSync(path.join(TMP, "nmcli-"));
        fs.writeFileSync(
            path.join(bin, "nmcli"),
            `#!/bin/sh\nexec ${NMCLI} --offline "$@" > "${bin}/$(ls "${bin}" | wc -l).out"\n`,
            { mode: 0o755 },
        );
        const script = spawnSync("sh", [path.join(dir, `nmcli-${spec.bond.name}.sh`)], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${PATH}` },
        });
        expect(script.stderr).toBe("");
        expect(script.status).toBe(0);
        const fromScript = fs
            .readdirSync(bin)
            .filter((f) => f.endsWith(".out"))
            .sort()
            .map((f) => nmSettings(fs.readFileSync(path.join(bin, f), "utf8")));

        const keyfiles = Object.keys(files)
            .filter((f) => f.endsWith(".nmconnection"))
            .sort();
        expect(keyfiles).toHaveLength(fromScript.length);
        for (const keyfile of keyfiles) {
            const read = run(NMCLI, ["--offline", "connection", "modify"], files[keyfile]);
            expect(read.status).toBe(0);
            const ours = nmSettings(read.stdout);
            const theirs = fromScript.find((s) => s.connection.id === ours.connection.id)!;
            // nmcli add spells out NM 1.40's default; our keyfiles leave it to the NM that reads them.
            if (theirs.ipv6) delete theirs.ipv6["addr-gen-mode"];
            expect(ours).toEqual(theirs);
            // NM drops bond options it does not know without a word: what it kept must be all of them.
            if (ours.bond) expect(sorted(Object.entries(ours.bond))).toEqual(sorted(bondOptionsFor(spec, router)));
        }
    });
});

describe("shellcheck passes the nmcli scripts", () => {
    const check = withTool(has("shellcheck"), "script checks need `apt-get install shellcheck`");
    check.each(rendered("networkmanager"))("%s", (_, { spec, dir }) => {
        const result = run("shellcheck", [path.join(dir, `nmcli-${spec.bond.name}.sh`)]);
        expect(result.stdout + result.stderr).toBe("");
        expect(result.status).toBe(0);
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
        expect(fs.readdirSync(out).sort()).toEqual(listVariants());
        for (const variant of listVariants()) {
            expect(result.stdout).toContain(`${variant}: 25 files for inetRouter, centralRouter`);
            const files = exportLab(loadLab(variant));
            for (const [file, content] of Object.entries(files)) {
                expect(fs.readFileSync(path.join(out, variant, file), "utf8")).toBe(content);
                expect(fs.statSync(path.join(out, variant, file)).mode & 0o777).toBe(fileMode(file));
            }
        }
        expect(fs.readdirSync(path.join(out, "seed", "inetRouter")).sort()).toEqual(Object.keys(EXPORT_FORMATS).sort());
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
    const advised = (spec: LabSpec, format: string) => {
        const files = render(spec, spec.routers[0])[format];
        if (files instanceof ExportError) throw files;
        return Object.values(files).some((text) =>
            text.includes(`# ${spelled[format]}: at failover the bond then takes the new active slave's own MAC.`),
        );
    };

    it("covers every format", () => {
        expect(Object.keys(spelled).sort()).toEqual(Object.keys(EXPORT_FORMATS).sort());
    });

    it.each(Object.keys(spelled))(
        "%s: advised for the seed (active-backup), not where fail_over_mac is set or the mode is not active-backup",
        (format) => {
            expect(advised(loadLab("seed"), format)).toBe(true);
            expect(advised(lab("fom", "active-backup", { miimon: 100, fail_over_mac: "active" }), format)).toBe(false);
            expect(advised(loadLab("lacp"), format)).toBe(false);
        },
    );
});
