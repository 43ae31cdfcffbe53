import * as pulumi from "@pulumi/pulumi";
import { exportRouter } from "./components/export";
import { dockerCliEnv } from "./components/docker-endpoint";
import { Lab } from "./components/lab";
import { labNames } from "./components/names";
import { bondOptionOverrides, loadLab } from "./components/spec/load";
import { LabConfigError } from "./components/spec/validate";

// Read the stack's config, validate the lab before registering anything, build it.
const config = new pulumi.Config("bondlab");
const spec = (() => {
    try {
        const lab = loadLab(config.require("variant"), bondOptionOverrides(config.getObject("bondOptions") ?? {}));
        const privileged = config.getBoolean("privileged");
        return privileged === undefined ? lab : { ...lab, privileged };
    } catch (e) {
        // A clean message naming the field, not a stack trace.
        if (e instanceof LabConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
})();

const lab = new Lab("lab", {
    spec,
    names: labNames(pulumi.getProject(), pulumi.getStack()),
    routerImage: config.get("routerImage") || undefined, // Pulumi.yaml's default "" builds images/router
    dockerEnv: dockerCliEnv({ host: new pulumi.Config("docker").get("host"), context: new pulumi.Config("docker").get("context") }),
    lacpPassthrough: config.getBoolean("lacpPassthrough"),
    verifyTimeout: config.getNumber("verifyTimeout"),
});

export const variant = spec.variant;
export const description = spec.description;
export const routers = lab.reports;
export const diagram = lab.diagram;
/** The same bond as host configs (ifcfg, NetworkManager, netplan, systemd-networkd), per router. */
export const hostConfigs = Object.fromEntries(spec.routers.map((router) => [router.name, exportRouter(spec, router)]));
