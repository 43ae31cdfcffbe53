// npm run bench -- --watch: what watching a lab costs, on a Docker host with bonding (the lab
// host VM). Brings up the seed lab, serves its page (npm run watch -- --web) and opens it in
// Debian's Chromium, then prints:
// - the latency from a kernel state change to the page showing it: after the drill's admin-down
//   of eth1 inside centralRouter, from the kernel's failover (bonding's "making interface the
//   new active one", stamped by the kernel log: kernel-clock.ts) to the moment the page's
//   heading said "active eth2" (this machine's clock); and, as an upper bound, from the moment
//   `ip link set` started (act.sh's "at", the Docker host's clock, set against this machine's
//   through the drill's agent);
// - the CPU watching costs per router: its container's cgroup CPU time over a window with the
//   watch, less the same window without it, as a share of one core.
// npm run bench -- --watch --class N: the same two figures for a class of N seed labs watched at
// once (npm run watch -- --class's page): the latency to a tile, and the CPU per router.
// Figures only, no pass/fail: timing belongs here, not in tests.
import * as fs from "fs";
import { chromium } from "playwright-core";
import { ROUTER_IMAGE } from "../components/foundation";
import { drillLab, DrillLab, LabAgents, LabChannel, LabRouter } from "../drill/lab";
import { FAULTS } from "../drill/scenarios";
import { docker } from "../drill/docker";
import { nsToMs } from "../drill/probe";
import { LabStack } from "../engine/lab-stack";
import { LiveWatch } from "../watch/live";
import { statusFromOutputs } from "../class/drivers";
import { ClassWatch } from "../watch/class";
import { newToken, startClassWeb, startWeb } from "../watch/web";
import { kernelLineAfter, kernelLogClock, kernelLogEnd } from "./kernel-clock";

const CHROMIUM = "/usr/bin/chromium";
const openChromium = () =>
    chromium.launch({
        executablePath: CHROMIUM,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
const REPEATS = 7;
const CPU_WINDOW_S = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[], digits = 1) =>
    `median ${median(xs).toFixed(digits)}, range ${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;
const FAILOVER_TO_ETH2 = /^bond0: \(slave eth2\): making interface the new active one/;

/** A router container's CPU time so far (its cgroup's cpu.stat), in µs. */
async function cpuUsec(container: string): Promise<number> {
    const stat = await docker("exec", container, "cat", "/sys/fs/cgroup/cpu.stat");
    return Number(/usage_usec (\d+)/.exec(stat)?.[1] ?? NaN);
}

/** Each router's CPU over a window, as % of one core. */
async function cpuShare(lab: DrillLab, seconds: number): Promise<number[]> {
    const before = await Promise.all(lab.routers.map((r) => cpuUsec(r.container)));
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const after = await Promise.all(lab.routers.map((r) => cpuUsec(r.container)));
    const wallUs = (Date.now() - t0) * 1000;
    return after.map((a, i) => (100 * (a - before[i])) / wallUs);
}

/**
 * The Docker host's clock minus this machine's, in ms, from the agent's answers (the closest
 * round trip of several): the error is at most half that round trip.
 */
async function clockOffset(agents: LabAgents, container: string): Promise<{ offsetMs: number; errorMs: number }> {
    let best = { offsetMs: 0, errorMs: Infinity };
    for (let i = 0; i < 15; i++) {
        const t0 = Date.now();
        const answer = await agents.agent(container).command(["snap", "clock"]);
        const t1 = Date.now();
        const ns = answer.lines.find((l) => l.startsWith("snap clock "))?.split(" ")[2] ?? "";
        const error = (t1 - t0) / 2;
        if (error < best.errorMs) best = { offsetMs: nsToMs(ns) - (t0 + t1) / 2, errorMs: error };
    }
    return best;
}

/**
 * An admin-down of eth1 in `central`, timed: what `show` (which waits for the page to show the
 * failover and returns when it did, this machine's clock) saw, from the kernel's failover (its
 * log's stamp) and from `ip link set` starting; and the clocks' errors.
 */
async function timedFailover(agents: LabAgents, ch: LabChannel, central: LabRouter, show: () => Promise<number>) {
    const kernel = await kernelLogClock(central.container);
    const hostClock = await clockOffset(agents, central.container);
    const since = await kernelLogEnd(central.container);
    const times = await FAULTS.adminDown(agents, ch, central);
    const seenAt = await show();
    const failover = await kernelLineAfter(central.container, since, FAILOVER_TO_ETH2);
    if (!failover) throw new Error(`no failover to eth2 in the kernel log of ${central.container}`);
    return {
        fromFailover: seenAt - (failover.at * 1000 + kernel.offsetMs),
        fromStart: seenAt + hostClock.offsetMs - times.at!,
        errorMs: Math.max(kernel.errorMs, hostClock.errorMs),
    };
}

export async function watchBench(): Promise<void> {
    if (!process.env.DOCKER_HOST) throw new Error('set DOCKER_HOST first, e.g. eval "$(labhost/start.sh)"');
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: apt-get install chromium`);
    const stack = new LabStack("bench-watch", { "bondlab:variant": "seed", "bondlab:routerImage": ROUTER_IMAGE });
    await stack.up();
    const lab = drillLab("bench-watch", stack.handle);
    const agents = new LabAgents(lab);
    const central = lab.routers[1];
    const ch1 = lab.channels[0];
    try {
        const idle = await cpuShare(lab, CPU_WINDOW_S);
        const live = new LiveWatch(lab);
        live.start();
        const web = await startWeb(
            { model: live.model, onChange: live.onChange },
            { host: "127.0.0.1", port: 0, token: newToken() },
        );
        const browser = await openChromium();
        try {
            const page = await browser.newPage();
            await page.goto(web.url);
            const heading = page.getByTestId(`node-${central.name}`).getByRole("heading");
            await heading.filter({ hasText: "active eth1" }).waitFor({ timeout: 120_000 });
            const watched = await cpuShare(lab, CPU_WINDOW_S);

            const samples = [];
            for (let i = 0; i < REPEATS; i++) {
                // The page notes, in this machine's clock, when the heading first says eth2.
                await page.evaluate((name) => {
                    const w = window as unknown as { seenAt: number | null };
                    w.seenAt = null;
                    const node = document.querySelector(`[data-testid="node-${name}"] h2`)!;
                    const observer = new MutationObserver(() => {
                        if (node.textContent?.includes("active eth2") && w.seenAt === null) {
                            w.seenAt = Date.now();
                            observer.disconnect();
                        }
                    });
                    observer.observe(node, { childList: true, characterData: true, subtree: true });
                }, central.name);
                samples.push(
                    await timedFailover(agents, ch1, central, async () => {
                        await heading.filter({ hasText: "active eth2" }).waitFor({ timeout: 60_000 });
                        return page.evaluate(() => (window as unknown as { seenAt: number }).seenAt);
                    }),
                );
                const restored = await agents.repairAndVerify();
                if (restored.some((r) => !r.ok)) throw new Error(`restore failed: ${JSON.stringify(restored)}`);
                await heading.filter({ hasText: "active eth1" }).waitFor({ timeout: 60_000 });
                await sleep(2000);
            }
            const fromFailover = samples.map((s) => s.fromFailover);
            const fromStart = samples.map((s) => s.fromStart);
            const errorMs = Math.max(...samples.map((s) => s.errorMs));
            const engine = await docker("version", "-f", "{{.Server.Version}} on kernel {{.Server.KernelVersion}}");
            const lines = [
                `watch bench: the seed lab on Docker ${engine}, ${REPEATS} admin-downs of eth1 inside ${central.name}`,
                `  the kernel's failover to the page showing it: ${spread(fromFailover, 0)} ms ` +
                    `(clocks matched within ±${Math.round(errorMs)} ms); from ip link set starting: ${spread(fromStart, 0)} ms`,
                `  samples from the failover: ${fromFailover.map(Math.round).join(", ")} ms; ` +
                    `from ip link set starting: ${fromStart.map(Math.round).join(", ")} ms`,
                ...lab.routers.map(
                    (r, i) =>
                        `  CPU of ${r.name}'s container over ${CPU_WINDOW_S} s: ${idle[i].toFixed(1)} % of a core unwatched, ` +
                        `${watched[i].toFixed(1)} % watched: the watch costs ${(watched[i] - idle[i]).toFixed(1)} %`,
                ),
            ];
            console.log(lines.join("\n"));
        } finally {
            await browser.close();
            await web.close();
            await live.stop();
        }
    } finally {
        await agents.close();
        await stack.down();
    }
}

/** Each lab's routers' CPU over one window, as % of one core, lab by lab. */
async function classCpu(labs: DrillLab[], seconds: number): Promise<number[][]> {
    const read = () => Promise.all(labs.map((l) => Promise.all(l.routers.map((r) => cpuUsec(r.container)))));
    const before = await read();
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const after = await read();
    const wallUs = (Date.now() - t0) * 1000;
    return after.map((lab, i) => lab.map((a, j) => (100 * (a - before[i][j])) / wallUs));
}

export async function classWatchBench(size: number): Promise<void> {
    if (!process.env.DOCKER_HOST) throw new Error('set DOCKER_HOST first, e.g. eval "$(labhost/start.sh)"');
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: apt-get install chromium`);
    const names = Array.from({ length: size }, (_, i) => `bench-class-${i + 1}`);
    const stacks = names.map(
        (n) => new LabStack(n, { "bondlab:variant": "seed", "bondlab:routerImage": ROUTER_IMAGE }),
    );
    const started = Date.now();
    try {
        for (const s of stacks) await s.up();
        const upS = Math.round((Date.now() - started) / 1000);
        const labs = stacks.map((s, i) => drillLab(names[i], s.handle));
        const idle = await classCpu(labs, CPU_WINDOW_S);
        const plan = {
            name: "bench",
            labs: names.map((n, i) => ({
                student: `s${i + 1}`,
                stack: n,
                host: "vm",
                dockerHost: "",
                variant: "seed",
            })),
        };
        const byStack = new Map(stacks.map((s, i) => [names[i], s]));
        const watch = await ClassWatch.open(
            plan,
            { status: async (l) => statusFromOutputs(byStack.get(l.stack)!.outputs) },
            async (stack) => byStack.get(stack)!.outputs,
        );
        watch.start();
        const web = await startClassWeb(watch, { host: "127.0.0.1", port: 0, token: newToken() });
        const browser = await openChromium();
        const agents = labs.map((l) => new LabAgents(l));
        try {
            const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
            await page.goto(web.url);
            const healthy = page.locator('a.tile[data-health="ok"]');
            for (let t = 0; t < 300 && (await healthy.count()) < size; t++) await sleep(1000);
            const ready = await healthy.count();
            const watched = await classCpu(labs, CPU_WINDOW_S);
            const costs = watched.flatMap((lab, i) => lab.map((w, j) => w - idle[i][j]));

            // Admin-down in one lab at a time, each seen on its own tile. The kernel log is the VM's
            // one kernel's, so its failover line names no lab: one fault at a time keeps it ours.
            const samples = [];
            for (let k = 0; k < Math.min(REPEATS, size); k++) {
                const lab = labs[(k * 5) % size];
                const own = agents[labs.indexOf(lab)];
                const central = lab.routers[1];
                const tile = page.getByTestId(`tile-${lab.stack}`);
                await page.evaluate((id) => {
                    const w = window as unknown as { seenAt: number | null };
                    w.seenAt = null;
                    const node = document.querySelector(`[data-testid="tile-${id}"] .routers`)!;
                    const observer = new MutationObserver(() => {
                        if (node.textContent?.includes("centralRouter: active eth2") && w.seenAt === null) {
                            w.seenAt = Date.now();
                            observer.disconnect();
                        }
                    });
                    observer.observe(node, { childList: true, characterData: true, subtree: true });
                }, lab.stack);
                samples.push(
                    await timedFailover(own, lab.channels[0], central, async () => {
                        await tile.filter({ hasText: "centralRouter: active eth2" }).waitFor({ timeout: 60_000 });
                        return page.evaluate(() => (window as unknown as { seenAt: number }).seenAt);
                    }),
                );
                const restored = await own.repairAndVerify();
                if (restored.some((r) => !r.ok)) throw new Error(`restore failed: ${JSON.stringify(restored)}`);
                await tile.filter({ hasText: "centralRouter: active eth1" }).waitFor({ timeout: 60_000 });
                await sleep(2000);
            }
            const fromFailover = samples.map((s) => s.fromFailover);
            const fromStart = samples.map((s) => s.fromStart);
            const errorMs = Math.max(...samples.map((s) => s.errorMs));
            const engine = await docker("version", "-f", "{{.Server.Version}} on kernel {{.Server.KernelVersion}}");
            const cpus = await docker("info", "-f", "{{.NCPU}}");
            console.log(
                [
                    `watch bench, a class of ${size} seed labs on Docker ${engine} (${cpus} CPUs), brought up in ${upS} s; ` +
                        `${ready} of ${size} tiles verified and answering once watched`,
                    `  the kernel's failover to the class page's tile showing it, ${samples.length} labs: ` +
                        `${spread(fromFailover, 0)} ms (clocks matched within ±${Math.round(errorMs)} ms); ` +
                        `from ip link set starting: ${spread(fromStart, 0)} ms`,
                    `  samples from the failover: ${fromFailover.map(Math.round).join(", ")} ms; ` +
                        `from ip link set starting: ${fromStart.map(Math.round).join(", ")} ms`,
                    `  CPU the watch costs per router over ${CPU_WINDOW_S} s, ${costs.length} routers: ${spread(costs)} % of a core ` +
                        `(unwatched ${spread(idle.flat())} %, watched ${spread(watched.flat())} %)`,
                ].join("\n"),
            );
        } finally {
            await browser.close();
            await web.close();
            await watch.stop();
            await Promise.all(agents.map((a) => a.close()));
        }
    } finally {
        for (const s of stacks) await s.down().catch((e) => console.error(`down ${s.stack}: ${(e as Error).message}`));
    }
}
