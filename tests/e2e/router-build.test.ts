import * as path from "path";
import { docker, runProcess } from "../../engine/shell";
import { E2ELab, IMAGE, leftovers } from "./lab";

// The program's own image build (bondlab:routerImage unset): its command runs the docker CLI,
// which builds images/router on the Docker host, here the lab host VM reached over TCP (a
// remote DOCKER_HOST) with whichever image store its engine has (the containerd store on
// Debian testing's). The lab host has no registry, so Debian's base image comes from Debian's
// mirror (images/router/debian-base.sh); the Dockerfile's apt-get then runs as it would
// online. The lab host's loaded image is put back afterwards.

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
        const build = run.resources.find((r) => r.name === "lab-router-image-build")!;
        const built = await docker("image", "inspect", "-f", "{{.Id}}", IMAGE);
        expect(built).not.toBe(loaded);
        // What the command built is what the image resource found, and what the routers run.
        expect(build.state.stdout).toBe(built);
        expect(image.state.imageId).toBe(built);
        expect(
            await docker("image", "inspect", "-f", '{{index .Config.Labels "org.bondlab.router-files"}}', built),
        ).toBe(build.inputs.environment.BONDLAB_IMAGE_FILES);
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
