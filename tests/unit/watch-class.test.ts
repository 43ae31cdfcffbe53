import * as path from "path";
import type { LabStatus } from "../../class/drivers";
import type { StudentLab } from "../../class/plan";
import type { WatchAction } from "../../watch/actions";
import { ClassTile, classLines, tileOf } from "../../watch/class";
import { readRecording } from "../../watch/recording";
import { WatchSession } from "../../watch/session";
import { WebView, newToken, startClassWeb } from "../../watch/web";
import { request } from "./http-request";

// A class at a glance: tiles drawn from real recorded streams (the seed lab's faults made by
// hand, tests/unit/fixtures/watch), and the class page's server with each lab under /lab/.

const FIXTURE = path.join(__dirname, "fixtures", "watch", "seed-by-hand.jsonl");
const alice: StudentLab = { student: "alice", stack: "net101-alice", host: "lab1", dockerHost: "", variant: "seed" };
const verified: LabStatus = { state: "verified", detail: "inetRouter: ok; centralRouter: ok" };

/** The fixture fed up to the first line after which `until` holds. */
function sessionUntil(until: (s: WatchSession) => boolean): WatchSession {
    const { header, lines } = readRecording(FIXTURE);
    const session = new WatchSession(header.lab, header.handle ?? null);
    for (const l of lines) {
        session.apply(l, true);
        if (until(session)) return session;
    }
    throw new Error("the recording never reached that moment");
}

const tile = (s: WatchSession | null, status = verified): ClassTile =>
    tileOf({ lab: alice, status, path: alice.stack, variant: "seed", error: null }, s?.model.state ?? null);

describe("a class's tile", () => {
    it("shows a verified lab's active slaves and both pings answering before any fault", () => {
        const s = sessionUntil((x) => Object.values(x.model.state.pings).every((p) => p.answered >= 5));
        const t = tile(s);
        expect(t.routers).toEqual([
            { name: "inetRouter", active: "eth1", aggregator: null },
            { name: "centralRouter", active: "eth1", aggregator: null },
        ]);
        expect(t.pings.map((p) => p.state)).toEqual(["answering", "answering"]);
        expect(t.why).toBeNull();
        expect(classLines([t])).toEqual([
            "alice          seed                 verified inetRouter eth1, centralRouter eth1; ping answering",
        ]);
    });

    it("shows the seed's experiment: centralRouter on eth2, both pings silent as long as the model says, and why", () => {
        const s = sessionUntil((x) => Object.values(x.model.state.pings).every((p) => p.lostSince !== null));
        const t = tile(s);
        expect(t.routers.map((r) => r.active)).toEqual(["eth1", "eth2"]);
        const state = s.model.state;
        expect(t.pings).toEqual(
            Object.values(state.pings).map((p) => ({
                from: p.from,
                to: p.to,
                state: "no reply",
                silentMs: Math.round(state.now - p.lostSince!),
            })),
        );
        expect(t.why).toMatch(/^centralRouter's active slave is eth2, inetRouter's is eth1/);
    });

    it("names the latest fault measured from the view, with its verdict", () => {
        const s = sessionUntil((x) => x.model.state.rows[0]?.result !== null && x.model.state.rows.length > 0);
        expect(tile(s).lastRow).toBe("✗ fail: ip link set eth1 down inside centralRouter");
    });

    it("says why a lab is not watched, and keeps its status", () => {
        const t = tileOf(
            {
                lab: alice,
                status: { state: "absent", detail: "no such stack" },
                path: alice.stack,
                variant: "seed",
                error: "no lab handle",
            },
            null,
        );
        expect(t).toMatchObject({ error: "no lab handle", routers: [], pings: [], status: { state: "absent" } });
        expect(classLines([t])[0]).toMatch(/absent {3}not watched: no lab handle$/);
    });
});

/** A request as the page's own would be: this server's Host, no Origin. */
const ask = (port: number, method: string, url: string, body?: unknown) =>
    request(port, method, url, { host: `127.0.0.1:${port}` }, body);

describe("the class page's server", () => {
    const s = sessionUntil((x) => x.model.state.now > 0);
    const acted: WatchAction[] = [];
    const source = { model: s.model, onChange: s.onChange, act: async (a: WatchAction) => void acted.push(a) };
    const token = newToken();
    let view: WebView;
    let port: number;
    beforeAll(async () => {
        view = await startClassWeb(
            {
                tiles: () => ({ class: "net101", tiles: [tile(s)] }),
                onChange: s.onChange,
                labs: [{ path: alice.stack, source }],
            },
            { host: "127.0.0.1", port: 0, token },
        );
        port = Number(new URL(view.url).port);
    });
    afterAll(() => view.close());

    it("serves the tiles at / and each lab's full view under /lab/<stack>/, with the token only", async () => {
        expect((await ask(port, "GET", `/?token=${token}`)).body).toContain('src="class.js?token=');
        expect((await ask(port, "GET", `/lab/${alice.stack}/?token=${token}`)).body).toContain('src="page.js?token=');
        for (const url of ["/", "/class.js", `/lab/${alice.stack}/`, `/lab/${alice.stack}/page.js`, "/ws"])
            expect({ url, status: (await ask(port, "GET", url)).statusCode }).toEqual({ url, status: 401 });
    });

    it("acts only on a lab it watches, and only with that lab's channels and routers", async () => {
        const action = { kind: "admin-down", channel: "ch1", router: "centralRouter" };
        const ok = await ask(port, "POST", `/lab/${alice.stack}/action?token=${token}`, action);
        expect(ok.statusCode).toBe(200);
        expect(acted).toEqual([action]);
        const wrong = await ask(port, "POST", `/lab/${alice.stack}/action?token=${token}`, {
            ...action,
            channel: "ch9",
        });
        expect(wrong.statusCode).toBe(400);
        const other = await ask(port, "POST", `/lab/net101-mallory/action?token=${token}`, action);
        expect(other.statusCode).toBe(404);
        expect(acted).toHaveLength(1);
    });
});
