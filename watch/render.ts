// The terminal frame of the live view: per router the bond and each slave's state, per
// direction the ping's timeline, the "why" lines and the event log. Pure text, colour optional,
// so a test can read a frame as a user sees it.

import { styleText } from "util";
import { RowCells, rowCells } from "./measure";
import { NodeView, WatchState } from "./state";
import { lacpBits } from "./stream";
import { whyLines } from "./why";

export interface FrameOptions {
    width: number;
    /** Rows for the event log. */
    eventRows: number;
    /** The terminal's height, when known: the event log gives up rows so that the frame fits. */
    height?: number;
    color: boolean;
    /** Key help and what is selected, live only. */
    footer?: string[];
}

type Style = Parameters<typeof styleText>[0];

/** Options worth a student's eye, in this order; the rest are shown only when set. */
const OPTION_ORDER = ["miimon", "updelay", "downdelay", "arp_interval", "arp_ip_target", "primary", "primary_reselect"];
/** What only 802.3ad uses. */
const LACP_OPTIONS = ["lacp_rate", "ad_select", "xmit_hash_policy"];

export function renderFrame(state: WatchState, o: FrameOptions): string {
    const paint = (style: Style, text: string) => (o.color ? styleText(style, text) : text);
    const lab = state.lab;
    const lines: string[] = [];
    lines.push(
        paint("bold", `bondlab watch · stack ${lab.stack} · ${lab.variant} · ${lab.mode}`) +
            `   ${clock(state.now)} (the Docker host's clock)`,
    );
    for (const r of lab.routers) lines.push("", ...nodeLines(state, state.nodes[r.name], paint));
    lines.push("");
    for (const ping of Object.values(state.pings)) {
        const width = Math.max(10, Math.min(ping.probes.length, o.width - 44));
        const marks = ping.probes
            .slice(-width)
            .map((p) => (p.ok ? paint("green", "▪") : paint("red", "×")))
            .join("");
        const pct = ping.sent > 0 ? Math.round((100 * ping.answered) / ping.sent) : 0;
        const now =
            ping.lostSince !== null
                ? paint("red", `no reply for ${((state.now - ping.lostSince) / 1000).toFixed(1)} s`)
                : ping.sent > 0
                  ? paint("green", "answering")
                  : "waiting";
        lines.push(`ping ${`${ping.from}→${ping.to}`.padEnd(28)} ${now}  ${ping.answered}/${ping.sent} (${pct}%)`);
        lines.push(`     ${marks}`);
    }
    const why = whyLines(state);
    if (why.length > 0) {
        lines.push("");
        for (const w of why) lines.push(...wrap(`why: ${w}`, o.width).map((l) => paint("yellow", l)));
    }
    if (state.rows.length > 0) {
        lines.push("", paint("bold", "faults measured as drill rows"));
        const cells = state.rows.slice(-3).map((r) => rowCells(r, state.now));
        const style: Record<RowCells["verdict"], Style> = {
            measuring: "cyan",
            pass: "green",
            fail: "red",
            info: "dim",
            error: "yellow",
        };
        for (const c of cells) {
            const head = `${c.mark} ${c.verdict} ${c.title}: ${c.verdict === "measuring" ? "" : "outage "}${c.outage}`;
            const tail = (c.bound ? `, bound ${c.bound}` : "") + (c.reasons ? ` (${c.reasons})` : "");
            lines.push(...wrap(head + tail, o.width).map((l) => paint(style[c.verdict], l)));
        }
        const explained = cells[cells.length - 1].explanation;
        if (explained) lines.push(...wrap(`    ${explained}`, o.width));
    }
    lines.push("", paint("bold", "events"));
    // The two agents' lines arrive interleaved: the log reads in the Docker host's time.
    // In a terminal of known height the log keeps the latest lines that fit (at least 3).
    const footerRows = o.footer ? o.footer.length + 1 : 0;
    const room = o.height ? Math.max(3, o.height - lines.length - footerRows - 1) : Infinity;
    const events = [...state.events].sort((x, y) => x.at - y.at).slice(-o.eventRows);
    if (events.length === 0) lines.push("  (none yet)");
    const logged: string[] = [];
    for (const e of events.reverse()) {
        const wrapped = wrap(`  ${clock(e.at)} ${e.node.padEnd(14)} ${e.text}`, o.width);
        if (logged.length + wrapped.length > room) break;
        logged.unshift(...wrapped);
    }
    lines.push(...logged);
    if (o.footer) lines.push("", ...o.footer.map((f) => paint("dim", f)));
    return lines.join("\n");
}

function nodeLines(state: WatchState, view: NodeView, paint: (s: Style, t: string) => string): string[] {
    const tick = view.tick;
    const shown = state.lab.mode === "802.3ad" ? [...OPTION_ORDER, ...LACP_OPTIONS] : OPTION_ORDER;
    const options = Object.entries(view.options)
        .filter(([k, v]) => shown.includes(k) && v !== "" && v !== "0")
        .sort(([a], [b]) => shown.indexOf(a) - shown.indexOf(b))
        .map(([k, v]) => `${k}=${v}`);
    const head =
        `${paint("bold", view.name)} ${view.bond} ${view.options.mode ?? state.lab.mode}` +
        (tick?.active ? `  active ${paint("cyan", tick.active)}` : "") +
        (tick?.aggregator ? `  aggregator ${tick.aggregator}` : "") +
        (options.length > 0 ? `  (${options.join(" ")})` : "");
    if (!tick) return [head, "  waiting for its agent..."];
    if (tick.error) return [head, paint("red", `  ${tick.error}`)];
    const lacp = state.lab.mode === "802.3ad";
    const rows = tick.slaves.map((s) => {
        const channel = state.lab.channels.find((c) => c.interfaces[view.name] === s.name)?.name ?? "?";
        const rate = view.rates[s.name];
        const cells = [
            (s.name === tick.active ? "*" : " ") + s.name,
            channel,
            s.admin === "up" ? "up" : paint("red", "DOWN"),
            s.carrier === null ? "-" : s.carrier ? "yes" : paint("red", "no"),
            s.mii === "up" ? "up" : paint("red", s.mii),
            String(s.failures),
            rate ? rate.tx.toFixed(1) : "-",
            rate ? rate.rx.toFixed(1) : "-",
        ];
        if (lacp)
            cells.push(
                s.aggregator ?? "-",
                `${s.actor ?? "-"} ${short(lacpBits(s.actor))}`,
                `${s.partner ?? "-"} ${short(lacpBits(s.partner))}`,
            );
        return cells;
    });
    const header = ["slave", "channel", "admin", "carrier", "MII", "fails", "tx/s", "rx/s"];
    if (lacp) header.push("agg", "actor state", "partner state");
    return [head, ...table([header, ...rows]).map((l) => `  ${l}`)];
}

/** LACP bits in a few letters: A activity, T short timeout, G aggregation, S sync, C collecting, D distributing, F defaulted, E expired. */
function short(bits: string[]): string {
    const letter: Record<string, string> = {
        activity: "A",
        "short-timeout": "T",
        aggregation: "G",
        synchronization: "S",
        collecting: "C",
        distributing: "D",
        defaulted: "F",
        expired: "E",
    };
    return bits.map((b) => letter[b]).join("");
}

/** Columns padded to their widest cell (colour codes do not count). */
function table(rows: string[][]): string[] {
    const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "").length;
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => visible(r[i] ?? ""))));
    return rows.map((r) => r.map((c, i) => c + " ".repeat(widths[i] - visible(c))).join("  "));
}

function wrap(text: string, width: number): string[] {
    const out: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line !== "" && line.length + 1 + word.length > width) {
            out.push(line);
            line = "    " + word;
        } else line = line === "" ? word : `${line} ${word}`;
    }
    if (line !== "") out.push(line);
    return out;
}

/** HH:MM:SS.mmm, UTC. */
export function clock(ms: number): string {
    if (!Number.isFinite(ms) || ms <= 0) return "--:--:--.---";
    return new Date(ms).toISOString().slice(11, 23);
}
