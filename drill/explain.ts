// "Why did the ping stop?": one or two sentences in plain words for a row that failed (no
// recovery, loss that stays, or an outage beyond the bound), and for the degraded-link rows
// what the mode did with the bad channel. Pure: built from the row's own measurements.

import { slaveIn } from "../components/handle";
import { BondSettings, formatBound, monitorOf } from "./bounds";
import { DrillLab, onOneSegment } from "./lab";
import { failoverOutageMs, harnessSkewMs, settleMsOf } from "./outage";
import type { RowResult } from "./result";
import { FIX, INACTIVE_DROP, INTO_NOBODY, blindFarEnd, sentWhereNotReceived } from "./wording";

/** What recovers from a channel silent one way: see the lacp row of the one-way scenario. */
const LACP_HEARS =
    "LACP (lacp) recovers: once the deaf end's partner has expired and defaulted, it tells the peer to leave the channel.";

export function explain(row: RowResult, s: BondSettings, lab: DrillLab): string | null {
    const text = explainRow(row, s, lab);
    // A failure seen in one direction only is said so, whatever the cause.
    const one = oneDirectionFacts(row);
    if (text && row.verdict === "fail" && row.outcome !== "dead-before-fault" && one && !text.includes("one direction"))
        return `${text} Probes were lost in one direction only: ${one}.`;
    return text;
}

function explainRow(row: RowResult, s: BondSettings, lab: DrillLab): string | null {
    if (row.verdict === "error") return row.error ?? null;
    if (row.outcome === "dead-before-fault") return deadBefore(row, lab);
    if (row.outcome === "not-tested") return notTested(row);
    if (row.fault === "degrade") return degraded(row, s, lab);
    if (row.verdict !== "fail") return null;
    const late = row.reasons.find((r) => r.startsWith("late loss:"));
    if (late && row.outcome === "recovered") return lateLoss(row, s, lab, late);
    // The row's other failures, if any, first; then the one that came after them.
    const then = (reason: string, last: string, as: Partial<RowResult> = {}) => {
        const others = row.reasons.filter((r) => r !== reason);
        const before = others.length > 0 ? explainRow({ ...row, ...as, reasons: others }, s, lab) : null;
        return [before, last].filter(Boolean).join(" Then: ");
    };
    const failback = row.reasons.find((r) => r.startsWith("failback beyond its bound:"));
    if (failback && row.outcome === "recovered") return then(failback, failedBack(row, s, lab, failback));
    const relapse = row.reasons.find((r) => r.startsWith("relapse:"));
    if (relapse && row.outcome === "recovered") {
        // The other failure is the failover's: explain it with the failover's own outage.
        const directions = Object.values(row.directions);
        const outageMs = failoverOutageMs(directions, row.times?.faultEnd ?? 0, settleMsOf(row.bound));
        return then(relapse, relapsed(row, s, lab, relapse), { outageMs });
    }
    const ch = row.channel.interface;
    const channel = row.channel.name;
    const monitor = monitorOf(s);
    const lacp = s.mode === "802.3ad";
    const slave = (router: string) => slaveIn(row.channel, router);
    const sends = (router: string) => row.routers[router]?.txAfter.split("+").includes(slave(router)) ?? false;
    const notRecovered = row.outcome === "down" || row.outcome === "partial";

    if (notRecovered && row.fault === "admin-down" && monitor === "mii" && !lacp) {
        const nearName = row.downedBy ?? lab.routers[1].name;
        const far = peerOf(lab, nearName);
        const evidence = sends(far) ? `, and ${far} kept sending on ${slave(far)}` : "";
        const blind = blindFarEnd(far, slave(far));
        switch (s.mode) {
            case "active-backup":
                return (
                    `${nearName} left ${slave(nearName)}, but ${blind}${evidence}, ${INTO_NOBODY}` +
                    `${receiveSide(row, nearName, far)} ${isolation(row, lab, nearName, far)}${noPrimary(s, nearName, ch)} ${FIX}`
                );
            case "balance-rr":
                return (
                    `${blind}, so ${far} keeps sending every other packet into ${channel}: ` +
                    `about half the probes are lost until ${ch} is back. ${FIX}`
                );
            case "balance-xor":
                return (
                    `${blind}, and the ping's flow hashes to ${slave(far)} on ${far}: ` +
                    `every packet of it is lost until ${ch} is back${oneDirection(row)}. ${FIX}`
                );
            default:
                return (
                    `${blind}, so ${far} keeps sending part of the traffic to ${nearName} on ${slave(far)}` +
                    `${row.outcome === "partial" ? " (part of the probes are lost)" : ""}. ${FIX}`
                );
        }
    }
    if (notRecovered && row.fault !== "admin-down" && row.fault !== "silent") {
        const astray = sentAstray(row, s, lab, "since the cut");
        if (astray) return astray;
    }
    if (notRecovered && row.fault === "one-way") {
        const text = oneWay(row, s, lab);
        if (text) return text;
    }
    if (notRecovered && row.fault === "silent" && monitor === "mii" && !lacp) {
        return (
            `${channel} kept its carrier while dropping every frame, and the MII monitor reads only carrier: neither router left ${ch}` +
            `${row.outcome === "partial" ? ", so the traffic it carries is lost" : ""}. ${FIX}`
        );
    }
    if (notRecovered && monitor === "none") {
        return `The bond has no link monitor (miimon 0, no arp_interval): it never notices a broken slave.`;
    }
    if (notRecovered && row.fault === "return") {
        return (
            `After ${ch} came back the path did not recover within ${row.window.postS} s: ` +
            "the two routers disagree about which channel to use."
        );
    }
    if (notRecovered) {
        const bound =
            row.bound.kind === "ms" ? ` (the options predict ${formatBound(row.bound)}: ${row.bound.formula})` : "";
        const loss = Object.entries(row.directions).map(([dir, d]) => `${dir} lost ${d.tailLossPct}% at the end`);
        return `No steady path within the ${row.window.postS} s watched after the fault${bound}; ${loss.join(", ")}.`;
    }
    if (row.exceeded) {
        const beyond =
            row.bound.kind === "ms"
                ? `${Math.round(row.outageMs)} ms of outage, beyond the ${row.bound.ms} ms the options predict ` +
                  `(${row.bound.formula}) plus two probe intervals`
                : `${Math.round(row.outageMs)} ms of outage where the mode should lose nothing (${row.bound.formula})`;
        return `${beyond}: ${exceededCause(row, s)}`;
    }
    return null;
}

/**
 * A channel that stopped delivering to one router only, where the monitor cannot see it: the
 * ARP monitor of active-backup over one wire per channel (docs/how-it-is-built.md, "A silence one way only"),
 * or an MII monitor. Null for the rest, which the general explanations cover.
 */
function oneWay(row: RowResult, s: BondSettings, lab: DrillLab): string | null {
    const deaf = row.deafRouter ?? lab.routers[1].name;
    const peer = peerOf(lab, deaf);
    const [ch, peerSlave] = [slaveIn(row.channel, deaf), slaveIn(row.channel, peer)];
    const lost = `Every frame into ${deaf}'s ${ch} was lost while its own frames still crossed ${row.channel.name}`;
    const monitor = monitorOf(s);
    if (monitor === "arp" && s.mode === "active-backup") {
        const ended = (router: string) => row.routers[router]?.after?.active;
        const facts =
            `${deaf} ended with ${ended(deaf) ? `${ended(deaf)} active` : "no active slave"}, ` +
            `${peer} on ${ended(peer) ?? "no slave"}`;
        return (
            `${lost}. ${deaf}'s ARP monitor gave ${ch} up and, with no slave answering, probed out of each in turn: ` +
            `its probes out of ${ch} still reached ${peer} and kept ${peer}'s ${peerSlave} validated, and ${peer} answered ` +
            `them out of ${peerSlave}, into the loss (${facts}). The probes out of the other slave reached ${peer}'s ` +
            "inactive slave, where an active-backup bond passes a frame only to what is bound to that very slave " +
            "(bond_should_deliver_exact_match in bond_main.c): they never reached its ARP, so nothing answered them. " +
            `Over one wire per channel nothing else carries an answer; verify names this state. ${LACP_HEARS}`
        );
    }
    if (monitor === "mii" && s.mode !== "802.3ad") {
        return `${lost}, and the MII monitor reads only carrier, which the channel kept: neither router left ${ch}. ${LACP_HEARS}`;
    }
    return null;
}

/**
 * What the far router did with the near one's frames on the near one's new slave, from the
 * far router's receive counters: an active-backup bond drops what arrives on an inactive
 * slave (all_slaves_active 0), the failover's gratuitous ARP included.
 */
function receiveSide(row: RowResult, near: string, far: string): string {
    const moved = row.routers[near]?.after?.active;
    const farView = row.routers[far]?.after;
    const arrived = moved && farView ? (farView.rx[moved] ?? 0) : 0;
    if (!moved || !farView || farView.active === moved || arrived === 0) return "";
    return (
        ` In the row's last ${(farView.ms / 1000).toFixed(1)} s ${far} received ${arrived} frames from ${near} on ${moved}, ` +
        `its inactive slave, and dropped them: ${INACTIVE_DROP}. ` +
        // The window is the row's last snapshots, seconds after the failover: its count cannot hold that ARP.
        `The gratuitous ARP ${near} sent at failover, before that window, arrived the same way and is not in the count.`
    );
}

/** Without primary, the course's follow-up: the slave's return does not bring the bond back to it. */
function noPrimary(s: BondSettings, near: string, ch: string): string {
    if (s.primary) return "";
    return (
        ` Without primary, bringing ${ch} back does not help either: nothing moves ${near}'s bond back to it, ` +
        "so the two routers stay on different channels (the seed replay measures it: docs/drill/seed-replay.md)."
    );
}

/** Why a real network may behave otherwise: the channels are isolated wires, real NICs drop carrier. */
function isolation(row: RowResult, lab: DrillLab, near: string, far: string): string {
    // On a shared segment the channels are not isolated: that claim would be false there.
    if (onOneSegment(lab)) return "";
    const moved = row.routers[near]?.after?.active ?? "its other slave";
    return (
        `The root cause is isolation: each channel is a wire of its own, so only carrier could have told ${far}. ` +
        `On one switch carrying both channels, that gratuitous ARP would move ${near}'s MAC to the port of its ${moved} ` +
        "and the ping would survive; and real NICs wired back to back usually lose carrier at both ends when one is set down " +
        "(it depends on the driver), which makes this fault a cut cable."
    );
}

/** The Docker host's load when the row began, as a fact beside an unmeasured cause ("" when not recorded). */
function loadText(row: RowResult): string {
    // Older reports lack the load: undefined as well as null.
    return row.load == null ? "" : ` (the Docker host's load average was ${row.load} as the row began)`;
}

function exceededCause(row: RowResult, s: BondSettings): string {
    const monitor = monitorOf(s);
    const parts: string[] = [];
    const skew = harnessSkewMs(row.fault, row.times?.skewMs ?? null, row.outageMs, row.probeIntervalMs);
    if (skew > 0) {
        const rest = Math.max(0, Math.round(row.outageMs - skew));
        parts.push(
            `the two ends of the cable changed ${skew} ms apart ` +
                "(one ip process changes them one after the other, slowly on the busy emulated VM), " +
                `and until both ends have changed the routers disagree about the channel; the outage without that skew, ${rest} ms, is ` +
                `${row.bound.kind === "ms" && rest <= row.bound.ms + 2 * row.probeIntervalMs ? "within" : "still beyond"} the bound.`,
        );
        if (row.bound.kind === "ms" && rest <= row.bound.ms + 2 * row.probeIntervalMs) return parts.join(" ");
    }
    if (row.fault === "return") {
        if (s.mode === "active-backup" || s.mode === "balance-tlb") {
            parts.push(
                "each router takes the returning slave back on its own monitor tick; " +
                    "frames the first one sends on it reach the other router's still inactive slave and are dropped until it follows.",
            );
        } else if (s.mode === "balance-alb") {
            // alb receives on every slave (peers are spread by ARP), so no inactive slave drops them.
            const active = Object.entries(row.routers).map(
                ([name, v]) => `${name} ${v.after?.active ?? "?"} (sent on ${v.txAfter}, received on ${v.rxAfter})`,
            );
            parts.push(
                `after the channel came back the routers ended with active slaves ${active.join(", ")}; ` +
                    "balance-alb receives on every slave, so these counters do not show what held the path up.",
            );
        } else {
            parts.push(
                "the routers take the returning slave back at different moments, " +
                    "and frames sent on it before the far end uses it are dropped.",
            );
        }
    } else if (monitor === "arp") {
        parts.push(
            "the ARP monitor acts only on its ticks (give the slave up, probe the backup, take the backup: one tick each, " +
                "bond_ab_arp_inspect and bond_ab_arp_probe in bond_main.c), which the bound counts; " +
                `what took longer is not in the row's counters: cause not measured${loadText(row)}.`,
        );
    } else if (s.mode === "802.3ad" && ["admin-down", "silent", "one-way"].includes(row.fault)) {
        parts.push(
            // bond_3ad_state_machine_handler runs the rx machine (whose current_while timer
            // expires the partner) and the mux machine (which detaches the port) in one pass.
            "the partner expires when its LACPDUs' timer runs out (ad_rx_machine in bond_3ad.c), and the same 100 ms tick " +
                "detaches the port (ad_mux_machine), so the ticks add nothing beyond the bound: cause not measured " +
                "(the row does not record when each end moved the flow).",
        );
    } else if (s.mode === "balance-tlb" || s.mode === "balance-alb") {
        parts.push(
            "after the MII monitor drops the slave, the peer learns the new receiving slave only from the ARP updates the bond sends.",
        );
    } else {
        parts.push(
            "the MII monitor reads carrier every miimon ms (bond_mii_monitor, deferred work in bond_main.c), which the bound " +
                `counts; the row does not record when each router's monitor saw the change: cause not measured${loadText(row)}.`,
        );
    }
    if (row.fault === "flap") parts.push(`(${row.times?.cuts.length ?? 0} cuts; the longest outage counts.)`);
    // Each part is a sentence; all but the first start one.
    return parts.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join(" ");
}

/**
 * balance-tlb and -alb receive only on the active slave but send on any slave they choose by
 * load: with one wire per channel, what a router sends on another slave reaches only the
 * peer's inactive one and is dropped. The explanation when that is what happened; else null.
 */
function sentAstray(row: RowResult, s: BondSettings, lab: DrillLab, when?: string): string | null {
    if (s.mode !== "balance-tlb" && s.mode !== "balance-alb") return null;
    const astray = sendingAstray(row, lab, "after");
    if (astray.length === 0) return null;
    const active = row.routers[lab.routers[0].name]?.after?.active ?? "?";
    const tx = astray[0].tx;
    return (
        `${s.mode} receives only on its active slave (${active}${when ? ` ${when}` : ""}) but spreads what it sends over every slave: ` +
        `${astray.map((r) => r.name).join(" and ")} sent the probes on ${tx}, a wire that reaches only the peer's inactive ${tx}, ` +
        "where they are dropped. tlb and alb assume one switch behind all slaves; with one wire per channel each router must send " +
        "where the peer receives (active-backup with a primary, or LACP)."
    );
}

function degraded(row: RowResult, s: BondSettings, lab: DrillLab): string {
    const ch = row.channel.interface;
    const dirs = Object.values(row.directions);
    if (dirs.length === 0) return "";
    const lossPct = Math.max(...dirs.map((d) => d.lossAfterFaultPct));
    const rtt = dirs.map((d) => d.rttAfter?.p50 ?? 0);
    const reordered = dirs.reduce((n, d) => n + d.reordered, 0);
    const onCh = Object.entries(row.routers).some(([name, v]) =>
        v.txAfter.split("+").includes(slaveIn(row.channel, name)),
    );
    const answered = dirs.some((d) => d.rttAfter !== null);
    const facts = answered
        ? `p50 round trip ${Math.max(...rtt).toFixed(1)} ms, ${lossPct}% of probes lost, ${reordered} replies out of order`
        : "no probe was answered after the fault";
    // tlb rebalances what it sends by load: the loss may come from that, not from netem.
    const astray = sentAstray(row, s, lab);
    // The loss is the bond sending where the peer does not receive, not netem's share of it.
    if (astray)
        return (
            `More than the degradation: ${facts}${row.open ? ", and an outage still open at the end" : ""}. ` + astray
        );
    switch (s.mode) {
        case "balance-rr":
            return `Round-robin keeps sending every other packet over the bad channel: ${facts}; no monitor reacts to delay or loss.`;
        case "broadcast":
            return `Every frame also crosses the good channel, so the first copy wins: ${facts}.`;
        case "802.3ad":
        case "balance-xor":
            return (
                `The ping's flow hashes to ${onCh ? `${ch}, the bad channel` : "the good channel"}: ${facts}; ` +
                `${s.mode === "802.3ad" ? "LACPDUs and carrier stay" : "carrier stays"}, nothing moves the flow.`
            );
        case "active-backup":
            return monitorOf(s) === "arp"
                ? `${onCh ? `The active ${ch} is the bad channel` : "Traffic left the bad channel"}: ${facts}; ` +
                      "the ARP monitor leaves a lossy slave only when arp_missed_max probes in a row go unanswered."
                : `${onCh ? `The active ${ch} carries everything over the bad channel` : "The active slave is on the good channel"}: ` +
                      `${facts}; the MII monitor sees carrier only and ignores it.`;
        default:
            return (
                `${onCh ? `Part of the traffic crosses the bad channel` : "The traffic avoids the bad channel"}: ${facts}; ` +
                "the MII monitor sees carrier only."
            );
    }
}

/**
 * A row whose path was dead before the fault, though verify had passed before the row: a
 * failure of the variant in its steady state. The evidence: how long no reply came, and what
 * each router's counters say it sent and received, on which active slave.
 */
function deadBefore(row: RowResult, lab: DrillLab): string {
    const reason = row.reasons.find((r) => r.startsWith("dead before the fault:")) ?? "";
    const what = reason.replace(/^dead before the fault: /, "");
    const facts = lab.routers
        .map((r) => ({ name: r.name, v: row.routers[r.name] }))
        .filter(({ v }) => v)
        .map(
            ({ name, v }) =>
                `${name} sent on ${v.txBefore} and received on ${v.rxBefore}` +
                `${v.before?.active ? ` (active slave ${v.before.active})` : ""}`,
        );
    // A router that sent where the peer's active slave is not: its frames reach an inactive slave.
    const astray = sendingAstray(row, lab, "before").map((a) =>
        sentWhereNotReceived(a.name, a.tx, a.peer, a.peerActive),
    );
    return (
        `The path was dead before the fault, though verify had passed before the row: ${what}` +
        `${facts.length > 0 ? `; before the fault ${facts.join(", ")}` : ""}.` +
        `${astray.length > 0 ? ` ${astray.join("; ")}.` : ""} ` +
        "The variant failed in its steady state, so the row measures nothing about its fault."
    );
}

/** The routers that sent, before or after the fault, on slaves other than the peer's active one. */
function sendingAstray(row: RowResult, lab: DrillLab, when: "before" | "after") {
    return lab.routers.flatMap(({ name }) => {
        const peer = peerOf(lab, name);
        const peerActive = row.routers[peer]?.[when]?.active;
        const tx = row.routers[name]?.[when === "before" ? "txBefore" : "txAfter"] ?? "-";
        return peerActive && tx !== "-" && !tx.split("+").includes(peerActive) ? [{ name, tx, peer, peerActive }] : [];
    });
}

function peerOf(lab: DrillLab, router: string): string {
    return lab.routers.find((r) => r.name !== router)!.name;
}

/** A row whose probes never crossed the channel it names: its numbers say nothing about it. */
function notTested(row: RowResult): string {
    const reason = row.reasons.find((r) => r.startsWith("not tested:")) ?? "";
    const why = reason.replace(/^not tested: /, "");
    const ch = row.channel.interface;
    return row.fault === "return"
        ? `Not tested: ${why}, so the row says nothing about taking ${ch} back` +
              // Only the hashing modes pin the ping's one flow to a channel (bond_xmit_hash).
              (["balance-xor", "802.3ad"].includes(row.mode)
                  ? "; the probes' one flow hashes to the other channel, and a 0 ms outage there is no failback."
                  : ".")
        : `Not tested: ${why}, so the fault on ${ch} did not hit them and the row says nothing about it.`;
}

/** A flow failing back onto the returning slave, beyond the failback bound: when, and the counters that show it. */
function failedBack(row: RowResult, s: BondSettings, lab: DrillLab, reason: string): string {
    const ch = row.channel.interface;
    const what = reason.replace(/^failback beyond its bound: /, "");
    const last = Math.max(0, ...(row.times?.backs ?? []));
    const sent = lab.routers
        .map((r) => ({ name: r.name, v: row.routers[r.name], own: slaveIn(row.channel, r.name) }))
        .map(({ name, v, own }) => `${name} sent ${v?.after?.tx[own] ?? 0} frames on ${own}`)
        .join(", ");
    return (
        `The failover held; ${(last / 1000).toFixed(1)} s after the fault ${ch} was back for the last time, and the ` +
        `flow later failed back onto it: ${what}. At the end of the window both routers sent on it (${sent}).` +
        lacpRejoin(row, s)
    );
}

/** "(link failures in the row: inetRouter eth1 4, eth2 0; centralRouter ...).", and for LACP why a returning port waits. */
function linkFailures(row: RowResult, s: BondSettings, lab: DrillLab): string {
    const counts = lab.routers.map((r) => {
        const failures = Object.entries(row.routers[r.name]?.failures ?? {}).map(([k, n]) => `${k} ${n}`);
        return `${r.name} ${failures.join(", ")}`;
    });
    return `(link failures in the row: ${counts.join("; ")}).${lacpRejoin(row, s)}`;
}

/** The path held through the fault and broke once it had settled: when, and what the counters show. */
function lateLoss(row: RowResult, s: BondSettings, lab: DrillLab, reason: string): string {
    const ch = row.channel.interface;
    const when = reason.replace(/^late loss: held through the fault, then /, "");
    return `The path held through the fault, then was ${when}, after ${ch}'s last change had settled ${linkFailures(row, s, lab)}`;
}

/** 802.3ad: a port that comes back joins the aggregator only after the aggregate-wait timer. */
function lacpRejoin(row: RowResult, s: BondSettings): string {
    if (s.mode !== "802.3ad" || (row.fault !== "return" && row.fault !== "flap")) return "";
    return (
        ` A returning port joins the aggregator only after LACP's 2 s aggregate-wait timer (AD_AGGREGATE_WAIT_TIME in bond_3ad.c), ` +
        `which fits the timing: the likely cause is one end distributing on ${row.channel.interface} before the other collects there, ` +
        "so the frames hashed onto it are lost until both ends agree."
    );
}

/** A recovery that did not hold: who went back to the failed channel, by its own counters. */
function relapsed(row: RowResult, s: BondSettings, lab: DrillLab, reason: string): string {
    const ch = row.channel.interface;
    const first = Object.values(row.directions)
        .map((d) => d.outages.find((o) => o.to !== null))
        .filter((o) => o !== undefined);
    const recovered =
        first.length > 0 ? ` after an outage of ${Math.round(Math.max(...first.map((o) => o!.ms)))} ms` : "";
    const again = reason.replace(/^relapse: /, "");
    if (row.fault === "flap" || row.fault === "return") {
        // The channel is back at the end of these faults: nothing to go back to, only churn.
        return (
            `The path came back${recovered}, then was ${again}, after ${ch}'s last change had settled: ` +
            `the bond changed slaves once more ${linkFailures(row, s, lab)}`
        );
    }
    const back = lab.routers
        .map((r) => ({ name: r.name, v: row.routers[r.name], own: slaveIn(row.channel, r.name) }))
        .filter(({ v, own }) => v && (v.after?.tx[own] ?? 0) > 0 && v.txBefore.split("+").includes(own));
    if (back.length > 0) {
        const who = back
            .map(
                ({ name, v, own }) =>
                    `${name} sent ${v!.after?.tx[own]} frames on ${own} again after the failover ` +
                    `(${own} failed ${v!.failures[own] ?? 0} times in the row)`,
            )
            .join(", and ");
        const arp =
            s.arpInterval > 0 && s.primary
                ? ` With ARP monitoring a frame that arrives on ${ch} marks it up again, ` +
                  `and primary_reselect ${s.primaryReselect} then makes the primary active.`
                : "";
        return `The path came back${recovered}, then was ${again}: ${who}, though ${ch} was still broken.${arp}`;
    }
    // Nobody went back: did the monitor drop the slave it had failed over to?
    const dropped = lab.routers.flatMap((r) =>
        Object.entries(row.routers[r.name]?.failures ?? {})
            .filter(([slave, n]) => slave !== slaveIn(row.channel, r.name) && n > 0)
            .map(([slave, n]) => `${r.name}'s ${slave} failed ${n} time${n === 1 ? "" : "s"} in the row`),
    );
    return (
        `The path came back${recovered}, then was ${again}` +
        (dropped.length > 0
            ? `: no router sent on ${ch} again, but ${dropped.join(" and ")}: ` +
              "the monitor dropped the slave it had failed over to, then took it back."
            : `; no router sent on ${ch} again and no other slave failed, so the counters do not say why.`)
    );
}

/** "A lost n of m probes after the fault, B none of k" when only one direction lost any; else "". */
function oneDirectionFacts(row: RowResult): string {
    const dirs = Object.entries(row.directions);
    const lossy = dirs.filter(([, d]) => d.lostAfterFault > 0);
    if (dirs.length !== 2 || lossy.length !== 1) return "";
    const [[lost, d], [clean, c]] = lossy[0] === dirs[0] ? dirs : [dirs[1], dirs[0]];
    return `${lost} lost ${d.lostAfterFault} of ${d.sentAfterFault} probes after the fault, ${clean} none of ${c.sentAfterFault}`;
}

/** ", in one direction only: ..." for a flow that hashes onto the broken channel one way only. */
function oneDirection(row: RowResult): string {
    const facts = oneDirectionFacts(row);
    return facts ? `, in one direction only: ${facts} (its flow hashes to the other channel)` : "";
}
