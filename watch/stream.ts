// What the live view's agent (sh/watch.sh) prints, line by line, as data. Pure: the unit tests
// feed it streams recorded from real labs.

import { nsToMs } from "../drill/probe";
import { parsePing } from "../drill/ping";

export interface SlaveTick {
    name: string;
    /** The interface's administrative state (IFF_UP): `ip link set ... down` inside the router. */
    admin: "up" | "down";
    /** Carrier, null where the kernel does not report it (an interface set down). */
    carrier: boolean | null;
    /** The bond's MII status of the slave. */
    mii: string;
    failures: number;
    tx: number;
    rx: number;
    /** 802.3ad: the slave's aggregator ID and the LACP port state bytes of actor and partner. */
    aggregator: string | null;
    actor: number | null;
    partner: number | null;
}

export interface Tick {
    /** ms, the Docker host's clock. */
    at: number;
    active: string | null;
    /** 802.3ad: the active aggregator's ID. */
    aggregator: string | null;
    slaves: SlaveTick[];
    /** Set when the bond could not be read (it is gone). */
    error?: string;
}

export type AgentLine =
    | { kind: "hello"; at: number; bond: string; peer: string }
    | { kind: "options"; options: Record<string, string> }
    | { kind: "tick"; tick: Tick }
    | { kind: "reply"; seq: number; at: number; rttMs: number }
    | { kind: "no-answer"; seq: number; at: number }
    | { kind: "ping-error"; seq: number; at: number | null; text: string };

const NO_ANSWER = /^\[(\d+)\.(\d+)\]\s+no answer yet for icmp_seq=(\d+)/;

const dash = (w: string | undefined): string | null => (w === undefined || w === "-" || w === "" ? null : w);
const num = (w: string | undefined): number | null =>
    dash(w) === null || !Number.isFinite(Number(w)) ? null : Number(w);

/** One line of the agent's output; null for lines that carry nothing (ping's header, blank lines). */
export function parseAgentLine(line: string): AgentLine | null {
    const words = line.trim().split(/\s+/);
    const fields = () =>
        Object.fromEntries(
            words.filter((w) => w.includes("=")).map((w) => [w.split("=")[0], w.slice(w.indexOf("=") + 1)]),
        );
    switch (words[0]) {
        case "hello": {
            const f = fields();
            return { kind: "hello", at: nsToMs(words[1] ?? ""), bond: f.bond ?? "bond0", peer: f.peer ?? "" };
        }
        case "option":
            return { kind: "options", options: fields() };
        case "tick":
            return { kind: "tick", tick: parseTick(words) };
    }
    const quiet = NO_ANSWER.exec(line.trim());
    if (quiet)
        return {
            kind: "no-answer",
            seq: Number(quiet[3]),
            at: Number(quiet[1]) * 1000 + Number(quiet[2].padEnd(6, "0").slice(0, 6)) / 1000,
        };
    const ping = parsePing(line);
    if (ping.replies.length > 0) return { kind: "reply", ...ping.replies[0] };
    if (ping.errors.length > 0) return { kind: "ping-error", ...ping.errors[0] };
    return null;
}

function parseTick(words: string[]): Tick {
    const tick: Tick = { at: nsToMs(words[1] ?? ""), active: null, aggregator: null, slaves: [] };
    for (const w of words.slice(2)) {
        const [key, value = ""] = [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)];
        if (key === "active") tick.active = dash(value);
        else if (key === "agg") tick.aggregator = dash(value);
        else if (key === "error") tick.error = value;
        else if (key === "slave") {
            const [name, admin, carrier, mii, failures, tx, rx, agg, actor, partner] = value.split(":");
            tick.slaves.push({
                name,
                admin: admin === "down" ? "down" : "up",
                carrier: carrier === "1" ? true : carrier === "0" ? false : null,
                mii: mii ?? "?",
                failures: num(failures) ?? 0,
                tx: num(tx) ?? 0,
                rx: num(rx) ?? 0,
                aggregator: dash(agg),
                actor: num(actor),
                partner: num(partner),
            });
        }
    }
    return tick;
}

/** The LACP port state bits (IEEE 802.1AX, as /proc/net/bonding prints the byte), lowest first. */
export const LACP_BITS = [
    "activity",
    "short-timeout",
    "aggregation",
    "synchronization",
    "collecting",
    "distributing",
    "defaulted",
    "expired",
] as const;

/** The names of the bits set in a port state byte. */
export function lacpBits(state: number | null): string[] {
    if (state === null) return [];
    return LACP_BITS.filter((_, i) => (state >> i) & 1);
}
