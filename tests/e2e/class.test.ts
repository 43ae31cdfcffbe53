import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { runProcess } from "../../engine/shell";
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
