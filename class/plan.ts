import { z } from "zod";
import { dockerEndpointProblem } from "../components/docker-endpoint";
import { YamlKind, listNetworks, listVariants, readYamlMapping } from "../components/labfile/load";
import { LabConfigError, LabIssue } from "../components/labfile/validate";

// A class file: one lab (one Pulumi stack) per student, each on the Docker host the teacher
// assigns. For classes larger than one host: `npm run class -- up class.yaml`.
//
//   class: net101                 # the stacks are named <class>-<student>
//   variant: lacp                 # every student's lab, unless the student names another
//   hosts:                        # name -> docker:host of that machine's Docker engine
//     lab1: ssh://teacher@lab1.example.org
//     lab2: tcp://10.0.0.12:2375
//   students:
//     - { name: alice, host: lab1 }
//     - { name: bob, host: lab2, variant: arp-monitor }
//     - { name: carol, host: lab2, variant: vlan-lacp }   # a version 2 network (configs/v2)

/** One student's lab: the stack, its Docker host and its variant. */
export interface StudentLab {
    readonly student: string;
    readonly stack: string;
    readonly host: string;
    /** docker:host for the stack: the Docker engine the provider and the commands use. */
    readonly dockerHost: string;
    readonly variant: string;
}

export interface ClassPlan {
    readonly name: string;
    readonly labs: readonly StudentLab[];
}

// Names reach stack names, container names and file names: a safe alphabet only.
const NAME = /^[a-z0-9][a-z0-9-]{0,29}$/;
const NAME_RULE = "lower-case letters, digits and '-', starting with a letter or digit, at most 30";

const schema = z
    .object({
        class: z.string().regex(NAME, NAME_RULE),
        variant: z.string().optional(),
        hosts: z.record(z.string().regex(NAME, NAME_RULE), z.string().superRefine(endpointIssue)),
        students: z
            .array(
                z
                    .object({
                        name: z.string().regex(NAME, NAME_RULE),
                        host: z.string(),
                        variant: z.string().optional(),
                    })
                    .strict(),
            )
            .min(1, "list at least one student"),
    })
    .strict();

/** A class file's host that is not a Docker endpoint (docker-endpoint.ts holds the one check). */
function endpointIssue(value: string, ctx: z.RefinementCtx): void {
    const problem = dockerEndpointProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
}

/** The class file's data (already parsed) as a plan; throws LabConfigError naming every bad field. */
export function planClass(data: unknown, shown: string): ClassPlan {
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
        throw new LabConfigError(
            shown,
            parsed.error.issues.map((i) => ({ field: i.path.join(".") || "(file)", message: i.message })),
            "class file",
        );
    }
    const file = parsed.data;
    const issues: LabIssue[] = [];
    const variants = [...listVariants(), ...listNetworks()];
    // A Map: a student's host is looked up by the user's own word, which may be "toString".
    const hosts = new Map(Object.entries(file.hosts));
    const hostNames = [...hosts.keys()];
    if (hostNames.length === 0) issues.push({ field: "hosts", message: "name at least one Docker host" });
    const seen = new Set<string>();
    const labs = file.students.map((s, i): StudentLab => {
        const field = `students.${i}`;
        if (seen.has(s.name)) issues.push({ field: `${field}.name`, message: `"${s.name}" is listed twice` });
        seen.add(s.name);
        if (!hosts.has(s.host))
            issues.push({
                field: `${field}.host`,
                message: `"${s.host}" is not one of the hosts (${hostNames.join(", ") || "none"})`,
            });
        const variant = s.variant ?? file.variant;
        if (variant === undefined)
            issues.push({
                field: `${field}.variant`,
                message: "no variant: set variant: for the class or for this student",
            });
        else if (!variants.includes(variant))
            issues.push({
                field: s.variant ? `${field}.variant` : "variant",
                message: `no such variant "${variant}": use one of ${variants.join(", ")}`,
            });
        return {
            student: s.name,
            stack: `${file.class}-${s.name}`,
            host: s.host,
            dockerHost: hosts.get(s.host) ?? "",
            variant: variant ?? "",
        };
    });
    if (issues.length > 0) throw new LabConfigError(shown, issues, "class file");
    return { name: file.class, labs };
}

/** The stack config a student's lab gets, as `pulumi config set` would write it. */
export function stackConfigOf(lab: StudentLab): Record<string, string> {
    return { "bondlab:variant": lab.variant, "docker:host": lab.dockerHost };
}

const CLASS_FILE: YamlKind = {
    noun: "class file",
    what: "class file",
    example: "configs/class/example.yaml",
    keys: "class:, hosts: and students:",
};

/** The class file, parsed and checked; a LabConfigError names each bad field. */
export function loadClass(file: string): ClassPlan {
    return planClass(readYamlMapping(file, file, CLASS_FILE), file);
}
