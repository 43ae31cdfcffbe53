// The sentences the drill's explanations (explain.ts) and the live view's "why" lines
// (watch/why.ts) share: one wording for one cause, whether a report or a live counter shows it.

/** What to use instead, where a carrier-only monitor cannot see the fault. */
export const REMEDY = "ARP monitoring (arp-monitor) or LACP (lacp) test the path end to end and recover";
/** The same, in a report: the rows of those variants show it. */
export const FIX = `${REMEDY}: see their rows.`;

/** Why the far end did not follow: its slave on the broken channel still has carrier. */
export const blindFarEnd = (far: string, slave: string): string =>
    `${far}'s ${slave} kept its carrier: the MII monitor sees only the local carrier and the bridge hides the far end`;

/** Where frames on a channel that the peer's bond does not listen on go. */
export const INTO_NOBODY = "so its probes and replies go into a channel nobody listens on.";

/** What an active-backup bond does with a frame that arrives on an inactive slave. */
export const INACTIVE_DROP =
    "an active-backup bond takes in only what arrives on its active slave (all_slaves_active 0)";

/** A router that sends where its peer does not receive. */
export const sentWhereNotReceived = (router: string, sent: string, peer: string, peerActive: string): string =>
    `${router} sent on ${sent} while ${peer} received only on its active ${peerActive}`;
