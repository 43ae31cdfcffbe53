import * as path from "path";
import { docker, runProcess } from "../../engine/shell";
import { E2ELab, IMAGE, leftovers } from "./lab";

// The program's own image build (bondlab:routerImage unset): the docker provider builds
// images/router on the Docker host. The lab host has no registry, so Debian's base image
// comes from Debian's mirror (images/router/debian-base.sh); the Dockerfile's apt-get then
// runs as it would online. The lab host's loaded image is put back afterwards.

describe("the router image built by the program", () => {
    const lab = new E2ELab("e2e-build", { "bondlab:variant": "seed", "bondlab:routerImage": "" });
    let loaded = "";
    beforeAll(async () => {
        loaded = await docker("image", "inspect", "-f", "{{.Id}}", IMAGE);
        const base = await runProcess([path.join(__dirname, "..", "..", "images", "router", "debian-base.sh")], {
            passStderr: true,
        });
        if (base.code !== 0) throw new Error(`images/router/debian-base.sh failed (exit ${base.code})`);
    });
    afterAll(async () => {
        await lab.down();
        await docker("tag", loaded, IMAGE);
    });

    it("builds images/router on the Docker host, and the lab comes up verified on that image", async () => {
        const run = await lab.up();
        const image = run.resources.find((r) => r.type === "docker:index/remoteImage:RemoteImage")!;
        expect(image.inputs).toMatchObject({ name: IMAGE, build: { context: "images/router" } });
        const built = await docker("image", "inspect", "-f", "{{.Id}}", IMAGE);
        expect(built).not.toBe(loaded);
        expect(await docker("inspect", "-f", "{{.Image}}", lab.container("inetRouter"))).toBe(built);
        expect(lab.routers.inetRouter.verify.mode).toBe("active-backup");
        expect(lab.routers.inetRouter.verify.ping.received).toBeGreaterThan(0);
    });

    it("does not build again when nothing changed", async () => {
        const { steps } = await lab.stackOf.preview();
        expect(steps.filter((s) => s.op !== "same")).toEqual([]);
    });

    it("destroy keeps the image (keepLocally) and leaves no container, network or bridge", async () => {
        await lab.down();
        expect(await leftovers(lab.stack)).toEqual([]);
        expect(await docker("image", "inspect", "-f", "{{.Id}}", IMAGE)).not.toBe("");
    });
});
