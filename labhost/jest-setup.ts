import * as path from "path";
import { runProcess } from "../engine/shell";

// The e2e tests and the drill's jest-run measurements need a Docker host whose kernel has bonding. DOCKER_HOST may name one;
// otherwise the lab host VM (labhost/start.sh) is started for the run and stopped after.

const LABHOST = __dirname;

export default async function globalSetup(): Promise<void> {
    if (process.env.DOCKER_HOST) {
        console.log(`\ne2e: using the Docker host DOCKER_HOST=${process.env.DOCKER_HOST}`);
        return;
    }
    console.log("\ne2e: starting the lab host VM (labhost/start.sh) ...");
    const started = await runProcess([path.join(LABHOST, "start.sh")], { env: { ...process.env }, passStderr: true });
    const line = started.stdout.split("\n").find((l) => l.startsWith("export DOCKER_HOST="));
    if (started.code !== 0 || !line) throw new Error(`labhost/start.sh failed (exit ${started.code})`);
    process.env.DOCKER_HOST = line.replace("export DOCKER_HOST=", "").trim();
    process.env.BONDLAB_E2E_STARTED_LABHOST = "1";
}

export async function globalTeardown(): Promise<void> {
    if (process.env.BONDLAB_E2E_STARTED_LABHOST !== "1") return;
    // A guest kernel that failed explains every Docker error before it: say so last, where
    // a reader of the run's tail looks (labhost/crash-report.sh prints the kernel's lines).
    const crashed = await runProcess([path.join(LABHOST, "crash-report.sh")], { passStderr: true });
    if (crashed.code === 0)
        console.log("e2e: the lab host VM crashed during the run; the failures after that are its, not the lab's");
    if (process.env.BONDLAB_KEEP_LABHOST === "1") return;
    await runProcess([path.join(LABHOST, "stop.sh")], { passStderr: true });
}
