// npm run up / npm run down where the Pulumi CLI is missing (tools/stack.sh runs this):
//   model-stack.ts up|down STACK
// The program (index.ts) runs through bondlab's engine model (engine/), on the Docker engine
// DOCKER_HOST names (or the local one), and the stack's state is kept in
// .pulumi-state/.bondlab-model/STACK.json (engine/model-checkpoint.ts says what moving to the
// real CLI takes). BONDLAB_MODEL_ROUTER_IMAGE: a router image the Docker host already holds
// (the lab host VM's), used where the stack file leaves bondlab:routerImage empty.
import { statusFromOutputs } from "../class/drivers";
import { CheckpointedStack } from "../engine/checkpointed-stack";
import { StackFileConfig, loadStackFile } from "../engine/config";
import { DockerRealizer } from "../engine/docker-realizer";
import { PROJECT_DIR } from "../engine/engine";
import { checkpointFile } from "../engine/model-checkpoint";

const USAGE = "usage: model-stack.ts up|down STACK";
// Stack names as the CLI takes them (pkg/backend: letters, digits, '-', '_', '.').
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function stackFileOf(stack: string): StackFileConfig {
    const stackFile = loadStackFile(PROJECT_DIR, stack);
    const image = process.env.BONDLAB_MODEL_ROUTER_IMAGE;
    const own = stackFile["bondlab:routerImage"];
    return image && !own ? { ...stackFile, "bondlab:routerImage": image } : stackFile;
}

async function main(action: string | undefined, stack: string | undefined): Promise<number> {
    if ((action !== "up" && action !== "down") || !stack) {
        console.error(USAGE);
        return 2;
    }
    if (!STACK_NAME.test(stack)) {
        console.error(
            `bondlab: ${JSON.stringify(stack)} is no stack name: letters, digits, '-', '_' and '.', at most 100`,
        );
        return 2;
    }
    const lab = new CheckpointedStack(stack, stackFileOf(stack), new DockerRealizer());
    if (action === "down") {
        if (!(await lab.down())) console.error(`bondlab: there is no stack ${stack}: nothing to remove`);
        else console.log(`bondlab: stack ${stack} destroyed: no container, network or bridge of it remains`);
        return 0;
    }
    const result = await lab.up();
    const changed = result.steps.filter((s) => s.op !== "same").length;
    const status = statusFromOutputs(result.outputs);
    console.log(
        `bondlab: stack ${stack} (${result.outputs.variant}): ${changed} changes; ${status.state}: ${status.detail}`,
    );
    console.log(`bondlab: its state: ${checkpointFile(stack)}`);
    return status.state === "verified" ? 0 : 1;
}

main(process.argv[2], process.argv[3]).then(
    (code) => process.exit(code),
    (e) => {
        console.error(`bondlab: ${process.argv[2]} failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
    },
);
