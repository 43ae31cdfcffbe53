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

/** The security every request passes first (see the top of this file). */
function guard(app: FastifyInstance, o: WebOptions, port: () => number): void {
    const hosts = () => {
        const names = o.host === "127.0.0.1" ? ["127.0.0.1", "localhost"] : [o.host];
        return new Set(names.map((n) => `${n.includes(":") ? `[${n}]` : n}:${port()}`));
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
}

const file = (name: string) => fs.readFileSync(path.join(PAGE_DIR, name), "utf8");

/** Static files under `prefix`; HTML pages get the token written in (it is hex: nothing to escape). */
function statics(app: FastifyInstance, prefix: string, names: string[], token: string): void {
    const types: Record<string, string> = { html: "text/html", js: "text/javascript", css: "text/css" };
    for (const name of names) {
        const route = name.endsWith(".html") ? prefix : `${prefix}${name}`;
        const type = `${types[name.split(".").pop()!]}; charset=utf-8`;
        app.get(route, async (_req, reply) =>
            reply.type(type).send(name.endsWith(".html") ? file(name).replaceAll("__TOKEN__", token) : file(name)),
        );
    }
    app.get(`${prefix}d3.min.js`, async (_req, reply) =>
        reply.type("text/javascript; charset=utf-8").send(fs.readFileSync(D3, "utf8")),
    );
}

/**
 * Pushes `message()` on every change: at most one push per PUSH_EVERY_MS, the first change
 * after a quiet spell at once.
 */
function pushing(app: FastifyInstance, route: string, onChange: WebSource["onChange"], message: () => unknown): void {
    app.get(route, { websocket: true }, (socket) => {
        let last = 0;
        let timer: NodeJS.Timeout | null = null;
        const send = () => {
            timer = null;
            last = Date.now();
            socket.send(JSON.stringify(message()));
        };
        const off = onChange(() => {
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
}

/** One lab's view under `prefix`: its page, its pushes, and its actions. */
function mountLab(app: FastifyInstance, prefix: string, source: WebSource, token: string): void {
    statics(app, prefix, ["index.html", "page.js", "socket.js", "page.css"], token);
    app.post<{ Body: WatchAction }>(
        `${prefix}action`,
        { schema: { body: actionSchema(source.model.state.lab) } },
        async (req, reply) => {
            if (!source.act) return reply.code(409).send({ error: "a replay cannot act on a lab" });
            await source.act(req.body);
            return { done: req.body };
        },
    );
    pushing(app, `${prefix}ws`, source.onChange, () => ({
        canAct: Boolean(source.act),
        ...pageState(source.model.state),
    }));
}

/** A fastify app with the guard, its routes added by `mount`, listening as `o` says. */
async function serve(o: WebOptions, mount: (app: FastifyInstance) => void): Promise<WebView> {
    // Fastify's validator strips unknown properties by default: refuse them instead.
    const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
    await app.register(websocket);
    let port = o.port;
    guard(app, o, () => port);
    mount(app);
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

/** One lab's page at /. */
export function startWeb(source: WebSource, o: WebOptions): Promise<WebView> {
    return serve(o, (app) => mountLab(app, "/", source, o.token));
}

/** What a class's page watches: its tiles, and each lab's own source by its path. */
export interface ClassSource {
    tiles(): unknown;
    onChange(fn: () => void): () => void;
    labs: { path: string; source: WebSource }[];
}

/** A class at a glance at /, each lab's full view at /lab/<path>/ (404 for any other). */
export function startClassWeb(source: ClassSource, o: WebOptions): Promise<WebView> {
    return serve(o, (app) => {
        statics(app, "/", ["class.html", "class.js", "socket.js", "page.css"], o.token);
        pushing(app, "/ws", source.onChange, () => source.tiles());
        for (const lab of source.labs) mountLab(app, `/lab/${lab.path}/`, lab.source, o.token);
    });
}
