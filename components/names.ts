import * as crypto from "crypto";

// Names of the lab's Docker objects. Everything a stack creates carries the project and
// stack in its name and labels, so two stacks share a Docker host without colliding and
// teardown checks can find any leftover by label.

export interface LabNames {
    /** Prefix of container and network names, e.g. bondlab-lacp. */
    readonly prefix: string;
    /** Labels put on every container and network of the stack. */
    readonly labels: Readonly<Record<string, string>>;
    /** Linux bridge of the management network. */
    readonly managementBridge: string;
    /** Container of the router of this name, e.g. bondlab-lacp-inetRouter. */
    container(router: string): string;
    /** Docker network of the channel of this name. */
    network(channel: string): string;
    /** Cable container of the channel of this name (components/channel.ts). */
    cable(channel: string): string;
    /** Switch container of the shared segment of this name (components/segment.ts). */
    switch(segment: string): string;
    /**
     * Linux bridge of the channel of this name: at most 15 characters. Derived from the name,
     * not the position: Pulumi creates a renamed or added channel's network before it deletes
     * the old one, so two channels of one stack must never want the same bridge.
     */
    bridge(channel: string): string;
}

const LABEL_PROJECT = "org.bondlab.project";
export const LABEL_STACK = "org.bondlab.stack";

export function labNames(project: string, stack: string): LabNames {
    // Linux interface names stop at 15 characters, too short for project and stack names:
    // a hash of both keeps bridge names short, stable across runs and distinct per stack.
    const stem = "bl" + hash(`${project}/${stack}`).slice(0, 6);
    return {
        prefix: `${project}-${stack}`,
        labels: { [LABEL_PROJECT]: project, [LABEL_STACK]: stack },
        managementBridge: `${stem}-m`,
        container: (router) => `${project}-${stack}-${router}`,
        network: (channel) => `${project}-${stack}-${channel}`,
        cable: (channel) => `${project}-${stack}-${channel}-cable`,
        switch: (segment) => `${project}-${stack}-${segment}-switch`,
        // The channel's own name where it fits (15 - 9 = 6 characters), else a hash of it;
        // "m" is the management bridge's.
        bridge: (channel) =>
            `${stem}-${/^[a-z0-9]{1,6}$/.test(channel) && channel !== "m" ? channel : "h" + hash(channel).slice(0, 5)}`,
    };
}

function hash(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}
