import * as path from "path";
import { CONFIGS_DIR, loadTopology } from "../../components/labfile/load";
import { Reach } from "../../components/labfile/reach";
import { TopologySpec } from "../../components/labfile/topology";

const enterprise = () => loadTopology(path.join(CONFIGS_DIR, "v2", "enterprise.yaml"));
const vlanLab = () => loadTopology(path.join(CONFIGS_DIR, "v2", "vlan-lacp.yaml"));

/** The network with one node's routes replaced. */
function withRoutes(
    topology: TopologySpec,
    node: string,
    routes: TopologySpec["nodes"][number]["routes"],
): TopologySpec {
    return { ...topology, nodes: topology.nodes.map((n) => (n.name === node ? { ...n, routes } : n)) };
}

describe("where a packet goes, from the lab file alone", () => {
    it("in the enterprise lab every host's ping to every other host's address is answered", () => {
        const pairs = new Reach(enterprise()).hostPairs();
        expect(pairs).toHaveLength(20);
        for (const { from, to, delivery, reply } of pairs) {
            expect([from, to, delivery.reached, reply?.reached]).toEqual([from, to, to, from]);
        }
    });

    it("crosses the routers hop by hop, over the VLAN trunk and the plain link", () => {
        expect(new Reach(enterprise()).send("office1Client", "10.2.40.10")).toEqual({
            reached: "office2Server",
            path: ["office1Client", "office1Router", "centralRouter", "office2Router", "office2Server"],
            source: "10.1.1.20",
        });
    });

    it("in the VLAN lab a client reaches its own server, and the same address in the other VLAN is its own server again", () => {
        const reach = new Reach(vlanLab());
        expect(reach.send("testClient1", "10.10.10.1")).toMatchObject({ reached: "testServer1" });
        expect(reach.send("testClient2", "10.10.10.1")).toMatchObject({ reached: "testServer2" });
        const answered = reach.hostPairs().filter((p) => p.delivery.reached === p.to && p.reply?.reached === p.from);
        expect(answered.map((p) => `${p.from}>${p.to}`).sort()).toEqual([
            "testClient1>testServer1",
            "testClient2>testServer2",
            "testServer1>testClient1",
            "testServer2>testClient2",
        ]);
    });

    it("names the loop when two routers point at each other", () => {
        const central = enterprise().nodes.find((n) => n.name === "centralRouter")!;
        const broken = withRoutes(
            enterprise(),
            "centralRouter",
            central.routes.filter((r) => r.to !== "10.2.0.0/16"),
        );
        const delivery = new Reach(broken).send("office1Client", "10.2.40.10");
        expect(delivery.reached).toBeUndefined();
        expect(delivery.dropped).toMatch(/^a routing loop \(.*centralRouter -> inetRouter/);
    });

    it("a missing return route shows in the reply, not the request", () => {
        const broken = withRoutes(enterprise(), "office2Server", []);
        const pair = new Reach(broken).hostPairs().find((p) => p.from === "office1Client" && p.to === "office2Server")!;
        expect(pair.delivery.reached).toBe("office2Server");
        expect(pair.reply).toMatchObject({ dropped: "office2Server has no route to 10.1.1.20" });
    });

    it("a host does not forward, even when a route points through it", () => {
        const broken = withRoutes(enterprise(), "office1Client", [{ to: "0.0.0.0/0", via: "10.1.1.10" }]);
        expect(new Reach(broken).send("office1Client", "192.168.0.10")).toMatchObject({
            path: ["office1Client", "office1Server"],
            dropped: "office1Server is a host and does not forward",
        });
    });
});
