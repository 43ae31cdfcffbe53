import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hashFiles } from "../../components/foundation";

// The router image's rebuild trigger: a hash over images/router, subfolders included.

describe("hashFiles", () => {
    const folder = (files: Record<string, string>) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bondlab-hash-"));
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), content);
        }
        return dir;
    };

    it("hashes a folder with a subfolder, by relative path and contents", () => {
        const files = { Dockerfile: "FROM x\n", "conf/a.conf": "a\n", "conf/deep/b.conf": "b\n" };
        const hash = hashFiles(folder(files));
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hashFiles(folder(files))).toBe(hash);
        expect(hashFiles(folder({ ...files, "conf/deep/b.conf": "B\n" }))).not.toBe(hash);
        // The same contents under another path is another image.
        expect(hashFiles(folder({ Dockerfile: "FROM x\n", "conf/a.conf": "a\n", "conf/b.conf": "b\n" }))).not.toBe(
            hash,
        );
    });

    it("keeps the hash a flat folder had: names and contents in name order", () => {
        // The value the flat listing gave for these two files (sha256 of "a\0A\0b\0B\0").
        expect(hashFiles(folder({ b: "B", a: "A" }))).toBe(
            crypto.createHash("sha256").update("a\0A\0b\0B\0").digest("hex"),
        );
    });
});
