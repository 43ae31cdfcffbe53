import { spawn } from "child_process";

export interface ShellResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a program without a shell; resolves with its exit code and output, never rejects on exit codes. */
export function runProcess(
    argv: string[],
    options: { env?: NodeJS.ProcessEnv; stdin?: string; passStderr?: boolean; cwd?: string } = {},
): Promise<ShellResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), {
            env: options.env ?? process.env,
            cwd: options.cwd,
            // passStderr: show a long step's progress as it happens.
            stdio: ["pipe", "pipe", options.passStderr ? "inherit" : "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d) => (stdout += d));
        child.stderr?.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        // A program that exits without reading its input (docker network create) closes the
        // pipe first: that EPIPE is not a failure, the exit code tells.
        child.stdin!.on("error", () => undefined);
        child.stdin!.end(options.stdin ?? "");
    });
}

/** Runs `docker ARGS` against DOCKER_HOST; throws with docker's message when it fails. */
export function docker(...args: string[]): Promise<string> {
    return dockerWith(args);
}

/** `docker ARGS` in the given environment (DOCKER_HOST / DOCKER_CONTEXT), else this process's. */
export async function dockerWith(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
    const result = await runProcess(["docker", ...args], options);
    if (result.code !== 0) throw new Error(`docker ${args.join(" ")}: ${result.stderr.trim() || result.stdout.trim()}`);
    return result.stdout.trim();
}
