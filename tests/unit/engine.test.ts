import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import {
    DOCKER_ENDPOINT_PRELUDE,
    DockerProviderConfig,
    dockerCliEnv,
    dockerCommandEnv,
} from "../../components/docker-endpoint";
import { ROUTER_IMAGE } from "../../components/foundation";
import { listStacks, loadProject, loadStackFile, resolveConfig, stackConfig } from "../../engine/config";
import { PROJECT_DIR, Stack, ignoringChanges } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { COMMAND, CONTAINER, NETWORK, REMOTE_IMAGE } from "../../engine/providers";
import { Goal, StateResource, Step, decide, dependentReplacements, scheduleDeletes } from "../../engine/steps";

// The engine model against the cases pulumi/pulumi's own tests assert, then the program's
// updates through it (in memory: the same updates run on the real kernel in
// tests/e2e/lifecycle.test.ts).

describe("config, as the CLI applies Pulumi.yaml before the program runs", () => {
    const project = (config: Record<string, unknown>) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-project-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), JSON.stringify({ name: "test", runtime: "nodejs", config }));
        return loadProject(dir);
    };

    // sdk/go/common/workspace/project_test.go TestStackConfigErrorsWhenMissingTwoStackValueForConfigTypeWithNoDefault
    it("refuses a stack that lacks typed keys without a default, naming every one", () => {
        const p = project({ another: { type: "string" }, values: { type: "array", items: { type: "string" } } });
        expect(() => resolveConfig(p, "dev", {})).toThrow(
            "Stack 'dev' is missing configuration values 'another' and 'values'",
        );
        expect(() => resolveConfig(p, "dev", { "test:another": "x" })).toThrow(
            "Stack 'dev' is missing configuration value 'values'",
        );
    });

    // project_test.go: `test:importantNumber: hello` for an integer key
    it("checks a typed key's value, accepting the strings `pulumi config set` writes", () => {
        const p = project({ importantNumber: { type: "integer" }, flag: { type: "boolean", default: true } });
        expect(() => resolveConfig(p, "dev", { "test:importantNumber": "hello" })).toThrow(
            "Stack 'dev' with configuration key 'importantNumber' must be of type 'integer'",
        );
        expect(resolveConfig(p, "dev", { "test:importantNumber": "20" })).toEqual({
            "test:importantNumber": "20",
            "test:flag": "true",
        });
        expect(resolveConfig(p, "dev", { importantNumber: 7, "test:flag": "false" })).toEqual({
            "test:importantNumber": "7",
            "test:flag": "false",
        });
    });

    it("refuses a default of the wrong type and a typed key of another namespace", () => {
        expect(() => project({ n: { type: "integer", default: "x" } })).toThrow(
            "The default value specified for configuration key 'n' is not of the expected type 'integer'",
        );
        expect(() => project({ "docker:host": { type: "string" } })).toThrow(
            "Configuration key 'docker:host' is not namespaced by the project and should not define a type",
        );
    });

    it("hands objects to the program as JSON and lets a stack set keys the project does not declare", () => {
        const p = project({ opts: { type: "object", default: {} } });
        expect(resolveConfig(p, "dev", { "test:extra": true })).toEqual({ "test:opts": "{}", "test:extra": "true" });
    });

    it("accepts bondlab's Pulumi.yaml with every shipped stack file", () => {
        const stacks = listStacks(PROJECT_DIR);
        expect(stacks.length).toBeGreaterThanOrEqual(8);
        for (const stack of stacks) {
            const config = stackConfig(PROJECT_DIR, stack);
            expect(config["bondlab:variant"]).toBe(loadStackFile(PROJECT_DIR, stack)["bondlab:variant"]);
            expect(config["bondlab:bondOptions"]).toBe("{}");
            expect(config["bondlab:privileged"]).toBeUndefined(); // unset: the variant's own
        }
        // A stack file with nothing in it still runs: every declared key has a default.
        expect(stackConfig(PROJECT_DIR, "brand-new", {})["bondlab:variant"]).toBe("seed");
    });
});

/** A custom resource goal for the step tests. */
function goal(
    name: string,
    type: string,
    inputs: Record<string, unknown>,
    deps: Record<string, string[]> = {},
    dependsOn: string[] = [],
): Goal {
    return {
        urn: `urn:${name}`,
        type,
        name,
        custom: true,
        inputs,
        dependencies: [...new Set([...Object.values(deps).flat(), ...dependsOn])],
        propertyDependencies: deps,
        replaceOnChanges: type === COMMAND ? ["triggers[*]"] : [],
    };
}
const state = (g: Goal): StateResource => ({ ...g, id: `${g.name}-id`, outputs: g.inputs });

describe("step decisions, as pkg/resource/deploy/step_generator.go makes them", () => {
    it("same, update in place, replace: from the provider's ForceNew fields and replaceOnChanges", () => {
        const cmd = goal("c", COMMAND, { create: "a", triggers: ["x"] });
        expect(decide(state(cmd), cmd)).toEqual({ op: "same" });
        expect(decide(state(cmd), { ...cmd, inputs: { create: "b", triggers: ["x"] } })).toEqual({
            op: "update",
            keys: ["create"],
        });
        expect(decide(state(cmd), { ...cmd, inputs: { create: "a", triggers: ["y"] } })).toMatchObject({
            op: "replace",
            replaceKeys: ["triggers"],
            deleteBeforeReplace: false,
        });
        const ctr = goal("r", CONTAINER, { name: "r", image: "i", restart: "no" });
        expect(decide(state(ctr), { ...ctr, inputs: { ...ctr.inputs, restart: "always" } })).toMatchObject({
            op: "update",
        });
        expect(decide(state(ctr), { ...ctr, inputs: { ...ctr.inputs, envs: ["A=1"] } })).toMatchObject({
            op: "replace",
            deleteBeforeReplace: true,
        });
    });

    it("ignoreChanges: an ignored input keeps its old value, or goes when the old state lacks it (processIgnoreChanges)", () => {
        const image = goal("i", REMOTE_IMAGE, { name: "n", keepLocally: true, triggers: { files: "h" } });
        const old = state({ ...image, inputs: { ...image.inputs, build: { context: "images/router" } } });
        // Without the option, the build that left the program replaces the image (ForceNew).
        expect(decide(old, image)).toMatchObject({ op: "replace", replaceKeys: ["build"] });
        const ignoring = { ...image, ignoreChanges: ["build"] };
        expect(ignoringChanges(ignoring, old).inputs).toEqual(old.inputs);
        expect(decide(old, ignoringChanges(ignoring, old))).toEqual({ op: "same" });
        // An input the old state lacks is dropped, so it cannot change anything either.
        const added = { ...ignoring, inputs: { ...image.inputs, build: { context: "x" } } };
        expect(ignoringChanges(added, state(image)).inputs).toEqual(image.inputs);
        expect(() => ignoringChanges({ ...image, ignoreChanges: ["build.context"] }, old)).toThrow(/top-level/);
    });

    it("a network the program names is deleted before it is replaced; the resource option overrides the provider", () => {
        const net = goal("n", NETWORK, { name: "n", driver: "bridge" });
        expect(decide(state(net), { ...net, inputs: { ...net.inputs, driver: "x" } })).toMatchObject({
            deleteBeforeReplace: true,
        });
        const cmd = goal("c", COMMAND, { triggers: [1] });
        expect(decide(state(cmd), { ...cmd, inputs: { triggers: [2] }, deleteBeforeReplace: true })).toMatchObject({
            deleteBeforeReplace: true,
        });
    });

    it("refuses a change it has not read the provider for, instead of guessing", () => {
        const ctr = goal("r", CONTAINER, { name: "r", image: "i" });
        expect(() => decide(state(ctr), { ...ctr, inputs: { ...ctr.inputs, somethingNew: 1 } })).toThrow(
            /does not know whether changing somethingNew/,
        );
    });

    // lifecycletest/delete_before_replace_test.go TestDeleteBeforeReplace: dependents whose
    // replace-forcing inputs come from the replaced resource go too; a dependsOn edge or an
    // input that updates in place is not enough.
    it("replaces the dependents of a delete-before-replace, transitively, and only those", () => {
        const net = goal("net", NETWORK, { name: "n" });
        const router = goal(
            "router",
            CONTAINER,
            { name: "r", networksAdvanced: [{ name: "n" }] },
            { networksAdvanced: ["urn:net"] },
        );
        const cable = goal("cable", CONTAINER, { name: "c" }, {}, ["urn:net"]);
        const apply = goal("apply", COMMAND, { triggers: ["r-id"] }, { triggers: ["urn:router"] });
        const show = goal("show", COMMAND, { environment: { R: "r" } }, { environment: ["urn:router"] });
        const old = [net, router, cable, apply, show].map(state);
        expect(dependentReplacements(old, "urn:net", new Set()).map((r) => r.name)).toEqual(["router", "apply"]);
        expect(dependentReplacements(old, "urn:net", new Set(["urn:router"])).map((r) => r.name)).toEqual([]);
    });

    // step_generator.go ScheduleDeletes: antichains of resources none of whose dependents is left,
    // each antichain deleted in parallel; a component brings its children along as a dependency.
    it("schedules deletes in antichains, dependents first, independent resources together", () => {
        const net1 = goal("net1", NETWORK, { name: "n1" });
        const net2 = goal("net2", NETWORK, { name: "n2" });
        const cable1 = goal("cable1", CONTAINER, { name: "c1" }, {}, ["urn:net1"]);
        const cable2 = goal("cable2", CONTAINER, { name: "c2" }, {}, ["urn:net2"]);
        const routerA = goal("routerA", CONTAINER, { name: "a" }, { networksAdvanced: ["urn:net1", "urn:net2"] });
        const routerB = goal("routerB", CONTAINER, { name: "b" }, { networksAdvanced: ["urn:net1", "urn:net2"] });
        const node: Goal = { ...goal("node", "bondlab:index:Node", {}), custom: false };
        const apply = { ...goal("apply", COMMAND, {}, { triggers: ["urn:routerA"] }), parent: "urn:node" };
        const verify = goal("verify", COMMAND, {}, {}, ["urn:node"]);
        const all = [net1, net2, cable1, cable2, routerA, routerB, node, apply, verify].map(state);
        const names = (chains: StateResource[][]) => chains.map((c) => c.map((r) => r.name).sort());
        expect(names(scheduleDeletes(all, all))).toEqual([
            ["verify"],
            ["apply"],
            ["cable1", "cable2", "routerA", "routerB"],
            // Layered from the bottom as Pulumi does: the component depends on nothing.
            ["net1", "net2", "node"],
        ]);
        // Only what is condemned is scheduled; a kept dependent does not hold anything back here.
        const some = all.filter((r) => ["cable2", "net2"].includes(r.name));
        expect(names(scheduleDeletes(some, all))).toEqual([["cable2"], ["net2"]]);
    });
});

describe("the program through the engine model, update after update", () => {
    const lacp = { "bondlab:variant": "lacp" };
    const ops = (steps: Step[], op: string) =>
        steps
            .filter((s) => s.op === op)
            .map((s) => s.urn.split("::").pop())
            .sort();
    const newStack = (stackFile: Record<string, unknown>) =>
        new Stack({ name: "unit", stackFile }, new MemoryRealizer());

    it("nothing changed: every step is `same`, so the preview is calm", async () => {
        const stack = newStack(lacp);
        await stack.up();
        const { steps } = await stack.preview();
        expect(steps.filter((s) => s.op !== "same")).toEqual([]);
    });

    it("calm from any machine: previewed with another Docker endpoint, or none set, nothing changes", async () => {
        // The lab host VM takes the first free port from 23750; another machine or the PR
        // runner has another DOCKER_HOST, or none. The engine is not an input of any resource.
        const withHost = async <T>(host: string | undefined, run: () => Promise<T>) => {
            const saved = process.env.DOCKER_HOST;
            if (host === undefined) delete process.env.DOCKER_HOST;
            else process.env.DOCKER_HOST = host;
            try {
                return await run();
            } finally {
                if (saved === undefined) delete process.env.DOCKER_HOST;
                else process.env.DOCKER_HOST = saved;
            }
        };
        const stack = newStack(lacp);
        await withHost("tcp://127.0.0.1:23750", () => stack.up());
        for (const host of ["tcp://127.0.0.1:23751", undefined]) {
            const { steps } = await withHost(host, () => stack.preview());
            expect({ host, changed: steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`) }).toEqual({
                host,
                changed: [],
            });
        }
    });

    it("a preview of a new stack runs no command and does not crash the program", async () => {
        const realizer = new MemoryRealizer();
        const { steps } = await new Stack({ name: "unit", stackFile: lacp }, realizer).preview();
        expect(ops(steps, "create")).toContain("lab-inetRouter-verify");
        expect(realizer.events).toEqual([]);
    });

    it("lacpPassthrough toggled: the cables are replaced and verify runs again on both routers", async () => {
        const stack = newStack(lacp);
        await stack.up();
        stack.stackFile = { ...lacp, "bondlab:lacpPassthrough": false };
        const { steps } = await stack.up();
        expect(ops(steps, "replace")).toEqual([
            "lab-bond0-ch1-cable",
            "lab-bond0-ch2-cable",
            "lab-centralRouter-verify",
            "lab-inetRouter-verify",
        ]);
        expect(ops(steps, "update")).toEqual([]);
    });

    it("a channel's subnet changed: its network is replaced, and its cable with it (replaceWith)", async () => {
        // The cable silences its bridge once, when it starts: a new bridge needs a new cable.
        const file = (subnet: string) => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-subnet-"));
            const text = fs
                .readFileSync(path.join(PROJECT_DIR, "configs", "v2", "vlan-lacp.yaml"), "utf8")
                .replace("channels: [ch1, ch2]", `channels: [{ name: ch1, subnet: ${subnet} }, ch2]`);
            fs.writeFileSync(path.join(dir, "lab.yaml"), text);
            return path.join(dir, "lab.yaml");
        };
        const realizer = new MemoryRealizer();
        const stack = new Stack({ name: "unit", stackFile: { "bondlab:variant": file("10.250.1.0/24") } }, realizer);
        await stack.up();
        stack.stackFile = { "bondlab:variant": file("10.250.9.0/24") };
        realizer.events.length = 0;
        const { steps } = await stack.up();
        const replaced = steps.filter((s) => s.op === "replace");
        expect(replaced.find((s) => s.urn.endsWith("::lab-wan-ch1-network"))?.keys).toEqual(["ipamConfigs"]);
        expect(replaced.find((s) => s.urn.endsWith("::lab-wan-ch1-cable"))?.keys).toEqual(["replaceWith"]);
        expect(ops(steps, "same")).toContain("lab-wan-ch2-cable");
        // The old cable goes after the old network, and the new one comes after the new network.
        const at = (event: string) => realizer.events.indexOf(event);
        expect(at("delete lab-wan-ch1-network")).toBeGreaterThanOrEqual(0);
        expect(at("delete lab-wan-ch1-network")).toBeLessThan(at("end lab-wan-ch1-network"));
        expect(at("end lab-wan-ch1-network")).toBeLessThan(at("delete lab-wan-ch1-cable"));
        expect(at("delete lab-wan-ch1-cable")).toBeLessThan(at("start lab-wan-ch1-cable"));
    });

    it("privileged toggled: routers deleted first, with the bond commands that depend on them, then rebuilt", async () => {
        const realizer = new MemoryRealizer();
        const stack = new Stack({ name: "unit", stackFile: lacp }, realizer);
        await stack.up();
        stack.stackFile = { ...lacp, "bondlab:privileged": false };
        const { steps } = await stack.up();
        expect(ops(steps, "replace")).toEqual(
            expect.arrayContaining(["lab-inetRouter-container", "lab-inetRouter-apply", "lab-inetRouter-verify"]),
        );
        expect(realizer.at("delete lab-inetRouter-container")).toBeLessThan(
            realizer.events.lastIndexOf("start lab-inetRouter-container"),
        );
    });

    it("channels added, renamed and removed: Docker never sees two networks want one name, bridge or subnet", async () => {
        const fixtures = path.join(__dirname, "..", "e2e", "fixtures");
        const stack = newStack({ "bondlab:variant": path.join(fixtures, "seed-two.yaml") });
        await stack.up();
        for (const file of ["seed-three", "seed-uplink", "seed-two"]) {
            stack.stackFile = { "bondlab:variant": path.join(fixtures, `${file}.yaml`) };
            await expect(stack.up()).resolves.toBeDefined();
        }
        expect(
            stack.state
                .filter((r) => r.type === NETWORK)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["lab-bond0-ch1-network", "lab-bond0-ch2-network", "lab-management"]);
    });

    it("a channel renamed with its own subnet kept: Docker refuses the overlap (the workaround in docs/troubleshooting.md)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-rename-"));
        const lab = (file: string, second: string) => {
            const f = path.join(dir, `${file}.yaml`);
            fs.writeFileSync(
                f,
                `description: rename\nbond: {mode: active-backup, options: {miimon: 100}}\nchannels:\n  - {name: ch1}\n  - ${second}\n`,
            );
            return { "bondlab:variant": f };
        };
        const stack = newStack(lab("before", "{name: ch2, subnet: 10.251.7.0/24}"));
        await stack.up();
        stack.stackFile = lab("renamed", "{name: uplink, subnet: 10.251.7.0/24}");
        await expect(stack.up()).rejects.toThrow(
            "Docker refuses subnet 10.251.7.0/24: lab-bond0-ch2-network still holds it",
        );
        // The workaround: rename without the subnet first, then set it again.
        stack.stackFile = lab("renamed", "{name: uplink}");
        await stack.up();
        stack.stackFile = lab("renamed", "{name: uplink, subnet: 10.251.7.0/24}");
        await expect(stack.up()).resolves.toBeDefined();
    });

    it("a resource removed from the program is deleted after every create, dependents first", async () => {
        const fixtures = path.join(__dirname, "..", "e2e", "fixtures");
        const realizer = new MemoryRealizer();
        const stack = new Stack(
            { name: "unit", stackFile: { "bondlab:variant": path.join(fixtures, "seed-three.yaml") } },
            realizer,
        );
        await stack.up();
        stack.stackFile = { "bondlab:variant": path.join(fixtures, "seed-two.yaml") };
        await stack.up();
        const lastCreate = realizer.events
            .map((e, i) => (e.startsWith("end ") ? i : -1))
            .reduce((a, b) => Math.max(a, b));
        expect(realizer.at("delete lab-bond0-ch3-cable")).toBeGreaterThan(lastCreate);
        expect(realizer.at("delete lab-bond0-ch3-network")).toBeGreaterThan(realizer.at("delete lab-bond0-ch3-cable"));
    });

    it("a failed update stops there: no deletes run, and the state keeps what exists for destroy", async () => {
        const realizer = new MemoryRealizer();
        const stack = new Stack({ name: "unit", stackFile: lacp }, realizer);
        await stack.up();
        const before = stack.state.length;
        realizer.create = async (g) => {
            throw new Error(`cannot create ${g.name}`);
        };
        stack.stackFile = { ...lacp, "bondlab:lacpPassthrough": false };
        await expect(stack.up()).rejects.toThrow(/cannot create lab-bond0-ch1-cable|cannot create lab-bond0-ch2-cable/);
        // Only the delete-before-replace chain ran (verify depends on the cable, then the cable);
        // nothing was deleted at the end.
        const deleted = new Set(realizer.events.filter((e) => e.startsWith("delete")));
        expect([...deleted].every((e) => /^delete lab-(bond0-ch\d-cable|\w+-verify)$/.test(e))).toBe(true);
        expect(stack.state.length).toBeLessThan(before);
        expect(stack.state.map((r) => r.name)).toEqual(
            expect.arrayContaining(["lab-inetRouter-container", "lab-bond0-ch1-network", "lab-inetRouter-apply"]),
        );
        await stack.destroy();
        expect(stack.state).toEqual([]);
    });

    it("refuses a stack whose config the CLI would refuse, before the program runs", async () => {
        const realizer = new MemoryRealizer();
        await expect(
            new Stack({ name: "unit", stackFile: { "bondlab:verifyTimeout": "soon" } }, realizer).up(),
        ).rejects.toThrow("Stack 'unit' with configuration key 'bondlab:verifyTimeout' must be of type 'integer'");
        expect(realizer.events).toEqual([]);
    });

    it("`pulumi config set --path 'bondlab:bondOptions.primary' null` (the string \"null\") removes the option", async () => {
        const { resources } = await newStack({
            "bondlab:variant": "seed",
            "bondlab:bondOptions": { primary: "null", primary_reselect: "null" },
        }).up();
        const apply = resources.find((r) => r.name === "lab-inetRouter-apply")!;
        expect(apply.inputs.environment.BONDLAB_NET.split("\n")).toContain(
            "bond bond0 eth1,eth2 mode active-backup miimon 100",
        );
    });

    it("builds the router image under a name no registry serves, rebuilt when its files change", async () => {
        const { resources } = await newStack({ "bondlab:variant": "seed" }).up();
        const image = resources.find((r) => r.type === "docker:index/remoteImage:RemoteImage")!;
        expect(image.inputs.name).toBe(ROUTER_IMAGE);
        expect(ROUTER_IMAGE.split("/")[0]).toMatch(/\.invalid$/); // RFC 2606: never resolves
        expect(image.inputs.triggers.files).toMatch(/^[0-9a-f]{64}$/);
    });
});

describe("the Docker engine the commands reach is the provider's", () => {
    const none = () => false;
    it.each([
        [{}, {}, { DOCKER_HOST: "unix:///var/run/docker.sock", DOCKER_CONTEXT: "" }],
        [{}, { DOCKER_HOST: "tcp://h:2375" }, { DOCKER_HOST: "tcp://h:2375", DOCKER_CONTEXT: "" }],
        [{ host: "ssh://lab" }, { DOCKER_HOST: "tcp://h:2375" }, { DOCKER_HOST: "ssh://lab", DOCKER_CONTEXT: "" }],
        [{ host: "ssh://lab" }, { DOCKER_CONTEXT: "vm" }, { DOCKER_CONTEXT: "vm", DOCKER_HOST: "" }],
        [{ context: "vm" }, { DOCKER_HOST: "tcp://h:2375" }, { DOCKER_CONTEXT: "vm", DOCKER_HOST: "" }],
    ])("provider config %j, environment %j -> %j", (config, env, expected) => {
        expect(dockerCliEnv(config, env, none)).toEqual(expected);
    });
    // The commands carry only the stack's settings (dockerCommandEnv), and their prelude
    // resolves the rest where they run: the same engine as dockerCliEnv, by the same rules.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-home-"));
    const endpointInCommand = (config: DockerProviderConfig, env: Record<string, string>) => {
        const r = spawnSync(
            "/bin/sh",
            ["-c", DOCKER_ENDPOINT_PRELUDE + 'echo "${DOCKER_HOST:-}|${DOCKER_CONTEXT:-}"'],
            { env: { PATH: process.env.PATH, HOME: home, ...env, ...dockerCommandEnv(config) }, encoding: "utf8" },
        );
        const [DOCKER_HOST, DOCKER_CONTEXT] = r.stdout.trim().split("|");
        return { DOCKER_HOST, DOCKER_CONTEXT };
    };
    // dockerCliEnv as it would resolve with HOME at `home`.
    const expected = (config: DockerProviderConfig, env: Record<string, string>) => {
        const e = dockerCliEnv(config, env, (file) => fs.existsSync(file.replace(os.homedir(), home)));
        return { ...e, DOCKER_HOST: e.DOCKER_HOST.replace(os.homedir(), home) };
    };
    it.each([
        [{}, {}],
        [{}, { DOCKER_HOST: "tcp://h:2375" }],
        [{}, { DOCKER_CONTEXT: "vm" }],
        [{ host: "ssh://lab" }, {}],
        [{ host: "ssh://lab" }, { DOCKER_HOST: "tcp://h:2375" }],
        [{ host: "ssh://lab" }, { DOCKER_CONTEXT: "vm" }],
        [{ context: "vm" }, { DOCKER_HOST: "tcp://h:2375" }],
    ])("a command with provider config %j, environment %j, reaches dockerCliEnv's engine", (config, env) => {
        const socket = path.join(home, ".docker", "desktop", "docker.sock");
        fs.rmSync(path.join(home, ".docker"), { recursive: true, force: true });
        expect(endpointInCommand(config, env)).toEqual(expected(config, env));
        // Docker Desktop's socket, where the default one is missing.
        fs.mkdirSync(path.dirname(socket), { recursive: true });
        fs.writeFileSync(socket, "");
        expect(endpointInCommand(config, env)).toEqual(expected(config, env));
    });
    it("puts nothing of this machine in a command's settings", () => {
        expect(dockerCommandEnv({})).toEqual({});
        expect(dockerCommandEnv({ host: "ssh://lab" })).toEqual({ DOCKER_HOST: "ssh://lab" });
        expect(dockerCommandEnv({ context: "vm", host: "ssh://lab" })).toEqual({ DOCKER_CONTEXT: "vm" });
    });
});
