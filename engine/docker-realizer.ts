import * as crypto from "crypto";
import * as path from "path";
import type * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { PROJECT_DIR, Realizer } from "./engine";
import { COMMAND, CONTAINER, NETWORK, REMOTE_IMAGE } from "./providers";
import { dockerWith, runProcess } from "./shell";
import { Goal, Props, StateResource } from "./steps";

// Carries out the engine's steps on the Docker engine DOCKER_HOST names, doing what the docker
// and command providers do for the inputs bondlab uses. An input it does not map is refused,
// never dropped: a provider feature the program starts to use must be mapped here first.

type ContainerInputs = pulumi.Unwrap<docker.ContainerArgs>;
type NetworkInputs = pulumi.Unwrap<docker.NetworkArgs>;
type ImageInputs = pulumi.Unwrap<docker.RemoteImageArgs>;
type CommandInputs = pulumi.Unwrap<command.local.CommandArgs>;

/** The inputs each resource type may use; anything else is refused. */
const MAPPED: Record<string, ReadonlySet<string>> = {
    [CONTAINER]: new Set<keyof ContainerInputs>([
        "name",
        "image",
        "hostname",
        "privileged",
        "capabilities",
        "restart",
        "envs",
        "labels",
        "networksAdvanced",
        "networkMode",
        "command",
        "mustRun",
        "sysctls",
    ]),
    [NETWORK]: new Set<keyof NetworkInputs>(["name", "driver", "internal", "options", "ipamConfigs", "labels"]),
    [REMOTE_IMAGE]: new Set<keyof ImageInputs>(["name", "keepLocally", "build", "triggers"]),
    [COMMAND]: new Set<keyof CommandInputs>(["create", "environment", "stdin", "triggers", "logging", "interpreter"]),
};

export class DockerRealizer implements Realizer {
    /**
     * `endpoint`: the DOCKER_HOST / DOCKER_CONTEXT the docker provider's config picks
     * (components/docker-endpoint.ts), for a stack whose `docker:host` names another engine;
     * by default this process's own.
     */
    constructor(private readonly endpoint: Record<string, string> = {}) {}

    private dockerCli(...args: string[]): Promise<string> {
        return dockerWith(args, { env: { ...process.env, ...this.endpoint } });
    }

    private async exists(...args: string[]): Promise<boolean> {
        return (await runProcess(["docker", ...args], { env: { ...process.env, ...this.endpoint } })).code === 0;
    }

    async create(goal: Goal): Promise<{ id: string; outputs: Props }> {
        checkMapped(goal);
        switch (goal.type) {
            case REMOTE_IMAGE:
                return this.image(goal.inputs as ImageInputs);
            case NETWORK:
                return this.network(goal.inputs as NetworkInputs);
            case CONTAINER:
                return this.container(goal.inputs as ContainerInputs);
            case COMMAND:
                return this.command(goal.name, goal.inputs as CommandInputs);
            default:
                throw new Error(`the Docker realizer cannot create ${goal.type}`);
        }
    }

    async update(old: StateResource, goal: Goal): Promise<Props> {
        checkMapped(goal);
        switch (goal.type) {
            case COMMAND: {
                // local/commandController.go Update: `update` if given, else `create` again.
                const inputs = goal.inputs as CommandInputs;
                return (await this.command(goal.name, inputs, inputs.update ?? inputs.create)).outputs;
            }
            case CONTAINER: {
                const inputs = goal.inputs as ContainerInputs;
                // resourceDockerContainerUpdate: the restart policy is changed in place.
                if (inputs.restart !== (old.inputs as ContainerInputs).restart)
                    await this.dockerCli("update", "--restart", inputs.restart ?? "no", old.id);
                return { ...old.outputs, ...goal.inputs };
            }
            // keepLocally / forceRemove only change what a later delete does.
            case REMOTE_IMAGE:
                return { ...old.outputs, ...goal.inputs };
            default:
                throw new Error(`the Docker realizer cannot update ${goal.type}`);
        }
    }

    async delete(old: StateResource): Promise<void> {
        switch (old.type) {
            case COMMAND: {
                // No `delete` command: deleting only forgets the resource (commandController.go Delete).
                const inputs = old.inputs as CommandInputs;
                if (inputs.delete) await this.command(old.name, inputs, inputs.delete);
                return;
            }
            case CONTAINER:
                return void (await this.dockerCli("rm", "-f", old.id).catch(ignoreMissing));
            case NETWORK:
                return void (await this.dockerCli("network", "rm", old.id).catch(ignoreMissing));
            case REMOTE_IMAGE:
                if (!(old.inputs as ImageInputs).keepLocally)
                    await this.dockerCli("image", "rm", String((old.inputs as ImageInputs).name)).catch(ignoreMissing);
                return;
            default:
                throw new Error(`the Docker realizer cannot delete ${old.type}`);
        }
    }

    /** The providers' Read: a container, network or image gone from the host leaves the state. */
    async read(old: StateResource): Promise<Props | undefined> {
        switch (old.type) {
            case CONTAINER:
                return (await this.exists("inspect", old.id)) ? old.outputs : undefined;
            case NETWORK:
                return (await this.exists("network", "inspect", old.id)) ? old.outputs : undefined;
            case REMOTE_IMAGE:
                return (await this.exists("image", "inspect", String((old.inputs as ImageInputs).name)))
                    ? old.outputs
                    : undefined;
            default:
                return old.outputs; // a command's Read returns its state as it is
        }
    }

    /** Runs a command resource's `create` as the command provider does: shell, environment, stdin. */
    async runCommand(inputs: CommandInputs, script: string = inputs.create ?? "", env: Record<string, string> = {}) {
        const interpreter = inputs.interpreter ?? ["/bin/sh", "-c"];
        return runProcess([...interpreter, script], {
            env: { ...process.env, ...inputs.environment, ...env },
            // pulumi-command local/commandController.go run: without `dir`, the provider's own
            // working directory, which is the one pulumi runs the program in: the project.
            cwd: PROJECT_DIR,
            stdin: inputs.stdin,
        });
    }

    private async command(name: string, inputs: CommandInputs, script = inputs.create ?? "") {
        const r = await this.runCommand(inputs, script);
        if (r.code !== 0) throw new Error(`command ${name} failed (exit ${r.code}):\n${r.stderr.trim()}`);
        // The command provider strips the trailing newline.
        return {
            id: name + "-" + crypto.randomBytes(4).toString("hex"),
            outputs: { ...inputs, stdout: r.stdout.replace(/\n$/, ""), stderr: r.stderr.replace(/\n$/, "") },
        };
    }

    private async image(inputs: ImageInputs) {
        const name = String(inputs.name);
        if (inputs.build) {
            // resourceDockerImageCreate: build first (context relative to where pulumi runs: the project).
            const build = inputs.build;
            const unmapped = Object.keys(build).filter((k) => !["context", "dockerfile", "buildArgs"].includes(k));
            if (unmapped.length > 0)
                throw new Error(`the Docker realizer does not map build.${unmapped.join(", build.")}`);
            const args = ["build", "-q", "-t", name];
            if (build.dockerfile)
                args.push("-f", path.resolve(PROJECT_DIR, String(build.context), String(build.dockerfile)));
            for (const [k, v] of Object.entries(build.buildArgs ?? {})) args.push("--build-arg", `${k}=${v}`);
            await this.dockerCli(...args, path.resolve(PROJECT_DIR, String(build.context)));
        }
        // Then look the name up locally; the provider would pull it when missing. The lab
        // host has no registry: say so instead.
        const id = await this.dockerCli("image", "inspect", "-f", "{{.Id}}", name).catch(() => "");
        if (!id)
            throw new Error(
                `image ${name} is not on the Docker host and the provider would pull it: ` +
                    "the lab host loads the router image (labhost/start.sh)",
            );
        return { id, outputs: { ...inputs, imageId: id, repoDigest: id } };
    }

    private async network(inputs: NetworkInputs) {
        const args = ["network", "create", "--driver", String(inputs.driver ?? "bridge")];
        if (inputs.internal) args.push("--internal");
        for (const [k, v] of Object.entries(inputs.options ?? {})) args.push("-o", `${k}=${v}`);
        for (const ipam of inputs.ipamConfigs ?? []) {
            if (ipam.subnet) args.push("--subnet", ipam.subnet);
            if (ipam.gateway) args.push("--gateway", ipam.gateway);
        }
        for (const l of inputs.labels ?? []) args.push("--label", `${l.label}=${l.value}`);
        const id = await this.dockerCli(...args, String(inputs.name));
        // Docker picks the subnet when none is given; the provider reports it.
        const ipam = JSON.parse(await this.dockerCli("network", "inspect", "-f", "{{json .IPAM.Config}}", id)) as {
            Subnet: string;
            Gateway: string;
        }[];
        return { id, outputs: { ...inputs, ipamConfigs: ipam.map((c) => ({ subnet: c.Subnet, gateway: c.Gateway })) } };
    }

    private async container(inputs: ContainerInputs) {
        const args = ["create", "--name", String(inputs.name)];
        if (inputs.hostname) args.push("--hostname", inputs.hostname);
        if (inputs.privileged) args.push("--privileged");
        for (const cap of inputs.capabilities?.drops ?? []) args.push("--cap-drop", cap);
        for (const cap of inputs.capabilities?.adds ?? []) args.push("--cap-add", cap);
        if (inputs.restart) args.push("--restart", inputs.restart);
        for (const e of inputs.envs ?? []) args.push("-e", e);
        // The provider's sysctls map is Docker's HostConfig.Sysctls, what `--sysctl` sets.
        for (const [k, v] of Object.entries(inputs.sysctls ?? {})) args.push("--sysctl", `${k}=${v}`);
        for (const l of inputs.labels ?? []) args.push("--label", `${l.label}=${l.value}`);
        const networks = inputs.networksAdvanced ?? [];
        const unmapped = networks.flatMap((n) => Object.keys(n)).filter((k) => k !== "name");
        if (unmapped.length > 0)
            throw new Error(
                `the Docker realizer does not map networksAdvanced.${unmapped.join(", networksAdvanced.")}`,
            );
        if (inputs.networkMode) args.push("--network", inputs.networkMode);
        else if (networks.length > 0) args.push("--network", networks[0].name);
        const id = await this.dockerCli(...args, inputs.image, ...(inputs.command ?? []));
        for (const n of networks.slice(1)) await this.dockerCli("network", "connect", n.name, id);
        await this.dockerCli("start", id);
        // mustRun (default true): the provider fails when the container does not stay up.
        if (inputs.mustRun !== false && (await this.dockerCli("inspect", "-f", "{{.State.Running}}", id)) !== "true") {
            throw new Error(`container ${inputs.name} stopped: ${await this.dockerCli("logs", id)}`);
        }
        return { id, outputs: { ...inputs } };
    }
}

function checkMapped(goal: Goal): void {
    const mapped = MAPPED[goal.type];
    if (!mapped) throw new Error(`the Docker realizer cannot build ${goal.type}`);
    const unmapped = Object.keys(goal.inputs).filter((k) => !mapped.has(k));
    if (unmapped.length > 0) {
        throw new Error(
            `the Docker realizer does not map ${unmapped.join(", ")} of ${goal.type}: ` +
                "map it in engine/docker-realizer.ts as the provider does",
        );
    }
}

function ignoreMissing(e: Error): void {
    if (!/No such|not found/i.test(e.message)) throw e;
}
