import * as fs from "fs";
import * as path from "path";

// The shell scripts run inside the routers and cables live in scripts/ as real files
// (linted with shellcheck); resources carry their text, so a script change shows in a diff.

export const SCRIPTS_DIR = path.join(__dirname, "scripts");

export type ScriptName =
    | "bond-status"
    | "node-apply"
    | "node-verify"
    | "router-init"
    | "cable"
    | "switch"
    | "host-check"
    | "router-image-build";

export function script(name: ScriptName): string {
    return fs.readFileSync(path.join(SCRIPTS_DIR, `${name}.sh`), "utf8");
}
