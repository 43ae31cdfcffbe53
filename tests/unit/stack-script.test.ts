import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// tools/stack.sh (npm run up / npm run down) against a stand-in `pulumi` that logs each call
// with the passphrase settings it saw, and knows only the stacks it is told exist.

const SCRIPT = path.join(__dirname, "..", "..", "tools", "stack.sh");
const FAKE_PULUMI = `#!/bin/sh
printf '%s|pass=%s|file=%s\\n' "$*" "\${PULUMI_CONFIG_PASSPHRASE-unset}" "\${PULUMI_CONFIG_PASSPHRASE_FILE-unset}" >>"$FAKE_LOG"
if [ "$1 $2" = "stack select" ] && [ "$3" != --create ]; then
    case " $FAKE_STACKS " in *" $3 "*) exit 0 ;; esac
    echo "error: no stack named '$3' found" >&2
    exit 255
fi
exit 0
`;

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-stack-sh-"));
    fs.writeFileSync(path.join(dir, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs stack.sh; returns its exit code, stderr and the calls the stand-in pulumi logged. */
function stackSh(args: string[], env: Record<string, string> = {}, stacks = "") {
    const log = path.join(dir, "calls.log");
    const base = { ...process.env };
    delete base.PULUMI_CONFIG_PASSPHRASE;
    delete base.PULUMI_CONFIG_PASSPHRASE_FILE;
    const r = spawnSync("sh", [SCRIPT, ...args], {
        encoding: "utf8",
        // A Docker host is named, so that the script never reaches for the lab host VM here.
        env: {
            ...base,
            DOCKER_HOST: "tcp://127.0.0.1:2375",
            PATH: `${dir}:${process.env.PATH}`,
            FAKE_LOG: log,
            FAKE_STACKS: stacks,
            // Not the project's own marks: a lab this developer brought up must not change the script's course here.
            BONDLAB_LABHOST_MARKS: path.join(dir, "labhost-marks"),
            ...env,
        },
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { code: r.status, stderr: r.stderr, calls };
}

describe("npm run up / down (tools/stack.sh)", () => {
    it("up creates the stack if need be, with an empty passphrase where the user set none", () => {
        expect(stackSh(["up", "lacp"]).calls).toEqual([
            "stack select --create lacp|pass=|file=unset",
            "up --yes --stack lacp|pass=|file=unset",
        ]);
    });

    it("leaves a user's passphrase file to work: no empty passphrase hides it", () => {
        const { calls } = stackSh(["up"], { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/pass" });
        expect(calls).toEqual([
            "stack select --create dev|pass=unset|file=/run/secrets/pass",
            "up --yes --stack dev|pass=unset|file=/run/secrets/pass",
        ]);
    });

    it("down of a stack that exists destroys it", () => {
        expect(stackSh(["down", "lacp"], {}, "dev lacp").calls).toEqual([
            "stack select lacp|pass=|file=unset",
            "destroy --yes --stack lacp|pass=|file=unset",
        ]);
    });

    it("down of a stack that does not exist creates nothing: it says so and succeeds", () => {
        const r = stackSh(["down", "lacp"], {}, "dev");
        expect(r).toEqual({
            code: 0,
            stderr: "bondlab: there is no stack lacp: nothing to remove\n",
            calls: ["stack select lacp|pass=|file=unset"],
        });
    });
});
