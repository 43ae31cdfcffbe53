const TestRunner = require("jest-runner").default;

/**
 * The unit files across every worker jest has (`--maxWorkers`), then the files that use the
 * lab host one at a time. The units need no Docker host and run while the lab host VM boots
 * (labhost/jest-setup.ts); the e2e files share one VM whose emulation is CPU-bound, so two at
 * once would only slow each other. One runner for every project: jest runs one runner's tests
 * after another's in an order of its own, and only this way are the units surely first.
 */
class UnitsAcrossWorkersThenLabhostInBand extends TestRunner {
    async runTests(tests, watcher, options) {
        const unit = (test) => test.context.config.displayName?.name === "unit";
        const units = tests.filter(unit);
        const rest = tests.filter((test) => !unit(test));
        if (units.length > 0) await super.runTests(units, watcher, options);
        if (rest.length > 0) await super.runTests(rest, watcher, { ...options, serial: true });
    }
}

module.exports = UnitsAcrossWorkersThenLabhostInBand;
