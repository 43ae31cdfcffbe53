import { docker, runProcess } from "./shell";
import { ResourceRealizer } from "./run-program";

// For end-to-end tests: builds each resource the program registers on the Docker engine
// that DOCKER_HOST points to, from the inputs the program gave (the same inputs the docker
// and command providers would get), and tears everything down again in reverse order.
// Test-only: users deploy with `pulumi up`.

/** What a resource skipped after a failure reports: enough for the program's outputs to resolve. */
const NOT_CREATED = { stdout: "{}", ipamConfigs: [], imageId: "", name: "" };

interface Created {
    type: string;
    name: string;
    id: string;
    inputs: Record<string, any>;
}

export class DockerRealizer implements ResourceRealizer {
    /** Everything created, in creation order. */
    readonly created: Created[] = [];
    /** The first resource that failed: the update stops there, as the engine's does. */
    failure?: Error;

    // A failure is recorded, not thrown: a rejected registration leaves promises inside the
    // SDK that nobody awaits, which jest would pin on whichever test runs next. runProgram
    // reports the recorded failure as the run's error instead.
    async create(type: string, name: string, inputs: Record<string, any>) {
        if (!type.startsWith("docker:") && !type.startsWith("command:")) return { id: `${name}-component` }; // bondlab's components hold nothing
        if (this.failure) return { id: `${name}-not-created`, state: NOT_CREATED };
        try {
            const result = await this.build(type, name, inputs);
            this.created.push({ type, name, id: result.id, inputs });
            return result;
        } catch (e) {
            this.failure = new Error(`failed to create ${name} [${type}]: ${(e as Error).message}`);
            return { id: `${name}-not-created`, state: NOT_CREATED };
        }
    }

    private build(type: string, name: string, inputs: Record<string, any>): Promise<{ id: string; state?: Record<string, any> }> {
        switch (type) {
            case "docker:index/remoteImage:RemoteImage": return this.image(inputs);
            case "docker:index/network:Network": return this.network(inputs);
            case "docker:index/container:Container": return this.container(inputs);
            case "command:local:Command": return this.command(name, inputs);
            default: throw new Error(`the e2e harness cannot build ${type} yet`);
        }
    }

    /** Finds a command resource the program registered, to run it again in a test. */
    findCommand(name: string): Created {
        const found = this.created.find((c) => c.type === "command:local:Command" && c.name === name);
        if (!found) throw new Error(`no command ${name}`);
        return found;
    }

    /** Runs a command resource's `create` as the command provider does: shell, environment, stdin. */
    async runCommand(inputs: Record<string, any>, script: string = inputs.create, env: Record<string, string> = {}) {
        const interpreter: string[] = inputs.interpreter ?? ["/bin/sh", "-c"];
        return runProcess([...interpreter, script], {
            env: { ...process.env, ...inputs.environment, ...env },
            stdin: inputs.stdin,
        });
    }

    /** Tears down in reverse order: each command's delete, then containers, then networks. */
    async destroy(): Promise<void> {
        const errors: string[] = [];
        for (const item of [...this.created].reverse()) {
            try {
                if (item.type === "command:local:Command" && item.inputs.delete) {
                    const r = await this.runCommand(item.inputs, item.inputs.delete);
                    if (r.code !== 0) errors.push(`${item.name} delete: ${r.stderr.trim()}`);
                }
                if (item.type === "docker:index/container:Container") await docker("rm", "-f", item.id);
                if (item.type === "docker:index/network:Network") await docker("network", "rm", item.id);
                // Images are kept locally, as keepLocally asks.
            } catch (e) {
                errors.push((e as Error).message);
            }
        }
        this.created.length = 0;
        if (errors.length > 0) throw new Error(`teardown failed:\n${errors.join("\n")}`);
    }

    private async image(inputs: Record<string, any>) {
        const id = await docker("image", "inspect", "-f", "{{.Id}}", inputs.name).catch(() => "");
        if (!id) {
            throw new Error(`image ${inputs.name} is not on the Docker host: the lab host loads bondlab/router:local (labhost/start.sh); ` +
                "the e2e tests cannot build or pull (no registry here)");
        }
        return { id, state: { imageId: id, repoDigest: id } };
    }

    private async network(inputs: Record<string, any>) {
        const args = ["network", "create", "--driver", inputs.driver ?? "bridge"];
        if (inputs.internal) args.push("--internal");
        for (const [k, v] of Object.entries<string>(inputs.options ?? {})) args.push("-o", `${k}=${v}`);
        for (const ipam of inputs.ipamConfigs ?? []) {
            if (ipam.subnet) args.push("--subnet", ipam.subnet);
            if (ipam.gateway) args.push("--gateway", ipam.gateway);
        }
        for (const l of inputs.labels ?? []) args.push("--label", `${l.label}=${l.value}`);
        const id = await docker(...args, inputs.name);
        // Docker picks the subnet when none is given; report it as the provider does.
        const ipam = JSON.parse(await docker("network", "inspect", "-f", "{{json .IPAM.Config}}", id)) as { Subnet: string; Gateway: string }[];
        return { id, state: { ipamConfigs: ipam.map((c) => ({ subnet: c.Subnet, gateway: c.Gateway })) } };
    }

    private async container(inputs: Record<string, any>) {
        const args = ["create", "--name", inputs.name];
        if (inputs.hostname) args.push("--hostname", inputs.hostname);
        if (inputs.privileged) args.push("--privileged");
        for (const cap of inputs.capabilities?.drops ?? []) args.push("--cap-drop", cap);
        for (const cap of inputs.capabilities?.adds ?? []) args.push("--cap-add", cap);
        if (inputs.restart) args.push("--restart", inputs.restart);
        for (const e of inputs.envs ?? []) args.push("-e", e);
        for (const l of inputs.labels ?? []) args.push("--label", `${l.label}=${l.value}`);
        const networks: { name: string; ipv4Address?: string }[] = inputs.networksAdvanced ?? [];
        const attach = (n: { name: string; ipv4Address?: string }) => (n.ipv4Address ? ["--ip", n.ipv4Address] : []);
        if (inputs.networkMode) args.push("--network", inputs.networkMode);
        else if (networks.length > 0) args.push("--network", networks[0].name, ...attach(networks[0]));
        const id = await docker(...args, inputs.image, ...(inputs.command ?? []));
        for (const n of networks.slice(1)) await docker("network", "connect", ...attach(n), n.name, id);
        await docker("start", id);
        // mustRun (default true): the provider fails when the container does not stay up.
        if (inputs.mustRun !== false && (await docker("inspect", "-f", "{{.State.Running}}", id)) !== "true") {
            throw new Error(`container ${inputs.name} stopped: ${await docker("logs", id)}`);
        }
        return { id, state: { name: inputs.name } };
    }

    private async command(name: string, inputs: Record<string, any>) {
        const r = await this.runCommand(inputs);
        if (r.code !== 0) throw new Error(`command ${name} failed (exit ${r.code}):\n${r.stderr.trim()}`);
        // The command provider strips the trailing newline.
        return { id: name, state: { stdout: r.stdout.replace(/\n$/, ""), stderr: r.stderr.replace(/\n$/, "") } };
    }
}
