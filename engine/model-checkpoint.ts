import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./engine";
import { StateResource } from "./steps";

/**
 * Where bondlab's engine model keeps a stack's state on a machine without the Pulumi CLI: one
 * JSON file per stack, beside the CLI's local backend (.pulumi-state) but apart from it. The
 * real CLI does not read it: to move a lab to the real engine, `npm run down` it here first,
 * then `npm run up` with the CLI installed.
 */
export const MODEL_STATE_DIR = path.join(PROJECT_DIR, ".pulumi-state", ".bondlab-model");

export interface ModelCheckpoint {
    state: StateResource[];
    /** The last successful update's outputs, as `pulumi stack output --json` prints them. */
    outputs: Record<string, any>;
    /** How the last update ended: undefined when it succeeded. */
    lastFailure?: { readonly state: string; readonly detail: string };
}

export function checkpointFile(stack: string, dir = MODEL_STATE_DIR): string {
    return path.join(dir, `${stack}.json`);
}

export function loadCheckpoint(stack: string, dir = MODEL_STATE_DIR): ModelCheckpoint | undefined {
    const file = checkpointFile(stack, dir);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as ModelCheckpoint) : undefined;
}

export function saveCheckpoint(stack: string, checkpoint: ModelCheckpoint, dir = MODEL_STATE_DIR): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(checkpointFile(stack, dir), JSON.stringify(checkpoint));
}

export function removeCheckpoint(stack: string, dir = MODEL_STATE_DIR): void {
    fs.rmSync(checkpointFile(stack, dir), { force: true });
}
