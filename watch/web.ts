// The live view as a page (npm run watch -- --web): fastify serves it, @fastify/websocket pushes
// the state to it (never polled), d3 draws it. Safe by default:
// - it listens on 127.0.0.1 unless told otherwise (tools/watch.ts warns then);
// - every request carries the run's token, compared in constant time (401 without it);
// - the Host and Origin headers must name this server (403: a DNS-rebinding page cannot act);
// - an action is checked against a JSON schema of this lab's enums (400), and runs through the
//   drill's own faults on the containers of the stack's handle: no text of the page reaches a shell.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import Fastify, { FastifyInstance, FastifyRequest } from "fastify";
import websocket from "@fastify/websocket";
import { WatchAction, actionSchema } from "./actions";
import { rowCells } from "./measure";
import { WatchModel, WatchState } from "./state";
import { whyLines } from "./why";

/** What the page watches: a model that changes, and, on a live lab, the hands to act on it. */
export interface WebSource {
    model: WatchModel;
    onChange(fn: () => void): () => void;
    /** Absent on a replay: the page then offers no action. */
    act?: (action: WatchAction) => Promise<void>;
}

export interface WebOptions {
    host: string;
    port: number;
    token: string;
}

export interface WebView {
    url: string;
    app: FastifyInstance;
    close(): Promise<void>;
}

const PAGE_DIR = path.join(__dirname, "web");
// d3's own browser build (its "umd" export), beside the module build that resolving "d3" finds.
const D3 = path.join(path.dirname(require.resolve("d3")), "d3.min.js");
/** How often the page gets a new state at most. */
const PUSH_EVERY_MS = 100;

/** A new token per run: 128 random bits. */
export function newToken(): string {
    return crypto.randomBytes(16).toString("hex");
}

/** Equal-length digests compared in constant time, whatever the lengths of the strings. */
function sameToken(given: string, token: string): boolean {
    const digest = (s: string) => crypto.createHash("sha256").update(s).digest();
    return crypto.timingSafeEqual(digest(given), digest(token));
}

/** What the page needs of the state: the recent part, and the why lines. */
export function pageState(state: WatchState) {
    return {
        lab: state.lab,
        now: state.now,
        nodes: state.nodes,
        pings: Object.fromEntries(
            Object.entries(state.pings).map(([k, p]) => [k, { ...p, probes: p.probes.slice(-150) }]),
        ),
        events: [...state.events].sort((a, b) => a.at - b.at).slice(-60),
        rows: state.rows.slice(-10).map((r) => rowCells(r, state.now)),
        why: whyLines(state),
    };
}

export async function startWeb(source: WebSource, o: WebOptions): Promise<WebView> {
    // Fastify's validator strips unknown properties by default: refuse them instead.
    const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
    await app.register(websocket);
    let port = o.port;
    const hosts = () => {
        const names = o.host === "127.0.0.1" ? ["127.0.0.1", "localhost"] : [o.host];
        return new Set(names.map((n) => `${n.includes(":") ? `[${n}]` : n}:${port}`));
    };

    app.addHook("onRequest", async (req: FastifyRequest, reply) => {
        const allowed = hosts();
        if (!allowed.has(req.headers.host ?? "")) {
            return reply.code(403).send({ error: `Host ${req.headers.host ?? "(none)"} is not this server` });
        }
        const origin = req.headers.origin;
        if (origin !== undefined && ![...allowed].some((h) => origin === `http://${h}`)) {
            return reply.code(403).send({ error: `Origin ${origin} may not use this server` });
        }
        const query = (req.query ?? {}) as Record<string, unknown>;
        const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
        const given = typeof query.token === "string" ? query.token : bearer;
        if (!given || !sameToken(given, o.token)) {
            return reply.code(401).send({ error: "a token is needed: use the URL npm run watch printed" });
        }
    });

    const file = (name: string) => fs.readFileSync(path.join(PAGE_DIR, name), "utf8");
    // The page's own requests carry the token too (it is hex: nothing to escape in HTML).
    app.get("/", async (_req, reply) =>
        reply.type("text/html; charset=utf-8").send(file("index.html").replaceAll("__TOKEN__", o.token)),
    );
    app.get("/page.js", async (_req, reply) => reply.type("text/javascript; charset=utf-8").send(file("page.js")));
    app.get("/page.css", async (_req, reply) => reply.type("text/css; charset=utf-8").send(file("page.css")));
    app.get("/d3.min.js", async (_req, reply) =>
        reply.type("text/javascript; charset=utf-8").send(fs.readFileSync(D3, "utf8")),
    );

    app.post<{ Body: WatchAction }>(
        "/action",
        { schema: { body: actionSchema(source.model.state.lab) } },
        async (req, reply) => {
            if (!source.act) return reply.code(409).send({ error: "a replay cannot act on a lab" });
            await source.act(req.body);
            return { done: req.body };
        },
    );

    app.get("/ws", { websocket: true }, (socket) => {
        // At most one push per PUSH_EVERY_MS, the first change after a quiet spell at once.
        let last = 0;
        let timer: NodeJS.Timeout | null = null;
        const send = () => {
            timer = null;
            last = Date.now();
            socket.send(JSON.stringify({ canAct: Boolean(source.act), ...pageState(source.model.state) }));
        };
        const off = source.onChange(() => {
            if (timer) return;
            const wait = last + PUSH_EVERY_MS - Date.now();
            if (wait <= 0) send();
            else timer = setTimeout(send, wait);
        });
        socket.on("close", () => {
            off();
            if (timer) clearTimeout(timer);
        });
        send();
    });

    await app.listen({ host: o.host, port: o.port });
    const address = app.server.address();
    port = typeof address === "object" && address ? address.port : o.port;
    const shown = o.host.includes(":") ? `[${o.host}]` : o.host;
    return {
        url: `http://${shown}:${port}/?token=${o.token}`,
        app,
        close: () => app.close(),
    };
}
