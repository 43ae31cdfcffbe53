import { StackFileConfig } from "./config";
import { Realizer, Stack, UpdateResult } from "./engine";
import { MODEL_STATE_DIR, ModelCheckpoint, loadCheckpoint, removeCheckpoint, saveCheckpoint } from "./model-checkpoint";

/**
 * A stack run through the engine model whose state outlives the process, as the CLI's
 * checkpoint does: `npm run up` / `npm run down` where the Pulumi CLI is missing, and
 * `npm run class -- --engine model`. A failed update keeps what it built (for destroy) and
 * the last good outputs, as the engine's snapshot does.
 */
export class CheckpointedStack {
    constructor(
        readonly name: string,
        private readonly stackFile: StackFileConfig,
        private readonly realizer: Realizer,
        readonly stateDir = MODEL_STATE_DIR,
    ) {}

    get checkpoint(): ModelCheckpoint | undefined {
        return loadCheckpoint(this.name, this.stateDir);
    }

    private stack(): Stack {
        const stack = new Stack({ name: this.name, stackFile: this.stackFile }, this.realizer);
        stack.state = this.checkpoint?.state ?? [];
        return stack;
    }

    /** `pulumi up`: saves the new state and outputs; on failure saves what was built, and rethrows. */
    async up(): Promise<UpdateResult> {
        const before = this.checkpoint;
        const stack = this.stack();
        try {
            const result = await stack.up();
            saveCheckpoint(this.name, { state: stack.state, outputs: result.outputs }, this.stateDir);
            return result;
        } catch (e) {
            const lastFailure = { state: "failed", detail: firstLines(e) };
            saveCheckpoint(
                this.name,
                { state: stack.state, outputs: before?.outputs ?? {}, lastFailure },
                this.stateDir,
            );
            throw e;
        }
    }

    /** `pulumi destroy` and `pulumi stack rm`: false when there is no such stack. */
    async down(): Promise<boolean> {
        if (!this.checkpoint) return false;
        const stack = this.stack();
        try {
            await stack.destroy();
        } finally {
            // What destroy could not remove stays in the state, for the next down.
            if (stack.state.length > 0)
                saveCheckpoint(this.name, { ...this.checkpoint!, state: stack.state }, this.stateDir);
        }
        removeCheckpoint(this.name, this.stateDir);
        return true;
    }
}

/** An error's first lines, joined: what a one-line status can hold. */
export function firstLines(e: unknown, count = 6): string {
    return (e instanceof Error ? e.message : String(e))
        .trim()
        .split("\n")
        .filter((l) => l.trim() !== "")
        .slice(0, count)
        .join(" | ");
}
