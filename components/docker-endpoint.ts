import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { LabConfigError } from "./labfile/validate";

// The command resources run the `docker` CLI, which does not see the docker provider's
// settings and, left alone, follows its own current context (`docker context use`), which
// the provider ignores. So the commands are handed the engine the provider picks:
// - terraform-provider-docker internal/provider/provider.go: `context` (docker:context, else
//   DOCKER_CONTEXT) overrides `host` (docker:host, else DOCKER_HOST);
// - pulumi-docker provider/image.go configureDockerClient: with no host set, the default
//   socket, else Docker Desktop's ~/.docker/run/docker.sock or ~/.docker/desktop/docker.sock.

export interface DockerProviderConfig {
    /** docker:host */
    host?: string;
    /** docker:context */
    context?: string;
}

// The schemes the docker provider and CLI take; no spaces or quotes, since it reaches the
// commands' environment.
const ENDPOINT = /^(unix|tcp|ssh|npipe):\/\/[A-Za-z0-9._~:@\/%+-]+$/;
const ENDPOINT_EXAMPLE = "ssh://user@host, tcp://10.0.0.12:2375 or unix:///var/run/docker.sock";

/**
 * Why `value` is not a Docker endpoint, or undefined when it is one: the one check of an
 * endpoint, for a class file's hosts and a stack's docker:host alike.
 */
export function dockerEndpointProblem(value: unknown): string | undefined {
    if (typeof value !== "string") return `is not text: write a Docker endpoint such as ${ENDPOINT_EXAMPLE}`;
    if (!ENDPOINT.test(value)) return `${JSON.stringify(value)} is not a Docker endpoint such as ${ENDPOINT_EXAMPLE}`;
    const [scheme, rest] = value.split("://", 2);
    // tcp:// and ssh:// need a machine; unix:// and npipe:// a socket or pipe after the slashes.
    const named = scheme === "tcp" || scheme === "ssh" ? hostOf(value) !== "" : rest.replace(/\//g, "") !== "";
    return named
        ? undefined
        : `${JSON.stringify(value)} names no host: write a Docker endpoint such as ${ENDPOINT_EXAMPLE}`;
}

/** The machine a tcp:// or ssh:// endpoint names, "" when none (tcp:///, ssh://user@, tcp://:2375). */
function hostOf(endpoint: string): string {
    try {
        return new URL(endpoint).hostname;
    } catch {
        return "";
    }
}

/** Throws a LabConfigError naming docker:host when it is set and is not a Docker endpoint. */
export function checkDockerHost(host: string | undefined): void {
    const problem = host === undefined || host === "" ? undefined : dockerEndpointProblem(host);
    if (problem === undefined) return;
    const error = new LabConfigError("the stack's settings (Pulumi.<stack>.yaml)", [
        { field: "docker:host", message: `${problem}; set it with pulumi config set docker:host <endpoint>` },
    ]);
    // The Pulumi CLI prints an error with this mark as its message alone, without a stack trace
    // (@pulumi/pulumi errors.ts RunError.isInstance): the program reads docker:host unguarded.
    throw Object.assign(error, { __pulumiRunError: true });
}

/**
 * The commands' environment for the `docker` CLI: what the stack's own settings name
 * (docker:host, docker:context) and nothing of this machine's, so that a preview from another
 * machine, or after the lab host took another port, shows no change (a command's environment
 * is an input, and a changed input re-runs it). The rest of dockerCliEnv's rules run with the
 * command, on whichever machine runs it: DOCKER_ENDPOINT_PRELUDE.
 */
export function dockerCommandEnv(config: DockerProviderConfig): Record<string, string> {
    checkDockerHost(config.host);
    if (config.context) return { DOCKER_CONTEXT: config.context };
    return config.host ? { DOCKER_HOST: config.host } : {};
}

/**
 * Shell text a command runs before its `docker` CLI: dockerCliEnv's rules, at run time, on
 * the command's environment (the CLI's own plus dockerCommandEnv's). A context wins over a
 * host, as in the provider; with neither, the first of the provider's sockets that exists.
 * The CLI alone would give DOCKER_HOST the lead, or follow `docker context use`.
 */
export const DOCKER_ENDPOINT_PRELUDE = [
    'if [ -n "${DOCKER_CONTEXT:-}" ]; then unset DOCKER_HOST',
    'elif [ -z "${DOCKER_HOST:-}" ]; then',
    "    DOCKER_HOST=unix:///var/run/docker.sock",
    '    for s in /var/run/docker.sock "${HOME:-}/.docker/run/docker.sock" "${HOME:-}/.docker/desktop/docker.sock"; do',
    '        if [ -e "$s" ]; then DOCKER_HOST="unix://$s"; break; fi',
    "    done",
    "    export DOCKER_HOST",
    "fi",
    "",
].join("\n");

/**
 * Environment for the `docker` CLI that reaches the same engine as the docker provider, as
 * this machine resolves it now: for the tools that read a lab's handle (its `docker`).
 */
export function dockerCliEnv(
    config: DockerProviderConfig,
    env: NodeJS.ProcessEnv = process.env,
    socketExists: (file: string) => boolean = fs.existsSync,
): Record<string, string> {
    checkDockerHost(config.host);
    const context = config.context || env.DOCKER_CONTEXT;
    // An empty DOCKER_HOST counts as unset for the CLI, and would otherwise win over the context.
    if (context) return { DOCKER_CONTEXT: context, DOCKER_HOST: "" };
    const host = config.host || env.DOCKER_HOST || defaultSocket(socketExists);
    return { DOCKER_HOST: host, DOCKER_CONTEXT: "" };
}

function defaultSocket(socketExists: (file: string) => boolean): string {
    const candidates = [
        "/var/run/docker.sock",
        path.join(os.homedir(), ".docker", "run", "docker.sock"),
        path.join(os.homedir(), ".docker", "desktop", "docker.sock"),
    ];
    return `unix://${candidates.find(socketExists) ?? candidates[0]}`;
}
