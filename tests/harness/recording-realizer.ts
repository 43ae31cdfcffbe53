import { ResourceRealizer } from "./run-program";

// For unit tests: creates nothing, computes what the providers would (a subnet Docker picks,
// verify's JSON), and records the order in which resources start and finish being created.

export const VERIFY_STDOUT = JSON.stringify({
    router: "r", bond: "bond0", exists: true, mode: "active-backup", activeSlave: "eth1", options: { mode: "active-backup" },
    slaves: [], aggregator: null, problems: 0, raw: "Bonding Mode: fault-tolerance (active-backup)\n", ping: { peer: "p", sent: 5, received: 5 },
});

export class RecordingRealizer implements ResourceRealizer {
    readonly events: string[] = [];
    private networks = 0;

    constructor(private readonly delayMs = 0) {}

    async create(type: string, name: string, inputs: Record<string, any>) {
        this.events.push(`start ${name}`);
        // Random latency: resources that do not depend on each other then overlap, so the
        // order seen reflects only the program's real dependencies.
        if (this.delayMs) await new Promise((r) => setTimeout(r, Math.random() * this.delayMs));
        const state: Record<string, any> = {};
        if (type === "docker:index/network:Network" && !inputs.ipamConfigs) {
            this.networks++;
            state.ipamConfigs = [{ subnet: `10.99.${this.networks}.0/24`, gateway: `10.99.${this.networks}.1` }];
        }
        if (type === "docker:index/remoteImage:RemoteImage") state.imageId = `sha256:${"ab".repeat(32)}`;
        if (type === "command:local:Command") state.stdout = name.includes("-verify-") ? VERIFY_STDOUT : "";
        this.events.push(`end ${name}`);
        return { id: `${name}-id`, state };
    }

    /** Position of an event in the log; -1 when it did not happen. */
    at(event: string): number {
        return this.events.indexOf(event);
    }
}
