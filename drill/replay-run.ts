// The seed's transcript, replayed: the measuring half. On a running lab, inetRouter pings
// centralRouter the whole time while the steps of replay.ts change centralRouter's slaves one
// after the other; after each step's watch the far router's active slave and the pinging
// router's neighbour entry are read. The lab is repaired and verified before and after.

import { DrillLab, LabAgents } from "./lab";
import { Probe } from "./probe";
import { ReplayResult, SEED_STEPS, StepResult, Wiring, analyzeStep } from "./replay";

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

export interface ReplayOptions {
    /** Seconds between probes (the seed's students used ping's default, 1 s). */
    intervalS: number;
    verifyTimeoutS: number;
    onLine?: (line: string) => void;
}

type Measured = Pick<ReplayResult, "stack" | "pinger" | "far" | "intervalS" | "options" | "steps">;

export async function runReplay(lab: DrillLab, wiring: Wiring, o: ReplayOptions): Promise<Measured> {
    const agents = new LabAgents(lab, o.verifyTimeoutS);
    const say = o.onLine ?? (() => undefined);
    try {
        await restore(agents, "before the replay");
        const [pinger, far] = lab.routers;
        const options = await agents.optionsInForce(far);
        const maxS = SEED_STEPS.reduce((s, step) => s + step.watchS, 0) + 120;
        const probe = await Probe.start(agents.agent(pinger.container), { intervalS: o.intervalS, maxS });
        const windows: { at: number; end: number; action: string; farActive: string | null; neighbour: string }[] = [];
        for (const step of SEED_STEPS) {
            const { link } = step;
            const at = link
                ? (await agents.act(far.container, "link", link.dev, link.state)).at!
                : (await probe.snap(`${step.id}-start`)).at;
            const action = link ? `ip link set ${link.dev} ${link.state} inside ${far.name}` : "before any change";
            await sleep(step.watchS);
            const end = (await probe.snap(`${step.id}-end`)).at;
            const farActive = (await agents.optionsInForce(far)).active_slave || null;
            const neigh = await agents.agent(pinger.container).command(["act", "neigh", far.ip]);
            const neighbour = neigh.lines
                .join(" ")
                .replace(/\s*dev \S+/, "")
                .trim();
            windows.push({ at, end, action, farActive, neighbour });
            say(`   ${step.id}: ${action}; ${far.name} on ${farActive ?? "-"}, neighbour ${neighbour || "-"}`);
        }
        const output = await probe.stop();
        const steps: StepResult[] = SEED_STEPS.map((step, i) =>
            analyzeStep(step, wiring, output.ping, { ...windows[i], intervalS: o.intervalS }, windows[i]),
        );
        await restore(agents, "after the replay");
        return { stack: lab.stack, pinger: pinger.name, far: far.name, intervalS: o.intervalS, options, steps };
    } finally {
        await agents.close();
    }
}

/** Every channel and slave up, the bond as built, verified (the agent's verify raises the slaves). */
async function restore(agents: LabAgents, when: string): Promise<void> {
    const checks = await agents.repairAndVerify();
    const bad = checks.filter((c) => !c.ok);
    if (bad.length > 0)
        throw new Error(`the lab did not verify ${when}: ${bad.map((c) => `${c.router}: ${c.problems}`).join("; ")}`);
}
