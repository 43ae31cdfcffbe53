import { Realizer } from "./engine";
import { COMMAND, CONTAINER, NETWORK, REMOTE_IMAGE } from "./providers";
import { Goal, Props, StateResource } from "./steps";

// For unit tests and the benchmark's plan: carries out nothing, computes what the providers
// would (a subnet Docker picks, an image id, verify's JSON) and logs every step it is handed,
// so tests see the order in which resources are created, updated and deleted.

/**
 * What older releases' bond-verify.sh printed last: one bond's state and the ping. Their
 * programs still run here (tests/upgrade/freeze.ts freezes the state they wrote).
 */
const OLDER_BOND_VERIFY_STDOUT = JSON.stringify({
    router: "r",
    bond: "bond0",
    exists: true,
    mac: "02:42:00:00:00:01",
    mode: "active-backup",
    modeText: "fault-tolerance (active-backup)",
    miiStatus: "up",
    activeSlave: "eth1",
    options: { mode: "active-backup" },
    slaves: [],
    aggregator: null,
    problems: 0,
    ping: { peer: "p", sent: 5, received: 5 },
    raw: "Bonding Mode: fault-tolerance (active-backup)\n",
});

export class MemoryRealizer implements Realizer {
    readonly events: string[] = [];
    /** Ids of resources removed behind the engine's back (as by hand): refresh finds them gone. */
    readonly gone = new Set<string>();
    private ids = 0;
    /** Names Docker holds at this moment: containers, networks and bridges must be unique. */
    private readonly taken = new Map<string, string>();

    constructor(private readonly delayMs = 0) {}

    async create(goal: Goal) {
        this.events.push(`start ${goal.name}`);
        // Random latency: resources that do not depend on each other then overlap, so the
        // order seen reflects only the program's real dependencies.
        if (this.delayMs) await new Promise((r) => setTimeout(r, Math.random() * this.delayMs));
        this.ids++;
        const id = `${goal.name}-id${this.ids}`;
        for (const name of dockerNames(goal)) {
            if (this.taken.has(name))
                throw new Error(
                    `Docker refuses ${name}: ${this.taken.get(name)!.replace(/-id\d+$/, "")} still holds it`,
                );
        }
        for (const name of dockerNames(goal)) this.taken.set(name, id);
        const outputs: Props = { ...goal.inputs, ...computed(goal, this.ids) };
        this.events.push(`end ${goal.name}`);
        return { id, outputs };
    }

    async update(old: StateResource, goal: Goal) {
        this.events.push(`update ${goal.name}`);
        return { ...old.outputs, ...goal.inputs, ...(goal.type === COMMAND ? computed(goal, 0) : {}) };
    }

    async delete(old: StateResource) {
        this.events.push(`delete ${old.name}`);
        for (const name of dockerNames(old)) if (this.taken.get(name) === old.id) this.taken.delete(name);
    }

    async read(old: StateResource) {
        return this.gone.has(old.id) ? undefined : old.outputs;
    }

    /** Position of an event in the log; -1 when it did not happen. */
    at(event: string): number {
        return this.events.indexOf(event);
    }
}

function computed(goal: Goal, n: number): Props {
    if (goal.type === NETWORK && !goal.inputs.ipamConfigs)
        return { ipamConfigs: [{ subnet: `10.99.${n}.0/24`, gateway: `10.99.${n}.1` }] };
    if (goal.type === REMOTE_IMAGE) return { imageId: `sha256:${"ab".repeat(32)}` };
    if (goal.type === COMMAND) return { stdout: commandStdout(goal), stderr: "" };
    return {};
}

/**
 * What the lab's scripts print last, in the shape the program parses: node-apply's interfaces
 * and MACs (made up per interface), node-verify's status (every bond as asked, every ping
 * answered), and older releases' bond-verify's bond state.
 */
function commandStdout(goal: Goal): string {
    const env = (goal.inputs.environment ?? {}) as Record<string, string>;
    if (env.BONDLAB_PEER !== undefined && env.BONDLAB_CHECKS === undefined) return OLDER_BOND_VERIFY_STDOUT;
    if (env.BONDLAB_NET !== undefined) {
        const devices = env.BONDLAB_NET.split("\n").flatMap((line) => {
            const [kind, dev] = line.split(" ");
            return ["port", "bond", "vlan"].includes(kind) ? [dev] : [];
        });
        const macs = Object.fromEntries(devices.map((dev, i) => [dev, `02:00:00:00:00:${(i + 16).toString(16)}`]));
        return JSON.stringify({ node: goal.name, macs });
    }
    if (env.BONDLAB_CHECKS !== undefined) return nodeVerifyStdout(goal.name, env.BONDLAB_CHECKS);
    return "";
}

/** What Docker keeps unique among live objects: container and network names, bridge names, subnets. */
function dockerNames(goal: Goal): string[] {
    const inputs = goal.inputs as Record<string, any>;
    if (goal.type === CONTAINER) return [`container ${inputs.name}`];
    if (goal.type !== NETWORK) return [];
    return [
        `network ${inputs.name}`,
        ...(inputs.options?.["com.docker.network.bridge.name"]
            ? [`bridge ${inputs.options["com.docker.network.bridge.name"]}`]
            : []),
        ...(inputs.ipamConfigs ?? []).map((c: { subnet: string }) => `subnet ${c.subnet}`),
    ];
}

/** node-verify.sh's last line for these checks, as a node built as asked would print it. */
function nodeVerifyStdout(node: string, checks: string): string {
    const lines = checks.split("\n").map((line) => line.split(" "));
    const bonds = lines.filter(([kind]) => kind === "bond");
    const pinged = lines.filter(([kind]) => kind === "ping").map(([, ip]) => ip);
    const states = bonds.map(([, bond, slaves, active, , ...options]) => {
        const asked = Object.fromEntries(options.flatMap((word, i) => (i % 2 === 0 ? [[word, options[i + 1]]] : [])));
        const state = {
            router: node,
            bond,
            exists: true,
            mac: "02:42:00:00:00:01",
            mode: asked.mode,
            modeText: asked.mode,
            miiStatus: "up",
            activeSlave: active === "-" ? null : active,
            options: asked,
            slaves: slaves.split(",").map((name) => ({
                name,
                miiStatus: "up",
                linkFailureCount: 0,
                permanentMac: null,
                aggregatorId: null,
                partnerMac: null,
            })),
            aggregator: null,
            problems: 0,
            raw: `Bonding Mode: ${asked.mode}\n`,
        };
        return [bond, state] as const;
    });
    return JSON.stringify({
        node,
        problems: 0,
        bonds: states.map(([bond, s]) => ({
            bond,
            mode: s.mode,
            slaves: s.slaves.map((x) => x.name).join(" "),
            activeSlave: s.activeSlave ?? "",
        })),
        pinged,
        answered: pinged,
        states: Object.fromEntries(states),
    });
}
