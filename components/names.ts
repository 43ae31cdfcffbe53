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
    /** Linux bridge of channel `index` (0-based): at most 15 characters. */
    bridge(index: number): string;
}

export const LABEL_PROJECT = "org.bondlab.project";
export const LABEL_STACK = "org.bondlab.stack";

export function labNames(project: string, stack: string): LabNames {
    // Linux interface names stop at 15 characters, too short for project and stack names:
    // a hash of both keeps bridge names short, stable across runs and distinct per stack.
    const stem = "bl" + crypto.createHash("sha256").update(`${project}/${stack}`).digest("hex").slice(0, 6);
    return {
        prefix: `${project}-${stack}`,
        labels: { [LABEL_PROJECT]: project, [LABEL_STACK]: stack },
        managementBridge: `${stem}-m`,
        bridge: (index) => `${stem}-${index + 1}`,
    };
}
