// One watch of one bonded link: the model the views draw, the faults measured as drill rows,
// and who wants to hear of a change, fed one recorded entry at a time. The live view and a
// replay feed the same entries (recording.ts), so a replay draws and measures what the live
// view did.

import type { DrillLab } from "../drill/lab";
import { Closed, HandRows, rowLine } from "./measure";
import { RecordedLine, Recorder } from "./recording";
import { WatchLab, WatchModel, changeFeed } from "./state";

export class WatchSession {
    readonly model: WatchModel;
    /** Null without the stack's handle (an older recording): nothing is measured then. */
    readonly hand: HandRows | null;
    private readonly feed = changeFeed();
    /** Subscribes to every change of the model; returns the unsubscribe. */
    readonly onChange = this.feed.onChange;

    constructor(
        lab: WatchLab,
        handle: DrillLab | null,
        private readonly recorder: Recorder | null = null,
    ) {
        this.model = new WatchModel(lab);
        const options = () => this.model.state.nodes[lab.routers[0].name]?.options ?? {};
        this.hand = handle ? new HandRows(handle, options, this.model.state.rows) : null;
    }

    /** One entry, recorded (live) and folded in; `quiet` holds the change back (a replay's --end). */
    apply(entry: RecordedLine, quiet = false): void {
        this.recorder?.write(entry);
        if (entry.line !== undefined) {
            this.model.feed(entry.node, entry.line);
            this.logRow(this.hand?.line(entry.node, entry.line) ?? null);
        } else if (entry.fault) {
            this.hand?.fault(entry.fault.action, entry.fault.times);
        } else if (entry.note !== undefined) {
            const at = entry.at ?? this.model.state.now;
            if (entry.action) this.logRow(this.hand?.interrupt(at) ?? null);
            this.model.note(entry.node, at, entry.note);
        }
        if (!quiet) this.feed.changed();
    }

    changed(): void {
        this.feed.changed();
    }

    /** Closes the recording, if any. */
    close(): void {
        this.recorder?.close();
    }

    private logRow(closed: Closed | null): void {
        if (closed) this.model.note(closed.node, closed.at, rowLine(closed.result));
    }
}
