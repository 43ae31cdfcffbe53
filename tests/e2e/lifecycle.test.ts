import * as path from "path";
import { Step } from "../../engine/steps";
import { docker, runProcess } from "../../engine/shell";
import { E2ELab, IMAGE, exec, leftovers } from "./lab";

// Updates, not just creates: each case is `pulumi up` of one config, then `pulumi up` of the
// next on the same stack, through the engine model on the real kernel. Every update must end
// with verify having run against the lab as it now is, or fail naming the cause; `pulumi
// destroy` must then leave nothing. (npm run test:lifecycle)

const FIXTURES = path.join(__dirname, "fixtures");
const lab = (file: string) => path.join(FIXTURES, `${file}.yaml`);

/** "op name" per step on the resources that hold something, e.g. "update lab-inetRouter-verify". */
const changes = (steps: Step[]) =>
    steps
        .filter(
            (s) => s.op !== "same" && !/^(bondlab:index:|pulumi:pulumi:)/.test(s.urn.split("::")[2].split("$").pop()!),
        )
        .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
        .sort();
const verified = (l: E2ELab, router: string) => l.routers[router].verify;

describe("an LACP lab through its updates", () => {
    const l = new E2ELab("lc-lacp", { "bondlab:variant": "lacp" });
    afterAll(() => l.down());

    it("comes up, and a preview right after shows no change at all", async () => {
        await l.up();
        const preview = await l.stackOf.preview();
        expect(changes(preview.steps)).toEqual([]);
    });

    it("a changed bond option updates only the bond's four commands, and verify sees it", async () => {
        l.stackOf.stackFile = { ...l.stackOf.stackFile, "bondlab:bondOptions": { lacp_rate: "slow" } };
        expect(changes((await l.stackOf.preview()).steps)).toEqual([
            "update lab-centralRouter-apply",
            "update lab-centralRouter-verify",
            "update lab-inetRouter-apply",
            "update lab-inetRouter-verify",
        ]);
        await l.up();
        expect(verified(l, "inetRouter").options.lacp_rate).toBe("slow");
        expect(await exec(l.container("centralRouter"), "cat", "/sys/class/net/bond0/bonding/lacp_rate")).toBe(
            "slow 0",
        );
    });

    it("a changed verifyTimeout re-runs only verify", async () => {
        l.stackOf.stackFile = { ...l.stackOf.stackFile, "bondlab:verifyTimeout": 60 };
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(["update lab-centralRouter-verify", "update lab-inetRouter-verify"]);
    });

    it("lacpPassthrough true -> false replaces the cables, verify runs again and fails saying why", async () => {
        l.stackOf.stackFile = { ...l.stackOf.stackFile, "bondlab:lacpPassthrough": false, "bondlab:verifyTimeout": 20 };
        // At lacp_rate slow (set above) the partner state would outlive the LACPDUs by 90 s:
        // verify sees that none arrives any more.
        await expect(l.up()).rejects.toThrow(
            /LACP: no LACPDU has reached eth1 eth2 in the \d+ s since verify started: they do not cross the channels now/,
        );
    });

    it("lacpPassthrough false -> true: LACP negotiates again and the update is verified", async () => {
        l.stackOf.stackFile = { ...l.stackOf.stackFile, "bondlab:lacpPassthrough": true, "bondlab:verifyTimeout": 90 };
        await l.up();
        expect(verified(l, "inetRouter").aggregator.ports).toBe(2);
        expect(verified(l, "inetRouter").aggregator.partnerMac).toBe(verified(l, "centralRouter").mac);
    });

    it("a router removed by hand comes back with refresh, then up, and is verified", async () => {
        await docker("rm", "-f", l.container("centralRouter"));
        const gone = await l.stackOf.refresh();
        expect(gone.map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual([
            "refresh-gone lab-centralRouter-container",
        ]);
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining([
                "create lab-centralRouter-container",
                "replace lab-centralRouter-apply",
                "replace lab-centralRouter-verify",
                "replace lab-inetRouter-verify",
            ]),
        );
        expect(verified(l, "centralRouter").aggregator.ports).toBe(2);
    });

    it("destroy leaves nothing", async () => {
        await l.down();
        expect(await leftovers(l.stack)).toEqual([]);
    });
});

describe("a seed lab through its topology changes", () => {
    const l = new E2ELab("lc-seed", { "bondlab:variant": lab("seed-two") });
    const OTHER_IMAGE = "bondlab.invalid/router:lifecycle";
    afterAll(async () => {
        await l.down();
        await docker("image", "rm", OTHER_IMAGE).catch(() => undefined);
    });
    const set = (settings: Record<string, unknown>) => (l.stackOf.stackFile = { ...l.stackOf.stackFile, ...settings });
    const slaves = (router: string) => verified(l, router).slaves.map((s: { name: string }) => s.name);

    it("comes up over two channels", async () => {
        await l.up();
        expect(slaves("inetRouter")).toEqual(["eth1", "eth2"]);
    });

    it("privileged toggled: both routers are replaced, the bond rebuilt and verified", async () => {
        set({ "bondlab:privileged": false });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["replace lab-inetRouter-container", "replace lab-centralRouter-container"]),
        );
        expect(await docker("inspect", "-f", "{{.HostConfig.Privileged}}", l.container("inetRouter"))).toBe("false");
        expect(verified(l, "inetRouter").ping.received).toBeGreaterThan(0);
    });

    it("a channel added: a third network and slave, verified", async () => {
        set({ "bondlab:variant": lab("seed-three") });
        await l.up();
        expect(slaves("centralRouter")).toEqual(["eth1", "eth2", "eth3"]);
    });

    it("a channel renamed: the new network is created before the old one goes, and Docker takes it", async () => {
        set({ "bondlab:variant": lab("seed-uplink") });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["create lab-bond0-uplink-network", "delete lab-bond0-ch3-network"]),
        );
        expect(await docker("network", "ls", "-q", "--filter", "name=bondlab-lc-seed-ch3")).toBe("");
        expect(slaves("centralRouter")).toEqual(["eth1", "eth2", "eth3"]);
    });

    it("a channel removed: its network and cable are deleted last, the bond keeps two slaves", async () => {
        set({ "bondlab:variant": lab("seed-two") });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["delete lab-bond0-uplink-network", "delete lab-bond0-uplink-cable"]),
        );
        expect(slaves("inetRouter")).toEqual(["eth1", "eth2"]);
    });

    it("routerImage changed: every container is replaced on the new image and verified", async () => {
        // A different image (another id), built offline on top of the lab host's.
        await runProcess(["docker", "build", "-q", "-t", OTHER_IMAGE, "-"], {
            stdin: `FROM ${IMAGE}\nLABEL org.bondlab.test=lifecycle\n`,
        });
        const otherId = await docker("image", "inspect", "-f", "{{.Id}}", OTHER_IMAGE);
        set({ "bondlab:routerImage": OTHER_IMAGE });
        const { steps } = await l.up();
        expect(changes(steps)).toEqual(
            expect.arrayContaining(["replace lab-inetRouter-container", "replace lab-bond0-ch1-cable"]),
        );
        expect(await docker("inspect", "-f", "{{.Image}}", l.container("inetRouter"))).toBe(otherId);
        expect(verified(l, "inetRouter").ping.received).toBeGreaterThan(0);
    });

    it("the variant switched on the existing stack (seed -> lacp): the bond is rebuilt as 802.3ad", async () => {
        set({ "bondlab:variant": "lacp" });
        await l.up();
        expect(verified(l, "inetRouter").mode).toBe("802.3ad");
        expect(verified(l, "inetRouter").aggregator.ports).toBe(2);
    });

    it("destroy leaves nothing", async () => {
        await l.down();
        expect(await leftovers(l.stack)).toEqual([]);
    });
});
