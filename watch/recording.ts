// A recording of what the live view saw, as JSON lines: first the lab, then every agent line
// and every action, each with the time it arrived. `npm run watch -- --replay FILE` plays it
// back through the same model, without a lab.

import * as fs from "fs";
import type { DrillLab } from "../drill/lab";
import type { FaultTimes } from "../drill/scenarios";
import type { WatchAction } from "./actions";
import type { WatchLab } from "./state";

export const RECORDING_FORMAT = "bondlab-watch/1";

export interface RecordingHeader {
    format: typeof RECORDING_FORMAT;
    recorded: string;
    lab: WatchLab;
    /** The stack's handle, without its Docker endpoint: what a replay measures faults against. */
    handle?: DrillLab;
}

/** One agent line (`line`) or one action the user took (`note`), in the order they came. */
export interface RecordedLine {
    /** ms, this machine's clock when the line arrived: replay keeps these gaps. */
    t: number;
    node: string;
    line?: string;
    note?: string;
    /** ms, the Docker host's clock, for a note (an action's own time). */
    at?: number;
    /** The note of an action as it was asked for. */
    action?: WatchAction;
    /** A fault an action made, with its own times: the row measured by hand starts there. */
    fault?: { action: WatchAction; times: FaultTimes };
}

export interface Recording {
    header: RecordingHeader;
    lines: RecordedLine[];
}

export class Recorder {
    private readonly fd: number;

    constructor(file: string, lab: WatchLab, handle?: DrillLab) {
        this.fd = fs.openSync(file, "w");
        const header: RecordingHeader = {
            format: RECORDING_FORMAT,
            recorded: new Date().toISOString(),
            lab,
            ...(handle ? { handle: { ...handle, docker: {} } } : {}),
        };
        fs.writeSync(this.fd, JSON.stringify(header) + "\n");
    }

    write(entry: RecordedLine): void {
        fs.writeSync(this.fd, JSON.stringify(entry) + "\n");
    }

    close(): void {
        fs.closeSync(this.fd);
    }
}

/** Reads a recording; a clear error naming the line for anything that is not one. */
export function readRecording(file: string): Recording {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(
            `cannot read the recording ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
    }
    const rows = text.split("\n").filter((l) => l.trim() !== "");
    const parse = (row: string, n: number) => {
        try {
            return JSON.parse(row);
        } catch {
            throw new Error(`${file}:${n}: not JSON: a recording is JSON lines, as npm run watch -- --record writes`);
        }
    };
    const header = rows.length > 0 ? parse(rows[0], 1) : null;
    if (
        !header ||
        header.format !== RECORDING_FORMAT ||
        !Array.isArray(header.lab?.routers) ||
        header.lab.routers.length !== 2
    )
        throw new Error(
            `${file}:1: not a bondlab watch recording (its first line must be a ${RECORDING_FORMAT} header)`,
        );
    const names = new Set<string>(header.lab.routers.map((r: { name: string }) => r.name));
    const lines = rows.slice(1).map((row, i) => {
        const entry = parse(row, i + 2);
        const ok =
            entry &&
            typeof entry.t === "number" &&
            typeof entry.node === "string" &&
            names.has(entry.node) &&
            (typeof entry.line === "string" ||
                typeof entry.note === "string" ||
                (typeof entry.fault?.times?.at === "number" && typeof entry.fault?.action?.kind === "string"));
        if (!ok)
            throw new Error(
                `${file}:${i + 2}: not a recorded line ({"t", "node", "line", "note" or "fault"} of a router of the lab)`,
            );
        return entry as RecordedLine;
    });
    return { header, lines };
}
