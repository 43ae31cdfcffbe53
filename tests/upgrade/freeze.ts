// Freezes the state an older bondlab's `up` wrote, as upgrade fixtures: every shipped variant
// and network of OLD (a checkout of that commit, with node_modules), brought up by the engine
// model on the memory realizer, its state saved as tests/upgrade/fixtures/<commit>/<variant>.json.gz.
//   npx ts-node --transpile-only tests/upgrade/freeze.ts OLD_CHECKOUT
// The engine model is this checkout's; the program, its configs and scripts are OLD's.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { Stack } from "../../engine/engine";
import { MemoryRealizer } from "../../engine/memory-realizer";
import { FIXTURE_STACK, fixtureDir } from "./fixtures";

async function main(oldCheckout: string): Promise<void> {
    const commit = execFileSync("git", ["-C", oldCheckout, "rev-parse", "--short=7", "HEAD"]).toString().trim();
    const names = (dir: string) =>
        fs.existsSync(dir)
            ? fs
                  .readdirSync(dir)
                  .filter((f) => f.endsWith(".yaml"))
                  .map((f) => f.slice(0, -5))
            : [];
    // Networks by path: commits before d0ff02f did not find configs/v2 by name.
    const networks = names(path.join(oldCheckout, "configs", "v2"));
    const variants = [...names(path.join(oldCheckout, "configs")), ...networks];
    const out = fixtureDir(commit);
    fs.mkdirSync(out, { recursive: true });
    for (const variant of variants.sort()) {
        const file = path.resolve(oldCheckout, "configs", "v2", `${variant}.yaml`);
        const stackFile = { "bondlab:variant": networks.includes(variant) ? file : variant };
        const stack = new Stack(
            { name: FIXTURE_STACK, stackFile, projectDir: path.resolve(oldCheckout) },
            new MemoryRealizer(),
        );
        await stack.up();
        fs.writeFileSync(path.join(out, `${variant}.json.gz`), zlib.gzipSync(JSON.stringify(stack.state) + "\n"));
        console.log(`${commit} ${variant}: ${stack.state.length} resources`);
    }
}

main(process.argv[2]).catch((e) => {
    console.error(e);
    process.exit(1);
});
