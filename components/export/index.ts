import { mermaidDiagram } from "../diagram";
import { labNames } from "../names";
import { LabSpec, RouterSpec } from "../spec/spec";
import { ifcfgFiles } from "./ifcfg";
import { netplanFiles } from "./netplan";
import { networkdFiles } from "./networkd";
import { networkManagerFiles } from "./networkmanager";

// Every host config format for one router, and the whole lab as one tree of files:
// <router>/<format>/<file> plus topology.mmd. Pure functions: writing is tools/export.ts's job.

import { ExportError } from "./common";

export { ExportError };

export type ExportFormat = (spec: LabSpec, router: RouterSpec) => Record<string, string>;

/** The formats, by the folder name each gets. */
export const EXPORT_FORMATS: Readonly<Record<string, ExportFormat>> = {
    ifcfg: ifcfgFiles,
    networkmanager: networkManagerFiles,
    netplan: netplanFiles,
    "systemd-networkd": networkdFiles,
};

/**
 * One router's files in every format, as "<format>/<file>" -> content. A format that cannot
 * express an option of the lab throws ExportError, or with `unsupported: "note"` (the stack
 * output: a valid lab must deploy whatever a format lacks) gets "<format>/NOT-EXPORTED.txt"
 * saying why.
 */
export function exportRouter(
    spec: LabSpec,
    router: RouterSpec,
    unsupported: "throw" | "note" = "throw",
): Record<string, string> {
    const files: Record<string, string> = {};
    for (const [format, render] of Object.entries(EXPORT_FORMATS)) {
        let rendered: Record<string, string>;
        try {
            rendered = render(spec, router);
        } catch (e) {
            if (unsupported === "throw" || !(e instanceof ExportError)) throw e;
            rendered = { "NOT-EXPORTED.txt": `${e.message}\n` };
        }
        for (const [file, content] of Object.entries(rendered)) files[`${format}/${file}`] = content;
    }
    return files;
}

/** The lab's files: "<router>/<format>/<file>" for both routers, and topology.mmd. */
export function exportLab(spec: LabSpec): Record<string, string> {
    const files: Record<string, string> = {
        "topology.mmd": mermaidDiagram(spec, labNames("bondlab", spec.variant)) + "\n",
    };
    for (const router of spec.routers) {
        for (const [file, content] of Object.entries(exportRouter(spec, router)))
            files[`${router.name}/${file}`] = content;
    }
    return files;
}

/**
 * The mode a file should have: NetworkManager ignores keyfiles that others can read, and
 * netplan warns about world-readable YAML; the nmcli script is meant to be run.
 */
export function fileMode(file: string): number {
    if (file.endsWith(".nmconnection") || /netplan\/.*\.yaml$/.test(file)) return 0o600;
    if (file.endsWith(".sh")) return 0o755;
    return 0o644;
}
