// npm run export -- --variant <name|all|lab.yaml> --out DIR: writes every node of a lab or a
// version 2 network as host configs (ifcfg, NetworkManager, netplan, systemd-networkd): its
// bonds, plain interfaces, VLANs, addresses and routes, and the lab's Mermaid diagram, to
// DIR/<variant>/, without touching Docker. Exit 1 on a bad lab or an option a format cannot
// express, 2 on bad arguments.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { EXPORT_FORMATS, ExportError, exportNetwork, fileMode } from "../components/export";
import { listNetworks, listVariants, loadAnyLab } from "../components/labfile/load";
import { LabConfigError } from "../components/labfile/validate";
import { OutDirError, checkOutDir, refuseSymlinksIn, writeInside } from "./out-dir";

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
        return writeAll(variants, args.out);
    } catch (e) {
        // A folder that turns unwritable halfway, or a full disk: one line, not a stack trace.
        const failed = (e as NodeJS.ErrnoException).code
            ? `--out ${args.out}: cannot write: ${(e as Error).message}`
            : "";
        if (!(e instanceof OutDirError) && !failed) throw e;
        console.error(e instanceof OutDirError ? e.message : failed);
        return 2;
    }
}

/** Renders every variant, then writes them under `out`; the exit code. */
function writeAll(variants: readonly string[], out: string): number {
    const root = checkOutDir(out); // before rendering: a bad --out fails at once, and writes nothing
    try {
        // Render every variant before writing any, so a bad one leaves nothing half written.
        const labs = variants.map(exported);
        // Only under --out, whatever a name holds.
        const outside = labs
            .flatMap(({ variant, files }) => Object.keys(files).map((f) => path.join(out, variant, f)))
            .filter((target) => path.relative(root, path.resolve(target)).split(path.sep)[0] === "..");
        if (outside.length > 0) {
            console.error(`refusing to write outside --out ${out}: ${outside.join(", ")}`);
            return 1;
        }
        // A link already in a variant's folder would stop the writes halfway: refuse it first.
        for (const { variant } of labs) refuseLinkAt(path.join(root, variant), out);
        for (const { variant, files, what } of labs) {
            const dir = path.join(out, variant);
            for (const [file, content] of Object.entries(files))
                writeInside(root, path.join(variant, file), content, fileMode(file), out);
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

/** Refuses `dir` when it is, or holds, a symbolic link. */
function refuseLinkAt(dir: string, shown: string): void {
    const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink())
        throw new OutDirError(
            `--out ${shown}: ${dir} is a symbolic link, and nothing is written through one: remove it`,
        );
    if (stat?.isDirectory()) refuseSymlinksIn(dir, shown);
}

/** A lab's or a network's files, and what the summary line says they are for. */
function exported(variantOrPath: string): { variant: string; files: Record<string, string>; what: string } {
    const { network, link } = loadAnyLab(variantOrPath);
    const nodes = network.nodes.map((n) => n.name);
    return {
        variant: network.variant,
        files: exportNetwork(network),
        what: link ? `${nodes.join(", ")} (${link.bond!.mode})` : `${nodes.length} nodes (${nodes.join(", ")})`,
    };
}

process.exit(main(process.argv.slice(2)));
