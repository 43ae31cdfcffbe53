import { spawn } from "child_process";
import * as fs from "fs";
import { Browser, chromium } from "playwright-core";

/** Debian's Chromium, which .ci/run installs (apt-get install chromium). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Headless Chromium for the web view's tests, as root in CI: no sandbox, and none of the
 * background connections this machine's closed network refuses.
 */
export async function openBrowser(): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
    return chromium.launch({
        executablePath: CHROMIUM,
        args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    });
}

/**
 * `npm run watch ... --web` (or any command that serves the page) started as a user would,
 * without DOCKER_HOST: resolves with the page's URL once printed. A process group of its own:
 * Ctrl-C in a terminal reaches npm and the view alike, and so does stop()'s SIGINT (npm
 * passes none to the script's shell).
 */
export async function startPageServer(
    command: string,
    args: string[],
    cwd?: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
    const env = { ...process.env };
    delete env.DOCKER_HOST;
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const stop = async () => {
        process.kill(-child.pid!, "SIGINT");
        await new Promise((r) => child.once("close", r));
    };
    const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no page URL printed:\n${output}`)), 120_000);
        child.stdout.on("data", () => {
            const m = /the page is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/.exec(output);
            if (m) {
                clearTimeout(timer);
                resolve(m[1]);
            }
        });
    }).catch(async (e) => {
        await stop();
        throw e;
    });
    return { url, stop };
}
