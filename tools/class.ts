// npm run class -- up|down|status CLASS.yaml [--engine pulumi|model]
// One lab per student, each its own Pulumi stack on the Docker host the class file assigns
// (class/plan.ts shows the file). Hosts work in parallel, each host's labs one after another
// (a lab's bring-up is CPU-bound on its host). Prints a line per lab and a summary; exits 1
// when a lab is not verified (up, status) or could not be destroyed (down).
import { LabConfigError } from "../components/labfile/validate";
import { AutomationDriver, LabDriver, LabStatus, ModelDriver } from "../class/drivers";
import { ClassPlan, StudentLab, loadClass } from "../class/plan";

const USAGE = `usage: npm run class -- up|down|status CLASS.yaml [--engine pulumi|model]
  up      pulumi up every student's stack (config bondlab:variant, docker:host), verified
  down    pulumi destroy every student's stack, then remove it
  status  every stack's verify result from its last update
  --engine pulumi  (default) Pulumi's Automation API, which drives the installed pulumi CLI
  --engine model   bondlab's model of the engine (engine/), for machines without the CLI;
                   its state is kept in .pulumi-state/.bondlab-model/
  BONDLAB_CLASS_ROUTER_IMAGE  a router image every host already holds (bondlab:routerImage)`;

const ACTIONS = ["up", "down", "status"] as const;
type Action = (typeof ACTIONS)[number];

interface Args {
    action: Action;
    file: string;
    engine: "pulumi" | "model";
}

export function parseArgs(argv: string[]): Args | "help" {
    if (argv.includes("--help") || argv.includes("-h")) return "help";
    const rest = [...argv];
    let engine: Args["engine"] = "pulumi";
    const at = rest.indexOf("--engine");
    if (at >= 0) {
        const value = rest.splice(at, 2)[1];
        if (value !== "pulumi" && value !== "model") throw new Error(`--engine ${value ?? ""}: use pulumi or model`);
        engine = value;
    }
    const unknown = rest.filter((a) => a.startsWith("-"));
    if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(" ")}`);
    if (rest.length !== 2) throw new Error("give an action and a class file");
    const [action, file] = rest;
    if (!(ACTIONS as readonly string[]).includes(action))
        throw new Error(`unknown action "${action}": use up, down or status`);
    return { action: action as Action, file, engine };
}

/** Runs `act` for every lab: hosts in parallel, one lab at a time on each host. */
async function perHost<T>(plan: ClassPlan, act: (lab: StudentLab) => Promise<T>): Promise<Map<StudentLab, T>> {
    const results = new Map<StudentLab, T>();
    const hosts = [...new Set(plan.labs.map((l) => l.host))];
    await Promise.all(
        hosts.map(async (host) => {
            for (const lab of plan.labs.filter((l) => l.host === host)) results.set(lab, await act(lab));
        }),
    );
    return results;
}

const line = (lab: StudentLab, what: string) =>
    `${lab.student.padEnd(14)} ${lab.host.padEnd(10)} ${lab.stack.padEnd(28)} ${lab.variant.padEnd(16)} ${what}`;

async function run(args: Args): Promise<number> {
    const plan = loadClass(args.file); // a bad file stops here, before any stack is touched
    let driver: LabDriver;
    if (args.engine === "model") {
        const image = process.env.BONDLAB_CLASS_ROUTER_IMAGE;
        driver = new ModelDriver(undefined, image ? { "bondlab:routerImage": image } : {});
    } else {
        if (!(await AutomationDriver.available()))
            throw new Error(
                "the pulumi CLI is not installed, and Pulumi's Automation API drives it: install it " +
                    "(https://www.pulumi.com/docs/install/), or use --engine model",
            );
        driver = new AutomationDriver();
    }
    console.log(`class ${plan.name}: ${args.action} of ${plan.labs.length} labs through ${driver.name}`);
    if (args.action === "down") {
        const failed: string[] = [];
        await perHost(plan, async (lab) => {
            const done = await driver.down(lab).then(
                () => "destroyed",
                (e) => `NOT destroyed: ${(e as Error).message.split("\n")[0]}`,
            );
            if (done !== "destroyed") failed.push(lab.student);
            console.log(line(lab, done));
        });
        console.log(`class ${plan.name}: ${plan.labs.length - failed.length} of ${plan.labs.length} labs destroyed`);
        return failed.length > 0 ? 1 : 0;
    }
    const results = await perHost(plan, async (lab): Promise<LabStatus> => {
        const status = args.action === "up" ? await driver.up(lab) : await driver.status(lab);
        console.log(line(lab, `${status.state}: ${status.detail}`));
        return status;
    });
    const bad = plan.labs.filter((l) => results.get(l)!.state !== "verified");
    console.log(`class ${plan.name}: ${plan.labs.length - bad.length} of ${plan.labs.length} labs verified`);
    for (const lab of bad)
        console.log(`  not verified: ${lab.student} (${lab.stack} on ${lab.host}): ${results.get(lab)!.detail}`);
    return bad.length > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
    let args: Args | "help";
    try {
        args = parseArgs(argv);
    } catch (e) {
        console.error(`class: ${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (args === "help") {
        console.log(USAGE);
        return 0;
    }
    try {
        return await run(args);
    } catch (e) {
        console.error(e instanceof LabConfigError ? e.message : `class: ${(e as Error).message}`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
