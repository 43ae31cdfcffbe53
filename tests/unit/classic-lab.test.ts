import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readClassicLab } from "../../components/labfile/classic";
import { loadAnyLab } from "../../components/labfile/load";
import { BondOptionValue } from "../../components/labfile/modes";
import { isTopologyFile } from "../../components/labfile/validate-topology";

// A version 1 lab file is read as its network and checked by the network validator. What it
// builds must not change on upgrade: the golden holds, for every shipped version 1 file, the
// fixtures the tests load and labs that use every option and every key, the network the
// former reader (validateLab, then topologyOf) made of it, frozen when it was replaced.
// Keys whose value is undefined are kept in it, as "(undefined)": the networks are compared
// key for key, not only value for value.

const ROOT = path.join(__dirname, "..", "..");
const GOLDEN = path.join(__dirname, "golden", "classic-labs.json");

interface GoldenCase {
    readonly name: string;
    /** The lab file, from the repository's root; else `raw` is the parsed file. */
    readonly file?: string;
    readonly raw?: unknown;
    readonly variant: string;
    readonly overrides: Record<string, BondOptionValue | null>;
    readonly network: unknown;
}
const golden = JSON.parse(fs.readFileSync(GOLDEN, "utf8")) as { undefined: string; cases: GoldenCase[] };

/** The network as the golden writes it: JSON, with undefined values kept. */
const frozen = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value, (_, v: unknown) => (v === undefined ? golden.undefined : v)));

const rawOf = (c: GoldenCase): unknown =>
    c.file === undefined ? c.raw : YAML.parse(fs.readFileSync(path.join(ROOT, c.file), "utf8"));

describe("a version 1 lab file builds the network it always built", () => {
    it.each(golden.cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
        const network = readClassicLab(c.variant, rawOf(c), c.file ?? c.variant, c.overrides);
        expect(frozen(network)).toEqual(c.network);
    });

    it.each(golden.cases.filter((c) => c.file !== undefined).map((c) => [c.name, c] as const))(
        "%s, loaded as the program loads it",
        (_, c) => {
            expect(frozen(loadAnyLab(path.join(ROOT, c.file!), c.overrides).network)).toEqual(c.network);
        },
    );

    it("the golden holds every shipped version 1 lab file", () => {
        const shipped = ["configs", "configs/replay"].flatMap((dir) =>
            fs
                .readdirSync(path.join(ROOT, dir))
                .filter((f) => f.endsWith(".yaml"))
                .map((f) => `${dir}/${f}`)
                .filter((f) => !isTopologyFile(YAML.parse(fs.readFileSync(path.join(ROOT, f), "utf8")))),
        );
        expect(shipped.length).toBeGreaterThanOrEqual(10);
        expect(golden.cases.map((c) => c.file)).toEqual(expect.arrayContaining(shipped));
    });
});
