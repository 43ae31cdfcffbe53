// What each provider's Diff says for the resource types bondlab uses: which inputs force a
// replacement, and whether the provider asks for delete-before-replace. Read from the
// providers' sources; the engine (engine.ts) turns a diff into steps with these rules.
//
// docker: @pulumi/docker 5.x is kreuzwerker/terraform-provider-docker (v4.5.0 as the
// `upstream` submodule of pulumi/pulumi-docker v5.1.0) behind pulumi-terraform-bridge, which
// turns a diff on a ForceNew field into a replacement.
// command: pulumi/pulumi-command v1.2.1.

export interface ProviderRules {
    /** Top-level inputs (SDK names) whose change forces a replacement. */
    readonly forceNew: ReadonlySet<string> | "all";
    /**
     * Inputs that may change in place. Anything neither here nor in forceNew is an input the
     * model has not read the provider for: the engine refuses it instead of guessing.
     */
    readonly updatable: ReadonlySet<string>;
    /** The provider's DeleteBeforeReplace for a replacement with these inputs. */
    deleteBeforeReplace(inputs: Record<string, unknown>): boolean;
    /** Outputs the provider recomputes on an update: unknown in a preview of one. */
    readonly computedOnUpdate: readonly string[];
}

export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const COMMAND = "command:local:Command";

export const PROVIDER_RULES: Readonly<Record<string, ProviderRules>> = {
    // The replacing inputs are the schema's (tests/unit/provider-schema.test.ts holds them to
    // it). internal/provider/resource_docker_container.go (ForceNew per field); Update
    // (resource_docker_container_funcs.go resourceDockerContainerUpdate) changes only restart,
    // resources and must_run in place. pulumi-docker provider/resources.go sets
    // `DeleteBeforeReplace: true` on docker_container: its name is fixed, so the old one goes first.
    [CONTAINER]: {
        forceNew: new Set([
            "name",
            "image",
            "hostname",
            "domainname",
            "command",
            "entrypoints",
            "user",
            "dns",
            "dnsOpts",
            "dnsSearches",
            "publishAllPorts",
            "workingDir",
            "capabilities",
            "securityOpts",
            "runtime",
            "platform",
            "stopSignal",
            "stopTimeout",
            "mounts",
            "volumes",
            "ports",
            "hosts",
            "ulimits",
            "envs",
            "privileged",
            "devices",
            "deviceRequests",
            "labels",
            "shmSize",
            "logDriver",
            "logOpts",
            "networkMode",
            "networksAdvanced",
            "pidMode",
            "usernsMode",
            "uploads",
            "sysctls",
            "ipcMode",
            "groupAdds",
            "tty",
            "stdinOpen",
            "storageOpts",
            "gpus",
            "cpus",
            "cgroupnsMode",
            "cgroupParent",
            "readOnly",
        ]),
        updatable: new Set([
            "restart",
            "maxRetryCount",
            "mustRun",
            "start",
            "rm",
            "wait",
            "waitTimeout",
            "attach",
            "logs",
            "destroyGraceSeconds",
            "removeVolumes",
            "memory",
            "memoryReservation",
            "memorySwap",
            "cpuShares",
            "cpuSet",
            "init",
        ]),
        deleteBeforeReplace: () => true,
        computedOnUpdate: [],
    },
    // internal/provider/resource_docker_network.go: no Update function, every input ForceNew.
    // pulumi-terraform-bridge nameRequiresDeleteBeforeReplace: `name` is auto-named in
    // pulumi-docker, so a network whose name the program sets is deleted before it is replaced.
    [NETWORK]: {
        forceNew: "all",
        updatable: new Set(),
        deleteBeforeReplace: (inputs) => inputs.name !== undefined,
        computedOnUpdate: [],
    },
    // internal/provider/resource_docker_image.go: name, triggers, pullTriggers, platform and
    // build's fields (context, dockerfile, buildArgs, ...) are ForceNew; keepLocally and
    // forceRemove are not. No auto-name (resources.go opts `name` out): create-before-delete.
    [REMOTE_IMAGE]: {
        forceNew: new Set(["name", "triggers", "pullTriggers", "platform", "build"]),
        updatable: new Set(["keepLocally", "forceRemove"]),
        deleteBeforeReplace: () => false,
        computedOnUpdate: [],
    },
    // provider/pkg/provider/common/inputs.go: only `triggers` carries replaceOnChanges (the
    // Node SDK also sends replaceOnChanges ["triggers[*]"], local/command.ts); every other
    // change is an Update that runs `update`, else `create` (local/commandController.go).
    // DeleteBeforeReplace is never set (pulumi-go-provider infer/resource.go Diff).
    [COMMAND]: {
        forceNew: new Set(["triggers"]),
        updatable: new Set([
            "create",
            "update",
            "delete",
            "environment",
            "stdin",
            "interpreter",
            "dir",
            "logging",
            "addPreviousOutputInEnv",
            "archivePaths",
            "assetPaths",
        ]),
        deleteBeforeReplace: () => false,
        computedOnUpdate: ["stdout", "stderr"],
    },
};

export function rulesFor(type: string): ProviderRules {
    const rules = PROVIDER_RULES[type];
    if (!rules)
        throw new Error(
            `the engine model has no provider rules for ${type}: add them to engine/providers.ts from the provider's sources`,
        );
    return rules;
}

/** Does a change of `key` force a replacement (provider rules, then the resource's replaceOnChanges)? */
export function forcesReplacement(type: string, key: string, replaceOnChanges: readonly string[]): boolean {
    const rules = rulesFor(type);
    if (rules.forceNew === "all" || rules.forceNew.has(key)) return true;
    // step_generator.go applyReplaceOnChanges: a path such as "triggers[*]" covers its top-level key.
    return replaceOnChanges.some((path) => path === "*" || path.split(/[.[]/)[0] === key);
}
