// The host side of sh/agent.sh: one long-lived shell per container of the lab, started once
// per drill, that runs commands sent on its stdin and frames each answer with "end ID CODE".

import * as fs from "fs";
import * as path from "path";
import { StreamingExec } from "./docker";

export const AGENT_SCRIPT = fs.readFileSync(path.join(__dirname, "sh", "agent.sh"), "utf8");
export const ACT_SCRIPT = fs.readFileSync(path.join(__dirname, "sh", "act.sh"), "utf8");

export interface Answer {
    code: number;
    lines: string[];
}

export class Agent {
    private exec: StreamingExec | null = null;
    private queue: Promise<unknown> = Promise.resolve();
    private next = 1;

    constructor(
        readonly container: string,
        private readonly env: Record<string, string> = {},
        /** The docker CLI's environment: the lab's engine (its handle's `docker`). */
        private readonly engine: Record<string, string> = {},
    ) {}

    /** Starts the agent in the container (again, if it died); resolves once it answers. */
    private async ensure(): Promise<StreamingExec> {
        if (this.exec && !this.exec.exited) return this.exec;
        const exec = new StreamingExec(
            this.container,
            ["sh", "-c", AGENT_SCRIPT],
            { DRILL_ACT: ACT_SCRIPT, ...this.env },
            this.engine,
        );
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
                exec.kill();
                reject(new Error(`no agent in ${this.container} after 120 s`));
            }, 120_000);
            exec.onLine((line) => {
                if (line.startsWith("agent ")) {
                    clearTimeout(timer);
                    exec.onLine(null);
                    resolve();
                }
            });
            exec.done.then((r) => {
                clearTimeout(timer);
                reject(
                    new Error(
                        `cannot run the drill's agent in ${this.container} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`,
                    ),
                );
            });
        });
        this.exec = exec;
        return exec;
    }

    /** Starts the agent now rather than at its first command (which then runs at once). */
    async start(): Promise<void> {
        await this.ensure();
    }

    /** Runs one command; commands to one agent run one after another. */
    command(words: string[], timeoutMs = 120_000): Promise<Answer> {
        const run = this.queue.then(() => this.send(words, timeoutMs));
        this.queue = run.catch(() => undefined);
        return run;
    }

    private async send(words: string[], timeoutMs: number): Promise<Answer> {
        const exec = await this.ensure();
        const id = `c${this.next++}`;
        return new Promise<Answer>((resolve, reject) => {
            const lines: string[] = [];
            const fail = (message: string) => {
                exec.onLine(null);
                exec.kill();
                reject(new Error(`${words.join(" ")} in ${this.container}: ${message}`));
            };
            const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
            exec.onLine((line) => {
                const m = line.match(/^end (\S+) (\d+)$/);
                if (m && m[1] === id) {
                    clearTimeout(timer);
                    exec.onLine(null);
                    resolve({ code: Number(m[2]), lines });
                } else {
                    lines.push(line);
                }
            });
            exec.done.then((r) => {
                clearTimeout(timer);
                reject(
                    new Error(
                        `${words.join(" ")} in ${this.container}: the agent exited (${r.code}): ${r.stderr.trim().slice(0, 300)}`,
                    ),
                );
            });
            const [cmd, ...args] = words;
            exec.send([cmd, id, ...args].join(" "));
        });
    }

    async close(): Promise<void> {
        if (!this.exec || this.exec.exited) return;
        const exec = this.exec;
        this.exec = null;
        const timer = setTimeout(() => exec.kill(), 10_000);
        await exec.end();
        clearTimeout(timer);
    }

    kill(): void {
        this.exec?.kill();
        this.exec = null;
    }
}
