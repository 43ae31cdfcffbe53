// The live view's source on a running lab: one agent per router (sh/watch.sh), started with
// one `docker exec` each for the whole watch, its lines folded into the session as they arrive
// (and recorded, with --record). Actions run through the drill's own agents and faults, and a
// fault is measured as a drill row (measure.ts).

import * as fs from "fs";
import * as path from "path";
import { StreamingExec } from "../drill/docker";
import { DrillLab, LabAgents, bondIn } from "../drill/lab";
import { WatchAction, describeAction, perform } from "./actions";
import { RecordedLine, Recorder } from "./recording";
import { WatchSession } from "./session";
import { WatchModel, watchLabOf } from "./state";

export const WATCH_SCRIPT = fs.readFileSync(path.join(__dirname, "sh", "watch.sh"), "utf8");

export class LiveWatch {
    readonly session: WatchSession;
    readonly model: WatchModel;
    /** Subscribes to every change of the model; returns the unsubscribe. */
    readonly onChange: WatchSession["onChange"];
    private readonly execs: StreamingExec[] = [];
    private agents: LabAgents | null = null;
    private stopping = false;

    constructor(
        readonly lab: DrillLab,
        recordTo: string | null = null,
        private readonly tickS = 0.25,
    ) {
        const recorder = recordTo ? new Recorder(recordTo, watchLabOf(lab), lab) : null;
        this.session = new WatchSession(watchLabOf(lab), lab, recorder);
        this.model = this.session.model;
        this.onChange = this.session.onChange;
    }

    /**
     * `agentsNow`: start the drill's agents for the actions now, so that a key's fault lands at
     * once (a class's views start them at their first action).
     */
    start(agentsNow = true): void {
        if (agentsNow) {
            this.agents = new LabAgents(this.lab);
            this.agents
                .start()
                .catch((e) => this.note(this.lab.routers[0].name, this.model.state.now, `${(e as Error).message}`));
        }
        for (const router of this.lab.routers) {
            const exec = new StreamingExec(
                router.container,
                ["sh", "-c", WATCH_SCRIPT],
                {
                    WATCH_BOND: bondIn(this.lab, router),
                    WATCH_PEER: router.verify.BONDLAB_PEER,
                    WATCH_TICK: String(this.tickS),
                },
                this.lab.docker,
            );
            exec.onLine((line) => this.session.apply({ t: Date.now(), node: router.name, line }));
            exec.done.then((r) => {
                if (this.stopping) return;
                const why = r.stderr.trim().split("\n").pop() || `exit ${r.code}`;
                this.note(
                    router.name,
                    this.model.state.now,
                    `the watch's agent in ${router.container} stopped: ${why}`,
                );
            });
            this.execs.push(exec);
        }
    }

    /**
     * Logs an action as it is asked for (at the latest time the agents reported: within a probe
     * interval of now), runs it, starts the row a fault is measured as, and logs what restore's
     * verify said. Errors are logged, not thrown.
     */
    async act(action: WatchAction): Promise<void> {
        this.agents ??= new LabAgents(this.lab);
        const said = describeAction(action, this.lab);
        this.apply({ node: action.router, note: said, at: this.model.state.now, action });
        try {
            const done = await perform(this.agents, action);
            if (done.times) this.apply({ node: action.router, fault: { action, times: done.times } });
            if (done.verify) this.note(action.router, this.model.state.now, done.verify);
        } catch (e) {
            this.note(action.router, this.model.state.now, `${said}: failed: ${(e as Error).message}`);
        }
    }

    private note(node: string, at: number, text: string): void {
        this.apply({ node, note: text, at });
    }

    private apply(entry: Omit<RecordedLine, "t">): void {
        this.session.apply({ t: Date.now(), ...entry });
    }

    async stop(): Promise<void> {
        this.stopping = true;
        await Promise.all(
            this.execs.map(async (e) => {
                const timer = setTimeout(() => e.kill(), 5000);
                await e.end();
                clearTimeout(timer);
            }),
        );
        await this.agents?.close();
        this.session.close();
    }
}
