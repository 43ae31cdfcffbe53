import { offsetFromMarkers, parseKernelLog } from "../../tools/kernel-clock";

// The live view's bench times a failover from the kernel log's own stamp (tools/kernel-clock.ts).
// The log below is busybox dmesg's, from the lab host VM: two bench markers, then an admin-down's
// failover in centralRouter.
const LOG = [
    "[  540.342404] bondlab-bench-clock 7",
    "[  540.345054] bondlab-bench-clock 8",
    "[  541.100000] bondlab-bench-clock 9",
    "[  542.869004] bond0: (slave eth1): link status definitely down, disabling slave",
    "[  542.869121] bond0: (slave eth2): making interface the new active one",
    "",
].join("\n");

describe("the kernel log's clock (the live view's bench)", () => {
    it("reads busybox dmesg's stamps and texts", () => {
        const lines = parseKernelLog(LOG);
        expect(lines).toHaveLength(5);
        expect(lines[4]).toEqual({ at: 542.869121, text: "bond0: (slave eth2): making interface the new active one" });
    });

    it("sets the log's clock against this machine's by the marker with the shortest round trip", () => {
        // Marker 8 was answered within 4 ms, so the log's 540.345054 s is this machine's 10002 ms ± 2.
        const { offsetMs, errorMs } = offsetFromMarkers(
            [
                { n: 7, sent: 9_000, answered: 9_100 },
                { n: 8, sent: 10_000, answered: 10_004 },
                { n: 9, sent: 11_000, answered: 11_030 },
            ],
            parseKernelLog(LOG),
        );
        expect(errorMs).toBe(2);
        expect(offsetMs).toBeCloseTo(10_002 - 540_345.054, 6);
    });

    it("skips a marker the kernel dropped, and says so when none arrived", () => {
        const log = parseKernelLog(LOG);
        // Marker 6 is not in the log (rate-limited): the shorter round trip cannot be used.
        const { errorMs } = offsetFromMarkers(
            [
                { n: 6, sent: 8_000, answered: 8_001 },
                { n: 9, sent: 11_000, answered: 11_030 },
            ],
            log,
        );
        expect(errorMs).toBe(15);
        expect(() => offsetFromMarkers([{ n: 6, sent: 8_000, answered: 8_001 }], log)).toThrow(
            /no bondlab-bench-clock marker reached the kernel log/,
        );
    });
});
