// npm run validate -- <lab file or variant>...: checks lab files without touching Docker.
// Exit 0 with a one-line summary per file, or 1 with every bad field and its fix.
import { loadLab } from "../components/spec/load";
import { bondOptionsFor } from "../components/spec/spec";
import { LabConfigError } from "../components/spec/validate";

const targets = process.argv.slice(2);
if (targets.length === 0) {
    console.error("usage: npm run validate -- <lab.yaml | variant> [...]");
    process.exit(2);
}
let failed = false;
for (const target of targets) {
    try {
        const spec = loadLab(target);
        const options = bondOptionsFor(spec, spec.routers[0]).map(([k, v]) => `${k} ${v}`).join(" ");
        const [a, b] = spec.routers;
        console.log(`${target}: ok: ${spec.bond.name} ${options}; ${a.name} ${a.address} <-> ${b.name} ${b.address} over ${spec.channels.length} channels`);
    } catch (e) {
        if (!(e instanceof LabConfigError)) throw e;
        console.error(e.message);
        failed = true;
    }
}
process.exit(failed ? 1 : 0);
