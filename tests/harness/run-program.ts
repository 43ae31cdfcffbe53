import * as path from "path";
import type * as pulumiType from "@pulumi/pulumi";

// Runs the real program (index.ts) with Pulumi's mocks, as the engine would: with a stack's
// config, a fresh SDK per run, and every resource handed to the given mocks. Unit tests
// pass mocks that only record; the end-to-end tests pass mocks that build real Docker objects.

export const PROJECT_DIR = path.join(__dirname, "..", "..");

export interface RegisteredResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** The state the mock returned (inputs plus what the "provider" computed). */
    state: Record<string, any>;
}

export interface ProgramRun {
    resources: RegisteredResource[];
    /** The stack's outputs, resolved. */
    outputs: Record<string, any>;
}

export interface ResourceRealizer {
    /** Creates the resource; returns its id and the state to report (e.g. computed outputs). */
    create(type: string, name: string, inputs: Record<string, any>): Promise<{ id: string; state?: Record<string, any> }>;
    /** A failure the realizer recorded instead of throwing; the run then fails with it. */
    readonly failure?: Error;
}

export interface RunOptions {
    stack: string;
    /** Config as `pulumi config` would hold it: {"bondlab:variant": "lacp", ...}. */
    config: Record<string, unknown>;
    preview?: boolean;
}

// The SDK keeps its run state in process-wide storage, so programs run one at a time.
let queue: Promise<unknown> = Promise.resolve();

export function runProgram(options: RunOptions, realizer: ResourceRealizer): Promise<ProgramRun> {
    const run = queue.then(() => runAlone(options, realizer));
    queue = run.catch(() => undefined);
    return run;
}

async function runAlone(options: RunOptions, realizer: ResourceRealizer): Promise<ProgramRun> {
    const resources: RegisteredResource[] = [];
    const outputs = await runIsolated(options, realizer, resources);
    if (realizer.failure) throw realizer.failure;
    return { resources, outputs };
}

/** Imports index.ts under a fresh SDK with the mocks set; resolves to the stack's outputs. */
function runIsolated(options: RunOptions, realizer: ResourceRealizer, resources: RegisteredResource[]): Promise<Record<string, any>> {
    let run: Promise<Record<string, any>> = Promise.resolve({});
    // A fresh module registry per run: the Pulumi SDK keeps its settings in module state.
    // Outside jest (the benchmark) emptying node's module cache does the same.
    const isolated = typeof jest !== "undefined" ? (fn: () => void) => jest.isolateModules(fn) : (fn: () => void) => {
        for (const key of Object.keys(require.cache)) delete require.cache[key];
        fn();
    };
    isolated(() => {
        const pulumi: typeof pulumiType = require("@pulumi/pulumi");
        pulumi.runtime.setAllConfig(
            Object.fromEntries(Object.entries(options.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
        );
        pulumi.runtime.setMocks({
            newResource: async (args) => {
                const { id, state } = await realizer.create(args.type, args.name, args.inputs);
                const full = { ...args.inputs, ...state };
                resources.push({ type: args.type, name: args.name, inputs: args.inputs, state: full });
                return { id, state: full };
            },
            call: (args) => args.inputs,
        }, "bondlab", options.stack, options.preview ?? false);
        run = (async () => {
            const program = require(path.join(PROJECT_DIR, "index.ts"));
            try {
                return await resolveOutputs(pulumi, program);
            } finally {
                // Let every registration (component outputs too) finish before the next run.
                await pulumi.runtime.disconnect();
            }
        })();
    });
    return run;
}

// Output.promise() is the SDK's own (internal) way to await a value; it rejects when a
// resource the value depends on failed, e.g. a command that exited non-zero.
function resolveOutputs(pulumi: typeof pulumiType, program: Record<string, unknown>): Promise<Record<string, any>> {
    return (pulumi.output(program) as any).promise();
}
