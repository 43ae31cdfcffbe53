import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProcess } from "../engine/shell";

// The e2e tests and the drill's jest-run measurements need a Docker host whose kernel has bonding. DOCKER_HOST may name one;
// otherwise the lab host VM (labhost/start.sh) is started for the run and stopped after.
//
// The VM starts in the background: building its image on a fresh machine takes minutes and
// booting it under emulation about one, while the unit tests need neither (tests/runner.js
// runs them first, on every core). Each e2e file waits for it (labhostReady, in its setup) before it begins.

const LABHOST = __dirname;
/** Where the background start leaves its outcome: how the tests, in their own contexts, learn it. */
const STARTED_FILE = path.join(os.tmpdir(), `bondlab-labhost-start-${process.pid}.json`);

interface StartOutcome {
    code: number;
    dockerHost?: string;
}

export default async function globalSetup(): Promise<void> {
    if (process.env.DOCKER_HOST) {
        console.log(`\ne2e: using the Docker host DOCKER_HOST=${process.env.DOCKER_HOST}`);
        return;
    }
    console.log("\ne2e: starting the lab host VM (labhost/start.sh) in the background ...");
    fs.rmSync(STARTED_FILE, { force: true });
    process.env.BONDLAB_E2E_STARTED_LABHOST = "1";
    process.env.BONDLAB_LABHOST_START = STARTED_FILE;
    const settle = (outcome: StartOutcome) => {
        // This process's own environment too: what the tests' child processes inherit.
        if (outcome.dockerHost) process.env.DOCKER_HOST = outcome.dockerHost;
        fs.writeFileSync(STARTED_FILE, JSON.stringify(outcome));
    };
    runProcess([path.join(LABHOST, "start.sh")], { env: { ...process.env }, passStderr: true }).then(
        (started) => {
            const line = started.stdout.split("\n").find((l) => l.startsWith("export DOCKER_HOST="));
            const dockerHost = line?.replace("export DOCKER_HOST=", "").trim();
            settle({ code: started.code === 0 && !dockerHost ? 1 : started.code, dockerHost });
        },
        () => settle({ code: 127 }),
    );
}

/** Waits for the background start (if this run began one); its outcome. */
async function startOutcome(): Promise<StartOutcome | null> {
    const file = process.env.BONDLAB_LABHOST_START;
    if (!file) return null;
    while (!fs.existsSync(file)) await new Promise((r) => setTimeout(r, 500));
    return JSON.parse(fs.readFileSync(file, "utf8")) as StartOutcome;
}

/** For each e2e file's setup: the lab host is up and DOCKER_HOST names it, or this throws. */
export async function labhostReady(): Promise<void> {
    const started = await startOutcome();
    if (!started) return;
    if (started.code !== 0 || !started.dockerHost)
        throw new Error(`labhost/start.sh failed (exit ${started.code}): its messages are above, in the run's output`);
    process.env.DOCKER_HOST = started.dockerHost;
}

export async function globalTeardown(): Promise<void> {
    if (process.env.BONDLAB_E2E_STARTED_LABHOST !== "1") return;
    // A start still under way (a run of unit tests only, or one that failed early) ends first.
    await startOutcome();
    // A guest kernel that failed explains every Docker error before it: say so last, where
    // a reader of the run's tail looks (labhost/crash-report.sh prints the kernel's lines).
    // Only this run's boots count: consoles written since its VM came up.
    const crashed = await runProcess([path.join(LABHOST, "crash-report.sh"), "--newer-than", STARTED_FILE], {
        passStderr: true,
    });
    fs.rmSync(STARTED_FILE, { force: true });
    if (crashed.code === 0)
        console.log("e2e: the lab host VM crashed during the run; the failures after that are its, not the lab's");
    if (process.env.BONDLAB_KEEP_LABHOST === "1") return;
    await runProcess([path.join(LABHOST, "stop.sh")], { passStderr: true });
}
