import { labNames, LABEL_STACK } from "../../components/names";
import { DockerRealizer } from "../harness/docker-realizer";
import { ProgramRun, runProgram } from "../harness/run-program";
import { docker } from "../harness/shell";

/** The router image the lab host loads (labhost/start.sh builds it offline). */
export const IMAGE = "bondlab/router:local";

/** One lab stack brought up by the real program on the e2e Docker host. */
export class E2ELab {
    readonly realizer = new DockerRealizer();
    run?: ProgramRun;

    constructor(readonly stack: string, readonly config: Record<string, unknown>) {}

    /** Runs the program; on failure the partly built lab stays for down() to remove. */
    async up(): Promise<ProgramRun> {
        const started = Date.now();
        this.run = await runProgram({ stack: this.stack, config: { "bondlab:routerImage": IMAGE, ...this.config } }, this.realizer);
        console.log(`e2e ${this.stack}: verified lab in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return this.run;
    }

    async down(): Promise<void> {
        await this.realizer.destroy();
    }

    get routers(): Record<string, any> {
        return this.run!.outputs.routers;
    }

    container(router: string): string {
        return this.routers[router].containerName;
    }

    /** Runs one of the program's command resources again, exactly as registered. */
    async rerun(commandName: string, env: Record<string, string> = {}) {
        const command = this.realizer.findCommand(commandName);
        return this.realizer.runCommand(command.inputs, command.inputs.create, env);
    }
}

/** Runs a command inside a container; returns its stdout. */
export function exec(container: string, ...argv: string[]): Promise<string> {
    return docker("exec", container, ...argv);
}

/** Containers, networks and bridges of a stack still on the Docker host. */
export async function leftovers(stack: string): Promise<string[]> {
    const label = `label=${LABEL_STACK}=${stack}`;
    const containers = (await docker("ps", "-a", "--filter", label, "--format", "container {{.Names}}")).split("\n");
    const networks = (await docker("network", "ls", "--filter", label, "--format", "network {{.Name}}")).split("\n");
    const stem = labNames("bondlab", stack).managementBridge.replace(/-m$/, "");
    const links = await docker("run", "--rm", "--network", "host", IMAGE, "ip", "-o", "link", "show");
    const bridges = links.split("\n").map((l) => l.split(": ")[1]?.split("@")[0]).filter((n) => n?.startsWith(stem)).map((n) => `bridge ${n}`);
    return [...containers, ...networks, ...bridges].filter((l) => l.trim() !== "");
}
