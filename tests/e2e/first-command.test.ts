import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RowResult } from "../../drill/result";
import { docker } from "../../engine/shell";
import { openBrowser, startPageServer } from "./browser";
import { leftovers } from "./lab";

// The README's first command as a newcomer runs it: a fresh clone, no Pulumi CLI, no
// DOCKER_HOST. npm run up must fall back on what bondlab ships (the engine model, the lab
// host VM, which the harness already runs: up reuses it) and end in a verified seed lab;
// npm run down must leave nothing, and leave the VM that up did not start running.

const ROOT = path.join(__dirname, "..", "..");

/** Runs a command in `cwd` as a user's shell would, without the harness's DOCKER_HOST or any pulumi. */
function run(cwd: string, command: string): Promise<{ code: number; output: string }> {
    const env = { ...process.env };
    delete env.DOCKER_HOST;
    delete env.DOCKER_CONTEXT;
    env.PATH = (env.PATH ?? "")
        .split(":")
        .filter((dir) => dir && !fs.existsSync(path.join(dir, "pulumi")))
        .join(":");
    return new Promise((resolve, reject) => {
        const child = spawn("sh", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });
}

describe("the README's first command on a machine without the Pulumi CLI or DOCKER_HOST", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-first-"));
    const clone = path.join(dir, "bondlab");
    let up: { code: number; output: string };
    let checkpoint: any;
    beforeAll(async () => {
        const cloned = await run(dir, `git clone --quiet "${ROOT}" bondlab`);
        if (cloned.code !== 0) throw new Error(`git clone failed: ${cloned.output}`);
        // The README's command; the npm cache the suite's own install filled keeps it short.
        up = await run(clone, "npm ci --no-audit --no-fund --prefer-offline && npm run up");
        console.log(
            up.output
                .split("\n")
                .filter((l) => l.startsWith("bondlab"))
                .join("\n"),
        );
        const file = path.join(clone, ".pulumi-state", ".bondlab-model", "dev.json");
        checkpoint = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
    });
    afterAll(async () => {
        if (fs.existsSync(path.join(clone, ".pulumi-state", ".bondlab-model", "dev.json")))
            await run(clone, "npm run down");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("says it runs through the engine model on the lab host VM, and ends in the verified seed lab", () => {
        expect({ code: up.code, tail: up.output.slice(-2000) }).toEqual({ code: 0, tail: expect.any(String) });
        expect(up.output).toContain("no Pulumi CLI here: running the program through bondlab's engine model");
        expect(up.output).toContain("starting bondlab's lab host VM");
        expect(up.output).toMatch(
            new RegExp(
                /bondlab: stack dev \(seed\): \d+ changes; verified: /.source +
                    /inetRouter: bond0 active-backup active eth1, 1 ping answered; /.source +
                    /centralRouter: bond0 active-backup active eth1, 1 ping answered/.source,
            ),
        );
        for (const name of ["inetRouter", "centralRouter"]) {
            const verify = checkpoint.outputs.routers[name].verify;
            expect({ name, problems: verify.problems, mode: verify.mode }).toEqual({
                name,
                problems: 0,
                mode: "active-backup",
            });
            expect(verify.ping.received).toBeGreaterThan(0);
        }
    });

    // The live view on the lab the newcomer just brought up, as a user drives it in a terminal:
    // tmux is the terminal, send-keys the user, capture-pane the eyes. A tmux server of its own,
    // started here, so the view runs with this suite's environment (no pulumi, no DOCKER_HOST).
    it("npm run watch: d downs eth1 inside centralRouter, the view shows why the ping died, r restores it", async () => {
        const socket = `bondlab-e2e-${process.pid}`;
        const tmux = (...args: string[]) => run(clone, `tmux -L ${socket} ${args.map((a) => `'${a}'`).join(" ")}`);
        const screen = async () => (await tmux("capture-pane", "-p", "-t", "watch")).output.replace(/\n {4}/g, " ");
        /** Polls the screen until it shows `what`; fails with the last screen. */
        const showing = async (what: string, shows: (text: string) => boolean): Promise<string> => {
            let text = "";
            for (let i = 0; i < 240; i++) {
                text = await screen();
                if (shows(text)) return text;
                await new Promise((r) => setTimeout(r, 500));
            }
            throw new Error(`the view never showed ${what}; its last screen:\n${text}`);
        };
        const started = await tmux(
            "new-session",
            "-d",
            "-s",
            "watch",
            "-x",
            "160",
            "-y",
            "60",
            "npm run -s watch -- --stack dev --for 300; echo watch-exit $?; sleep 600",
        );
        expect(started).toEqual({ code: 0, output: "" });
        try {
            // Ten replies each way first, as a user who looks before acting: a fault is measured
            // against what the view heard before it from both routers (measure.ts judges none on
            // less than half a second), and on a slow lab host one router's agent may start
            // seconds after the other's.
            const replies = (t: string, dir: string) =>
                Number(new RegExp(`ping ${dir} +answering +(\\d+)/`).exec(t)?.[1] ?? 0);
            await showing(
                "both bonds on eth1 and ten replies each way",
                (t) =>
                    /inetRouter bond0 active-backup {2}active eth1/.test(t) &&
                    /centralRouter bond0 active-backup {2}active eth1/.test(t) &&
                    replies(t, "centralRouter→inetRouter") >= 10 &&
                    replies(t, "inetRouter→centralRouter") >= 10,
            );
            // The view opens with ch1 and centralRouter selected: d is the seed's experiment.
            await tmux("send-keys", "-t", "watch", "d");
            const dead = await showing(
                "centralRouter on eth2, the dead ping and why",
                (t) =>
                    /centralRouter bond0 active-backup {2}active eth2/.test(t) &&
                    /ping inetRouter→centralRouter +no reply for/.test(t) &&
                    /why: centralRouter's active slave is eth2, inetRouter's is eth1/.test(t),
            );
            expect(dead).toMatch(/inetRouter bond0 active-backup {2}active eth1/);
            expect(dead).toMatch(/eth1 +ch1 +DOWN/);
            expect(dead).toContain("centralRouter left eth1, but inetRouter's eth1 kept its carrier");
            expect(dead).toMatch(/centralRouter +you: ip link set eth1 down inside centralRouter/);
            expect(dead).toMatch(
                /centralRouter +eth1: set down, MII down, link failure count \d+; active slave eth1 → eth2/,
            );
            // The fault measured as the drill's row once its window has passed.
            const measured = await showing("the fault measured as a drill row", (t) =>
                /✗ fail ip link set eth1 down inside centralRouter: outage no recovery \(≥\d\.\d s\), bound never/.test(
                    t,
                ),
            );
            expect(measured).toContain("The root cause is isolation");
            await tmux("send-keys", "-t", "watch", "r");
            const back = await showing(
                "the ping answering again and verify passing",
                (t) => /verify passed on both routers/.test(t) && /ping inetRouter→centralRouter +answering/.test(t),
            );
            expect(back).toMatch(/centralRouter bond0 active-backup {2}active eth1/);
            expect(back).toMatch(/ping inetRouter→centralRouter: answered again after \d+ ms without a reply/);
            expect(back).not.toContain("why:");
            await tmux("send-keys", "-t", "watch", "q");
            await showing("the watch ending", (t) => /watch-exit 0/.test(t));
            // Its agents went with it: no ping of the view's left in either router.
            for (const router of ["inetRouter", "centralRouter"])
                expect(await docker("exec", `bondlab-dev-${router}`, "ps", "-o", "args")).not.toMatch(/ping -D -O/);
        } finally {
            await tmux("kill-server");
        }
    });

    // The same lab in the browser: the page the README shows, driven by clicks as a student would.
    it("npm run watch -- --web: the page shows both bonds, a click downs eth1, the why panel names it, restore", async () => {
        const saved = path.join(dir, "by-hand");
        const argv = ["run", "-s", "watch", "--", "--stack", "dev", "--web", "--save", saved, "--for", "300"];
        const view = await startPageServer("npm", argv, clone);
        const browser = await openBrowser();
        try {
            const url = view.url;
            const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
            const errors: string[] = [];
            page.on("pageerror", (e) => errors.push(e.message));
            await page.goto(url);
            const heading = (router: string, text: string) =>
                page.getByTestId(`node-${router}`).getByRole("heading").filter({ hasText: text });
            const ping = (dir: string, text: string) => page.getByTestId(`ping-${dir}`).filter({ hasText: text });
            const wait = { timeout: 90_000 };
            await heading("inetRouter", "active eth1").waitFor(wait);
            await heading("centralRouter", "active eth1").waitFor(wait);
            await ping("inetRouter->centralRouter", "answering").waitFor(wait);
            await page.waitForFunction(
                () =>
                    Number(/answering · (\d+)\//.exec(document.querySelector("#pings")?.textContent ?? "")?.[1]) >= 10,
                undefined,
                wait,
            );

            await page.getByRole("button", { name: "admin-down eth1 in centralRouter", exact: true }).click();
            await heading("centralRouter", "active eth2").waitFor(wait);
            await ping("inetRouter->centralRouter", "no reply for").waitFor(wait);
            const why = page
                .locator("#why")
                .filter({ hasText: "centralRouter left eth1, but inetRouter's eth1 kept its carrier" });
            await why.waitFor(wait);
            expect(await heading("inetRouter", "active eth1").count()).toBe(1);
            expect(await page.locator('line[data-end="centralRouter:eth1"]').getAttribute("data-state")).toBe(
                "admin down",
            );
            expect(await page.locator('line[data-end="inetRouter:eth1"]').getAttribute("data-state")).toBe("active");
            const row = page.locator("#rows li.verdict-fail");
            await row
                .filter({ hasText: "ip link set eth1 down inside centralRouter: outage no recovery" })
                .waitFor(wait);
            expect(await row.locator(".row-why").innerText()).toContain("The root cause is isolation");
            const shot = path.join(dir, "seed-web.png");
            await page.screenshot({ path: shot, fullPage: true });
            expect(fs.readFileSync(shot).subarray(1, 4).toString()).toBe("PNG");

            await page.getByRole("button", { name: "restore", exact: true }).click();
            await ping("inetRouter->centralRouter", "answering").waitFor(wait);
            await ping("centralRouter->inetRouter", "answering").waitFor(wait);
            await heading("centralRouter", "active eth1").waitFor(wait);
            await page.locator("#events").filter({ hasText: "verify passed on both routers" }).waitFor(wait);
            expect(errors).toEqual([]);
        } finally {
            await browser.close();
            await view.stop();
        }
        for (const router of ["inetRouter", "centralRouter"])
            expect(await docker("exec", `bondlab-dev-${router}`, "ps", "-o", "args")).not.toMatch(/ping -D -O/);
        // --save kept the row as a drill report, which the drill renders again unchanged.
        const report = JSON.parse(fs.readFileSync(path.join(saved, "report.json"), "utf8"));
        const rows = report.variants[0].rows.map((r: RowResult) => [r.id, r.verdict, r.outcome]);
        expect(rows).toEqual([["admin-down-centralRouter-by-hand-1", "fail", "down"]]);
        const rendered = await run(clone, `npm run -s drill -- --render '${saved}'`);
        expect(rendered.code).toBe(0);
        const again = JSON.parse(fs.readFileSync(path.join(saved, "report.json"), "utf8"));
        expect(again.variants[0].rows.map((r: RowResult) => [r.id, r.verdict, r.outcome])).toEqual(rows);
    });

    it("npm run down removes the lab and leaves the lab host it did not start running", async () => {
        const down = await run(clone, "npm run down");
        expect({ code: down.code, output: down.output }).toEqual({
            code: 0,
            output: expect.stringContaining("bondlab: stack dev destroyed"),
        });
        expect(await leftovers("dev")).toEqual([]);
        expect(down.output).not.toContain("stopping it");
        expect(await docker("version", "--format", "{{.Server.Version}}")).toMatch(/\d/);
    });
});
