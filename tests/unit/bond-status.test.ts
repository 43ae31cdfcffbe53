import { BOND_SLAVE_FIELDS, BOND_STATUS_FIELDS } from "../../components/bond-state";
import { BOND_OPTIONS } from "../../components/labfile/modes";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SCRIPTS_DIR } from "../../components/scripts";

// bond_status (components/scripts/bond-status.sh) on /proc and /sys trees saved from real
// bonds in the lab host VM (kernel 6.1): the parser and checks verify relies on.

const FIXTURES = path.join(__dirname, "fixtures", "bonding");

/** `fixture`: a folder of FIXTURES, or an absolute path to a copy of one. */
function bondStatus(fixture: string, ...expect: string[]): { state: any; problems: string[] } {
    const tree = path.resolve(FIXTURES, fixture);
    const script = `. "${SCRIPTS_DIR}/bond-status.sh"; p=$(mktemp); bond_status bond0 "$@" "$p" "$BACKUPS"; echo; cat "$p"; rm -f "$p"`;
    const [expectOptions = "", expectSlaves = "", expectActive = "", backups = "up"] = expect;
    const out = execFileSync("sh", ["-c", script, "sh", expectOptions, expectSlaves, expectActive], {
        env: {
            ...process.env,
            BONDLAB_PROC: `${tree}/proc`,
            BONDLAB_SYS: `${tree}/sys`,
            BACKUPS: backups,
        },
        encoding: "utf8",
    });
    const [json, ...problems] = out.split("\n");
    return { state: JSON.parse(json), problems: problems.filter(Boolean) };
}

describe("bond_status on an 802.3ad bond with its partner", () => {
    const { state, problems } = bondStatus(
        "lacp",
        "mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4",
        "eth1 eth2",
    );

    it("reads mode, options in force, slaves and the active aggregator", () => {
        expect(state.mode).toBe("802.3ad");
        expect(state.options).toMatchObject({ miimon: "100", lacp_rate: "fast", xmit_hash_policy: "layer3+4" });
        expect(state.slaves.map((s: any) => [s.name, s.miiStatus, s.aggregatorId])).toEqual([
            ["eth1", "up", 2],
            ["eth2", "up", 2],
        ]);
        expect(state.aggregator).toEqual({ id: 2, ports: 2, partnerMac: "02:42:c0:a8:20:02" });
        expect(state.mac).toMatch(/^02:42:/);
        expect(state.raw).toContain("Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n");
    });

    it("finds nothing wrong", () => {
        expect(problems).toEqual([]);
    });

    it("reports an option in force that differs from the one asked for", () => {
        const { problems } = bondStatus("lacp", "mode 802.3ad lacp_rate slow", "eth1 eth2");
        expect(problems).toEqual(["lacp_rate: fast in force, slow asked for"]);
    });

    it("names a wrong mode and the busybox trap behind it", () => {
        const { problems } = bondStatus("lacp", "mode balance-rr", "eth1 eth2");
        expect(problems[0]).toMatch(/^mode: the bond runs 802\.3ad, not balance-rr: .*busybox ip ignores the mode/);
    });

    it("reports a missing slave", () => {
        const { problems } = bondStatus("lacp", "mode 802.3ad", "eth1 eth2 eth3");
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^eth3: not a slave of bond0/),
                "bond0: 2 slaves, 3 expected",
            ]),
        );
    });
});

describe("bond_status while LACP has no partner", () => {
    const { state, problems } = bondStatus("lacp-converging", "mode 802.3ad", "eth1 eth2");

    it("reads the zero partner", () => {
        expect(state.aggregator.partnerMac).toBe("00:00:00:00:00:00");
    });

    it("blames the channels' LACP pass-through", () => {
        expect(problems[0]).toMatch(
            /^LACP: no partner: LACPDUs do not cross the channels\. Every bridge port needs group_fwd_mask 0x4/,
        );
    });
});

describe("bond_status on an ARP-monitored active-backup bond silenced one way", () => {
    // Saved from centralRouter of the arp-monitor lab, 5 s after every frame into its eth1 was
    // dropped (tc matchall drop on eth1's ingress) while its frames out still crossed: no slave
    // answers the monitor, though both carriers are up.
    const EXPECT = [
        "mode active-backup arp_interval 200 arp_validate active primary eth1",
        "eth1 eth2",
        "eth1",
        "unknown",
    ];

    it("blames lost frames, not a cut channel, for each slave the monitor downed", () => {
        const { state, problems } = bondStatus("arp-one-way", ...EXPECT);
        expect(state.activeSlave).toBeNull();
        for (const slave of ["eth1", "eth2"])
            expect(problems).toContainEqual(
                expect.stringMatching(
                    new RegExp(
                        `^${slave}: link going (down|back), though its carrier is up: the ARP monitor has not heard ` +
                            "192\\.168\\.1\\.1 on it within 2 x 200 ms: frames are lost on this channel, one way or both",
                    ),
                ),
            );
        expect(problems.join("\n")).not.toMatch(/cut/);
    });

    it("says why no slave is active and how a silence one way keeps it so", () => {
        const { problems } = bondStatus("arp-one-way", ...EXPECT);
        expect(problems).toContainEqual(
            expect.stringMatching(
                new RegExp(
                    "^active slave: none, expected eth1: the ARP monitor hears the peer on no slave, " +
                        "though every carrier is up\\. .*Lost one way only, into eth1, it stays so",
                ),
            ),
        );
    });

    describe("when a carrier is down as well", () => {
        let copy: string;
        beforeEach(() => {
            copy = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-bond-status-"));
            fs.cpSync(path.join(FIXTURES, "arp-one-way"), copy, { recursive: true });
            fs.writeFileSync(path.join(copy, "sys", "eth1", "carrier"), "0\n");
        });
        afterEach(() => fs.rmSync(copy, { recursive: true, force: true }));

        it("points at the channel of that slave, and keeps the one-way story out", () => {
            const { problems } = bondStatus(copy, ...EXPECT);
            expect(problems).toContainEqual(expect.stringMatching(/^eth1: link going down: the channel is cut/));
            expect(problems).toContainEqual(expect.stringMatching(/^eth2: link going back, though its carrier is up/));
            expect(problems).toContainEqual(
                "active slave: none, expected eth1: it failed or primary_reselect kept another slave",
            );
        });
    });
});

describe("bond_status without a bond", () => {
    it("says the bond is missing and how the Docker host may lack bonding", () => {
        const { state, problems } = bondStatus("none", "mode 802.3ad", "eth1 eth2");
        expect(state).toEqual({ bond: "bond0", exists: false });
        expect(problems[0]).toMatch(/^bond0 does not exist: .*modprobe bonding/);
    });
});

describe("one table per fact", () => {
    it("bond_status reads exactly the options of modes.ts, in its order", () => {
        const { state } = bondStatus("lacp");
        expect(Object.keys(state.options)).toEqual(["mode", ...Object.keys(BOND_OPTIONS)]);
    });

    it("prints exactly the fields BondStatus declares", () => {
        const { state } = bondStatus("lacp");
        expect(Object.keys(state).sort()).toEqual([...BOND_STATUS_FIELDS].filter((f) => f !== "ping").sort());
        expect(Object.keys(state.slaves[0]).sort()).toEqual([...BOND_SLAVE_FIELDS].sort());
    });
});
