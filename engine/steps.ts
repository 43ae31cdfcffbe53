import { forcesReplacement, rulesFor } from "./providers";

// The engine's decisions, as pure functions of the previous state and the program's new
// goal for a resource (pulumi/pulumi v3.248.0 pkg/resource/deploy/step_generator.go).

export type Props = Record<string, unknown>;

/** The SDK's marker for a value not known yet (sdk/nodejs/runtime/rpc.ts unknownValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What the program asks for: one RegisterResource call. */
export interface Goal {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    /** false for component resources, which hold nothing and only group others. */
    custom: boolean;
    inputs: Props;
    /** Every resource this one waits for (dependsOn and the sources of its inputs). */
    dependencies: string[];
    /** Per input, the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
    /** The deleteBeforeReplace resource option, when the program set it. */
    deleteBeforeReplace?: boolean;
    replaceOnChanges: string[];
    /** The ignoreChanges resource option: top-level inputs whose old value stands (engine.ts ignoringChanges). */
    ignoreChanges?: string[];
    /** The replaceWith resource option: URNs whose replacement replaces this resource too. */
    replaceWith?: string[];
}

/** A resource in the stack's state (a checkpoint's `resources` entry). */
export interface StateResource extends Goal {
    id: string;
    outputs: Props;
    /** An old copy left by a create-before-delete replacement whose delete has not run yet. */
    pendingDelete?: boolean;
}

export type StepOp = "same" | "create" | "update" | "replace" | "delete" | "refresh-gone";

export interface Step {
    op: StepOp;
    urn: string;
    /** Inputs that changed (update, replace). */
    keys?: string[];
    /** For a replace: the old copy went first. */
    deleteBeforeReplace?: boolean;
    /** For a delete: why (removed from the program, the old copy of a replacement, a dependent of a replacement). */
    reason?: "removed" | "replaced" | "dependent";
}

/** Top-level inputs whose values differ; an unknown value always differs. */
export function changedKeys(olds: Props, news: Props): string[] {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    return [...keys].filter((k) => hasUnknown(news[k]) || JSON.stringify(olds[k]) !== JSON.stringify(news[k])).sort();
}

export function hasUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(hasUnknown);
    if (v !== null && typeof v === "object") return Object.values(v).some(hasUnknown);
    return false;
}

export type Decision =
    | { op: "same" }
    | { op: "update"; keys: string[] }
    | { op: "replace"; keys: string[]; replaceKeys: string[]; deleteBeforeReplace: boolean };

/**
 * continueStepsFromDiff: no change is a same step; a change to an input that forces a
 * replacement is a replace; any other change is an update in place. The resource option
 * deleteBeforeReplace, when set (true or false), overrides the provider's answer.
 * `replacing`: the URNs replaced so far in this update (step_generator.go sg.replaces).
 */
export function decide(old: StateResource, goal: Goal, replacing: ReadonlySet<string> = new Set()): Decision {
    const deleteBeforeReplace = () => goal.deleteBeforeReplace ?? rulesFor(goal.type).deleteBeforeReplace(goal.inputs);
    // step_generator.go diff: a resource whose replaceWith lists one replaced in this update
    // is replaced too, whatever its inputs, blaming "replaceWith".
    if (goal.replaceWith?.some((urn) => replacing.has(urn)))
        return {
            op: "replace",
            keys: ["replaceWith"],
            replaceKeys: ["replaceWith"],
            deleteBeforeReplace: deleteBeforeReplace(),
        };
    const keys = changedKeys(old.inputs, goal.inputs);
    if (keys.length === 0) return { op: "same" };
    const replaceKeys = keys.filter((k) => forcesReplacement(goal.type, k, goal.replaceOnChanges));
    if (replaceKeys.length === 0) {
        const rules = rulesFor(goal.type);
        const unread = keys.filter((k) => !rules.updatable.has(k));
        if (unread.length > 0) {
            throw new Error(
                `the engine model does not know whether changing ${unread.join(", ")} of ${goal.type} updates or replaces it: ` +
                    "read the provider's schema and add it to engine/providers.ts",
            );
        }
        return { op: "update", keys };
    }
    return { op: "replace", keys, replaceKeys, deleteBeforeReplace: deleteBeforeReplace() };
}

/**
 * calculateDependentReplacements: when `root` is replaced delete-before-replace, which old
 * resources must go too, in dependency order. A dependent is replaced only when an input
 * with a property dependency on something being replaced would, set to unknown, force its
 * replacement; a dependsOn edge alone is not enough. Resources the program has already
 * registered in this run are left alone.
 */
export function dependentReplacements(
    state: readonly StateResource[],
    root: string,
    registered: ReadonlySet<string>,
): StateResource[] {
    const replacing = new Set([root]);
    const dependents: StateResource[] = [];
    const rootIndex = state.findIndex((r) => r.urn === root);
    // The state is in dependency order, so everything that depends on root comes after it.
    for (const r of state.slice(rootIndex + 1)) {
        if (!r.custom || registered.has(r.urn) || r.pendingDelete) continue;
        if (!r.dependencies.some((d) => replacing.has(d))) continue;
        const unknownKeys = Object.entries(r.propertyDependencies)
            .filter(([, urns]) => urns.some((u) => replacing.has(u)))
            .map(([k]) => k);
        if (unknownKeys.some((k) => forcesReplacement(r.type, k, r.replaceOnChanges))) {
            replacing.add(r.urn);
            dependents.push(r);
        }
    }
    return dependents;
}

/**
 * ScheduleDeletes (step_generator.go, pulumi/pulumi v3.259.0): the condemned resources as
 * antichains, run one after another, each one's deletes in parallel (deployment_executor.go
 * ExecuteParallel). A resource is deleted only after everything condemned that depends on it.
 * Its dependencies are DependencyGraph.DependenciesOf's (graph/dependency_graph.go): those
 * listed, those behind its inputs and its parent, among the resources before it in `order`
 * (the state, in dependency order); a component among them brings its children before it too.
 */
export function scheduleDeletes(
    condemned: readonly StateResource[],
    order: readonly StateResource[],
): StateResource[][] {
    const dependenciesOf = (r: StateResource): Set<StateResource> => {
        const urns = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
        const before = order.slice(0, Math.max(0, order.indexOf(r)));
        const deps = new Set<StateResource>();
        for (const c of before) {
            if (c.urn === r.parent) deps.add(c);
            if (!urns.has(c.urn)) continue;
            deps.add(c);
            if (!c.custom) for (const child of before) if (isDescendant(child, c.urn, before)) deps.add(child);
        }
        return deps;
    };
    const left = new Set(condemned);
    const antichains: StateResource[][] = [];
    while (left.size > 0) {
        // The resources none of whose dependencies is still condemned: the last to go, this round.
        // In each, the later in the state first, as the serial order was.
        const chain = [...left].filter((r) => ![...dependenciesOf(r)].some((d) => left.has(d))).reverse();
        if (chain.length === 0) throw new Error("scheduleDeletes: a dependency cycle among the condemned resources");
        for (const r of chain) left.delete(r);
        antichains.push(chain);
    }
    return antichains.reverse();
}

function isDescendant(r: StateResource, ancestor: string, all: readonly StateResource[]): boolean {
    for (let p = r.parent; p !== undefined; p = all.find((x) => x.urn === p)?.parent) if (p === ancestor) return true;
    return false;
}
