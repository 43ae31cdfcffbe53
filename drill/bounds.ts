// The outage a bond's options predict for a fault on one channel: pure arithmetic on the
// options in force, after Documentation/networking/bonding.rst. boundRules says the rules in
// words; each constant below names where in the kernel it comes from. A fault the monitor
// cannot see gives "never": the bond does not react at all.

export type FaultKind =
    /** `ip link set <slave> down` inside one router: its own carrier goes, the peer's stays. */
    | "admin-down"
    /** The channel loses carrier at both ends (a cut cable). */
    | "cut"
    /** The channel keeps carrier but drops every frame. */
    | "silent"
    /** The channel keeps carrier but drops every frame into one router; the other way works. */
    | "one-way"
    /** The channel comes back after a cut (failback). */
    | "return"
    /** The channel goes down and up again several times. */
    | "flap"
    /** The channel delays and loses part of the frames. */
    | "degrade";

export interface BondSettings {
    mode: string;
    miimon: number;
    updelay: number;
    downdelay: number;
    arpInterval: number;
    arpMissedMax: number;
    arpTargets: number;
    lacpRate: "fast" | "slow";
    primary: string | null;
    primaryReselect: string;
}

export type Bound =
    /** The outage should not exceed ms. */
    | { kind: "ms"; ms: number; formula: string }
    /** The monitor cannot see this fault: the outage lasts until the fault is repaired. */
    | { kind: "never"; formula: string }
    /** The mode needs no reaction: no outage expected. */
    | { kind: "none"; formula: string }
    /** No bound applies (a degraded link is not a failure to any monitor). */
    | { kind: "n/a"; formula: string };

type OptionValue = string | number | boolean | string[] | null | undefined;

/** Settings from options as the kernel shows them in sysfs ("fast 1", "100") or as a lab file gives them. */
export function bondSettings(options: Record<string, OptionValue>): BondSettings {
    const word = (k: string) => {
        const v = options[k];
        if (v === null || v === undefined) return "";
        return (Array.isArray(v) ? v.join(",") : String(v)).trim().split(/\s+/)[0] ?? "";
    };
    const int = (k: string, fallback: number) => {
        const n = Number.parseInt(word(k), 10);
        return Number.isFinite(n) ? n : fallback;
    };
    const targets = options.arp_ip_target;
    const arpTargets = Array.isArray(targets)
        ? targets.length
        : String(targets ?? "")
              .split(/[\s,]+/)
              .filter((t) => t !== "").length;
    const mode = word("mode") || "balance-rr";
    const arpInterval = int("arp_interval", 0);
    return {
        mode,
        // The kernel forces miimon 100 on 802.3ad, balance-tlb and balance-alb bonds without ARP monitoring.
        miimon: int("miimon", ["802.3ad", "balance-tlb", "balance-alb"].includes(mode) && arpInterval === 0 ? 100 : 0),
        updelay: int("updelay", 0),
        downdelay: int("downdelay", 0),
        arpInterval,
        arpMissedMax: int("arp_missed_max", 2),
        arpTargets,
        lacpRate: word("lacp_rate") === "fast" || word("lacp_rate") === "1" ? "fast" : "slow",
        primary: word("primary") || null,
        primaryReselect: word("primary_reselect") || "always",
    };
}

/**
 * The ARP monitor's slack: a slave is down once its last answer is older than arp_missed_max
 * intervals and a half (bond_time_in_interval in bond_main.c), seen at the next tick.
 */
export const ARP_MISSED_SLACK = 1.5;
/** An LACP partner is dropped after this many of its periods without a LACPDU (bond_3ad.c, AD_*_TIMEOUT_TIME). */
export const LACP_EXPIRE_PERIODS = 3;
/** The LACPDU period, seconds: lacp_rate fast and slow (AD_FAST_PERIODIC_TIME, AD_SLOW_PERIODIC_TIME). */
export const LACP_PERIOD_S = { fast: 1, slow: 30 } as const;
/** Heard one way, the deaf end defaults this long after its partner expired (AD_SHORT_TIMEOUT_TIME). */
export const LACP_DEFAULT_S = 3;
/** A returning 802.3ad port joins the aggregator only after this wait (AD_AGGREGATE_WAIT_TIME in bond_3ad.c). */
export const LACP_AGGREGATE_WAIT_MS = 2000;
/**
 * The 802.3ad state machines run once per tick (AD_TIMER_INTERVAL, 100 ms, in
 * include/net/bond_3ad.h: bond_3ad_state_machine_handler re-queues itself every
 * ad_delta_in_ticks), the rx and mux machines in the same pass: a LACPDU that changes the
 * partner's state moves the port at the next tick.
 */
export const LACP_TICK_MS = 100;
/**
 * At most AD_MAX_TX_IN_SECOND (3) LACPDUs a second: ad_tx_machine sends a LACPDU that is due
 * (ntt) only every ad_ticks_per_sec / AD_MAX_TX_IN_SECOND ticks, 10 / 3 = 3 ticks, 300 ms
 * (bond_3ad.c in Debian 12's 6.1; newer kernels count it in jiffies to the same end).
 */
export const LACP_TX_GAP_MS = Math.floor(1000 / LACP_TICK_MS / 3) * LACP_TICK_MS;

export type Monitor = "arp" | "mii" | "none";

export function monitorOf(s: BondSettings): Monitor {
    if (s.arpInterval > 0 && s.arpTargets > 0) return "arp";
    if (s.miimon > 0) return "mii";
    return "none";
}

/** How one router sees a fault on the channel. */
type View = "own-down" | "far-down" | "no-carrier" | "silent";

type Detection = { ms: number | null; formula: string };

/** When one router leaves the broken channel, if ever. */
function detect(s: BondSettings, view: View, router: string): Detection {
    const monitor = monitorOf(s);
    if (monitor === "arp") return arpDetection(s);
    if (monitor === "mii" && (view === "own-down" || view === "no-carrier"))
        return { ms: s.miimon + s.downdelay, formula: `miimon ${s.miimon} + downdelay ${s.downdelay}` };
    if (s.mode === "802.3ad") {
        const period = LACP_PERIOD_S[s.lacpRate];
        return {
            ms: LACP_EXPIRE_PERIODS * period * 1000,
            formula: `LACP ${s.lacpRate}: ${LACP_EXPIRE_PERIODS} x ${period} s`,
        };
    }
    if (monitor === "none") return { ms: null, formula: `no link monitor on ${router} (miimon 0, no arp_interval)` };
    return {
        ms: null,
        formula:
            view === "far-down"
                ? `never: ${router}'s MII monitor sees only its own carrier, which the bridge keeps up`
                : `never: the MII monitor reads carrier, which the channel keeps`,
    };
}

/**
 * The ARP monitor: missed probes (the last answer came up to an interval before the fault), then
 * in active-backup a tick more: over one wire per channel the backup hears nothing and is down
 * too, so the kernel (bond_ab_arp_probe) first probes it and takes it on the next tick.
 */
function arpDetection(s: BondSettings): { ms: number; formula: string } {
    const missed = {
        ms: s.arpInterval * (s.arpMissedMax + ARP_MISSED_SLACK),
        formula: `arp_interval ${s.arpInterval} x (arp_missed_max ${s.arpMissedMax} + ${ARP_MISSED_SLACK})`,
    };
    if (s.mode !== "active-backup") return missed;
    return { ms: missed.ms + s.arpInterval, formula: `${missed.formula} + ${s.arpInterval} to probe the idle backup` };
}

function combine(detections: Detection[]): Bound {
    const never = detections.find((d) => d.ms === null);
    if (never) return { kind: "never", formula: never.formula };
    const worst = detections.reduce((a, b) => ((b.ms ?? 0) > (a.ms ?? 0) ? b : a));
    const formulas = [...new Set(detections.map((d) => d.formula))];
    return { kind: "ms", ms: worst.ms!, formula: formulas.length === 1 ? formulas[0] : `max(${formulas.join("; ")})` };
}

/** The router a row's fault is aimed at: whose slave goes down, or which hears nothing. */
export function routerHit(row: { downedBy?: string; deafRouter?: string }): string | undefined {
    return row.downedBy ?? row.deafRouter;
}

/**
 * The outage bound for a fault on one channel of a two-router bond. `routers` are both;
 * `downedBy` names the router the fault hits: whose slave goes down in an "admin-down" fault,
 * which hears nothing in a "one-way" fault.
 */
export function predictBound(
    s: BondSettings,
    fault: FaultKind,
    routers: readonly [string, string],
    downedBy?: string,
    /** The channels share one segment: frames follow a MAC to whichever port it moved to. */
    shared = false,
): Bound {
    if (s.mode === "broadcast") {
        return {
            kind: fault === "degrade" ? "n/a" : "none",
            formula: "broadcast: every frame also crosses the other channel",
        };
    }
    switch (fault) {
        case "admin-down": {
            // On one segment the far router need not notice: the switch carries its frames to
            // the port the near router's MAC moved to. Only the near router's own monitor counts.
            if (shared && downedBy) {
                const own = detect(s, "own-down", downedBy);
                return combine([
                    { ...own, formula: `${own.formula} on ${downedBy} (one segment: the peer need not notice)` },
                ]);
            }
            const views = routers.map((r) => detect(s, r === downedBy ? "own-down" : "far-down", r));
            return combine(views);
        }
        case "cut":
            return combine(routers.map((r) => detect(s, "no-carrier", r)));
        case "silent":
            return combine(routers.map((r) => detect(s, "silent", r)));
        case "one-way":
            return oneWayBound(s, downedBy ?? routers[1], shared);
        case "return":
            return returnBound(s);
        case "flap": {
            const down = combine(routers.map((r) => detect(s, "no-carrier", r)));
            const up = returnBound(s);
            if (down.kind !== "ms") return down;
            const upMs = up.kind === "ms" ? up.ms : 0;
            return upMs > down.ms ? { kind: "ms", ms: upMs, formula: up.formula } : down;
        }
        case "degrade":
            return {
                kind: "n/a",
                formula:
                    monitorOf(s) === "arp"
                        ? "no bound: loss fails over only when arp_missed_max probes in a row go unanswered"
                        : `no bound: ${s.mode === "802.3ad" ? "carrier and LACPDUs stay" : "carrier stays"}, ` +
                          "no monitor acts on delay or partial loss",
            };
    }
}

/**
 * Frames into `deaf` are lost, its own still cross. Only its monitor can notice (the peer hears
 * it as before); LACP then tells the peer in its next LACPDU. Over one wire per channel an
 * active-backup ARP monitor never gets out (measured: docs/how-it-is-built.md, "A silence one way only"): with no
 * slave answering, the deaf router probes out of each in turn, its probes out of the deaf
 * channel keep the peer's slave there validated, and the peer answers them out of that slave,
 * into the loss. Those out of the other slave reach the peer's inactive slave, which passes
 * them to nothing but handlers bound to it (bond_should_deliver_exact_match in bond_main.c):
 * the peer's ARP never sees them.
 */
function oneWayBound(s: BondSettings, deaf: string, shared: boolean): Bound {
    if (monitorOf(s) === "arp" && s.mode === "active-backup" && !shared) {
        return {
            kind: "never",
            formula:
                `never: ${deaf}'s ARP probes still cross the channel and hold the peer on it, ` +
                "and the peer answers them over it, into the loss (one wire per channel)",
        };
    }
    if (s.mode === "802.3ad") {
        // The deaf end stops distributing once the partner expires, but goes on claiming sync
        // until it defaults a short timeout later (bond_3ad.c, AD_RX_EXPIRED); only then do
        // its LACPDUs take the peer off the port. Measured: sync kept in state 143, dropped in 71.
        // The LACPDU that drops sync may wait out the transmit limit, and the peer detaches
        // the port at its next tick.
        const period = LACP_PERIOD_S[s.lacpRate];
        return {
            kind: "ms",
            ms: (LACP_EXPIRE_PERIODS * period + LACP_DEFAULT_S) * 1000 + LACP_TX_GAP_MS + LACP_TICK_MS,
            formula:
                `LACP ${s.lacpRate}: ${LACP_EXPIRE_PERIODS} x ${period} s until ${deaf}'s partner expires ` +
                `+ ${LACP_DEFAULT_S} s until it defaults + ${LACP_TX_GAP_MS} ms LACPDU transmit limit ` +
                `+ ${LACP_TICK_MS} ms the peer's tick`,
        };
    }
    const own = detect(s, "silent", deaf);
    return combine([own.ms === null ? own : { ...own, formula: `${own.formula} on ${deaf}` }]);
}

/**
 * The earliest a returning slave can carry traffic again, ms after its carrier came back:
 * the MII monitor takes it after updelay; an 802.3ad port then waits for the aggregate-wait
 * timer (ad_port_selection_logic / ad_mux_machine in bond_3ad.c) before it distributes.
 */
export function rejoinEarliestMs(s: BondSettings): number {
    return s.updelay + (s.mode === "802.3ad" ? LACP_AGGREGATE_WAIT_MS : 0);
}

/** What taking a returning channel back may cost: the failback bound. */
export function returnBound(s: BondSettings): Bound {
    const monitor = monitorOf(s);
    // The bond keeps its traffic on the backup when the channel returns: nothing to fail back.
    const staysOnBackup =
        s.mode === "active-backup"
            ? !s.primary || s.primaryReselect === "failure"
            : ["balance-tlb", "balance-alb"].includes(s.mode) && s.primary !== null && s.primaryReselect === "failure";
    if (staysOnBackup) {
        return {
            kind: "none",
            formula: s.primary
                ? "primary_reselect failure: traffic stays on the backup"
                : "no primary: traffic stays where it is",
        };
    }
    if (monitor === "arp") return { kind: "ms", ...arpDetection(s) };
    if (monitor === "none") return { kind: "never", formula: "no link monitor: a returning slave is never seen" };
    if (s.mode === "802.3ad") {
        // The flow moves once the returning port distributes at one end (ad_mux_machine,
        // COLLECTING_DISTRIBUTING); the other end collects on it only when the LACPDU saying
        // so has come (transmit limit) and its next tick has run: frames sent in between are lost.
        return {
            kind: "ms",
            ms: LACP_TX_GAP_MS + LACP_TICK_MS,
            formula: `LACP: ${LACP_TX_GAP_MS} ms LACPDU transmit limit + ${LACP_TICK_MS} ms the peer's tick`,
        };
    }
    return { kind: "ms", ms: s.miimon + s.updelay, formula: `miimon ${s.miimon} + updelay ${s.updelay}` };
}

/** The tolerance of the comparison: a gap between replies exceeds the outage by up to two probe intervals. */
export function boundExceeded(bound: Bound, outageMs: number, probeIntervalMs: number): boolean {
    const slack = 2 * probeIntervalMs;
    if (bound.kind === "ms") return outageMs > bound.ms + slack;
    if (bound.kind === "none") return outageMs > slack;
    return false;
}

export function formatBound(bound: Bound): string {
    if (bound.kind === "ms") return `${bound.ms} ms`;
    // "never" and "n/a" are their own words.
    return bound.kind === "none" ? "0 ms" : bound.kind;
}

/**
 * The rules predictBound applies, in words, with the constants it computes with: the report's
 * "How it is measured" states these, so it cannot drift from the bounds the rows are judged by.
 */
export function boundRules(): string[] {
    const lacp = (rate: "fast" | "slow") => `${LACP_EXPIRE_PERIODS} x ${LACP_PERIOD_S[rate]} s (${rate})`;
    return [
        "MII: `miimon + downdelay` (failback `miimon + updelay`), seeing only its own carrier",
        `ARP: \`arp_interval x (arp_missed_max + ${ARP_MISSED_SLACK})\`, ` +
            "in active-backup `+ arp_interval` to probe the idle backup",
        `LACP: the partner expires after ${lacp("fast")} or ${lacp("slow")}; ` +
            `heard one way, \`+ ${LACP_DEFAULT_S} s\` until the deaf end defaults ` +
            `\`+ ${LACP_TX_GAP_MS} ms\` LACPDU transmit limit \`+ ${LACP_TICK_MS} ms\` the peer's tick; ` +
            `failback \`${LACP_TX_GAP_MS} + ${LACP_TICK_MS} ms\``,
        '"never" where the monitor cannot see the fault; ' +
            "0 where the mode needs no reaction (broadcast, a failback that stays on the backup)",
    ];
}
