// npm run bench [-- VARIANT]: on a Docker host with bonding (DOCKER_HOST, e.g. the lab host VM),
// prints how long the program takes from nothing to a verified lab, beside the floor: the same
// networks, containers and scripts created straight through the docker CLI with every
// independent step in parallel. Also teardown time, the running lab's memory and image size.
// Figures only, no pass/fail: timing belongs here, not in tests.
// npm run bench -- --watch: what the live view costs (tools/bench-watch.ts).
// npm run bench -- --validate: no Docker; how long `npm run validate` takes on two large
// generated lab files (many links; many hosts in many VLANs), to keep validation near linear.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ROUTER_IMAGE as IMAGE } from "../components/foundation";
import { lastJson } from "../components/network";
import { CONFIGS_DIR, loadAnyLab } from "../components/labfile/load";
import { Reach } from "../components/labfile/reach";
import { DockerRealizer } from "../engine/docker-realizer";
import { RegisteredResource, Stack } from "../engine/engine";
import { LabStack } from "../engine/lab-stack";
import { MemoryRealizer } from "../engine/memory-realizer";
import { docker } from "../engine/shell";
import { Goal, StateResource } from "../engine/steps";
import { classWatchBench, watchBench } from "./bench-watch";

const USAGE =
    'usage: npm run bench [-- VARIANT | lab.yaml]   (default lacp; needs DOCKER_HOST, e.g. eval "$(labhost/start.sh)")\n' +
    "       npm run bench -- --validate             (times npm run validate on large generated lab files)\n" +
    "       npm run bench -- --watch                (what the live view costs: latency to the page, CPU per router)\n" +
    "       npm run bench -- --watch --class N      (the same for a class of N labs watched at once)";
const variant = process.argv[2] ?? "lacp";
const stackFile = { "bondlab:variant": variant, "bondlab:routerImage": IMAGE };
const seconds = (since: number) => (Date.now() - since) / 1000;

async function main(): Promise<void> {
    if (process.argv[2] === "--help" || process.argv[2] === "-h") return console.log(USAGE);
    if (process.argv[2] === "--validate" && process.argv.length === 3) return validateBench();
    if (process.argv[2] === "--watch" && process.argv.length === 3) return watchBench();
    if (process.argv[2] === "--watch" && process.argv[3] === "--class" && process.argv.length === 5) {
        const size = Number(process.argv[4]);
        if (!Number.isInteger(size) || size < 1 || size > 40) throw new Error("--class N: a class of 1 to 40 labs");
        return classWatchBench(size);
    }
    if (process.argv.length > 3 || variant.startsWith("-")) throw new Error(USAGE);
    loadAnyLab(variant); // a bad variant fails here, before anything starts
    if (!process.env.DOCKER_HOST) throw new Error('set DOCKER_HOST first, e.g. eval "$(labhost/start.sh)"');

    // 1. The program through the engine model (engine/lab-stack.ts), as the e2e tests run it.
    const lab = new LabStack("bench", stackFile);
    let t = Date.now();
    const run = await lab.up();
    const up = seconds(t);
    const memory = await labMemory("bench");
    t = Date.now();
    await lab.down();
    const down = seconds(t);

    // 2. The floor: the same resources, replayed phase by phase with the raw CLI.
    const { resources } = await new Stack({ name: "bench-floor", stackFile }, new MemoryRealizer()).up();
    const floor = new DockerRealizer();
    const created: StateResource[] = [];
    t = Date.now();
    await replay(resources, floor, created);
    const floorUp = seconds(t);
    t = Date.now();
    for (const r of created.reverse()) await floor.delete(r);
    const floorDown = seconds(t);

    const size = Number(await docker("image", "inspect", "-f", "{{.Size}}", IMAGE));
    const engine = await docker("version", "-f", "{{.Server.Version}} on kernel {{.Server.KernelVersion}}");
    console.log(`bondlab bench: variant ${variant}, Docker ${engine}`);
    console.table({
        "nothing -> verified lab (program)": { seconds: up.toFixed(1) },
        "same, raw docker CLI (floor)": { seconds: floorUp.toFixed(1) },
        "program / floor": { seconds: (up / floorUp).toFixed(2) },
        "teardown (program)": { seconds: down.toFixed(1) },
        "teardown (floor)": { seconds: floorDown.toFixed(1) },
    });
    console.log(`running lab's containers: ${memory}`);
    console.log(`router image ${IMAGE}: ${(size / 1e6).toFixed(1)} MB`);
    if (run.outputs.routers) {
        const verify = run.outputs.routers.inetRouter.verify;
        console.log(`verify on inetRouter: ${verify.mode}, ping ${verify.ping.received}/5`);
    } else {
        const nodes = Object.values<{ verify: { problems: number; pinged: string[] } }>(run.outputs.nodes);
        const pings = nodes.reduce((n, node) => n + node.verify.pinged.length, 0);
        console.log(`verify: ${nodes.length} nodes without a problem, ${pings} pings answered`);
    }
}

/** Creates the recorded resources with the most parallelism their kinds allow. */
async function replay(
    resources: RegisteredResource[],
    realizer: DockerRealizer,
    created: StateResource[],
): Promise<void> {
    const custom = resources.filter((r) => r.type.startsWith("docker:") || r.type.startsWith("command:"));
    const phase = (pick: (r: RegisteredResource) => boolean) => custom.filter(pick);
    // Values the recording invented (subnets, image id) -> what Docker really gave.
    const computed = new Map<string, string>();
    const runPhase = async (items: RegisteredResource[]) => {
        await Promise.all(
            items.map(async (r) => {
                let text = JSON.stringify(r.inputs);
                for (const [invented, real] of computed) text = text.split(invented).join(real);
                const goal: Goal = {
                    urn: r.urn,
                    type: r.type,
                    name: r.name,
                    custom: true,
                    inputs: JSON.parse(text),
                    dependencies: [],
                    propertyDependencies: {},
                    replaceOnChanges: [],
                };
                const { id, outputs: state } = await realizer.create(goal);
                created.push({ ...goal, id, outputs: state });
                const ipam = state.ipamConfigs as { subnet: string; gateway: string }[] | undefined;
                r.state.ipamConfigs?.forEach((c: any, i: number) => {
                    computed.set(c.subnet, ipam?.[i]?.subnet ?? "");
                    computed.set(c.gateway, ipam?.[i]?.gateway ?? "");
                });
                if (r.state.imageId) computed.set(r.state.imageId, String(state.imageId));
                // A network node's apply prints its MACs, which its peers' verify checks answers against.
                if (r.inputs.environment?.BONDLAB_NET !== undefined) {
                    const invented = lastJson(String(r.state.stdout)).macs;
                    const real = lastJson(String(state.stdout)).macs;
                    for (const dev of Object.keys(invented)) computed.set(invented[dev], real[dev]);
                }
            }),
        );
    };
    await runPhase(phase((r) => r.type.includes("RemoteImage")));
    await runPhase(phase((r) => r.name.endsWith("host-check")));
    await runPhase(phase((r) => r.type.includes("network:Network")));
    await runPhase(phase((r) => r.type.includes("container:Container")));
    await runPhase(phase((r) => r.name.endsWith("-apply")));
    await runPhase(phase((r) => r.name.endsWith("-verify")));
}

async function labMemory(stack: string): Promise<string> {
    const names = (await docker("ps", "--filter", `label=org.bondlab.stack=${stack}`, "--format", "{{.Names}}")).split(
        "\n",
    );
    const stats = await docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", ...names);
    return stats
        .split("\n")
        .map((l) => l.replace(/ \/ .*/, ""))
        .join(", ");
}

/**
 * The validate tool's time on each generated file, as the user runs it (ts-node start-up
 * included), and the CPU time of the checks alone, in this process: on a busy machine the
 * wall time varies with the load, the CPU time much less.
 */
function validateBench(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-bench-"));
    const files: [string, string][] = [
        ["configs/seed.yaml (start-up alone)", fs.readFileSync(path.join(CONFIGS_DIR, "seed.yaml"), "utf8")],
        ["8,000 single-channel links among 32 routers", manyLinks(8000)],
        ["31 hosts in 100 VLANs on one segment", manyVlans(31, 100)],
    ];
    const rows: Record<
        string,
        { "npm run validate, s": string; "checks, CPU s": string; bytes: number; result: string }
    > = {};
    for (const [label, lab] of files) {
        const file = path.join(dir, `${path.basename(label.split(" ")[0]).replace(/\W/g, "")}.yaml`);
        fs.writeFileSync(file, lab);
        const t = Date.now();
        const run = spawnSync("npm", ["run", "-s", "validate", "--", file], { encoding: "utf8" });
        const wall = seconds(t);
        rows[label] = {
            "npm run validate, s": wall.toFixed(2),
            "checks, CPU s": checksCpu(file).toFixed(2),
            bytes: fs.statSync(file).size,
            result: run.status === 0 ? "valid" : `exit ${run.status}: ${(run.stderr || run.stdout).split("\n")[1]}`,
        };
    }
    fs.rmSync(dir, { recursive: true });
    console.log(
        "npm run validate on generated lab files (wall time, ts-node start-up included; CPU time of the checks):",
    );
    console.table(rows);
}

/** CPU seconds to load and check a lab file and work out which hosts reach which, as validate does. */
function checksCpu(file: string): number {
    const before = process.cpuUsage();
    const loaded = loadAnyLab(file);
    if (!loaded.link) new Reach(loaded.network).hostPairs();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1e6;
}

/**
 * `count` one-channel links, round robin over every pair of 32 routers, each link its own /30;
 * written out by hand, as compact YAML, to stay under the 1 MB a lab file may take.
 */
function manyLinks(count: number): string {
    const nodes = Array.from({ length: 32 }, (_, n) => `r${n + 1}`);
    const pairs = nodes.flatMap((a, i) => nodes.slice(i + 1).map((b) => [a, b]));
    const links = Array.from({ length: count }, (_, i) => {
        const [a, b] = pairs[i % pairs.length];
        const net = `10.${Math.floor(i / 64)}.${(i % 64) * 4}`;
        return `  - {name: l${i}, channels: 1, ends: {${a}: {address: ${net}.1/30}, ${b}: {address: ${net}.2/30}}}`;
    });
    return [
        "version: 2",
        `description: ${count} links`,
        `nodes: [${nodes.map((n) => `{name: ${n}}`).join(", ")}]`,
        "links:",
        ...links,
        "",
    ].join("\n");
}

/** One router and `hosts` hosts, all in each of `vlans` VLANs on one segment: every host pings every other. */
function manyVlans(hosts: number, vlans: number): string {
    const names = Array.from({ length: hosts }, (_, h) => `h${h + 1}`);
    const port = (octet: number) => ({
        vlans: Array.from({ length: vlans }, (_, v) => ({ id: v + 1, address: `10.${v + 1}.0.${octet}/24` })),
    });
    const lab = {
        version: 2,
        description: `${hosts} hosts in ${vlans} VLANs`,
        nodes: [{ name: "r1" }, ...names.map((name) => ({ name, kind: "host" }))],
        segments: [
            {
                name: "lan",
                ports: Object.fromEntries([["r1", port(254)], ...names.map((name, h) => [name, port(h + 1)])]),
            },
        ],
    };
    return YAML.stringify(lab, { collectionStyle: "flow" });
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
