import * as fs from "fs";
import * as path from "path";
import { COMMAND, CONTAINER, NETWORK, PROVIDER_RULES, ProviderRules, REMOTE_IMAGE } from "../../engine/providers";

// The engine model's replacement table against the providers' own schemas (#22): which inputs
// replace a resource when they change, as schema.json marks them. The excerpts are made by
// `npm run schema:excerpt` (tools/schema-excerpt.ts), which says how to refresh them.
// - pulumi-command: the schema at v1.2.1, the locked @pulumi/command.
// - pulumi-docker: the locked @pulumi/docker is 5.2.0, whose tag the pulumi-docker sources at hand
//   lack; the excerpt is from their newest commit (237b789, after v5.1.0). 5.2.0 adds one
//   container input that schema lacks, deviceCgroupRules: the model has no rule for it, so a
//   change to it is refused, not guessed (rulesFor, decide).

interface Excerpt {
    source: string;
    ref: string;
    resources: Record<string, { inputs: string[]; replaceOnChanges: string[] }>;
}
const FIXTURES = path.join(__dirname, "fixtures", "provider-schema");
const excerpt = (name: string): Excerpt => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));

/** Where the model's rules and a schema excerpt disagree, one line each; none when they agree. */
function disagreements(schema: Excerpt, rules: Readonly<Record<string, ProviderRules>>): string[] {
    return Object.entries(schema.resources).flatMap(([type, { inputs, replaceOnChanges }]) => {
        const rule = rules[type];
        if (!rule) return [`${type}: no rule in the model`];
        const forceNew = rule.forceNew === "all" ? new Set(inputs) : rule.forceNew;
        const replacing = new Set(replaceOnChanges);
        return [
            ...[...replacing]
                .filter((k) => !forceNew.has(k))
                .map((k) => `${type}: the schema replaces on ${k}, the model does not`),
            ...[...forceNew]
                .filter((k) => !replacing.has(k))
                .map((k) => `${type}: the model replaces on ${k}, the schema does not`),
            ...[...rule.updatable]
                .filter((k) => replacing.has(k))
                .map((k) => `${type}: the model updates ${k} in place, the schema replaces`),
            ...[...rule.updatable]
                .filter((k) => !inputs.includes(k))
                .map((k) => `${type}: the model updates ${k}, not an input`),
        ];
    });
}

/** The inputs a locked SDK declares for a resource (its `<Name>Args` interface). */
function sdkInputs(pkg: string, file: string, name: string): string[] {
    const dts = fs.readFileSync(require.resolve(`${pkg}/${file}.d.ts`), "utf8");
    const args = dts.slice(dts.indexOf(`export interface ${name}Args {`));
    return [...args.slice(0, args.indexOf("\n}")).matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]).sort();
}

describe("the engine model's replacement table, against the providers' schemas", () => {
    const docker = excerpt("docker");
    const command = excerpt("command");

    it("each excerpt names its source, and pulumi-command's is the locked version's tag", () => {
        expect(docker.source).toMatch(/^pulumi\/pulumi-docker /);
        expect(docker.ref).toMatch(/^[0-9a-f]{40}$/);
        expect(command.source).toMatch(/^pulumi\/pulumi-command /);
        expect(command.ref).toBe(`v${require("@pulumi/command/package.json").version}`);
    });

    it("the locked SDKs declare the inputs the excerpts list (a renovation of the lock fails here until they are refreshed)", () => {
        expect(require("@pulumi/docker/package.json").version).toBe("5.2.0");
        const sdkOnly = (type: string, file: string, name: string) =>
            sdkInputs("@pulumi/docker", file, name).filter((k) => !docker.resources[type].inputs.includes(k));
        expect(sdkOnly(CONTAINER, "container", "Container")).toEqual(["deviceCgroupRules"]);
        expect(sdkOnly(NETWORK, "network", "Network")).toEqual([]);
        expect(sdkOnly(REMOTE_IMAGE, "remoteImage", "RemoteImage")).toEqual([]);
        expect(sdkInputs("@pulumi/command", "local/command", "Command")).toEqual(command.resources[COMMAND].inputs);
    });

    it("the model replaces on exactly the inputs the schemas mark, and updates in place only inputs they do not", () => {
        expect(disagreements(docker, PROVIDER_RULES)).toEqual([]);
        expect(disagreements(command, PROVIDER_RULES)).toEqual([]);
    });

    it("the check fails when the excerpt loses one property, or the model one rule", () => {
        const lost = structuredClone(docker);
        lost.resources[CONTAINER].replaceOnChanges = lost.resources[CONTAINER].replaceOnChanges.filter(
            (k) => k !== "sysctls",
        );
        expect(disagreements(lost, PROVIDER_RULES)).toEqual([
            `${CONTAINER}: the model replaces on sysctls, the schema does not`,
        ]);
        const container = PROVIDER_RULES[CONTAINER];
        const forgetful = {
            ...PROVIDER_RULES,
            [CONTAINER]: {
                ...container,
                forceNew: new Set([...container.forceNew].filter((k) => k !== "deviceRequests")),
            },
        };
        expect(disagreements(docker, forgetful)).toEqual([
            `${CONTAINER}: the schema replaces on deviceRequests, the model does not`,
        ]);
    });
});
