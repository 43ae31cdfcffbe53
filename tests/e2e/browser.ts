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
