import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

// The Pulumi CLI's config rules, applied before the program runs, as `pulumi up`, `preview`,
// `refresh` and `destroy` apply them (pulumi/pulumi v3.248.0, `validating stack config: ...`
// in pkg/cmd/pulumi/operations/{up,preview,refresh,destroy}.go). Each rule cites the
// function it follows in sdk/go/common/workspace/config.go or project.go.

export interface ProjectConfigType {
    type?: "string" | "integer" | "boolean" | "array" | "object";
    items?: { type: string };
    default?: unknown;
    value?: unknown;
    description?: string;
    secret?: boolean;
}

export interface Project {
    name: string;
    /** Declared keys as written in Pulumi.yaml (with or without a namespace). */
    config: Record<string, ProjectConfigType>;
}

/** The `config:` of a Pulumi.<stack>.yaml, as the CLI reads it. */
export type StackFileConfig = Record<string, unknown>;

export class StackConfigError extends Error {}

const TYPES = ["string", "integer", "boolean", "array", "object"];

/** Reads Pulumi.yaml and checks its declarations (project.go `(*Project).Validate`). */
export function loadProject(dir: string): Project {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, unknown>;
    };
    const project: Project = { name: doc.name, config: {} };
    for (const [key, raw] of Object.entries(doc.config ?? {})) {
        // RewriteShorthandConfigValues: `key: value` is a default (project key) or a value.
        const declared = (
            raw !== null && typeof raw === "object" && !Array.isArray(raw)
                ? raw
                : ownNamespace(project.name, key)
                  ? { default: raw }
                  : { value: raw }
        ) as ProjectConfigType;
        if (ownNamespace(project.name, key)) {
            if (declared.type !== undefined && !TYPES.includes(declared.type)) {
                throw new StackConfigError(
                    `Pulumi.yaml: configuration key '${key}': unknown type '${declared.type}' (one of ${TYPES.join(", ")})`,
                );
            }
            if (
                declared.type &&
                declared.default !== undefined &&
                !matchesType(declared.type, declared.items, declared.default)
            ) {
                throw new StackConfigError(
                    `The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(declared)}'`,
                );
            }
        } else {
            if (declared.type)
                throw new StackConfigError(
                    `Configuration key '${key}' is not namespaced by the project and should not define a type`,
                );
            if (declared.default !== undefined) {
                throw new StackConfigError(
                    `Configuration key '${key}' is not namespaced by the project and should not define a default value. ` +
                        "Did you mean to use the 'value' attribute instead of 'default'?",
                );
            }
            if (declared.value === undefined)
                throw new StackConfigError(
                    `Configuration key '${key}' is namespaced and must provide an attribute 'value'`,
                );
        }
        project.config[key] = declared;
    }
    return project;
}

/** The stacks that have a Pulumi.<stack>.yaml in the project folder, sorted. */
export function listStacks(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
        .map((f) => f.slice("Pulumi.".length, -".yaml".length))
        .sort();
}

/**
 * Reads Pulumi.<stack>.yaml's `config:` (empty when the stack has no file yet). The CLI reads
 * the file into its ProjectStack, a mapping (workspace/loaders.go projectStackLoader.load):
 * a syntax error, or a file or `config:` that is a list or a scalar, fails there; an empty
 * file or an empty `config:` is a stack with no settings.
 */
export function loadStackFile(dir: string, stack: string): StackFileConfig {
    const name = `Pulumi.${stack}.yaml`;
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return {};
    const doc = parseStackYaml(name, fs.readFileSync(file, "utf8")) ?? {};
    if (!isMapping(doc)) throw notMapping(name, "its top level", doc);
    const config = doc.config ?? {};
    if (!isMapping(config)) throw notMapping(name, "`config:`", config);
    return config;
}

/** The stack file's YAML, or one plain line with the file, line and column of a syntax error. */
function parseStackYaml(name: string, text: string): unknown {
    try {
        return YAML.parse(text);
    } catch (e) {
        const at = e instanceof YAML.YAMLError && e.linePos ? `${e.linePos[0].line}:${e.linePos[0].col}` : "";
        const reason = (e as Error).message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new StackConfigError(`${name}${at ? `:${at}` : ""}: not valid YAML: ${reason}`);
    }
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function notMapping(name: string, what: string, value: unknown): StackConfigError {
    const found = Array.isArray(value) ? "a list" : `${JSON.stringify(value)}`;
    return new StackConfigError(
        `${name}: ${what} must be a mapping of key to value, not ${found}: ` +
            "write `config:` with one `bondlab:variant: seed` line under it, as pulumi config set does",
    );
}

/**
 * The config the program sees, as `pulumi up` computes it (config.go `mergeConfig`): stack
 * values, then the project's defaults and values for keys the stack does not set; every
 * declared key with a type and neither is required; typed keys are checked. Values reach the
 * program as strings (objects and arrays as JSON), like `pulumi.Config` reads them.
 */
export function resolveConfig(project: Project, stack: string, stackFile: StackFileConfig): Record<string, string> {
    // loaders.go stackConfigNamespacedWithProject: a key without a namespace is the project's.
    const merged = new Map<string, unknown>(
        Object.entries(stackFile).map(([k, v]) => [namespaced(project.name, k), v]),
    );
    const missing: string[] = [];
    const wrongType: string[] = [];
    for (const [key, declared] of Object.entries(project.config)) {
        const full = namespaced(project.name, key);
        const fallback = declared.value ?? declared.default;
        if (!merged.has(full)) {
            // mergeConfig l.314: required only in the project's own namespace.
            if (fallback === undefined) {
                if (ownNamespace(project.name, key)) missing.push(key);
                continue;
            }
            merged.set(full, fallback);
        }
        // validateStackConfigValue: only explicitly typed keys; a top-level scalar of the stack
        // file is a string there (object.go MarshalString), so "20" is a valid integer.
        if (declared.type && !matchesType(declared.type, declared.items, asCliValue(merged.get(full)))) {
            wrongType.push(
                `Stack '${stack}' with configuration key '${key}' must be of type '${fullTypeName(declared)}'`,
            );
        }
    }
    if (missing.length > 0) {
        // missingStackConfigurationKeysError + formatMissingKeys: sorted, quoted, "a, b and c".
        const keys = [...missing].sort().map((k) => `'${k}'`);
        const list = keys.length === 1 ? keys[0] : `${keys.slice(0, -1).join(", ")} and ${keys[keys.length - 1]}`;
        throw new StackConfigError(
            `validating stack config: Stack '${stack}' is missing configuration ${keys.length === 1 ? "value" : "values"} ${list}`,
        );
    }
    if (wrongType.length > 0) throw new StackConfigError(`validating stack config: ${wrongType[0]}`);
    return Object.fromEntries(
        [...merged].map(([k, v]) => [k, typeof v === "string" ? v : isObject(v) ? JSON.stringify(v) : String(v)]),
    );
}

/** Project, stack file and merged config in one step, from a project folder. */
export function stackConfig(
    dir: string,
    stack: string,
    stackFile: StackFileConfig = loadStackFile(dir, stack),
): Record<string, string> {
    return resolveConfig(loadProject(dir), stack, stackFile);
}

function ownNamespace(project: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${project}:`); // project.go configKeyIsNamespacedByProject
}

function namespaced(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`; // config.go parseConfigKey
}

function isObject(v: unknown): boolean {
    return v !== null && typeof v === "object";
}

/** Top-level scalars are strings to the CLI; maps and lists stay structured (object values). */
function asCliValue(v: unknown): unknown {
    return isObject(v) ? v : v === null ? "" : String(v);
}

/** project.go ValidateConfigValue. */
function matchesType(type: string, items: { type: string } | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (
                (typeof value === "number" && Number.isInteger(value)) ||
                (typeof value === "string" && /^[+-]?\d+$/.test(value))
            );
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return isObject(value) && !Array.isArray(value);
        case "array":
            return Array.isArray(value) && (!items || value.every((v) => matchesType(items.type, undefined, v)));
        default:
            return false;
    }
}

function fullTypeName(t: ProjectConfigType): string {
    return t.type === "array" && t.items ? `array<${t.items.type}>` : String(t.type); // InferFullTypeName
}
