import * as ipaddr from "ipaddr.js";

// Which earlier subnet overlaps this one, for files of thousands of subnets: comparing every
// pair grows with the square of the file; this takes at most 33 look-ups a subnet. Two IPv4
// blocks overlap exactly when one holds the other, so it is enough to index each block
// under its own network and under every shorter prefix that holds it.

type Cidr = [ipaddr.IPv4, number];

/** Subnets by the order they were added: `add` them in that order, with rising indexes. */
export class SubnetIndex {
    /** Index of the first block added, by its network and prefix. */
    private readonly exact = new Map<number, number>();
    /** Index of the first block added inside each block that holds it (itself included). */
    private readonly inside = new Map<number, number>();

    add(index: number, cidr: Cidr): void {
        const [address, prefix] = numeric(cidr);
        keepFirst(this.exact, blockKey(address, prefix), index);
        for (let length = 0; length <= prefix; length++) keepFirst(this.inside, blockKey(address, length), index);
    }

    /** The lowest index of the subnets added so far that overlap `cidr` (hold it, or lie in it). */
    firstOverlap(cidr: Cidr): number | undefined {
        const [address, prefix] = numeric(cidr);
        let first = this.inside.get(blockKey(address, prefix));
        for (let length = 0; length < prefix; length++) {
            const holder = this.exact.get(blockKey(address, length));
            if (holder !== undefined && (first === undefined || holder < first)) first = holder;
        }
        return first;
    }
}

function keepFirst(map: Map<number, number>, key: number, index: number): void {
    if (!map.has(key)) map.set(key, index);
}

function numeric([ip, prefix]: Cidr): [number, number] {
    return [ip.octets.reduce((n, octet) => n * 256 + octet, 0), prefix];
}

/** One number for the block of `length` bits that holds `address`: its network times 64, plus the length. */
function blockKey(address: number, length: number): number {
    const size = 2 ** (32 - length);
    return (address - (address % size)) * 64 + length;
}
