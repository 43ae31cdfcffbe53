import * as ipaddr from "ipaddr.js";
import { SubnetIndex } from "../../components/labfile/subnet-index";

// The index must answer exactly what comparing every pair answers: the first earlier subnet
// that overlaps (holds, or lies in) each one.

/** The plain answer the index must match: one subnet holds the other. */
function overlaps(a: [ipaddr.IPv4, number], b: [ipaddr.IPv4, number]): boolean {
    return a[0].match(b) || b[0].match(a);
}

/** A small pseudo-random sequence, the same every run. */
function random(seed: number): () => number {
    let state = seed;
    return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function subnets(count: number, seed: number): [ipaddr.IPv4, number][] {
    const next = random(seed);
    // Few distinct networks and every prefix length, so that nesting and equal blocks are common.
    return Array.from({ length: count }, () => {
        const ip = ipaddr.IPv4.parse(
            `10.${Math.floor(next() * 4)}.${Math.floor(next() * 4) * 64}.${Math.floor(next() * 256)}`,
        );
        return [ip, 8 + Math.floor(next() * 25)];
    });
}

describe("SubnetIndex", () => {
    it.each([1, 2, 3, 4, 5])("finds the first earlier overlap as comparing every pair does (seed %i)", (seed) => {
        const list = subnets(400, seed);
        const index = new SubnetIndex();
        const found = list.map((cidr, i) => {
            const first = index.firstOverlap(cidr);
            index.add(i, cidr);
            return first;
        });
        const expected = list.map((cidr, i) => {
            const first = list.slice(0, i).findIndex((earlier) => overlaps(earlier, cidr));
            return first < 0 ? undefined : first;
        });
        expect(found).toEqual(expected);
        expect(found.some((f) => f !== undefined) && found.some((f) => f === undefined)).toBe(true);
    });

    it("sees 0.0.0.0/0 and /32 blocks at the ends of the range", () => {
        const index = new SubnetIndex();
        index.add(0, ipaddr.IPv4.parseCIDR("255.255.255.255/32"));
        expect(index.firstOverlap(ipaddr.IPv4.parseCIDR("0.0.0.0/0"))).toBe(0);
        expect(index.firstOverlap(ipaddr.IPv4.parseCIDR("255.255.255.254/32"))).toBeUndefined();
    });
});
