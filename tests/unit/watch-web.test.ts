import * as net from "net";
import * as os from "os";
import * as path from "path";
import { readRecording } from "../../watch/recording";
import { request } from "./http-request";
import { WatchModel } from "../../watch/state";
import { WebView, newToken, pageState, startWeb } from "../../watch/web";
import type { WatchAction } from "../../watch/actions";

// The page's server, safe by default: on 127.0.0.1 only, a token on every request, Host and
// Origin checked against DNS rebinding, and an action only as one of this lab's enums.

const SEED = path.join(__dirname, "..", "..", "docs", "watch", "seed-admin-down.jsonl");

describe("the web view's server", () => {
    const { header, lines } = readRecording(SEED);
    const model = new WatchModel(header.lab);
    for (const l of lines) if (l.line) model.feed(l.node, l.line);
    const acted: WatchAction[] = [];
    const token = newToken();
    let view: WebView;
    let port: number;
    beforeAll(async () => {
        view = await startWeb(
            { model, onChange: () => () => undefined, act: async (a) => void acted.push(a) },
            { host: "127.0.0.1", port: 0, token },
        );
        port = Number(new URL(view.url).port);
    });
    afterAll(() => view.close());

    const get = (url: string, headers: Record<string, string> = {}) =>
        request(port, "GET", url, { host: `127.0.0.1:${port}`, ...headers });
    const act = (body: unknown, headers: Record<string, string> = {}) =>
        request(
            port,
            "POST",
            "/action",
            { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}`, ...headers },
            body,
        );

    it("prints a URL on 127.0.0.1 with a fresh 128-bit token", () => {
        expect(view.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${token}$`));
        expect(token).toMatch(/^[0-9a-f]{32}$/);
        expect(newToken()).not.toBe(token);
    });

    it("serves the page, its script and d3 with the token", async () => {
        expect((await get(`/?token=${token}`)).statusCode).toBe(200);
        expect((await get(`/?token=${token}`)).body).toContain('<script type="module" src="page.js?token=');
        expect((await get(`/page.js?token=${token}`)).body).toContain("window.bondlab.connect(draw)");
        // The push channel both pages share.
        expect((await get(`/?token=${token}`)).body).toContain('<script src="socket.js?token=');
        expect((await get(`/socket.js?token=${token}`)).body).toContain("new WebSocket(");
        expect((await get(`/d3.min.js?token=${token}`)).body).toMatch(/d3js\.org/);
    });

    it("answers 401 without the token, or with a wrong one", async () => {
        expect((await get("/")).statusCode).toBe(401);
        expect((await get(`/?token=${token.slice(0, -1)}0`)).statusCode).toBe(token.endsWith("0") ? 200 : 401);
        expect((await get("/?token=x")).statusCode).toBe(401);
        expect(
            (await act({ kind: "cut", channel: "ch1", router: "inetRouter" }, { authorization: "Bearer x" }))
                .statusCode,
        ).toBe(401);
    });

    it("answers 403 to a foreign Host or Origin, token or not: a rebinding page cannot reach the lab", async () => {
        expect((await get(`/?token=${token}`, { host: `evil.example:${port}` })).statusCode).toBe(403);
        expect((await get(`/?token=${token}`, { host: `127.0.0.1:${port + 1}` })).statusCode).toBe(403);
        expect((await get(`/?token=${token}`, { origin: "http://evil.example" })).statusCode).toBe(403);
        expect((await get(`/?token=${token}`, { origin: `http://localhost:${port}` })).statusCode).toBe(200);
        const res = await act({ kind: "cut", channel: "ch1", router: "inetRouter" }, { origin: "http://evil.example" });
        expect(res.statusCode).toBe(403);
        expect(acted).toEqual([]);
    });

    it("answers 400 to an action that is not one of this lab's, and runs the one that is", async () => {
        for (const bad of [
            { kind: "reboot", channel: "ch1", router: "inetRouter" },
            { kind: "cut", channel: "ch9", router: "inetRouter" },
            { kind: "cut", channel: "ch1", router: "__proto__" },
            { kind: "cut", channel: "ch1", router: "inetRouter", command: "rm -rf /" },
            { kind: "cut; reboot", channel: "ch1", router: "inetRouter" },
        ]) {
            expect({ bad, status: (await act(bad)).statusCode }).toEqual({ bad, status: 400 });
        }
        expect(acted).toEqual([]);
        const ok = await act({ kind: "admin-down", channel: "ch1", router: "centralRouter" });
        expect(ok.statusCode).toBe(200);
        expect(acted).toEqual([{ kind: "admin-down", channel: "ch1", router: "centralRouter" }]);
    });

    it("listens on 127.0.0.1 only: no other address of this machine reaches it", async () => {
        expect(view.app.server.address()).toMatchObject({ address: "127.0.0.1" });
        const others = [
            "127.0.0.2",
            ...Object.values(os.networkInterfaces())
                .flat()
                .filter((i) => i && i.family === "IPv4" && !i.internal)
                .map((i) => i!.address),
        ];
        for (const address of others) {
            const reached = await new Promise<boolean>((resolve) => {
                const socket = net.connect({ host: address, port }, () => {
                    socket.destroy();
                    resolve(true);
                });
                socket.on("error", () => resolve(false));
            });
            expect({ address, reached }).toEqual({ address, reached: false });
        }
    });

    it("pushes the recent state with the why lines, the same as the terminal's", () => {
        const page = pageState(model.state);
        expect(page.pings["inetRouter->centralRouter"].probes.length).toBeLessThanOrEqual(150);
        expect(page.events.length).toBeLessThanOrEqual(60);
        expect(page.why).toEqual([]);
    });
});

describe("the web view of a replay", () => {
    it("refuses actions: there is no lab to act on (409)", async () => {
        const { header } = readRecording(SEED);
        const token = newToken();
        const view = await startWeb(
            { model: new WatchModel(header.lab), onChange: () => () => undefined },
            { host: "127.0.0.1", port: 0, token },
        );
        try {
            const port = Number(new URL(view.url).port);
            const res = await request(
                port,
                "POST",
                "/action",
                { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` },
                { kind: "restore", channel: "ch1", router: "inetRouter" },
            );
            expect(res.statusCode).toBe(409);
        } finally {
            await view.close();
        }
    });
});
