// The drill's only way into the lab: the docker CLI, against DOCKER_HOST like the program's
// own commands. Runs without a shell; settings travel as `-e NAME` from the environment.

import { ChildProcessWithoutNullStreams, spawn } from "child_process";

export interface ExecResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** `docker ARGS...`: stdout, or an error with docker's message. */
export async function docker(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn("docker", args);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) =>
            code === 0
                ? resolve(stdout.trim())
                : reject(new Error(`docker ${args.join(" ")}: ${(stderr || stdout).trim()}`)),
        );
    });
}

/** A long-running `docker exec -i`: lines of stdout as they come, stdin kept open for commands. */
export class StreamingExec {
    private readonly child: ChildProcessWithoutNullStreams;
    private buffer = "";
    private stderr = "";
    private listener: ((line: string) => void) | null = null;
    readonly done: Promise<ExecResult>;
    exited = false;

    /**
     * `env` reaches the command inside the container (`-e NAME`); `engine` only the docker CLI
     * (DOCKER_HOST and the like: the lab's own engine, whatever this process's environment says).
     */
    constructor(
        container: string,
        argv: string[],
        env: Record<string, string> = {},
        engine: Record<string, string> = {},
    ) {
        const args = ["exec", "-i", ...Object.keys(env).flatMap((k) => ["-e", k]), container, ...argv];
        this.child = spawn("docker", args, { env: { ...process.env, ...engine, ...env } });
        this.child.stderr.on("data", (d) => (this.stderr += d));
        this.child.stdout.on("data", (d: Buffer) => {
            this.buffer += d;
            let nl: number;
            while ((nl = this.buffer.indexOf("\n")) >= 0) {
                const line = this.buffer.slice(0, nl);
                this.buffer = this.buffer.slice(nl + 1);
                this.listener?.(line);
            }
        });
        this.done = new Promise((resolve) => {
            const finish = (code: number | null) => {
                if (this.exited) return;
                this.exited = true;
                resolve({ code: code ?? 1, stdout: this.buffer, stderr: this.stderr });
            };
            this.child.on("error", (e) => {
                this.stderr += String(e);
                finish(1);
            });
            this.child.on("close", finish);
        });
    }

    /** Every line of stdout from now on goes to fn (one listener at a time). */
    onLine(fn: ((line: string) => void) | null): void {
        this.listener = fn;
    }

    send(line: string): void {
        if (!this.child.stdin.destroyed) this.child.stdin.write(line + "\n");
    }

    end(): Promise<ExecResult> {
        this.child.stdin.end();
        return this.done;
    }

    kill(): void {
        this.child.kill("SIGKILL");
    }
}

/** The report's line on where it was measured: the Docker host's OS, kernel and CPUs. */
export async function whereMeasured(): Promise<string> {
    const info = await docker("info", "-f", "{{.KernelVersion}} {{.NCPU}} {{.OperatingSystem}}").catch(() => "");
    const [kernel, cpus, ...os] = info.split(" ");
    return info ? `Docker host ${os.join(" ")}, kernel ${kernel}, ${cpus} CPUs` : "unknown Docker host";
}
