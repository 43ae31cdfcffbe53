import * as pulumi from "@pulumi/pulumi";
import { exportRouter } from "./components/export";
import { dockerCliEnv } from "./components/docker-endpoint";
import { Lab } from "./components/lab";
import { labNames } from "./components/names";
import { loadLab } from "./components/spec/load";
import { readStackSettings } from "./components/spec/settings";
import { LabConfigError } from "./components/spec/validate";

// Read the stack's settings, validate them and the lab before registering anything, build it.
const docker = new pulumi.Config("docker");
const { spec, settings } = (() => {
    try {
        const settings = readStackSettings((key) => new pulumi.Config("bondlab").get(key));
        const lab = loadLab(settings.variant, settings.bondOptions);
        return {
            spec: settings.privileged === undefined ? lab : { ...lab, privileged: settings.privileged },
            settings,
        };
    } catch (e) {
        // A clean message naming the field, not a stack trace.
        if (e instanceof LabConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
})();

const lab = new Lab("lab", {
    spec,
    names: labNames(pulumi.getProject(), pulumi.getStack()),
    routerImage: settings.routerImage,
    dockerEnv: dockerCliEnv({ host: docker.get("host"), context: docker.get("context") }),
    lacpPassthrough: settings.lacpPassthrough,
    verifyTimeout: settings.verifyTimeout,
});

export const variant = spec.variant;
export const description = spec.description;
export const routers = lab.reports;
export const diagram = lab.diagram;
/** What `npm run drill -- --stack` acts on: the engine, containers, cables, bridges, bond and verify's settings. */
export const labHandle = lab.handle;
/**
 * The same bond as host configs (ifcfg, NetworkManager, netplan, systemd-networkd), per router; a format that cannot
 * express an option says so in NOT-EXPORTED.txt.
 */
export const hostConfigs = Object.fromEntries(
    spec.routers.map((router) => [router.name, exportRouter(spec, router, "note")]),
);
