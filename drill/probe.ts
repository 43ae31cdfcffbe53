// The probe: a high-rate ping from one router to the other (run by sh/agent.sh in the router),
// with snapshots of the bond (active slave, per-slave MII status, failure count and packet
// counters) taken on command while it runs. Parsing is pure and unit-tested.

import type { Agent } from "./agent";
import { parsePing } from "./ping";

export interface SlaveSnapshot {
    name: string;
    mii: string;
    failures: number;
    tx: number;
    rx: number;
}

export interface Snapshot {
    label: string;
    /** ms, the Docker host's clock. */
    at: number;
    /** "Currently Active Slave" of /proc/net/bonding (null in modes without one). */
    active: string | null;
    slaves: SlaveSnapshot[];
    /** The kernel's 1-minute load average (the Docker host's: containers share its kernel). */
    load: number | null;
}

export type ProbeOutput = ReturnType<typeof parseProbeOutput>;

/** `snap LABEL TIME_NS load=1.20 active=eth1 slave=eth1:up:0:144:161 ...` */
export function parseSnapshot(line: string): Snapshot | null {
    const words = line.trim().split(/\s+/);
    if (words[0] !== "snap" || words.length < 3) return null;
    const snap: Snapshot = { label: words[1], at: nsToMs(words[2]), active: null, slaves: [], load: null };
    for (const w of words.slice(3)) {
        if (w.startsWith("active=")) {
            const a = w.slice("active=".length);
            snap.active = a === "" || a === "None" ? null : a;
        } else if (w.startsWith("load=")) {
            const l = Number(w.slice("load=".length));
            snap.load = Number.isFinite(l) ? l : null;
        } else if (w.startsWith("slave=")) {
            const [name, mii, failures, tx, rx] = w.slice("slave=".length).split(":");
            snap.slaves.push({ name, mii, failures: Number(failures) || 0, tx: Number(tx) || 0, rx: Number(rx) || 0 });
        }
    }
    return snap;
}

/** Nanoseconds since the epoch (as `date +%s%N` prints) to ms, without losing precision to doubles first. */
export function nsToMs(ns: string): number {
    const digits = ns.trim();
    if (!/^\d{10,}$/.test(digits)) return Number.NaN;
    return Number(digits.slice(0, -6)) + Number(digits.slice(-6)) / 1e6;
}

/** The whole output of probe.sh: its ready line, snapshots, stop line, then ping's output. */
export function parseProbeOutput(text: string) {
    const lines = text.split("\n");
    let startAt = Number.NaN;
    let stopAt = Number.NaN;
    const snapshots: Snapshot[] = [];
    const pingLines: string[] = [];
    let inPing = false;
    for (const line of lines) {
        if (inPing) {
            pingLines.push(line);
            continue;
        }
        const words = line.trim().split(/\s+/);
        if (words[0] === "ready") startAt = nsToMs(words[1] ?? "");
        else if (words[0] === "stopped") stopAt = nsToMs(words[1] ?? "");
        else if (words[0] === "snap") {
            const s = parseSnapshot(line);
            if (s) snapshots.push(s);
        } else if (words[0] === "ping-output") inPing = true;
    }
    const pingText = pingLines.join("\n");
    // pingText: the ping output as printed; raw: everything the probe printed.
    return { startAt, stopAt, snapshots, ping: parsePing(pingText), pingText, raw: text };
}

export type Carriage = ReturnType<typeof carriage>;

/** Which slaves carried traffic between two snapshots: packets sent and received per slave. */
export function carriage(a: Snapshot, b: Snapshot) {
    const tx: Record<string, number> = {};
    const rx: Record<string, number> = {};
    for (const s of b.slaves) {
        const before = a.slaves.find((x) => x.name === s.name);
        tx[s.name] = Math.max(0, s.tx - (before?.tx ?? s.tx));
        rx[s.name] = Math.max(0, s.rx - (before?.rx ?? s.rx));
    }
    return { from: a.label, to: b.label, ms: Math.round(b.at - a.at), active: b.active, tx, rx };
}

/** The slaves that carried a real share (over a fifth) of the packets, e.g. "eth1" or "eth1+eth2"; "-" for none. */
export function carriers(counts: Record<string, number>): string {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total < 3) return "-";
    return Object.entries(counts)
        .filter(([, n]) => n > total / 5)
        .map(([k]) => k)
        .join("+");
}

/** A running probe in one router: ping in the background, snapshots and stop through the router's agent. */
export class Probe {
    private readonly lines: string[] = [];

    private constructor(private readonly agent: Agent) {}

    /** Starts ping in the router; resolves once it runs. */
    static async start(agent: Agent, options: { intervalS: number; maxS: number }): Promise<Probe> {
        const probe = new Probe(agent);
        const answer = await agent.command(["probe", String(options.intervalS), String(Math.ceil(options.maxS))]);
        const ready = answer.lines.find((l) => l.startsWith("ready "));
        if (answer.code !== 0 || !ready)
            throw new Error(`probe in ${agent.container} did not start: ${answer.lines.join(" ").slice(0, 300)}`);
        probe.lines.push(ready);
        return probe;
    }

    /** Takes a snapshot now (inside the router: no docker exec). */
    async snap(label: string): Promise<Snapshot> {
        const answer = await this.agent.command(["snap", label]);
        const line = answer.lines.find((l) => l.startsWith(`snap ${label} `));
        const snap = line ? parseSnapshot(line) : null;
        if (!snap)
            throw new Error(`snapshot in ${this.agent.container} failed: ${answer.lines.join(" ").slice(0, 300)}`);
        this.lines.push(line!);
        return snap;
    }

    /** Stops ping; resolves with everything the probe printed, as one text (see parseProbeOutput). */
    async stop(): Promise<ProbeOutput> {
        const answer = await this.agent.command(["stop"]);
        this.lines.push(...answer.lines);
        const out = parseProbeOutput(this.lines.join("\n") + "\n");
        if (Number.isNaN(out.startAt) || Number.isNaN(out.stopAt)) {
            throw new Error(
                `probe in ${this.agent.container} printed no start or stop time: ${answer.lines.slice(0, 5).join(" ")}`,
            );
        }
        return out;
    }
}
