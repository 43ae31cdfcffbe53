import * as path from "path";
import type * as pulumiType from "@pulumi/pulumi";
import { StackFileConfig, loadStackFile, stackConfig } from "./config";
import { Goal, Props, StateResource, Step, UNKNOWN, decide, dependentReplacements, scheduleDeletes } from "./steps";
import { rulesFor } from "./providers";
import { Alias, AliasResolver, Target, aliasesOfRequest, generateUrn } from "./aliases";

// A small model of the Pulumi engine, for machines without the Pulumi CLI: it runs the real
// program (index.ts) through the SDK, answers its resource registrations the way the engine
// would (same, create, update, replace, delete; create-before-delete unless the provider or
// the program asks otherwise; dependents of a delete-before-replace; removed resources last,
// in reverse dependency order) and hands each step to a Realizer that carries it out.
// Each rule cites the upstream file it follows (steps.ts, providers.ts, config.ts, aliases.ts).

export const PROJECT_DIR = path.join(__dirname, "..");
const PROJECT = "bondlab";

/**
 * A program given as a function, as the Automation API's inline programs are: it gets the SDK
 * module of the run (the one whose resource monitor is this engine) and returns the stack's outputs.
 */
export type InlineProgram = (pulumi: typeof pulumiType) => unknown;

/** Carries out the engine's steps: on a Docker host (docker-realizer.ts) or in memory. */
export interface Realizer {
    create(goal: Goal): Promise<{ id: string; outputs: Props }>;
    update(old: StateResource, goal: Goal): Promise<Props>;
    delete(old: StateResource): Promise<void>;
    /** `pulumi refresh`: the resource's outputs as they are now, or undefined when it is gone. */
    read(old: StateResource): Promise<Props | undefined>;
}

/** A resource the program registered in a run, with what it got back (for tests). */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    id: string;
    inputs: Record<string, any>;
    state: Record<string, any>;
}

export interface UpdateResult {
    steps: Step[];
    outputs: Record<string, any>;
    resources: RegisteredResource[];
}

export interface StackOptions {
    /** Stack name: config comes from Pulumi.<name>.yaml unless `stackFile` is given. */
    name: string;
    /** The `config:` of the stack file, as `pulumi config set` would have written it. */
    stackFile?: StackFileConfig;
    projectDir?: string;
    /** Runs instead of the project's index.ts. */
    program?: InlineProgram;
}

/** One stack: its config and its state, updated by up / preview / refresh / destroy. */
export class Stack {
    /** The checkpoint: every resource the stack holds, in dependency order. */
    state: StateResource[] = [];
    stackFile: StackFileConfig;
    readonly projectDir: string;

    constructor(
        readonly options: StackOptions,
        readonly realizer: Realizer,
    ) {
        this.projectDir = options.projectDir ?? PROJECT_DIR;
        this.stackFile = options.stackFile ?? loadStackFile(this.projectDir, options.name);
    }

    get name(): string {
        return this.options.name;
    }

    /** `pulumi up`: the state follows even a failed update, which then rethrows its error. */
    up(): Promise<UpdateResult> {
        return this.run(false);
    }

    /** `pulumi preview`: the same steps, nothing carried out, unknown values where the engine has none. */
    preview(): Promise<UpdateResult> {
        return this.run(true);
    }

    /** `pulumi refresh`: resources gone from the host leave the state; the rest take their current outputs. */
    async refresh(): Promise<Step[]> {
        const steps: Step[] = [];
        const kept: StateResource[] = [];
        for (const r of this.state) {
            if (!r.custom) {
                kept.push(r);
                continue;
            }
            const outputs = await this.realizer.read(r);
            if (outputs === undefined) steps.push({ op: "refresh-gone", urn: r.urn });
            else kept.push({ ...r, outputs });
        }
        this.state = kept;
        return steps;
    }

    /** `pulumi destroy`: every resource, dependents first. */
    async destroy(): Promise<Step[]> {
        const steps: Step[] = [];
        const errors: string[] = [];
        for (const chain of scheduleDeletes(this.state, this.state)) {
            const results = await Promise.allSettled(
                chain.map((r) => (r.custom ? this.realizer.delete(r) : undefined)),
            );
            results.forEach((result, i) => {
                const r = chain[i];
                if (result.status === "rejected") return errors.push(`${r.urn}: ${(result.reason as Error).message}`);
                this.state = this.state.filter((s) => s !== r);
                steps.push({ op: "delete", urn: r.urn, reason: "removed" });
            });
        }
        if (errors.length > 0) throw new Error(`destroy failed:\n${errors.join("\n")}`);
        return steps;
    }

    private async run(preview: boolean): Promise<UpdateResult> {
        // The CLI validates config before the program starts: a bad stack never reaches it.
        const config = stackConfig(this.projectDir, this.name, this.stackFile);
        const update = new Update(this.state, this.realizer, preview, { stack: this.name, project: PROJECT });
        let outputs: Record<string, any> = {};
        let programError: unknown;
        try {
            const program = this.options.program ?? projectProgram(this.projectDir);
            outputs = await runProgram(program, this.name, config, preview, update);
        } catch (e) {
            programError = e;
        }
        if (!update.failure && programError === undefined) await update.deleteLeftovers();
        if (!preview) this.state = update.nextState();
        if (update.failure) throw update.failure;
        if (programError !== undefined) throw programError;
        return { steps: update.steps, outputs, resources: update.registered };
    }
}

/**
 * What a resource that failed, or was never started after a failure, reports to the program.
 * The real engine ends the program there; the model lets it run to the end with empty values
 * so that none of its promises is left rejected for the test runner to pin on a later test.
 */
const NOT_CREATED: Props = { stdout: '{"exists":false}', stderr: "", ipamConfigs: [], imageId: "" };

/** One `pulumi up` (or preview): the step decisions for each registration, then the deletes. */
class Update {
    readonly steps: Step[] = [];
    readonly registered: RegisteredResource[] = [];
    /** The first step that failed: no further step starts (step_executor.go cancelDueToError). */
    failure?: Error;
    private readonly next: StateResource[] = [];
    private readonly seen = new Set<string>();
    /** Old resources deleted in this update (by object: an old copy shares its URN with the new one). */
    private readonly deleted = new Set<StateResource>();
    private readonly pendingDeletes = new Set<StateResource>();
    /** URNs deleted as dependents of a delete-before-replace: their next registration re-creates them. */
    private readonly replacedDependents = new Set<string>();
    /** URNs replaced in this update (step_generator.go sg.replaces), for replaceWith. */
    private readonly replaces = new Set<string>();
    private readonly resolver: AliasResolver;

    constructor(
        private readonly old: readonly StateResource[],
        private readonly realizer: Realizer,
        private readonly preview: boolean,
        readonly target: Target,
    ) {
        this.resolver = new AliasResolver(target);
    }

    async register(goal: Goal, aliases: Alias[] = []): Promise<{ id: string; outputs: Props }> {
        this.seen.add(goal.urn);
        if (this.failure) return { id: "", outputs: { ...goal.inputs, ...NOT_CREATED } }; // cancelled: nothing more runs
        try {
            const result = await this.step(goal, aliases);
            this.registered.push({
                type: goal.type,
                name: goal.name,
                urn: goal.urn,
                id: result.id,
                inputs: goal.inputs,
                state: result.outputs,
            });
            return result;
        } catch (e) {
            this.failure ??= new Error(`${goal.type} ${goal.name}: ${(e as Error).message}`);
            return { id: "", outputs: { ...goal.inputs, ...NOT_CREATED } };
        }
    }

    private async step(goal: Goal, aliases: Alias[]): Promise<{ id: string; outputs: Props }> {
        const old = this.oldState(goal, aliases);
        if (!goal.custom) {
            // Components hold nothing: the engine records them as same or create.
            this.steps.push({ op: old ? "same" : "create", urn: goal.urn });
            return this.keep(goal, "", goal.inputs);
        }
        if (!old && this.replacedDependents.has(goal.urn)) {
            // step_generator.go: "re-create replaced resource ... deleted due to dependent DBR".
            this.steps.push({ op: "replace", urn: goal.urn, deleteBeforeReplace: true });
            this.replaces.add(goal.urn);
            return this.create(goal, undefined);
        }
        if (!old) return this.create(goal, "create");
        goal = ignoringChanges(goal, old);
        const decision = decide(old, goal, this.replaces);
        if (decision.op === "same") {
            this.steps.push({ op: "same", urn: goal.urn });
            return this.keep(goal, old.id, old.outputs);
        }
        if (decision.op === "update") {
            this.steps.push({ op: "update", urn: goal.urn, keys: decision.keys });
            if (this.preview) {
                const computed = rulesFor(goal.type).computedOnUpdate;
                return this.keep(goal, old.id, withoutKeys({ ...old.outputs, ...goal.inputs }, computed));
            }
            return this.keep(goal, old.id, await this.realizer.update(old, goal));
        }
        this.steps.push({
            op: "replace",
            urn: goal.urn,
            keys: decision.keys,
            deleteBeforeReplace: decision.deleteBeforeReplace,
        });
        this.replaces.add(goal.urn);
        if (decision.deleteBeforeReplace) {
            // Dependents first, in reverse dependency order, then the old copy itself.
            const dependents = dependentReplacements(this.live(), old.urn, this.registeredUrns());
            // Claimed at once, so that another replacement running meanwhile does not take them too.
            for (const d of [old, ...dependents]) this.deleted.add(d);
            for (const d of dependents) this.replacedDependents.add(d.urn);
            for (const d of [...dependents].reverse()) await this.remove(d, "dependent");
            await this.remove(old, "replaced");
            return this.create(goal, undefined);
        }
        // Create-before-delete: the old copy is deleted at the end, with the removed resources.
        this.pendingDeletes.add(old);
        return this.create(goal, undefined);
    }

    private async create(goal: Goal, step: "create" | undefined) {
        if (step) this.steps.push({ op: step, urn: goal.urn });
        // In a preview nothing is created: what the provider would compute stays unknown.
        if (this.preview) return this.keep(goal, UNKNOWN, goal.inputs);
        const { id, outputs } = await this.realizer.create(goal);
        return this.keep(goal, id, outputs);
    }

    private keep(goal: Goal, id: string, outputs: Props) {
        this.next.push({ ...goal, id, outputs });
        return { id, outputs };
    }

    /**
     * step_generator.go generateSteps: the URN is claimed, then the old state is looked up by
     * URN, then by alias (getOldResource). Found by alias, the step is judged against it, the
     * new state holds it under the new URN, and the old URN is not deleted.
     */
    private oldState(goal: Goal, aliases: Alias[]): StateResource | undefined {
        this.resolver.claimUrn(goal.urn);
        const olds = (urn: string) => this.live().find((r) => r.urn === urn && !r.pendingDelete);
        return this.resolver.findOld(goal.urn, goal.name, goal.type, goal.parent ?? "", aliases, olds);
    }

    /** step_generator.go isOperatedOn: registered under its URN, or taken over by a resource's alias. */
    private operatedOn(urn: string): boolean {
        return this.seen.has(urn) || this.resolver.takenOverBy(urn) !== undefined;
    }

    /** The URNs the program registered, and the old URNs their aliases took over. */
    private registeredUrns(): Set<string> {
        return new Set(this.old.map((r) => r.urn).filter((urn) => this.operatedOn(urn)));
    }

    /** Old resources not deleted (yet) in this update. */
    private live(): StateResource[] {
        return this.old.filter((r) => !this.deleted.has(r));
    }

    private async remove(r: StateResource, reason: "removed" | "replaced" | "dependent") {
        this.deleted.add(r);
        this.steps.push({ op: "delete", urn: r.urn, reason });
        if (!this.preview && r.custom) await this.realizer.delete(r);
    }

    /**
     * After the program: resources it no longer registers and old copies of create-before-
     * delete replacements, dependents first (step_generator.go GenerateDeletes, ScheduleDeletes).
     */
    async deleteLeftovers(): Promise<void> {
        const condemned = this.live().filter(
            (r) => r.pendingDelete || this.pendingDeletes.has(r) || !this.operatedOn(r.urn),
        );
        // An antichain's deletes run together; after one fails, no later antichain runs.
        for (const chain of scheduleDeletes(condemned, this.old)) {
            const results = await Promise.allSettled(
                chain.map((r) =>
                    this.remove(r, r.pendingDelete || this.pendingDeletes.has(r) ? "replaced" : "removed"),
                ),
            );
            const failed = results.findIndex((x) => x.status === "rejected");
            if (failed >= 0) {
                const reason = (results[failed] as PromiseRejectedResult).reason as Error;
                this.failure ??= new Error(`delete ${chain[failed].urn}: ${reason.message}`);
                return;
            }
        }
    }

    /**
     * The checkpoint after this update: what the program registered, then the old resources
     * still on the host (after a failure: removed ones not deleted, old copies pending delete).
     */
    nextState(): StateResource[] {
        const registered = new Set(this.next.map((r) => r.urn));
        // An old URN an alias took over is in the state under its new URN (the snapshot manager's rename).
        const stillHeld = (r: StateResource) =>
            registered.has(r.urn) || registered.has(this.resolver.takenOverBy(r.urn) ?? r.urn);
        const leftovers = this.live()
            .filter((r) => r.pendingDelete || this.pendingDeletes.has(r) || !stillHeld(r))
            .map((r) => (this.pendingDeletes.has(r) ? { ...r, pendingDelete: true } : r));
        return [...this.next, ...leftovers];
    }
}

function withoutKeys(props: Props, keys: readonly string[]): Props {
    return Object.fromEntries(Object.entries(props).filter(([k]) => !keys.includes(k)));
}

// The SDK keeps its run state in process-wide storage, so programs run one at a time.
let queue: Promise<unknown> = Promise.resolve();

function runProgram(
    program: InlineProgram,
    stack: string,
    config: Record<string, string>,
    preview: boolean,
    update: Update,
): Promise<Record<string, any>> {
    const run = queue.then(() => runIsolated(program, stack, config, preview, update));
    queue = run.catch(() => undefined);
    return run;
}

/** The project's own program: its index.ts, imported (and so run) under the run's SDK. */
function projectProgram(dir: string): InlineProgram {
    return () => require(path.join(dir, "index.ts"));
}

/** Runs the program under a fresh SDK whose resource monitor is this engine. */
function runIsolated(
    program: InlineProgram,
    stack: string,
    config: Record<string, string>,
    preview: boolean,
    update: Update,
): Promise<Record<string, any>> {
    let run: Promise<Record<string, any>> = Promise.resolve({});
    // A fresh module registry per run: the SDK keeps its settings in module state. Outside
    // jest (bench, drill) emptying node's module cache does the same.
    const isolated =
        typeof jest !== "undefined"
            ? (fn: () => void) => jest.isolateModules(fn)
            : (fn: () => void) => {
                  for (const key of Object.keys(require.cache)) delete require.cache[key];
                  fn();
              };
    isolated(() => {
        const pulumi: typeof pulumiType = require("@pulumi/pulumi");
        const settings = require("@pulumi/pulumi/runtime/settings");
        const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
        pulumi.runtime.setAllConfig(config);
        // setMocks turns on the SDK features a monitor offers; then this engine takes its place.
        pulumi.runtime.setMocks(
            {
                newResource: () => {
                    throw new Error("unused");
                },
                call: (a) => a.inputs,
            },
            PROJECT,
            stack,
            preview,
        );
        settings.setMockOptions(engineMonitor(MockMonitor, update), PROJECT, stack, preview);
        announceEngineFeatures();
        run = (async () => {
            const outputs = program(pulumi);
            try {
                // Output.promise() rejects when a resource the value depends on failed.
                return await (pulumi.output(outputs) as any).promise();
            } finally {
                await pulumi.runtime.disconnect();
            }
        })();
    });
    return run;
}

/**
 * The engine answers the SDK's supportsFeature("aliasSpecs") and ("replaceWith") with yes
 * (v3.248.0 source_eval.go supportsFeatureID; replaceWith since 3.207.0), so the SDK sends
 * aliases as specs for the engine to resolve (runtime/resource.ts mapAliasesForRequest) and
 * accepts the replaceWith option (an older CLI fails the program: "The Pulumi CLI does not
 * support the ReplaceWith option"). setMockOptions clears the flags (settings.ts
 * resetOptions) and the SDK asks again only in setRootResource, which a program run outside
 * runInPulumiStack never reaches: the flags are set as the answers would.
 */
function announceEngineFeatures(): void {
    const { getStore } = require("@pulumi/pulumi/runtime/state");
    getStore().supportsAliasSpecs = true;
    getStore().supportsReplaceWith = true;
}

/** The SDK's MockMonitor with RegisterResource answered by the engine, all of the request read. */
function engineMonitor(MockMonitor: any, update: Update) {
    const monitor = new MockMonitor({
        newResource: () => {
            throw new Error("unused");
        },
        call: (a: any) => a.inputs,
    });
    const resproto = require("@pulumi/pulumi/proto/resource_pb");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    // A program that failed while registering may still send a component's outputs for a
    // registration that never completed: nothing to record then, and no crash of the runner.
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp?: unknown) => void) =>
        monitor.resources.has(req.getUrn()) ? registerOutputs(req, callback) : callback(null, {});
    monitor.registerResource = async (req: any, callback: (err: unknown, resp?: unknown) => void) => {
        try {
            const urn = generateUrn(update.target, req.getParent(), req.getType(), req.getName());
            const propertyDependencies: Record<string, string[]> = {};
            req.getPropertydependenciesMap().forEach(
                (deps: any, key: string) => (propertyDependencies[key] = deps.getUrnsList()),
            );
            const goal: Goal = {
                urn,
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent() || undefined,
                custom: req.getCustom(),
                inputs: unwrapSecrets(req.getObject()?.toJavaScript() ?? {}) as Props,
                dependencies: req.getDependenciesList(),
                propertyDependencies,
                deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
                replaceOnChanges: req.getReplaceonchangesList(),
                ignoreChanges: req.getIgnorechangesList(),
                replaceWith: req.getReplaceWithList(),
            };
            const { id, outputs } = await update.register(goal, aliasesOfRequest(req));
            const state = JSON.parse(JSON.stringify(outputs));
            monitor.resources.set(urn, { urn, id, state });
            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(id);
            response.setObject(Struct.fromJavaScript(state));
            callback(null, response);
        } catch (e) {
            callback(e);
        }
    };
    return monitor;
}

/**
 * step_generator.go processIgnoreChanges, run only when the resource has an old state (so a
 * create takes the program's inputs as they are): each ignored input takes its old value, or is
 * dropped when the old inputs lack it (PropertyPath.Reset). The result is what Diff sees, what a
 * replacement creates from and what the new state records. The model takes top-level names
 * only; a nested path is refused rather than half-applied.
 */
export function ignoringChanges(goal: Goal, old: { inputs: Props }): Goal {
    if (!goal.ignoreChanges?.length) return goal;
    const inputs = { ...goal.inputs };
    for (const key of goal.ignoreChanges) {
        if (!/^[A-Za-z_$][\w$]*$/.test(key))
            throw new Error(`ignoreChanges "${key}": the engine model takes top-level input names only`);
        if (Object.prototype.hasOwnProperty.call(old.inputs, key)) inputs[key] = old.inputs[key];
        else delete inputs[key];
    }
    return { ...goal, inputs };
}

/** Secret values arrive wrapped (rpc.ts specialSigKey); the model keeps the plain value. */
function unwrapSecrets(v: unknown): unknown {
    const SIG = "4dabf18193072939515e22adb298388d";
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SIG] === "1b47061264138c4ac30d75fd1eb44270") return unwrapSecrets(o.value);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}
