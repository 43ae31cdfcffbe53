// The live view's state: what every router's agent reported, folded into one picture of the
// bonded link (per router: options, active slave, per-slave link state, rates and LACP bits;
// per direction: the ping's timeline) and a log of what changed, with the Docker host's times.
// Pure and deterministic: the same lines give the same state, live or replayed.

import { slaveIn } from "../components/handle";
import { hasPrimary } from "../components/labfile/modes";
import type { DrillLab } from "../drill/lab";
import type { HandRow } from "./measure";
import { AgentLine, SlaveTick, Tick, lacpBits, parseAgentLine } from "./stream";

/** What the view needs to know of a lab: from its handle, and saved at the top of a recording. */
export interface WatchLab {
    stack: string;
    variant: string;
    mode: string;
    routers: { name: string; ip: string; container: string }[];
    channels: { name: string; interfaces: Record<string, string> }[];
    /** The active slave each router was built with, where the mode has a primary to return to. */
    builtActive: Record<string, string | null>;
}

export function watchLabOf(lab: DrillLab): WatchLab {
    return {
        stack: lab.stack,
        variant: lab.variant,
        mode: lab.bond.mode,
        routers: lab.routers.map((r) => ({ name: r.name, ip: r.ip, container: r.container })),
        channels: lab.channels.map((c) => ({ name: c.name, interfaces: { ...c.interfaces } })),
        builtActive: Object.fromEntries(
            lab.routers.map((r) => [
                r.name,
                hasPrimary(lab.bond.mode) ? r.verify.BONDLAB_ACTIVE || slaveIn(lab.channels[0], r.name) : null,
            ]),
        ),
    };
}

export interface NodeView {
    name: string;
    bond: string;
    peer: string;
    /** The bond's options in force (sysfs). */
    options: Record<string, string>;
    tick: Tick | null;
    /** When its bond last changed (an event of its own), ms of the Docker host; null before any change. */
    changedAt: number | null;
    /** The slaves whose counters moved over the last RATE_WINDOW_MS: packets per second. */
    rates: Record<string, { tx: number; rx: number }>;
}

export interface PingView {
    from: string;
    to: string;
    /** The latest probes, oldest first: answered or not. */
    probes: { seq: number; at: number; ok: boolean }[];
    sent: number;
    answered: number;
    /** While no reply comes: since when (the last reply before the silence, or its first report). */
    lostSince: number | null;
    lastReplyAt: number | null;
    /** The current silence, or the last one until it is told (see tellRun). */
    run: { fromSeq: number; since: number; backAt: number | null; firstNew: number | null } | null;
}

export interface WatchEvent {
    /** ms, the Docker host's clock. */
    at: number;
    node: string;
    text: string;
}

export interface WatchState {
    lab: WatchLab;
    nodes: Record<string, NodeView>;
    /** By direction, "inetRouter->centralRouter". */
    pings: Record<string, PingView>;
    events: WatchEvent[];
    /** Faults made from the view, each measured as a drill row (measure.ts). */
    rows: HandRow[];
    /** The latest time any agent reported. */
    now: number;
}

/** How many probes a direction's timeline keeps (a minute at 5 a second). */
export const TIMELINE = 300;
/** How many events the log keeps. */
export const EVENT_LOG = 500;
/** The window rates are measured over: long enough to hold a few probes at 5 a second. */
const RATE_WINDOW_MS = 1000;

export const direction = (from: string, to: string) => `${from}->${to}`;

/** Who wants to hear that a model changed: the terminal's screen, the page's pushes. */
export function changeFeed() {
    const listeners = new Set<() => void>();
    return {
        changed: () => listeners.forEach((fn) => fn()),
        onChange: (fn: () => void) => {
            listeners.add(fn);
            return () => void listeners.delete(fn);
        },
    };
}

/** Folds agent lines into a WatchState; `feed` returns the events the line added. */
export class WatchModel {
    readonly state: WatchState;
    private readonly history = new Map<string, Tick[]>();

    constructor(lab: WatchLab) {
        const [a, b] = lab.routers;
        const ping = (from: string, to: string): PingView => ({
            from,
            to,
            probes: [],
            sent: 0,
            answered: 0,
            lostSince: null,
            lastReplyAt: null,
            run: null,
        });
        this.state = {
            lab,
            nodes: Object.fromEntries(
                lab.routers.map((r) => [
                    r.name,
                    { name: r.name, bond: "bond0", peer: "", options: {}, tick: null, changedAt: null, rates: {} },
                ]),
            ),
            pings: {
                [direction(a.name, b.name)]: ping(a.name, b.name),
                [direction(b.name, a.name)]: ping(b.name, a.name),
            },
            events: [],
            rows: [],
            now: 0,
        };
    }

    feed(node: string, text: string): WatchEvent[] {
        const line = parseAgentLine(text);
        const view = this.state.nodes[node];
        if (!line || !view) return [];
        const events = this.apply(view, line);
        this.state.events.push(...events);
        if (this.state.events.length > EVENT_LOG) this.state.events.splice(0, this.state.events.length - EVENT_LOG);
        return events;
    }

    /** Logs what the user did (an action), at the Docker host's time it happened. */
    note(node: string, at: number, text: string): WatchEvent {
        const event = { at, node, text };
        this.state.events.push(event);
        this.state.now = Math.max(this.state.now, at);
        return event;
    }

    private apply(view: NodeView, line: AgentLine): WatchEvent[] {
        const at = "at" in line && line.at !== null ? line.at : "tick" in line ? line.tick.at : null;
        if (at !== null && Number.isFinite(at)) this.state.now = Math.max(this.state.now, at);
        switch (line.kind) {
            case "hello":
                view.bond = line.bond;
                view.peer = line.peer;
                return [];
            case "options":
                view.options = line.options;
                return [];
            case "tick":
                return this.onTick(view, line.tick);
            default:
                return this.onProbe(view.name, line);
        }
    }

    private onTick(view: NodeView, tick: Tick): WatchEvent[] {
        const before = view.tick;
        view.tick = tick;
        const history = [...(this.history.get(view.name) ?? []), tick].filter(
            (t) => tick.at - t.at <= 3 * RATE_WINDOW_MS,
        );
        this.history.set(view.name, history);
        const base = history.find((t) => tick.at - t.at <= RATE_WINDOW_MS && t !== tick) ?? null;
        view.rates = base ? ratesBetween(base, tick) : {};
        if (!before) return [];
        const text = tickChanges(before, tick, this.state.lab.mode === "802.3ad");
        if (text) view.changedAt = tick.at;
        return text ? [{ at: tick.at, node: view.name, text }] : [];
    }

    private onProbe(node: string, line: Exclude<AgentLine, { kind: "hello" | "options" | "tick" }>): WatchEvent[] {
        const peer = this.state.lab.routers.find((r) => r.name !== node)!.name;
        const ping = this.state.pings[direction(node, peer)];
        const at = line.at ?? this.state.now;
        const ok = line.kind === "reply";
        const label = `ping ${node}→${peer}`;
        const events: WatchEvent[] = [];
        const known = ping.probes.find((p) => p.seq === line.seq);
        if (known) {
            // A late reply to a probe -O already called unanswered: held back (in ARP's queue,
            // say) until the path came back. It ends the silence.
            if (ok && !known.ok) {
                known.ok = true;
                ping.answered++;
                this.pathBack(ping, at);
            }
            return events;
        }
        ping.probes.push({ seq: line.seq, at, ok });
        ping.sent++;
        if (ping.probes.length > TIMELINE) ping.probes.shift();
        if (ok) {
            ping.answered++;
            const run = ping.run;
            this.pathBack(ping, at);
            ping.lastReplyAt = at;
            if (run) {
                run.firstNew ??= line.seq;
                // Told at the second reply to a new probe: by then the held-back replies are in
                // (they race the first one out of ARP's queue).
                if (line.seq > run.firstNew) events.push(this.tellRun(ping, label, node));
            }
            return events;
        }
        if (ping.run && ping.run.backAt !== null) events.push(this.tellRun(ping, label, node));
        if (ping.run === null) {
            const since = ping.lastReplyAt ?? at;
            ping.run = { fromSeq: line.seq, since, backAt: null, firstNew: null };
            ping.lostSince = since;
            const why = line.kind === "ping-error" ? `: ${line.text}` : "";
            events.push({ at, node, text: `${label}: no reply to icmp_seq ${line.seq}${why}` });
        }
        return events;
    }

    /** The first reply after a silence: the path is back. */
    private pathBack(ping: PingView, at: number): void {
        if (ping.run && ping.run.backAt === null) ping.run.backAt = at;
        ping.lostSince = null;
    }

    /** The silence that ended, in one event at the time the path came back: how long, and what became of its probes. */
    private tellRun(ping: PingView, label: string, node: string): WatchEvent {
        const run = ping.run!;
        ping.run = null;
        const end = run.firstNew ?? Infinity;
        const probes = ping.probes.filter((p) => p.seq >= run.fromSeq && p.seq < end);
        const lost = probes.filter((p) => !p.ok).length;
        const late = probes.length - lost;
        const back = run.backAt ?? this.state.now;
        const count = (n: number) => `${n} probe${n === 1 ? "" : "s"}`;
        return {
            at: back,
            node,
            text:
                `${label}: answered again after ${Math.round(back - run.since)} ms without a reply ` +
                `(${count(lost)} lost${late > 0 ? `, ${late} answered late` : ""})`,
        };
    }
}

function ratesBetween(a: Tick, b: Tick): Record<string, { tx: number; rx: number }> {
    const seconds = (b.at - a.at) / 1000;
    if (seconds <= 0) return {};
    const rates: Record<string, { tx: number; rx: number }> = {};
    for (const s of b.slaves) {
        const old = a.slaves.find((x) => x.name === s.name);
        if (!old) continue;
        rates[s.name] = {
            tx: Math.max(0, (s.tx - old.tx) / seconds),
            rx: Math.max(0, (s.rx - old.rx) / seconds),
        };
    }
    return rates;
}

/** "eth1: set down, MII down; active slave eth1 → eth2": what changed in one router between two ticks. */
export function tickChanges(before: Tick, after: Tick, lacp: boolean): string | null {
    const parts: string[] = [];
    if (after.error && !before.error) return `bond unreadable: ${after.error}`;
    for (const s of after.slaves) {
        const old = before.slaves.find((x) => x.name === s.name);
        const changes = old ? slaveChanges(old, s, lacp) : ["joined the bond"];
        if (changes.length > 0) parts.push(`${s.name}: ${changes.join(", ")}`);
    }
    for (const old of before.slaves)
        if (!after.slaves.some((s) => s.name === old.name)) parts.push(`${old.name}: left the bond`);
    if (before.active !== after.active)
        parts.push(`active slave ${before.active ?? "none"} → ${after.active ?? "none"}`);
    if (lacp && before.aggregator !== after.aggregator)
        parts.push(`active aggregator ${before.aggregator ?? "none"} → ${after.aggregator ?? "none"}`);
    return parts.length > 0 ? parts.join("; ") : null;
}

function slaveChanges(old: SlaveTick, s: SlaveTick, lacp: boolean): string[] {
    const out: string[] = [];
    if (old.admin !== s.admin) out.push(s.admin === "down" ? "set down" : "set up");
    if (old.carrier !== s.carrier && s.carrier !== null && old.carrier !== null)
        out.push(s.carrier ? "carrier back" : "carrier lost");
    if (old.mii !== s.mii) out.push(`MII ${s.mii}`);
    if (s.failures > old.failures) out.push(`link failure count ${s.failures}`);
    if (lacp) {
        if (old.aggregator !== s.aggregator) out.push(`aggregator ${old.aggregator ?? "-"} → ${s.aggregator ?? "-"}`);
        const bits = (who: string, a: number | null, b: number | null) => {
            if (a === b) return;
            const [was, now] = [lacpBits(a), lacpBits(b)];
            const diff = [
                ...now.filter((x) => !was.includes(x)).map((x) => `+${x}`),
                ...was.filter((x) => !now.includes(x)).map((x) => `-${x}`),
            ];
            out.push(`${who} state ${a ?? "-"} → ${b ?? "-"} (${diff.join(" ")})`);
        };
        bits("actor", old.actor, s.actor);
        bits("partner", old.partner, s.partner);
    }
    return out;
}
