import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { script } from "../../components/scripts";

// A cable (components/scripts/cable.sh) hears every link and address event of the Docker host
// and sweeps its bridge's ports only for the events of its own wire. The events are real
// `ip -o monitor link address` lines, captured in the lab host VM while a class of 12 labs
// restarted: this-wire.txt holds every line about the bridge bl06aead-ch1 and its ports
// (the two routers' veths, before and after their restart), other-wires.txt a sample of the rest.

const FIXTURES = path.join(__dirname, "fixtures", "cable");
const BRIDGE = "bl06aead-ch1";
const PORTS = ["veth8acba6e", "veth9531452", "vethaf9c16a", "vethf73df6d"];
const lines = (file: string) => fs.readFileSync(path.join(FIXTURES, file), "utf8").split("\n").filter(Boolean);

/** The lines concerns_this_wire accepts, run by the shell with the bridge and known ports given. */
function accepted(events: string[], ports: string[]): string[] {
    const fn = /^concerns_this_wire\(\) \{[\s\S]*?^\}$/m.exec(script("cable"));
    if (!fn) throw new Error("cable.sh has no concerns_this_wire function");
    const program = `${fn[0]}\nwhile read -r event; do if concerns_this_wire "$event"; then echo "$event"; fi; done`;
    const out = execFileSync("sh", ["-c", program], {
        input: events.join("\n") + "\n",
        env: { ...process.env, br: BRIDGE, ports: ports.join("\n") },
        encoding: "utf8",
    });
    return out.split("\n").filter(Boolean);
}

describe("a cable's event filter", () => {
    it("takes every event of its bridge and of the ports it knows", () => {
        const mine = lines("this-wire.txt");
        expect(mine.length).toBeGreaterThan(20);
        expect(accepted(mine, PORTS)).toEqual(mine);
    });

    it("takes an IPv6 address appearing on one of its ports or on its bridge, which it must flush", () => {
        // Real address events of another lab's veth, moved onto this wire's names: here the
        // cable had set addrgenmode none in time, so its own wire logged none.
        const added = "203: veth1611ca1    inet6 fe80::f8a7:d8ff:fec8:93f9/64 scope link \\       valid_lft forever";
        const events = [added.replace("veth1611ca1", PORTS[0]), added.replace("veth1611ca1", BRIDGE)];
        expect(accepted(events, PORTS)).toEqual(events);
    });

    it("takes a new port's events once the port joins the bridge (master), before it knows the port", () => {
        const joins = lines("this-wire.txt").filter((l) => l.includes(` master ${BRIDGE} `));
        expect(joins.length).toBeGreaterThan(0);
        expect(accepted(joins, [])).toEqual(joins);
    });

    it("ignores every other wire's events, a bridge whose name starts with its own included", () => {
        const others = lines("other-wires.txt");
        // This wire's events for a bridge and ports named like its own plus a digit (a tenth
        // channel, another veth): a name is matched whole, never as a prefix.
        const longer = lines("this-wire.txt").map((l) =>
            [BRIDGE, ...PORTS].reduce((line, name) => line.split(name).join(`${name}0`), l),
        );
        expect(longer.length).toBeGreaterThan(0);
        expect(accepted([...others, ...longer], PORTS)).toEqual([]);
    });
});
