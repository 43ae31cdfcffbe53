import { BOND_OPTIONS, BondOptionValue } from "./modes";
import { LabConfigError, LabIssue } from "./validate";

// The stack's own settings (Pulumi.yaml's bondlab:* keys), checked by type and range before
// anything is registered. The CLI has already checked the declared types (engine/config.ts);
// this adds what it cannot: ranges, shapes of objects, and the undeclared bondlab:privileged.

export interface StackSettings {
    variant: string;
    bondOptions: Record<string, BondOptionValue | null>;
    /** Unset: the variant's own. */
    privileged?: boolean;
    /** Unset: build images/router. */
    routerImage?: string;
    lacpPassthrough: boolean;
    verifyTimeout: number;
}

export const VERIFY_TIMEOUT_MAX = 3600;

/** Reads bondlab:* settings through `get` (pulumi.Config.get); throws naming every bad key. */
export function readStackSettings(get: (key: string) => string | undefined): StackSettings {
    const issues: LabIssue[] = [];
    const add = (key: string, message: string) => issues.push({ field: `bondlab:${key}`, message });
    const boolean = (key: string): boolean | undefined => {
        const value = get(key);
        if (value === undefined || value === "") return undefined;
        if (value === "true" || value === "false") return value === "true";
        add(key, `${JSON.stringify(value)} is not true or false: pulumi config set bondlab:${key} false`);
        return undefined;
    };

    const variant = get("variant") ?? "seed";
    if (variant.trim() === "")
        add(
            "variant",
            "is empty: name a variant (seed, lacp, ...) or a lab file, e.g. pulumi config set bondlab:variant lacp",
        );

    const bondOptions = parseBondOptions(get("bondOptions"), (message) => add("bondOptions", message));

    const timeoutText = get("verifyTimeout") ?? "90";
    const verifyTimeout = Number(timeoutText);
    if (!/^\d+$/.test(timeoutText.trim()) || verifyTimeout < 1 || verifyTimeout > VERIFY_TIMEOUT_MAX)
        add(
            "verifyTimeout",
            `${JSON.stringify(timeoutText)} is not whole seconds from 1 to ${VERIFY_TIMEOUT_MAX}: ` +
                "e.g. pulumi config set bondlab:verifyTimeout 90",
        );

    const routerImage = get("routerImage") || undefined;
    if (routerImage !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$/.test(routerImage))
        add(
            "routerImage",
            `${JSON.stringify(routerImage)} is not an image reference such as bondlab.invalid/router:local ` +
                "(or empty, to build images/router)",
        );

    const settings = {
        variant,
        bondOptions,
        privileged: boolean("privileged"),
        routerImage,
        lacpPassthrough: boolean("lacpPassthrough") ?? true,
        verifyTimeout,
    };
    if (issues.length > 0) throw new LabConfigError("the stack's settings (Pulumi.<stack>.yaml)", issues);
    return settings;
}

/**
 * bondlab:bondOptions: a mapping of option to value; `null` removes an option of the variant.
 * `pulumi config set --path 'bondlab:bondOptions.x' null` stores the string "null" (the CLI
 * coerces only true, false and integers: pulumi/pulumi sdk/go/common/resource/config/object.go
 * coerce), and no kernel option takes that value, so it means null too.
 */
function parseBondOptions(
    text: string | undefined,
    fail: (message: string) => void,
): Record<string, BondOptionValue | null> {
    if (text === undefined || text === "") return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        // Not JSON: told below, as any other text that is not a mapping.
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        fail(
            `${JSON.stringify(text)} is not a mapping of option to value: pulumi config set --path 'bondlab:bondOptions.miimon' 200`,
        );
        return {};
    }
    // A Map, then own properties: a key such as "__proto__" must stay a key, not reach the prototype.
    const options = new Map<string, BondOptionValue | null>();
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
        if (isObjectMember(key))
            fail(`${JSON.stringify(key)} is not a bond option: use one of ${Object.keys(BOND_OPTIONS).join(", ")}`);
        else if (value === null || value === "null") options.set(key, null);
        else if (
            typeof value === "number" ||
            typeof value === "string" ||
            (Array.isArray(value) && value.every((v) => typeof v === "string"))
        )
            options.set(key, value);
        else fail(`${key}: ${JSON.stringify(value)} is not a number, a word or a list of words`);
    }
    return Object.fromEntries(options);
}

/** Whether `key` names what every object has (toString, constructor, __proto__), not a bond option. */
function isObjectMember(key: string): boolean {
    return !Object.hasOwn(BOND_OPTIONS, key) && key in Object.prototype;
}
