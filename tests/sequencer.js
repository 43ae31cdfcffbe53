const Sequencer = require("@jest/test-sequencer").default;

/**
 * The unit files first, in jest's own order, then the rest: the units run while the lab host
 * VM starts in the background (labhost/jest-setup.ts), which the e2e files wait for.
 */
class UnitsFirst extends Sequencer {
    async sort(tests) {
        const sorted = await super.sort(tests);
        const unit = (test) => test.context.config.displayName?.name === "unit";
        return [...sorted.filter(unit), ...sorted.filter((test) => !unit(test))];
    }
}

module.exports = UnitsFirst;
