import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { BondOptionValue } from "./modes";
import { readClassicLab } from "./classic";
import { LinkSpec, TopologySpec, twoRouterLink } from "./topology";
import { LabConfigError } from "./validate";
import { isTopologyFile, validateTopology } from "./validate-topology";

/** The folder of the lab variants shipped with bondlab. */
export const CONFIGS_DIR = path.join(__dirname, "..", "..", "configs");

/** The folder of the shipped version 2 networks (configs/v2/<name>.yaml). */
export const NETWORKS_DIR = path.join(CONFIGS_DIR, "v2");

/** Names of the shipped two-router variants (configs/<name>.yaml), sorted. */
export function listVariants(): string[] {
    return yamlNames(CONFIGS_DIR);
}

/** Names of the shipped version 2 networks (configs/v2/<name>.yaml), sorted. */
export function listNetworks(): string[] {
    return yamlNames(NETWORKS_DIR);
}

function yamlNames(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => f.replace(/\.yaml$/, ""))
        .sort();
}

const SAFE_VARIANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * A shipped variant or network by name (e.g. `lacp`, `vlan-lacp`), or any lab file by path
 * (e.g. `./my-lab.yaml`); `shown` is how messages name it.
 */
export function resolveLabFile(variantOrPath: string): { variant: string; file: string; shown: string } {
    if (/\.ya?ml$/.test(variantOrPath)) {
        const variant = path.basename(variantOrPath).replace(/\.ya?ml$/, "");
        // The variant's name reaches exported files (comments of scripts run as root), folder
        // names and stack outputs: a safe alphabet only, so a file name can never inject.
        if (!SAFE_VARIANT.test(variant))
            throw new LabConfigError(`lab file ${JSON.stringify(variantOrPath)}`, [
                {
                    field: "bondlab:variant",
                    message:
                        `the file's name ${JSON.stringify(variant)} becomes the variant's name: ` +
                        "rename the file to letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit), " +
                        "e.g. my-lab.yaml",
                },
            ]);
        return { variant, file: path.resolve(variantOrPath), shown: variantOrPath };
    }
    const shipped = [
        { file: path.join(CONFIGS_DIR, `${variantOrPath}.yaml`), shown: `configs/${variantOrPath}.yaml` },
        { file: path.join(NETWORKS_DIR, `${variantOrPath}.yaml`), shown: `configs/v2/${variantOrPath}.yaml` },
    ].find((f) => SAFE_VARIANT.test(variantOrPath) && fs.existsSync(f.file));
    if (!shipped)
        throw new LabConfigError(`variant "${variantOrPath}"`, [
            {
                field: "bondlab:variant",
                message:
                    `no such variant: use one of ${[...listVariants(), ...listNetworks()].join(", ")}, ` +
                    "or a path to a .yaml lab file",
            },
        ]);
    return { variant: variantOrPath, ...shipped };
}

/** The largest lab file read: a real one is a few hundred bytes. */
export const MAX_LAB_FILE_BYTES = 1024 * 1024;

/** A lab file, validated: the network it describes, and its one link when it is a two-router lab. */
export interface LoadedLab {
    /** What the program builds. A version 1 file is its two routers joined by one bonded link. */
    readonly network: TopologySpec;
    /** The bonded link of a two-router lab (version 1 files, and version 2 files of just that). */
    readonly link?: LinkSpec;
    /** What the network holds beyond a two-router lab, when it does (twoRouterLink's answer). */
    readonly beyond?: string;
}

export function loadAnyLab(variantOrPath: string, overrides: Record<string, BondOptionValue | null> = {}): LoadedLab {
    const { variant, shown, raw } = readLabFile(variantOrPath);
    if (!isTopologyFile(raw)) {
        const network = readClassicLab(variant, raw, shown, overrides);
        return { network, link: network.links[0] };
    }
    if (Object.keys(overrides).length > 0)
        throw new LabConfigError(shown, [
            {
                field: "bondlab:bondOptions",
                message:
                    "a version 2 lab file sets its bonds' options itself (links[].bond.options): " +
                    "edit the file, or `pulumi config rm bondlab:bondOptions`",
            },
        ]);
    const topology = validateTopology(variant, raw, shown);
    const link = twoRouterLink(topology);
    if (typeof link === "string") return { network: topology, beyond: link };
    // Its routers keep the Docker host's forwarding, as a version 1 lab's always had.
    return { network: { ...topology, nodes: topology.nodes.map(({ forwarding: _, ...node }) => node) }, link };
}

/** Any lab file, version 1 or 2, as a network (what `npm run validate` checks and shows). */
export function loadTopology(variantOrPath: string): TopologySpec {
    const { variant, shown, raw } = readLabFile(variantOrPath);
    return isTopologyFile(raw) ? validateTopology(variant, raw, shown) : readClassicLab(variant, raw, shown);
}

function readLabFile(variantOrPath: string): { variant: string; shown: string; raw: unknown } {
    const { variant, file, shown } = resolveLabFile(variantOrPath);
    return { variant, shown, raw: readYamlMapping(file, shown, LAB_FILE) };
}

/** What a YAML file should be, for the plain-words messages about one that is not. */
export interface YamlKind {
    /** "lab file", "class file" */
    noun: string;
    /** "lab", "class file": LabConfigError's "is not a valid ..." */
    what: string;
    /** A shipped file of this kind, e.g. configs/seed.yaml. */
    example: string;
    /** The keys it starts with, e.g. "description: and bond:". */
    keys: string;
}

const LAB_FILE: YamlKind = {
    noun: "lab file",
    what: "lab",
    example: "configs/seed.yaml",
    keys: "description: and bond:",
};

/** A YAML file as plain data, or a LabConfigError in plain words: never a parser's stack trace. */
export function readYamlMapping(file: string, shown: string, kind: YamlKind): unknown {
    const fail = (field: string, message: string): never => {
        throw new LabConfigError(shown, [{ field, message }], kind.what);
    };
    let bytes: Buffer;
    try {
        const size = fs.statSync(file).size;
        if (size > MAX_LAB_FILE_BYTES)
            fail(
                "(file)",
                `is ${(size / 1024 / 1024).toFixed(1)} MB: a ${kind.noun} is at most 1 MB of YAML ` +
                    `(${kind.example} is ${fs.statSync(path.join(CONFIGS_DIR, "..", kind.example)).size} bytes)`,
            );
        bytes = fs.readFileSync(file);
    } catch (e) {
        if (e instanceof LabConfigError) throw e;
        return fail("(file)", `cannot read: ${(e as Error).message}`);
    }
    const text = bytes.toString("utf8");
    if (bytes.includes(0) || text.includes("\uFFFD"))
        fail("(file)", `is not text (binary data): a ${kind.noun} is YAML, like ${kind.example}`);
    if (text.trim() === "")
        fail("(file)", `is empty: a ${kind.noun} needs at least ${kind.keys} (see ${kind.example})`);

    let docs: YAML.Document.Parsed[];
    try {
        docs = YAML.parseAllDocuments(text, { uniqueKeys: true }) as YAML.Document.Parsed[];
    } catch (e) {
        return fail("(yaml)", (e as Error).message.split("\n")[0]);
    }
    if (!Array.isArray(docs)) return fail("(yaml)", "is not YAML");
    if (docs.length > 1)
        fail(
            "(yaml)",
            `holds ${docs.length} YAML documents: a ${kind.noun} is one (remove the '---' lines after the first)`,
        );
    const doc = docs[0];
    if (doc.errors.length > 0)
        throw new LabConfigError(
            shown,
            doc.errors.map((e) => ({ field: "(yaml)", message: e.message.split("\n")[0] })),
            kind.what,
        );
    let data: unknown;
    try {
        // maxAliasCount bounds what aliases may expand to (a "billion laughs" file).
        data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
        return fail(
            "(yaml)",
            `${(e as Error).message.split("\n")[0]}: write the values out instead of repeating aliases`,
        );
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
        const found = data === null ? "nothing" : Array.isArray(data) ? "a list" : `a single ${typeof data}`;
        fail(
            "(file)",
            `holds ${found}, not a mapping: a ${kind.noun} starts with keys such as ${kind.keys} (see ${kind.example})`,
        );
    }
    return data;
}
