// npm run -s schema:excerpt -- SCHEMA_JSON SOURCE REF TYPE...: the part of a provider's
// schema.json the engine model's replacement table is held to (tests/unit/provider-schema.test.ts),
// as JSON on stdout: per resource type, its inputs and those the schema marks as replacing
// the resource when they change; a nested object input counts as replacing when its required fields do.
// Refresh the fixture with it when the lock moves @pulumi/docker or @pulumi/command:
//   git -C MIRROR show TAG:provider/cmd/pulumi-resource-docker/schema.json > /tmp/schema.json
//   npm run -s schema:excerpt -- /tmp/schema.json pulumi/pulumi-docker TAG TYPE... > tests/unit/fixtures/provider-schema/docker.json
import * as fs from "fs";

interface Property {
    $ref?: string;
    /** What the terraform bridge writes (pulumi-docker). */
    willReplaceOnChanges?: boolean;
    /** What pulumi-go-provider writes (pulumi-command). */
    replaceOnChanges?: boolean;
}
interface Schema {
    resources: Record<string, { inputProperties: Record<string, Property> }>;
    types?: Record<string, { properties?: Record<string, Property>; required?: string[] }>;
}

function excerpt(schema: Schema, types: string[]) {
    const replaces = (p: Property): boolean => {
        if (p.willReplaceOnChanges || p.replaceOnChanges) return true;
        // A nested block (build) comes or goes with its required fields: it replaces the
        // resource when they do (the bridge marks each field, not the block).
        const ref = p.$ref?.startsWith("#/types/") ? schema.types?.[p.$ref.slice("#/types/".length)] : undefined;
        const required = (ref?.required ?? []).map((k) => ref!.properties![k]);
        return required.length > 0 && required.every(replaces);
    };
    return Object.fromEntries(
        types.map((type) => {
            const resource = schema.resources[type];
            if (!resource) throw new Error(`${type}: not a resource of this schema`);
            const inputs = Object.keys(resource.inputProperties).sort();
            return [type, { inputs, replaceOnChanges: inputs.filter((k) => replaces(resource.inputProperties[k])) }];
        }),
    );
}

const [file, source, ref, ...types] = process.argv.slice(2);
if (!file || !source || !ref || types.length === 0) {
    console.error("usage: npm run -s schema:excerpt -- SCHEMA_JSON SOURCE REF TYPE...");
    process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(file, "utf8")) as Schema;
const out = { source: `${source} provider/cmd/.../schema.json`, ref, resources: excerpt(schema, types) };
console.log(JSON.stringify(out, null, 2));
