import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutDirError, checkOutDir, writeInside } from "../../tools/out-dir";

// --out of npm run export and npm run drill: checked before anything is written, in one plain
// line with exit 2, and never written through a symbolic link.

const ROOT = path.join(__dirname, "..", "..");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-out-"));
const isRoot = process.getuid?.() === 0;

/** The tool run with `args`, stopped after 60 s: a hang fails the test instead of stalling it. */
const run = (tool: "export" | "drill", ...args: string[]) => {
    const env = { ...process.env };
    delete env.DOCKER_HOST; // nothing here may reach a Docker host
    return spawnSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin"), "--transpile-only", `tools/${tool}.ts`, ...args],
        {
            cwd: ROOT,
            encoding: "utf8",
            env,
            timeout: 60_000,
        },
    );
};
const exportTo = (out: string) => run("export", "--variant", "seed", "--out", out);
// --stack of a stack that does not exist: --out is checked before the stack is looked up.
const drillTo = (out: string) => run("drill", "--stack", "no-such-stack", "--out", out);

/** One plain line on stderr, exit 2, matching `expected`. */
function expectRefused(result: ReturnType<typeof run>, expected: RegExp) {
    expect(result.error).toBeUndefined(); // no timeout
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(expected);
}

describe("checkOutDir", () => {
    it("takes a folder that exists, and one it can create under one", () => {
        const dir = tmp();
        expect(checkOutDir(dir)).toBe(dir);
        expect(checkOutDir(path.join(dir, "a", "b"))).toBe(path.join(dir, "a", "b"));
        expect(fs.readdirSync(dir)).toEqual([]); // checking writes nothing
    });

    it.each([
        [
            "an existing file",
            (d: string) => path.join(d, "file"),
            /^--out .*\/file: is a file: give a folder to create or write into$/,
        ],
        [
            "a folder under a file",
            (d: string) => path.join(d, "file", "sub"),
            /^--out .*\/file\/sub: .*\/file is a file: /,
        ],
        ["a device", () => "/dev/null", /^--out \/dev\/null: is a device: give a folder/],
        [
            "a folder under /proc",
            () => "/proc/bondlab-out",
            /^--out \/proc\/bondlab-out: \/proc is on proc, a kernel filesystem/,
        ],
        [
            "a folder under /sys",
            () => "/sys/bondlab-out",
            /^--out \/sys\/bondlab-out: \/sys is on sysfs, a kernel filesystem/,
        ],
    ])("refuses %s", (_what, out, expected) => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, "file"), "");
        expect(() => checkOutDir(out(dir))).toThrow(OutDirError);
        expect(() => checkOutDir(out(dir))).toThrow(expected);
    });

    // root writes anywhere whatever the mode says: the case cannot happen for root.
    (isRoot ? it.skip : it)("refuses a folder this user cannot write (skipped as root, who can write any)", () => {
        const dir = tmp();
        fs.chmodSync(dir, 0o500);
        expect(() => checkOutDir(path.join(dir, "out"))).toThrow(/ is not writable by this user: give a folder/);
        fs.chmodSync(dir, 0o700);
    });
});

describe("writeInside", () => {
    it("writes a file in new folders with its mode", () => {
        const dir = tmp();
        const file = writeInside(dir, path.join("seed", "inetRouter", "x.sh"), "echo\n", 0o755);
        expect(fs.readFileSync(file, "utf8")).toBe("echo\n");
        expect(fs.statSync(file).mode & 0o777).toBe(0o755);
    });

    it("never writes through a symbolic link, a folder's or the file's", () => {
        const dir = tmp();
        const outside = tmp();
        fs.symlinkSync(outside, path.join(dir, "seed"));
        expect(() => writeInside(dir, path.join("seed", "x"), "x", 0o644)).toThrow(/seed is a symbolic link/);
        fs.rmSync(path.join(dir, "seed"));
        fs.mkdirSync(path.join(dir, "seed"));
        fs.symlinkSync(path.join(outside, "target"), path.join(dir, "seed", "x"));
        expect(() => writeInside(dir, path.join("seed", "x"), "x", 0o644)).toThrow(/seed\/x is a symbolic link/);
        expect(fs.readdirSync(outside)).toEqual([]);
    });

    it("refuses a path that climbs out", () => {
        expect(() => writeInside(tmp(), path.join("..", "x"), "x", 0o644)).toThrow(/refusing to write outside it/);
    });
});

describe("npm run export --out", () => {
    it("refuses, in one line with exit 2, a path under /proc (it used to never return), a file and a device", () => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, "file"), "");
        expectRefused(
            exportTo("/proc/bondlab-out"),
            /^--out \/proc\/bondlab-out: \/proc is on proc, a kernel filesystem/,
        );
        expectRefused(exportTo(path.join(dir, "file")), /: is a file: give a folder to create or write into/);
        expectRefused(exportTo("/dev/null"), /^--out \/dev\/null: is a device: /);
    });

    it("refuses a symbolic link inside --out, and writes nothing outside it", () => {
        const out = tmp();
        const outside = tmp();
        fs.mkdirSync(path.join(out, "seed"));
        fs.symlinkSync(outside, path.join(out, "seed", "inetRouter"));
        expectRefused(
            exportTo(out),
            /^--out .*: holds a symbolic link, .*\/seed\/inetRouter -> .*, and nothing is written through one/,
        );
        expect(fs.readdirSync(outside)).toEqual([]);
    });

    (isRoot ? it.skip : it)("refuses a folder it cannot write (skipped as root, who can write any)", () => {
        const dir = tmp();
        fs.chmodSync(dir, 0o500);
        expectRefused(exportTo(path.join(dir, "out")), / is not writable by this user/);
        fs.chmodSync(dir, 0o700);
    });
});

describe("npm run drill --out", () => {
    it("refuses a path under /proc, a file and a device before it looks for the stack", () => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, "file"), "");
        expectRefused(
            drillTo("/proc/bondlab-out"),
            /^--out \/proc\/bondlab-out: \/proc is on proc, a kernel filesystem/,
        );
        expectRefused(drillTo(path.join(dir, "file")), /: is a file: give a folder to create or write into/);
        expectRefused(drillTo("/dev/null"), /^--out \/dev\/null: is a device: /);
    });

    it("refuses an --out that holds a symbolic link: the report's writers would follow it", () => {
        const out = tmp();
        fs.symlinkSync(tmp(), path.join(out, "raw"));
        expectRefused(drillTo(out), /^--out .*: holds a symbolic link, .*\/raw -> /);
    });
});
