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
