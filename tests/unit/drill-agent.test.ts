import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AGENT_SCRIPT } from "../../drill/agent";

// The drill's agent (drill/sh/agent.sh) with a stand-in `ping` that records how it was
// called: the probe must never be given a deadline (-w), with which iputils ping exits at the
// first ICMP error ("Destination Host Unreachable") and the probe would report an outage
// that lasts until the row ends, whatever the path did after.
describe("the drill agent's probe", () => {
    let dir = "";
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs ping with a count (its safety stop), never a deadline, and stops it with SIGINT", async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-agent-"));
        const args = path.join(dir, "args");
        // In node: a shell cannot trap SIGINT in a background job (it starts ignored), ping can.
        fs.writeFileSync(
            path.join(dir, "ping"),
            `#!${process.execPath}\n` +
                `require("fs").writeFileSync(${JSON.stringify(args)}, process.argv.slice(2).join(" "));\n` +
                `process.on("SIGINT", () => { console.log("2 packets transmitted, 2 received"); process.exit(0); });\n` +
                // Never outlive the test, whatever happens to the agent.
                "setTimeout(() => process.exit(1), 30000);\n",
            { mode: 0o755 },
        );
        const agent = spawn("sh", ["-c", AGENT_SCRIPT], {
            env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, DRILL_PEER: "192.0.2.2" },
        });
        let stdout = "";
        agent.stdout.on("data", (d) => (stdout += d));
        agent.stdin.write("probe 1 0.01 60\n");
        // Stop once ping runs (and has its SIGINT handler), as the drill does seconds later.
        while (!fs.existsSync(args)) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 500));
        agent.stdin.end("stop 2\n");
        await new Promise((r) => agent.on("close", r));
        const run = { stdout };
        expect(run.stdout).toMatch(/^ready \d+$/m);
        expect(run.stdout).toContain("2 packets transmitted, 2 received");
        expect(fs.readFileSync(args, "utf8").trim()).toBe("-D -n -i 0.01 -c 6001 192.0.2.2");
    });
});
