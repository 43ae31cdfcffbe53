// npm run validate [-- <lab file or variant>...]: checks without touching Docker.
// With no argument: Pulumi.yaml and every Pulumi.<stack>.yaml under the rules the Pulumi CLI
// applies before a program runs (engine/config.ts), and the lab each stack names.
// With arguments: those lab files or variants.
// Exit 0 with a one-line summary per item, or 1 with every bad field and its fix.
import { StackConfigError, listStacks, stackConfig } from "../engine/config";
import { PROJECT_DIR } from "../engine/engine";
import { loadLab } from "../components/spec/load";
import { readStackSettings } from "../components/spec/settings";
import { bondOptionsFor } from "../components/spec/spec";
import { LabConfigError } from "../components/spec/validate";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
    console.log(
        "usage: npm run validate [-- <lab.yaml | variant> ...]   (no argument: Pulumi.yaml and every stack file)",
    );
    process.exit(0);
}

let failed = false;
const check = (label: string, fn: () => string) => {
    try {
        console.log(`${label}: ok: ${fn()}`);
    } catch (e) {
        if (!(e instanceof LabConfigError) && !(e instanceof StackConfigError)) throw e;
        console.error(`${label}: ${e.message}`);
        failed = true;
    }
};
const summary = (target: string, overrides: Record<string, any> = {}) => {
    const spec = loadLab(target, overrides);
    const options = bondOptionsFor(spec, spec.routers[0])
        .map(([k, v]) => `${k} ${v}`)
        .join(" ");
    const [a, b] = spec.routers;
    return `${spec.bond.name} ${options}; ${a.name} ${a.address} <-> ${b.name} ${b.address} over ${spec.channels.length} channels`;
};

if (args.length > 0) {
    for (const target of args) check(target, () => summary(target));
} else {
    for (const stack of listStacks(PROJECT_DIR)) {
        check(`Pulumi.${stack}.yaml`, () => {
            const config = stackConfig(PROJECT_DIR, stack);
            const settings = readStackSettings((key) => config[`bondlab:${key}`]);
            return summary(settings.variant, settings.bondOptions);
        });
    }
}
process.exit(failed ? 1 : 0);
