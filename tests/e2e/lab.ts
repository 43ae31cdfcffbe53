import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labNames, LABEL_STACK } from "../../components/names";
import { ROUTER_IMAGE } from "../../components/foundation";
import { LabStack } from "../../engine/lab-stack";
import { UpdateResult } from "../../engine/engine";
import { Step } from "../../engine/steps";
import { docker, runProcess } from "../../engine/shell";

/** The router image the lab host loads (labhost/start.sh builds it offline). */
export const IMAGE = ROUTER_IMAGE;
/** The router plus tcpdump (images/debug), which the lab host loads beside it. */
export const DEBUG_IMAGE = "bondlab.invalid/router-debug:local";

/** A lab stack (engine/lab-stack.ts) as the e2e tests use it: timed ups and the routers' outputs. */
export class E2ELab extends LabStack {
    override async up(): Promise<UpdateResult> {
        const started = Date.now();
        const run = await super.up();
        console.log(`e2e ${this.stack}: verified lab in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return run;
    }

    get routers(): Record<string, any> {
        return this.outputs.routers;
    }

    container(router: string): string {
        return this.routers[router].containerName;
    }
}

/**
 * Brings the lab up as an older release did (its program, from a worktree of `commit`, through
 * this engine model), then upgrades it in place with this program: `pulumi up` after
 * `git pull`. Returns the upgrade's steps and the Docker objects' ids, sorted, before and after.
 */
export async function upFromRelease(lab: E2ELab, commit: string) {
    const repo = path.join(__dirname, "..", "..");
    const git = async (...args: string[]) => {
        const r = await runProcess(["git", "-C", repo, ...args]);
        if (r.code !== 0)
            throw new Error(`git ${args.join(" ")}: ${r.stderr.trim()} (a clone with its history has ${commit})`);
    };
    const old = fs.mkdtempSync(path.join(os.tmpdir(), `bondlab-${commit}-`));
    await git("worktree", "add", "--detach", old, commit);
    try {
        fs.symlinkSync(path.join(repo, "node_modules"), path.join(old, "node_modules"));
        const before = new E2ELab(lab.stack, lab.stackOf.stackFile, old);
        await before.up();
        lab.stackOf.state = before.stackOf.state;
    } finally {
        await git("worktree", "remove", "--force", old);
    }
    // By id alone: the resources' names moved (lab-ch1-network is lab-bond0-ch1-network now).
    const ids = () =>
        lab.stackOf.state
            .filter((r) => r.type.startsWith("docker:"))
            .map((r) => r.id)
            .sort();
    const idsBefore = ids();
    const { steps } = await lab.up();
    return { steps, idsBefore, idsAfter: ids() };
}

/** "op name" per step on the resources that hold something, e.g. "update lab-inetRouter-verify". */
export const changes = (steps: Step[]) =>
    steps
        .filter(
            (s) => s.op !== "same" && !/^(bondlab:index:|pulumi:pulumi:)/.test(s.urn.split("::")[2].split("$").pop()!),
        )
        .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
        .sort();

/** Runs a command inside a container; returns its stdout. */
export function exec(container: string, ...argv: string[]): Promise<string> {
    return docker("exec", container, ...argv);
}

/**
 * Restarts the given routers at once, as a reboot of the Docker host does, then waits until
 * each one's init has rebuilt its bond. In the emulated VM the kernel may take long to tear
 * down the old network namespaces: poll, with a generous limit, and don't time it.
 */
export async function restartRouters(containers: string[], bond = "bond0"): Promise<void> {
    await Promise.all(containers.map((c) => docker("restart", "-t", "1", c)));
    await Promise.all(containers.map((c) => waitForBond(c, bond)));
}

/** Waits until `bond` exists in the router (its init rebuilds it after a start). */
export async function waitForBond(container: string, bond = "bond0", limitMs = 10 * 60_000): Promise<void> {
    const started = Date.now();
    const built = () =>
        exec(container, "test", "-e", `/sys/class/net/${bond}`).then(
            () => true,
            () => false,
        );
    while (!(await built())) {
        if (Date.now() - started > limitMs)
            throw new Error(`the init of ${container} did not rebuild ${bond} within ${limitMs / 60_000} minutes`);
        await new Promise((r) => setTimeout(r, 2000));
    }
}

/** Containers, networks and bridges of a stack still on the Docker host. */
export async function leftovers(stack: string): Promise<string[]> {
    const label = `label=${LABEL_STACK}=${stack}`;
    const containers: string[] = (
        await docker("ps", "-a", "--filter", label, "--format", "container {{.Names}}")
    ).split("\n");
    const networks: string[] = (
        await docker("network", "ls", "--filter", label, "--format", "network {{.Name}}")
    ).split("\n");
    const stem = labNames("bondlab", stack).managementBridge.replace(/-m$/, "");
    const links: string = await docker("run", "--rm", "--network", "host", IMAGE, "ip", "-o", "link", "show");
    const bridges = links
        .split("\n")
        .map((l) => l.split(": ")[1]?.split("@")[0])
        .filter((n) => n?.startsWith(stem))
        .map((n) => `bridge ${n}`);
    return [...containers, ...networks, ...bridges].filter((l) => l.trim() !== "");
}
