import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { StackConfigError, loadStackFile } from "../../engine/config";

// A Pulumi.<stack>.yaml the CLI would refuse is refused here too, in one plain line, before
// anything runs: the CLI reads it into a mapping (workspace/loaders.go projectStackLoader.load).

const ROOT = path.join(__dirname, "..", "..");

/** A project folder holding one stack file with `text`. */
function stackFolder(text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-stackfile-"));
    fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), text);
    return dir;
}

/** loadStackFile's refusal of `text`, as its message. */
function refusal(text: string): string {
    try {
        loadStackFile(stackFolder(text), "x");
    } catch (e) {
        expect(e).toBeInstanceOf(StackConfigError);
        return (e as Error).message;
    }
    throw new Error("the stack file was not refused");
}

describe("a stack file", () => {
    it.each([
        [
            "a list at the top",
            "- config:\n    bondlab:variant: lacp\n",
            /^Pulumi\.x\.yaml: its top level must be a mapping of key to value, not a list: /,
        ],
        [
            "a scalar at the top",
            "lacp\n",
            /^Pulumi\.x\.yaml: its top level must be a mapping of key to value, not "lacp": /,
        ],
        [
            "a list as config:",
            "config:\n  - bondlab:variant: lacp\n",
            /^Pulumi\.x\.yaml: `config:` must be a mapping of key to value, not a list: /,
        ],
        [
            "a scalar as config:",
            "config: lacp\n",
            /^Pulumi\.x\.yaml: `config:` must be a mapping of key to value, not "lacp": /,
        ],
    ])("with %s is refused, naming the fix", (_what, text, expected) => {
        const message = refusal(text);
        expect(message).toMatch(expected);
        expect(message).toContain("write `config:` with one `bondlab:variant: seed` line under it");
    });

    it("with a YAML syntax error is one line naming the file, line and column", () => {
        const message = refusal("config:\n  bondlab:variant: [lacp\n  bondlab:verifyTimeout: 90\n");
        expect(message).toMatch(/^Pulumi\.x\.yaml:3:\d+: not valid YAML: \S/);
        expect(message).not.toContain("\n");
    });

    it("with the same key twice is refused as the CLI's YAML parser refuses it", () => {
        expect(refusal("config:\n  bondlab:variant: lacp\n  bondlab:variant: seed\n")).toMatch(
            /^Pulumi\.x\.yaml:3:3: not valid YAML: Map keys must be unique/,
        );
    });

    it.each([
        ["empty", ""],
        ["without config:", "encryptionsalt: abc\n"],
        ["with an empty config:", "config:\n"],
    ])("%s is a stack with no settings", (_what, text) => {
        expect(loadStackFile(stackFolder(text), "x")).toEqual({});
    });
});

describe("npm run validate on stack files", () => {
    /** A copy of the project holding only the stack files given, and validate's output on it. */
    function validateWith(stacks: Record<string, string>) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-validate-"));
        for (const part of ["class", "components", "configs", "drill", "engine", "images", "tools"])
            fs.cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
        for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json"])
            fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
        for (const [stack, text] of Object.entries(stacks))
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
        const result = spawnSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin"), "--transpile-only", "tools/validate.ts"],
            { cwd: dir, encoding: "utf8" },
        );
        fs.rmSync(dir, { recursive: true, force: true });
        return result;
    }

    it("refuses a list, a syntax error, a string for bondOptions and a docker:host without a host, one line each", () => {
        const result = validateWith({
            good: "config:\n  bondlab:variant: lacp\n",
            list: "- config:\n    bondlab:variant: lacp\n",
            listconfig: "config:\n  - bondlab:variant: lacp\n",
            syntax: "config:\n  bondlab:variant: [lacp\n",
            stringoptions: "config:\n  bondlab:variant: seed\n  bondlab:bondOptions: '{\"miimon\":200}'\n",
            nohost: "config:\n  bondlab:variant: seed\n  docker:host: tcp:///\n",
        });
        expect(result.status).toBe(1);
        expect(result.stdout).toMatch(/^Pulumi\.good\.yaml: ok: bond0 /m);
        const errors = result.stderr.split("\n");
        expect(result.stderr).not.toMatch(/^\s+at /m); // no stack trace
        expect(errors).toContainEqual(expect.stringMatching(/^Pulumi\.list\.yaml: its top level must be a mapping/));
        expect(errors).toContainEqual(
            expect.stringMatching(/^Pulumi\.listconfig\.yaml: `config:` must be a mapping of key to value, not a list/),
        );
        expect(errors).toContainEqual(expect.stringMatching(/^Pulumi\.syntax\.yaml:\d+:\d+: not valid YAML: /));
        expect(result.stderr).toContain(
            "Pulumi.stringoptions.yaml: validating stack config: Stack 'stringoptions' with configuration key " +
                "'bondlab:bondOptions' must be of type 'object': it holds the string \"{\\\"miimon\\\":200}\" (pulumi config set " +
                "without --path); set each option with --path instead: pulumi config rm bondlab:bondOptions; " +
                "pulumi config set --path 'bondlab:bondOptions.miimon' 200",
        );
        expect(result.stderr).toMatch(
            /^ {2}- docker:host: "tcp:\/\/\/" names no host: write a Docker endpoint such as /m,
        );
    }, 60_000);
});

describe("Pulumi.yaml's advice for bondlab:bondOptions", () => {
    // `pulumi config set KEY VALUE` stores VALUE as a string, and the CLI refuses a string for an
    // object key: the description must show the --path spelling, not a JSON object to paste.
    it("shows pulumi config set --path, and no bare JSON object", () => {
        const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        const description: string = project.config["bondlab:bondOptions"].description;
        expect(description).toContain("pulumi config set --path 'bondlab:bondOptions.miimon' 200");
        expect(description).not.toMatch(/\{"miimon"/);
    });
});
