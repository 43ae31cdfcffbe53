import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// labhost/crash-report.sh tells a test run (and CI's one retry) that the lab host VM's kernel
// failed. The lockup fixture is the console of the CI run that hung for 90 minutes.

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(__dirname, "fixtures", "labhost");
const report = (...args: string[]) =>
    spawnSync(path.join(ROOT, "labhost", "crash-report.sh"), args, { encoding: "utf8" });

describe("labhost/crash-report.sh", () => {
    it("names the guest kernel's lockup and stall lines and exits 0", () => {
        const r = report(path.join(FIXTURES, "console-lockup.log"));
        expect(r.status).toBe(0);
        expect(r.stderr).toMatch(/rcu_preempt detected stalls on CPUs/);
        expect(r.stderr).toMatch(/BUG: soft lockup - CPU#0 stuck for 26s! \[exe:415\]/);
        expect(r.stderr.split("\n").length).toBeLessThan(10); // the first lines, not the whole log
    });

    it("exits 1 on a clean boot's console and on a missing log", () => {
        expect(report(path.join(FIXTURES, "console-clean.log")).status).toBe(1);
        expect(report(path.join(FIXTURES, "no-such.log")).status).toBe(1);
    });

    it("--newer-than ignores a console that an earlier run left behind", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-crash-"));
        const console = path.join(dir, "labhost.console.log");
        fs.copyFileSync(path.join(FIXTURES, "console-lockup.log"), console);
        const marker = path.join(dir, "run-started");
        fs.writeFileSync(marker, "");
        const past = new Date(Date.now() - 60_000);
        fs.utimesSync(console, past, past);
        expect(report("--newer-than", marker, console).status).toBe(1);
        const future = new Date(Date.now() + 60_000);
        fs.utimesSync(console, future, future);
        expect(report("--newer-than", marker, console).status).toBe(0);
        fs.rmSync(dir, { recursive: true });
    });

    it("finds a crash in the previous boot's console, which start.sh keeps when a run boots the VM again", () => {
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-crash-"));
        const run = path.join(cache, "run");
        fs.mkdirSync(run);
        const marker = path.join(cache, "run-started");
        fs.writeFileSync(marker, "");
        const future = new Date(Date.now() + 60_000);
        for (const [file, fixture] of [
            ["labhost.console.log", "console-clean.log"],
            ["labhost.console.log.1", "console-lockup.log"],
        ]) {
            fs.copyFileSync(path.join(FIXTURES, fixture), path.join(run, file));
            fs.utimesSync(path.join(run, file), future, future);
        }
        const byDefault = () =>
            spawnSync(path.join(ROOT, "labhost", "crash-report.sh"), ["--newer-than", marker], {
                encoding: "utf8",
                env: { ...process.env, BONDLAB_CACHE: cache },
            });
        expect(byDefault().status).toBe(0);
        expect(byDefault().stderr).toContain("labhost.console.log.1");
        // A crash from before the run started does not count.
        const past = new Date(Date.now() - 60_000);
        fs.utimesSync(path.join(run, "labhost.console.log.1"), past, past);
        expect(byDefault().status).toBe(1);
        fs.rmSync(cache, { recursive: true });
    });

    it("start.sh keeps the last boot's console as .1 before it boots again", () => {
        const start = fs.readFileSync(path.join(ROOT, "labhost", "start.sh"), "utf8");
        const keep = start.indexOf('mv -f "$console" "$console.1"');
        expect(keep).toBeGreaterThan(0);
        expect(keep).toBeLessThan(start.indexOf(': >"$console"'));
    });
});

describe("the lab host's Debian release (BONDLAB_LABHOST_DEBIAN)", () => {
    const release = (value?: string) =>
        spawnSync("sh", ["-c", ". labhost/lib.sh && bl_labhost_release"], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, BONDLAB_LABHOST_DEBIAN: value ?? "" },
        });

    it("is Debian testing (forky, the containerd image store) unless one of the three is named", () => {
        expect(release().stdout).toBe("forky\n");
        expect(release("testing").stdout).toBe("forky\n");
        expect(release("trixie").stdout).toBe("trixie\n");
        expect(release("bookworm").stdout).toBe("bookworm\n");
    });

    it("refuses another name, listing the choices", () => {
        const r = release("buster");
        expect(r.status).not.toBe(0);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(
            "BONDLAB_LABHOST_DEBIAN=buster is not a lab host release; use one of: bookworm trixie forky",
        );
    });

    it("start.sh does not hand out a running lab host of another release", () => {
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-labhost-"));
        // A stand-in for the running VM: a process whose command line is the lab host's QEMU's.
        const vm = spawnSync(
            "bash",
            ["-c", "(exec -a qemu-system-x86_64-bondlab-labhost sleep 30) >/dev/null 2>&1 & echo $!"],
            {
                encoding: "utf8",
            },
        );
        const pid = vm.stdout.trim();
        try {
            fs.mkdirSync(path.join(cache, "run"));
            fs.writeFileSync(path.join(cache, "run", "labhost.pid"), pid);
            fs.writeFileSync(path.join(cache, "run", "labhost.port"), "1");
            fs.writeFileSync(path.join(cache, "run", "labhost.release"), "bookworm\n");
            const r = spawnSync(path.join(ROOT, "labhost", "start.sh"), [], {
                encoding: "utf8",
                env: { ...process.env, BONDLAB_CACHE: cache, BONDLAB_LABHOST_DEBIAN: "forky", BONDLAB_NO_APT: "1" },
            });
            expect(r.status).not.toBe(0);
            expect(r.stdout).toBe("");
            expect(r.stderr).toContain("the running lab host is Debian bookworm, not forky");
        } finally {
            process.kill(Number(pid));
            fs.rmSync(cache, { recursive: true, force: true });
        }
    });
});
