import * as pulumi from "@pulumi/pulumi";
import { dockerCliEnv } from "../../components/docker-endpoint";
import { Stack } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { readStackSettings } from "../../components/labfile/settings";

// The stack's own settings: every bad one named by its bondlab: key with the fix, before
// any resource exists.

/** `pulumi up` of a stack whose file holds `stackFile`; resolves to the error's message. */
async function refused(stackFile: Record<string, unknown>): Promise<string> {
    const realizer = new MemoryRealizer();
    const error = await new Stack({ name: "settings", stackFile }, realizer).up().then(
        () => undefined,
        (e: Error) => e,
    );
    expect(realizer.events).toEqual([]);
    if (!error) throw new Error("the update was not refused");
    return error.message;
}

describe("stack settings", () => {
    it.each([
        [{ "bondlab:verifyTimeout": 0 }, /bondlab:verifyTimeout: "0" is not whole seconds from 1 to 3600/],
        [{ "bondlab:verifyTimeout": "-5" }, /bondlab:verifyTimeout: "-5" is not whole seconds from 1 to 3600/],
        [{ "bondlab:verifyTimeout": 99999 }, /bondlab:verifyTimeout: "99999" is not whole seconds/],
        [{ "bondlab:privileged": "maybe" }, /bondlab:privileged: "maybe" is not true or false/],
        [{ "bondlab:routerImage": "bad image;rm" }, /bondlab:routerImage: "bad image;rm" is not an image reference/],
        [
            { "bondlab:bondOptions": ["miimon"] },
            /validating stack config: Stack 'settings' with configuration key 'bondlab:bondOptions' must be of type 'object'/,
        ],
        [
            { "bondlab:bondOptions": { miimon: { deep: 1 } } },
            /bondlab:bondOptions: miimon: \{"deep":1\} is not a number/,
        ],
    ])("%j is refused, naming the key", async (stackFile, expected) => {
        expect(await refused({ "bondlab:variant": "seed", ...stackFile })).toMatch(expected);
    });

    it("blames an option the stack set on bondlab:bondOptions, not on the variant's file", async () => {
        const message = await refused({ "bondlab:variant": "lacp", "bondlab:bondOptions": { lacp_rate: "fsat" } });
        expect(message).toMatch(/- bondlab:bondOptions\.lacp_rate: "fsat" is not allowed \(did you mean fast\?\)/);
    });

    it("says that the stack removed the monitor, instead of only asking to add it back", async () => {
        const message = await refused({ "bondlab:variant": "seed", "bondlab:bondOptions": { miimon: null } });
        expect(message).toMatch(
            new RegExp(
                /- bondlab:bondOptions: no link monitoring.*after bondlab:bondOptions removes miimon: /.source +
                    /`pulumi config rm --path 'bondlab:bondOptions\.miimon'`/.source,
            ),
        );
    });

    it("reads the defaults of an empty stack", () => {
        expect(readStackSettings(() => undefined)).toEqual({
            variant: "seed",
            bondOptions: {},
            privileged: undefined,
            routerImage: undefined,
            lacpPassthrough: true,
            verifyTimeout: 90,
        });
    });
});

describe("bondlab:bondOptions keys that every object has", () => {
    it.each(["__proto__", "constructor", "toString"])("refuses %s as a bond option, naming it", async (key) => {
        // JSON.parse keeps "__proto__" as an own key, as the CLI's JSON does.
        const bondOptions = JSON.parse(`{${JSON.stringify(key)}: ["x"], "miimon": 200}`);
        expect(await refused({ "bondlab:variant": "seed", "bondlab:bondOptions": bondOptions })).toMatch(
            new RegExp(`- bondlab:bondOptions: "${key}" is not a bond option: use one of miimon, `),
        );
    });
});

describe("bondlab:bondOptions as the program reads it", () => {
    // The CLI hands an object to the program as JSON text; a string that holds a JSON object
    // (`pulumi config set` without --path, once past the CLI) is the same text.
    it.each([
        ["an object", JSON.stringify({ miimon: 200, primary: null })],
        ["a string holding a JSON object", '{"miimon":200,"primary":null}'],
    ])("reads %s, then checks it as always", (_how, text) => {
        const settings = readStackSettings((key) => (key === "bondOptions" ? text : undefined));
        expect(settings.bondOptions).toEqual({ miimon: 200, primary: null });
        expect(Object.getPrototypeOf(settings.bondOptions)).toBe(Object.prototype);
    });
});

describe("docker:host", () => {
    it.each(["tcp:///", "ssh://user@", "tcp://:2375"])(
        "refuses %s, which names no host, before anything exists",
        (host) => {
            expect(() => dockerCliEnv({ host }, {}, () => false)).toThrow(
                new RegExp(
                    `- docker:host: "${host.replace(/\//g, "\\/")}" names no host: write a Docker endpoint such as ssh://`,
                ),
            );
        },
    );

    it("shows its refusal without a stack trace when pulumi up runs the program", () => {
        let error: unknown;
        try {
            dockerCliEnv({ host: "tcp:///" }, {}, () => false);
        } catch (e) {
            error = e;
        }
        expect(pulumi.RunError.isInstance(error)).toBe(true);
    });

    it("takes an endpoint that names a host, and an unset one", () => {
        expect(dockerCliEnv({ host: "ssh://user@lab" }, {})).toEqual({
            DOCKER_HOST: "ssh://user@lab",
            DOCKER_CONTEXT: "",
        });
        expect(dockerCliEnv({ host: "" }, { DOCKER_HOST: "tcp://h:2375" })).toEqual({
            DOCKER_HOST: "tcp://h:2375",
            DOCKER_CONTEXT: "",
        });
    });
});
