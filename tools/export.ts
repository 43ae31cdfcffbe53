// npm run export -- --variant <name|all|lab.yaml> --out DIR: writes every node of a lab or a
// version 2 network as host configs (ifcfg, NetworkManager, netplan, systemd-networkd): its
// bonds, plain interfaces, VLANs, addresses and routes, and the lab's Mermaid diagram, to
// DIR/<variant>/, without touching Docker. Exit 1 on a bad lab or an option a format cannot
// express, 2 on bad arguments.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { EXPORT_FORMATS, ExportError, exportLab, exportNetwork, fileMode } from "../components/export";
import { listNetworks, listVariants, loadAnyLab } from "../components/labfile/load";
import { LabConfigError } from "../components/labfile/validate";

const USAGE = "usage: npm run export -- --variant <name | all | lab.yaml> --out DIR";

function main(argv: string[]): number {
    let args: { variant?: string; out?: string; help?: boolean };
    try {
        args = parseArgs({
            args: argv,
            options: { variant: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
        }).values;
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (args.help) {
        console.log(
            `${USAGE}\nvariants: ${listVariants().join(", ")}\nnetworks: ${listNetworks().join(", ")}\n` +
                `formats: ${Object.keys(EXPORT_FORMATS).join(", ")}`,
        );
        return 0;
    }
    if (!args.variant || !args.out) {
        console.error(`${!args.variant ? "--variant" : "--out"} is required\n${USAGE}`);
        return 2;
    }
    const variants = args.variant === "all" ? [...listVariants(), ...listNetworks()] : [args.variant];
    try {
        // Render every variant before writing any, so a bad one leaves nothing half written.
        const labs = variants.map(exported);
        // Only under --out, whatever a name holds.
        const outside = labs
            .flatMap(({ variant, files }) => Object.keys(files).map((f) => path.join(args.out!, variant, f)))
            .filter(
                (target) => path.relative(path.resolve(args.out!), path.resolve(target)).split(path.sep)[0] === "..",
            );
        if (outside.length > 0) {
            console.error(`refusing to write outside --out ${args.out}: ${outside.join(", ")}`);
            return 1;
        }
        for (const { variant, files, what } of labs) {
            const dir = path.join(args.out, variant);
            for (const [file, content] of Object.entries(files)) {
                const target = path.join(dir, file);
                fs.mkdirSync(path.dirname(target), { recursive: true });
                fs.writeFileSync(target, content);
                fs.chmodSync(target, fileMode(file));
            }
            console.log(`${variant}: ${Object.keys(files).length} files for ${what} in ${dir}`);
        }
        console.log(`formats: ${Object.keys(EXPORT_FORMATS).join(", ")}; diagram: topology.mmd`);
        return 0;
    } catch (e) {
        if (e instanceof LabConfigError || e instanceof ExportError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
}

/** A lab's or a network's files, and what the summary line says they are for. */
function exported(variantOrPath: string): { variant: string; files: Record<string, string>; what: string } {
    const loaded = loadAnyLab(variantOrPath);
    if ("lab" in loaded) {
        const { lab } = loaded;
        const routers = lab.routers.map((r) => r.name).join(", ");
        return { variant: lab.variant, files: exportLab(lab), what: `${routers} (${lab.bond.mode})` };
    }
    const { network } = loaded;
    const nodes = network.nodes.map((n) => n.name);
    return {
        variant: network.variant,
        files: exportNetwork(network),
        what: `${nodes.length} nodes (${nodes.join(", ")})`,
    };
}

process.exit(main(process.argv.slice(2)));
