// The kernel's own moment of a change, on this machine's clock, for the live view's bench.
// A `date` stamp taken after `ip link set` returns comes too late on a loaded emulated VM (the
// page can show the change first); the kernel log's stamp is taken by the kernel as the change
// happens. Its clock (printk's local_clock, seconds since boot) is not /proc/uptime's (they were
// 40 ms apart nine minutes after boot), so the bench sets it against this machine's clock with
// markers written into the log itself: each is stamped by printk within a round trip that this
// machine times.
import { docker, StreamingExec } from "../drill/docker";

export interface KernelLine {
    /** printk's stamp: seconds since boot. */
    at: number;
    text: string;
}

/** busybox dmesg's lines ("[  540.342404] text"). */
export function parseKernelLog(log: string): KernelLine[] {
    return log.split("\n").flatMap((line) => {
        const m = /^\[\s*(\d+\.\d+)\]\s?(.*)$/.exec(line);
        return m ? [{ at: Number(m[1]), text: m[2] }] : [];
    });
}

const MARKER = "bondlab-bench-clock";

export interface ClockSample {
    n: number;
    /** This machine's clock when the marker was asked for and when its write was answered, ms. */
    sent: number;
    answered: number;
}

/**
 * This machine's clock minus the kernel log's, in ms, from the marker whose round trip was
 * shortest; the error is at most half of it. A marker missing from the log (/dev/kmsg drops
 * writes past its rate limit) is skipped.
 */
export function offsetFromMarkers(samples: ClockSample[], log: KernelLine[]): { offsetMs: number; errorMs: number } {
    let best = { offsetMs: NaN, errorMs: Infinity };
    for (const s of samples) {
        const line = log.find((l) => l.text === `${MARKER} ${s.n}`);
        const error = (s.answered - s.sent) / 2;
        if (line && error < best.errorMs)
            best = { offsetMs: (s.sent + s.answered) / 2 - line.at * 1000, errorMs: error };
    }
    if (!Number.isFinite(best.offsetMs)) throw new Error(`no ${MARKER} marker reached the kernel log`);
    return best;
}

/** Sets the kernel log's clock against this machine's, through a router (privileged: /dev/kmsg). */
export async function kernelLogClock(container: string, markers = 10): Promise<{ offsetMs: number; errorMs: number }> {
    const exec = new StreamingExec(container, [
        "sh",
        "-c",
        `while read -r n; do echo "${MARKER} $n" >/dev/kmsg; echo "$n"; done`,
    ]);
    const samples: ClockSample[] = [];
    try {
        for (let i = 0; i < markers; i++) {
            const n = Date.now() * 100 + i;
            const answered = new Promise<number>((resolve) =>
                exec.onLine((l) => l === String(n) && resolve(Date.now())),
            );
            const sent = Date.now();
            exec.send(String(n));
            samples.push({ n, sent, answered: await answered });
        }
    } finally {
        await exec.end();
    }
    return offsetFromMarkers(samples, parseKernelLog(await docker("exec", container, "dmesg")));
}

/** The first kernel line after `afterS` (printk seconds) that matches, or null. */
export async function kernelLineAfter(container: string, afterS: number, match: RegExp): Promise<KernelLine | null> {
    return (
        parseKernelLog(await docker("exec", container, "dmesg")).find((l) => l.at > afterS && match.test(l.text)) ??
        null
    );
}

/** The kernel log's last stamp: what comes after it is new. */
export async function kernelLogEnd(container: string): Promise<number> {
    return parseKernelLog(await docker("exec", container, "dmesg")).at(-1)?.at ?? 0;
}
