import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { urnName, urnType } from "../../engine/aliases";
import { Stack } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { StateResource, Step } from "../../engine/steps";
import { FIXTURE_STACK, fixtureDir } from "../upgrade/fixtures";

// An upgrade replaces nothing (#19): the state an older bondlab's `up` wrote for every shipped
// variant and network (frozen by tests/upgrade/freeze.ts) upgraded by this program, through the
// engine model with its alias resolution. No Docker object is created, replaced or deleted;
// commands at most update (apply and verify run again); the preview after that is calm.
interface Release {
    what: string;
    /** Docker changes the upgrade must make, and why: a fix the release lacked, not the move. */
    fixes?: { replaced: RegExp; keys: string[]; why: string; rerun: RegExp };
}
const RELEASES: Record<string, Release> = {
    "172c815": {
        what: "main before the one model: two-router labs built by Lab, networks by Network with Node and Link",
    },
    "373b8fd": {
        what: "the first version 2 networks, before Node and Link",
        fixes: {
            replaced: /-cable$/,
            keys: ["command"],
            why: "cd04950: each cable sweeps only on its own wire's events (every cable woke every other); a cable holds no state",
            // Verify's triggers hold the cables' ids, so a replaced cable (deleted first: its name
            // is fixed) takes verify with it, and verify runs again (a dependent replacement).
            rerun: /-verify/,
        },
    },
};
function fixtures(commit: string): [string, StateResource[]][] {
    const dir = fixtureDir(commit);
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json.gz"))
        .map((f) => [
            f.replace(/\.json\.gz$/, ""),
            JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, f))).toString()),
        ]);
}

/** The steps that changed a resource of this kind, as "op name"; the fixes a release lacked left out. */
function touched(steps: Step[], kind: RegExp, fixes?: Release["fixes"]): string[] {
    const fixed = (s: Step) =>
        fixes !== undefined &&
        ((fixes.replaced.test(urnName(s.urn)) &&
            ((s.op === "replace" && JSON.stringify(s.keys) === JSON.stringify(fixes.keys)) ||
                (s.op === "delete" && s.reason === "replaced"))) ||
            (fixes.rerun.test(urnName(s.urn)) &&
                (s.op === "create" || (s.op === "delete" && s.reason === "dependent"))));
    return steps
        .filter((s) => kind.test(urnType(s.urn)) && s.op !== "same" && !fixed(s))
        .map((s) => `${s.op} ${urnName(s.urn)}`);
}

describe.each(Object.entries(RELEASES))("a stack that %s brought up, upgraded", (commit, release) => {
    it.each(fixtures(commit))(
        `%s (${release.what}): no Docker object created, replaced or deleted; commands at most update`,
        async (variant, old) => {
            const stack = new Stack(
                { name: FIXTURE_STACK, stackFile: { "bondlab:variant": variant } },
                new MemoryRealizer(),
            );
            stack.state = old;
            const { steps } = await stack.up();
            expect(touched(steps, /^docker:/, release.fixes)).toEqual([]);
            const commands = touched(steps, /^command:/, release.fixes);
            expect(commands.filter((s) => !s.startsWith("update ") && !s.startsWith("create "))).toEqual([]);
            // The one command every older release lacks (#22): the docker CLI builds the router
            // image, since the provider's build fails on the containerd image store. The image
            // resource ignores the `build` its old state holds, so the image it recorded and the
            // routers on it stay as they are.
            expect(commands.filter((s) => s.startsWith("create "))).toEqual(["create lab-router-image-build"]);
            // Every Docker object the old state held is still there, under its id (but those a fix replaced).
            const ids = (state: StateResource[]) =>
                state
                    .filter((r) => r.type.startsWith("docker:") && !release.fixes?.replaced.test(r.name))
                    .map((r) => r.id)
                    .sort();
            expect(ids(stack.state)).toEqual(ids(old));
            const { steps: after } = await stack.preview();
            expect(after.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`)).toEqual([]);
        },
    );
});
