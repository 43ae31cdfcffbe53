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
