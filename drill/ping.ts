// Parses the output of iputils ping run with -D (every line starts with the receive time,
// [seconds.microseconds] of the clock of the machine ping runs on) and -n. Pure: the unit
// tests feed it outputs captured from the lab host.

export interface PingReply {
    /** icmp_seq, unwrapped past 65535 so that it keeps growing. */
    seq: number;
    /** When the reply arrived, ms since the epoch of the pinging machine's clock. */
    at: number;
    /** Round-trip time in ms. */
    rttMs: number;
}

export interface PingError {
    seq: number;
    at: number | null;
    /** e.g. "Destination Host Unreachable". */
    text: string;
}

export interface PingOutput {
    /** The address pinged, from the PING header line. */
    peer: string | null;
    /** The first reply to each probe, in arrival order. */
    replies: PingReply[];
    /** Replies beyond the first to the same probe (DUP!: broadcast mode sends on every channel). */
    duplicates: number;
    /** ICMP errors instead of replies. */
    errors: PingError[];
    /** From the summary line; null when ping did not print one (killed, not interrupted). */
    transmitted: number | null;
    received: number | null;
}

const REPLY = /^\[(\d+\.\d+)\]\s+\d+ bytes from [^:]+: icmp_seq=(\d+) ttl=\d+ time=([\d.]+) ms(.*)$/;
const ERROR = /^(?:\[(\d+\.\d+)\]\s+)?From \S+ icmp_seq=(\d+) (.+)$/;
const SUMMARY = /^(\d+) packets transmitted, (\d+) (?:packets )?received/;
const HEADER = /^PING \S+ \(([^)]+)\)/;

export function parsePing(text: string): PingOutput {
    const out: PingOutput = { peer: null, replies: [], duplicates: 0, errors: [], transmitted: null, received: null };
    const seen = new Set<number>();
    const unwrap = seqUnwrapper();
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        let m: RegExpMatchArray | null;
        if ((m = line.match(REPLY))) {
            const seq = unwrap(Number(m[2]));
            if (m[4].includes("DUP!") || seen.has(seq)) {
                out.duplicates++;
                continue;
            }
            seen.add(seq);
            out.replies.push({ seq, at: stampMs(m[1]), rttMs: Number(m[3]) });
        } else if ((m = line.match(ERROR))) {
            out.errors.push({ seq: unwrap(Number(m[2])), at: m[1] ? stampMs(m[1]) : null, text: m[3].trim() });
        } else if ((m = line.match(SUMMARY))) {
            out.transmitted = Number(m[1]);
            out.received = Number(m[2]);
        } else if ((m = line.match(HEADER))) {
            out.peer = m[1];
        }
    }
    return out;
}

/** "[1795661559.527099]" seconds to ms, fraction kept exact (microseconds). */
function stampMs(stamp: string): number {
    const [sec, frac = ""] = stamp.split(".");
    return Number(sec) * 1000 + Number(frac.padEnd(6, "0").slice(0, 6)) / 1000;
}

/** icmp_seq is 16 bits: after 65535 comes 0. Keeps the sequence growing across wraps. */
function seqUnwrapper(): (seq: number) => number {
    let base = 0;
    let last = -1;
    return (seq) => {
        let s = seq + base;
        // A jump back by more than half the space is a wrap, not a late reply.
        if (last >= 0 && s < last - 32768) {
            base += 65536;
            s += 65536;
        }
        last = Math.max(last, s);
        return s;
    };
}
