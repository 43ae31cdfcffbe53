import { spawnSync } from "child_process";
import * as path from "path";

// The command-line tools refuse nonsense before they start anything, and all answer --help.

const ROOT = path.join(__dirname, "..", "..");
const tool = (name: string, ...args: string[]) => {
    const env = { ...process.env };
    delete env.DOCKER_HOST; // nothing here may reach a Docker host
    return spawnSync("npx", ["ts-node", "--transpile-only", `tools/${name}.ts`, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env,
    });
};

describe("the tools' arguments", () => {
    it.each([
        [["--stack", "dev", "--interval", "1e-9"], /--interval takes seconds from 0\.005 to 1, not "1e-9"/],
        [["--stack", "dev", "--post", "1e9"], /--post takes seconds from 1 to 600, not "1e9"/],
        [["--stack", "dev", "--scenarios", ","], /no scenario in ",": use admin-down/],
        [
            ["--matrix", "--out", "docs/drill", "--update"],
            /--update measures some variants again .*give --matrix and --variants/,
        ],
        [
            ["--matrix", "--out", "x", "--link", "wan"],
            /--link picks a bonded link of a running network: give it with --stack/,
        ],
        [["--stack", "dev", "--replay", "--link", "wan"], /--link .*: give it with --stack, without --replay/],
        [
            ["--matrix", "--out", "/nonexistent", "--variants", "lacp", "--update"],
            /--update: no report to update in \/nonexistent/,
        ],
    ])("drill %j is refused with exit 2", (args, expected) => {
        const r = tool("drill", ...args);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(expected);
    });

    it("validate shows a version 2 network and which hosts answer a ping", () => {
        const r = tool("validate", "configs/v2/vlan-lacp.yaml");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(
            /^configs\/v2\/vlan-lacp\.yaml: ok: 6 nodes \(2 routers, 4 hosts\), 1 link, 1 segment; the drill takes --link wan$/m,
        );
        expect(r.stdout).toMatch(
            /link wan: bonded 802\.3ad over ch1, ch2: inetRouter bond0 192\.168\.255\.1\/30 <-> centralRouter bond0/,
        );
        expect(r.stdout).toMatch(
            /reach: 4 of 12 host-to-host addresses answer a ping [^]*testClient1 -> testServer2 \(10\.10\.10\.1\) arrives at testServer1/,
        );
    });

    it("validate refuses a bad version 2 file with exit 1, naming the field", () => {
        const r = tool("validate", "tests/unit/fixtures/v2-bad-vlan.yaml");
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(
            /segments\[0\]\.ports\.client\.vlans\[0\]\.id: only client is in segment lan, VLAN 10/,
        );
    });

    it("bench checks its variant before it needs a Docker host", () => {
        const r = tool("bench", "nosuch");
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/no such variant: use one of arp-monitor/);
        expect(r.stderr).not.toMatch(/DOCKER_HOST/);
    });

    it.each([
        [["up"], /give an action and a class file/],
        [["deploy", "configs/class/example.yaml"], /unknown action "deploy": use up, down or status/],
        [["up", "configs/class/example.yaml", "--engine", "terraform"], /--engine terraform: use pulumi or model/],
        [["up", "configs/class/example.yaml", "--fast"], /unknown option --fast/],
    ])("class %j is refused with exit 2", (args, expected) => {
        const r = tool("class", ...args);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(expected);
    });

    it("class checks its file before it touches a stack or needs the pulumi CLI", () => {
        const r = tool("class", "status", "tests/unit/fixtures/no-such-class.yaml");
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/no-such-class\.yaml is not a valid class file:\n {2}- \(file\): cannot read: ENOENT/);
        expect(r.stderr).not.toMatch(/pulumi CLI/);
    });

    // Where the CLI is installed, the Automation API runs instead (tests/e2e/pulumi-cli.test.ts's machines).
    const hasPulumiCli = spawnSync("pulumi", ["version"]).status === 0;
    (hasPulumiCli ? it.skip : it)("class without the pulumi CLI says so and names the way out", () => {
        const r = tool("class", "status", "configs/class/example.yaml");
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/the pulumi CLI is not installed.*or use --engine model/);
    });

    it.each(["bench", "class", "drill", "export", "validate"])("%s --help prints its usage and exits 0", (name) => {
        const r = tool(name, "--help");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/usage: npm run/);
    });
});
