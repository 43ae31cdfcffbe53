import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SCRIPTS_DIR } from "../../components/scripts";
import { loadAnyLab } from "../../components/labfile/load";

// Every place where a value the user chose ends up as shell or in a file, tried with a
// hostile value: it must be refused, or arrive as data.

const seed = fs.readFileSync(path.join(__dirname, "..", "..", "configs", "seed.yaml"), "utf8");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-inject-"));

describe("a lab file's name, which becomes the variant's name", () => {
    it.each(["lab\ntouch PWNED #", "lab$(touch PWNED)", "lab;id", "..", "-rf", "a b"])(
        "%j is refused, naming the fix",
        (name) => {
            const dir = tmp();
            const file = path.join(dir, `${name}.yaml`);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, seed);
            expect(() => loadAnyLab(file)).toThrow(
                /bondlab:variant: the file's name .* becomes the variant's name: rename the file/,
            );
        },
    );

    it("an ordinary name is taken", () => {
        const file = path.join(tmp(), "my-lab_2.v1.yaml");
        fs.writeFileSync(file, seed);
        expect(loadAnyLab(file).network.variant).toBe("my-lab_2.v1");
    });
});

describe("net.conf, which a node's apply and its init read as root", () => {
    // The real reader from node-apply.sh, run by dash as in the node: the settings are data,
    // written as they came and read back line by line, never sourced.
    const apply = fs.readFileSync(path.join(SCRIPTS_DIR, "node-apply.sh"), "utf8");
    const lines = apply.match(/^lines\(\) \{.*\}$/m)![0];

    it("keeps any value as data: quotes, $(...), backticks, newlines", () => {
        const dir = tmp();
        const hostile = `a'b$(touch ${dir}/PWNED)\`touch ${dir}/PWNED2\`"c\\d ; touch ${dir}/PWNED3`;
        const settings = `addr bond0 ${hostile}\nroute ${hostile}`;
        const read = spawnSync(
            "dash",
            ["-c", `conf="$1/net.conf"; printf '%s\\n' "$V" >"$conf"; ${lines}; lines addr; lines route`, "dash", dir],
            { encoding: "utf8", env: { V: settings, PATH: process.env.PATH } },
        );
        expect(read.status).toBe(0);
        expect(read.stdout).toBe(`bond0 ${hostile}\n${hostile}\n`);
        expect(fs.readdirSync(dir)).toEqual(["net.conf"]);
    });
});

describe("npm run export", () => {
    it("refuses a lab file whose name would lead out of --out, and writes nothing", () => {
        const root = tmp();
        const out = path.join(root, "out");
        fs.writeFileSync(path.join(root, "...yaml"), seed); // variant ".." -> out/..
        const r = spawnSync(
            "npx",
            ["ts-node", "--transpile-only", "tools/export.ts", "--variant", path.join(root, "...yaml"), "--out", out],
            {
                cwd: path.join(__dirname, "..", ".."),
                encoding: "utf8",
            },
        );
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("bondlab:variant: the file's name \"..\" becomes the variant's name");
        expect(fs.readdirSync(root)).toEqual(["...yaml"]);
    });
});
