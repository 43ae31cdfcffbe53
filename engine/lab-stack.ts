import { ROUTER_IMAGE } from "../components/foundation";
import { DockerRealizer } from "./docker-realizer";
import { Stack, UpdateResult } from "./engine";

/**
 * One lab stack brought up by the real program (index.ts) on a Docker host (DOCKER_HOST),
 * through the engine model: `pulumi up`, `pulumi destroy` and the stack's outputs by the
 * engine's rules, for the tools (drill matrix, seed replay, bench) where the Pulumi CLI is
 * missing, and for the e2e tests. The state lives in memory, for one process only.
 */
export class LabStack {
    readonly realizer = new DockerRealizer();
    /** The engine model's stack: its config (`stackFile`) and its state. */
    readonly stackOf: Stack;
    /** The last successful `up`; undefined until one succeeds. */
    run?: UpdateResult;

    /**
     * `config`: the stack file's settings. The router image is the one the Docker host already
     * holds (the lab host loads it) unless `config` names another, so no up builds it.
     */
    constructor(
        readonly stack: string,
        config: Record<string, unknown>,
        /** Another checkout's program to run instead of this one's (an older release's). */
        projectDir?: string,
    ) {
        this.stackOf = new Stack(
            { name: stack, stackFile: { "bondlab:routerImage": ROUTER_IMAGE, ...config }, projectDir },
            this.realizer,
        );
    }

    /** `pulumi up`; on failure the partly built lab stays in the state for down() to remove. */
    async up(): Promise<UpdateResult> {
        this.run = await this.stackOf.up();
        return this.run;
    }

    /** `pulumi destroy`. */
    async down(): Promise<void> {
        await this.stackOf.destroy();
    }

    /** The stack's outputs, as `pulumi stack output --json` prints them; up() must have succeeded. */
    get outputs(): Record<string, any> {
        if (!this.run) throw new Error(`stack ${this.stack} has no outputs: it is not up`);
        return this.run.outputs;
    }

    /** The stack output `labHandle`, as `pulumi stack output --json labHandle` prints it. */
    get handle(): unknown {
        return this.outputs.labHandle;
    }

    /** Runs one of the program's command resources again, exactly as the state holds it. */
    async rerun(commandName: string, env: Record<string, string> = {}) {
        return this.realizer.runCommand(this.command(commandName).inputs as any, undefined, env);
    }

    /** A command's environment as the stack's state holds it (its settings, e.g. BONDLAB_NET). */
    commandEnv(commandName: string): Record<string, string> {
        return this.command(commandName).inputs.environment as Record<string, string>;
    }

    private command(commandName: string) {
        const command = this.stackOf.state.find((r) => r.type === "command:local:Command" && r.name === commandName);
        if (!command) throw new Error(`no command ${commandName} in the stack's state`);
        return command;
    }
}
