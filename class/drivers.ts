import { dockerCliEnv } from "../components/docker-endpoint";
import type { NodeStatus } from "../components/network";
import { CheckpointedStack, firstLines } from "../engine/checkpointed-stack";
import { DockerRealizer } from "../engine/docker-realizer";
import { MODEL_STATE_DIR, loadCheckpoint } from "../engine/model-checkpoint";
import { PROJECT_DIR, Realizer } from "../engine/engine";
import { StudentLab, stackConfigOf } from "./plan";

// How `npm run class` carries out one student's `pulumi up`, `pulumi destroy` and status:
// through Pulumi's Automation API (the real engine; it drives the pulumi CLI), or through
// bondlab's model of the engine (engine/), for machines without the CLI, such as the tests'.

/** Where a student's lab stands. */
export interface LabStatus {
    readonly state: "verified" | "failed" | "absent";
    /** One line: what verify found, or why the lab is not verified. */
    readonly detail: string;
}

export interface LabDriver {
    readonly name: string;
    up(lab: StudentLab): Promise<LabStatus>;
    down(lab: StudentLab): Promise<void>;
    status(lab: StudentLab): Promise<LabStatus>;
}

/** One router's or node's verify, judged: whether it passed, and what it found in a phrase. */
interface MemberCheck {
    readonly ok: boolean;
    readonly text: string;
}

/** A two-router lab's router, as older releases published it: verified when its ping reached the peer. */
function routerCheck(name: string, v: any): MemberCheck {
    if (!v?.ping) return { ok: false, text: `${name}: no verify output` };
    const active = v.activeSlave ? `, active ${v.activeSlave}` : "";
    return {
        ok: v.ping.received > 0,
        text: `${name}: ${v.mode}${active}, ping ${v.ping.received}/${v.ping.sent}`,
    };
}

/** A bond as a network node's verify found it: its name, mode and (when there is one) active slave. */
function bondPhrase(b: NodeStatus["bonds"][number]): string {
    return `${b.bond} ${b.mode}${b.activeSlave ? ` active ${b.activeSlave}` : ""}`;
}

/** What a node's verify ended with: its problems, or else how many of its pings were answered. */
function outcomePhrase(problems: number, pinged: number): string {
    // node-verify.sh counts problems, not which pings failed: a failed node shows its count instead.
    if (problems > 0) return `, ${problems} problem${problems === 1 ? "" : "s"}`;
    return pinged > 0 ? `, ${pinged} ping${pinged === 1 ? "" : "s"} answered` : "";
}

/** A network's node: verified when its verify reported no problems (its bonds as asked, every ping answered). */
function nodeCheck(name: string, v: Partial<NodeStatus> | undefined): MemberCheck {
    if (typeof v?.problems !== "number") return { ok: false, text: `${name}: no verify output` };
    const bonds = v.bonds?.length ? v.bonds.map(bondPhrase).join(", ") : "no bond";
    return { ok: v.problems === 0, text: `${name}: ${bonds}${outcomePhrase(v.problems, v.pinged?.length ?? 0)}` };
}

/**
 * The stack outputs that hold a lab's verify per member: every lab's nodes, or, for a stack
 * an older release brought up and nobody has updated since, a two-router lab's routers.
 */
const MEMBERS: readonly { output: string; check: (name: string, verify: any) => MemberCheck }[] = [
    { output: "nodes", check: nodeCheck },
    { output: "routers", check: routerCheck },
];

/** The stack's outputs judged: verified when every router's (or node's) verify passed, and what each found. */
export function statusFromOutputs(outputs: Record<string, any> | undefined): LabStatus {
    const shape = MEMBERS.find((m) => Object.keys(outputs?.[m.output] ?? {}).length > 0);
    if (!shape) return { state: "absent", detail: "no lab (no stack outputs)" };
    const members = outputs![shape.output] as Record<string, { verify?: any }>;
    const checks = Object.entries(members).map(([name, m]) => shape.check(name, m.verify));
    return {
        state: checks.every((c) => c.ok) ? "verified" : "failed",
        detail: checks.map((c) => c.text).join("; "),
    };
}

/** The first lines of a failed update: the engine's and verify's own explanation. */
function failure(e: unknown): LabStatus {
    return { state: "failed", detail: firstLines(e) };
}

/** The real engine: Pulumi's Automation API, one stack per student in this project. */
export class AutomationDriver implements LabDriver {
    readonly name = "pulumi (Automation API)";

    /** Whether the pulumi CLI, which the Automation API drives, is installed. */
    static async available(): Promise<boolean> {
        const { PulumiCommand } = await import("@pulumi/pulumi/automation");
        return PulumiCommand.get().then(
            () => true,
            () => false,
        );
    }

    private async stack(lab: StudentLab, create: boolean) {
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        const args = { stackName: lab.stack, workDir: PROJECT_DIR };
        return create ? LocalWorkspace.createOrSelectStack(args) : LocalWorkspace.selectStack(args);
    }

    async up(lab: StudentLab): Promise<LabStatus> {
        try {
            const stack = await this.stack(lab, true);
            const config = Object.fromEntries(Object.entries(stackConfigOf(lab)).map(([k, value]) => [k, { value }]));
            await stack.setAllConfig(config);
            const result = await stack.up();
            return statusFromOutputs(Object.fromEntries(Object.entries(result.outputs).map(([k, o]) => [k, o.value])));
        } catch (e) {
            return failure(e);
        }
    }

    async down(lab: StudentLab): Promise<void> {
        const stack = await this.stack(lab, false).catch(() => undefined);
        if (!stack) return;
        await stack.destroy();
        // `pulumi stack rm`: the stack and its Pulumi.<stack>.yaml go.
        await stack.workspace.removeStack(lab.stack);
    }

    async status(lab: StudentLab): Promise<LabStatus> {
        const stack = await this.stack(lab, false).catch(() => undefined);
        if (!stack) return { state: "absent", detail: "no such stack" };
        // The outputs are the last successful update's: a later failed `up` must show.
        const [last] = await stack.history(1);
        if (last && last.kind === "update" && last.result !== "succeeded")
            return { state: "failed", detail: `the last pulumi up ${last.result}: run up again to see why` };
        const outputs = await stack.outputs();
        return statusFromOutputs(Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value])));
    }
}

/**
 * bondlab's model of the engine (engine/), its checkpoints in `stateDir` (by default inside
 * the project's own state folder: engine/model-checkpoint.ts). Each stack talks to its own
 * Docker engine, as the docker provider does with `docker:host`.
 */
export class ModelDriver implements LabDriver {
    readonly name = "bondlab's engine model";

    constructor(
        readonly stateDir = MODEL_STATE_DIR,
        /** Extra stack config for every lab, e.g. a router image the hosts already hold. */
        private readonly extraConfig: Record<string, string> = {},
        private readonly realizerFor: (lab: StudentLab) => Realizer = (lab) =>
            new DockerRealizer(dockerCliEnv({ host: lab.dockerHost })),
    ) {}

    private stackOf(lab: StudentLab): CheckpointedStack {
        const stackFile = { ...stackConfigOf(lab), ...this.extraConfig };
        return new CheckpointedStack(lab.stack, stackFile, this.realizerFor(lab), this.stateDir);
    }

    async up(lab: StudentLab): Promise<LabStatus> {
        try {
            return statusFromOutputs((await this.stackOf(lab).up()).outputs);
        } catch (e) {
            // The checkpoint keeps what the failed update built (for destroy) and the last good outputs.
            return failure(e);
        }
    }

    async down(lab: StudentLab): Promise<void> {
        await this.stackOf(lab).down();
    }

    async status(lab: StudentLab): Promise<LabStatus> {
        const checkpoint = loadCheckpoint(lab.stack, this.stateDir);
        if (!checkpoint) return { state: "absent", detail: "no such stack" };
        return (checkpoint.lastFailure as LabStatus | undefined) ?? statusFromOutputs(checkpoint.outputs);
    }
}
