import { LabNames } from "./names";
import { BondMode } from "./spec/modes";
import { LabSpec, RouterSpec, backupsShowLinkState, bondOptionsFor, expectedActiveSlave, peerOf } from "./spec/spec";

/**
 * What a tool needs to act on a running lab, published as the stack output `labHandle`:
 * the Docker engine, the containers, cables and bridges, the bond, and verify's settings
 * per router. `npm run drill` reads it (`pulumi stack output --json labHandle`, or the
 * harness's outputs) instead of working names and settings out again.
 */
export interface LabHandle {
    variant: string;
    description: string;
    /** The environment that points the `docker` CLI at the lab's engine (docker-endpoint.ts). */
    docker: Record<string, string>;
    bond: { name: string; mode: BondMode };
    routers: HandleRouter[];
    channels: HandleChannel[];
}

export interface HandleRouter {
    name: string;
    ip: string;
    container: string;
    /** verify's settings (BONDLAB_*), exactly as the program's verify command gets them. */
    verify: Record<string, string>;
}

export interface HandleChannel {
    name: string;
    /** The slave inside each router (eth1, ...). */
    interface: string;
    /** The Linux bridge on the Docker host. */
    bridge: string;
    /** The cable container (host network namespace, NET_ADMIN) that can cut or degrade it. */
    cable: string;
    /** The switch container of the shared segment the channel joins; null for a channel of its own. */
    switch: string | null;
    /** Whether its NICs receive only unicast addressed to their own MAC as built (macFilter). */
    macFilter: boolean;
}

/** A router's bond options as apply and verify take them: "mode active-backup miimon 100 ...". */
export function optionsLine(spec: LabSpec, router: RouterSpec): string {
    return bondOptionsFor(spec, router)
        .map(([k, v]) => `${k} ${v}`)
        .join(" ");
}

/** The settings verify checks a router's bond against (components/scripts/bond-verify.sh). */
export function verifySettings(spec: LabSpec, router: RouterSpec, verifyTimeout = 90): Record<string, string> {
    return {
        BONDLAB_BOND: spec.bond.name,
        BONDLAB_OPTIONS: optionsLine(spec, router),
        BONDLAB_SLAVES: spec.channels.map((c) => c.interface).join(" "),
        BONDLAB_ACTIVE: expectedActiveSlave(spec) ?? "",
        BONDLAB_BACKUPS: backupsShowLinkState(spec) ? "up" : "unknown",
        BONDLAB_PEER: peerOf(spec, router).ip,
        BONDLAB_VERIFY_TIMEOUT: String(verifyTimeout),
    };
}

export function labHandle(
    spec: LabSpec,
    names: LabNames,
    options: { dockerEnv: Readonly<Record<string, string>>; verifyTimeout?: number },
): LabHandle {
    return {
        variant: spec.variant,
        description: spec.description,
        docker: { ...options.dockerEnv },
        bond: { name: spec.bond.name, mode: spec.bond.mode },
        routers: spec.routers.map((router) => ({
            name: router.name,
            ip: router.ip,
            container: names.container(router.name),
            verify: verifySettings(spec, router, options.verifyTimeout),
        })),
        channels: spec.channels.map((c) => ({
            name: c.name,
            interface: c.interface,
            bridge: names.bridge(c.name),
            cable: names.cable(c.name),
            switch: c.segment === undefined ? null : names.switch(c.segment),
            macFilter: c.macFilter,
        })),
    };
}
