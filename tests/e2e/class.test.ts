import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { docker, runProcess } from "../../engine/shell";
import { openBrowser, startPageServer } from "./browser";
import { IMAGE, leftovers } from "./lab";

// `npm run class` through the engine model, against two Docker endpoints of the lab host:
// each endpoint is a counting relay to the lab host's Docker API, so the test sees that each
// student's stack talked to its own host (its docker:host) and never to this process's
// DOCKER_HOST, which the tool does not get.

/** A TCP relay to the Docker API that DOCKER_HOST names; counts the connections it carried. */
async function relay(): Promise<{ url: string; connections: () => number; close: () => void }> {
    const target = new URL(process.env.DOCKER_HOST!);
    // Half-open both ways: `docker exec` closes its side once stdin is sent and still reads
    // the output, which a relay that closes at the first FIN would lose.
    const to = () =>
        target.protocol === "unix:"
            ? net.connect({ path: target.pathname, allowHalfOpen: true })
            : net.connect({ port: Number(target.port), host: target.hostname, allowHalfOpen: true });
    let count = 0;
    const open = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
        count++;
        const upstream = to();
        for (const s of [socket, upstream]) {
            open.add(s);
            s.on("close", () => open.delete(s));
        }
        socket.pipe(upstream).pipe(socket);
        socket.on("error", () => upstream.destroy());
        upstream.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const close = () => {
        server.close();
        for (const s of open) s.destroy();
    };
    return { url: `tcp://127.0.0.1:${port}`, connections: () => count, close };
}

describe("npm run class on two Docker endpoints, through the engine model", () => {
    const stacks = ["e2ec-alice", "e2ec-bob"];
    let hosts: Awaited<ReturnType<typeof relay>>[] = [];
    let file = "";
    const tool = (action: string) => {
        const env: NodeJS.ProcessEnv = { ...process.env, BONDLAB_CLASS_ROUTER_IMAGE: IMAGE };
        delete env.DOCKER_HOST;
        delete env.DOCKER_CONTEXT;
        const argv = ["npx", "ts-node", "--transpile-only", "tools/class.ts", action, file, "--engine", "model"];
        return runProcess(argv, { env }); // from the project, where jest runs
    };

    beforeAll(async () => {
        hosts = [await relay(), await relay()];
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-class-"));
        file = path.join(dir, "class.yaml");
        fs.writeFileSync(
            file,
            [
                "class: e2ec",
                "variant: lacp",
                "hosts:",
                `  one: ${hosts[0].url}`,
                `  two: ${hosts[1].url}`,
                "students:",
                "  - { name: alice, host: one }",
                "  - { name: bob, host: two, variant: arp-monitor }",
            ].join("\n"),
        );
    });
    afterAll(async () => {
        await tool("down");
        hosts.forEach((h) => h.close());
    });

    it("up: both labs verified, each built through its own host's endpoint", async () => {
        const up = await tool("up");
        console.log(up.stdout);
        expect(up.stderr).toBe("");
        expect(up.stdout).toMatch(/class e2ec: 2 of 2 labs verified/);
        expect(up.code).toBe(0);
        expect(hosts[0].connections()).toBeGreaterThan(0);
        expect(hosts[1].connections()).toBeGreaterThan(0);
    });

    it("status: read from each stack's checkpoint in a new run", async () => {
        const before = hosts.map((h) => h.connections());
        const status = await tool("status");
        expect(status.stdout).toMatch(/alice .* verified: inetRouter: bond0 802\.3ad, 1 ping answered/);
        expect(status.stdout).toMatch(/bob .* verified: inetRouter: bond0 active-backup active eth1, 1 ping answered/);
        expect(status.code).toBe(0);
        expect(hosts.map((h) => h.connections())).toEqual(before);
    });

    // The teacher's view of the same class: a tile per lab, each watched through its own host.
    it("watch --class --web: a tile per lab, verified and answering, each watched through its own host", async () => {
        const before = hosts.map((h) => h.connections());
        const argv = ["ts-node", "--transpile-only", "tools/watch.ts", "--class", file, "--web", "--engine", "model"];
        const view = await startPageServer("npx", [...argv, "--for", "300"]);
        const browser = await openBrowser();
        try {
            const url = view.url;
            const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
            const errors: string[] = [];
            page.on("pageerror", (e) => errors.push(e.message));
            await page.goto(url);
            const wait = { timeout: 120_000 };
            for (const stack of stacks)
                await page.locator(`[data-testid="tile-${stack}"][data-health="ok"]`).waitFor(wait);
            const alice = await page.getByTestId("tile-e2ec-alice").innerText();
            expect(alice).toMatch(/verified · stack e2ec-alice on one/);
            expect(alice).toMatch(/inetRouter: aggregator \d+/);
            const bob = await page.getByTestId("tile-e2ec-bob").innerText();
            expect(bob).toMatch(/inetRouter: active eth1\s+centralRouter: active eth1/);
            expect(bob).toMatch(/ping centralRouter→inetRouter: answering/);
            expect(await page.locator("#summary").innerText()).toBe("2 of 2 labs verified and answering");
            // Each lab's agents went through its own host's endpoint.
            hosts.forEach((h, i) => expect(h.connections()).toBeGreaterThan(before[i]));

            await page.getByTestId("tile-e2ec-bob").click();
            await page.waitForURL(/\/lab\/e2ec-bob\/\?token=/);
            const heading = page.getByTestId("node-centralRouter").getByRole("heading");
            await heading.filter({ hasText: "active eth1" }).waitFor(wait);
            await page.getByText("← the class").click();
            await page.getByTestId("tile-e2ec-alice").waitFor(wait);
            expect(errors).toEqual([]);
        } finally {
            await browser.close();
            await view.stop();
        }
        // The view's agents went with it: no ping of the watch's left in any router.
        for (const stack of stacks)
            for (const router of ["inetRouter", "centralRouter"])
                expect(await docker("exec", `bondlab-${stack}-${router}`, "ps", "-o", "args")).not.toMatch(
                    /ping -D -O/,
                );
    });

    it("down: both stacks destroyed, nothing left on the host, and status says so", async () => {
        const down = await tool("down");
        expect(down.stdout).toMatch(/2 of 2 labs destroyed/);
        expect(down.code).toBe(0);
        for (const stack of stacks) expect(await leftovers(stack)).toEqual([]);
        const status = await tool("status");
        expect(status.stdout).toMatch(/0 of 2 labs verified/);
        expect(status.stdout).toMatch(/not verified: alice \(e2ec-alice on one\): no such stack/);
        expect(status.code).toBe(1);
    });
});
