// URNs and aliases as the engine builds and resolves them (pulumi/pulumi v3.248.0):
// sdk/go/common/resource/urn/urn.go, sdk/go/common/resource/alias.go,
// pkg/resource/deploy/deployment.go and pkg/resource/deploy/step_generator.go.

const URN_PREFIX = "urn:pulumi:";
const NAME_DELIMITER = "::";
const TYPE_DELIMITER = "$";
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The stack and project every URN of a deployment is made in. */
export interface Target {
    stack: string;
    project: string;
}

/** An alias as the resource monitor parses it: a full URN, or a spec whose empty fields default to the resource's. */
export interface Alias {
    urn?: string;
    name?: string;
    type?: string;
    parent?: string;
    noParent?: boolean;
    stack?: string;
    project?: string;
}

/** urn.go getComponentN: the URN's parts after the prefix; the name is everything after the type. */
function urnParts(urn: string): { qualifiedType: string; name: string } {
    const parts = urn.slice(URN_PREFIX.length).split(NAME_DELIMITER);
    return { qualifiedType: parts[2] ?? "", name: parts.slice(3).join(NAME_DELIMITER) };
}

/** urn.go QualifiedType: every type from the root down, `$`-joined. */
export function qualifiedType(urn: string): string {
    return urnParts(urn).qualifiedType;
}

/** urn.go Type: the resource's own type, the last of the qualified type. */
export function urnType(urn: string): string {
    return qualifiedType(urn).split(TYPE_DELIMITER).pop()!;
}

/** urn.go Name. */
export function urnName(urn: string): string {
    return urnParts(urn).name;
}

/** urn.go New: the parent's whole qualified type prefixes the resource's type. */
function newUrn(target: Target, parentType: string, type: string, name: string): string {
    const typ = parentType !== "" && parentType !== ROOT_STACK_TYPE ? parentType + TYPE_DELIMITER + type : type;
    return URN_PREFIX + [target.stack, target.project, typ, name].join(NAME_DELIMITER);
}

/**
 * deployment.go generateURN: a resource's URN. Unlike the SDK's MockMonitor (which keeps only
 * the parent's last type), the engine keeps every ancestor's type: a grandchild's URN names three.
 */
export function generateUrn(target: Target, parent: string, type: string, name: string): string {
    const parentType = parent !== "" && qualifiedType(parent) !== ROOT_STACK_TYPE ? qualifiedType(parent) : "";
    return newUrn(target, parentType, type, name);
}

/** alias.go CreateURN: under a parent, the parent's URN up to its name is the prefix (its stack and project too). */
function createUrn(name: string, type: string, parent: string, target: Target): string {
    if (parent === "") return URN_PREFIX + [target.stack, target.project, type, name].join(NAME_DELIMITER);
    return parent.slice(0, parent.lastIndexOf(NAME_DELIMITER)) + TYPE_DELIMITER + type + NAME_DELIMITER + name;
}

/**
 * source_eval.go RegisterResource: the request's alias URNs, then its alias specs. The SDK sends
 * specs unresolved when the engine supports `aliasSpecs` (runtime/resource.ts mapAliasesForRequest):
 * an empty name or type means the resource's own, `parent: undefined` is NoParent.
 */
export function aliasesOfRequest(req: any): Alias[] {
    const urns: Alias[] = req.getAliasurnsList().map((urn: string) => ({ urn }));
    const specs: Alias[] = req.getAliasesList().map((a: any) => {
        if (!a.hasSpec()) return { urn: a.getUrn() };
        const spec = a.getSpec();
        return {
            name: spec.getName(),
            type: spec.getType(),
            stack: spec.getStack(),
            project: spec.getProject(),
            parent: spec.hasParenturn() ? spec.getParenturn() : "",
            noParent: spec.hasNoparent() ? spec.getNoparent() : false,
        };
    });
    return [...urns, ...specs];
}

/** The old state's resource with this URN (not pending delete), if any. */
type OldLookup<T> = (urn: string) => T | undefined;

/**
 * The step generator's alias bookkeeping for one deployment: the URNs registered so far
 * (sg.urns), which old URN each alias claimed (sg.aliased) and the old URN each aliased
 * resource was found under (sg.aliases), which its children inherit.
 */
export class AliasResolver {
    private readonly urns = new Set<string>();
    /** Old URN -> the new URN that claimed it. */
    private readonly aliased = new Map<string, string>();
    /** New URN -> the old URN it was found under. */
    private readonly aliases = new Map<string, string>();

    constructor(private readonly target: Target) {}

    /** step_generator.go generateURN: a URN registered twice in one deployment is an error. */
    claimUrn(urn: string): void {
        if (this.urns.has(urn)) throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
        this.urns.add(urn);
    }

    /** The new URN that took over an old one through an alias, if any (sg.aliased, as isOperatedOn reads it). */
    takenOverBy(oldUrn: string): string | undefined {
        return this.aliased.get(oldUrn);
    }

    /**
     * step_generator.go getOldResource: the resource's own URN first, then each alias in
     * order; the first found in the old state is its old state. An alias found is claimed,
     * so that the old URN is not deleted; claiming a URN registered in this deployment or
     * claimed by another resource makes the resource invalid, as does registering a URN
     * another resource claimed.
     */
    findOld<T>(
        urn: string,
        name: string,
        type: string,
        parent: string,
        specs: Alias[],
        olds: OldLookup<T>,
    ): T | undefined {
        const errors: string[] = [];
        const aliases = this.generateAliases(name, type, parent, specs);
        const claimant = this.aliased.get(urn);
        if (claimant !== undefined) errors.push(duplicateAliasedError(urn, claimant));
        let old: T | undefined;
        for (const candidate of [urn, ...aliases]) {
            old = olds(candidate);
            if (old === undefined) continue;
            if (candidate !== urn) errors.push(...this.claimAlias(candidate, urn));
            break;
        }
        // The engine reports the diagnostics, then stops at this resource ("resource ... is invalid").
        if (errors.length > 0) throw new Error(`${errors.join("\n")}\nresource ${urn} is invalid`);
        return old;
    }

    private claimAlias(alias: string, urn: string): string[] {
        const errors: string[] = [];
        if (this.urns.has(alias)) errors.push(duplicateAliasError(alias, urn, urn));
        const previous = this.aliased.get(alias);
        if (previous !== undefined) errors.push(duplicateAliasError(alias, urn, previous));
        this.aliased.set(alias, urn);
        this.aliases.set(urn, alias);
        return errors;
    }

    /**
     * step_generator.go generateAliases: the resource's own aliases, then, when its parent
     * was found under an alias, the inherited ones: its own URN and each of its aliases moved
     * under the parent's old URN. Duplicates are dropped, first one kept.
     */
    generateAliases(name: string, type: string, parent: string, specs: Alias[]): string[] {
        const result = new Set<string>();
        for (const alias of specs) result.add(this.collapseAliasToUrn(name, type, parent, alias));
        const parentAlias = parent !== "" ? this.aliases.get(parent) : undefined;
        if (parentAlias !== undefined) {
            const parentName = urnName(parent);
            result.add(this.inheritedChildAlias(type, name, parentName, parentAlias));
            for (const alias of specs) {
                const childAlias = this.collapseAliasToUrn(name, type, parent, alias);
                result.add(this.inheritedChildAlias(urnType(childAlias), urnName(childAlias), parentName, parentAlias));
            }
        }
        return [...result];
    }

    /**
     * step_generator.go collapseAliasToUrn: a spec's empty fields take the resource's own; a
     * parent that was itself found under an alias stands for its old URN; no parent, or the
     * root stack, leaves the alias at the top.
     */
    collapseAliasToUrn(name: string, type: string, resParent: string, alias: Alias): string {
        if (alias.urn) return alias.urn;
        let parent = alias.parent || resParent;
        if (alias.parent) parent = this.aliases.get(alias.parent) ?? parent;
        if (alias.noParent || (parent !== "" && qualifiedType(parent) === ROOT_STACK_TYPE)) parent = "";
        const target = { stack: alias.stack || this.target.stack, project: alias.project || this.target.project };
        return createUrn(alias.name || name, alias.type || type, parent, target);
    }

    /**
     * step_generator.go inheritedChildAlias: the child under its parent's old URN; a child
     * named after its parent ("{parent}-x") takes the parent's old name as prefix.
     */
    inheritedChildAlias(childType: string, childName: string, parentName: string, parentAlias: string): string {
        const aliasName = childName.startsWith(parentName)
            ? urnName(parentAlias) + childName.slice(parentName.length)
            : childName;
        return newUrn(this.target, qualifiedType(parentAlias), childType, aliasName);
    }
}

/** sdk/go/common/diag/errors.go GetDuplicateResourceAliasError (2008). */
function duplicateAliasError(alias: string, urn: string, other: string): string {
    return `Duplicate resource alias '${alias}' applied to resource with URN '${urn}' conflicting with resource with URN '${other}'`;
}

/** sdk/go/common/diag/errors.go GetDuplicateResourceAliasedError (2016). */
function duplicateAliasedError(urn: string, claimant: string): string {
    return `Duplicate resource URN '${urn}' conflicting with alias on resource with URN '${claimant}'`;
}
