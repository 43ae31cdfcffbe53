import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { listNetworks, listVariants } from "../../components/labfile/load";

// The pull-request preview workflow: one preview per variant stack, against the project's
// backend unless a secret names another. (npm run lint runs actionlint on it.)

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOW = path.join(ROOT, ".github", "workflows", "preview.yml");
const workflow = YAML.parse(fs.readFileSync(WORKFLOW, "utf8"));
const job = workflow.jobs.preview;
const pulumiStep = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));

/** Stack name -> variant, from the Pulumi.<stack>.yaml files. */
const stacks = Object.fromEntries(
    fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
        .map((f) => [
            f.split(".")[1],
            YAML.parse(fs.readFileSync(path.join(ROOT, f), "utf8")).config["bondlab:variant"],
        ]),
);

describe("the preview workflow", () => {
    it("runs on pull requests and may comment on them", () => {
        expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
        expect(workflow.permissions["pull-requests"]).toBe("write");
    });

    it("previews every stack, and so every variant", () => {
        expect([...job.strategy.matrix.stack].sort()).toEqual(Object.keys(stacks).sort());
        expect(new Set(Object.values(stacks))).toEqual(new Set([...listVariants(), ...listNetworks()]));
        expect(job.strategy["fail-fast"]).toBe(false);
    });

    it("creates a missing stack and previews it with a diff, commented on the PR", () => {
        expect(pulumiStep.uses).toMatch(/^pulumi\/actions@v\d+$/);
        expect(pulumiStep.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            upsert: true,
            diff: true,
        });
        expect(pulumiStep.with["comment-on-pr"]).toBeDefined();
    });

    it("uses the project's backend unless a secret names a shared one", () => {
        const backend = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).backend.url;
        expect(job.env.PULUMI_BACKEND_URL).toBe(`\${{ secrets.PULUMI_BACKEND_URL || '${backend}' }}`);
        expect(pulumiStep.with["cloud-url"]).toBe("${{ env.PULUMI_BACKEND_URL }}");
        expect(job.env.PULUMI_CONFIG_PASSPHRASE).toBe("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
    });

    // pulumi/actions src/login.ts runs `pulumi login <cloud-url>` with the job's environment and
    // has no credential inputs: each backend's credentials must be mapped from secrets.
    it.each([
        ["Pulumi Cloud", ["PULUMI_ACCESS_TOKEN"]],
        ["s3://", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"]],
        ["azblob://", ["AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY"]],
        ["gs://", ["GOOGLE_CREDENTIALS"]],
    ])("hands the %s backend its credentials from the repository's secrets", (_backend, names) => {
        for (const name of names) expect(job.env[name]).toBe(`\${{ secrets.${name} }}`);
    });

    it("installs the locked dependencies on the Node the project asks for", () => {
        const setupNode = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("actions/setup-node@"));
        expect(String(setupNode.with["node-version"])).toBe(
            require("../../package.json").engines.node.replace(/^>=/, ""),
        );
        expect(job.steps.some((s: { run?: string }) => s.run?.startsWith("npm ci"))).toBe(true);
    });
});
