import { labNames, LABEL_STACK } from "../../components/names";
import { DockerRealizer } from "../../engine/docker-realizer";
import { Stack, UpdateResult } from "../../engine/engine";
import { ROUTER_IMAGE } from "../../components/lab";
import { docker } from "../../engine/shell";

/** The router image the lab host loads (labhost/start.sh builds it offline). */
export const IMAGE = ROUTER_IMAGE;
/** The router plus tcpdump (images/debug), which the lab host loads beside it. */
export const DEBUG_IMAGE = "bondlab.invalid/router-debug:local";

/** One lab stack brought up by the real program on the e2e Docker host, through the engine model. */
export class E2ELab {
    readonly realizer = new DockerRealizer();
    readonly stackOf: Stack;
    run?: UpdateResult;

    /** `config`: the stack file's settings; the router image is the lab host's unless given. */
    constructor(
        readonly stack: string,
        config: Record<string, unknown>,
    ) {
        this.stackOf = new Stack(
            { name: stack, stackFile: { "bondlab:routerImage": IMAGE, ...config } },
            this.realizer,
        );
    }

    /** `pulumi up`; on failure the partly built lab stays in the state for down() to remove. */
    async up(): Promise<UpdateResult> {
        const started = Date.now();
        this.run = await this.stackOf.up();
        console.log(`e2e ${this.stack}: verified lab in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return this.run;
    }

    /** `pulumi destroy`. */
    async down(): Promise<void> {
        await this.stackOf.destroy();
    }

    /** The stack output `labHandle`, as `pulumi stack output --json labHandle` prints it. */
    get handle(): unknown {
        return this.run!.outputs.labHandle;
    }

    get routers(): Record<string, any> {
        return this.run!.outputs.routers;
    }

    container(router: string): string {
        return this.routers[router].containerName;
    }

    /** Runs one of the program's command resources again, exactly as the state holds it. */
    async rerun(commandName: string, env: Record<string, string> = {}) {
        const command = this.stackOf.state.find((r) => r.type === "command:local:Command" && r.name === commandName);
        if (!command) throw new Error(`no command ${commandName} in the stack's state`);
        return this.realizer.runCommand(command.inputs as any, undefined, env);
    }
}

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
