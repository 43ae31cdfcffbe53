import * as pulumi from "@pulumi/pulumi";

// Where each resource of a network stood in the stacks older releases created, as Pulumi
// aliases: `pulumi up` finds the resource there and moves it in the state, instead of creating
// it anew and deleting the old one (and a fixed Docker name taken twice would stop the update).
//
//   resource                      two-router lab (Lab, until #19)      network (373b8fd, before Node and Link)
//   Network lab                   Lab lab                              (same)
//   Channel lab-<link>-<channel>  Lab$Channel lab-<channel>            Network$Channel lab-<channel>
//   Node lab-<node>               Lab$Router lab-<node>                (none: its resources sat under Network)
//   container of a node           (inherited from the Node's alias)    Network$Container lab-<node>-container
//   lab-<node>-apply              Lab$Bond$Command lab-<bond>-apply-<node>   Network$Command lab-<node>-apply
//   lab-<node>-verify             Lab$Bond$Command lab-<bond>-verify-<node>  Network$Command lab-<node>-verify
//
// Everything else keeps its name and inherits its parent's old URN: the engine tries a
// resource's own aliases in order, then each moved under its parent's old URN, a child named
// "<parent>-x" taking the parent's old name as prefix (step_generator.go generateAliases and
// inheritedChildAlias, pulumi/pulumi v3.248.0). tests/unit/upgrade.test.ts holds each row to
// the state those releases wrote. The inputs of every Docker resource stay as they were.

type Aliases = pulumi.Input<pulumi.URN | pulumi.Alias>[];

const TYPE = {
    lab: "bondlab:index:Lab",
    bond: "bondlab:index:Bond",
    router: "bondlab:index:Router",
    command: "command:local:Command",
};

/** A URN as an older release made it: a top-level component's type chain and a name. */
function olderUrn(types: string[], name: string): pulumi.URN {
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${types.join("$")}::${name}`;
}

/** The network component: a two-router lab's Lab. */
export function networkAliases(name: string): Aliases {
    return [olderUrn([TYPE.lab], name)];
}

/** A link's channel: directly under the network (or the Lab), named by the channel alone. */
export function channelAliases(network: pulumi.Resource, networkName: string, channel: string): Aliases {
    return [{ name: `${networkName}-${channel}`, parent: network }];
}

/** A node: a two-router lab's Router. */
export function nodeAliases(network: pulumi.Resource): Aliases {
    return [{ type: TYPE.router, parent: network }];
}

/** A node's container: directly under the network before Node. */
export function nodeContainerAliases(network: pulumi.Resource): Aliases {
    return [{ parent: network }];
}

/**
 * A node's apply or verify: directly under the network before Node; a two-router lab's
 * under its Bond, named by bond, step and router.
 */
export function nodeCommandAliases(
    network: pulumi.Resource,
    networkName: string,
    node: string,
    step: "apply" | "verify",
    twoRouterBond?: string,
): Aliases {
    const asTwoRouterLab = twoRouterBond
        ? [olderUrn([TYPE.lab, TYPE.bond, TYPE.command], `${networkName}-${twoRouterBond}-${step}-${node}`)]
        : [];
    return [{ parent: network }, ...asTwoRouterLab];
}
