import { docker } from "../../engine/shell";
import { DEBUG_IMAGE, IMAGE } from "./lab";

// The lab host VM's kernel turns a lockup into a panic (labhost/start.sh): under QEMU's
// emulation it once hung for good and took a CI run's 90 minutes with it. A panic makes QEMU
// exit, so Docker calls fail at once and labhost/crash-report.sh can say why.

const started = process.env.BONDLAB_E2E_STARTED_LABHOST === "1";

(started ? describe : describe.skip)("the lab host VM's kernel", () => {
    it("panics on a soft lockup or an RCU stall of a minute, and QEMU then exits (panic=-1)", async () => {
        const files = {
            softlockup_panic: "/proc/sys/kernel/softlockup_panic",
            panic_on_rcu_stall: "/proc/sys/kernel/panic_on_rcu_stall",
            watchdog_thresh: "/proc/sys/kernel/watchdog_thresh",
            rcu_cpu_stall_timeout: "/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout",
            panic: "/proc/sys/kernel/panic",
        };
        const values = (await docker("run", "--rm", "--network", "none", IMAGE, "cat", ...Object.values(files))).split(
            "\n",
        );
        // A soft lockup is reported after 2 x watchdog_thresh. panic -1: reboot at once, which
        // start.sh's -no-reboot turns into QEMU's exit.
        expect(Object.fromEntries(Object.keys(files).map((name, i) => [name, values[i]]))).toEqual({
            softlockup_panic: "1",
            panic_on_rcu_stall: "1",
            watchdog_thresh: "30",
            rcu_cpu_stall_timeout: "60",
            panic: "-1",
        });
    });
});

(started ? describe : describe.skip)("the images the lab host loads (images/router/load.sh)", () => {
    const has = async (image: string, program: string) =>
        (await docker("run", "--rm", "--network", "none", image, "sh", "-c", `command -v ${program} || echo none`)) !==
        "none";

    it("keep the router small: at most 12 MB, without tcpdump and the libraries it pulls in", async () => {
        const bytes = Number(await docker("image", "inspect", "-f", "{{.Size}}", IMAGE));
        expect(bytes).toBeLessThanOrEqual(12 * 1024 * 1024);
        expect(await has(IMAGE, "tcpdump")).toBe(false);
        expect(await has(IMAGE, "ip")).toBe(true);
    });

    it("keep tcpdump in the debug image, which runs it", async () => {
        expect(await docker("run", "--rm", "--network", "none", DEBUG_IMAGE, "tcpdump", "--version")).toMatch(
            /tcpdump version/,
        );
    });
});
