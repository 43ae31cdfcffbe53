import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { Channel } from "./channel";
import { Segment } from "./segment";
import { Router } from "./router";
import { script } from "./scripts";
import { optionsLine, verifySettings } from "./handle";
import { LabSpec } from "./labfile/spec";

export interface BondOptions {
    readonly spec: LabSpec;
    /** The two routers, in the order of spec.routers. */
    readonly routers: readonly [Router, Router];
    readonly channels: readonly Channel[];
    /** The shared segments' switches: verify runs again when one is replaced. */
    readonly segments: readonly Segment[];
    readonly management: docker.Network;
    /** Environment for the `docker` CLI (DOCKER_HOST), since commands do not see the provider's settings. */
    readonly dockerEnv: Readonly<Record<string, string>>;
    /** Seconds verify waits for the bond to converge before it fails. */
    readonly verifyTimeout?: number;
}

/** What verify reports of one router's bond (the JSON of bond-status.sh plus the ping). */
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

// Settings reach the script through `docker exec -e NAME`, which copies each from the
// command's environment: values never pass through a shell's quoting.
function dockerExec(vars: string[], inRouter: string): string {
    return `docker exec -i ${vars.map((v) => `-e ${v}`).join(" ")} "$BONDLAB_ROUTER" ${inRouter}`;
}
const APPLY_VARS = [
    "BONDLAB_BOND",
    "BONDLAB_OPTIONS",
    "BONDLAB_ADDRESS",
    "BONDLAB_CHANNELS",
    "BONDLAB_MGMT",
    "BONDLAB_MAC_FILTER",
];
const VERIFY_VARS = [
    "BONDLAB_BOND",
    "BONDLAB_OPTIONS",
    "BONDLAB_SLAVES",
    "BONDLAB_ACTIVE",
    "BONDLAB_BACKUPS",
    "BONDLAB_PEER",
    "BONDLAB_VERIFY_TIMEOUT",
];
// The apply script stays in the router, for its init to rebuild the bond after a restart.
export const APPLY_COMMAND = dockerExec(
    APPLY_VARS,
    `sh -c 'mkdir -p /etc/bondlab && cat >/etc/bondlab/apply.sh && exec sh /etc/bondlab/apply.sh'`,
);
export const VERIFY_COMMAND = dockerExec(VERIFY_VARS, "sh -s");

/**
 * The bond between the two routers: on each router, a command that builds bond0 from the
 * channel interfaces (apply), then one that checks it and pings the peer across it (verify).
 * Changing a bond option updates only these commands; containers and networks stay.
 */
export class Bond extends pulumi.ComponentResource {
    public readonly applies: command.local.Command[];
    public readonly verifies: command.local.Command[];
    /** Per router, in spec order: the verified state of its bond. */
    public readonly statuses: pulumi.Output<BondStatus>[];

    constructor(name: string, args: BondOptions, opts?: pulumi.ComponentResourceOptions) {
        super("bondlab:index:Bond", name, {}, opts);
        const { spec } = args;
        const channelsEnv = pulumi
            .all(args.channels.map((c) => c.subnet))
            .apply((subnets) => subnets.map((s, i) => `${spec.channels[i].interface}=${s}`).join(" "));
        const managementEnv = args.management.ipamConfigs.apply((configs) => {
            const subnet = configs?.[0]?.subnet ?? spec.management.subnet ?? "";
            return `eth0=${subnet}=${configs?.[0]?.gateway || firstHost(subnet)}`;
        });

        const filtered = spec.channels
            .filter((c) => c.macFilter)
            .map((c) => c.interface)
            .join(" ");
        this.applies = spec.routers.map(
            (router, i) =>
                new command.local.Command(
                    `${name}-apply-${router.name}`,
                    {
                        create: APPLY_COMMAND,
                        stdin: script("bond-apply"),
                        environment: {
                            ...args.dockerEnv,
                            BONDLAB_ROUTER: args.routers[i].containerName,
                            BONDLAB_BOND: spec.bond.name,
                            BONDLAB_OPTIONS: optionsLine(spec, router),
                            BONDLAB_ADDRESS: router.address,
                            BONDLAB_CHANNELS: channelsEnv,
                            BONDLAB_MGMT: managementEnv,
                            // Only when some channel filters: labs without it keep their apply unchanged.
                            ...(filtered ? { BONDLAB_MAC_FILTER: filtered } : {}),
                        },
                        // A new container has no bond: build it again.
                        triggers: [args.routers[i].container.id],
                    },
                    { parent: this },
                ),
        );

        this.verifies = spec.routers.map(
            (router, i) =>
                new command.local.Command(
                    `${name}-verify-${router.name}`,
                    {
                        create: VERIFY_COMMAND,
                        stdin: script("bond-status") + "\n" + script("bond-verify"),
                        environment: {
                            ...args.dockerEnv,
                            BONDLAB_ROUTER: args.routers[i].containerName,
                            ...verifySettings(spec, router, args.verifyTimeout),
                        },
                        // Whatever verify checks being replaced makes it run again: a router (new bond) or a
                        // cable (e.g. LACP pass-through toggled, cable.sh edited). Other changes to the bond
                        // reach verify's environment, which re-runs it as an update.
                        triggers: [
                            ...args.routers.map((r) => r.container.id),
                            ...args.channels.map((c) => c.cable.id),
                            ...args.segments.map((s) => s.switch.id),
                        ],
                        logging: "stderr",
                    },
                    { parent: this, dependsOn: this.applies },
                ),
        );

        this.statuses = this.verifies.map((v) => v.stdout.apply(parseStatus));
        this.registerOutputs({ applies: this.applies, verifies: this.verifies, statuses: this.statuses });
    }
}

/** The last line of verify's output is the bond's state as JSON. */
export function parseStatus(stdout: string): BondStatus {
    const last = stdout.trim().split("\n").pop() ?? "";
    let state: Record<string, unknown>;
    try {
        state = JSON.parse(last);
    } catch (e) {
        throw new Error(`verify printed no bond state (${(e as Error).message}): ${last.slice(0, 300)}`);
    }
    // Checked where it is parsed: a field the script stops printing fails here, not in a reader.
    // A bond that does not exist is reported as {"bond": ..., "exists": false} alone.
    const missing = state.exists === false ? [] : BOND_STATUS_FIELDS.filter((f) => !(f in state));
    if (missing.length > 0) throw new Error(`verify's bond state lacks ${missing.join(", ")}: ${last.slice(0, 300)}`);
    return state as unknown as BondStatus;
}

/** Docker's default gateway: the subnet's first host address. */
export function firstHost(subnet: string): string {
    if (!ipaddr.IPv4.isValidCIDR(subnet)) return "";
    const bytes = ipaddr.IPv4.networkAddressFromCIDR(subnet).toByteArray();
    bytes[3] += 1;
    return ipaddr.fromByteArray(bytes).toString();
}
