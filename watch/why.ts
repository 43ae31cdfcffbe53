// The live view's "why" lines: whenever the two ends of the bonded link disagree, or a ping
// direction is dead, one or two sentences from the live counters, in the drill's own wording
// (drill/wording.ts). Pure: a function of the WatchState.

import { INACTIVE_DROP, REMEDY, INTO_NOBODY, blindFarEnd, sentWhereNotReceived } from "../drill/wording";
import { NodeView, WatchState } from "./state";
import { SlaveTick, lacpBits } from "./stream";

/** Modes where a bond receives on its active slave only. */
const ACTIVE_SLAVE_MODES = ["active-backup", "balance-tlb"];

export function whyLines(state: WatchState): string[] {
    const [a, b] = state.lab.routers.map((r) => state.nodes[r.name]);
    if (!a?.tick || !b?.tick) return [];
    const lines = [
        ...disagreement(state, a, b),
        ...lacpOutOfAggregate(state, a, b),
        ...deadWithoutDisagreement(state, a, b),
    ];
    return lines;
}

/** The channel a router's slave is on. */
function channelOf(state: WatchState, router: string, slave: string | null): string | null {
    if (!slave) return null;
    return state.lab.channels.find((c) => c.interfaces[router] === slave)?.name ?? null;
}

/** A router's slave on a channel. */
function slaveOn(state: WatchState, router: string, channel: string): string | null {
    return state.lab.channels.find((c) => c.name === channel)?.interfaces[router] ?? null;
}

/** The slaves a router sent on in the last second (from its counters). */
function sentOn(view: NodeView): string[] {
    return Object.entries(view.rates)
        .filter(([, r]) => r.tx > 0)
        .map(([name]) => name);
}

const slaveTick = (view: NodeView, name: string | null): SlaveTick | undefined =>
    view.tick?.slaves.find((s) => s.name === name);

const monitorIsMii = (view: NodeView) =>
    Number(view.options.arp_interval ?? 0) === 0 && Number(view.options.miimon ?? 0) > 0;

const deadDirections = (state: WatchState) => Object.values(state.pings).filter((p) => p.lostSince !== null);

/** The longest silence of the ping, "3.2 s". */
function silence(state: WatchState): string {
    const longest = Math.max(0, ...deadDirections(state).map((p) => state.now - (p.lostSince ?? state.now)));
    return `${(longest / 1000).toFixed(1)} s`;
}

function deadText(state: WatchState): string {
    return deadDirections(state).length === 0 ? "" : ` The ping has had no reply for ${silence(state)}.`;
}

/**
 * Two bonds that receive on their active slave only, active on different channels: each
 * sends where the other does not listen.
 */
function disagreement(state: WatchState, a: NodeView, b: NodeView): string[] {
    const mode = state.lab.mode;
    if (!ACTIVE_SLAVE_MODES.includes(mode)) return [];
    const [chA, chB] = [channelOf(state, a.name, a.tick!.active), channelOf(state, b.name, b.tick!.active)];
    if (mode === "balance-tlb") return astray(state, a, b);
    if (!chA || !chB || chA === chB) return [];
    const built = state.lab.builtActive;
    // The router that left the slave it was built with; the other is the far end that stayed.
    const [near, far] = a.tick!.active !== built[a.name] ? [a, b] : [b, a];
    const left = built[near.name] ?? slaveOn(state, near.name, channelOf(state, far.name, far.tick!.active)!);
    const farSlave = far.tick!.active!;
    const farLink = slaveTick(far, farSlave);
    const facts =
        `${near.name}'s active slave is ${near.tick!.active}, ${far.name}'s is ${farSlave}: ` +
        "the two ends are on different channels.";
    const blind =
        monitorIsMii(far) && farLink?.carrier !== false && farLink?.mii === "up"
            ? ` ${near.name} left ${left}, but ${blindFarEnd(far.name, farSlave)}, ${INTO_NOBODY}`
            : "";
    // Where the near end's frames land: the far end's slave on the near end's channel.
    const landing = slaveOn(state, far.name, channelOf(state, near.name, near.tick!.active)!);
    const rx = landing ? far.rates[landing]?.rx : undefined;
    const drop = landing
        ? rx
            ? ` ${far.name} receives ${near.name}'s frames on ${landing} (${rx.toFixed(1)}/s), its inactive slave, ` +
              `and drops them: ${INACTIVE_DROP}.`
            : ` ${near.name}'s frames reach ${far.name}'s inactive ${landing}, where ${INACTIVE_DROP}.`
        : "";
    return [`${facts}${blind}${drop}${deadText(state)}${blind ? ` ${REMEDY}.` : ""}`];
}

/** balance-tlb: a router that sends on a slave other than the peer's active one (the peer drops it). */
function astray(state: WatchState, a: NodeView, b: NodeView): string[] {
    const out: string[] = [];
    for (const [r, p] of [
        [a, b],
        [b, a],
    ]) {
        const peerActive = p.tick!.active;
        const sent = sentOn(r);
        const peerChannel = channelOf(state, p.name, peerActive);
        const wanted = peerChannel ? slaveOn(state, r.name, peerChannel) : null;
        if (!peerActive || !wanted || sent.length === 0 || sent.includes(wanted)) continue;
        out.push(
            `${sentWhereNotReceived(r.name, sent.join("+"), p.name, peerActive)}: ` +
                "balance-tlb spreads what it sends over every slave but receives only on its active one, " +
                "which needs one switch behind all slaves, not one wire per channel.",
        );
    }
    return out.length > 0 ? [`${out.join(" ")}${deadText(state)}`] : [];
}

/** 802.3ad: a port the partner does not take into the aggregate, or whose LACPDUs stopped. */
function lacpOutOfAggregate(state: WatchState, a: NodeView, b: NodeView): string[] {
    if (state.lab.mode !== "802.3ad") return [];
    const out: string[] = [];
    for (const view of [a, b]) {
        for (const s of view.tick!.slaves) {
            const actor = lacpBits(s.actor);
            if (s.partner === null) continue;
            const channel = channelOf(state, view.name, s.name);
            // Expired and defaulted are the actor's own receive machine: no LACPDU came in time.
            const deaf = actor.filter((x) => x === "expired" || x === "defaulted");
            if (deaf.length > 0) {
                out.push(
                    `${view.name}'s ${s.name} (${channel}) hears no LACPDU from its partner (${deaf.join(", ")}): ` +
                        "LACP takes the port out of the aggregate, so the traffic stays on the other channels.",
                );
            } else if (!actor.includes("distributing") && s.mii === "up") {
                out.push(
                    `${view.name}'s ${s.name} (${channel}) is up but not distributing: ` +
                        `LACP keeps it out of the aggregate until both ends agree (actor state ${s.actor}, partner ${s.partner}).`,
                );
            }
        }
    }
    return out;
}

/** A dead ping while the ends agree on the channel: a fault no monitor in use can see, or no monitor at all. */
function deadWithoutDisagreement(state: WatchState, a: NodeView, b: NodeView): string[] {
    if (deadDirections(state).length === 0) return [];
    if (disagreement(state, a, b).length > 0) return [];
    const seconds = deadText(state).trim();
    // A slave down at one end only, that the other end still sends on.
    for (const [near, far] of [
        [a, b],
        [b, a],
    ]) {
        for (const s of near.tick!.slaves) {
            if (s.admin === "up" && s.mii === "up") continue;
            const channel = channelOf(state, near.name, s.name);
            const farSlave = channel ? slaveOn(state, far.name, channel) : null;
            const farLink = slaveTick(far, farSlave);
            if (!farSlave || !farLink || farLink.mii !== "up" || !sentOn(far).includes(farSlave)) continue;
            return [
                `${near.name}'s ${s.name} is down, but ${blindFarEnd(far.name, farSlave)}, so ${far.name} keeps sending ` +
                    `on ${farSlave} into ${channel}. ${seconds}${monitorIsMii(far) ? ` ${REMEDY}.` : ""}`,
            ];
        }
    }
    const everyUp = [a, b].every((v) => v.tick!.slaves.every((s) => s.mii === "up" && s.carrier !== false));
    // A bond that changed during the silence (a repair, a failover) may be bringing the path
    // back: the channel is not known to be silent then.
    const since = Math.min(...deadDirections(state).map((p) => p.lostSince ?? state.now));
    const changed = Math.max(...[a, b].map((v) => v.changedAt ?? 0));
    if (everyUp && changed > since) {
        return [
            `Every slave at both ends is up again, the last bond change ${((state.now - changed) / 1000).toFixed(1)} s ago; ` +
                `no reply yet, for ${silence(state)}.`,
        ];
    }
    if (everyUp && [a, b].every(monitorIsMii)) {
        return [
            `Every slave at both ends has carrier and MII up, yet no reply came for ${silence(state)}: ` +
                "a channel that drops frames while keeping its carrier is invisible to the MII monitor, which reads only carrier. " +
                `${REMEDY}.`,
        ];
    }
    if ([a, b].some((v) => Number(v.options.miimon ?? 0) === 0 && Number(v.options.arp_interval ?? 0) === 0)) {
        return [
            `The bond has no link monitor (miimon 0, no arp_interval): it never notices a broken slave. ${seconds}`,
        ];
    }
    return [seconds];
}
