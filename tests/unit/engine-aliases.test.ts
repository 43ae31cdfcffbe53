import type * as pulumiType from "@pulumi/pulumi";
import { InlineProgram, Stack } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { Step } from "../../engine/steps";

// Aliases through the engine model, against pulumi/pulumi v3.248.0's own scenarios:
// tests/integration/aliases/nodejs/<scenario>/step1 and step2 (aliases_nodejs_test.go runs
// step2 with ExpectNoChanges), and pkg/engine/lifecycletest/alias_test.go.

type Pulumi = typeof pulumiType;
type Options = pulumiType.ComponentResourceOptions;
type Self = pulumiType.ComponentResource;

const STACK = "aliases";
const urn = (qualifiedType: string, name: string) => `urn:pulumi:${STACK}::bondlab::${qualifiedType}::${name}`;

/** A component as the scenarios' classes make one: registered first, then its children with `parent: self`. */
function component(pulumi: Pulumi, type: string, name: string, opts: Options = {}, children = (_: Self) => {}): Self {
    const self = new pulumi.ComponentResource(type, name, {}, opts);
    children(self);
    return self;
}

/** A stack at the state another left (the same checkpoint), running another program. */
function nextStack(from: Stack, program: InlineProgram): Stack {
    const stack = new Stack({ name: STACK, stackFile: {}, program }, from.realizer);
    stack.state = from.state;
    return stack;
}

async function firstUp(program: InlineProgram): Promise<Stack> {
    const stack = new Stack({ name: STACK, stackFile: {}, program }, new MemoryRealizer());
    await stack.up();
    return stack;
}

const changes = (steps: Step[]) => steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`);
const urns = (stack: Stack) => stack.state.map((r) => r.urn).sort();
const sorted = (list: string[]) => [...list].sort();

interface Scenario {
    /** The folder under tests/integration/aliases/nodejs. */
    dir: string;
    step1: InlineProgram;
    step2: InlineProgram;
    /** The state's URNs after step1, then after step2. */
    before: string[];
    after: string[];
}

const R = "my:module:Resource";

// Scenario #2 to #5 of adopt_into_component share these shapes (step1 and step2 differ in options).
const adoptComponent3 = (pulumi: Pulumi, name: string, opts: Options, childOpts: (self: Self) => Options) =>
    component(pulumi, "my:module:Component3", name, opts, (self) =>
        component(pulumi, "my:module:Component2", `${name}-child`, childOpts(self)),
    );

const scenarios: Scenario[] = [
    {
        dir: "rename",
        step1: (pulumi) => component(pulumi, R, "res1"),
        step2: (pulumi) => component(pulumi, R, "newres1", { aliases: [{ name: "res1" }] }),
        before: [urn(R, "res1")],
        after: [urn(R, "newres1")],
    },
    {
        dir: "adopt_into_component",
        step1: (pulumi) => {
            component(pulumi, R, "res2");
            const comp2 = component(pulumi, "my:module:Component", "comp2");
            component(pulumi, "my:module:Component2", "unparented");
            adoptComponent3(pulumi, "parentedbystack", {}, () => ({}));
            adoptComponent3(pulumi, "parentedbycomponent", { parent: comp2 }, () => ({ parent: comp2 }));
            component(pulumi, "my:module:Component4", "duplicateAliases"); // step1's Component4 drops its opts
        },
        step2: (pulumi) => {
            const comp2 = component(pulumi, "my:module:Component", "comp2", {}, (self) =>
                component(pulumi, R, "comp2-child", { parent: self, aliases: [pulumi.createUrn("res2", R)] }),
            );
            const root = pulumi.rootStackResource;
            component(pulumi, "my:module:Component2", "unparented", { aliases: [{ parent: root }], parent: comp2 });
            adoptComponent3(pulumi, "parentedbystack", {}, (self) => ({
                aliases: [{ parent: undefined }],
                parent: self,
            }));
            adoptComponent3(pulumi, "parentedbycomponent", { parent: comp2 }, (self) => ({
                aliases: [{ parent: comp2 }],
                parent: self,
            }));
            component(pulumi, "my:module:Component4", "duplicateAliases", {
                aliases: [{ parent: root }, { parent: root }],
                parent: comp2,
            });
        },
        before: [
            urn(R, "res2"),
            urn("my:module:Component", "comp2"),
            urn("my:module:Component2", "unparented"),
            urn("my:module:Component3", "parentedbystack"),
            urn("my:module:Component2", "parentedbystack-child"),
            urn("my:module:Component$my:module:Component3", "parentedbycomponent"),
            urn("my:module:Component$my:module:Component2", "parentedbycomponent-child"),
            urn("my:module:Component4", "duplicateAliases"),
        ],
        after: [
            urn("my:module:Component", "comp2"),
            urn(`my:module:Component$${R}`, "comp2-child"),
            urn("my:module:Component$my:module:Component2", "unparented"),
            urn("my:module:Component3", "parentedbystack"),
            urn("my:module:Component3$my:module:Component2", "parentedbystack-child"),
            urn("my:module:Component$my:module:Component3", "parentedbycomponent"),
            urn("my:module:Component$my:module:Component3$my:module:Component2", "parentedbycomponent-child"),
            urn("my:module:Component$my:module:Component4", "duplicateAliases"),
        ],
    },
    {
        dir: "rename_component_and_child",
        step1: (pulumi) =>
            component(pulumi, "my:module:ComponentFive", "comp5", {}, (self) =>
                component(pulumi, R, "otherchild", { parent: self }),
            ),
        step2: (pulumi) =>
            component(pulumi, "my:module:ComponentFive", "newcomp5", { aliases: [{ name: "comp5" }] }, (self) =>
                component(pulumi, R, "otherchildrenamed", {
                    parent: self,
                    aliases: [{ name: "otherchild", parent: self }],
                }),
            ),
        before: [urn("my:module:ComponentFive", "comp5"), urn(`my:module:ComponentFive$${R}`, "otherchild")],
        after: [urn("my:module:ComponentFive", "newcomp5"), urn(`my:module:ComponentFive$${R}`, "otherchildrenamed")],
    },
    {
        dir: "retype_component",
        step1: (pulumi) =>
            component(pulumi, "my:module:ComponentFour", "comp4", {}, (self) =>
                component(pulumi, R, "otherchild", { parent: self }),
            ),
        step2: (pulumi) =>
            component(
                pulumi,
                "my:differentmodule:ComponentFourWithADifferentTypeName",
                "comp4",
                { aliases: [{ type: "my:module:ComponentFour" }] },
                (self) => component(pulumi, R, "otherchild", { parent: self }),
            ),
        before: [urn("my:module:ComponentFour", "comp4"), urn(`my:module:ComponentFour$${R}`, "otherchild")],
        after: [
            urn("my:differentmodule:ComponentFourWithADifferentTypeName", "comp4"),
            urn(`my:differentmodule:ComponentFourWithADifferentTypeName$${R}`, "otherchild"),
        ],
    },
    {
        // Both un-prefixed and parent-name-prefixed child names: the inherited alias swaps the prefix.
        dir: "rename_component",
        step1: (pulumi) => componentThree(pulumi, "comp3", {}),
        step2: (pulumi) => componentThree(pulumi, "newcomp3", { aliases: [{ name: "comp3" }] }),
        before: [
            urn("my:module:ComponentThree", "comp3"),
            urn(`my:module:ComponentThree$${R}`, "comp3-child"),
            urn(`my:module:ComponentThree$${R}`, "otherchild"),
        ],
        after: [
            urn("my:module:ComponentThree", "newcomp3"),
            urn(`my:module:ComponentThree$${R}`, "newcomp3-child"),
            urn(`my:module:ComponentThree$${R}`, "otherchild"),
        ],
    },
    {
        // Nested parents changing types: the grandchild inherits through two aliased parents.
        dir: "retype_parents",
        step1: (pulumi) => componentSixParent(pulumi, 0, 0),
        step2: (pulumi) => componentSixParent(pulumi, 10, 100),
        before: [
            urn("my:module:ComponentSixParent-v0", "comp6"),
            urn("my:module:ComponentSixParent-v0$my:module:ComponentSix-v0", "child"),
            urn(`my:module:ComponentSixParent-v0$my:module:ComponentSix-v0$${R}`, "otherchild"),
        ],
        after: [
            urn("my:module:ComponentSixParent-v10", "comp6"),
            urn("my:module:ComponentSixParent-v10$my:module:ComponentSix-v100", "child"),
            urn(`my:module:ComponentSixParent-v10$my:module:ComponentSix-v100$${R}`, "otherchild"),
        ],
    },
    {
        dir: "adopt_component_child",
        step1: (pulumi) => {
            component(pulumi, "my:module:ComponentResource", "comp");
            component(pulumi, "my:module:FooResource", "child");
        },
        step2: (pulumi) =>
            component(pulumi, "my:module:ComponentResource", "comp", {}, (self) =>
                component(pulumi, "my:module:FooResource", "child", {
                    parent: self,
                    aliases: [{ parent: pulumi.rootStackResource }],
                }),
            ),
        before: [urn("my:module:ComponentResource", "comp"), urn("my:module:FooResource", "child")],
        after: [
            urn("my:module:ComponentResource", "comp"),
            urn("my:module:ComponentResource$my:module:FooResource", "child"),
        ],
    },
    {
        dir: "extract_component_child",
        step1: (pulumi) =>
            component(pulumi, "my:module:ComponentResource", "comp", {}, (self) =>
                component(pulumi, "my:module:FooResource", "child", { parent: self }),
            ),
        step2: (pulumi) => {
            const comp = component(pulumi, "my:module:ComponentResource", "comp");
            component(pulumi, "my:module:FooResource", "child", { aliases: [{ parent: comp }] });
        },
        before: [
            urn("my:module:ComponentResource", "comp"),
            urn("my:module:ComponentResource$my:module:FooResource", "child"),
        ],
        after: [urn("my:module:ComponentResource", "comp"), urn("my:module:FooResource", "child")],
    },
    {
        dir: "rename_component_child",
        step1: (pulumi) =>
            component(pulumi, "my:module:ComponentResource", "comp", {}, (self) =>
                component(pulumi, "my:module:FooResource", "child", { parent: self }),
            ),
        step2: (pulumi) =>
            component(pulumi, "my:module:ComponentResource", "comp", {}, (self) =>
                component(pulumi, "my:module:FooResource", "childrenamed", {
                    parent: self,
                    aliases: [{ name: "child" }],
                }),
            ),
        before: [
            urn("my:module:ComponentResource", "comp"),
            urn("my:module:ComponentResource$my:module:FooResource", "child"),
        ],
        after: [
            urn("my:module:ComponentResource", "comp"),
            urn("my:module:ComponentResource$my:module:FooResource", "childrenamed"),
        ],
    },
    {
        dir: "retype_component_child",
        step1: (pulumi) =>
            component(pulumi, "my:module:ComponentResource", "comp", {}, (self) =>
                component(pulumi, "my:module:FooResource", "child", { parent: self }),
            ),
        step2: (pulumi) =>
            component(pulumi, "my:module:ComponentResource", "comp", {}, (self) =>
                component(
                    pulumi,
                    "my:module:FooResourceNew",
                    "child",
                    pulumi.mergeOptions({ parent: self }, { aliases: [{ type: "my:module:FooResource" }] }),
                ),
            ),
        before: [
            urn("my:module:ComponentResource", "comp"),
            urn("my:module:ComponentResource$my:module:FooResource", "child"),
        ],
        after: [
            urn("my:module:ComponentResource", "comp"),
            urn("my:module:ComponentResource$my:module:FooResourceNew", "child"),
        ],
    },
];

/** rename_component's ComponentThree: one child named after it, one not. */
function componentThree(pulumi: Pulumi, name: string, opts: Options): Self {
    return component(pulumi, "my:module:ComponentThree", name, opts, (self) => {
        component(pulumi, R, `${name}-child`, { parent: self });
        component(pulumi, R, "otherchild", { parent: self });
    });
}

/** retype_parents' ComponentSixParent (version `parentV`, aliased to every earlier one) and its ComponentSix. */
function componentSixParent(pulumi: Pulumi, parentV: number, childV: number): Self {
    const olderTypes = (base: string, v: number) => [...Array(v).keys()].map((i) => ({ type: `${base}-v${i}` }));
    const sixParent = "my:module:ComponentSixParent";
    const six = "my:module:ComponentSix";
    return component(pulumi, `${sixParent}-v${parentV}`, "comp6", { aliases: olderTypes(sixParent, parentV) }, (p) =>
        component(pulumi, `${six}-v${childV}`, "child", { parent: p, aliases: olderTypes(six, childV) }, (c) =>
            component(pulumi, R, "otherchild", { parent: c }),
        ),
    );
}

describe("aliases, as pkg/resource/deploy/step_generator.go resolves them", () => {
    it.each(scenarios.map((s) => [`tests/integration/aliases/nodejs/${s.dir}`, s] as const))(
        "%s: step2 keeps every resource under its new URN, nothing created or deleted",
        async (_, s) => {
            const first = await firstUp(s.step1);
            expect(urns(first)).toEqual(sorted(s.before));
            const second = nextStack(first, s.step2);
            const { steps } = await second.up();
            expect(changes(steps)).toEqual([]);
            expect(urns(second)).toEqual(sorted(s.after));
            expect(changes((await second.preview()).steps)).toEqual([]);
        },
    );

    it("without the alias, the same rename is a create and a delete (tests/integration/aliases/nodejs/rename)", async () => {
        const first = await firstUp((pulumi) => component(pulumi, R, "res1"));
        const { steps } = await nextStack(first, (pulumi) => component(pulumi, R, "newres1")).up();
        expect(changes(steps)).toEqual([`create ${urn(R, "newres1")}`, `delete ${urn(R, "res1")}`]);
    });
});

describe("custom resources found by alias: the step is judged against the old state", () => {
    const COMMAND = "command:local:Command";
    const NETWORK = "docker:index/network:Network";
    /** A program of one command, required inside the run so that it registers with the run's SDK. */
    const commandProgram =
        (name: string, args: Record<string, unknown>, aliases: pulumiType.Input<pulumiType.Alias | string>[] = []) =>
        () => {
            const command = require("@pulumi/command");
            return { stdout: new command.local.Command(name, args, { aliases }).stdout };
        };

    it("renamed and unchanged: same, the provider is not called", async () => {
        const first = await firstUp(commandProgram("old", { create: "echo a" }));
        const realizer = first.realizer as MemoryRealizer;
        const events = realizer.events.length;
        const { steps } = await nextStack(first, commandProgram("new", { create: "echo a" }, [{ name: "old" }])).up();
        expect(changes(steps)).toEqual([]);
        expect(realizer.events.length).toBe(events);
    });

    it("renamed and changed in place: an update of the old resource, its id kept", async () => {
        const first = await firstUp(commandProgram("old", { create: "echo a" }));
        const id = first.state[0].id;
        const second = nextStack(first, commandProgram("new", { create: "echo b" }, [{ name: "old" }]));
        const { steps } = await second.up();
        expect(changes(steps)).toEqual([`update ${urn(COMMAND, "new")}`]);
        expect(second.state.map((r) => [r.urn, r.id])).toEqual([[urn(COMMAND, "new"), id]]);
    });

    it("renamed and replaced: the new URN is created, the old URN deleted last as the replaced copy", async () => {
        const first = await firstUp(commandProgram("old", { create: "echo a", triggers: [1] }));
        const second = nextStack(first, commandProgram("new", { create: "echo a", triggers: [2] }, [{ name: "old" }]));
        const { steps } = await second.up();
        expect(steps.map((s) => [s.op, s.urn, s.reason])).toEqual([
            ["replace", urn(COMMAND, "new"), undefined],
            ["delete", urn(COMMAND, "old"), "replaced"],
        ]);
        expect(urns(second)).toEqual([urn(COMMAND, "new")]);
    });

    // The lab's reason for aliases: a Docker network keeps its fixed name across a rename only with one.
    const network =
        (name: string, aliases: pulumiType.Alias[] = []) =>
        () => {
            const docker = require("@pulumi/docker");
            return { id: new docker.Network(name, { name: "lab-net" }, { aliases }).id };
        };
    it("a Docker network renamed: without an alias Docker refuses the second `lab-net`; with one, same", async () => {
        const first = await firstUp(network("net"));
        await expect(nextStack(first, network("net2")).up()).rejects.toThrow("Docker refuses network lab-net");
        const renamed = nextStack(first, network("net2", [{ name: "net" }]));
        expect(changes((await renamed.up()).steps)).toEqual([]);
        expect(urns(renamed)).toEqual([urn(NETWORK, "net2")]);
    });
});

describe("alias cases and errors, as pkg/engine/lifecycletest/alias_test.go expects them", () => {
    const A = "pkgA:m:typA";
    const res = (pulumi: Pulumi, name: string, opts: Options = {}) => component(pulumi, A, name, opts);

    // TestDuplicatesDueToAliases mode 1: A registered, then B claims A by alias.
    it("an alias that names a resource registered in the same update fails, and the state keeps A", async () => {
        const first = await firstUp((pulumi) => res(pulumi, "resA"));
        // B registers once A has, as the test's program sends them one after the other.
        const second = nextStack(first, (pulumi) =>
            res(pulumi, "resA").urn.apply(() => res(pulumi, "resB", { aliases: [{ name: "resA" }] }).urn),
        );
        await expect(second.up()).rejects.toThrow(
            `Duplicate resource alias '${urn(A, "resA")}' applied to resource with URN '${urn(A, "resB")}' ` +
                `conflicting with resource with URN '${urn(A, "resB")}'`,
        );
        expect(urns(second)).toEqual([urn(A, "resA")]);
    });

    // TestDuplicatesDueToAliases mode 2: B claims A by alias first, then A registers.
    it("a resource registered under a URN another's alias claimed fails, and the state keeps B", async () => {
        const first = await firstUp((pulumi) => res(pulumi, "resA"));
        const second = nextStack(first, (pulumi) =>
            res(pulumi, "resB", { aliases: [{ name: "resA" }] }).urn.apply(() => res(pulumi, "resA").urn),
        );
        await expect(second.up()).rejects.toThrow(
            `Duplicate resource URN '${urn(A, "resA")}' conflicting with alias on resource with URN '${urn(A, "resB")}'`,
        );
        expect(urns(second)).toEqual([urn(A, "resB")]);
    });

    it("two resources claiming one alias: the second fails", async () => {
        const first = await firstUp((pulumi) => res(pulumi, "resA"));
        const second = nextStack(first, (pulumi) =>
            res(pulumi, "resB", { aliases: [{ name: "resA" }] }).urn.apply(
                () => res(pulumi, "resC", { aliases: [{ name: "resA" }] }).urn,
            ),
        );
        await expect(second.up()).rejects.toThrow(
            `Duplicate resource alias '${urn(A, "resA")}' applied to resource with URN '${urn(A, "resC")}' ` +
                `conflicting with resource with URN '${urn(A, "resB")}'`,
        );
    });

    // TestParentAlias: an alias's parent that was itself found by alias stands for its old URN.
    it("an alias naming a parent that moved under another: every step is same", async () => {
        const standard = "prog:index:myStandardType";
        const my = "prog:index:myType";
        const first = await firstUp((pulumi) => {
            component(pulumi, standard, "resA");
            const b = component(pulumi, my, "resB");
            res(pulumi, "resC", { parent: b });
        });
        const second = nextStack(first, (pulumi) => {
            const a = component(pulumi, standard, "resA");
            const b = component(pulumi, my, "resB", { parent: a, aliases: [{ parent: undefined }] });
            res(pulumi, "resC", { parent: a, aliases: [{ parent: b }] });
        });
        expect(changes((await second.up()).steps)).toEqual([]);
        expect(urns(second)).toEqual(
            sorted([urn(standard, "resA"), urn(`${standard}$${my}`, "resB"), urn(`${standard}$${A}`, "resC")]),
        );
    });

    // TestCorrectResourceChosen: the resource's own URN is looked up before its aliases.
    it("the own URN wins over an alias that also matches; the other old resource is deleted", async () => {
        const first = await firstUp((pulumi) => {
            const a = res(pulumi, "resA");
            res(pulumi, "resB", { parent: a });
            res(pulumi, "resB");
        });
        const second = nextStack(first, (pulumi) => {
            const a = res(pulumi, "resA");
            res(pulumi, "resB", { aliases: [{ parent: a }] });
        });
        const { steps } = await second.up();
        expect(changes(steps)).toEqual([`delete ${urn(`${A}$${A}`, "resB")}`]);
        expect(urns(second)).toEqual([urn(A, "resA"), urn(A, "resB")]);
    });
});
