import { listVariants, loadAnyLab } from "../../components/labfile/load";
import { docker, runProcess } from "../../engine/shell";
import { E2ELab, IMAGE, exec, leftovers, waitForBond } from "../e2e/lab";
import * as path from "path";

// A class on one Docker host: a teacher's dozen labs side by side, one per student, mixing
// variants, some with stack names long enough to stress naming. Every lab must verify with
// its own partner (all of them use the same addresses, so cross-talk would show a foreign
// MAC), then again after every container of every lab restarted at once, then again after
// the Docker daemon restarted as a reboot does it, and teardown must leave nothing. It
// prints the time and memory per lab, which docs/class.md's capacity figures come from.
// Not part of `npm test` (it takes most of an hour in the emulated VM): `npm run test:class`.

const VARIANTS = ["lacp", "arp-monitor", "seed", "seed-shared", "balance-xor", "arp-monitor"];
const CLASS_SIZE = Number(process.env.BONDLAB_CLASS_SIZE ?? 12);
const LONG = "-with-a-stack-name-long-enough-to-stress-every-docker-name";
const ROUTERS = ["inetRouter", "centralRouter"];
/** Each stage's limit: it only stops a hung run (a class takes most of an hour in the VM). */
const STAGE_MS = 60 * 60 * 1000;
const RESTART_DOCKER = path.join(__dirname, "..", "..", "labhost", "restart-docker.sh");

interface Student {
    readonly lab: E2ELab;
    readonly variant: string;
    upS?: number;
}

const students: Student[] = Array.from({ length: CLASS_SIZE }, (_, i) => {
    const variant = VARIANTS[i % VARIANTS.length];
    const stack = `class-${String(i + 1).padStart(2, "0")}-${variant}${i % 4 === 3 ? LONG : ""}`;
    return { variant, lab: new E2ELab(stack, { "bondlab:variant": variant }) };
});

const seconds = (since: number) => Number(((Date.now() - since) / 1000).toFixed(1));
const log = (line: string) => console.log(`class ${new Date().toISOString().slice(11, 19)} ${line}`);

/** MiB the Docker host's kernel reports available (a container's /proc/meminfo is the host's). */
async function memAvailableMiB(): Promise<number> {
    const meminfo = await docker("run", "--rm", "--network", "none", IMAGE, "cat", "/proc/meminfo");
    const kib = Number(/MemAvailable:\s+(\d+)/.exec(meminfo)![1]);
    return Math.round(kib / 1024);
}

/**
 * Why a lab is not as built, or "" when it is: every router's verify passes again (the
 * program's own verify command, with its own settings), and each router's neighbour for the
 * peer's address is the peer router's own bond, not another lab's.
 */
async function problems(student: Student): Promise<string> {
    const { lab } = student;
    const found: string[] = [];
    const macs: Record<string, string> = {};
    for (const router of ROUTERS) {
        const verify = await lab.rerun(`lab-${router}-verify`);
        if (verify.code !== 0) {
            found.push(`${router}: ${verify.stderr.trim().replace(/\n/g, "; ")}`);
            continue;
        }
        macs[router] = JSON.parse(verify.stdout.trim().split("\n").pop()!).states.bond0.mac;
    }
    if (found.length > 0) return found.join(" | ");
    const { ends } = loadAnyLab(student.variant).link!;
    for (const [router, peer] of [ROUTERS, [...ROUTERS].reverse()]) {
        const peerAddress = ends.find((e) => e.node === peer)!.address!.ip;
        const neighbour = await exec(lab.container(router), "ip", "neigh", "show", peerAddress, "dev", "bond0");
        if (!neighbour.includes(macs[peer]))
            found.push(`${router}: ${peerAddress} is at "${neighbour.trim()}", not ${peer}'s ${macs[peer]}`);
    }
    return found.join(" | ");
}

/** Whether a container is running, or what Docker says it is instead. */
async function runningState(container: string): Promise<string> {
    const state = await docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", container).catch(
        (e) => `missing (${(e as Error).message.split("\n")[0]})`,
    );
    return state.startsWith("running") ? "" : `${container} is ${state.replace(/ (\d+)$/, ", exit code $1")}`;
}

/** Every lab's problems, checked one lab after another; prints and returns the failures. */
async function failures(stage: string): Promise<string[]> {
    const started = Date.now();
    const bad: string[] = [];
    for (const s of students) {
        if (!s.lab.run) {
            bad.push(`${s.lab.stack}: did not come up (see "up failed")`);
            continue;
        }
        // A container Docker did not bring back is the lab's problem, said as Docker says it.
        const down = (await Promise.all(labContainers(s).map(runningState))).filter((x) => x);
        if (down.length > 0) {
            bad.push(`${s.lab.stack}: ${down.join("; ")}`);
            continue;
        }
        try {
            for (const router of ROUTERS) await waitForBond(s.lab.container(router), "bond0", 5 * 60_000);
            const p = await problems(s);
            if (p) bad.push(`${s.lab.stack}: ${p}`);
        } catch (e) {
            bad.push(`${s.lab.stack}: ${(e as Error).message.split("\n")[0]}`);
        }
    }
    log(`${stage}: ${students.length - bad.length} of ${students.length} labs verified in ${seconds(started)} s`);
    for (const line of bad) log(`  not verified: ${line}`);
    return bad;
}

/** Every container of a lab: routers, cables and any segment switch (by the stack's label). */
const containersByLab = new Map<Student, string[]>();
const labContainers = (s: Student) => containersByLab.get(s) ?? [];

const allContainers = () => students.flatMap(labContainers);

describe(`a class of ${CLASS_SIZE} labs on one Docker host`, () => {
    let baselineMiB = 0;

    beforeAll(() => {
        expect(VARIANTS.every((v) => listVariants().includes(v))).toBe(true);
    });
    afterAll(async () => {
        for (const s of students) await s.lab.down().catch((e) => log(`${s.lab.stack}: down failed: ${e}`));
    }, STAGE_MS);

    it(
        "comes up: every lab verified, each with its own partner",
        async () => {
            baselineMiB = await memAvailableMiB();
            const started = Date.now();
            const upFailures: string[] = [];
            for (const s of students) {
                const t = Date.now();
                // One lab that does not come up must not keep the rest of the class from it.
                await s.lab
                    .up()
                    .catch((e) => upFailures.push(`${s.lab.stack}: ${(e as Error).message.split("\n")[0]}`));
                s.upS = seconds(t);
            }
            const classS = seconds(started);
            for (const s of students)
                containersByLab.set(
                    s,
                    (
                        await docker(
                            "ps",
                            "-a",
                            "--filter",
                            `label=org.bondlab.stack=${s.lab.stack}`,
                            "--format",
                            "{{.Names}}",
                        )
                    )
                        .split("\n")
                        .filter((n) => n),
                );
            const usedMiB = baselineMiB - (await memAvailableMiB());
            const stats = await docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}");
            const containers = stats.split("\n").filter((l) => l.startsWith("bondlab-class-")).length;
            const ups = students.filter((s) => s.lab.run).map((s) => s.upS!);
            log(`up: ${students.length} labs (${containers} containers) in ${classS} s`);
            log(
                `up: per lab ${Math.min(...ups)}-${Math.max(...ups)} s, ` +
                    `mean ${(ups.reduce((a, b) => a + b, 0) / Math.max(ups.length, 1)).toFixed(1)} s`,
            );
            const upCount = students.length - upFailures.length;
            const perLab = (usedMiB / Math.max(upCount, 1)).toFixed(1);
            log(`memory: ${usedMiB} MiB of the host's available memory for ${upCount} labs, ${perLab} MiB per lab`);
            for (const line of upFailures) log(`  up failed: ${line}`);
            const notVerified = await failures("after up");
            expect(upFailures).toEqual([]);
            expect(notVerified).toEqual([]);
        },
        STAGE_MS,
    );

    it(
        "verifies again after every container of every lab restarted at once",
        async () => {
            const started = Date.now();
            const restarted = await Promise.all(
                allContainers().map((c) =>
                    docker("restart", "-t", "1", c).then(
                        () => "",
                        (e) => (e as Error).message,
                    ),
                ),
            );
            log(`restart: ${restarted.length} containers restarted at once in ${seconds(started)} s`);
            for (const error of restarted.filter((e) => e)) log(`  docker restart failed: ${error.split("\n")[0]}`);
            expect(await failures("after the containers' restart")).toEqual([]);
        },
        STAGE_MS,
    );

    it(
        "verifies again after the Docker daemon restarted, as a reboot of the host does",
        async () => {
            const started = Date.now();
            const r = await runProcess([RESTART_DOCKER], { passStderr: true });
            expect(r.code).toBe(0);
            log(`docker restart: the API answered again after ${seconds(started)} s`);
            // The restart policy (unless-stopped) brings each container back with dockerd; give
            // them a few minutes (the limit only stops a hung run), then judge.
            const waitFrom = Date.now();
            while (Date.now() - waitFrom < 5 * 60_000) {
                const down = (await Promise.all(allContainers().map(runningState))).filter((x) => x);
                if (down.length === 0) break;
                await new Promise((res) => setTimeout(res, 5000));
            }
            log(`docker restart: containers running again after ${seconds(started)} s`);
            expect(await failures("after the Docker daemon's restart")).toEqual([]);
        },
        STAGE_MS,
    );

    it(
        "tears down, leaving nothing behind",
        async () => {
            const started = Date.now();
            for (const s of students) await s.lab.down();
            log(`down: ${students.length} labs in ${seconds(started)} s`);
            const left = (await Promise.all(students.map((s) => leftovers(s.lab.stack)))).flat();
            expect(left).toEqual([]);
        },
        STAGE_MS,
    );
});
