import * as os from "os";
import * as path from "path";
import * as fs from "fs";

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

/** Environment for the `docker` CLI that reaches the same engine as the docker provider. */
export function dockerCliEnv(
    config: DockerProviderConfig,
    env: NodeJS.ProcessEnv = process.env,
    socketExists: (file: string) => boolean = fs.existsSync,
): Record<string, string> {
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
