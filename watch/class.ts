// A class at a glance (npm run watch -- --class FILE --web): every student's bonded link
// watched at once, each through one LiveWatch on its own lab's Docker engine (the handle's
// `docker`), and a tile per link: verified or not (the last update's verify, judged as
// `npm run class -- status` judges it), the active slaves, the ping both ways and the view's
// first "why". Each tile opens that link's full view.

import type { LabDriver, LabStatus } from "../class/drivers";
import type { ClassPlan, StudentLab } from "../class/plan";
import { DrillLab, StackOutputs, labsOf } from "../drill/lab";
import { LiveWatch } from "./live";
import { rowCells } from "./measure";
import { WatchState, changeFeed } from "./state";
import { whyLines } from "./why";

export interface ClassTile {
    /** Where its full view is: /lab/<path>/ (the stack, and the link of a network). */
    path: string;
    student: string;
    host: string;
    stack: string;
    /** The variant, and for a network the bonded link. */
    variant: string;
    status: LabStatus;
    /** Why the link is not watched (no handle, a bad stack); null while it is. */
    error: string | null;
    routers: { name: string; active: string | null; aggregator: string | null }[];
    pings: { from: string; to: string; state: "answering" | "no reply" | "waiting"; silentMs: number | null }[];
    why: string | null;
    /** The latest fault made from its view: verdict and title. */
    lastRow: string | null;
}

interface Watched {
    lab: StudentLab;
    status: LabStatus;
    path: string;
    variant: string;
    live: LiveWatch | null;
    error: string | null;
}

/** The tile of one watched link: pure, from its state. */
export function tileOf(w: Omit<Watched, "live">, state: WatchState | null): ClassTile {
    const tile: ClassTile = {
        path: w.path,
        student: w.lab.student,
        host: w.lab.host,
        stack: w.lab.stack,
        variant: w.variant,
        status: w.status,
        error: w.error,
        routers: [],
        pings: [],
        why: null,
        lastRow: null,
    };
    if (!state) return tile;
    tile.routers = state.lab.routers.map((r) => {
        const tick = state.nodes[r.name]?.tick ?? null;
        return { name: r.name, active: tick?.active ?? null, aggregator: tick?.aggregator ?? null };
    });
    tile.pings = Object.values(state.pings).map((p) => ({
        from: p.from,
        to: p.to,
        state: p.lostSince !== null ? "no reply" : p.sent > 0 ? "answering" : "waiting",
        silentMs: p.lostSince !== null ? Math.round(state.now - p.lostSince) : null,
    }));
    tile.why = whyLines(state)[0] ?? null;
    const last = state.rows[state.rows.length - 1];
    if (last) {
        const c = rowCells(last, state.now);
        tile.lastRow = `${c.mark} ${c.verdict}: ${c.title}`;
    }
    return tile;
}

export class ClassWatch {
    private readonly feed = changeFeed();
    readonly onChange = this.feed.onChange;

    private constructor(
        readonly plan: ClassPlan,
        private readonly watched: Watched[],
    ) {
        for (const w of watched) w.live?.onChange(() => this.feed.changed());
    }

    /**
     * Every student's stack read (its outputs through `outputsOf`, its status through the
     * class's driver) and each bonded link watched. A stack that cannot be read gets a tile
     * that says why.
     */
    static async open(
        plan: ClassPlan,
        driver: Pick<LabDriver, "status">,
        outputsOf: (stack: string) => Promise<StackOutputs>,
    ): Promise<ClassWatch> {
        const watched: Watched[] = [];
        for (const lab of plan.labs) {
            const status = await driver
                .status(lab)
                .catch((e: Error) => ({ state: "failed" as const, detail: e.message }));
            let links: DrillLab[] = [];
            let error: string | null = null;
            try {
                links = labsOf(lab.stack, await outputsOf(lab.stack));
                if (links.length === 0) error = "its stack publishes no bonded link";
            } catch (e) {
                error = (e as Error).message;
            }
            if (error) watched.push({ lab, status, path: lab.stack, variant: lab.variant, live: null, error });
            for (const link of links) {
                const path = link.variant.includes("/") ? `${lab.stack}/${link.variant.split("/")[1]}` : lab.stack;
                watched.push({ lab, status, path, variant: link.variant, live: new LiveWatch(link), error: null });
            }
        }
        return new ClassWatch(plan, watched);
    }

    start(): void {
        for (const w of this.watched) w.live?.start(false);
    }

    tiles(): { class: string; tiles: ClassTile[] } {
        return { class: this.plan.name, tiles: this.watched.map((w) => tileOf(w, w.live?.model.state ?? null)) };
    }

    /** Each watched link's full view, by the path its tile opens. */
    get labs(): { path: string; source: LiveWatch }[] {
        return this.watched.flatMap((w) => (w.live ? [{ path: w.path, source: w.live }] : []));
    }

    async stop(): Promise<void> {
        await Promise.all(this.watched.map((w) => w.live?.stop()));
    }
}

/** The class in the terminal: a line per tile. */
export function classLines(tiles: ClassTile[]): string[] {
    return tiles.map((t) => {
        const pings = t.pings.map((p) => (p.state === "no reply" ? `no reply ${p.from}→${p.to}` : p.state));
        const active = t.routers.map((r) => `${r.name} ${r.active ?? r.aggregator ?? "-"}`).join(", ");
        const watch = t.error ? `not watched: ${t.error}` : `${active}; ping ${[...new Set(pings)].join(", ") || "-"}`;
        return `${t.student.padEnd(14)} ${t.variant.padEnd(20)} ${t.status.state.padEnd(8)} ${watch}`;
    });
}
