import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { BondOptionValue } from "./modes";
import { LabSpec } from "./spec";
import { LabConfigError, validateLab } from "./validate";

/** The folder of the lab variants shipped with bondlab. */
export const CONFIGS_DIR = path.join(__dirname, "..", "..", "configs");

/** Names of the shipped variants (configs/<name>.yaml), sorted. */
export function listVariants(): string[] {
    return fs
        .readdirSync(CONFIGS_DIR)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => f.replace(/\.yaml$/, ""))
        .sort();
}

const SAFE_VARIANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A shipped variant by name (e.g. `lacp`), or any lab file by path (e.g. `./my-lab.yaml`). */
export function resolveLabFile(variantOrPath: string): { variant: string; file: string } {
    if (/\.ya?ml$/.test(variantOrPath)) {
        const variant = path.basename(variantOrPath).replace(/\.ya?ml$/, "");
        // The variant's name reaches exported files (comments of scripts run as root), folder
        // names and stack outputs: a safe alphabet only, so a file name can never inject.
        if (!SAFE_VARIANT.test(variant)) {
            throw new LabConfigError(`lab file ${JSON.stringify(variantOrPath)}`, [{
                field: "bondlab:variant",
                message: `the file's name ${JSON.stringify(variant)} becomes the variant's name: rename the file to letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit), e.g. my-lab.yaml`,
            }]);
        }
        return { variant, file: path.resolve(variantOrPath) };
    }
    const file = path.join(CONFIGS_DIR, `${variantOrPath}.yaml`);
    if (!fs.existsSync(file)) {
        throw new LabConfigError(`variant "${variantOrPath}"`, [
            { field: "bondlab:variant", message: `no such variant: use one of ${listVariants().join(", ")}, or a path to a .yaml lab file` },
        ]);
    }
    return { variant: variantOrPath, file };
}

/** Reads, parses and validates a lab file; throws LabConfigError naming every bad field. */
export function loadLab(variantOrPath: string, overrides: Record<string, BondOptionValue | null> = {}): LabSpec {
    const { variant, file } = resolveLabFile(variantOrPath);
    const shown = /\.ya?ml$/.test(variantOrPath) ? variantOrPath : `configs/${variant}.yaml`;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new LabConfigError(shown, [{ field: "(file)", message: `cannot read: ${(e as Error).message}` }]);
    }
    const doc = YAML.parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
        throw new LabConfigError(shown, doc.errors.map((e) => ({ field: "(yaml)", message: e.message })));
    }
    return validateLab(variant, doc.toJS(), shown, overrides);
}
