// The --out folder of npm run export and npm run drill: checked before anything is written
// (a folder we can create or write, not a file, a device or a kernel filesystem), and
// written without following a symbolic link, so nothing lands outside it.
import * as fs from "fs";
import * as path from "path";

/** A --out that cannot take the files: one plain line for the user, exit 2. */
export class OutDirError extends Error {}

const FIX = "give a folder to create or write into";

// statfs(2) f_type of filesystems that show the kernel's state, where writing files either
// fails or changes the running system (and some reads never end): linux/magic.h.
const KERNEL_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
    [0x9fa0, "proc"],
    [0x62656572, "sysfs"],
    [0x27e0eb, "cgroup"],
    [0x63677270, "cgroup2"],
    [0x64626720, "debugfs"],
    [0x74726163, "tracefs"],
    [0x73636673, "securityfs"],
]);

/** What a non-folder is, in a word: "a file", "a device", ... */
function kindOf(stat: fs.Stats): string {
    if (stat.isFile()) return "a file";
    if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
    if (stat.isSocket()) return "a socket";
    if (stat.isFIFO()) return "a pipe";
    return "not a folder";
}

/** The nearest existing folder at or above `absolute`: what creating --out starts from. */
function nearestExisting(absolute: string): string {
    let at = absolute;
    while (!exists(at) && path.dirname(at) !== at) at = path.dirname(at);
    return at;
}

/** Whether `file` exists; a path through a file (ENOTDIR) does not. */
function exists(file: string): boolean {
    try {
        fs.lstatSync(file);
        return true;
    } catch {
        return false;
    }
}

/**
 * Checks `out` before anything is written, and returns it absolute: it is a folder we can
 * write, or one we can create under the nearest existing folder. Throws OutDirError.
 */
export function checkOutDir(out: string): string {
    const absolute = path.resolve(out);
    const fail = (why: string): never => {
        throw new OutDirError(`--out ${out}: ${why}: ${FIX}`);
    };
    const base = nearestExisting(absolute);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(base); // the user's own --out (or its parent) may be a link to a folder
    } catch (e) {
        return fail(`cannot read ${base} (${(e as NodeJS.ErrnoException).code})`);
    }
    if (!stat.isDirectory()) fail(base === absolute ? `is ${kindOf(stat)}` : `${base} is ${kindOf(stat)}`);
    const kernel = KERNEL_FILESYSTEMS.get(Number(fs.statfsSync(base).type));
    if (kernel) fail(`${base} is on ${kernel}, a kernel filesystem, not a place for files`);
    try {
        fs.accessSync(base, fs.constants.W_OK | fs.constants.X_OK);
    } catch {
        fail(`${base} is not writable by this user`);
    }
    return absolute;
}

/** Throws OutDirError when `dir` holds a symbolic link anywhere inside: a write could follow it out. */
export function refuseSymlinksIn(dir: string, shown = dir): void {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const at = path.join(dir, entry.name);
        if (entry.isSymbolicLink())
            throw new OutDirError(
                `--out ${shown}: holds a symbolic link, ${at} -> ${fs.readlinkSync(at)}, ` +
                    "and nothing is written through one: remove it, or give another folder",
            );
        if (entry.isDirectory()) refuseSymlinksIn(at, shown);
    }
}

/** Creates `dir`/`relative`'s folders one by one, refusing any that is a symbolic link. */
function makeFoldersInside(dir: string, parts: readonly string[], shown: string): string {
    let at = dir;
    for (const part of parts) {
        at = path.join(at, part);
        const stat = fs.lstatSync(at, { throwIfNoEntry: false });
        if (stat === undefined) fs.mkdirSync(at);
        else if (stat.isSymbolicLink())
            throw new OutDirError(
                `--out ${shown}: ${at} is a symbolic link, and nothing is written through one: remove it`,
            );
        else if (!stat.isDirectory())
            throw new OutDirError(`--out ${shown}: ${at} is ${kindOf(stat)}, not a folder: remove it`);
    }
    return at;
}

/**
 * Writes `content` to `relative` under `dir` (created if need be) with `mode`, following no
 * symbolic link on the way: folders are checked with lstat, the file opened with O_NOFOLLOW.
 * Returns the file's path.
 */
export function writeInside(dir: string, relative: string, content: string, mode: number, shown = dir): string {
    const parts = path.normalize(relative).split(path.sep);
    if (path.isAbsolute(relative) || parts.includes(".."))
        throw new OutDirError(`--out ${shown}: refusing to write outside it: ${relative}`);
    fs.mkdirSync(dir, { recursive: true });
    const folder = makeFoldersInside(dir, parts.slice(0, -1), shown);
    const target = path.join(folder, parts[parts.length - 1]);
    // O_NONBLOCK: a pipe left in --out fails at once instead of waiting for a reader.
    const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
    let fd: number;
    try {
        fd = fs.openSync(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, mode);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ELOOP" || code === "ENXIO")
            throw new OutDirError(
                `--out ${shown}: ${target} is ${code === "ELOOP" ? "a symbolic link" : "a pipe"}: remove it`,
            );
        throw e;
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile())
            throw new OutDirError(`--out ${shown}: ${target} is ${kindOf(stat)}, not a file: remove it`);
        fs.writeFileSync(fd, content);
        fs.fchmodSync(fd, mode); // an existing file keeps its old mode through open(2)
    } finally {
        fs.closeSync(fd);
    }
    return target;
}
