/**
 * One bond as verify found it: bond-status.sh's JSON (node-verify.sh prints it per bond), and
 * for a two-router lab's `routers` output the ping across it.
 */
export interface BondStatus {
    /** The router's hostname. */
    router: string;
    bond: string;
    exists: boolean;
    /** The bond's MAC: its LACP partner reports it as partnerMac. */
    mac: string;
    mode: string;
    /** The mode as /proc/net/bonding words it, e.g. "IEEE 802.3ad Dynamic link aggregation". */
    modeText: string | null;
    /** The bond's own MII status. */
    miiStatus: string | null;
    activeSlave: string | null;
    options: Record<string, string | null>;
    slaves: {
        name: string;
        miiStatus: string;
        linkFailureCount: number;
        permanentMac: string | null;
        aggregatorId: number | null;
        partnerMac: string | null;
    }[];
    aggregator: { id: number; ports: number; partnerMac: string } | null;
    /** How many problems bond-status.sh found (verify fails with them on stderr). */
    problems: number;
    ping: { peer: string; sent: number; received: number };
    raw: string;
}

/** The fields of BondStatus and of each slave, as bond-status.sh prints them (tested against it). */
export const BOND_STATUS_FIELDS = [
    "router",
    "bond",
    "exists",
    "mac",
    "mode",
    "modeText",
    "miiStatus",
    "activeSlave",
    "options",
    "slaves",
    "aggregator",
    "problems",
    "ping",
    "raw",
] as const;
export const BOND_SLAVE_FIELDS = [
    "name",
    "miiStatus",
    "linkFailureCount",
    "permanentMac",
    "aggregatorId",
    "partnerMac",
] as const;
