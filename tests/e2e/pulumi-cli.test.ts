import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../engine/engine";
import { IMAGE, leftovers } from "./lab";

// The real thing where it exists: `pulumi up`, a calm `pulumi preview`, `pulumi destroy`,
// with the Pulumi CLI and its docker and command plugins, against the same Docker host.
// The project's build machines cannot download them, so there this is skipped.

const hasPulumi = spawnSync("sh", ["-c", "command -v pulumi"]).status === 0;
if (!hasPulumi)
    console.warn(
        "skipped: the Pulumi CLI is not on PATH (https://www.pulumi.com/docs/install/); the harness tests above cover the program",
    );

(hasPulumi ? describe : describe.skip)("pulumi up, preview and destroy with the real CLI", () => {
    const stack = "e2e-cli";
    // A copy of the project, so the stack file and state never land in the checkout.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-cli-"));
    const env = {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    const pulumi = (...args: string[]) =>
        execFileSync("pulumi", [...args, "--stack", stack, "--non-interactive"], { cwd: work, env, encoding: "utf8" });

    beforeAll(() => {
        for (const item of [
            "Pulumi.yaml",
            "index.ts",
            "package.json",
            "tsconfig.json",
            "components",
            "configs",
            "images",
        ]) {
            fs.cpSync(path.join(PROJECT_DIR, item), path.join(work, item), { recursive: true });
        }
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(work, "node_modules"));
        fs.mkdirSync(path.join(work, "state"));
        execFileSync("pulumi", ["stack", "init", stack, "--non-interactive"], { cwd: work, env });
        pulumi("config", "set", "bondlab:variant", "lacp");
        pulumi("config", "set", "bondlab:routerImage", IMAGE);
        pulumi("config", "set", "docker:host", process.env.DOCKER_HOST!);
    });
    afterAll(() => {
        spawnSync("pulumi", ["destroy", "--yes", "--stack", stack, "--non-interactive"], { cwd: work, env });
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("brings the lab up verified, from a stack file that sets nothing but the lab's own settings", () => {
        pulumi("up", "--yes", "--skip-preview");
        const routers = JSON.parse(pulumi("stack", "output", "routers", "--json"));
        expect(routers.inetRouter.verify.aggregator.ports).toBe(2);
        expect(routers.centralRouter.verify.ping.received).toBeGreaterThan(0);
    });

    it("previews no changes when nothing changed", () => {
        expect(() => pulumi("preview", "--expect-no-changes")).not.toThrow();
    });

    it("previews a changed bond option as updates of the bond's commands only, then applies it", () => {
        pulumi("config", "set", "--path", "bondlab:bondOptions.lacp_rate", "slow");
        const preview = JSON.parse(pulumi("preview", "--json")) as { steps: { op: string; urn: string }[] };
        const changed = preview.steps
            .filter((s) => s.op !== "same")
            .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
            .sort();
        expect(changed).toEqual([
            "update lab-centralRouter-apply",
            "update lab-centralRouter-verify",
            "update lab-inetRouter-apply",
            "update lab-inetRouter-verify",
        ]);
        pulumi("up", "--yes", "--skip-preview");
        const routers = JSON.parse(pulumi("stack", "output", "routers", "--json"));
        expect(routers.inetRouter.verify.options.lacp_rate).toBe("slow");
    });

    it("destroys every trace", async () => {
        pulumi("destroy", "--yes", "--skip-preview");
        expect(await leftovers(stack)).toEqual([]);
    });
});
