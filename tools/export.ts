// npm run export -- --variant <name|all|lab.yaml> --out DIR: writes each router's bond as
// host configs (ifcfg, NetworkManager, netplan, systemd-networkd) and the lab's Mermaid
// diagram to DIR/<variant>/, without touching Docker. Exit 1 on a bad lab or an option a
// format cannot express, 2 on bad arguments.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { EXPORT_FORMATS, ExportError, exportLab, fileMode } from "../components/export";
import { listVariants, loadLab } from "../components/spec/load";
import { LabConfigError } from "../components/spec/validate";

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
            `${USAGE}\nvariants: ${listVariants().join(", ")}\nformats: ${Object.keys(EXPORT_FORMATS).join(", ")}`,
        );
        return 0;
    }
    if (!args.variant || !args.out) {
        console.error(`${!args.variant ? "--variant" : "--out"} is required\n${USAGE}`);
        return 2;
    }
    const variants = args.variant === "all" ? listVariants() : [args.variant];
    try {
        // Render every variant before writing any, so a bad one leaves nothing half written.
        const labs = variants.map((variant) => {
            const spec = loadLab(variant);
            return { spec, files: exportLab(spec) };
        });
        // Only under --out, whatever a name holds.
        const outside = labs
            .flatMap(({ spec, files }) => Object.keys(files).map((f) => path.join(args.out!, spec.variant, f)))
            .filter(
                (target) => path.relative(path.resolve(args.out!), path.resolve(target)).split(path.sep)[0] === "..",
            );
        if (outside.length > 0) {
            console.error(`refusing to write outside --out ${args.out}: ${outside.join(", ")}`);
            return 1;
        }
        for (const { spec, files } of labs) {
            const dir = path.join(args.out, spec.variant);
            for (const [file, content] of Object.entries(files)) {
                const target = path.join(dir, file);
                fs.mkdirSync(path.dirname(target), { recursive: true });
                fs.writeFileSync(target, content);
                fs.chmodSync(target, fileMode(file));
            }
            const routers = spec.routers.map((r) => r.name).join(", ");
            console.log(
                `${spec.variant}: ${Object.keys(files).length} files for ${routers} (${spec.bond.mode}) in ${dir}`,
            );
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

process.exit(main(process.argv.slice(2)));
